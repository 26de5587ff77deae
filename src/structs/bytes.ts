/**
 * Little-endian reads straight from the bytes, without a range check (callers have checked the
 * length): cheaper than a DataView, which matters on per-call paths (FIONREAD / FIONBIO inputs,
 * SIO_KEEPALIVE_VALS, every netlink message of a query).
 */
export const readU16LE = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
export const readU32LE = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
