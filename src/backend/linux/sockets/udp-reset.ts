/**
 * Windows' UDP reset reporting (SIO_UDP_CONNRESET / SIO_UDP_NETRESET, both on by default): after
 * a datagram this socket sent draws an ICMP error, the next receive fails once with
 * WSAECONNRESET (port unreachable) or WSAENETRESET (TTL expired in transit, network unreachable);
 * with the flag off the report is dropped and the receive carries on. Sends never report it.
 *
 * Linux tells an unconnected UDP socket about ICMP errors only with IP_RECVERR / IPV6_RECVERR:
 * each error is queued on the socket's error queue (read with recvmsg(MSG_ERRQUEUE), a
 * sock_extended_err in the control data) and also left in sk_err, which makes the next plain
 * send or receive fail with ECONNREFUSED and friends. So the emulation sets IP_RECVERR on every
 * UDP socket it creates, reads the error queue before each receive (reportableDatagramError),
 * and takes over the sk_err copy (isStaleIcmpError: the call is retried) so that the
 * caller sees exactly the Windows behaviour in both modes. A pending error makes poll() report
 * POLLERR, which wakes a blocking receive. Sockets borrowed from Node are left alone.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import { E, L } from '../host/libc.js';
import { pendingSocketError, setKernelInt } from '../host/socket-facts.js';
import { pollOne } from '../host/poll.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { hasParkedReports, readErrorQueue, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6, type ExtendedError } from './error-queue.js';

export { SO_EE_ORIGIN_LOCAL, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 } from './error-queue.js';


/** ICMP (RFC 792) and ICMPv6 (RFC 4443) types and codes the mapping looks at. */
const ICMP_DEST_UNREACH = 3;
const ICMP_TIME_EXCEEDED = 11;
const ICMP_NET_UNREACH = 0;
const ICMP_PORT_UNREACH = 3;
const ICMP_NET_UNKNOWN = 6;
const ICMP_NET_ANO = 9;
const ICMP_NET_UNR_TOS = 11;
const ICMP6_DST_UNREACH = 1;
const ICMP6_TIME_EXCEED = 3;
const ICMP6_NOROUTE = 0;
const ICMP6_PORT_UNREACH = 4;

export interface ResetFlags {
  connReset: boolean;
  netReset: boolean;
}

/**
 * The Winsock error a receive reports for one queued ICMP error, or 0 when Windows would not
 * report it (flag off, or a kind of error Windows does not surface on UDP receives). Pure.
 */
export function windowsErrorForIcmp(e: Omit<ExtendedError, 'offender'>, flags: ResetFlags): number {
  const connReset = flags.connReset ? W.WSAECONNRESET : 0;
  const netReset = flags.netReset ? W.WSAENETRESET : 0;
  if (e.origin === SO_EE_ORIGIN_ICMP) {
    if (e.type === ICMP_TIME_EXCEEDED) return netReset;
    if (e.type !== ICMP_DEST_UNREACH) return 0;
    if (e.code === ICMP_PORT_UNREACH) return connReset;
    if (e.code === ICMP_NET_UNREACH || e.code === ICMP_NET_UNKNOWN || e.code === ICMP_NET_ANO || e.code === ICMP_NET_UNR_TOS) return netReset;
    return 0;
  }
  if (e.origin === SO_EE_ORIGIN_ICMP6) {
    if (e.type === ICMP6_TIME_EXCEED) return netReset;
    if (e.type !== ICMP6_DST_UNREACH) return 0;
    if (e.code === ICMP6_PORT_UNREACH) return connReset;
    if (e.code === ICMP6_NOROUTE) return netReset;
    return 0;
  }
  return 0;
}

/** UDP sockets on which this module set IP_RECVERR. */
const tracked = new WeakSet<LinuxSocket>();

export function isTracked(sock: LinuxSocket): boolean {
  return tracked.has(sock);
}

/** A UDP socket this emulation made: ask the kernel for ICMP error reports, to report them as Windows does. */
export function trackIcmpErrors(sock: LinuxSocket): void {
  if (sock.type !== C.SOCK_DGRAM || sock.borrowed) return;
  const fd = sock.fd;
  let ok = setKernelInt(fd, L.IPPROTO_IP, L.IP_RECVERR, 1) === 0;
  // An IPv6 socket also carries IPv4 traffic (v4-mapped): ask for both kinds of report.
  if (sock.af === C.AF_INET6) ok = setKernelInt(fd, L.IPPROTO_IPV6, L.IPV6_RECVERR, 1) === 0 || ok;
  if (ok) tracked.add(sock);
}

/**
 * True when an error report waits for the socket: parked by the error queue's reader, or in the
 * kernel (poll says POLLERR), without waiting.
 */
function errorPending(sock: LinuxSocket): boolean {
  if (hasParkedReports(sock)) return true;
  const revents = pollOne(sock.fd, 0, 0);
  return revents > 0 && (revents & L.POLLERR) !== 0;
}

/**
 * Clear sk_err (reading SO_ERROR clears it): the error queue holds the same report, and it is
 * what the emulation reads.
 */
const clearSocketError = (fd: number): void => void pendingSocketError(fd);

const MAX_ENTRIES_PER_CALL = 64;

/**
 * The error the next receive must report (consuming one queued ICMP report), or 0. Reports the
 * flags say to drop are consumed silently.
 */
export function takeReportableError(sock: LinuxSocket): number {
  const fd = sock.fd;
  if (fd < 0 || !errorPending(sock)) return 0;
  clearSocketError(fd);
  const flags = { connReset: sock.udpConnReset, netReset: sock.udpNetReset };
  for (let i = 0; i < MAX_ENTRIES_PER_CALL; i++) {
    const entry = readErrorQueue(sock);
    if (!entry) return 0;
    const error = windowsErrorForIcmp(entry, flags);
    if (error) return error;
  }
  return 0;
}

/** Errors ICMP reports leave in sk_err (net/ipv4/icmp.c icmp_err_convert, and ICMPv6's). */
const ASYNC_ERRNOS = new Set<number>([
  E.ECONNREFUSED, E.EHOSTUNREACH, E.ENETUNREACH, E.EHOSTDOWN, E.ENOPROTOOPT,
  64 /* ENONET */, 71 /* EPROTO */,
]);

/** Before a receive on a datagram socket: the pending Winsock error to report instead, or 0. */
export const reportableDatagramError = (sock: LinuxSocket): number => (tracked.has(sock) ? takeReportableError(sock) : 0);

// A send or receive that failed only because an ICMP report was pending in sk_err (the failed
// call consumed it; the error queue still holds the report): retry it.
export const isStaleIcmpError = (sock: LinuxSocket, errno: number): boolean =>
  sock.type !== C.SOCK_STREAM && tracked.has(sock) && ASYNC_ERRNOS.has(errno) && errorPending(sock);
