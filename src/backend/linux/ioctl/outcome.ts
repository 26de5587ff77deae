/**
 * What the dispatcher and the overlapped delivery share: a call's outcome from its handler
 * (declared checks, then the body), writing the result, and the non-overlapped way to settle a
 * call that has to wait (block, or WSAEWOULDBLOCK and the FD_ event later).
 */
import * as W from '../../../errors/index.js';
import type { Ref } from '../../../winsock/types.js';
import { fail, ok } from '../win32/last-error.js';
import { threadAlerts } from '../win32/apc.js';
import { latchNetworkEvent } from '../win32/event-select.js';
import { INFINITE, waitSync } from '../loop/wait.js';
import { firstFailure } from './checks.js';
import { failed, UNTOUCHED, type IoctlCall, type IoctlDone, type IoctlHandler, type IoctlOutcome, type IoctlWait, type OverlappedBehaviour } from './types.js';

/** Codes this backend does not implement: Windows answers WSAEOPNOTSUPP with 0 bytes. */
export const NOT_IMPLEMENTED: IoctlHandler = {
  name: '(not implemented)',
  code: -1,
  checks: [],
  overlapped: { kind: 'not-supported' },
  run: () => failed(W.WSAEOPNOTSUPP, 0),
};

const AS_RUN: OverlappedBehaviour = { kind: 'as-run' };
export const overlappedBehaviour = (handler: IoctlHandler): OverlappedBehaviour => handler.overlapped ?? AS_RUN;

/** The handler's checks in its order, then its body. */
export function outcomeOf(handler: IoctlHandler, call: IoctlCall): IoctlOutcome {
  const failure = firstFailure(handler.checks, call);
  if (failure) return failure;
  // In overlapped mode some codes refuse before their body (kept apart: the common path stays small).
  const refusal = call.overlapped ? overlappedRefusal(handler) : null;
  return refusal ?? handler.run(call);
}

/** How the code answers in overlapped mode before its body runs, or null when the body runs. */
function overlappedRefusal(handler: IoctlHandler): IoctlDone | null {
  const behaviour = overlappedBehaviour(handler);
  if (behaviour.kind === 'not-supported') return failed(W.WSAEOPNOTSUPP, 0);
  if (behaviour.kind === 'refused') return failed(behaviour.error, behaviour.bytes);
  return null;
}

/** Write *lpcbBytesReturned (unless UNTOUCHED) and return the Winsock result. */
export function finish(bytesReturned: Ref<number>, result: IoctlDone): number {
  if (result.bytes !== UNTOUCHED) bytesReturned.value = result.bytes;
  return result.error === 0 ? ok(0) : fail(result.error);
}

/**
 * A call without overlapped delivery that has to wait: a blocking socket blocks (alertably, as
 * Windows' blocking calls do); a non-blocking one fails WSAEWOULDBLOCK now, and the code's FD_
 * event is signalled when the change comes.
 */
export function settle(call: IoctlCall, outcome: IoctlOutcome): IoctlDone {
  if (!('wait' in outcome)) return outcome;
  const now = outcome.wait.check();
  if (now) return now;
  if (call.sock.nonBlocking && !outcome.wait.blocksAnyway) {
    armNetworkEvent(call, outcome);
    return failed(W.WSAEWOULDBLOCK, 0);
  }
  return block(call, outcome);
}

function block(call: IoctlCall, outcome: IoctlWait): IoctlDone {
  let woken = true;
  const unsubscribe = outcome.wait.subscribe(() => {
    woken = true;
  });
  try {
    return waitSync<IoctlDone>({
      ready: () => {
        if (woken) {
          woken = false;
          const result = outcome.wait.check();
          if (result) return result;
        }
        return call.sock.closed ? failed(W.WSAEINTR, 0) : undefined;
      },
      timeoutMs: INFINITE,
      onTimeout: failed(W.WSAEINTR, 0),
      alerts: { queue: threadAlerts, then: 'continue' },
    });
  } finally {
    unsubscribe();
  }
}

/**
 * Non-blocking without overlapped: the request reports its change once, through the FD_ event.
 * A socket keeps at most one such request per code; a new one replaces the old.
 */
function armNetworkEvent(call: IoctlCall, outcome: IoctlWait): void {
  const bit = outcome.wait.networkEvent;
  if (bit === undefined) return;
  const { sock, code } = call;
  sock.notificationRequests.get(code)?.();
  let fired = false;
  let unsubscribe: (() => void) | null = null;
  const drop = (): void => {
    if (sock.notificationRequests.get(code) === drop) sock.notificationRequests.delete(code);
    unsubscribe?.();
    unsubscribe = null;
  };
  sock.notificationRequests.set(code, drop);
  unsubscribe = outcome.wait.subscribe(() => {
    if (fired || !outcome.wait.check()) return;
    fired = true;
    // Each request reports once; the application re-issues the ioctl to hear of the next change.
    latchNetworkEvent(sock, bit, 0);
    queueMicrotask(drop);
  });
}
