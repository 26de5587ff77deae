/**
 * struct pollfd and poll() on one fd: the one codec of the pollfd layout, and the one single-fd
 * poll with its EINTR rule.
 *
 *   struct pollfd { int fd; short events; short revents; }   8 bytes (every Linux ABI):
 *     fd      int32 @0
 *     events  int16 @4
 *     revents int16 @6   (read back as unsigned bits)
 *
 * Arrays of pollfd (the reactor's poll set) are POLLFD_SIZE apart; `setPollfd` / `pollRevents`
 * take the entry's index.
 */
import * as libc from './libc.js';
import { E } from './libc.js';

/** Bytes of one struct pollfd. */
export const POLLFD_SIZE = 8;

/** Write entry `index` of a pollfd array: `fd`, `events`, and revents cleared. */
export function setPollfd(view: DataView, index: number, fd: number, events: number): void {
  const at = index * POLLFD_SIZE;
  view.setInt32(at, fd, true);
  view.setInt16(at + 4, events, true);
  view.setInt16(at + 6, 0, true);
}

/** The revents bits of entry `index` of a pollfd array (unsigned: POLLRDHUP and friends stay positive). */
export function pollRevents(view: DataView, index: number): number {
  return view.getUint16(index * POLLFD_SIZE + 6, true);
}

/** The largest time-out poll() takes (an int of milliseconds). */
const MAX_TIMEOUT_MS = 0x7fffffff;

// One reusable pollfd in native memory (libc.ts: an all-integer call is koffi's fast one);
// calls are synchronous, one at a time on this JS thread.
const one = libc.nativeBlock(POLLFD_SIZE);

/**
 * poll() on one fd for `events` (POLL* bits, Linux values).
 *
 * Returns the revents bits (> 0), 0 when the time-out passed with nothing to report, or -1 when
 * poll() itself failed (its errno is `libc.errno()`; test `> 0` before testing bits). POLLERR,
 * POLLHUP and POLLNVAL come back whatever `events` asks (events 0 asks for nothing else).
 *
 * `timeoutMs`, as poll(2) takes it: < 0 waits until something is reported, 0 only looks (never
 * blocks), > 0 waits at most that long (fractions rounded up, capped at 2^31 - 1 ms). A signal
 * (EINTR) restarts the call with the time that is left, so it neither ends the wait early nor
 * lengthens it. The wait blocks this JS thread in the kernel (no CPU).
 */
export function pollOne(fd: number, events: number, timeoutMs: number): number {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
  for (;;) {
    setPollfd(one.view, 0, fd, events);
    const left = timeoutMs < 0 ? -1
      : timeoutMs === 0 ? 0
      : Math.min(Math.ceil(Math.max(0, deadline - Date.now())), MAX_TIMEOUT_MS);
    const n = libc.pollAt(one.address, 1, left);
    if (n > 0) return pollRevents(one.view, 0);
    if (n === 0) return 0;
    if (libc.errno() !== E.EINTR) return -1;
  }
}

/**
 * poll() on one fd for `events` without waiting: pollOne(fd, events, 0) in a form small enough for
 * V8 to inline into a per-call path (FIONREAD's urgent-data look). Same results and EINTR rule.
 */
export function pollNow(fd: number, events: number): number {
  setPollfd(one.view, 0, fd, events);
  const n = libc.pollAt(one.address, 1, 0);
  return n > 0 ? pollRevents(one.view, 0) : n === 0 ? 0 : pollNowFailed(fd, events);
}

/** A signal interrupted pollNow's poll(): look again (any other failure is -1). */
const pollNowFailed = (fd: number, events: number): number => (libc.errno() === E.EINTR ? pollNow(fd, events) : -1);
