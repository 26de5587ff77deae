/**
 * rtnetlink messages as bytes: building requests and reading replies / notifications. Pure
 * functions over Uint8Array (no socket, no koffi), so they can be tested on captured or
 * constructed messages and shared by the query client (`client.ts`) and a change-notification
 * socket (which reads the same RTM_NEWADDR / RTM_DELADDR / RTM_NEWROUTE / ... messages).
 *
 * Everything returned is a copy (callers may reuse the receive buffer at once), except inside
 * `forEachMessage`, whose payload views live only for the callback: the query client reads
 * thousands of attributes per dump and keeps a handful, so it copies only those.
 * Layouts (little-endian on every Linux this runs on):
 *   nlmsghdr   len u32, type u16, flags u16, seq u32, pid u32                          (16)
 *   ifinfomsg  family u8, pad u8, type u16, index i32, flags u32, change u32            (16)
 *   ifaddrmsg  family u8, prefixlen u8, flags u8, scope u8, index u32                   (8)
 *   rtmsg      family, dst_len, src_len, tos, table, protocol, scope, type (u8), flags u32 (12)
 *   rtattr     len u16, type u16, payload, padded to 4
 *   nlmsgerr   error i32 (0 = ACK, else -errno), then the request's nlmsghdr
 */
import {
  IFA, IFA_F, IFADDRMSG_SIZE, IFINFOMSG_SIZE, IFLA, NLM_F, NLMSG, NLMSGHDR_SIZE, RTA, RTATTR_HEADER, RTM, RTMSG_SIZE, RTEXT_FILTER,
} from './constants.js';
import { cString, readU16LE, readU32LE, writeU16LE, writeU32LE } from '../../../structs/bytes.js';
import { L } from '../host/constants.js';

export type IpVersion = 4 | 6;

const align4 = (n: number): number => (n + 3) & ~3;
const viewOf = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export const linuxFamilyOf = (version: IpVersion | 0): number =>
  version === 4 ? L.AF_INET : version === 6 ? L.AF_INET6 : L.AF_UNSPEC;
export const versionOfLinuxFamily = (family: number): IpVersion | 0 =>
  family === L.AF_INET ? 4 : family === L.AF_INET6 ? 6 : 0;

// ---------------------------------------------------------------------------------------------
// Framing

/** One netlink message: its header fields and its payload (the bytes after the 16-byte header). */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Uint8Array;
}

/**
 * Visit each message of a datagram (`data` up to `end`) in order; `visit` returns true to stop.
 * The payload is a view into `data`, valid only during the call (copy what is kept). Stops at the first malformed
 * header (length below 16 or past the end), as the kernel's NLMSG_OK does.
 */
export function forEachMessage(data: Uint8Array, visit: (m: NetlinkMessage) => boolean | void, end = data.length): void {
  let at = 0;
  while (at + NLMSGHDR_SIZE <= end) {
    const len = readU32LE(data, at);
    if (len < NLMSGHDR_SIZE || at + len > end) return;
    const stop = visit({
      type: readU16LE(data, at + 4),
      flags: readU16LE(data, at + 6),
      seq: readU32LE(data, at + 8),
      pid: readU32LE(data, at + 12),
      payload: data.subarray(at + NLMSGHDR_SIZE, at + len),
    });
    if (stop === true) return;
    at += align4(len);
  }
}

/** Split a datagram into messages whose payloads are copies (see `forEachMessage`). */
export function parseMessages(data: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  forEachMessage(data, (m) => {
    out.push({ ...m, payload: m.payload.slice() });
  });
  return out;
}

/**
 * Where `pickAttributes` found each wanted attribute's payload: its start in the message payload
 * (-1 when absent) and its length, by the attribute's index in `wanted`. Offsets, not views: a
 * view per attribute was most of what parsing a dump allocated. Shared; each parser reads it
 * before it picks again (parsing is synchronous).
 */
const attributeStart = new Int32Array(8);
const attributeLength = new Int32Array(8);

/**
 * Find the first attribute (rtattr) of each type in `wanted` (at most 8), from `offset` to the
 * end of `payload` (nested / byte-order flags stripped from the type): see attributeStart.
 */
