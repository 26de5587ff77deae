/**
 * Control data of WSARecvMsg / WSASendMsg (WSAMSG.Control): the WSA_CMSG_* macros of ws2def.h /
 * mswsock.h and the records they walk, in the Windows x64 layout.
 *
 * Layouts (extension-functions.md §2.2, measured with x86_64-w64-mingw32-gcc; the macros as the
 * mingw-w64 and Windows SDK headers define them):
 * - WSACMSGHDR, 16 bytes: `cmsg_len` SIZE_T (8 bytes) @0, `cmsg_level` INT @8, `cmsg_type` INT @12;
 *   the data starts at +16. `cmsg_len` counts the header and the data, unpadded; the next record
 *   starts at the next 8-byte boundary.
 * - WSA_CMSGHDR_ALIGN and WSA_CMSGDATA_ALIGN both round up to 8 on x64;
 *   WSA_CMSG_LEN(n) = 16 + n; WSA_CMSG_SPACE(n) = 16 + round8(n) (SPACE(4) = 24, LEN(4) = 20,
 *   SPACE(20) = 40, LEN(20) = 36).
 * - IN_PKTINFO, 8 bytes: `ipi_addr` IN_ADDR @0, `ipi_ifindex` ULONG @4. IN6_PKTINFO, 20 bytes:
 *   `ipi6_addr` IN6_ADDR @0, `ipi6_ifindex` ULONG @16. The INT records (IP_TTL, IP_TOS, IP_ECN,
 *   IPV6_HOPLIMIT, IPV6_TCLASS, IPV6_ECN) hold one little-endian INT.
 *
 * How the pointer macros read in JS: a record "pointer" is its byte offset in `msg.Control.buf`
 * (a number), NULL is `null`. So `WSA_CMSG_FIRSTHDR(msg)` gives 0 or null,
 * `WSA_CMSG_NXTHDR(msg, cmsg)` the next offset or null, and `WSA_CMSG_DATA(cmsg)` the offset of
 * the record's data (cmsg + 16), to read with the decoders here or a DataView:
 *
 * ```ts
 * for (let c = WSA_CMSG_FIRSTHDR(msg); c !== null; c = WSA_CMSG_NXTHDR(msg, c)) {
 *   const h = decodeWSACMSGHDR(msg.Control.buf!, c);
 *   if (h.cmsg_level === IPPROTO_IP && h.cmsg_type === IP_PKTINFO) decodeIN_PKTINFO(msg.Control.buf!, WSA_CMSG_DATA(c));
 * }
 * ```
 *
 * Where C would read outside memory or loop forever, these answer null instead: a Control.buf
 * that does not cover Control.len, and a `cmsg_len` under 16 (C's WSA_CMSG_NXTHDR would return
 * the same record again). Pure: no I/O (docs/principles.md, principle 7).
 */
import { decodeIPv4, decodeIPv6, encodeIPv4, encodeIPv6 } from './sockaddr.js';

/** Bytes of WSACMSGHDR, IN_PKTINFO and IN6_PKTINFO (Windows x64). @group Struct sizes */
export const WSACMSGHDR_SIZE = 16;
export const IN_PKTINFO_SIZE = 8;
export const IN6_PKTINFO_SIZE = 20;

/** The fields of one control record's header. @group Control messages (WSA_CMSG_*) */
export interface WSACMSGHDR {
  /** Header plus data, in bytes (unpadded). */
  cmsg_len: number;
  /** Protocol level: IPPROTO_IP (0), IPPROTO_IPV6 (41) ... */
  cmsg_level: number;
  /** Record type: IP_PKTINFO, IPV6_HOPLIMIT ... */
  cmsg_type: number;
}

/** IN_PKTINFO: the IPv4 address a datagram was sent to, and the interface it arrived on. @group Control messages (WSA_CMSG_*) */
export interface IN_PKTINFO {
  /** Dotted text. */
  ipi_addr: string;
  /** The interface's index (0 on a send: the routing table picks it). */
  ipi_ifindex: number;
}

