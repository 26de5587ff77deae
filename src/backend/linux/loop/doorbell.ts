/**
 * This thread's doorbell (shared/threads.ts) as a reactor source, while a wait on a process-wide
 * object (an event, a completion port) is in progress and another JS thread exists that could ring
 * it. A synchronous wait then blocks in the one poll() over its sources with the doorbell among
 * them, and the async scheduler's pool-thread poll includes it: a ring from another thread ends
 * either at once without CPU while idle (docs/process-wide-handles.md §3, spike S3).
 *
 * With no other thread (a single-threaded program) nothing is registered, so an async INFINITE wait
 * on an event nobody can set still lets the process exit.
 */
import { L } from '../host/libc.js';
import { drainMyDoorbell, hasPeers, myDoorbell } from '../shared/threads.js';
import { addSource } from './reactor.js';

let armed = 0;
let removeSource: (() => void) | null = null;
/** What a ring may mean besides a shared object's change (a socket this thread holds closed elsewhere: sockets/lifecycle.ts). */
const ringListeners: (() => void)[] = [];

export function onRing(listener: () => void): void {
  ringListeners.push(listener);
}

function rung(): void {
  drainMyDoorbell();
  for (const listener of ringListeners) listener();
}

function update(): void {
  const want = armed > 0 && hasPeers();
  if (want && removeSource === null) {
    const fd = myDoorbell();
    if (fd < 0) return;
    removeSource = addSource({ fd: () => fd, events: () => L.POLLIN, ready: rung });
  } else if (!want && removeSource !== null) {
    const remove = removeSource;
    removeSource = null;
    remove();
  }
}

/** Another JS thread came or went (shared/threads.ts tells, wired by the backend's index.ts). */
export const peersChanged = update;

/**
 * A wait on a shared object starts, or an overlapped operation is pending (another thread may close
 * its socket and ring): listen to the doorbell (balanced by `disarm`).
 */
export function arm(): void {
  armed++;
  if (removeSource === null) update();
}

export function disarm(): void {
  if (armed > 0) armed--;
  if (armed === 0) update();
}
