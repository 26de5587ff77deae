/**
 * WSAIoctl on Linux: the checks every control code shares, then the handler from the table.
 * Order of checks (as Windows): not started, null lpcbBytesReturned, bad socket, buffers that are
 * not wholly valid memory, unknown code, the handler's socket-type rule, its size rules, the handler.
 */
import * as W from '../../../errors/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, WSAOVERLAPPED } from '../../../winsock/types.js';
import type { WinsockCore } from '../../../winsock/api.js';
import { fail, ok } from '../win32/last-error.js';
import { isStarted } from '../win32/startup.js';
import { socketFor } from '../sockets/sockets.js';
import type { LinuxSocket } from '../sockets/socket-state.js';
import { handlerFor } from './table.js';
import type { IoctlCall, IoctlDone, IoctlHandler, IoctlOutcome, SizeRule } from './types.js';

const EMPTY = new Uint8Array(0);

/** `buf` cut to `size` bytes, or null when that is not wholly valid memory (WSAEFAULT). */
export function checkedView(buf: unknown, size: unknown): Uint8Array | null {
  if (typeof size !== 'number' || !Number.isInteger(size)) return null;
  const cb = size >>> 0; // a DWORD: -1 from JS means 0xFFFFFFFF, as in C
  if (buf === null || buf === undefined) return cb === 0 ? EMPTY : null;
  if (!(buf instanceof Uint8Array) || cb > buf.length) return null;
  return cb === buf.length ? buf : buf.subarray(0, cb);
}

/** An empty view for a null pointer with a valid size (for handlers with `nullBuffers`), else null. */
function nullView(buf: unknown, size: unknown): Uint8Array | null {
  return buf == null && typeof size === 'number' && Number.isInteger(size) ? EMPTY : null;
}

function sizeRuleFails(rule: SizeRule | undefined, size: number, isNull: boolean): boolean {
  if (!rule) return false;
  return isNull || size < rule.min || (rule.exact === true && size !== rule.min);
}

/**
 * Engine for overlapped calls and for calls that must wait; installed by the overlapped module.
 * Without it, a call that would wait or run overlapped fails with WSAEOPNOTSUPP.
 */
export interface AsyncEngine {
  /** Run a call in overlapped mode (completion by event, routine, port). */
  overlapped(call: IoctlCall, handler: IoctlHandler, outcome: IoctlOutcome, bytesReturned: Ref<number>, ov: WSAOVERLAPPED | null, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  /** Wait synchronously (blocking socket) for a call that cannot finish yet. */
  block(call: IoctlCall, outcome: Exclude<IoctlOutcome, IoctlDone>): IoctlDone;
  /** A non-blocking call that cannot finish yet fails with WSAEWOULDBLOCK; arm its FD_ event. */
  wouldBlock?(call: IoctlCall, outcome: Exclude<IoctlOutcome, IoctlDone>): void;
  /** Overlapped call with a WSAOVERLAPPED: an outcome decided before the handler runs, if any. */
  before?(call: IoctlCall): IoctlOutcome | undefined;
}

let engine: AsyncEngine | null = null;
export function installAsyncEngine(e: AsyncEngine): void {
  engine = e;
}

/** The parameter list is the contract's (winsock/api.ts), with Winsock's names. */
export const WSAIoctl: WinsockCore['WSAIoctl'] = (
  s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer, lpcbBytesReturned, lpOverlapped, lpCompletionRoutine,
) => {
  try {
    if (!isStarted()) return fail(W.WSANOTINITIALISED);
    if (lpcbBytesReturned === null || typeof lpcbBytesReturned !== 'object') return fail(W.WSAEFAULT);
    const sock = socketFor(s);
    if (typeof sock === 'number') return fail(sock);
    const code = typeof dwIoControlCode === 'number' ? dwIoControlCode >>> 0 : -1;
    const handler = handlerFor(code);
    // A null buffer with a non-zero size is WSAEFAULT here, unless the code's handler answers it itself.
    const nullBuffers = handler?.nullBuffers;
    const input = checkedView(lpvInBuffer, cbInBuffer) ?? (nullBuffers?.input ? nullView(lpvInBuffer, cbInBuffer) : null);
    const output = checkedView(lpvOutBuffer, cbOutBuffer) ?? (nullBuffers?.output ? nullView(lpvOutBuffer, cbOutBuffer) : null);
    if (input === null || output === null) return fail(W.WSAEFAULT);
    // The overlapped arguments only count on a socket created for overlapped I/O.
    const overlapped = sock.overlapped && (lpOverlapped != null || lpCompletionRoutine != null);
    const call: IoctlCall = {
      sock, code, input, output, overlapped,
      inputIsNull: lpvInBuffer == null, outputIsNull: lpvOutBuffer == null,
    };
    const early = overlapped && lpOverlapped != null ? engine?.before?.(call) : undefined;
    const outcome = early ?? (handler ? checkRulesThenRun(handler, call) : unsupported(call));
    if (overlapped) {
      if (!engine) return finish(lpcbBytesReturned, { error: W.WSAEOPNOTSUPP, bytes: 0 });
      return engine.overlapped(call, handler ?? UNSUPPORTED, outcome, lpcbBytesReturned, lpOverlapped ?? null, lpCompletionRoutine ?? null);
    }
    if ('wait' in outcome) return finish(lpcbBytesReturned, waitSynchronously(sock, call, outcome));
    return finish(lpcbBytesReturned, outcome);
  } catch {
    // A handler bug must not escape a Winsock function; report it as Windows reports the unknown.
    return fail(W.WSAEINVAL);
  }
};

function checkRulesThenRun(handler: IoctlHandler, call: IoctlCall): IoctlOutcome {
  const types = handler.sockets;
  if (types && !types.types.includes(call.sock.type)) return { error: types.error, bytes: types.bytes === 'zero' ? 0 : undefined, byRule: true };
  for (const [rule, size, isNull] of [
    [handler.input, call.input.length, call.inputIsNull],
    [handler.output, call.output.length, call.outputIsNull],
  ] as const) {
    if (sizeRuleFails(rule, size, isNull)) return { error: rule!.error, bytes: rule!.bytes === 'zero' ? 0 : undefined, byRule: true };
  }
  return handler.run(call);
}

const UNSUPPORTED: IoctlHandler = { name: 'unsupported', code: -1, run: unsupported };

/** Codes this backend does not implement: Windows answers WSAEOPNOTSUPP with 0 bytes. */
function unsupported(_call: IoctlCall): IoctlDone {
  return { error: W.WSAEOPNOTSUPP, bytes: 0 };
}

function waitSynchronously(sock: LinuxSocket, call: IoctlCall, outcome: Exclude<IoctlOutcome, IoctlDone>): IoctlDone {
  const now = outcome.wait.check();
  if (now) return now;
  if (sock.nonBlocking && !outcome.wait.blocksAnyway) {
    engine?.wouldBlock?.(call, outcome);
    return { error: W.WSAEWOULDBLOCK, bytes: 0 };
  }
  if (!engine) return { error: W.WSAEOPNOTSUPP, bytes: 0 };
  return engine.block(call, outcome);
}

function finish(bytesReturned: Ref<number>, result: IoctlDone): number {
  if (result.bytes !== undefined) bytesReturned.value = result.bytes;
  return result.error === 0 ? ok(0) : fail(result.error);
}
