/**
 * The handle table: every SOCKET, event, completion port, file and window the emulation hands out.
 * Values are process-wide (docs/process-wide-handles.md §4): non-zero multiples of 4 from one
 * counter in the shared region (shared/objects.ts), never a host fd, and not reused until that
 * counter wraps (about 500 million allocations), whichever JS thread made or closed them.
 *
 * Each thread keeps its own objects, and the stand-ins it made for other threads' shared objects
 * (events, ports), in a Map in front of the shared table: a lookup of one of its own sockets costs
 * one Map.get, as before. A stand-in for an event or port closed elsewhere reads as closed
 * (`stale`) and is dropped. A socket closed elsewhere is found by `sweepClosed` instead (no check
 * per lookup: the socket functions see `closed` themselves), and its kind's `forget` lets go of what
 * this thread held for it (its pending operations end, its reference on the record goes). Objects of a kind that stays per thread
 * (files, windows, sockets borrowed from Node) are not found from another thread.
 */
import { KIND, allocHandle, freeHandle, readHandle, type KindName } from '../shared/objects.js';
import { region } from '../shared/region.js';

export interface HandleObject {
  readonly kind: KindName;
  handle: number;
  /** A stand-in for a shared object: true once that object was closed (by any thread). */
  stale?(): boolean;
}

/** Makes this thread's stand-in for a shared object of a kind (events.ts, ports.ts register one). */
type Adopt = (handle: number, record: number) => HandleObject | undefined;
const adopters = new Map<number, Adopt>();
/** Sockets: whether one is closed, and what this thread does when it lets go of it (lifecycle.ts). */
interface Sweep {
  closed(object: HandleObject): boolean;
  forget(object: HandleObject): void;
}
const sweeps = new Map<string, Sweep>();

export function shareKind(kind: KindName, adopt: Adopt, sweep?: Sweep): void {
  adopters.set(KIND[kind], adopt);
  if (sweep) sweeps.set(kind, sweep);
}

const table = new Map<number, HandleObject>();

/** Used only when the shared region cannot be had (no memory): this thread's own values, as before. */
const FIRST_HANDLE = 0x100;
const LAST_HANDLE = 0x7ffffffc;
let next = FIRST_HANDLE;

/**
 * Give `object` a fresh handle value and register it (`record`: its shared record, for events and
 * ports). Throws when no value can be had (the table is full); callers report their Windows error.
 */
export function register<T extends HandleObject>(object: T, record = -1): T {
  const r = region();
  if (r !== null) {
    const h = allocHandle(r, KIND[object.kind], record);
    if (h === 0) throw new RangeError('wsaioctl: the handle table is full');
    object.handle = h;
  } else {
    do {
      next = next >= LAST_HANDLE ? FIRST_HANDLE : next + 4;
    } while (table.has(next));
    object.handle = next;
  }
  table.set(object.handle, object);
  return object;
}

export function unregister(handle: number): void {
  table.delete(handle);
  const r = region();
  if (r !== null) freeHandle(r, handle);
}

/** Forget this thread's stand-in for a handle (the object itself lives on elsewhere). */
export function forgetLocal(handle: number): void {
  table.delete(handle);
}

export function lookup(handle: number): HandleObject | undefined {
  if (typeof handle !== 'number') return undefined;
  const local = table.get(handle);
  if (local !== undefined) {
    if (local.stale === undefined || !local.stale()) return local;
    table.delete(handle);
    return undefined;
  }
  return adopt(handle);
}

/** Another thread's shared object: this thread's stand-in, made now and kept. */
function adopt(handle: number): HandleObject | undefined {
  const r = region();
  const entry = r === null ? null : readHandle(r, handle);
  if (entry === null) return undefined;
  const object = adopters.get(entry.kind)?.(handle, entry.record);
  if (object !== undefined) table.set(handle, object);
  return object;
}

/** Drop every closed object of `kind` from this thread's table (its kind's `forget` runs for each). */
export function sweepClosed(kind: KindName): void {
  const sweep = sweeps.get(kind);
  if (sweep === undefined) return;
  for (const [handle, object] of table) {
    if (object.kind !== kind || !sweep.closed(object)) continue;
    table.delete(handle);
    sweep.forget(object);
  }
}

/** This thread's objects and stand-ins. */
export function allHandles(): HandleObject[] {
  return [...table.values()];
}
