/**
 * The one reader of a socket's error queue (recvmsg(MSG_ERRQUEUE)). The queue holds two kinds of
 * entry, told apart by sock_extended_err.ee_origin (include/uapi/linux/errqueue.h): ICMP reports
 * (SO_EE_ORIGIN_ICMP / _ICMP6, with IP_RECVERR / IPV6_RECVERR: SIO_UDP_CONNRESET and
 * SIO_UDP_NETRESET in udp-reset.ts, TCP_ICMP_ERROR_INFO in icmp-error-info.ts) and transmit
 * timestamps (SO_EE_ORIGIN_TIMESTAMPING, with SO_TIMESTAMPING: SIO_GET_TX_TIMESTAMP in
 * timestamping.ts, the stamp in the SCM_TIMESTAMPING cmsg next to it). Whoever reads sorts: a
 * stamp goes to timestamping.ts at once; an ICMP report read while looking for stamps is kept
 * (parked) for the next ICMP reader, so neither kind is lost to the other's reader.
 */
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { noteTransmitStamp, transmitStampsOn } from './timestamping.js';

/** sock_extended_err.ee_origin (include/uapi/linux/errqueue.h). */
export const SO_EE_ORIGIN_LOCAL = 1;
export const SO_EE_ORIGIN_ICMP = 2;
export const SO_EE_ORIGIN_ICMP6 = 3;
export const SO_EE_ORIGIN_TIMESTAMPING = 4;

export interface ExtendedError {
  origin: number;
  type: number;
  code: number;
  /** SO_EE_OFFENDER: the Linux sockaddr of the host that sent the report (empty when unknown). */
  offender: Uint8Array;
}

/** One raw entry: the report, and for a timestamp its ee_info, ee_data and ts[0]. */
interface Entry extends ExtendedError {
  info: number;
  data: number;
  stamp: { seconds: bigint; nanoseconds: bigint } | null;
}

// One arena (larger than V8's on-heap typed-array limit, so it never moves) holding the msghdr,
// the iovec, the name, the control data and a scratch payload buffer.
const MSGHDR = 0;
const IOVEC = 64;
const NAME = 128;
const NAME_LEN = 128;
const CONTROL = 256;
const CONTROL_LEN = 512;
const DATA = 1024;
const DATA_LEN = 1024;
const arena = new Uint8Array(2048);
const view = new DataView(arena.buffer);

/** One error-queue entry as the kernel gave it, or null when the queue is empty. */
function readEntry(fd: number): Entry | null {
  const base = libc.addressOf(arena);
  arena.fill(0, 0, DATA);
  view.setBigUint64(MSGHDR + 0, base + BigInt(NAME), true);
  view.setUint32(MSGHDR + 8, NAME_LEN, true);
  view.setBigUint64(MSGHDR + 16, base + BigInt(IOVEC), true);
  view.setBigUint64(MSGHDR + 24, 1n, true);
  view.setBigUint64(MSGHDR + 32, base + BigInt(CONTROL), true);
  view.setBigUint64(MSGHDR + 40, BigInt(CONTROL_LEN), true);
  view.setBigUint64(IOVEC + 0, base + BigInt(DATA), true);
  view.setBigUint64(IOVEC + 8, BigInt(DATA_LEN), true);
  if (libc.recvmsg(fd, arena, L.MSG_ERRQUEUE | L.MSG_DONTWAIT) < 0) return null;
  // Walk the cmsghdrs: { size_t len; int level; int type; data (8-aligned) }.
  const controlLen = Math.min(CONTROL_LEN, Number(view.getBigUint64(MSGHDR + 40, true)));
  // An entry without a recognisable report (should not happen) says nothing.
  const entry: Entry = { origin: 0, type: 0, code: 0, offender: new Uint8Array(0), info: 0, data: 0, stamp: null };
  let offset = 0;
  for (let i = 0; i < 8 && offset + 16 <= controlLen; i++) {
    const len = Number(view.getBigUint64(CONTROL + offset, true));
    const level = view.getInt32(CONTROL + offset + 8, true);
    const type = view.getInt32(CONTROL + offset + 12, true);
    if (len < 16 || offset + len > controlLen) break;
    const isRecvErr = (level === L.IPPROTO_IP && type === L.IP_RECVERR) || (level === L.IPPROTO_IPV6 && type === L.IPV6_RECVERR);
    if (isRecvErr && len >= 16 + 16) {
      // sock_extended_err { u32 ee_errno; u8 ee_origin, ee_type, ee_code, ee_pad; u32 ee_info; u32 ee_data }.
      const ee = CONTROL + offset + 16;
      entry.origin = view.getUint8(ee + 4);
      entry.type = view.getUint8(ee + 5);
      entry.code = view.getUint8(ee + 6);
      entry.info = view.getUint32(ee + 8, true);
      entry.data = view.getUint32(ee + 12, true);
      // The offender's sockaddr follows the 16-byte sock_extended_err in the same control message.
      entry.offender = arena.slice(ee + 16, CONTROL + offset + len);
    } else if (level === L.SOL_SOCKET && type === L.SO_TIMESTAMPING && len >= 16 + 48) {
      // struct scm_timestamping { struct timespec ts[3]; }: ts[0] is the software stamp.
      const ts = CONTROL + offset + 16;
      entry.stamp = { seconds: view.getBigInt64(ts, true), nanoseconds: view.getBigInt64(ts + 8, true) };
    }
    offset += (len + 7) & ~7;
  }
  return entry;
}

