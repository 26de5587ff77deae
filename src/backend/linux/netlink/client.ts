/**
 * The rtnetlink query client: dumps of links and addresses, one interface's flags by index, and
 * one-destination route lookups.
 *
 * One NETLINK_ROUTE socket per query, opened, used and closed inside the call (no fd outlives a
 * query, so descriptor counts stay flat however many queries run); a query made of several
 * requests (`querying`: the address dump and interface ioctls of `hostAddresses`, say) makes
 * them all on that one socket. Requests go out with sendto() to the kernel; replies come back into one
 * reusable receive buffer, and only what the parsers keep is copied out of it (messages.ts).
 * Every wait is bounded: the socket has a receive time-out and the read loop a maximum number of
 * reads.
 *
 * A change-notification reader (one shared subscription socket bound to RTMGRP_* groups, see
 * `RTMGRP_NETWORK_CHANGES`) needs no code from here beyond `parseMessages` / `decodeMessage`.
 */
import * as libc from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { E, L } from '../host/libc.js';
import { cString } from '../../../structs/bytes.js';
import { NETLINK_ROUTE, NLM_F, NLMSG, SOCKADDR_NL_SIZE } from './constants.js';
import {
  addressDumpRequest, forEachMessage, linkDumpRequest, parseAddress, parseError, parseLink, parseRoute, routeDumpRequest, routeGetRequest,
  type AddressInfo, type IpVersion, type LinkInfo, type NetlinkMessage, type RouteInfo,
} from './messages.js';

/** A query result: the value, or the Linux errno that stopped it. */
export type NetlinkResult<T> = { ok: true; value: T } | { ok: false; errno: number };

/** How long one reply may take before the query gives up (ETIMEDOUT). */
const RECEIVE_TIMEOUT_MS = 2000;
/** Upper bound on datagrams read for one query (a dump of ~100,000 addresses). */
const MAX_READS = 4096;
/** Dumps the kernel marks as interrupted (NLM_F_DUMP_INTR: the table changed meanwhile) are redone this often. */
const MAX_DUMP_ATTEMPTS = 3;

let nextSeq = 1;

/** A sequence number for the next request (1 .. 2^31-1, wrapping). */
function takeSeq(): number {
  const seq = nextSeq;
  nextSeq = nextSeq >= 0x7fffffff ? 1 : nextSeq + 1;
  return seq;
}

// Every argument of the query calls lives in native memory (host/libc.ts nativeBlock), passed by
// address: an all-integer call is koffi's fast one, and a typed-array argument (a 64 KiB receive
// buffer most of all) costs more than the rest of koffi's work. Queries are synchronous, one at a
// time per thread, so one set of blocks serves them all.

/** Receive buffer: replies are parsed in place, and only what the parsers keep is copied out. */
let receive = libc.nativeBlock(64 * 1024);

/**
 * The small arguments, one block: the kernel's sockaddr_nl (nl_pid 0, no groups) @0, the receive
 * time-out (struct timeval: two 64-bit fields on x86_64 / aarch64) @16, a struct ifreq @32, the
 * request being sent @72 (the largest, a route lookup, is 56 bytes).
 */
const args = libc.nativeBlock(72 + 256);
const KERNEL = 0;
const TIMEOUT = 16;
const IFREQ = 32;
const REQUEST = 72;
const REQUEST_MAX = 256;
args.view.setUint16(KERNEL, L.AF_NETLINK, true);
args.view.setBigInt64(TIMEOUT, BigInt(Math.floor(RECEIVE_TIMEOUT_MS / 1000)), true);
args.view.setBigInt64(TIMEOUT + 8, BigInt((RECEIVE_TIMEOUT_MS % 1000) * 1000), true);

/** Sockets open right now for queries (0 outside a query): for tests. */
let openSockets = 0;
export function openQuerySockets(): number {
  return openSockets;
}

/** An open query socket (see `querying`). */
export type QuerySocket = { readonly fd: number };

