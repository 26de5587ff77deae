/** Little-endian reads and writes on caller buffers (Windows x64 is little-endian). */
import { readU16LE, readU32LE } from '../../../structs/bytes.js';

const view = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

// The 16- and 32-bit forms work on bytes directly: they run on every FIONREAD / FIONBIO, where
// making a DataView per call shows in the per-call cost. Out-of-range offsets throw as DataView's.
function inRange(buf: Uint8Array, offset: number, size: number): void {
  if (!(offset >= 0 && offset + size <= buf.length)) throw new RangeError('offset outside the buffer');
}

export function readU32(buf: Uint8Array, offset: number): number {
  inRange(buf, offset, 4);
  return readU32LE(buf, offset);
}

export function readU16(buf: Uint8Array, offset: number): number {
  inRange(buf, offset, 2);
  return readU16LE(buf, offset);
}

export function writeU32(buf: Uint8Array, offset: number, value: number): void {
  inRange(buf, offset, 4);
  const v = value >>> 0;
  buf[offset] = v & 0xff;
  buf[offset + 1] = (v >>> 8) & 0xff;
  buf[offset + 2] = (v >>> 16) & 0xff;
  buf[offset + 3] = v >>> 24;
}

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