/** IN6_PKTINFO: the IPv6 address a datagram was sent to, and the interface it arrived on. @group Control messages (WSA_CMSG_*) */
export interface IN6_PKTINFO {
  /** RFC 5952 text. */
  ipi6_addr: string;
  /** The interface's index (0 on a send: the routing table picks it). */
  ipi6_ifindex: number;
}

/** The part of a WSAMSG the WSA_CMSG_* helpers read: its Control WSABUF (any WSAMSG is one). @group Control messages (WSA_CMSG_*) */
export interface WithControl {
  /** The control-data buffer: `len` bytes of `buf` hold the records. */
  Control: {
    /** Bytes of records in `buf`. */
    len: number;
    /** The records. */
    buf: Uint8Array | null;
  };
}

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * `WSA_CMSGHDR_ALIGN(length)`: rounded up to WSACMSGHDR's alignment (8 on x64).
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSGHDR_ALIGN(length: number): number {
  return round8(length);
}

/**
 * `WSA_CMSGDATA_ALIGN(length)`: rounded up to the natural alignment (8 on x64).
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSGDATA_ALIGN(length: number): number {
  return round8(length);
}

/**
 * `WSA_CMSG_SPACE(length)`: the bytes a record with `length` bytes of data occupies, padding
 * included (what a control buffer needs per record).
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSG_SPACE(length: number): number {
  return WSA_CMSGDATA_ALIGN(WSACMSGHDR_SIZE + WSA_CMSGHDR_ALIGN(length));
}

/**
 * `WSA_CMSG_LEN(length)`: the `cmsg_len` of a record with `length` bytes of data.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSG_LEN(length: number): number {
  return WSA_CMSGDATA_ALIGN(WSACMSGHDR_SIZE) + length;
}

/**
 * `WSA_CMSG_DATA(cmsg)`: the offset of a record's data, given the record's offset.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSG_DATA(cmsg: number): number {
  return cmsg + WSA_CMSGDATA_ALIGN(WSACMSGHDR_SIZE);
}

/** msg.Control as a buffer of exactly Control.len bytes, or null (no control data, or not readable). */
function controlOf(msg: unknown): Uint8Array | null {
  try {
    if (msg === null || typeof msg !== 'object') return null;
    const control = (msg as WithControl).Control as unknown;
    if (control === null || typeof control !== 'object') return null;
    const { len, buf } = control as { len: unknown; buf: unknown };
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0) return null;
    if (!(buf instanceof Uint8Array) || buf.length < len) return null;
    return buf.subarray(0, len);
  } catch {
    return null;
  }
}

/**
 * `WSA_CMSG_FIRSTHDR(msg)`: 0 (the offset of the first record) when Control.len holds at least a
 * header, else null.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSG_FIRSTHDR(msg: WithControl): number | null {
  const control = controlOf(msg);
  return control !== null && control.length >= WSACMSGHDR_SIZE ? 0 : null;
}

/**
 * `WSA_CMSG_NXTHDR(msg, cmsg)`: the offset of the record after the one at `cmsg` (the first one
 * for `null`), or null when a whole header would not fit within Control.len.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function WSA_CMSG_NXTHDR(msg: WithControl, cmsg: number | null): number | null {
  if (cmsg === null || cmsg === undefined) return WSA_CMSG_FIRSTHDR(msg);
  const control = controlOf(msg);
  if (control === null || !Number.isInteger(cmsg) || cmsg < 0 || cmsg + WSACMSGHDR_SIZE > control.length) return null;
  const len = Number(new DataView(control.buffer, control.byteOffset + cmsg, WSACMSGHDR_SIZE).getBigUint64(0, true));
  if (len < WSACMSGHDR_SIZE) return null;
  const next = cmsg + WSA_CMSGHDR_ALIGN(len);
  return next + WSACMSGHDR_SIZE > control.length ? null : next;
}

/**
 * The header of the record at `offset` of `buf` (which must hold 16 bytes there).
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function decodeWSACMSGHDR(buf: Uint8Array, offset = 0): WSACMSGHDR {
  if (offset < 0 || offset + WSACMSGHDR_SIZE > buf.length) throw new RangeError('WSACMSGHDR needs 16 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset + offset, WSACMSGHDR_SIZE);
  return { cmsg_len: Number(view.getBigUint64(0, true)), cmsg_level: view.getInt32(8, true), cmsg_type: view.getInt32(12, true) };
}

/**
 * Write a record header at `offset` of `buf`.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function encodeWSACMSGHDR(buf: Uint8Array, offset: number, header: WSACMSGHDR): void {
  if (offset < 0 || offset + WSACMSGHDR_SIZE > buf.length) throw new RangeError('WSACMSGHDR needs 16 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset + offset, WSACMSGHDR_SIZE);
  view.setBigUint64(0, BigInt(header.cmsg_len), true);
  view.setInt32(8, header.cmsg_level, true);
  view.setInt32(12, header.cmsg_type, true);
}

/**
 * A whole record (header and data, padded to WSA_CMSG_SPACE): the bytes to put in a WSASendMsg
 * control buffer, one after another.
 *
 * @group Control messages (WSA_CMSG_*)
 */
