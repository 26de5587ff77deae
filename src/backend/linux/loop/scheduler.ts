/**
 * When things get looked at again.
 *
 * - Deferred completions (an operation that Windows always completes "later", such as
 *   SIO_GET_INTERFACE_LIST): run at the start of every wait, and on the next event-loop turn.
 * - Waits: `waitSync` blocks this thread in poll() over the reactor's sources until its condition
 *   holds, an APC is due (alertable) or its time is up. `waitAsync` is the same loop driven by the
 *   event loop: it is re-evaluated right after anything in this thread changes (an event set, a
 *   packet posted, an operation completed, an APC queued: all of these happen in JS, so `kick()`
 *   wakes the waiters at once), and, for what only the kernel can report (netlink, socket
 *   readiness), when a poll() running on a libuv pool thread (koffi's `.async`) returns.
 *
 * The pool-thread poll is only a wake-up: its answer is not trusted (the set of sources may have
 * changed meanwhile); the JS thread then looks again with `pollOnce(0)` and re-evaluates. It also
 * watches an eventfd, written whenever the set changes or the waiting ends, so it never holds a
 * pool thread (4 by default, shared with fs, dns and crypto) longer than needed, and it is capped
 * at MAX_ASYNC_POLL_MS so a source whose wanted events changed is picked up again soon. A kernel
 * event thus reaches an async waiter within one thread hop instead of a timer slice.
 *
 * Keep-alive: the async poll runs only while an async waiter exists *and* kernel sources are
 * registered (something is pending that can still complete); a finite time-out keeps the loop alive
 * until it fires; an INFINITE async wait with nothing pending holds nothing, so the process can exit.
 */
import * as libc from '../host/libc.js';
import { hasSources, pollOnce, pollSet, watchSourceCount } from './reactor.js';
import { apcPending, runApcs, watchApcs } from '../win32/apc.js';

export const INFINITE = 0xffffffff;
/** Longest a pool-thread poll runs before the JS thread rebuilds its set of sources (ms). */
export const MAX_ASYNC_POLL_MS = 250;

// ---- deferred completions ---------------------------------------------------------------------

const deferred: Array<() => void> = [];
let deferredScheduled: ReturnType<typeof setImmediate> | null = null;

/** Run `fn` at the next wait in this thread or on the next event-loop turn, whichever is first. */
export function defer(fn: () => void): void {
  deferred.push(fn);
  deferredScheduled ??= setImmediate(() => {
    deferredScheduled = null;
    runDeferred();
  });
}

export function runDeferred(): void {
  while (deferred.length > 0) {
    const fn = deferred.shift()!;
    try {
      fn();
    } catch {
      // A deferred completion never throws by design; a bug must not break the wait that ran it.
    }
  }
}

// ---- waits ------------------------------------------------------------------------------------

export interface WaitSpec<T> {
  /** The result when the wait is satisfied, else undefined. Checked before APCs (NT order). */
  ready(): T | undefined;
  /** Alertable: queued APCs run and the wait returns `onApc`. */
  alertable: boolean;
  onApc?: T;
  onTimeout: T;
  /** Milliseconds; INFINITE (0xFFFFFFFF) waits forever. */
  timeoutMs: number;
}

function deadlineOf(timeoutMs: number): number {
  const ms = timeoutMs >>> 0;
  return ms === INFINITE ? Infinity : Date.now() + ms;
}

/** One look at a wait's state; `undefined` means keep waiting. */
function step<T>(spec: WaitSpec<T>, deadline: number): T | undefined {
  runDeferred();
  const result = spec.ready();
  if (result !== undefined) return result;
  if (spec.alertable && apcPending()) {
    runApcs();
    return spec.onApc as T;
  }
  if (deadline !== Infinity && Date.now() >= deadline) return spec.onTimeout;
  return undefined;
}

/** Block this thread (in poll(), no CPU) until the wait is over. */
export function waitSync<T>(spec: WaitSpec<T>): T {
  const deadline = deadlineOf(spec.timeoutMs);
  // What the kernel already has (a notification that arrived while nobody waited) counts first.
  pollOnce(0);
  for (;;) {
    const result = step(spec, deadline);
    if (result !== undefined) return result;
    pollOnce(deadline === Infinity ? -1 : Math.max(0, deadline - Date.now()));
  }
}

