/**
 * SleepEx, WSAWaitForMultipleEvents, WaitForSingleObjectEx, WaitForMultipleObjectsEx,
 * MsgWaitForMultipleObjectsEx and WSAGetOverlappedResult, each with an async twin that returns a
 * Promise and leaves the event loop running (see scheduler.ts for how both kinds wait).
 *
 * Windows facts kept:
 * - An alertable wait runs every queued completion routine of this thread and returns
 *   WAIT_IO_COMPLETION (0xC0); a signalled object is reported first (NT checks objects before APCs).
 * - WSAWaitForMultipleEvents: 1..64 handles, else WSA_WAIT_FAILED with WSA_INVALID_PARAMETER; a
 *   handle that is not an open event: WSA_WAIT_FAILED with WSA_INVALID_HANDLE; returns
 *   WSA_WAIT_EVENT_0 + the lowest signalled index, WSA_WAIT_TIMEOUT (0x102) when time is up.
 * - WaitForSingleObjectEx / WaitForMultipleObjectsEx are the same wait with the kernel32 names
 *   (nf-synchapi-waitforsingleobjectex, -waitformultipleobjectsex): 1..MAXIMUM_WAIT_OBJECTS (64)
 *   handles, ERROR_INVALID_PARAMETER otherwise (and for one object named twice with bWaitAll);
 *   ERROR_INVALID_HANDLE for a handle that is not a waitable object; WAIT_OBJECT_0 + the lowest
 *   signalled index, WAIT_IO_COMPLETION, WAIT_TIMEOUT. The waitable objects here are events
 *   (WSAEVENTs) and socket handles (signalled at I/O completion: LinuxSocket.signalled,
 *   extension-functions.md §4 fact 5); a completion port handle is refused with
 *   ERROR_INVALID_HANDLE (no source says what waiting on one does; README, approximations).
 * - MsgWaitForMultipleObjectsEx (nf-winuser-msgwaitformultipleobjectsex): at most
 *   MAXIMUM_WAIT_OBJECTS - 1 handles; WAIT_OBJECT_0 + nCount when input of a kind in dwWakeMask
 *   came (posted messages: QS_POSTMESSAGE / QS_ALLPOSTMESSAGE) since the last GetMessageW /
 *   PeekMessageW, or is there at all with MWMO_INPUTAVAILABLE; MWMO_ALERTABLE runs completion
 *   routines (WAIT_IO_COMPLETION); MWMO_WAITALL waits for every object and input together. Order:
 *   a signalled object, then input, then completion routines, then the time-out (Wine's
 *   server/thread.c check_wait order; Wine's sock.c harness waits this way between its
 *   PeekMessage looks).
 * - WSAGetOverlappedResult (Wine's test_WSAGetOverlappedResult): the socket is checked first
 *   (WSAENOTSOCK); Internal == STATUS_PENDING with fWait FALSE gives WSA_IO_INCOMPLETE; a success
 *   status gives TRUE and *lpcbTransfer = InternalHigh; a failure gives FALSE with the status as a
 *   Winsock error (STATUS_CANCELLED: WSA_OPERATION_ABORTED). Its wait is not alertable.
 */
import * as W from '../../../errors/index.js';
import {
  MAXIMUM_WAIT_OBJECTS, MWMO_ALERTABLE, MWMO_INPUTAVAILABLE, MWMO_WAITALL, WSA_MAXIMUM_WAIT_EVENTS, WSA_WAIT_EVENT_0,
  WSA_WAIT_FAILED, WSA_WAIT_IO_COMPLETION, WSA_WAIT_TIMEOUT,
} from '../../../winsock/constants.js';
import type { HANDLE, Ref, WSAEVENT, WSAOVERLAPPED } from '../../../winsock/types.js';
import { fail, ok, setLastError } from './last-error.js';
import type { LinuxSocket } from './socket-state.js';
import { consume, eventFor, type Waitable } from './events.js';
import { lookup } from './handles.js';
import { opFor } from './operations.js';
import { waitAsync } from '../loop/scheduler.js';
import { waitSync, type WaitSpec } from '../loop/wait.js';
import { threadAlerts } from './apc.js';
import { arm as armDoorbell, disarm as disarmDoorbell } from '../loop/doorbell.js';
import { inputWaiting } from './messages.js';

