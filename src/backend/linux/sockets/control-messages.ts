/**
 * Control records (WSAMSG.Control) between Windows and Linux: which socket options ask for which
 * record, Linux's received cmsgs rewritten as Windows' records, and the records of a WSASendMsg
 * rewritten as Linux cmsgs. No Linux level, type or layout ever reaches the caller
 * (docs/principles.md, principle 1).
 *
 * Windows facts (extension-functions.md §1.3, §10, §16.5; Wine dlls/ws2_32/tests/sock.c
 * test_ipv4_cmsg, test_ipv6_cmsg, test_ip_pktinfo; ws2ipdef.h for the option numbers):
 * - enabling option -> record (level, type, data):
 *   IP_PKTINFO 19 -> (IPPROTO_IP, IP_PKTINFO 19, IN_PKTINFO 8 bytes: ipi_addr = the address the
 *   datagram was sent to, ipi_ifindex); IP_RECVTTL 21 -> (IPPROTO_IP, IP_TTL 4, INT);
 *   IP_RECVTOS 40 -> (IPPROTO_IP, IP_TOS 3, INT); IP_ECN 50 -> (IPPROTO_IP, IP_ECN 50, INT);
 *   IPV6_PKTINFO 19 -> (IPPROTO_IPV6, IPV6_PKTINFO 19, IN6_PKTINFO 20 bytes);
 *   IPV6_HOPLIMIT 21 -> (IPPROTO_IPV6, IPV6_HOPLIMIT 21, INT); IPV6_RECVTCLASS 40 ->
 *   (IPPROTO_IPV6, IPV6_TCLASS 39, INT); IPV6_ECN 50 -> (IPPROTO_IPV6, IPV6_ECN 50, INT);
 *   records in the Windows x64 layout (structs/wsacmsg.ts): 16-byte header, 8-byte alignment.
 * - the options are datagram / raw ones: on a TCP socket get/setsockopt fail with WSAEINVAL
 *   (test_sockopt_validity; sockopts.ts's type rule).
 * Linux (ip(7), ipv6(7)): IP_PKTINFO 8 -> in_pktinfo (ifindex, spec_dst, addr: 12 bytes),
 * IP_RECVTTL 12 -> IP_TTL 2 (int), IP_RECVTOS 13 -> IP_TOS 1 (one byte), IPV6_RECVPKTINFO 49 ->
 * IPV6_PKTINFO 50 (20 bytes, Windows' layout), IPV6_RECVHOPLIMIT 51 -> IPV6_HOPLIMIT 52 (int),
 * IPV6_RECVTCLASS 66 -> IPV6_TCLASS 67 (int). Linux has no ECN option: the ECN codepoint is the
 * low two bits of the TOS / traffic-class byte, so IP_ECN / IPV6_ECN ask the kernel for that.
 * Timestamping (timestamping.ts; Microsoft's "Winsock timestamping" page): a received datagram's
 * SCM_TIMESTAMPING (SOL_SOCKET 37, ts[0]) becomes an SO_TIMESTAMP record (SOL_SOCKET, 0x300A, a
 * UINT64 in QPC units); a sent SO_TIMESTAMP_ID record (SOL_SOCKET, 0x300B, a UINT32) becomes an
 * SO_TIMESTAMPING cmsg asking for the datagram's transmit stamp, on a socket with transmit stamps on.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import { WSA_CMSG_LEN, WSA_CMSG_SPACE, WSACMSGHDR_SIZE, encodeWSACMSGHDR, IN_PKTINFO_SIZE, IN6_PKTINFO_SIZE } from '../../../structs/wsacmsg.js';
import { L } from '../host/libc.js';
import { kernelInt } from '../host/socket-facts.js';
import type { LinuxControl } from '../host/msghdr.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { qpcOfRealtime } from '../host/qpc.js';
import { tagTransmitStamp, transmitStampCmsg, transmitStampsOn } from './timestamping.js';

/** The records a socket asked for (LinuxSocket.controlRecords bits). */
export const RECORD = {
  IP_PKTINFO: 1, IP_TTL: 2, IP_TOS: 4, IP_ECN: 8,
  IPV6_PKTINFO: 16, IPV6_HOPLIMIT: 32, IPV6_TCLASS: 64, IPV6_ECN: 128,
  /** SIO_TIMESTAMPING with TIMESTAMPING_FLAG_RX (timestamping.ts). */
  SO_TIMESTAMP: 256,
} as const;

