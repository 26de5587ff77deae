/** Little-endian reads and writes on caller buffers (Windows x64 is little-endian). */

const view = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

export const readU32 = (buf: Uint8Array, offset: number): number => view(buf).getUint32(offset, true);
export const readU16 = (buf: Uint8Array, offset: number): number => view(buf).getUint16(offset, true);
export const writeU32 = (buf: Uint8Array, offset: number, value: number): void => view(buf).setUint32(offset, value >>> 0, true);
export const writeU64 = (buf: Uint8Array, offset: number, value: number | bigint): void => view(buf).setBigUint64(offset, BigInt(value), true);

/**
 * A BOOL / int input read the way Windows reads a setsockopt-style value: the first min(length, 4)
 * bytes, little-endian, unsigned, so 1-, 2-, 3- and 4-byte inputs all work (0 when empty).
 * A BOOL is TRUE when this is non-zero.
 */
export function readSmallValue(buf: Uint8Array): number {
  let value = 0;
  for (let i = Math.min(buf.length, 4) - 1; i >= 0; i--) value = value * 256 + buf[i]!;
  return value;
}
