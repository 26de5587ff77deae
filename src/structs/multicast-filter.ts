/**
 * The full-state multicast source filters of RFC 3678 in their Windows x64 layouts (ws2ipdef.h):
 * `ip_msfilter` (IPv4 only: SIO_GET_MULTICAST_FILTER / SIO_SET_MULTICAST_FILTER, alias
 * SIOCGIPMSFILTER / SIOCSIPMSFILTER) and `GROUP_FILTER` (IPv4 or IPv6: SIOCGMSFILTER /
 * SIOCSMSFILTER).
 *
 * - ip_msfilter: imsf_multiaddr @0, imsf_interface @4 (a local IPv4 address, or an interface
 *   index written as 0.x.x.x; 0.0.0.0 = the default interface), imsf_fmode @8, imsf_numsrc @12,
 *   imsf_slist @16, 4 bytes a source: IP_MSFILTER_SIZE(n) = 16 + 4n (Microsoft, IP_MSFILTER
 *   structure page).
 * - GROUP_FILTER: gf_interface @0 (an interface index), 4 bytes of padding, gf_group @8
 *   (SOCKADDR_STORAGE), gf_fmode @136, gf_numsrc @140, gf_slist @144, 128 bytes a source:
 *   GROUP_FILTER_SIZE(n) = 144 + 128n (measured with x86_64-w64-mingw32 offsetof; shared spec
 *   remaining-codes.md §2.1).
 *
 * The filter mode is Windows' MULTICAST_MODE_TYPE: MCAST_INCLUDE = 0, MCAST_EXCLUDE = 1 (the
 * opposite of Linux's numbering, which the Linux backend translates).
 */
import { readU32LE, writeU32LE } from './bytes.js';
import { SOCKADDR_STORAGE_SIZE } from './sockaddr.js';

/** MULTICAST_MODE_TYPE (ws2ipdef.h): the listed sources are the only ones received. @group Multicast filters */
export const MCAST_INCLUDE = 0;
/** MULTICAST_MODE_TYPE (ws2ipdef.h): every source but the listed ones is received. @group Multicast filters */
export const MCAST_EXCLUDE = 1;

/** Bytes of an ip_msfilter before its source list. @group Struct sizes */
export const IP_MSFILTER_HEADER_SIZE = 16;
/** Bytes of a GROUP_FILTER before its source list. @group Struct sizes */
export const GROUP_FILTER_HEADER_SIZE = 144;

/** IP_MSFILTER_SIZE(n) of ws2ipdef.h: an ip_msfilter with room for `numsrc` sources. @group Struct codecs */
export const ipMsfilterSize = (numsrc: number): number => IP_MSFILTER_HEADER_SIZE + 4 * numsrc;
/** GROUP_FILTER_SIZE(n) of ws2ipdef.h: a GROUP_FILTER with room for `numsrc` sources. @group Struct codecs */
export const groupFilterSize = (numsrc: number): number => GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * numsrc;

/** An ip_msfilter's fields; addresses as their 4 network-order bytes. */
export interface IpMsfilter {
  /** The IPv4 group. */
  multiaddr: Uint8Array;
  /** A local IPv4 address, or 0.x.x.x for an interface index (0.0.0.0: the default interface). */
  interface: Uint8Array;
  /** MCAST_INCLUDE (0) or MCAST_EXCLUDE (1). */
  fmode: number;
  /** imsf_numsrc: on input to a get, the room in the list; on output, how many sources the filter has. */
  numsrc: number;
  /** The sources held in the buffer (at most numsrc of them). */
  sources: Uint8Array[];
}

/** A GROUP_FILTER's fields; the group and the sources as Windows sockaddrs (SOCKADDR_IN / SOCKADDR_IN6 bytes). */
export interface GroupFilter {
  /** gf_interface: the interface index (0: the default interface). */
  interfaceIndex: number;
  /** gf_group: the group's SOCKADDR_STORAGE (128 bytes). */
  group: Uint8Array;
  /** MCAST_INCLUDE (0) or MCAST_EXCLUDE (1). */
  fmode: number;
  /** gf_numsrc: on input to a get, the room in the list; on output, how many sources the filter has. */
  numsrc: number;
  /** The sources held in the buffer, each its 128-byte SOCKADDR_STORAGE. */
  sources: Uint8Array[];
}