function pickAttributes(payload: Uint8Array, offset: number, wanted: readonly number[]): void {
  attributeStart.fill(-1, 0, wanted.length);
  let at = offset;
  while (at + RTATTR_HEADER <= payload.length) {
    const len = readU16LE(payload, at);
    if (len < RTATTR_HEADER || at + len > payload.length) break;
    const i = wanted.indexOf(readU16LE(payload, at + 2) & 0x3fff);
    if (i >= 0 && attributeStart[i]! < 0) {
      attributeStart[i] = at + RTATTR_HEADER;
      attributeLength[i] = len - RTATTR_HEADER;
    }
    at += align4(len);
  }
}

/** Attributes (rtattr) from `offset` to the end of `payload`: type (nested flag stripped) -> payload copy. First one wins. */
export function parseAttributes(payload: Uint8Array, offset: number): Map<number, Uint8Array> {
  const attrs = new Map<number, Uint8Array>();
  let at = offset;
  while (at + RTATTR_HEADER <= payload.length) {
    const len = readU16LE(payload, at);
    if (len < RTATTR_HEADER || at + len > payload.length) break;
    const type = readU16LE(payload, at + 2) & 0x3fff;
    if (!attrs.has(type)) attrs.set(type, payload.slice(at + RTATTR_HEADER, at + len));
    at += align4(len);
  }
  return attrs;
}

/** Picked attribute `i` as a NUL-terminated string (interface name, address label); '' when absent. */
function stringAttribute(payload: Uint8Array, i: number): string {
  const start = attributeStart[i]!;
  return start < 0 ? '' : cString(payload, start, start + attributeLength[i]!);
}

/** Picked attribute `i` as a u32, or `fallback` when absent or short. */
function u32Attribute(payload: Uint8Array, i: number, fallback: number): number {
  const start = attributeStart[i]!;
  return start >= 0 && attributeLength[i]! >= 4 ? readU32LE(payload, start) : fallback;
}

/** A copy of picked attribute `i` when it is an address of exactly `size` bytes, else null. */
function addressAttribute(payload: Uint8Array, i: number, size: number): Uint8Array | null {
  const start = attributeStart[i]!;
  return start >= 0 && attributeLength[i] === size ? payload.slice(start, start + size) : null;
}

/** A request: nlmsghdr, the fixed body, then attributes. */
export function encodeMessage(type: number, flags: number, seq: number, body: Uint8Array, attrs: ReadonlyArray<[number, Uint8Array]> = []): Uint8Array {
  let size = NLMSGHDR_SIZE + align4(body.length);
  for (const [, value] of attrs) size += align4(RTATTR_HEADER + value.length);
  // Written byte by byte: a DataView would move this small array out of V8's heap (structs/bytes.ts).
  const out = new Uint8Array(size);
  writeU32LE(out, 0, size);
  writeU16LE(out, 4, type);
  writeU16LE(out, 6, flags);
  writeU32LE(out, 8, seq >>> 0);
  // pid (@12) 0: the kernel fills in our port id
  out.set(body, NLMSGHDR_SIZE);
  let at = NLMSGHDR_SIZE + align4(body.length);
  for (const [attrType, value] of attrs) {
    writeU16LE(out, at, RTATTR_HEADER + value.length);
    writeU16LE(out, at + 2, attrType);
    out.set(value, at + RTATTR_HEADER);
    at += align4(RTATTR_HEADER + value.length);
  }
  return out;
}

const u32le = (value: number): Uint8Array => {
  const b = new Uint8Array(4);
  viewOf(b).setUint32(0, value >>> 0, true);
  return b;
};

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * RTM_GETLINK dump: every interface. Statistics are left out (RTEXT_FILTER_SKIP_STATS): nothing
 * here reads them, and they are most of what the kernel would otherwise build and send.
 */
export function linkDumpRequest(seq: number): Uint8Array {
  const mask = new Uint8Array(4);
  new DataView(mask.buffer).setUint32(0, RTEXT_FILTER.SKIP_STATS, true);
  return encodeMessage(RTM.GETLINK, NLM_F.REQUEST | NLM_F.DUMP, seq, new Uint8Array(IFINFOMSG_SIZE), [[IFLA.EXT_MASK, mask]]);
}

/** RTM_GETADDR dump of one IP version (0: both). */
export function addressDumpRequest(seq: number, version: IpVersion | 0): Uint8Array {
  const body = new Uint8Array(IFADDRMSG_SIZE);
  body[0] = linuxFamilyOf(version);
  return encodeMessage(RTM.GETADDR, NLM_F.REQUEST | NLM_F.DUMP, seq, body);
}

