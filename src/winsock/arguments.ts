/**
 * Caller-owned arguments, checked before anything happens (docs/principles.md, principle 2).
 * Pure, so both backends and every layer use the same checks:
 *
 * - a buffer is a `Uint8Array` (a Node Buffer is one) over an ordinary ArrayBuffer whose
 *   `byteLength` covers the size the caller claims. Anything else with a non-zero size (an
 *   ArrayBuffer, a DataView, a Uint16Array, a view of a SharedArrayBuffer, a lying subclass) is
 *   "not entirely inside valid memory": WSAEFAULT. The check reads the engine's own typed-array
 *   slots, never properties a caller could override, and the result is a fresh view cut to the
 *   claimed size, so nothing after it can read or write beyond that size.
 * - the bytes a transfer moves (a send's data, a receive's buffer: `transferBuffer`) may also be a
 *   view of a SharedArrayBuffer: that is how JS threads share memory, as a C program's threads share
 *   every buffer, and a thread pool hands one connection's buffer from thread to thread. Nothing
 *   is validated in them, so another thread changing them changes nothing but the bytes. Structures
 *   that are read and checked (addresses, options, a control code's input) stay ordinary memory;
 *   a control code's output, which is only written, may be shared memory as a receive's buffer may.
 * - an out-parameter (`int *`, `u_long *`) that will be written is an object whose `value` can be
 *   assigned (not frozen, not read-only, no throwing setter): checked by assigning the value it
 *   holds, before anything irreversible (a connection accepted, a datagram taken off the queue),
 *   so a failure never comes after a side effect.
 */
import type { Ref } from './types.js';

const EMPTY = new Uint8Array(0);

// The %TypedArray%.prototype accessors: they read internal slots, so no own or inherited
// property of the argument can change what they answer.
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const accessor = (name: PropertyKey): ((this: unknown) => unknown) =>
  Object.getOwnPropertyDescriptor(typedArrayPrototype, name)!.get! as (this: unknown) => unknown;
const tagOf = accessor(Symbol.toStringTag);
const bufferOf = accessor('buffer');
const byteOffsetOf = accessor('byteOffset');
const byteLengthOf = accessor('byteLength');

/** Whether a Uint8Array is over an ordinary ArrayBuffer (not a SharedArrayBuffer), as the engine keeps it. */
export function overOrdinaryMemory(view: Uint8Array): boolean {
  return bufferOf.call(view) instanceof ArrayBuffer;
}

/** A Uint8Array's length as the engine keeps it: a subclass or an own property cannot lie about it. */
export function ownLength(view: Uint8Array): number {
  return byteLengthOf.call(view) as number;
}

/**
 * `buf` as a new view of exactly its first `size` bytes, or null (WSAEFAULT) when `size` is not a
 * non-negative integer, or `buf` is not a Uint8Array over an ArrayBuffer with at least `size`
 * bytes. A size of 0 needs no memory at all: any `buf` (null included) gives an empty view.
 */
export function callerBuffer(buf: unknown, size: unknown): Uint8Array | null {
  return viewOf(buf, size, false);
}

/**
 * The same for the bytes a transfer moves (send / receive data, WSABUF entries): a view of a
 * SharedArrayBuffer is accepted too (see the header).
 */
export function transferBuffer(buf: unknown, size: unknown): Uint8Array | null {
  return viewOf(buf, size, true);
}

function viewOf(buf: unknown, size: unknown, sharedAllowed: boolean): Uint8Array | null {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) return null;
  if (size === 0) return EMPTY;
  if (buf === null || typeof buf !== 'object' || tagOf.call(buf) !== 'Uint8Array') return null;
  const backing = bufferOf.call(buf) as object;
  // A SharedArrayBuffer can change under us while we check it: only a transfer's bytes may be one.
  if (!(backing instanceof ArrayBuffer) && !(sharedAllowed && backing instanceof SharedArrayBuffer)) return null;
  if ((byteLengthOf.call(buf) as number) < size) return null; // a detached buffer has 0 bytes
  return new Uint8Array(backing, byteOffsetOf.call(buf) as number, size);
}

/** True when `ref` is an object whose `value` can be written (tried with the value it holds). */
export function isWritableRef(ref: unknown): ref is Ref<unknown> {
  return readWritable(ref) !== NOT_WRITABLE;
}

/**
 * The length an in/out `int *` holds (read once), when `ref` is writable and holds an integer;
 * else null (WSAEFAULT).
 */
export function inOutLength(ref: unknown): number | null {
  const value = readWritable(ref);
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

const NOT_WRITABLE = Symbol('not writable');

/** `ref.value`, written back unchanged to prove it can be written; NOT_WRITABLE when it cannot. */
function readWritable(ref: unknown): unknown {
  if (ref === null || typeof ref !== 'object') return NOT_WRITABLE;
  try {
    const r = ref as Ref<unknown>;
    const value = r.value;
    r.value = value; // modules are strict: a frozen object or a getter without a setter throws
    return value;
  } catch {
    return NOT_WRITABLE;
  }
}

/**
 * A WSAOVERLAPPED whose Internal / InternalHigh can be written (the status of the request goes
 * there): frozen or with throwing accessors it is C's bad pointer, refused before the request starts.
 */
export function acceptsIoStatus(ov: unknown): boolean {
  if (ov === null || typeof ov !== 'object') return false;
  try {
    const o = ov as { Internal: unknown; InternalHigh: unknown };
    const internal = o.Internal;
    const high = o.InternalHigh;
    o.Internal = internal;
    o.InternalHigh = high;
    return true;
  } catch {
    return false;
  }
}
