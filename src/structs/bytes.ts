/**
 * Little-endian reads and writes straight on the bytes, without a range check (callers have
 * checked the length): cheaper than a DataView, which matters on per-call paths (FIONREAD /
 * FIONBIO inputs, SIO_KEEPALIVE_VALS, every netlink message of a query). A DataView over a small
 * new array costs most of all: V8 keeps arrays of up to 64 bytes inside its heap and has to move
 * one out (a new backing store) the first time its `.buffer` is taken.
 */
export const readU16LE = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const readU32LE = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
// A Uint8Array element keeps its value modulo 256 (as `& 0xff` would): no mask needed, which keeps
// these small enough for V8 to inline on the per-call paths.
export function writeU16LE(b: Uint8Array, at: number, value: number): void {
  b[at] = value;
  b[at + 1] = value >>> 8;
}
export function writeU32LE(b: Uint8Array, at: number, value: number): void {
  b[at] = value;
  b[at + 1] = value >>> 8;
  b[at + 2] = value >>> 16;
  b[at + 3] = value >>> 24;
}

/**
 * The text of a NUL-terminated name (an interface name, an address label) in `b[start, end)`: its
 * bytes up to the first NUL, or all of them, as UTF-8. ASCII, the usual case, is read byte by
 * byte, which costs far less than a decoder for a few bytes.
 */
export function cString(b: Uint8Array, start = 0, end = b.length): string {
  let text = '';
  for (let i = start; i < end; i++) {
    const byte = b[i]!;
    if (byte === 0) return text;
    if (byte >= 0x80) {
      const nul = b.subarray(start, end).indexOf(0);
      return new TextDecoder().decode(b.subarray(start, nul >= 0 ? start + nul : end));
    }
    text += String.fromCharCode(byte);
  }
  return text;
}