/**
 * RTM_GETROUTE for one destination (4 or 16 bytes): the route the kernel would use to send there,
 * with its preferred source. `oif` (an interface index, e.g. an IPv6 zone) restricts the lookup to
 * that interface.
 */
export function routeGetRequest(seq: number, destination: Uint8Array, oif = 0): Uint8Array {
  const version: IpVersion = destination.length === 4 ? 4 : 6;
  const body = new Uint8Array(RTMSG_SIZE);
  body[0] = linuxFamilyOf(version);
  body[1] = version === 4 ? 32 : 128; // rtm_dst_len: a host lookup
  const attrs: Array<[number, Uint8Array]> = [[RTA.DST, destination.slice()]];
  if (oif > 0) attrs.push([RTA.OIF, u32le(oif)]);
  return encodeMessage(RTM.GETROUTE, NLM_F.REQUEST, seq, body, attrs);
}

/** RTM_GETROUTE dump of one IP version: every route of every table. */
export function routeDumpRequest(seq: number, version: IpVersion): Uint8Array {
  const body = new Uint8Array(RTMSG_SIZE);
  body[0] = linuxFamilyOf(version);
  return encodeMessage(RTM.GETROUTE, NLM_F.REQUEST | NLM_F.DUMP, seq, body);
}

// ---------------------------------------------------------------------------------------------
// Replies and notifications

/** NLMSG_ERROR: 0 for an acknowledgement, else the positive errno. */
export function parseError(message: NetlinkMessage): number {
  if (message.payload.length < 4) return 0;
  const error = viewOf(message.payload).getInt32(0, true);
  return error < 0 ? -error : error;
}

export interface LinkInfo {
  index: number;
  name: string;
  /** Linux IFF_* flags (ifi_flags). */
  flags: number;
  mtu: number;
  /** ARPHRD_* hardware type. */
  hardwareType: number;
}

const LINK_ATTRIBUTES = [IFLA.IFNAME, IFLA.MTU] as const;

/** RTM_NEWLINK / RTM_DELLINK body. Null when too short. */
export function parseLink(message: NetlinkMessage): LinkInfo | null {
  const p = message.payload;
  if (p.length < IFINFOMSG_SIZE) return null;
  pickAttributes(p, IFINFOMSG_SIZE, LINK_ATTRIBUTES);
  return {
    index: readU32LE(p, 4) | 0,
    name: stringAttribute(p, 0),
    flags: readU32LE(p, 8),
    mtu: u32Attribute(p, 1, 0),
    hardwareType: readU16LE(p, 2),
  };
}

export interface AddressInfo {
  version: IpVersion;
  /** Interface index. */
  index: number;
  /** The local address (IFA_LOCAL, else IFA_ADDRESS): 4 or 16 bytes. */
  address: Uint8Array;
  prefixLength: number;
  /** The peer's address on a point-to-point link (IFA_ADDRESS differing from IFA_LOCAL), else null. */
  peer: Uint8Array | null;
  /** IFA_BROADCAST, when the kernel has one. */
  broadcast: Uint8Array | null;
  /** RT_SCOPE_*: 0 global, 253 link, 254 host. */
  scope: number;
  /** IFA_F_* flags, 32 bits (IFA_FLAGS when present, else ifa_flags). */
  flags: number;
  label: string;
  tentative: boolean;
  dadFailed: boolean;
  deprecated: boolean;
}

const ADDRESS_ATTRIBUTES = [IFA.LOCAL, IFA.ADDRESS, IFA.FLAGS, IFA.LABEL, IFA.BROADCAST] as const;

/** RTM_NEWADDR / RTM_DELADDR body. Null when too short, of another family, or without an address. */
export function parseAddress(message: NetlinkMessage): AddressInfo | null {
  const p = message.payload;
  if (p.length < IFADDRMSG_SIZE) return null;
  const version = versionOfLinuxFamily(p[0]!);
  if (version === 0) return null;
  const size = version === 4 ? 4 : 16;
  pickAttributes(p, IFADDRMSG_SIZE, ADDRESS_ATTRIBUTES); // LOCAL, ADDRESS, FLAGS, LABEL, BROADCAST
  const local = addressAttribute(p, 0, size);
  const addr = addressAttribute(p, 1, size);
  const address = local ?? addr;
  if (!address) return null;
  const peer = local && addr && !sameBytes(local, addr) ? addr : null;
  const flags = u32Attribute(p, 2, p[2]!);
  return {
    version,
    index: readU32LE(p, 4),
    address,
    prefixLength: p[1]!,
    peer,
    broadcast: addressAttribute(p, 4, size),
    scope: p[3]!,
    flags,
    label: stringAttribute(p, 3),
    tentative: (flags & IFA_F.TENTATIVE) !== 0,
    dadFailed: (flags & IFA_F.DADFAILED) !== 0,
    deprecated: (flags & IFA_F.DEPRECATED) !== 0,
  };
}

