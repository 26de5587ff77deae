/**
 * Small helpers over the public `wsaioctl/winsock` surface shared by the scenarios: byte
 * builders, sentinels, and the formatting that turns raw results into comparable JSON.
 */
import koffi from 'koffi';
import * as ws from 'wsaioctl/winsock';

export { ws };

/** Written into output buffers before a call: any other byte means the call wrote there. */
export const GUARD = 0xa5;
/** Put in every out-parameter before a call: still there afterwards means "untouched". */
export const SENTINEL = 0xdeadbeef;
/** Completion key used with every port. */
export const KEY = 123;

/** `value` as a little-endian u32 in `size` bytes (cut short, or zero-padded). */
export function u32(value: number, size = 4): Uint8Array {
  const b = new Uint8Array(Math.max(size, 4));
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b.subarray(0, size);
}

export function u16(value: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value & 0xffff, true);
  return b;
}

/** Several little-endian u32 values, one after the other. */
export function u32s(...values: number[]): Uint8Array {
  const b = new Uint8Array(4 * values.length);
  const view = new DataView(b.buffer);
  values.forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
  return b;
}

export const readU32 = (b: Uint8Array, offset = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(offset, true);
export const readI32 = (b: Uint8Array, offset = 0): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(offset, true);
export const readU64 = (b: Uint8Array, offset = 0): bigint => new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset, true);

/** An output buffer of `size` bytes filled with GUARD, in memory that never moves. */
export function guarded(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(Math.max(size, 0))).fill(GUARD);
}

/** A copy of `bytes` in memory that never moves (for buffers holding absolute pointers). */
export function stable(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(new ArrayBuffer(bytes.length));
  b.set(bytes);
  return b;
}

/** The native address of a buffer's first byte, for absolute pointers inside Winsock structures. */
export function addressOf(buf: Uint8Array): bigint {
  return BigInt(koffi.address(buf) as bigint | number);
}

export const untouched = (b: Uint8Array | null): boolean => b === null || b.every((x) => x === GUARD);

/** A Winsock / Win32 error number by name ('NO_ERROR' for 0). */
export const errName = (code: number): string => ws.errorName(code >>> 0);

/** An out-parameter's value, or 'untouched' when it still holds SENTINEL. */
export const refValue = (ref: { value: number } | null): number | string =>
  ref === null ? 'null' : (ref.value >>> 0) === SENTINEL ? 'untouched' : ref.value;

/** WSAOVERLAPPED.Internal as a status name, or 'untouched'. */
export const statusOf = (internal: number): string =>
  (internal >>> 0) === SENTINEL ? 'untouched' : ws.ntStatusName(internal >>> 0);

/** WSAOVERLAPPED.InternalHigh, or 'untouched'. */
export const infoOf = (high: number): number | string => ((high >>> 0) === SENTINEL ? 'untouched' : high);

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** A WSAOVERLAPPED with Internal / InternalHigh set to SENTINEL, so that writes to them show. */
export function overlapped(hEvent = 0): ws.WSAOVERLAPPED {
  const ov = new ws.WSAOVERLAPPED(hEvent);
  ov.Internal = SENTINEL;
  ov.InternalHigh = SENTINEL;
  return ov;
}

/** Blocks the thread for `ms` without spinning. */
export function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The port a socket is bound to. */
export function portOf(s: number): number {
  const name = new Uint8Array(28);
  if (ws.getsockname(s, name, { value: 28 }) !== 0) return 0;
  return ws.parseSockaddr(name).port;
}

/**
 * Waits (bounded) until `s` has data to read, without reading it: a blocking MSG_PEEK receive
 * under a receive time-out. Returns false when nothing came.
 */
export function waitForData(s: number, ms = 2000): boolean {
  ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(ms), 4);
  const got = ws.recv(s, new Uint8Array(1), 1, ws.MSG_PEEK);
  ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(0), 4);
  return got > 0;
}

/** A connected pair with `data` sent from the client, waiting on the server side. */
export function sendAndWait(client: number, server: number, data: Uint8Array, flags = 0): void {
  if (ws.send(client, data, data.length, flags) !== data.length) throw new Error(`send failed: ${errName(ws.WSAGetLastError())}`);
  if (flags === 0 && !waitForData(server)) throw new Error('the data did not arrive within 2 s');
}
