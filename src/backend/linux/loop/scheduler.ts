/**
 * Async waits: `waitAsync` is the wait of wait.ts driven by the event loop instead of blocking: it is re-evaluated right after anything in this thread changes (an event set, a
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
 * Keep-alive: the async poll runs only while an async waiter exists or a hold is taken
 * (`holdServicing`: overlapped transfers are pending, which Windows' kernel completes whether or not
 * the thread waits), *and* kernel sources are registered (something is pending that can still
 * complete); a finite time-out keeps the loop alive until it fires; an INFINITE async wait with
 * nothing pending holds nothing, so the process can exit.
 */
import * as libc from '../host/libc.js';
import { POLLFD_SIZE } from '../host/poll.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { hasSources, onSourcesChanged, pollOnce, pollSet } from './reactor.js';
import { discardDeferred, runDeferred } from './deferred.js';
import { deadlineOf, step, type WaitSpec } from './wait.js';

/** Longest a pool-thread poll runs before the JS thread rebuilds its set of sources (ms). */
export const MAX_ASYNC_POLL_MS = 250;

interface AsyncWaiter {
  evaluate(): boolean;
}

const waiters = new Set<AsyncWaiter>();
let kickScheduled = false;
/** Holds taken by holdServicing and not yet ended. */
let holds = 0;

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
    // A wait on process-wide objects registers as their waiter first (loop/doorbell.ts).
    spec.arm?.();
    const finish = (result: T): void => {
      waiters.delete(waiter);
      if (timer) clearTimeout(timer);
      spec.disarm?.();
      updateAsyncPoll();
      resolve(result);
    };
    const waiter: AsyncWaiter = {
      evaluate() {
        const result = step(spec, deadline);
        if (result === undefined) return false;
        finish(result);
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
        if (waiters.has(waiter) && !waiter.evaluate()) finish(spec.onTimeout);
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
/** The pollfd arrays of the pool-thread polls still running (see startAsyncPoll). */
const inFlight = new Set<Uint8Array>();
const eight = new Uint8Array(8);

function wakerFd(): number {
  if (waker < 0) waker = noteOpened(libc.eventfd(0, libc.L.EFD_NONBLOCK | libc.L.EFD_CLOEXEC));
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
  const { buffer, count } = pollSet({ fd, events: libc.L.POLLIN });
  asyncPolling = true;
  // Its own copy: the JS thread keeps using the reactor's buffer while the pool thread waits.
  // koffi hands the pool thread the array's memory itself, unpinned: the array must stay
  // referenced until the callback, or a GC meanwhile frees what poll() writes revents into.
  const fds = buffer.slice(0, count * POLLFD_SIZE);
  inFlight.add(fds);
  libc.pollAsync(fds, count, MAX_ASYNC_POLL_MS, () => {
    inFlight.delete(fds);
    asyncPolling = false;
    // Reset the eventfd (EAGAIN when nobody wrote: fine), unless the thread closed it meanwhile.
    if (waker === fd) libc.read(fd, eight, 8);
    tick();
    updateAsyncPoll();
  });
}

/**
 * Service the kernel sources from the event loop while the hold lasts, even with no async waiter:
 * what is pending then completes while the thread is idle (its event signalled, its packet
 * queued), as Windows' kernel completes an overlapped transfer by itself. Like a reading
 * net.Socket, a hold keeps the process alive; ending the last one lets it go at once.
 */
export function holdServicing(): () => void {
  holds++;
  if (!asyncPolling) updateAsyncPoll();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0) updateAsyncPoll();
  };
}

/**
 * The kernel sources are watched for the event loop only while an async waiter exists or a hold
 * is taken (a thread nobody waits in, with nothing held, polls nothing; its completions are picked
 * up by its next wait, which always starts with a look at the kernel). The pool-thread poll then
 * keeps the process alive: something is pending and someone awaits it (or Windows would complete
 * it by itself).
 */
function updateAsyncPoll(): void {
  const need = (waiters.size > 0 || holds > 0) && hasSources();
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
  closeOwnedFd(waker);
  waker = -1;
}

onSourcesChanged(updateAsyncPoll);

/** Forget every async waiter and timer (the thread is exiting). */
export function shutdownScheduler(): void {
  waiters.clear();
  discardDeferred();
  wakeAsyncPoll();
  closeWaker();
}
