/**
 * The dispatcher's AsyncEngine (ioctl/dispatch.ts): WSAIoctl in overlapped mode, blocking waits,
 * and the would-block registration of change notifications.
 *
 * Windows facts (Wine's dlls/ws2_32/tests/sock.c, lines that pass on Windows), per outcome:
 * - Completes at once (FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS,
 *   SIO_GET_EXTENSION_FUNCTION_POINTER, SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY):
 *   returns 0 with *lpcbBytesReturned set; Internal = 0 and InternalHigh = 0; the completion packet
 *   carries 0 bytes and the routine gets cbTransferred 0 (the information of such a completion is
 *   0 even when output was written).
 * - Fails before it starts (null lpcbBytesReturned, a size rule, a bad GUID): returns SOCKET_ERROR
 *   with that error, Internal and InternalHigh untouched, no packet, no routine, event untouched.
 * - SIO_GET_INTERFACE_LIST always pends (SOCKET_ERROR + WSA_IO_PENDING, *lpcbBytesReturned
 *   untouched) and completes later with InternalHigh and the packet's byte count = the list size;
 *   even a too-small output pends, then completes with STATUS_BUFFER_TOO_SMALL (packet: FALSE +
 *   ERROR_INSUFFICIENT_BUFFER, routine: WSAEFAULT) and 0 bytes.
 * - SIO_BASE_HANDLE (and, inferred, SIO_BSP_HANDLE / _SELECT) and codes the provider does not know pend and complete with
 *   STATUS_NOT_SUPPORTED (packet: ERROR_NOT_SUPPORTED, routine: WSAEOPNOTSUPP), 0 bytes, output
 *   untouched; the routine runs at the very next alertable wait (SleepEx(0, TRUE)).
 * - SIO_ADDRESS_LIST_CHANGE pends whatever the blocking mode; closesocket then completes it with
 *   STATUS_CANCELLED (packet ERROR_OPERATION_ABORTED).
 */
import * as W from '../../../errors/index.js';
import { SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT, SIO_GET_INTERFACE_LIST } from '../../../codes/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, WSAOVERLAPPED } from '../../../winsock/types.js';
import { fail, ok } from '../win32/last-error.js';
import type { LinuxSocket } from '../sockets/socket-state.js';
import type { AsyncEngine } from './dispatch.js';
import type { IoctlCall, IoctlDone, IoctlHandler, IoctlOutcome, IoctlWait } from './types.js';
import { runApcs } from '../win32/apc.js';
import { complete, deliver, startPending } from '../win32/operations.js';
import { pollOnce } from '../loop/reactor.js';
import { defer, runDeferred } from '../loop/scheduler.js';
import { latchNetworkEvent } from '../win32/event-select.js';

function finish(bytesReturned: Ref<number>, result: IoctlDone): number {
  if (result.bytes !== undefined) bytesReturned.value = result.bytes;
  return result.error === 0 ? ok(0) : fail(result.error);
}

const statusOf = (result: IoctlDone): number => (result.error === 0 ? W.STATUS_SUCCESS : W.wsaErrorToNtStatus(result.error));

const isUnsupported = (handler: IoctlHandler): boolean => handler.code === -1 || handler.name === 'unsupported';

/** Codes that pend and complete "not supported" in overlapped mode, output untouched. */
const NOT_SUPPORTED_OVERLAPPED = new Set<number>([SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT]);

/** Pend, then complete with `status` right away (the kernel answered before the call returned). */
function pendAndComplete(call: IoctlCall, ov: WSAOVERLAPPED, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, status: number, information: number): number {
  const op = startPending(call.sock, ov, routine);
  complete(op, status, information);
  return fail(W.WSA_IO_PENDING);
}

function overlapped(
  call: IoctlCall,
  handler: IoctlHandler,
  outcome: IoctlOutcome,
  bytesReturned: Ref<number>,
  ov: WSAOVERLAPPED | null,
  routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  // A completion routine without a WSAOVERLAPPED has nothing to report through: the call runs as a
  // non-overlapped one.
  if (ov === null || typeof ov !== 'object') return nonOverlapped(call, outcome, bytesReturned);
  const { sock } = call;

  if (isUnsupported(handler) || NOT_SUPPORTED_OVERLAPPED.has(call.code)) {
    return pendAndComplete(call, ov, routine, W.STATUS_NOT_SUPPORTED, 0);
  }

  if (call.code === SIO_GET_INTERFACE_LIST) {
    const result: IoctlDone = 'wait' in outcome ? outcome.wait.check() ?? { error: W.WSAEINVAL } : outcome;
    const status = result.error === W.WSAEFAULT ? W.STATUS_BUFFER_TOO_SMALL : statusOf(result);
    const information = result.error === 0 ? result.bytes ?? 0 : 0;
    const op = startPending(sock, ov, routine);
    defer(() => complete(op, status, information));
    return fail(W.WSA_IO_PENDING);
  }

  if (!('wait' in outcome)) {
    if (outcome.error !== 0) {
      if (outcome.byRule && handler.overlappedRulesAfterStart) {
        ov.Internal = W.STATUS_PENDING;
        return fail(outcome.error);
      }
      return finish(bytesReturned, outcome);
    }
    return completedAtOnce(handler, sock, ov, routine, outcome, bytesReturned);
  }

  // An operation that has to wait: pending until its wait says it is done. A change notification's
  // check() is null at first, so it always pends first, as on Windows.
  const now = outcome.wait.check();
  if (now) {
    if (now.error !== 0) return finish(bytesReturned, now);
    return completedAtOnce(handler, sock, ov, routine, now, bytesReturned);
  }
  const op = startPending(sock, ov, routine);
  let subscribed = false;
  let finishedEarly = false;
  const wake = (): void => {
    if (op.done) return;
    const result = outcome.wait.check();
    if (!result) return;
    if (!subscribed) {
      finishedEarly = true;
      return;
    }
    complete(op, statusOf(result), result.bytes ?? 0);
  };
  op.release = outcome.wait.subscribe(wake);
  subscribed = true;
  if (finishedEarly) wake();
  return fail(W.WSA_IO_PENDING);
}

