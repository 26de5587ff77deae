/**
 * The reactor: the kernel file descriptors this JS thread is waiting on (the shared rtnetlink
 * watcher, sockets under WSAEventSelect, ...), polled together. Synchronous waits block in one
 * poll() over all of them (no CPU while waiting: docs/principles.md, principle 5); async waits call
 * `pollOnce(0)` from a timer (see scheduler.ts). A source is registered only while something is
 * pending on it, so an idle thread polls nothing.
 */
import * as libc from '../host/libc.js';

export interface KernelSource {
  /** The fd to poll now, or -1 to skip this round (for example a closed borrowed socket). */
  fd(): number;
  /** poll() event bits wanted now; 0 skips the source this round. */
  events(): number;
  /** Called with the revents poll() reported (never 0). */
  ready(revents: number): void;
}

const sources = new Set<KernelSource>();
let onSourcesChanged: (() => void) | null = null;

/** Register a source; returns the function that removes it. */
export function addSource(source: KernelSource): () => void {
  sources.add(source);
  onSourcesChanged?.();
  return () => {
    if (sources.delete(source)) onSourcesChanged?.();
  };
}

export function hasSources(): boolean {
  return sources.size > 0;
}

/** The scheduler's hook: told when the set of sources grows or shrinks. */
export function watchSourceCount(hook: () => void): void {
  onSourcesChanged = hook;
}

let buffer = new Uint8Array(8 * 16);

/** The pollfd array for every source that wants something now (plus `extraFd`, if given). */
export function pollSet(extraFd = -1): { buffer: Uint8Array; list: KernelSource[]; count: number } {
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
  if (extraFd >= 0) {
    fds.push(extraFd);
    wanted.push(libc.L.POLLIN);
  }
  if (buffer.length < 8 * Math.max(1, fds.length)) buffer = new Uint8Array(8 * fds.length * 2);
  const view = new DataView(buffer.buffer);
  for (let i = 0; i < fds.length; i++) {
    view.setInt32(i * 8, fds[i]!, true);
    view.setInt16(i * 8 + 4, wanted[i]!, true);
    view.setInt16(i * 8 + 6, 0, true);
  }
  return { buffer, list, count: fds.length };
}

/**
 * One poll() over every source, then dispatch what is ready. `timeoutMs` < 0 waits forever, 0 only
 * looks. With no source, a positive time-out just sleeps in the kernel. Returns how many sources
 * were dispatched. EINTR returns early with 0 (the caller's loop recomputes its time left).
 */
export function pollOnce(timeoutMs: number): number {
  const { buffer, list } = pollSet();
  const view = new DataView(buffer.buffer);
  const timeout = timeoutMs < 0 ? -1 : Math.min(Math.ceil(timeoutMs), 0x7fffffff);
  const n = libc.poll(buffer, list.length, timeout);
  // 0: time-out. < 0: EINTR, or poll() itself failed; either way the caller's loop recomputes
  // its time left, so nothing spins.
  if (n <= 0) return 0;
  const ready: Array<[KernelSource, number]> = [];
  for (let i = 0; i < list.length; i++) {
    const revents = view.getUint16(i * 8 + 6, true);
    if (revents) ready.push([list[i]!, revents]);
  }
  for (const [source, revents] of ready) {
    // A source removed by an earlier callback of this round is not called any more.
    if (sources.has(source)) source.ready(revents);
  }
  return ready.length;
}
