/**
 * SOCKET_ADDRESS_LIST (ws2def.h), as SIO_ADDRESS_LIST_QUERY and SIO_ADDRESS_LIST_SORT use it: an
 * 8-byte header (INT iAddressCount + padding), `count` SOCKET_ADDRESS entries of 16 bytes
 * (8-byte lpSockaddr pointer, INT iSockaddrLength, padding), then the sockaddrs the pointers
 * point at, all in one buffer. Pointers are absolute addresses, so encoding needs the address
 * of the buffer's first byte as native code sees it.
 */

/** Bytes of the list header and of one SOCKET_ADDRESS entry (x64). @group Struct sizes */
export const SOCKET_ADDRESS_LIST_HEADER = 8;
export const SOCKET_ADDRESS_SIZE = 16;

/** Bytes needed for a list of these sockaddrs (header, entries, then the sockaddrs, 8-aligned). @group Struct codecs */
export function socketAddressListSize(sockaddrs: readonly Uint8Array[]): number {
  let size = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * sockaddrs.length;
  for (const sa of sockaddrs) size = align8(size) + sa.length;
  return size;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Write the list into `out` (which must hold `socketAddressListSize(sockaddrs)` bytes), with each
 * lpSockaddr = `baseAddress` + the sockaddr's offset in `out`. Returns the bytes written.
 *
 * @group Struct codecs
 */
export function encodeSocketAddressList(sockaddrs: readonly Uint8Array[], out: Uint8Array, baseAddress: bigint): number {
  const size = socketAddressListSize(sockaddrs);
  if (out.length < size) throw new RangeError(`SOCKET_ADDRESS_LIST needs ${size} bytes`);
  const view = new DataView(out.buffer, out.byteOffset, size);
  out.fill(0, 0, size);
  view.setInt32(0, sockaddrs.length, true);
  let offset = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * sockaddrs.length;
  sockaddrs.forEach((sa, i) => {
    offset = align8(offset);
    const entry = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * i;
    view.setBigUint64(entry, baseAddress + BigInt(offset), true);
    view.setInt32(entry + 8, sa.length, true);
    out.set(sa, offset);
    offset += sa.length;
  });
  return size;
}

/** One SOCKET_ADDRESS of a decoded list, with the sockaddr it points at. */
export interface SocketAddressEntry {
  /** Offset of the sockaddr inside the buffer. */
  offset: number;
  /** iSockaddrLength. */
  length: number;
  /** The sockaddr bytes (a view into the buffer). */
  sockaddr: Uint8Array;
}

/**
 * Read a SOCKET_ADDRESS_LIST back: the pointers are resolved relative to the buffer. Pass the
 * buffer's native address when known (koffi.address(buf)); otherwise it is inferred from the first
 * entry, which in lists written by Winsock points just past the entry array. Throws RangeError
 * when a pointer leads outside the buffer.
 *
 * @group Struct codecs
 */
export function decodeSocketAddressList(buf: Uint8Array, baseAddress?: bigint): SocketAddressEntry[] {
  if (buf.length < SOCKET_ADDRESS_LIST_HEADER) throw new RangeError('SOCKET_ADDRESS_LIST header needs 8 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getInt32(0, true);
  const arrayEnd = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * count;
  if (count < 0 || arrayEnd > buf.length) throw new RangeError(`bad address count ${count}`);
  if (count === 0) return [];
  const base = baseAddress ?? view.getBigUint64(SOCKET_ADDRESS_LIST_HEADER, true) - BigInt(align8(arrayEnd));
  const entries: SocketAddressEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entry = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * i;
    const offset = Number(view.getBigUint64(entry, true) - base);
    const length = view.getInt32(entry + 8, true);
    if (!(offset >= 0 && length >= 0 && offset + length <= buf.length)) throw new RangeError(`entry ${i} points outside the buffer`);
    entries.push({ offset, length, sockaddr: buf.subarray(offset, offset + length) });
  }
  return entries;
}
