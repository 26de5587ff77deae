/**
 * The one blocking wait of a JS thread. Every synchronous wait uses it: blocking socket calls
 * (recv, send, accept, connect in Winsock's blocking mode), blocking WSAIoctl calls (a change
 * notification on a blocking socket), SleepEx, WSAWaitForMultipleEvents, WSAGetOverlappedResult
 * and GetQueuedCompletionStatus. It blocks in one poll() over the reactor's sources (plus the
 * caller's own fd, if any), so the thread costs no CPU while it waits (docs/principles.md,
 * principle 5), and it services the reactor while it waits: a notification that arrives for
 * another pending operation is delivered meanwhile. A thread that counts as running on a completion
 * port stops counting while it blocks here, as Windows counts only runnable threads
 * (docs/process-wide-handles.md §6).
 *
 * Alerts (queued completion routines) are the caller's to name, as Windows decides per call:
 * an alertable wait (SleepEx(.., TRUE)) runs them and returns; a blocking socket call runs them
 * and goes on waiting (Windows' blocking Winsock calls wait alertably); a non-alertable wait
 * (WSAGetOverlappedResult) leaves them queued. `scheduler.ts` drives the same `step` from the
 * event loop for the async twins.
 */
import { pollOnce, type ExtraFd } from './reactor.js';
import { runDeferred } from './deferred.js';
import { isMainThread } from 'node:worker_threads';
import { arm as armDoorbell, disarm as disarmDoorbell } from './doorbell.js';
import { myPort } from '../shared/threads.js';
import { regionIfUsed } from '../shared/region.js';
import { pausePort, resumePort, type RecordRef } from '../shared/objects.js';

export const INFINITE = 0xffffffff;

/** This thread's queue of alerts (completion routines): how a wait sees and runs them. */
export interface Alerts {
  pending(): boolean;
  run(): void;
}

export interface WaitSpec<T> {
  /**
   * The result when the wait is satisfied, else undefined. Checked before alerts (NT order).
   * `fdEvents` is what the caller's `fd` last reported (0 when nothing, or no fd).
   */
  ready(fdEvents: number): T | undefined;
  /** Milliseconds; INFINITE (0xFFFFFFFF) waits forever. */
  timeoutMs: number;
  onTimeout: T;
  /**
   * Queued completion routines: `return` runs them and ends the wait with `result` (an alertable
   * wait), `continue` runs them and goes on waiting (a blocking socket call). Absent: they wait.
   */
  alerts?: { queue: Alerts; then: 'continue' } | { queue: Alerts; then: 'return'; result: T };
  /** A host fd to poll along with the reactor's sources; its revents reach `ready`. */
  fd?: ExtraFd;
  /**
   * A wait on process-wide objects: `arm` registers this thread as their waiter (another thread's
   * change then rings its doorbell, loop/doorbell.ts) before the first look, `disarm` ends that when
   * the wait ends, however it ends.
   */
  arm?(): void;
  disarm?(): void;
}

export function deadlineOf(timeoutMs: number): number {
  const ms = timeoutMs >>> 0;
  return ms === INFINITE ? Infinity : Date.now() + ms;
}

/** One look at a wait's state; `undefined` means keep waiting. */
export function step<T>(spec: WaitSpec<T>, deadline: number, fdEvents = 0): T | undefined {
  runDeferred();
  const result = spec.ready(fdEvents);
  if (result !== undefined) return result;
  const alerts = spec.alerts;
  if (alerts && alerts.queue.pending()) {
    alerts.queue.run();
    if (alerts.then === 'return') return alerts.result;
    const after = spec.ready(fdEvents);
    if (after !== undefined) return after;
  }
  if (deadline !== Infinity && Date.now() >= deadline) return spec.onTimeout;
  return undefined;
}

/** Block this thread (in poll(), no CPU) until the wait is over. */
export function waitSync<T>(spec: WaitSpec<T>): T {
  // Already satisfied (a queued packet, a signalled event): no system call, no registration.
  runDeferred();
  const early = spec.ready(0);
  if (early !== undefined) return early;
  // Registered as a waiter first, then looked at again (blockUntilDone): a change made by another
  // thread in between is seen by that look or rings this thread.
  // A zero time-out never blocks: it only looks (at the objects here, at the kernel in blockUntilDone).
  const mayBlock = spec.timeoutMs >>> 0 !== 0;
  const arming = spec.arm !== undefined && mayBlock;
  // In a Worker every blocking wait listens to its doorbell: worker.terminate() and the main
  // thread's exit ring it, since a Worker inside poll() cannot be stopped (docs/process-wide-handles.md
  // §3, spike S4).
  const doorbell = mayBlock && !isMainThread;
  // A thread running on a completion port stops counting while it blocks, and counts again after
  // (docs/process-wide-handles.md §6). A thread on no port pays this one check.
  const paused = mayBlock && myPort() >= 0 ? pause() : null;
  if (doorbell) armDoorbell();
  if (arming) spec.arm!();
  try {
    return blockUntilDone(spec, arming);
  } finally {
    if (arming) spec.disarm?.();
    if (doorbell) disarmDoorbell();
    if (paused !== null) resumePort(regionIfUsed()!, paused);
  }
}

/** Leave the port this thread runs on, for the length of a blocking wait (a slot implies the region). */
function pause(): RecordRef | null {
  const r = regionIfUsed();
  return r === null ? null : pausePort(r);
}

/** `lookAgain`: the wait just registered as a waiter, so it looks before it blocks. */
function blockUntilDone<T>(spec: WaitSpec<T>, lookAgain: boolean): T {
  const deadline = deadlineOf(spec.timeoutMs);
  const fd = spec.fd ?? null;
  if (lookAgain) {
    runDeferred();
    const early = spec.ready(0);
    if (early !== undefined) return early;
  }
  // Else what the kernel already has (a notification that arrived while nobody waited) counts
  // before alerts and the time-out: the first poll blocks only when there is nothing else to do.
  const mayBlock = !(spec.alerts && spec.alerts.queue.pending());
  let fdEvents = pollOnce(mayBlock ? timeLeft(deadline) : 0, fd);
  for (;;) {
    const result = step(spec, deadline, fdEvents);
    if (result !== undefined) return result;
    fdEvents = pollOnce(timeLeft(deadline), fd);
  }
}

/** pollOnce's time-out for a deadline: -1 forever, else the milliseconds left (0 when past). */
function timeLeft(deadline: number): number {
  return deadline === Infinity ? -1 : Math.max(0, deadline - Date.now());
}

/**
 * Wait until `fd` reports one of `events` (or an error / hang-up): its revents, 0 when
 * `timeoutMs` ran out, -1 as soon as `abandoned()` says so (looked at after every alert: a
 * completion routine may close the very socket being waited on). `timeoutMs` 0 waits forever
 * (SO_RCVTIMEO / SO_SNDTIMEO's "no time-out").
 */
export function waitForFd(fd: number, events: number, timeoutMs: number, alerts: Alerts, abandoned: () => boolean): number {
  return waitSync<number>({
    fd: { fd, events },
    ready: (fdEvents) => (abandoned() ? -1 : fdEvents !== 0 ? fdEvents : undefined),
    timeoutMs: timeoutMs > 0 ? Math.min(timeoutMs, INFINITE - 1) : INFINITE,
    onTimeout: 0,
    alerts: { queue: alerts, then: 'continue' },
  });
}
