/**
 * What the Windows backend's data calls share (data-path.ts, message.ts): a caller's WSABUF list
 * in native memory that outlives the call (the data copied in for a send, copied back into the
 * caller's buffers for a receive), and the answers for what C cannot express.
 */
import { WSAEFAULT } from '../../errors/index.js';
import { SOCKET_ERROR } from '../../winsock/constants.js';
import type { Ref, SOCKET, WSABUF } from '../../winsock/types.js';
import { transferBuffer, isWritableRef } from '../../winsock/arguments.js';
import { looseDword } from './arguments.js';
import { allocate, type Memory } from './native-overlapped.js';
import { socketError } from './overlapped.js';
import { ws2_32 } from './ws2_32.js';

/** WSABUF on x64: ULONG len @0, CHAR *buf @8. */
const WSABUF_SIZE = 16;
/** STATUS_BUFFER_OVERFLOW: a datagram cut to the buffers; the bytes that fit were delivered. */
const STATUS_BUFFER_OVERFLOW = 0x80000005;

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';
const align8 = (n: number): number => (n + 7) & ~7;

/**
 * C's bad pointer: the socket's own error when the socket is bad, else WSAEFAULT (null: no one
 * socket is named, as for select and WSAPoll).
 */
export function fault(s: SOCKET | null): number {
  ws2_32.WSASetLastError((s === null ? 0 : socketError(s)) || WSAEFAULT);
  return SOCKET_ERROR;
}

/** A Ref the call may write: null, or writable. */
export const writableOrNull = (ref: unknown): boolean => ref === null || ref === undefined || isWritableRef(ref);

// ---- the WSABUF list in native memory ----------------------------------------------------------

/** One caller buffer and where its bytes are in the native block. */
interface Piece {
  readonly caller: Uint8Array;
  readonly offset: number;
}

/** lpBuffers in native memory, with `tailSize` more bytes after it for the call's cells. */
export interface NativeBuffers {
  readonly memory: Memory;
  readonly view: DataView;
  /** lpBuffers as Windows gets it: null for the caller's NULL. */
  readonly list: bigint | null;
  readonly count: number;
  readonly pieces: readonly Piece[];
  /** Offset of the tail (8-aligned). */
  readonly tail: number;
}

/**
 * The first `dwBufferCount` WSABUFs of `lpBuffers` in native memory (a send's bytes copied in),
 * or null where C would have read outside memory: a count past the end of the array, an entry
 * that is not an object, a `buf` that is not a Uint8Array of at least `len` bytes. A NULL array
 * or a NULL `buf` is passed as NULL, for Windows to judge.
 */
export function nativeBuffers(lpBuffers: unknown, dwBufferCount: unknown, tailSize: number, copyIn: boolean): NativeBuffers | null {
  const count = looseDword(dwBufferCount);
  const given = lpBuffers !== null && lpBuffers !== undefined;
  if (given && (!Array.isArray(lpBuffers) || count > lpBuffers.length)) return null;
  const entries: Array<{ len: number; buf: Uint8Array | null }> = [];
  for (let i = 0; given && i < count; i++) {
    const entry: unknown = (lpBuffers as unknown[])[i];
    if (!isObject(entry)) return null;
    const { len: rawLen, buf: rawBuf } = entry as WSABUF;
    const len = looseDword(rawLen);
    if (rawBuf === null || rawBuf === undefined) {
      entries.push({ len, buf: null });
      continue;
    }
    const buf = transferBuffer(rawBuf, len);
    if (buf === null) return null;
    entries.push({ len, buf });
  }
  const listSize = given ? WSABUF_SIZE * count : 0;
  let size = listSize;
  for (const e of entries) if (e.buf !== null) size += align8(e.len);
  const tail = align8(size);
  const memory = allocate(tail + tailSize);
  const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
  const pieces: Piece[] = [];
  let offset = listSize;
  entries.forEach((e, i) => {
    view.setUint32(WSABUF_SIZE * i, e.len, true);
    view.setBigUint64(WSABUF_SIZE * i + 8, e.buf === null ? 0n : memory.address + BigInt(offset), true);
    if (e.buf === null) return;
    if (copyIn) memory.bytes.set(e.buf, offset);
    pieces.push({ caller: e.buf, offset });
    offset += align8(e.len);
  });
  return { memory, view, list: given ? memory.address : null, count, pieces, tail };
}

/** The first `n` bytes Windows wrote, into the caller's buffers in order (scatter). */
export function copyReceived(native: NativeBuffers, n: number): void {
  let left = n;
  for (const { caller, offset } of native.pieces) {
    if (left <= 0) return;
    const take = Math.min(left, caller.length);
    caller.set(native.memory.bytes.subarray(offset, offset + take));
    left -= take;
  }
}

/** Whether an operation that ended with `status` delivered bytes (success, or a cut datagram). */
export const delivered = (status: number): boolean => status >>> 0 < 0x80000000 || status >>> 0 === STATUS_BUFFER_OVERFLOW;

/** `value` into `ref` when it differs (what C's callee wrote, and only that). */
export function store(ref: Ref<number> | null, given: number, value: number): void {
  if (ref !== null && value !== given) ref.value = value;
}
