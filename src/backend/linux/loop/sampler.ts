/**
 * A periodic tick for waits that have no kernel notification (the ideal send backlog is a value
 * computed from tcp_info, which the kernel never announces): one timerfd per JS thread, armed while
 * at least one listener exists, polled by the reactor like any other source. Synchronous waits
 * therefore still block in poll() between ticks; nothing ticks when nobody listens.
 */
import { L, read, timerfd_create, timerfd_settime } from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { addSource } from './reactor.js';


/** Sampling period (ms). */
export const SAMPLE_MS = 100;

const listeners = new Set<() => void>();
let fd = -1;
let removeSource: (() => void) | null = null;
const expirations = new Uint8Array(8);

/** Call `listener` every SAMPLE_MS while it is registered (during waits and event-loop ticks). */
export function sample(listener: () => void): () => void {
  listeners.add(listener);
  if (fd < 0) start();
  return () => {
    if (listeners.delete(listener) && listeners.size === 0) stop();
  };
}

function start(): void {
  const t = noteOpened(timerfd_create(L.CLOCK_MONOTONIC, L.TFD_NONBLOCK | L.TFD_CLOEXEC));
  if (t < 0) return;
  const spec = new Uint8Array(32);
  const view = new DataView(spec.buffer);
  const ns = BigInt(SAMPLE_MS) * 1_000_000n;
  view.setBigInt64(8, ns, true); // it_interval.tv_nsec
  view.setBigInt64(24, ns, true); // it_value.tv_nsec
  if (timerfd_settime(t, 0, spec, null) < 0) {
    closeOwnedFd(t);
    return;
  }
  fd = t;
  removeSource = addSource({
    fd: () => fd,
    events: () => L.POLLIN,
    ready: () => {
      read(fd, expirations, 8);
      for (const listener of [...listeners]) {
        if (!listeners.has(listener)) continue;
        try {
          listener();
        } catch {
          // one listener's bug must not stop the others
        }
      }
    },
  });
}

function stop(): void {
  removeSource?.();
  removeSource = null;
  if (fd >= 0) closeOwnedFd(fd);
  fd = -1;
}

export function shutdownSampler(): void {
  listeners.clear();
  stop();
}