/** An enabling option: the record it asks for, and the Linux option that makes the kernel report it. */
export interface ControlOption {
  readonly record: number;
  readonly linuxLevel: number;
  readonly linuxName: number;
  /** Every record that needs this same Linux option (it stays on while any of them is asked for). */
  readonly sharedBy: number;
}

const TOS_RECORDS = RECORD.IP_TOS | RECORD.IP_ECN;
const TCLASS_RECORDS = RECORD.IPV6_TCLASS | RECORD.IPV6_ECN;

const OPTIONS = new Map<string, ControlOption>([
  [`${C.IPPROTO_IP}:${C.IP_PKTINFO}`, { record: RECORD.IP_PKTINFO, linuxLevel: L.IPPROTO_IP, linuxName: L.IP_PKTINFO, sharedBy: RECORD.IP_PKTINFO }],
  [`${C.IPPROTO_IP}:${C.IP_RECVTTL}`, { record: RECORD.IP_TTL, linuxLevel: L.IPPROTO_IP, linuxName: L.IP_RECVTTL, sharedBy: RECORD.IP_TTL }],
  [`${C.IPPROTO_IP}:${C.IP_RECVTOS}`, { record: RECORD.IP_TOS, linuxLevel: L.IPPROTO_IP, linuxName: L.IP_RECVTOS, sharedBy: TOS_RECORDS }],
  [`${C.IPPROTO_IP}:${C.IP_ECN}`, { record: RECORD.IP_ECN, linuxLevel: L.IPPROTO_IP, linuxName: L.IP_RECVTOS, sharedBy: TOS_RECORDS }],
  [`${C.IPPROTO_IPV6}:${C.IPV6_PKTINFO}`, { record: RECORD.IPV6_PKTINFO, linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_RECVPKTINFO, sharedBy: RECORD.IPV6_PKTINFO }],
  [`${C.IPPROTO_IPV6}:${C.IPV6_HOPLIMIT}`, { record: RECORD.IPV6_HOPLIMIT, linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_RECVHOPLIMIT, sharedBy: RECORD.IPV6_HOPLIMIT }],
  [`${C.IPPROTO_IPV6}:${C.IPV6_RECVTCLASS}`, { record: RECORD.IPV6_TCLASS, linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_RECVTCLASS, sharedBy: TCLASS_RECORDS }],
  [`${C.IPPROTO_IPV6}:${C.IPV6_ECN}`, { record: RECORD.IPV6_ECN, linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_RECVTCLASS, sharedBy: TCLASS_RECORDS }],
]);

/** The enabling option at (Windows level, name), if it is one. */
export function controlOption(level: number, optname: number): ControlOption | undefined {
  return OPTIONS.get(`${level >>> 0}:${optname | 0}`);
}

// ---- received: Linux cmsgs -> Windows records ----------------------------------------------------

/** One Windows record to write: level, type, and its data. */
interface Record_ {
  level: number;
  type: number;
  data: Uint8Array;
}

const intData = (value: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value | 0, true);
  return out;
};

