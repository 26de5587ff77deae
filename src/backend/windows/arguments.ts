/**
 * Turning JS arguments into what the native ws2_32 functions may safely receive. The real
 * ws2_32 judges every argument itself, with one exception we must catch first: a JS buffer
 * shorter than the size claimed for it would let the callee touch memory past the array.
 */
import { INVALID_SOCKET } from '../../winsock/constants.js';
import type { Ref, SOCKET } from '../../winsock/types.js';
import { callerBuffer, isWritableRef, transferBuffer } from '../../winsock/arguments.js';
import { resolveBorrowed } from './node-sockets.js';

/**
 * True when `buffer` cannot be handed over with `size`: it is shorter than the 32-bit size the
 * callee will see (a negative int reads as a huge size), or it is not a byte array at all.
 * A null buffer is not an overrun: ws2_32 rejects NULL with a non-zero size on its own.
 */
export function overruns(buffer: Uint8Array | null, size: number): boolean {
  if (buffer === null || buffer === undefined) return false;
  // The engine's own length of a real Uint8Array, never a property a caller could override.
  return callerBuffer(buffer, size >>> 0) === null;
}

/** `overruns` for the bytes a transfer moves, which may be a view of a SharedArrayBuffer (winsock/arguments.ts). */
export function overrunsTransfer(buffer: Uint8Array | null, size: number): boolean {
  if (buffer === null || buffer === undefined) return false;
  return transferBuffer(buffer, size >>> 0) === null;
}

/**
 * True when an out-parameter that the callee will write cannot take the write (frozen, read-only,
 * throwing): checked before the native call, so nothing irreversible (a connection accepted, a
 * datagram consumed) happens before the failure. Null is the callee's to judge.
 */
export function unwritable(...refs: Array<Ref<number> | null>): boolean {
  return refs.some((ref) => ref !== null && ref !== undefined && !isWritableRef(ref));
}

/** True when `buffer` cannot hold the size in the in/out length `ref` (see `overruns`). */
export function overrunsRef(buffer: Uint8Array | null, ref: Ref<number> | null): boolean {
  return ref !== null && overruns(buffer, refValue(ref));
}

/** A one-element array holding `ref.value`, for koffi's `_Inout_` pointers; null for null. */
export function cellOf(ref: Ref<number> | null): [number] | null {
  return ref === null ? null : [refValue(ref)];
}

/** Copies back what the callee left in the cell made by `cellOf`. */
export function storeCell(ref: Ref<number> | null, cell: [number] | null): void {
  if (ref !== null && cell !== null) ref.value = cell[0];
}

/**
 * A handle koffi can pass; anything else becomes INVALID_SOCKET, which ws2_32 rejects itself. A
 * borrowed SOCKET (a Node socket, node-sockets.ts) becomes its native handle, checked again now.
 */
export function nativeSocket(s: SOCKET): number {
  return Number.isSafeInteger(s) ? resolveBorrowed(s) : INVALID_SOCKET;
}

/** koffi throws on a non-number; a C callee would just see some integer, so give it 0. */
export function refValue(ref: Ref<number>): number {
  return typeof ref.value === 'number' ? ref.value : 0;
}

/**
 * A DWORD argument as C would receive it, never throwing: numbers and BigInts wrap to 32 bits,
 * anything else (a Symbol, a string that is not a number) is 0, as for `refValue`.
 */
export function looseDword(value: unknown): number {
  if (typeof value === 'bigint') return Number(BigInt.asUintN(32, value));
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') return 0;
  return Number(value) >>> 0;
}