/**
 * Run `query` with one NETLINK_ROUTE socket for all of its requests, closed before this returns
 * (whatever `query` does). Fails with the errno of socket() when none can be opened.
 */
export function querying<T>(query: (socket: QuerySocket) => NetlinkResult<T>): NetlinkResult<T> {
  const fd = noteOpened(libc.socket(L.AF_NETLINK, L.SOCK_RAW | L.SOCK_CLOEXEC, NETLINK_ROUTE));
  if (fd < 0) return { ok: false, errno: libc.errno() || E.EINVAL };
  openSockets++;
  try {
    libc.setsockoptAt(fd, L.SOL_SOCKET, L.SO_RCVTIMEO, args.address + TIMEOUT, 16);
    return query({ fd });
  } finally {
    closeOwnedFd(fd);
    openSockets--;
  }
}

/**
 * Send one request and hand each reply message to `onMessage` (its payload a view, valid only
 * during the call), until the end of the answer: NLMSG_DONE for a dump, the single reply
 * otherwise, or an NLMSG_ERROR (whose errno fails the query; 0 is an ACK and ends it). Messages
 * with another sequence number (the rest of an earlier request's answer on the same socket) are
 * skipped. Returns the errno that stopped it, 0 when done, or -1 when a dump reply carried
 * NLM_F_DUMP_INTR.
 */
function exchange({ fd }: QuerySocket, request: Uint8Array, seq: number, dump: boolean, onMessage: (m: NetlinkMessage) => void): number {
  if (request.length > REQUEST_MAX) return E.EMSGSIZE;
  args.bytes.set(request, REQUEST);
  for (;;) {
    const sent = libc.sendtoAt(fd, args.address + REQUEST, request.length, 0, args.address + KERNEL, SOCKADDR_NL_SIZE);
    if (sent >= 0) break;
    const errno = libc.errno();
    if (errno !== E.EINTR) return errno;
  }
  let interrupted = false;
  let result: number | null = null;
  const visit = (message: NetlinkMessage): boolean => {
    if (message.seq !== seq) return false;
    if (message.flags & NLM_F.DUMP_INTR) interrupted = true;
    if (message.type === NLMSG.DONE) result = interrupted ? -1 : 0;
    else if (message.type === NLMSG.ERROR) result = parseError(message);
    else if (message.type !== NLMSG.NOOP) {
      onMessage(message);
      if (!dump && !(message.flags & NLM_F.MULTI)) result = 0;
    }
    return result !== null;
  };
  for (let reads = 0; reads < MAX_READS; reads++) {
    // MSG_TRUNC: the return value is the datagram's real length, so a short buffer is noticed.
    const n = libc.recvAt(fd, receive.address, receive.bytes.length, L.MSG_TRUNC);
    if (n < 0) {
      const errno = libc.errno();
      if (errno === E.EINTR) continue;
      return errno === E.EAGAIN ? E.ETIMEDOUT : errno;
    }
    if (n > receive.bytes.length) {
      // Lost: grow for the next query and fail this one (the kernel caps dump datagrams at 32 KiB,
      // so this does not happen with the default size).
      libc.freeNativeBlock(receive);
      receive = libc.nativeBlock(Math.min(n * 2, 1 << 22));
      return E.EMSGSIZE;
    }
    forEachMessage(receive.bytes, visit, n);
    if (result !== null) return result;
  }
  return E.ETIMEDOUT;
}

function dump<T>(socket: QuerySocket, makeRequest: (seq: number) => Uint8Array, parse: (m: NetlinkMessage) => T | null): NetlinkResult<T[]> {
  for (let attempt = 1; ; attempt++) {
    const seq = takeSeq();
    const items: T[] = [];
    const errno = exchange(socket, makeRequest(seq), seq, true, (m) => {
      const item = parse(m);
      if (item !== null) items.push(item);
    });
    if (errno === 0 || (errno === -1 && attempt >= MAX_DUMP_ATTEMPTS)) return { ok: true, value: items };
    if (errno > 0) return { ok: false, errno };
  }
}

