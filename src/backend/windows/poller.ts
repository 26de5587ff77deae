/**
 * How the async twins wait on the Windows backend: on the real completion where Windows allows it
 * (a blocking call on a libuv pool thread), else by polling the real objects from the JS thread.
 *
 * Each waiting promise is a Waiter. Its poll() makes the real call with a 0 time-out
 * (WSAWaitForMultipleEvents, SleepEx, GetQueuedCompletionStatus, ...) and says whether it is
 * settled; every wait starts with one such look, at once.
 *
 * On the pool. A Waiter with a `native` form (GetQueuedCompletionStatus, a non-alertable
 * WSAWaitForMultipleEvents, WSAGetOverlappedResult on an operation with an event) makes the real
 * blocking call through koffi's `.async`, which runs it on a libuv pool thread: the promise
 * settles when Windows ends the wait. Not for alertable waits: completion routines are APCs of the
 * thread that issued the call and run only in that thread's alertable waits, never on a pool
 * thread; those keep polling.
 * Bounds, because the pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) also serves fs, dns
 * and crypto, and a request on it holds the event loop until it returns and cannot be cancelled:
 * - at most half the pool waits for this thread at a time; a wait that finds no free slot polls
 *   (and moves to the pool when a slot is free at a later round);
 * - one native wait lasts at most SLICE_MS, then is issued again;
 * - only a wait that would hold the event loop anyway goes to the pool: one with a finite
 *   time-out, or while an overlapped operation of this thread is in flight (or its routine is due).
 *   An INFINITE wait with nothing pending polls on an unref'd timer, so the process can exit; a
 *   pool wait that finds itself in that state after a slice goes back to polling.
 *
 * Polling. One timer serves all the polling waiters of this thread: it fires every TICK_MS (or at
 * the nearest deadline), and at once (setImmediate) after anything in this thread that can satisfy
 * a wait (an event set, a packet posted, an overlapped call, a cancellation: `kick()`). The cost is
 * one cheap system call per waiter per tick and up to TICK_MS of latency for what another thread or
 * the kernel signals (our own thread's signals are seen at once).
 *
 * Keep-alive: the timer holds the event loop open only while a polling waiter has a finite deadline
 * or an overlapped operation of this thread is in flight (or its routine is due). A kick's one
 * immediate round always holds it (what changed may settle a waiter).
 */

/** Period of the poll (ms). */
export const TICK_MS = 10;
/** Longest single native wait on the pool (ms); longer waits are issued again. */
export const SLICE_MS = 100;

/** libuv's pool size as libuv reads it (UV_THREADPOOL_SIZE, else 4; at least 1, at most 1024). */
function libuvPoolSize(): number {
  const raw = process.env.UV_THREADPOOL_SIZE;
  if (raw === undefined) return 4;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 1;
}
/** Pool threads this JS thread may hold with waits at once (a pool of one: none). */
const POOL_SLOTS = Math.floor(libuvPoolSize() / 2);

/** What one native wait on the pool tells back (see NativeWait.finish). */
export type SliceOutcome = 'settled' | 'again' | 'poll';

/** The blocking form of a wait, run on a libuv pool thread. */
export interface NativeWait<T> {
  /**
   * Starts one real wait of at most `ms` through koffi's `.async`. Its callback calls `done` at
   * once with koffi's error, the result and the last error the call left (readable only inside
   * koffi's callback). Memory the call writes must be native and freed by the callback.
   */
  start(ms: number, done: (error: unknown, result: T, lastError: number) => void): void;
  /**
   * Back on this thread: 'settled' when the waiter resolved (setting the last error itself),
   * 'again' when the wait timed out, 'poll' when polling must take over.
   */
  finish(result: T, lastError: number): SliceOutcome;
}

