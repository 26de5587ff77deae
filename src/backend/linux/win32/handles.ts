/**
 * The handle table: every SOCKET, event, completion port and file the emulation hands out. Values are
 * non-zero multiples of 4 (as Windows handles are), never a host fd, and not reused soon: they
 * come from a counter that only wraps after about a billion allocations.
 */

export interface HandleObject {
  readonly kind: 'socket' | 'event' | 'port' | 'file' | 'window';
  handle: number;
}

const FIRST_HANDLE = 0x100;
const LAST_HANDLE = 0x7ffffffc;
const table = new Map<number, HandleObject>();
let next = FIRST_HANDLE;

/** Give `object` a fresh handle value and register it. */
export function register<T extends HandleObject>(object: T): T {
  do {
    next = next >= LAST_HANDLE ? FIRST_HANDLE : next + 4;
  } while (table.has(next));
  object.handle = next;
  table.set(next, object);
  return object;
}

export function unregister(handle: number): void {
  table.delete(handle);
}

export function lookup(handle: number): HandleObject | undefined {
  return typeof handle === 'number' ? table.get(handle) : undefined;
}

export function allHandles(): HandleObject[] {
  return [...table.values()];
}
