/**
 * How the async twins wait on the Windows backend: by polling the real objects with zero time-outs
 * from the JS thread, on a timer.
 *
 * Each waiting promise is a Waiter whose poll() makes the real call with a 0 time-out
 * (WSAWaitForMultipleEvents, SleepEx, GetQueuedCompletionStatus, ...) and says whether it is
 * settled. One timer serves all the waiters of this thread: it fires every TICK_MS (or at the
 * nearest deadline), and at once (setImmediate) after anything in this thread that can satisfy a
 * wait (an event set, a packet posted, an overlapped call, a cancellation: `kick()`).
 *
 * Why not a koffi `.async` call of the blocking function:
 * - completion routines are APCs of the thread that issued the call: an alertable wait on a libuv
 *   pool thread would never run them (and Wine delivers an overlapped call's own completion
 *   through the issuing thread's waits too);
 * - a wait on the pool holds one of its 4 threads (shared with fs, dns, crypto) for the whole
 *   time-out, and an INFINITE one can be neither abandoned nor interrupted: it would keep the
 *   process alive, or block its exit, with nothing left to wait for.
 * The cost is one cheap system call per waiter per tick and up to TICK_MS of latency for what
 * another thread or the kernel signals (our own thread's signals are seen at once).
 *
 * Keep-alive: the timer holds the event loop open only while a waiter has a finite deadline or an
 * overlapped operation of this thread is in flight (or its routine is due); an INFINITE wait with
 * nothing pending polls on an unref'd timer, so the process can exit. A kick's one immediate round
 * always holds it (what changed may settle a waiter).
 */

/** Period of the poll (ms). */
export const TICK_MS = 10;

export interface Waiter {
  /** One non-blocking look; true when the waiter is settled (it resolved its promise). */
  poll(): boolean;
  /** The deadline passed without poll() settling: resolve with the time-out answer. */
  expire(): void;
  /** Date.now() value; Infinity for INFINITE. */
  readonly deadline: number;
}

const waiters = new Set<Waiter>();
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

/** Polls once now; if that does not settle it, keeps polling until it does or the deadline passes. */
export function wait(waiter: Waiter): void {
  if (settle(waiter)) return;
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
    if (waiters.has(waiter) && settle(waiter)) waiters.delete(waiter);
  }
  schedule();
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