export interface RouteInfo {
  version: IpVersion;
  /** RTN_* route type (1 unicast, 2 local, 3 broadcast, 5 multicast, 7 unreachable ...). */
  type: number;
  scope: number;
  table: number;
  dstLength: number;
  destination: Uint8Array | null;
  /** RTA_PREFSRC: the source address the kernel picked for this route / destination. */
  preferredSource: Uint8Array | null;
  gateway: Uint8Array | null;
  /** RTA_OIF: outgoing interface index (0 when absent). */
  outputInterface: number;
  /** RTM_F_* flags. */
  flags: number;
  /** RTA_PRIORITY: the route's metric (0 when absent). */
  priority: number;
}

const ROUTE_ATTRIBUTES = [RTA.OIF, RTA.TABLE, RTA.DST, RTA.PREFSRC, RTA.GATEWAY, RTA.PRIORITY] as const;

/** RTM_NEWROUTE / RTM_DELROUTE body (also the RTM_GETROUTE answer). Null when too short or of another family. */
export function parseRoute(message: NetlinkMessage): RouteInfo | null {
  const p = message.payload;
  if (p.length < RTMSG_SIZE) return null;
  const version = versionOfLinuxFamily(p[0]!);
  if (version === 0) return null;
  const size = version === 4 ? 4 : 16;
  pickAttributes(p, RTMSG_SIZE, ROUTE_ATTRIBUTES); // OIF, TABLE, DST, PREFSRC, GATEWAY, PRIORITY
  return {
    version,
    type: p[7]!,
    scope: p[6]!,
    table: u32Attribute(p, 1, p[4]!),
    dstLength: p[1]!,
    destination: addressAttribute(p, 2, size),
    preferredSource: addressAttribute(p, 3, size),
    gateway: addressAttribute(p, 4, size),
    outputInterface: u32Attribute(p, 0, 0),
    flags: readU32LE(p, 8),
    priority: u32Attribute(p, 5, 0),
  };
}

/**
 * One message, decoded by kind: what a change-notification reader switches on. `removed` is true
 * for RTM_DEL*; `error` carries the positive errno (0 = ACK).
 */
export type DecodedMessage =
  | { kind: 'link'; removed: boolean; link: LinkInfo }
  | { kind: 'address'; removed: boolean; address: AddressInfo }
  | { kind: 'route'; removed: boolean; route: RouteInfo }
  | { kind: 'done' }
  | { kind: 'error'; errno: number }
  | { kind: 'overrun' }
  | { kind: 'other'; type: number };

export function decodeMessage(message: NetlinkMessage): DecodedMessage {
  switch (message.type) {
    case NLMSG.DONE: return { kind: 'done' };
    case NLMSG.ERROR: return { kind: 'error', errno: parseError(message) };
    case NLMSG.OVERRUN: return { kind: 'overrun' };
    case RTM.NEWLINK:
    case RTM.DELLINK: {
      const link = parseLink(message);
      return link ? { kind: 'link', removed: message.type === RTM.DELLINK, link } : { kind: 'other', type: message.type };
    }
    case RTM.NEWADDR:
    case RTM.DELADDR: {
      const address = parseAddress(message);
      return address ? { kind: 'address', removed: message.type === RTM.DELADDR, address } : { kind: 'other', type: message.type };
    }
    case RTM.NEWROUTE:
    case RTM.DELROUTE: {
      const route = parseRoute(message);
      return route ? { kind: 'route', removed: message.type === RTM.DELROUTE, route } : { kind: 'other', type: message.type };
    }
    default: return { kind: 'other', type: message.type };
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers the handlers share

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The netmask bytes (4 or 16) of a prefix length. */
export function prefixMask(version: IpVersion, prefixLength: number): Uint8Array {
  const out = new Uint8Array(version === 4 ? 4 : 16);
  let bits = Math.max(0, Math.min(prefixLength, out.length * 8));
  for (let i = 0; i < out.length && bits > 0; i++, bits -= 8) out[i] = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
  return out;
}