/** Every interface (RTM_GETLINK dump), in kernel order (by index); on `socket`, else on its own. */
export function dumpLinks(socket?: QuerySocket): NetlinkResult<LinkInfo[]> {
  if (!socket) return querying(dumpLinks);
  return dump(socket, linkDumpRequest, parseLink);
}

/**
 * Every address of one IP version (0: both), RTM_GETADDR dump in kernel order (interface, then
 * address); on `socket`, else on its own.
 */
export function dumpAddresses(version: IpVersion | 0 = 0, socket?: QuerySocket): NetlinkResult<AddressInfo[]> {
  if (!socket) return querying((own) => dumpAddresses(version, own));
  return dump(socket, (seq) => addressDumpRequest(seq, version), (m) => {
    const a = parseAddress(m);
    return a && (version === 0 || a.version === version) ? a : null;
  });
}

/** Every route of one IP version (RTM_GETROUTE dump, all tables); on `socket`, else on its own. */
export function dumpRoutes(version: IpVersion, socket?: QuerySocket): NetlinkResult<RouteInfo[]> {
  if (!socket) return querying((own) => dumpRoutes(version, own));
  return dump(socket, (seq) => routeDumpRequest(seq, version), (m) => {
    const route = parseRoute(m);
    return route && route.version === version ? route : null;
  });
}

/** struct ifreq (40 bytes on 64-bit Linux): ifr_name[16], then a union (ifr_ifindex, ifr_flags ...). */
const IFREQ_SIZE = 40;
const IFNAMSIZ = 16;

/**
 * One interface's name and IFF_* flags, by index: SIOCGIFNAME, then SIOCGIFFLAGS on that name
 * (through the query socket: the kernel serves these device ioctls on any socket, in its
 * namespace). Much cheaper than a link dump when only a few interfaces matter. ifr_flags has the
 * low 16 flag bits, which hold every flag the emulation reads. ENODEV when the index is gone.
 */
export function interfaceFlags({ fd }: QuerySocket, index: number): NetlinkResult<{ name: string; flags: number }> {
  const ifreq = args.bytes;
  ifreq.fill(0, IFREQ, IFREQ + IFREQ_SIZE);
  args.view.setUint32(IFREQ + IFNAMSIZ, index >>> 0, true);
  if (libc.ioctlAt(fd, L.SIOCGIFNAME, args.address + IFREQ) < 0) return { ok: false, errno: libc.errno() };
  const name = cString(ifreq, IFREQ, IFREQ + IFNAMSIZ);
  ifreq.fill(0, IFREQ + IFNAMSIZ, IFREQ + IFREQ_SIZE);
  if (libc.ioctlAt(fd, L.SIOCGIFFLAGS, args.address + IFREQ) < 0) return { ok: false, errno: libc.errno() };
  return { ok: true, value: { name, flags: ifreq[IFREQ + 16]! | (ifreq[IFREQ + 17]! << 8) } };
}

/**
 * The kernel's route to one destination (4 or 16 bytes), RTM_GETROUTE: its type, outgoing
 * interface and preferred source. `oif` restricts the lookup to an interface (an IPv6 zone). On
 * `socket`, else on its own.
 * Fails with the kernel's errno: ENETUNREACH (no route), EHOSTUNREACH (an unreachable route),
 * EACCES (prohibit), EINVAL (blackhole, or a link-local destination without its zone), ENODEV ...
 */
export function getRoute(destination: Uint8Array, oif = 0, socket?: QuerySocket): NetlinkResult<RouteInfo> {
  if (destination.length !== 4 && destination.length !== 16) return { ok: false, errno: E.EINVAL };
  if (!socket) return querying((own) => getRoute(destination, oif, own));
  const seq = takeSeq();
  let route: RouteInfo | null = null;
  const errno = exchange(socket, routeGetRequest(seq, destination, oif), seq, false, (m) => {
    route ??= parseRoute(m);
  });
  if (errno > 0) return { ok: false, errno };
  return route ? { ok: true, value: route } : { ok: false, errno: E.ENETUNREACH };
}