export function encodeControlRecord(level: number, type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(WSA_CMSG_SPACE(data.length));
  encodeWSACMSGHDR(out, 0, { cmsg_len: WSA_CMSG_LEN(data.length), cmsg_level: level, cmsg_type: type });
  out.set(data, WSA_CMSG_DATA(0));
  return out;
}

/** The 4 bytes of an INT record's data. @group Control messages (WSA_CMSG_*) */
export function encodeControlInt(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value | 0, true);
  return out;
}

/** An INT record's value, its data at `offset` of `buf`. @group Control messages (WSA_CMSG_*) */
export function decodeControlInt(buf: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 4 > buf.length) throw new RangeError('an INT record needs 4 bytes of data');
  return new DataView(buf.buffer, buf.byteOffset + offset, 4).getInt32(0, true);
}

/** IN_PKTINFO at `offset` of `buf`. @group Control messages (WSA_CMSG_*) */
export function decodeIN_PKTINFO(buf: Uint8Array, offset = 0): IN_PKTINFO {
  if (offset < 0 || offset + IN_PKTINFO_SIZE > buf.length) throw new RangeError('IN_PKTINFO needs 8 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset + offset, IN_PKTINFO_SIZE);
  return { ipi_addr: decodeIPv4(buf.subarray(offset, offset + 4)), ipi_ifindex: view.getUint32(4, true) };
}

/** IN_PKTINFO's 8 bytes (the address as dotted text). @group Control messages (WSA_CMSG_*) */
export function encodeIN_PKTINFO(info: IN_PKTINFO): Uint8Array {
  const out = new Uint8Array(IN_PKTINFO_SIZE);
  out.set(encodeIPv4(info.ipi_addr), 0);
  new DataView(out.buffer).setUint32(4, info.ipi_ifindex >>> 0, true);
  return out;
}

/** IN6_PKTINFO at `offset` of `buf`. @group Control messages (WSA_CMSG_*) */
export function decodeIN6_PKTINFO(buf: Uint8Array, offset = 0): IN6_PKTINFO {
  if (offset < 0 || offset + IN6_PKTINFO_SIZE > buf.length) throw new RangeError('IN6_PKTINFO needs 20 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset + offset, IN6_PKTINFO_SIZE);
  return { ipi6_addr: decodeIPv6(buf.subarray(offset, offset + 16)), ipi6_ifindex: view.getUint32(16, true) };
}

/** IN6_PKTINFO's 20 bytes. @group Control messages (WSA_CMSG_*) */
export function encodeIN6_PKTINFO(info: IN6_PKTINFO): Uint8Array {
  const out = new Uint8Array(IN6_PKTINFO_SIZE);
  out.set(encodeIPv6(info.ipi6_addr), 0);
  new DataView(out.buffer).setUint32(16, info.ipi6_ifindex >>> 0, true);
  return out;
}