export interface Waiter {
  /** One non-blocking look; true when the waiter is settled (it resolved its promise). */
  poll(): boolean;
  /** The deadline passed without poll() settling: resolve with the time-out answer. */
  expire(): void;
  /** Date.now() value; Infinity for INFINITE. */
  readonly deadline: number;
  /** The blocking form, where Windows allows one on another thread. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly native?: NativeWait<any>;
}

const waiters = new Set<Waiter>();
let onPool = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let immediate: ReturnType<typeof setImmediate> | null = null;
let before: () => void = () => undefined;
let busy: () => boolean = () => false;

/** Hooks from the overlapped module: what to run before each round (reap), and whether work is pending. */
export function configurePoller(hooks: { beforeRound: () => void; hasWork: () => boolean }): void {
  before = hooks.beforeRound;
  busy = hooks.hasWork;
}

/** Deadline for a DWORD time-out in ms (INFINITE: never). */
export function deadlineOf(timeoutMs: number): number {
  return timeoutMs >>> 0 === 0xffffffff ? Infinity : Date.now() + (timeoutMs >>> 0);
}

/**
 * Looks once now; if that does not settle it, waits on the pool or keeps polling until it settles
 * or the deadline passes.
 */
export function wait(waiter: Waiter): void {
  if (settle(waiter)) return;
  if (poolTakes(waiter)) return;
  waiters.add(waiter);
  schedule();
}

/** Something in this thread changed: look again at once. */
export function kick(): void {
  if (waiters.size === 0 || immediate !== null) return;
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  // Always holds the loop for this one round: what changed may settle a waiter that nothing else
  // keeps alive (an operation just seen complete).
  immediate = setImmediate(round);
}

/** What this thread's waits use now (for tests): polling waiters, pool waits, whether the timer is set. */
export function waitStats(): { polling: number; onPool: number; timerArmed: boolean } {
  return { polling: waiters.size, onPool, timerArmed: timer !== null || immediate !== null };
}

/** True when the waiter is done (settled or expired). */
function settle(waiter: Waiter): boolean {
  let settled: boolean;
  try {
    settled = waiter.poll();
  } catch {
    settled = false;
  }
  if (settled) return true;
  if (Date.now() >= waiter.deadline) {
    waiter.expire();
    return true;
  }
  return false;
}

function round(): void {
  timer = null;
  immediate = null;
  try {
    before();
  } catch {
    // The reap never throws by design; a bug there must not stop the waiters.
  }
  for (const waiter of [...waiters]) {
    if (!waiters.delete(waiter)) continue;
    // Back in the set unless settled or on the pool now (poolTakes re-adds it if koffi refuses).
    if (!settle(waiter) && !poolTakes(waiter)) waiters.add(waiter);
  }
  schedule();
}

/** The wait holds the event loop whichever way it waits. */
function holdsLoop(waiter: Waiter): boolean {
  return waiter.deadline !== Infinity || busy();
}

function keepAlive(): boolean {
  if (busy()) return true;
  for (const waiter of waiters) if (waiter.deadline !== Infinity) return true;
  return false;
}

function schedule(): void {
  if (waiters.size === 0) {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    return;
  }
  if (immediate !== null) return;
  let delay = TICK_MS;
  const now = Date.now();
  for (const waiter of waiters) delay = Math.min(delay, Math.max(0, waiter.deadline - now));
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(round, delay);
  if (!keepAlive()) timer.unref();
}

// ---- waits on the pool ---------------------------------------------------------------------------

/** Puts the waiter on the pool when it has a native form, holds the loop anyway and a slot is free. */
function poolTakes(waiter: Waiter): boolean {
  if (waiter.native === undefined || onPool >= POOL_SLOTS || !holdsLoop(waiter)) return false;
  onPool++;
  slice(waiter, waiter.native);
  return true;
}

/** Leaves the pool: to polling, or done. */
function leavePool(waiter: Waiter, poll: boolean): void {
  onPool--;
  if (!poll) return;
  waiters.add(waiter);
  schedule();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function slice(waiter: Waiter, native: NativeWait<any>): void {
  const remaining = waiter.deadline - Date.now();
  if (remaining <= 0) {
    leavePool(waiter, false);
    waiter.expire();
    return;
  }
  try {
    native.start(Math.min(SLICE_MS, Math.ceil(remaining)), (error, result, lastError) => {
      // Inside koffi's callback the call's last error is this thread's, and whatever is set here is
      // undone when the callback returns: settle in a microtask, which runs after that.
      queueMicrotask(() => {
        let outcome: SliceOutcome = 'poll';
        if (error == null) {
          try {
            outcome = native.finish(result, lastError);
          } catch {
            outcome = 'poll';
          }
        }
        if (outcome === 'settled') {
          leavePool(waiter, false);
        } else if (outcome === 'again' && Date.now() >= waiter.deadline) {
          leavePool(waiter, false);
          waiter.expire();
        } else if (outcome === 'again' && holdsLoop(waiter)) {
          slice(waiter, native);
        } else {
          leavePool(waiter, true);
        }
      });
    });
  } catch {
    // koffi refused the call (its queue of async calls is full): poll instead.
    leavePool(waiter, true);
  }
}