/** The Windows records the socket asked for, from the Linux cmsgs received (in their order). */
function windowsRecords(wanted: number, linux: LinuxControl): Record_[] {
  const out: Record_[] = [];
  const bytes = linux.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, linux.length);
  // Linux cmsghdr on x86_64: size_t len, int level, int type, data at +16, records 8-aligned.
  for (let at = 0, n = 0; at + 16 <= linux.length && n < 32; n++) {
    const len = Number(view.getBigUint64(at, true));
    if (len < 16 || at + len > linux.length) break;
    const level = view.getInt32(at + 8, true);
    const type = view.getInt32(at + 12, true);
    const data = bytes.subarray(at + 16, at + len);
    const dv = new DataView(data.buffer, data.byteOffset, data.length);
    if (level === L.IPPROTO_IP) {
      if (type === L.IP_PKTINFO && data.length >= 12 && wanted & RECORD.IP_PKTINFO) {
        // in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr } -> IN_PKTINFO { ipi_addr; ipi_ifindex }
        const info = new Uint8Array(IN_PKTINFO_SIZE);
        info.set(data.subarray(8, 12), 0);
        new DataView(info.buffer).setUint32(4, dv.getInt32(0, true) >>> 0, true);
        out.push({ level: C.IPPROTO_IP, type: C.IP_PKTINFO, data: info });
      } else if (type === L.IP_TTL && data.length >= 4 && wanted & RECORD.IP_TTL) {
        out.push({ level: C.IPPROTO_IP, type: C.IP_TTL, data: intData(dv.getInt32(0, true)) });
      } else if (type === L.IP_TOS && data.length >= 1) {
        // Linux gives the TOS byte alone; Windows an INT (Wine's translation widens it the same way).
        const tos = data[0]!;
        if (wanted & RECORD.IP_TOS) out.push({ level: C.IPPROTO_IP, type: C.IP_TOS, data: intData(tos) });
        if (wanted & RECORD.IP_ECN) out.push({ level: C.IPPROTO_IP, type: C.IP_ECN, data: intData(tos & 3) });
      }
    } else if (level === L.SOL_SOCKET) {
      // struct scm_timestamping { struct timespec ts[3]; }: ts[0] the software stamp (zero: none).
      if (type === L.SO_TIMESTAMPING && data.length >= 16 && wanted & RECORD.SO_TIMESTAMP) {
        const seconds = dv.getBigInt64(0, true);
        const nanoseconds = dv.getBigInt64(8, true);
        if (seconds !== 0n || nanoseconds !== 0n) {
          const stamp = new Uint8Array(8);
          new DataView(stamp.buffer).setBigUint64(0, qpcOfRealtime(seconds, nanoseconds), true);
          out.push({ level: C.SOL_SOCKET, type: C.SO_TIMESTAMP, data: stamp });
        }
      }
    } else if (level === L.IPPROTO_IPV6) {
      if (type === L.IPV6_PKTINFO && data.length >= IN6_PKTINFO_SIZE && wanted & RECORD.IPV6_PKTINFO) {
        out.push({ level: C.IPPROTO_IPV6, type: C.IPV6_PKTINFO, data: data.slice(0, IN6_PKTINFO_SIZE) });
      } else if (type === L.IPV6_HOPLIMIT && data.length >= 4 && wanted & RECORD.IPV6_HOPLIMIT) {
        out.push({ level: C.IPPROTO_IPV6, type: C.IPV6_HOPLIMIT, data: intData(dv.getInt32(0, true)) });
      } else if (type === L.IPV6_TCLASS && data.length >= 4) {
        const tclass = dv.getInt32(0, true);
        if (wanted & RECORD.IPV6_TCLASS) out.push({ level: C.IPPROTO_IPV6, type: C.IPV6_TCLASS, data: intData(tclass) });
        if (wanted & RECORD.IPV6_ECN) out.push({ level: C.IPPROTO_IPV6, type: C.IPV6_ECN, data: intData(tclass & 3) });
      }
    }
    at += (len + 7) & ~7;
  }
  return out;
}

/**
 * Write the Windows records for what was received into `out` (the caller's Control.buf cut to
 * Control.len): the bytes written, or `truncated` when they do not all fit (or Linux itself cut
 * its control data). A truncated answer writes nothing and reports 0 bytes, as Wine does
 * (MSG_CTRUNC, Control.len 0; extension-functions.md §16.5).
 */
export function writeWindowsControl(sock: LinuxSocket, linux: LinuxControl, out: Uint8Array): { length: number; truncated: boolean } {
  const records = windowsRecords(sock.controlRecords, linux);
  let need = 0;
  for (const r of records) need += WSA_CMSG_SPACE(r.data.length);
  // Every record counts padded, the last one too (Wine's fill_control_message: 40 bytes for one
  // IN6_PKTINFO record, 24 for one IN_PKTINFO).
  if (need > out.length || (linux.flags & L.MSG_CTRUNC) !== 0) return { length: 0, truncated: true };
  out.fill(0, 0, need);
  let at = 0;
  for (const r of records) {
    encodeWSACMSGHDR(out, at, { cmsg_len: WSA_CMSG_LEN(r.data.length), cmsg_level: r.level, cmsg_type: r.type });
    out.set(r.data, at + WSACMSGHDR_SIZE);
    at += WSA_CMSG_SPACE(r.data.length);
  }
  return { length: at, truncated: false };
}

// ---- sent: Windows records -> Linux cmsgs ---------------------------------------------------------

/**
 * The Linux cmsgs for the records of a WSASendMsg (`control`: Control.buf cut to Control.len), or
 * a Winsock error: IN_PKTINFO / IN6_PKTINFO select the source address and interface (Linux's
 * in_pktinfo takes the source in ipi_spec_dst), IP_TOS / IP_ECN / IPV6_TCLASS / IPV6_ECN the TOS /
 * traffic class (ECN: the socket's own TOS with the ECN bits replaced), IP_TTL / IPV6_HOPLIMIT the
 * TTL; SO_TIMESTAMP_ID asks for the datagram's transmit stamp when transmit stamps are on (else it
 * is skipped). A record that runs past Control.len, or one this socket's family cannot carry, is
 * WSAEINVAL; records of other types are skipped.
 */
