/**
 * Out-parameters are `{ value }` objects (C's pointers). One that cannot take a write (frozen,
 * a read-only or throwing `value`, a Proxy that refuses) is C's bad pointer: the function fails
 * with its WSAEFAULT-like error before it does anything irreversible (takes a packet off a port,
 * accepts a connection, consumes a datagram), never after. Pure: used by both backends.
 */
export function isWritableRef(ref: unknown): boolean {
  if (ref === null || typeof ref !== 'object') return false;
  try {
    // Writing the value it already has changes nothing, and proves the write will work.
    const r = ref as { value: unknown };
    const value = r.value;
    r.value = value;
    return Object.is(r.value, value);
  } catch {
    return false;
  }
}
