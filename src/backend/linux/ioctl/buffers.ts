/** Little-endian reads and writes on caller buffers (Windows x64 is little-endian). */

const view = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

export const readU32 = (buf: Uint8Array, offset: number): number => view(buf).getUint32(offset, true);
export const readU16 = (buf: Uint8Array, offset: number): number => view(buf).getUint16(offset, true);
export const writeU32 = (buf: Uint8Array, offset: number, value: number): void => view(buf).setUint32(offset, value >>> 0, true);
export const writeU64 = (buf: Uint8Array, offset: number, value: number | bigint): void => view(buf).setBigUint64(offset, BigInt(value), true);