const truthy = (value: unknown): boolean => value === true || (typeof value === 'number' && value !== 0);

// ---- SleepEx ----------------------------------------------------------------------------------

function sleepSpec(dwMilliseconds: number, bAlertable: boolean | number): WaitSpec<number> {
  return {
    timeoutMs: Number(dwMilliseconds) >>> 0,
    alerts: truthy(bAlertable) ? { queue: threadAlerts, then: 'return', result: WSA_WAIT_IO_COMPLETION } : undefined,
    onTimeout: 0,
    ready: () => undefined,
  };
}

/** SleepEx: 0 when the time is up, WAIT_IO_COMPLETION (0xC0) when completion routines ran. */
export function SleepEx(dwMilliseconds: number, bAlertable: boolean | number): number {
  return waitSync(sleepSpec(dwMilliseconds, bAlertable));
}

export function SleepExAsync(dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  return waitAsync(sleepSpec(dwMilliseconds, bAlertable));
}

// ---- WSAWaitForMultipleEvents ------------------------------------------------------------------

/**
 * The objects of a multiple-object wait (`minimum`..`maximum` handles), or the error to set
 * (WSA_INVALID_PARAMETER is ERROR_INVALID_PARAMETER and WSA_INVALID_HANDLE ERROR_INVALID_HANDLE).
 */
function objectsOf(cEvents: unknown, lphEvents: readonly WSAEVENT[] | null, all: boolean, minimum: number, maximum: number): Waitable[] | number {
  const count = Number(cEvents);
  if (!Number.isInteger(count) || count < minimum || count > maximum) return W.WSA_INVALID_PARAMETER;
  if (count > 0 && (lphEvents == null || !Array.isArray(lphEvents) || lphEvents.length < count)) return W.WSA_INVALID_PARAMETER;
  const events: Waitable[] = [];
  for (let i = 0; i < count; i++) {
    const event = waitableFor(lphEvents![i]);
    if (!event) return W.WSA_INVALID_HANDLE;
    events.push(event);
  }
  // Waiting for all of a list that names one object twice is a parameter error on Windows.
  if (all && new Set(events).size !== events.length) return W.WSA_INVALID_PARAMETER;
  return events;
}

/**
 * One look at the objects: WAIT_OBJECT_0 + the lowest signalled index (with `all`: WAIT_OBJECT_0
 * once every one is signalled, and `extra()` holds too), WAIT_FAILED when one was closed meanwhile,
 * undefined when the wait goes on. Satisfying the wait consumes what it reports.
 */
/** An event, or a socket handle (signalled by its overlapped operations: LinuxSocket.signalled). */
function waitableFor(handle: unknown): Waitable | undefined {
  const event = eventFor(handle);
  if (event || typeof handle !== 'number') return event;
  const object = lookup(handle);
  return object?.kind === 'socket' ? (object as LinuxSocket) : undefined;
}

function objectsReady(events: readonly Waitable[], all: boolean, extra: () => boolean = () => true): number | undefined {
  if (events.some((e) => e.closed)) {
    setLastError(W.WSA_INVALID_HANDLE);
    return WSA_WAIT_FAILED;
  }
  if (all) {
    if (!events.every((e) => e.signalled) || !extra()) return undefined;
    for (const e of events) consume(e);
    return WSA_WAIT_EVENT_0;
  }
  for (let index = 0; index < events.length; index++) {
    const e = events[index]!;
    if (!e.signalled) continue;
    // A shared auto-reset object another thread took first is not signalled for this wait any more.
    if (e.consume && !e.consume()) continue;
    if (!e.consume) consume(e);
    return WSA_WAIT_EVENT_0 + index;
  }
  return undefined;
}

/**
 * arm / disarm for a wait on `objects`: the process-wide ones (events) register this thread as
 * their waiter, so a change made by another thread rings it (loop/doorbell.ts).
 */