export function linuxControlFor(sock: LinuxSocket, control: Uint8Array): Uint8Array | number {
  const parts: Uint8Array[] = [];
  let stampId: number | null = null;
  const view = new DataView(control.buffer, control.byteOffset, control.length);
  for (let at = 0, n = 0; at + WSACMSGHDR_SIZE <= control.length; n++) {
    if (n >= 32) return W.WSAEINVAL;
    const len = Number(view.getBigUint64(at, true));
    if (len < WSACMSGHDR_SIZE || at + len > control.length) return W.WSAEINVAL;
    const level = view.getInt32(at + 8, true);
    const type = view.getInt32(at + 12, true);
    const data = control.subarray(at + WSACMSGHDR_SIZE, at + len);
    const dv = new DataView(data.buffer, data.byteOffset, data.length);
    const int = (): number | null => (data.length >= 4 ? dv.getInt32(0, true) : null);
    const ipv4 = sock.af === C.AF_INET;
    // IPv4 records also go on an IPv6 socket (dual stack, IPv4-mapped destinations); IPv6 ones not on IPv4.
    if (level === C.IPPROTO_IP && type === C.IP_PKTINFO) {
      if (data.length < IN_PKTINFO_SIZE) return W.WSAEINVAL;
      const info = new Uint8Array(12);
      const iv = new DataView(info.buffer);
      iv.setInt32(0, dv.getUint32(4, true) | 0, true);
      info.set(data.subarray(0, 4), 4); // ipi_spec_dst: the source address
      parts.push(linuxCmsg(L.IPPROTO_IP, L.IP_PKTINFO, info));
    } else if (level === C.IPPROTO_IPV6 && type === C.IPV6_PKTINFO) {
      if (ipv4 || data.length < IN6_PKTINFO_SIZE) return W.WSAEINVAL;
      parts.push(linuxCmsg(L.IPPROTO_IPV6, L.IPV6_PKTINFO, data.slice(0, IN6_PKTINFO_SIZE)));
    } else if (level === C.IPPROTO_IP && (type === C.IP_TOS || type === C.IP_ECN || type === C.IP_TTL)) {
      const value = int();
      if (value === null) return W.WSAEINVAL;
      if (type === C.IP_TTL) parts.push(linuxCmsg(L.IPPROTO_IP, L.IP_TTL, intData(value)));
      else parts.push(linuxCmsg(L.IPPROTO_IP, L.IP_TOS, Uint8Array.of(type === C.IP_ECN ? withEcn(sock, value, true) : value & 0xff)));
    } else if (level === C.IPPROTO_IPV6 && (type === C.IPV6_TCLASS || type === C.IPV6_ECN || type === C.IPV6_HOPLIMIT)) {
      const value = int();
      if (ipv4 || value === null) return W.WSAEINVAL;
      if (type === C.IPV6_HOPLIMIT) parts.push(linuxCmsg(L.IPPROTO_IPV6, L.IPV6_HOPLIMIT, intData(value)));
      else parts.push(linuxCmsg(L.IPPROTO_IPV6, L.IPV6_TCLASS, intData(type === C.IPV6_ECN ? withEcn(sock, value, false) : value)));
    } else if (level === C.SOL_SOCKET && type === C.SO_TIMESTAMP_ID) {
      if (data.length < 4) return W.WSAEINVAL;
      if (transmitStampsOn(sock) && stampId === null) {
        stampId = dv.getUint32(0, true);
        parts.push(transmitStampCmsg());
      }
    }
    at += (len + 7) & ~7;
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  // The send that carries it tells timestamping.ts (sockets.ts sendAttempt: noteSent).
  if (stampId !== null) tagTransmitStamp(out, stampId);
  return out;
}

/** The socket's TOS / traffic class with its ECN bits replaced by `ecn`. */
function withEcn(sock: LinuxSocket, ecn: number, ipv4Record: boolean): number {
  const current = ipv4Record ? kernelInt(sock.fd, L.IPPROTO_IP, L.IP_TOS) : kernelInt(sock.fd, L.IPPROTO_IPV6, L.IPV6_TCLASS);
  return ((current ?? 0) & 0xfc) | (ecn & 3);
}

/** One Linux cmsghdr with its data, padded to 8 bytes. */
function linuxCmsg(level: number, type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + ((data.length + 7) & ~7));
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(16 + data.length), true);
  view.setInt32(8, level, true);
  view.setInt32(12, type, true);
  out.set(data, 16);
  return out;
}
