/**
 * Windows x64 socket-address layouts: SOCKADDR_IN (16 bytes), SOCKADDR_IN6 (28 bytes) and
 * SOCKADDR_STORAGE (128 bytes). Family values are Windows': AF_INET = 2, AF_INET6 = 23.
 * Ports and addresses are in network byte order, the family in host (little-endian) order.
 *
 * The one definition of these sizes, of the Windows IP family numbers (`wsaioctl/winsock`
 * re-exports them) and of the IPv4-mapped IPv6 form (::ffff:a.b.c.d).
 */
import { isIPv4, isIPv6 } from './ip.js';

/** Windows address families (ws2def.h). The Linux backend's own numbers are in host/constants.ts. */
export const AF_INET = 2;
export const AF_INET6 = 23;

/** Bytes of SOCKADDR_IN, SOCKADDR_IN6 and SOCKADDR_STORAGE (Windows x64). @group Struct sizes */
export const SOCKADDR_IN_SIZE = 16;
export const SOCKADDR_IN6_SIZE = 28;
export const SOCKADDR_STORAGE_SIZE = 128;

/** A sockaddr read back by parseSockaddr. */
export interface SockaddrInfo {
  /** AF_INET (2) or AF_INET6 (23), Windows values. */
  family: number;
  /** Address text (IPv6 in RFC 5952 form). */
  address: string;
  /** Port, host order. */
  port: number;
  /** IPv6 only. */
  flowInfo?: number;
  /** IPv6 only. */
  scopeId?: number;
}

/**
 * A Windows sockaddr for `address` and `port`: SOCKADDR_IN for IPv4 text, SOCKADDR_IN6 for IPv6
 * text (an optional `%scope` suffix of digits fills sin6_scope_id).
 *
 * @group Struct codecs
 */
export function sockaddr(address: string, port: number, scopeId?: number): Buffer {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`port out of range: ${port}`);
  const percent = address.indexOf('%');
  const host = percent >= 0 ? address.slice(0, percent) : address;
  if (isIPv4(host) && percent < 0) {
    const buf = Buffer.alloc(SOCKADDR_IN_SIZE);
    buf.writeUInt16LE(AF_INET, 0);
    buf.writeUInt16BE(port, 2);
    encodeIPv4(host).forEach((b, i) => { buf[4 + i] = b; });
    return buf;
  }
  if (isIPv6(host)) {
    const buf = Buffer.alloc(SOCKADDR_IN6_SIZE);
    buf.writeUInt16LE(AF_INET6, 0);
    buf.writeUInt16BE(port, 2);
    encodeIPv6(host).forEach((b, i) => { buf[8 + i] = b; });
    const zone = address.slice(percent + 1);
    // A zone is the interface index in digits ('fe80::1%' or '%+1' are not addresses).
    if (percent >= 0 && scopeId === undefined && !/^\d{1,10}$/.test(zone)) throw new TypeError(`bad IPv6 zone in ${address}`);
    const scope = scopeId ?? (percent >= 0 ? Number(zone) : 0);
    if (!Number.isInteger(scope) || scope < 0 || scope > 0xffffffff) throw new RangeError(`bad IPv6 scope in ${address}`);
    buf.writeUInt32LE(scope, 24);
    return buf;
  }
  throw new TypeError(`not an IPv4 or IPv6 address: ${address}`);
}

/**
 * Decode a Windows SOCKADDR_IN / SOCKADDR_IN6 (or a SOCKADDR_STORAGE holding one).
 * Throws RangeError when the buffer is too short for its family or the family is unknown.
 *
 * @group Struct codecs
 */
export function parseSockaddr(buf: Uint8Array): SockaddrInfo {
  if (buf.length < 2) throw new RangeError('sockaddr shorter than its family field');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const family = view.getUint16(0, true);
  if (family === AF_INET) {
    if (buf.length < SOCKADDR_IN_SIZE) throw new RangeError('SOCKADDR_IN needs 16 bytes');
    return { family, port: view.getUint16(2, false), address: decodeIPv4(buf.subarray(4, 8)) };
  }
  if (family === AF_INET6) {
    if (buf.length < SOCKADDR_IN6_SIZE) throw new RangeError('SOCKADDR_IN6 needs 28 bytes');
    return {
      family,
      port: view.getUint16(2, false),
      flowInfo: view.getUint32(4, false),
      address: decodeIPv6(buf.subarray(8, 24)),
      scopeId: view.getUint32(24, true),
    };
  }
  throw new RangeError(`unknown address family ${family}`);
}

/** Size of the sockaddr for a Windows family, or 0 when the family is not an IP one. @group Struct codecs */
export function sockaddrSize(family: number): number {
  return family === AF_INET ? SOCKADDR_IN_SIZE : family === AF_INET6 ? SOCKADDR_IN6_SIZE : 0;
}

/** Whether 16 IPv6 address bytes are an IPv4-mapped address (::ffff:a.b.c.d, RFC 4291 2.5.5.2). @group Struct codecs */
export function isV4Mapped(a: Uint8Array): boolean {
  if (a.length < 16) return false;
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** The IPv4-mapped IPv6 address (16 bytes) of 4 IPv4 address bytes. @group Struct codecs */
export function mapIPv4(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4.subarray(0, 4), 12);
  return out;
}

/** Address text with an IPv4-mapped address shown as its IPv4 ('::ffff:192.0.2.1' -> '192.0.2.1'); other text as given. @group Struct codecs */
export function unmappedText(text: string): string {
  return text.startsWith('::ffff:') && isIPv4(text.slice(7)) ? text.slice(7) : text;
}

/** The 4 bytes of dotted IPv4 text (RangeError for text that is not one). @group Struct codecs */
export function encodeIPv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Dotted text of 4 IPv4 address bytes. @group Struct codecs */
export function decodeIPv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** 16 bytes of an IPv6 address (text may end in a dotted IPv4 part, as in ::ffff:192.0.2.1). @group Struct codecs */
export function encodeIPv6(text: string): Uint8Array {
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // Rewrite the dotted tail as two hex groups so one parser handles every form.
    const v4 = encodeIPv4(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const zeros = halves.length > 1 ? 8 - left.length - right.length : 0;
  const words = [...left, ...new Array<number>(Math.max(0, zeros)).fill(0), ...right];
  const out = new Uint8Array(16);
  words.slice(0, 8).forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/** RFC 5952 text of 16 IPv6 bytes (longest zero run compressed, v4-mapped shown dotted). @group Struct codecs */
export function decodeIPv6(bytes: Uint8Array): string {
  if (isV4Mapped(bytes)) return `::ffff:${decodeIPv4(bytes.subarray(12, 16))}`;
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