function waitersOf(objects: readonly Waitable[]): Pick<WaitSpec<unknown>, 'arm' | 'disarm'> {
  const shared = objects.filter((o) => o.addWaiter !== undefined);
  if (shared.length === 0) return {};
  return {
    arm() {
      armDoorbell();
      for (const o of shared) o.addWaiter!();
    },
    disarm() {
      disarmDoorbell();
      for (const o of shared) o.removeWaiter!();
    },
  };
}

function eventsSpec(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): WaitSpec<number> | number {
  const all = truthy(fWaitAll);
  const events = objectsOf(cEvents, lphEvents, all, 1, WSA_MAXIMUM_WAIT_EVENTS);
  if (typeof events === 'number') return events;
  return {
    timeoutMs: Number(dwTimeout) >>> 0,
    alerts: truthy(fAlertable) ? { queue: threadAlerts, then: 'return', result: WSA_WAIT_IO_COMPLETION } : undefined,
    onTimeout: WSA_WAIT_TIMEOUT,
    ready: () => objectsReady(events, all),
    ...waitersOf(events),
  };
}

export function WSAWaitForMultipleEvents(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): number {
  const spec = eventsSpec(cEvents, lphEvents, fWaitAll, dwTimeout, fAlertable);
  if (typeof spec === 'number') {
    setLastError(spec);
    return WSA_WAIT_FAILED;
  }
  return waitSync(spec);
}

export function WSAWaitForMultipleEventsAsync(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): Promise<number> {
  const spec = eventsSpec(cEvents, lphEvents, fWaitAll, dwTimeout, fAlertable);
  if (typeof spec === 'number') {
    setLastError(spec);
    return Promise.resolve(WSA_WAIT_FAILED);
  }
  return waitAsync(spec);
}

// ---- WaitForSingleObjectEx / WaitForMultipleObjectsEx -------------------------------------------

/** The spec, or WAIT_FAILED with its last error set already. */
function syncOrFail(spec: WaitSpec<number> | number): WaitSpec<number> | null {
  if (typeof spec !== 'number') return spec;
  setLastError(spec);
  return null;
}

export function WaitForSingleObjectEx(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): number {
  const spec = syncOrFail(eventsSpec(1, [hHandle], false, dwMilliseconds, bAlertable));
  return spec ? waitSync(spec) : WSA_WAIT_FAILED;
}

export function WaitForSingleObjectExAsync(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  const spec = syncOrFail(eventsSpec(1, [hHandle], false, dwMilliseconds, bAlertable));
  return spec ? waitAsync(spec) : Promise.resolve(WSA_WAIT_FAILED);
}

export function WaitForMultipleObjectsEx(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): number {
  const spec = syncOrFail(eventsSpec(nCount, lpHandles, bWaitAll, dwMilliseconds, bAlertable));
  return spec ? waitSync(spec) : WSA_WAIT_FAILED;
}

export function WaitForMultipleObjectsExAsync(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  const spec = syncOrFail(eventsSpec(nCount, lpHandles, bWaitAll, dwMilliseconds, bAlertable));
  return spec ? waitAsync(spec) : Promise.resolve(WSA_WAIT_FAILED);
}

// ---- MsgWaitForMultipleObjectsEx ---------------------------------------------------------------

function msgWaitSpec(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): WaitSpec<number> | number {
  const flags = Number(dwFlags) >>> 0;
  const wakeMask = Number(dwWakeMask) >>> 0;
  if (flags & ~(MWMO_WAITALL | MWMO_ALERTABLE | MWMO_INPUTAVAILABLE)) return W.ERROR_INVALID_PARAMETER;
  const all = (flags & MWMO_WAITALL) !== 0;
  const events = objectsOf(nCount, pHandles, all, 0, MAXIMUM_WAIT_OBJECTS - 1);
  if (typeof events === 'number') return events;
  const input = (): boolean => inputWaiting(wakeMask, (flags & MWMO_INPUTAVAILABLE) !== 0);
  return {
    timeoutMs: Number(dwMilliseconds) >>> 0,
    alerts: flags & MWMO_ALERTABLE ? { queue: threadAlerts, then: 'return', result: WSA_WAIT_IO_COMPLETION } : undefined,
    onTimeout: WSA_WAIT_TIMEOUT,
    ...waitersOf(events),
    ready() {
      if (all) return events.length === 0 ? (input() ? WSA_WAIT_EVENT_0 : undefined) : objectsReady(events, true, input);
      const signalled = objectsReady(events, false);
      if (signalled !== undefined) return signalled;
      return input() ? WSA_WAIT_EVENT_0 + events.length : undefined;
    },
  };
}

