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
 *   readiness), by a timer that calls `pollOnce(0)` every TICK_MS while such sources exist.
 *
 * Why a timer slice and not a koffi `.async` poll: koffi runs async calls as napi async work on
 * libuv's thread pool (4 threads by default, shared with fs, dns and crypto), so a long poll there
 * would hold a pool thread for the whole wait and can delay a Worker's teardown; the timer costs one
 * poll(0) syscall per slice and at most TICK_MS latency, and only for kernel-reported events.
 *
 * Keep-alive: the tick timer runs only while an async waiter exists *and* kernel sources are
 * registered (something is pending that can still complete); a finite time-out keeps the loop alive
 * until it fires; an INFINITE async wait with nothing pending holds nothing, so the process can exit.
 */
import { hasSources, pollOnce, watchSourceCount } from './reactor.js';
import { apcPending, runApcs, watchApcs } from './apc.js';

export const INFINITE = 0xffffffff;
/** Period of the async poll of kernel sources (ms). */
export const TICK_MS = 20;

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
        updateTicker();
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
          updateTicker();
          resolve(spec.onTimeout);
        }
      }, Math.max(0, deadline - Date.now()));
    }
    updateTicker();
    // First look on the next microtask: the caller's synchronous code finishes first, as with any
    // promise-returning call.
    kick();
  });
}

// ---- the tick ---------------------------------------------------------------------------------

let ticker: ReturnType<typeof setInterval> | null = null;

function tick(): void {
  pollOnce(0);
  runDeferred();
  evaluateAll();
}

/**
 * The kernel sources are polled from the event loop only while an async waiter exists (a thread
 * nobody waits in polls nothing; its completions are picked up by its next wait, which always
 * starts with a look at the kernel). Then the timer is ref'd: something is pending and someone
 * awaits it.
 */
function updateTicker(): void {
  const need = waiters.size > 0 && hasSources();
  if (need && !ticker) ticker = setInterval(tick, TICK_MS);
  if (!need && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
}

watchSourceCount(updateTicker);
watchApcs(kick);

/** Forget every async waiter and timer (the thread is exiting). */
export function shutdownScheduler(): void {
  waiters.clear();
  deferred.length = 0;
  if (deferredScheduled) clearImmediate(deferredScheduled);
  deferredScheduled = null;
  if (ticker) clearInterval(ticker);
  ticker = null;
}
