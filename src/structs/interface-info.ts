/**
 * INTERFACE_INFO (ws2ipdef.h), the record SIO_GET_INTERFACE_LIST returns, 76 bytes on x64 (align 4,
 * no tail padding, so an array has a stride of 76):
 *
 *   0   u_long        iiFlags             IFF_UP 0x1, IFF_BROADCAST 0x2, IFF_LOOPBACK 0x4,
 *                                         IFF_POINTTOPOINT 0x8, IFF_MULTICAST 0x10
 *   4   sockaddr_gen  iiAddress           24 bytes, holding a SOCKADDR_IN (family 2)
 *   28  sockaddr_gen  iiBroadcastAddress  (the peer's address on a point-to-point link)
 *   52  sockaddr_gen  iiNetmask
 *
 * sockaddr_gen is a 24-byte union (SOCKADDR, SOCKADDR_IN, sockaddr_in6_old); only IPv4 is ever
 * reported, so each slot is a SOCKADDR_IN (family, port 0, address) followed by zeros. A slot with
 * no address (no broadcast address) is all zero, family included.
 */
import { AF_INET, decodeIPv4, encodeIPv4 } from './sockaddr.js';

/** Bytes of INTERFACE_INFO and of one sockaddr_gen slot (x64). @group Struct sizes */
export const INTERFACE_INFO_SIZE = 76;
export const SOCKADDR_GEN_SIZE = 24;

/**
 * Interface flags of INTERFACE_INFO.iiFlags (ws2ipdef.h); `wsaioctl/winsock` re-exports them.
 *
 * @group Interface flags (IFF_*)
 */
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x4;
export const IFF_POINTTOPOINT = 0x8;
export const IFF_MULTICAST = 0x10;

const ADDRESS_AT = 4;
const BROADCAST_AT = 28;
const NETMASK_AT = 52;

/** One INTERFACE_INFO record, decoded. */
export interface InterfaceInfoRecord {
  /** iiFlags (IFF_*). */
  flags: number;
  /** IPv4 address text. */
  address: string;
  /** Broadcast address (or a point-to-point peer); null: the slot is all zero. */
  broadcast: string | null;
  /** iiNetmask as IPv4 text. */
  netmask: string;
}

/** One slot: SOCKADDR_IN with `address`, or all zero for null. */
function writeSlot(out: Uint8Array, at: number, address: string | Uint8Array | null): void {
  out.fill(0, at, at + SOCKADDR_GEN_SIZE);
  if (address === null) return;
  const bytes = typeof address === 'string' ? encodeIPv4(address) : address;
  if (bytes.length !== 4) throw new RangeError('INTERFACE_INFO holds IPv4 addresses only');
  out[at] = AF_INET & 0xff;
  out[at + 1] = AF_INET >> 8;
  out.set(bytes, at + 4);
}

/**
 * Write one INTERFACE_INFO at `offset` of `out` (which must hold 76 bytes from there). Addresses
 * are IPv4 text or 4 bytes (network order).
 *
 * @group Struct codecs
 */
export function encodeInterfaceInfo(
  record: { flags: number; address: string | Uint8Array; broadcast: string | Uint8Array | null; netmask: string | Uint8Array },
  out: Uint8Array,
  offset = 0,
): number {
  if (offset < 0 || offset + INTERFACE_INFO_SIZE > out.length) throw new RangeError(`INTERFACE_INFO needs ${INTERFACE_INFO_SIZE} bytes at ${offset}`);
  new DataView(out.buffer, out.byteOffset + offset, 4).setUint32(0, record.flags >>> 0, true);
  writeSlot(out, offset + ADDRESS_AT, record.address);
  writeSlot(out, offset + BROADCAST_AT, record.broadcast);
  writeSlot(out, offset + NETMASK_AT, record.netmask);
  return INTERFACE_INFO_SIZE;
}

/** The family stored in a sockaddr_gen slot (2 for SOCKADDR_IN, 0 for an empty slot). @group Struct codecs */
export function sockaddrGenFamily(buf: Uint8Array, at: number): number {
  return buf[at]! | (buf[at + 1]! << 8);
}

/** Read one INTERFACE_INFO at `offset`. A slot whose family is 0 reads as null (broadcast) or 0.0.0.0. @group Struct codecs */
export function decodeInterfaceInfo(buf: Uint8Array, offset = 0): InterfaceInfoRecord {
  if (offset < 0 || offset + INTERFACE_INFO_SIZE > buf.length) throw new RangeError(`INTERFACE_INFO needs ${INTERFACE_INFO_SIZE} bytes at ${offset}`);
  const ip = (at: number) => decodeIPv4(buf.subarray(offset + at + 4, offset + at + 8));
  return {
    flags: new DataView(buf.buffer, buf.byteOffset + offset, 4).getUint32(0, true),
    address: ip(ADDRESS_AT),
    broadcast: sockaddrGenFamily(buf, offset + BROADCAST_AT) === 0 ? null : ip(BROADCAST_AT),
    netmask: ip(NETMASK_AT),
  };
}

/** The records of a SIO_GET_INTERFACE_LIST answer: `bytes` (from *lpcbBytesReturned) / 76 of them. @group Struct codecs */
export function decodeInterfaceList(buf: Uint8Array, bytes = buf.length): InterfaceInfoRecord[] {
  const count = Math.floor(Math.min(bytes, buf.length) / INTERFACE_INFO_SIZE);
  return Array.from({ length: count }, (_, i) => decodeInterfaceInfo(buf, i * INTERFACE_INFO_SIZE));
}

/** Names of the IFF_* bits set in `flags` (UP, BROADCAST, LOOPBACK, POINTTOPOINT, MULTICAST). @group Struct codecs */
export function interfaceFlagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & IFF_UP) names.push('UP');
  if (flags & IFF_BROADCAST) names.push('BROADCAST');
  if (flags & IFF_LOOPBACK) names.push('LOOPBACK');
  if (flags & IFF_POINTTOPOINT) names.push('POINTTOPOINT');
  if (flags & IFF_MULTICAST) names.push('MULTICAST');
  return names;
}