export function MsgWaitForMultipleObjectsEx(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): number {
  const spec = syncOrFail(msgWaitSpec(nCount, pHandles, dwMilliseconds, dwWakeMask, dwFlags));
  return spec ? waitSync(spec) : WSA_WAIT_FAILED;
}

export function MsgWaitForMultipleObjectsExAsync(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): Promise<number> {
  const spec = syncOrFail(msgWaitSpec(nCount, pHandles, dwMilliseconds, dwWakeMask, dwFlags));
  return spec ? waitAsync(spec) : Promise.resolve(WSA_WAIT_FAILED);
}

// ---- WSAGetOverlappedResult --------------------------------------------------------------------

type GorArgs = [sock: LinuxSocket, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null];

/** The result for an overlapped that is not (or no longer) pending. */
function result(ov: WSAOVERLAPPED, cbTransfer: Ref<number>, flags: Ref<number>): boolean {
  const status = Number(ov.Internal) >>> 0;
  cbTransfer.value = Number(ov.InternalHigh) >>> 0;
  if (status === W.STATUS_PENDING || W.ntSuccess(status)) {
    // A receive's flags (MSG_OOB ...); 0 for anything else. A failure leaves *lpdwFlags alone
    // (Wine's test_ip_pktinfo). STATUS_PENDING here: a wait on hEvent was signalled while
    // Internal still says pending, which Windows reports as success. Any other success status is
    // TRUE with the last error 0 (Windows before 10 1809; later ones set RtlNtStatusToDosError).
    flags.value = opFor(ov)?.receiveFlags ?? 0;
    return ok(true);
  }
  fail(W.ntStatusToWsaError(status));
  return false;
}

/** Checks and the immediate answer; a WaitSpec when the caller must wait for the operation. */
function gorSetup([, ov, cbTransfer, fWait, flags]: GorArgs): boolean | WaitSpec<boolean> {
  if (ov == null || typeof ov !== 'object' || cbTransfer == null || typeof cbTransfer !== 'object' || flags == null || typeof flags !== 'object') {
    fail(W.WSAEFAULT);
    return false;
  }
  const pending = (): boolean => (Number(ov.Internal) >>> 0) === W.STATUS_PENDING;
  if (!pending()) return result(ov, cbTransfer, flags);
  if (!truthy(fWait)) {
    fail(W.WSA_IO_INCOMPLETE);
    return false;
  }
  // Wait on hEvent when it is an event, else on the operation itself (Windows waits on the socket
  // handle, which is signalled when its I/O completes).
  const h = typeof ov.hEvent === 'number' ? ov.hEvent & ~1 : 0;
  const event = h ? eventFor(h) : undefined;
  const op = opFor(ov);
  if (!event && (!op || op.done)) return result(ov, cbTransfer, flags);
  return {
    timeoutMs: 0xffffffff,
    onTimeout: false,
    ready: () => ((event ? event.signalled : op!.done) || !pending() ? result(ov, cbTransfer, flags) : undefined),
    ...(event ? waitersOf([event]) : {}),
  };
}

/** WSAGetOverlappedResult once its socket is looked up (sockets/overlapped-result.ts has the function). */
export function overlappedResult(...args: GorArgs): boolean {
  const spec = gorSetup(args);
  return typeof spec === 'boolean' ? spec : waitSync(spec);
}

export function overlappedResultAsync(...args: GorArgs): Promise<boolean> {
  const spec = gorSetup(args);
  return typeof spec === 'boolean' ? Promise.resolve(spec) : waitAsync(spec);
}
