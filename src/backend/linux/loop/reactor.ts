/**
 * The reactor: the kernel file descriptors this JS thread is waiting on (the shared rtnetlink
 * watcher, sockets under WSAEventSelect, ...), polled together. Synchronous waits block in one
 * poll() over all of them (no CPU while waiting: docs/principles.md, principle 5); async waits call
 * `pollOnce(0)` from a timer (see scheduler.ts). A source is registered only while something is
 * pending on it, so an idle thread polls nothing.
 */
import * as libc from '../host/libc.js';
import { POLLFD_SIZE, pollRevents, setPollfd } from '../host/poll.js';

export interface KernelSource {
  /** The fd to poll now, or -1 to skip this round (for example a closed borrowed socket). */
  fd(): number;
  /** poll() event bits wanted now; 0 skips the source this round. */
  events(): number;
  /** Called with the revents poll() reported (never 0). */
  ready(revents: number): void;
  /**
   * When it is the only source of a wait: block on it alone, up to `timeoutMs` (-1 forever), and
   * dispatch what it reports, in one system call instead of poll() and then its own read. False
   * when it cannot now (the wait then polls as usual).
   */
  waitAlone?(timeoutMs: number): boolean;
}

const sources = new Set<KernelSource>();
const sourceListeners = new Set<() => void>();

function sourcesChanged(): void {
  for (const listener of sourceListeners) listener();
}

/** Register a source; returns the function that removes it. */
export function addSource(source: KernelSource): () => void {
  sources.add(source);
  sourcesChanged();
  return () => {
    if (sources.delete(source)) sourcesChanged();
  };
}

export function hasSources(): boolean {
  return sources.size > 0;
}

/** Be told when the set of sources grows or shrinks (the async scheduler starts or ends its poll). */
export function onSourcesChanged(listener: () => void): void {
  sourceListeners.add(listener);
}

let buffer = new Uint8Array(POLLFD_SIZE * 16);

/** A host fd polled along with the sources for one wait (a blocking socket call's own fd). */
export interface ExtraFd {
  readonly fd: number;
  readonly events: number;
}

/** The pollfd array for every source that wants something now, then `extra` (if given) last. */
export function pollSet(extra: ExtraFd | null = null): { buffer: Uint8Array; list: KernelSource[]; count: number } {
  const list: KernelSource[] = [];
  const fds: number[] = [];
  const wanted: number[] = [];
  for (const source of sources) {
    const events = source.events();
    const fd = events ? source.fd() : -1;
    if (fd < 0) continue;
    list.push(source);
    fds.push(fd);
    wanted.push(events);
  }
  if (extra && extra.fd >= 0) {
    fds.push(extra.fd);
    wanted.push(extra.events);
  }
  if (buffer.length < POLLFD_SIZE * Math.max(1, fds.length)) buffer = new Uint8Array(POLLFD_SIZE * fds.length * 2);
  const view = new DataView(buffer.buffer);
  for (let i = 0; i < fds.length; i++) setPollfd(view, i, fds[i]!, wanted[i]!);
  return { buffer, list, count: fds.length };
}

/**
 * One poll() over every source (and `extra`), then dispatch what is ready. `timeoutMs` < 0 waits
 * forever, 0 only looks. With nothing to poll, a positive time-out just sleeps in the kernel.
 * Returns the revents of `extra` (0 when it reported nothing). EINTR returns early with 0 (the
 * caller's loop recomputes its time left).
 */
export function pollOnce(timeoutMs: number, extra: ExtraFd | null = null): number {
  const timeout = timeoutMs < 0 ? -1 : Math.min(Math.ceil(timeoutMs), 0x7fffffff);
  // The common wait of a server: socket readiness alone (one epoll_wait).
  if (extra === null && sources.size === 1) {
    const only: KernelSource = sources.values().next().value!;
    if (only.waitAlone && only.events() && only.fd() >= 0 && only.waitAlone(timeout)) return 0;
  }
  const { buffer, list, count } = pollSet(extra);
  const view = new DataView(buffer.buffer);
  const n = libc.poll(buffer, count, timeout);
  // 0: time-out. < 0: EINTR, or poll() itself failed; either way the caller's loop recomputes
  // its time left, so nothing spins.
  if (n <= 0) return 0;
  const ready: Array<[KernelSource, number]> = [];
  for (let i = 0; i < list.length; i++) {
    const revents = pollRevents(view, i);
    if (revents) ready.push([list[i]!, revents]);
  }
  const extraRevents = count > list.length ? pollRevents(view, list.length) : 0;
  for (const [source, revents] of ready) {
    // A source removed by an earlier callback of this round is not called any more.
    if (sources.has(source)) source.ready(revents);
  }
  return extraRevents;
}