/**
 * An ip_msfilter with `sources` in its list (numsrc = the list's length unless given: a get's
 * input says its room in numsrc and carries no sources).
 *
 * @group Struct codecs
 */
export function encodeIpMsfilter(value: { multiaddr: Uint8Array; interface?: Uint8Array; fmode?: number; numsrc?: number; sources?: readonly Uint8Array[] }): Buffer {
  const sources = value.sources ?? [];
  const numsrc = value.numsrc ?? sources.length;
  const buf = Buffer.alloc(ipMsfilterSize(Math.max(numsrc, sources.length)));
  buf.set(value.multiaddr.subarray(0, 4), 0);
  if (value.interface) buf.set(value.interface.subarray(0, 4), 4);
  writeU32LE(buf, 8, value.fmode ?? MCAST_INCLUDE);
  writeU32LE(buf, 12, numsrc);
  sources.forEach((s, i) => buf.set(s.subarray(0, 4), IP_MSFILTER_HEADER_SIZE + 4 * i));
  return buf;
}

/**
 * An ip_msfilter read from `buf`: the sources are those both counted by numsrc and inside the
 * first `length` bytes (default: the whole buffer). RangeError when shorter than the header.
 *
 * @group Struct codecs
 */
export function decodeIpMsfilter(buf: Uint8Array, length = buf.length): IpMsfilter {
  if (length < IP_MSFILTER_HEADER_SIZE || buf.length < length) throw new RangeError('ip_msfilter needs 16 bytes');
  const numsrc = readU32LE(buf, 12);
  const held = Math.min(numsrc, Math.floor((length - IP_MSFILTER_HEADER_SIZE) / 4));
  const sources: Uint8Array[] = [];
  for (let i = 0; i < held; i++) sources.push(buf.slice(IP_MSFILTER_HEADER_SIZE + 4 * i, IP_MSFILTER_HEADER_SIZE + 4 * i + 4));
  return { multiaddr: buf.slice(0, 4), interface: buf.slice(4, 8), fmode: readU32LE(buf, 8), numsrc, sources };
}

/**
 * A GROUP_FILTER with `sources` (Windows sockaddrs) in its list; numsrc as for encodeIpMsfilter.
 *
 * @group Struct codecs
 */
export function encodeGroupFilter(value: { interfaceIndex?: number; group: Uint8Array; fmode?: number; numsrc?: number; sources?: readonly Uint8Array[] }): Buffer {
  const sources = value.sources ?? [];
  const numsrc = value.numsrc ?? sources.length;
  const buf = Buffer.alloc(groupFilterSize(Math.max(numsrc, sources.length)));
  writeU32LE(buf, 0, value.interfaceIndex ?? 0);
  buf.set(value.group.subarray(0, SOCKADDR_STORAGE_SIZE), 8);
  writeU32LE(buf, 136, value.fmode ?? MCAST_INCLUDE);
  writeU32LE(buf, 140, numsrc);
  sources.forEach((s, i) => buf.set(s.subarray(0, SOCKADDR_STORAGE_SIZE), GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i));
  return buf;
}

/**
 * A GROUP_FILTER read from `buf` (the sources counted by numsrc and inside the first `length`
 * bytes, each its 128-byte SOCKADDR_STORAGE). RangeError when shorter than the header.
 *
 * @group Struct codecs
 */
export function decodeGroupFilter(buf: Uint8Array, length = buf.length): GroupFilter {
  if (length < GROUP_FILTER_HEADER_SIZE || buf.length < length) throw new RangeError('GROUP_FILTER needs 144 bytes');
  const numsrc = readU32LE(buf, 140);
  const held = Math.min(numsrc, Math.floor((length - GROUP_FILTER_HEADER_SIZE) / SOCKADDR_STORAGE_SIZE));
  const sources: Uint8Array[] = [];
  for (let i = 0; i < held; i++) {
    const at = GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i;
    sources.push(buf.slice(at, at + SOCKADDR_STORAGE_SIZE));
  }
  return { interfaceIndex: readU32LE(buf, 0), group: buf.slice(8, 8 + SOCKADDR_STORAGE_SIZE), fmode: readU32LE(buf, 136), numsrc, sources };
}
