/**
 * TCP_FAIL_CONNECT_ON_ICMP_ERROR's companion, TCP_ICMP_ERROR_INFO: the ICMP error a connect
 * attempt drew, as Windows reports it (Microsoft's WSAGetIcmpErrorInfo page: WSANO_DATA when no
 * ICMP error arrived since the last connect call).
 *
 * ICMP_ERROR_INFO, x64 (mstcpip.h): SOCKADDR_INET srcaddress (28 bytes: a SOCKADDR_IN or
 * SOCKADDR_IN6), IPPROTO protocol (a 4-byte enum: IPPROTO_ICMP or IPPROTO_ICMPV6), UINT8 type,
 * UINT8 code; 36 bytes with the tail padding to the 4-byte alignment.
 *
 * Linux: TCP_FAIL_CONNECT_ON_ICMP_ERROR sets IP_RECVERR / IPV6_RECVERR (sockopts.ts), so the ICMP
 * report that ended the connect waits on the socket's error queue with its offender address
 * (SO_EE_OFFENDER); it is read once, when the connect is seen failing or when the option is read.
 */
import * as W from '../../../errors/index.js';
import { writeWindowsSockaddr } from '../host/sockaddr.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { readErrorQueue, SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 } from './error-queue.js';

export const ICMP_ERROR_INFO_SIZE = 36;
const SOCKADDR_INET_SIZE = 28;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

interface IcmpErrorInfo {
  /** The offender as a Windows sockaddr. */
  source: Uint8Array;
  protocol: number;
  type: number;
  code: number;
}

const infoOf = new WeakMap<LinuxSocket, IcmpErrorInfo>();

const MAX_ENTRIES = 16;

/** A connect call starts: Windows forgets the ICMP error of an earlier attempt. */
export function forgetIcmpErrorInfo(sock: LinuxSocket): void {
  infoOf.delete(sock);
  if (!sock.optionMirrors.get('TCP_FAIL_CONNECT_ON_ICMP_ERROR')) return;
  // Reports left over from an earlier attempt belong to it.
  for (let i = 0; i < MAX_ENTRIES && readErrorQueue(sock) !== null; i++);
}

/** Take the ICMP reports waiting on the socket's error queue (only with the option on): the last one counts. */
export function noteIcmpErrors(sock: LinuxSocket): void {
  if (!sock.optionMirrors.get('TCP_FAIL_CONNECT_ON_ICMP_ERROR')) return;
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const entry = readErrorQueue(sock);
    if (entry === null) return;
    if (entry.origin !== SO_EE_ORIGIN_ICMP && entry.origin !== SO_EE_ORIGIN_ICMP6) continue;
    const source = new Uint8Array(SOCKADDR_INET_SIZE);
    if (entry.offender.length >= 2) writeWindowsSockaddr(entry.offender, source, source.length);
    infoOf.set(sock, { source, protocol: entry.origin === SO_EE_ORIGIN_ICMP ? IPPROTO_ICMP : IPPROTO_ICMPV6, type: entry.type, code: entry.code });
  }
}

/** getsockopt(TCP_ICMP_ERROR_INFO) into `out` (at least ICMP_ERROR_INFO_SIZE bytes): 0, or the error. */
export function readIcmpErrorInfo(sock: LinuxSocket, out: Uint8Array): number {
  noteIcmpErrors(sock);
  const info = infoOf.get(sock);
  if (!info) return W.WSANO_DATA;
  out.fill(0, 0, ICMP_ERROR_INFO_SIZE);
  out.set(info.source, 0);
  new DataView(out.buffer, out.byteOffset, ICMP_ERROR_INFO_SIZE).setUint32(SOCKADDR_INET_SIZE, info.protocol, true);
  out[SOCKADDR_INET_SIZE + 4] = info.type;
  out[SOCKADDR_INET_SIZE + 5] = info.code;
  return 0;
}
