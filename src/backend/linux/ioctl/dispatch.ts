/**
 * WSAIoctl on Linux: the checks every control code shares, then the handler from the table.
 * Order of checks (as Windows): not started, null lpcbBytesReturned, bad socket, buffers that are
 * not wholly valid memory, unknown code, then the handler's own checks in its declared order, then
 * its body. Nothing here knows a particular code: the handler declares it all (types.ts).
 */
import * as W from '../../../errors/index.js';
import type { WinsockCore } from '../../../winsock/api.js';
import { fail } from '../win32/last-error.js';
import { isStarted } from '../win32/startup.js';
import { socketFor } from '../sockets/lookup.js';
import { acceptsIoStatus, callerBuffer, isWritableRef, overOrdinaryMemory, ownLength, transferBuffer } from '../../../winsock/arguments.js';
import { handlerFor } from './table.js';
import { finish, NOT_IMPLEMENTED, outcomeOf, settle } from './outcome.js';
import { log } from '../../../winsock/guard.js';
import { startOverlapped } from './overlapped.js';
import type { IoctlCall } from './types.js';

const EMPTY = new Uint8Array(0);

/**
 * `buf` cut to `size` bytes, or null when that is not wholly valid memory (WSAEFAULT). The input
 * is a structure the handler reads and checks, so a view of a SharedArrayBuffer is refused there as
 * for every structure; the output, which the call only writes, may be one, as a receive's buffer
 * may (winsock/arguments.ts). The Windows backend draws the same line.
 */
export function checkedView(buf: unknown, size: unknown, sharedAllowed: boolean): Uint8Array | null {
  // The common cases first, in few bytecodes (this runs twice per WSAIoctl, and V8 inlines only
  // so much into it): no buffer and no size, or a whole Uint8Array with its own length.
  if (buf == null && size === 0) return EMPTY;
  if (buf instanceof Uint8Array && ownLength(buf) === size && size <= 0xffffffff && (sharedAllowed || overOrdinaryMemory(buf))) return buf;
  return cutView(buf, size, sharedAllowed);
}

/** checkedView's general case: a size that is not the buffer's own, or not a DWORD at all. */
function cutView(buf: unknown, size: unknown, sharedAllowed: boolean): Uint8Array | null {
  if (typeof size !== 'number' || !Number.isInteger(size)) return null;
  const cb = size >>> 0; // a DWORD: -1 from JS means 0xFFFFFFFF, as in C
  // The engine's own length, buffer and offset (winsock/arguments.ts): a subclass cannot claim more
  // memory than it has.
  return sharedAllowed ? transferBuffer(buf, cb) : callerBuffer(buf, cb);
}

/** An empty view for a null pointer with a valid size (for handlers with `nullBuffers`), else null. */
function nullView(buf: unknown, size: unknown): Uint8Array | null {
  return buf == null && typeof size === 'number' && Number.isInteger(size) ? EMPTY : null;
}

/** The parameter list is the contract's (winsock/api.ts), with Winsock's names. */
export const WSAIoctl: WinsockCore['WSAIoctl'] = (
  s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer, lpcbBytesReturned, lpOverlapped, lpCompletionRoutine,
) => {
  try {
    if (!isStarted()) return fail(W.WSANOTINITIALISED);
    // *lpcbBytesReturned is written: it must be writable before anything runs (winsock/arguments.ts).
    if (!isWritableRef(lpcbBytesReturned)) return fail(W.WSAEFAULT);
    // What C could not pass: an lpOverlapped that is no object, a completion routine that is no
    // function (it would only fail at the alertable wait, after the operation started).
    if (lpOverlapped != null && typeof lpOverlapped !== 'object') return fail(W.WSAEFAULT);
    if (lpCompletionRoutine != null && typeof lpCompletionRoutine !== 'function') return fail(W.WSAEFAULT);
    const sock = socketFor(s);
    if (typeof sock === 'number') return fail(sock);
    const code = typeof dwIoControlCode === 'number' ? dwIoControlCode >>> 0 : -1;
    const handler = handlerFor(code) ?? NOT_IMPLEMENTED;
    // A null buffer with a non-zero size is WSAEFAULT here, unless the code's handler answers it itself.
    const nullBuffers = handler.nullBuffers;
    const input = checkedView(lpvInBuffer, cbInBuffer, false) ?? (nullBuffers?.input ? nullView(lpvInBuffer, cbInBuffer) : null);
    const output = checkedView(lpvOutBuffer, cbOutBuffer, true) ?? (nullBuffers?.output ? nullView(lpvOutBuffer, cbOutBuffer) : null);
    if (input === null || output === null) return fail(W.WSAEFAULT);
    // The overlapped arguments only count on a socket created for overlapped I/O.
    const overlapped = sock.overlapped && (lpOverlapped != null || lpCompletionRoutine != null);
    const call: IoctlCall = {
      sock, code, input, output, overlapped,
      inputIsNull: lpvInBuffer == null, outputIsNull: lpvOutBuffer == null,
    };
    // A completion routine without a WSAOVERLAPPED has nothing to report through: the call runs
    // as a non-overlapped one.
    if (overlapped && lpOverlapped !== null && typeof lpOverlapped === 'object') {
      if (!acceptsIoStatus(lpOverlapped)) return fail(W.WSAEFAULT);
      return startOverlapped(handler, call, lpcbBytesReturned, lpOverlapped, lpCompletionRoutine ?? null);
    }
    const outcome = outcomeOf(handler, call);
    // Most codes finish at once: only a call that has to wait goes through settle (kept out of
    // this hot path so that V8 can inline the rest of it).
    return finish(lpcbBytesReturned, 'wait' in outcome ? settle(call, outcome) : outcome);
  } catch (error) {
    // A handler bug must not escape a Winsock function; report it as Windows reports the unknown.
    log('WSAIoctl(0x%s) failed inside the emulation: %O', (Number(dwIoControlCode) >>> 0).toString(16), error);
    return fail(W.WSAEINVAL);
  }
};