interface AsyncWaiter {
  evaluate(): boolean;
}

const waiters = new Set<AsyncWaiter>();
let kickScheduled = false;

/** Something changed in this thread: look at the async waiters again (once, soon). */
export function kick(): void {
  if (kickScheduled || waiters.size === 0) return;
  wakeAsyncPoll();
  kickScheduled = true;
  queueMicrotask(() => {
    kickScheduled = false;
    evaluateAll();
  });
}

function evaluateAll(): void {
  for (const waiter of [...waiters]) if (waiters.has(waiter)) waiter.evaluate();
}

/** The same wait without blocking: resolved from the event loop. */
export function waitAsync<T>(spec: WaitSpec<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    const deadline = deadlineOf(spec.timeoutMs);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const waiter: AsyncWaiter = {
      evaluate() {
        const result = step(spec, deadline);
        if (result === undefined) return false;
        waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        updateAsyncPoll();
        resolve(result);
        return true;
      },
    };
    waiters.add(waiter);
    pollOnce(0);
    if (deadline !== Infinity) {
      timer = setTimeout(() => {
        timer = null;
        // One last look at the kernel before reporting a time-out.
        pollOnce(0);
        if (!waiter.evaluate()) {
          waiters.delete(waiter);
          updateAsyncPoll();
          resolve(spec.onTimeout);
        }
      }, Math.max(0, deadline - Date.now()));
    }
    updateAsyncPoll();
    // First look on the next microtask: the caller's synchronous code finishes first, as with any
    // promise-returning call.
    kick();
  });
}

// ---- the pool-thread poll -----------------------------------------------------------------------

let waker = -1;
let asyncPolling = false;
const eight = new Uint8Array(8);

function wakerFd(): number {
  if (waker < 0) waker = libc.eventfd(0, libc.L.EFD_NONBLOCK | libc.L.EFD_CLOEXEC);
  return waker;
}

/** End a running pool-thread poll now (its callback decides whether another one is needed). */
function wakeAsyncPoll(): void {
  if (!asyncPolling || waker < 0) return;
  eight.fill(0);
  eight[0] = 1;
  libc.write(waker, eight, 8);
}

function tick(): void {
  pollOnce(0);
  runDeferred();
  evaluateAll();
}

function startAsyncPoll(): void {
  const fd = wakerFd();
  if (fd < 0) return;
  const { buffer, count } = pollSet(fd);
  asyncPolling = true;
  // Its own copy: the JS thread keeps using the reactor's buffer while the pool thread waits.
  libc.pollAsync(buffer.slice(0, count * 8), count, MAX_ASYNC_POLL_MS, () => {
    asyncPolling = false;
    // Reset the eventfd (EAGAIN when nobody wrote: fine), unless the thread closed it meanwhile.
    if (waker === fd) libc.read(fd, eight, 8);
    tick();
    updateAsyncPoll();
  });
}

/**
 * The kernel sources are watched for the event loop only while an async waiter exists (a thread
 * nobody waits in polls nothing; its completions are picked up by its next wait, which always
 * starts with a look at the kernel). The pool-thread poll then keeps the process alive: something
 * is pending and someone awaits it.
 */
function updateAsyncPoll(): void {
  const need = waiters.size > 0 && hasSources();
  if (need && !asyncPolling) startAsyncPoll();
  else if (asyncPolling) wakeAsyncPoll();
  if (!need) closeWaker();
}

/**
 * Nobody waits any more: give the eventfd back at once (an idle thread's fd count stays flat). A
 * pool-thread poll still running has been woken first; it holds its own reference to the file.
 */
function closeWaker(): void {
  if (waker < 0) return;
  libc.close(waker);
  waker = -1;
}

watchSourceCount(updateAsyncPoll);
watchApcs(kick);

/** Forget every async waiter and timer (the thread is exiting). */
export function shutdownScheduler(): void {
  waiters.clear();
  deferred.length = 0;
  if (deferredScheduled) clearImmediate(deferredScheduled);
  deferredScheduled = null;
  wakeAsyncPoll();
  closeWaker();
}