/** ICMP reports read while looking for stamps, oldest first, kept for the next ICMP reader. */
const parked = new WeakMap<LinuxSocket, ExtendedError[]>();
const PARKED_MAX = 64;
/** Entries one call reads at most (every loop is bounded). */
const ENTRIES_PER_CALL = 64;

/** A timestamp entry handed to timestamping.ts; false for any other entry. */
function sortedOut(sock: LinuxSocket, entry: Entry): boolean {
  if (entry.origin !== SO_EE_ORIGIN_TIMESTAMPING) return false;
  if (entry.info === L.SCM_TSTAMP_SND && entry.stamp !== null) noteTransmitStamp(sock, entry.data, entry.stamp.seconds, entry.stamp.nanoseconds);
  return true;
}

const report = (entry: Entry): ExtendedError => ({ origin: entry.origin, type: entry.type, code: entry.code, offender: entry.offender });

/** The next report that is not a timestamp (parked ones first), or null when there is none. */
export function readErrorQueue(sock: LinuxSocket): ExtendedError | null {
  const kept = parked.get(sock);
  if (kept !== undefined && kept.length > 0) return kept.shift() ?? null;
  for (let i = 0; i < ENTRIES_PER_CALL; i++) {
    const entry = readEntry(sock.fd);
    if (entry === null) return null;
    if (!sortedOut(sock, entry)) return report(entry);
  }
  return null;
}

/** Read every entry waiting: stamps to timestamping.ts, reports parked for their readers. */
export function collectTransmitStamps(sock: LinuxSocket): void {
  for (let i = 0; i < ENTRIES_PER_CALL; i++) {
    const entry = readEntry(sock.fd);
    if (entry === null) return;
    if (sortedOut(sock, entry)) continue;
    let kept = parked.get(sock);
    if (kept === undefined) parked.set(sock, (kept = []));
    if (kept.length < PARKED_MAX) kept.push(report(entry));
  }
}

/** True when a report was parked for this socket. */
export function hasParkedReports(sock: LinuxSocket): boolean {
  return (parked.get(sock)?.length ?? 0) > 0;
}

/**
 * Before a readiness look (select, WSAPoll): a transmit stamp waiting in the kernel's error queue
 * makes poll() report POLLERR, which on Windows nothing does (a stamp is only polled for with
 * SIO_GET_TX_TIMESTAMP). So on a socket with transmit stamps on, the queue is sorted first; true
 * when an ICMP report waits (parked), which the look must count as the POLLERR it was.
 */
export function settleErrorQueue(sock: LinuxSocket): boolean {
  if (!transmitStampsOn(sock)) return false;
  collectTransmitStamps(sock);
  return hasParkedReports(sock);
}
