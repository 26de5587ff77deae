/**
 * The caller's WSABUF list (lpBuffers, dwBufferCount), checked before anything happens
 * (docs/principles.md, principle 2): the first dwBufferCount entries, each a WSABUF whose `buf`
 * covers its `len`. The views are the caller's memory itself, cut to each `len`: a receive writes
 * into them (at completion, for an overlapped one), a send reads them.
 */
import * as W from '../../../../errors/index.js';
import { transferBuffer } from '../../../../winsock/arguments.js';

export interface BufferList {
  readonly views: readonly Uint8Array[];
  /** The sum of the lengths. */
  readonly total: number;
}

/**
 * The views, or the Winsock error: WSAEINVAL for no buffers at all (Wine's test_empty_recv: a NULL
 * list or a count of 0), WSAEFAULT for a list shorter than the count or an entry that is not a
 * WSABUF covering its length.
 */
export function callerBuffers(lpBuffers: unknown, dwBufferCount: unknown): BufferList | number {
  if (dwBufferCount === 0) return W.WSAEINVAL;
  if (lpBuffers === null || lpBuffers === undefined) return dwBufferCount === undefined ? W.WSAEINVAL : W.WSAEFAULT;
  if (typeof dwBufferCount !== 'number' || !Number.isInteger(dwBufferCount) || dwBufferCount < 0) return W.WSAEFAULT;
  if (!Array.isArray(lpBuffers) || lpBuffers.length < dwBufferCount) return W.WSAEFAULT;
  const views: Uint8Array[] = [];
  let total = 0;
  try {
    for (let i = 0; i < dwBufferCount; i++) {
      const entry: unknown = lpBuffers[i];
      if (entry === null || typeof entry !== 'object') return W.WSAEFAULT;
      const { len, buf } = entry as { len: unknown; buf: unknown };
      if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || len > 0xffffffff) return W.WSAEFAULT;
      const view = transferBuffer(buf, len);
      if (view === null) return W.WSAEFAULT;
      views.push(view);
      total += len;
    }
  } catch {
    // A throwing getter or Proxy: C's unreadable memory.
    return W.WSAEFAULT;
  }
  return { views, total };
}

/** One buffer to receive into: the caller's own when there is one, else a scratch of `total` bytes. */
export function receiveTarget(list: BufferList, offset: number): Uint8Array {
  if (list.views.length === 1) return list.views[0]!.subarray(offset);
  return new Uint8Array(list.total - offset);
}

/** Copy `bytes` received into `target` (from receiveTarget) into the list, starting at `offset`. */
export function scatter(list: BufferList, target: Uint8Array, offset: number, bytes: number): void {
  if (list.views.length === 1) return;
  let skip = offset;
  let from = 0;
  for (const view of list.views) {
    if (from >= bytes) return;
    if (skip >= view.length) {
      skip -= view.length;
      continue;
    }
    const n = Math.min(view.length - skip, bytes - from);
    view.set(target.subarray(from, from + n), skip);
    from += n;
    skip = 0;
  }
}

/**
 * The caller's bytes from `offset` on, to the end of the WSABUF that holds them: the caller's
 * memory itself, no copy (a pending stream send goes out buffer by buffer, read when the socket
 * is writable, as Windows reads the caller's buffers then). Empty past the end.
 */
export function sendChunk(list: BufferList, offset: number): Uint8Array {
  let skip = offset;
  for (const view of list.views) {
    if (skip < view.length) return view.subarray(skip);
    skip -= view.length;
  }
  return new Uint8Array(0);
}

/** The bytes to send, in order: the one view itself, or the views gathered into one copy. */
export function gather(list: BufferList): Uint8Array {
  if (list.views.length === 1) return list.views[0]!;
  const out = new Uint8Array(list.total);
  let at = 0;
  for (const view of list.views) {
    out.set(view, at);
    at += view.length;
  }
  return out;
}
