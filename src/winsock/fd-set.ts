/**
 * The fd_set macros of winsock2.h as functions, called as C calls the macros (`FD_SET(s, set)`).
 * Windows' fd_set is a count and an array (types.ts): FD_SET appends a socket not already there
 * while fewer than FD_SETSIZE are held; FD_CLR removes one and closes the gap; FD_ZERO empties
 * it; FD_ISSET (`__WSAFDIsSet`) says whether a socket is among the first fd_count entries.
 * Pure: no I/O, no backend. None throws: a set that is not an fd_set object is left alone
 * (FD_ISSET answers false), as nothing else could be done with C's bad pointer.
 */
import { FD_SETSIZE } from './constants.js';
import type { fd_set, SOCKET } from './types.js';

/** The number of entries of `set` that count (0..FD_SETSIZE), or -1 when `set` is not usable. */
function countOf(set: unknown): number {
  try {
    if (set === null || typeof set !== 'object') return -1;
    const s = set as fd_set;
    if (!Array.isArray(s.fd_array)) return -1;
    const n = s.fd_count;
    if (typeof n !== 'number' || !Number.isInteger(n)) return -1;
    return Math.max(0, Math.min(n, FD_SETSIZE, s.fd_array.length));
  } catch {
    return -1;
  }
}

/** `FD_ZERO(set)`: empties the set. */
export function FD_ZERO(set: fd_set): void {
  try {
    if (countOf(set) < 0) return;
    set.fd_count = 0;
    set.fd_array.length = 0;
  } catch {
    // A frozen set: C would have written; there is nothing better to do than leave it.
  }
}

/** `FD_ISSET(s, set)` (`__WSAFDIsSet`): whether `s` is among the entries that count. */
export function FD_ISSET(s: SOCKET, set: fd_set): boolean {
  const n = countOf(set);
  try {
    for (let i = 0; i < n; i++) if (set.fd_array[i] === s) return true;
  } catch {
    return false;
  }
  return false;
}

/** `FD_SET(s, set)`: appends `s` when it is not there and the set holds fewer than FD_SETSIZE. */
export function FD_SET(s: SOCKET, set: fd_set): void {
  const n = countOf(set);
  if (n < 0 || n >= FD_SETSIZE || FD_ISSET(s, set)) return;
  try {
    set.fd_array.length = n;
    set.fd_array.push(s);
    set.fd_count = n + 1;
  } catch {
    // See FD_ZERO.
  }
}

/** `FD_CLR(s, set)`: removes `s` and closes the gap. */
export function FD_CLR(s: SOCKET, set: fd_set): void {
  const n = countOf(set);
  try {
    for (let i = 0; i < n; i++) {
      if (set.fd_array[i] !== s) continue;
      set.fd_array.splice(i, 1);
      set.fd_array.length = Math.min(set.fd_array.length, n - 1);
      set.fd_count = n - 1;
      return;
    }
  } catch {
    // See FD_ZERO.
  }
}