/** Success at once: *lpcbBytesReturned as the handler says (see overlappedSuccessLeavesBytes), then delivery. */
function completedAtOnce(handler: IoctlHandler, sock: LinuxSocket, ov: WSAOVERLAPPED, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, result: IoctlDone, bytesReturned: Ref<number>): number {
  const leave = handler.overlappedSuccessLeavesBytes === true && routine === null;
  if (result.bytes !== undefined && !leave) bytesReturned.value = result.bytes;
  deliver(sock, ov, routine, W.STATUS_SUCCESS, 0);
  return ok(0);
}

/** The call as if no overlapped arguments were given. */
function nonOverlapped(call: IoctlCall, outcome: IoctlOutcome, bytesReturned: Ref<number>): number {
  if (!('wait' in outcome)) return finish(bytesReturned, outcome);
  const now = outcome.wait.check();
  if (now) return finish(bytesReturned, now);
  if (call.sock.nonBlocking && !outcome.wait.blocksAnyway) {
    wouldBlock(call, outcome);
    return finish(bytesReturned, { error: W.WSAEWOULDBLOCK, bytes: 0 });
  }
  return finish(bytesReturned, block(call, outcome));
}

/**
 * A blocking socket's wait: this thread blocks in poll() over the reactor's sources until the
 * operation's check() has a result. Like Windows' blocking socket calls, the wait is alertable:
 * queued completion routines run during it, and it goes on waiting afterwards.
 */
function block(call: IoctlCall, outcome: IoctlWait): IoctlDone {
  let woken = true;
  const unsubscribe = outcome.wait.subscribe(() => {
    woken = true;
  });
  try {
    for (;;) {
      runDeferred();
      if (woken) {
        woken = false;
        const result = outcome.wait.check();
        if (result) return result;
      }
      runApcs();
      if (call.sock.closed) return { error: W.WSAEINTR, bytes: 0 };
      pollOnce(-1);
    }
  } finally {
    unsubscribe();
  }
}

/** Non-blocking without overlapped: WSAEWOULDBLOCK now, the FD_ event when the change comes. */
const interests = new Map<LinuxSocket, Set<() => void>>();

function wouldBlock(call: IoctlCall, outcome: IoctlWait): void {
  const bit = outcome.wait.networkEvent;
  if (bit === undefined) return;
  const { sock } = call;
  let set = interests.get(sock);
  if (!set) interests.set(sock, (set = new Set()));
  let unsubscribe: (() => void) | null = null;
  let fired = false;
  const drop = (): void => {
    set!.delete(drop);
    if (set!.size === 0) interests.delete(sock);
    unsubscribe?.();
    unsubscribe = null;
  };
  set.add(drop);
  unsubscribe = outcome.wait.subscribe(() => {
    if (fired || !outcome.wait.check()) return;
    fired = true;
    // Each request reports once; the application re-issues the ioctl to hear of the next change.
    latchNetworkEvent(sock, bit, 0);
    queueMicrotask(drop);
  });
}

/** Drop the would-block registrations of a socket that is closing. */
export function dropInterests(sock: LinuxSocket): void {
  for (const drop of [...(interests.get(sock) ?? [])]) drop();
}

export function dropAllInterests(): void {
  for (const sock of [...interests.keys()]) dropInterests(sock);
}

/**
 * Called by the dispatcher before the handler runs, for an overlapped call with a WSAOVERLAPPED:
 * SIO_BASE_HANDLE in overlapped mode never reaches its handler (the output stays untouched).
 */
function before(call: IoctlCall): IoctlOutcome | undefined {
  if (NOT_SUPPORTED_OVERLAPPED.has(call.code)) return { error: W.WSAEOPNOTSUPP, bytes: undefined };
  return undefined;
}

export const engine: AsyncEngine = { overlapped, block, wouldBlock, before };
