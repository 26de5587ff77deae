/**
 * The host fds this JS thread owns, so that a Worker stopped with `worker.terminate()` does not
 * leak them. Each JS thread has its own module instances; on a normal end the backend's thread-exit
 * clean-up (index.ts) closes everything, but `terminate()` runs no JS in the Worker at all. So:
 *
 * - Recording (every thread but the main one, which has no parent to hand its fds to): every place
 *   the Linux backend opens a host fd it owns wraps the call in `noteOpened(...)`, and every close
 *   goes through `closeOwnedFd(fd)`. The fds are bits of a bitmap (bit `fd`) in a growable
 *   SharedArrayBuffer, set and cleared with Atomics: one or two instructions per open / close,
 *   nothing per socket call. Sockets borrowed from Node are never recorded (they are Node's: Node
 *   closes them when the Worker ends; docs/principles.md, principle 3).
 *
 * - Hand-over: when a Worker records its first fd it creates its table and posts it, before
 *   recording anything, on the BroadcastChannel `wsaioctl:thread-fds` as
 *   `{ kind: 'table', version: 1, threadId, table }`. Node's BroadcastChannel puts a message into
 *   every other channel's queue synchronously inside postMessage (node_messaging.cc,
 *   SiblingGroup::Dispatch -> AddToIncomingQueue, one FIFO per receiving channel), so a table
 *   posted before `terminate()` is delivered even though its sender is gone.
 *
 * - Parent side (`closeFdsOfEndedWorkers`, installed by the backend's index.ts, so only in threads
 *   that loaded the library): `process.on('worker')` (Node >= 16.2; emitted on the next tick after
 *   the Worker constructor, so before any message can be dispatched) notes each Worker this thread
 *   creates, with its threadId (`worker.threadId` reads -1 once it has exited). When the Worker's
 *   'exit' event fires its thread has been joined: nothing in it runs any more, so every fd still
 *   in its table is still open and nobody else can hold that number; the parent closes them. The
 *   'exit' event can come before the table message (both wait on this thread's event loop), so
 *   the parent then posts a `flush` marker on the channel, from a second channel object closed at
 *   once: the FIFO puts it behind any table the Worker posted. A table arriving between the two is
 *   closed on arrival; the marker ends the entry (a Worker that never loaded the library leaves
 *   nothing behind either). The listening channel is unref()'d: it never keeps a thread alive.
 *
 * Races, and why each way out is the safe one:
 * - A close clears the bit first, then calls close(): a Worker terminated between the two leaks
 *   that one fd, rather than the parent later closing a number the kernel may have handed to
 *   another thread in between.
 * - An open is recorded right after the syscall returns: a Worker terminated between the two leaks
 *   that fd (nothing can close a number it never recorded).
 * - The bits are taken with Atomics.exchange, so two copies of this library in one parent (each
 *   sees the Worker and the table) never both close one fd.
 *
 * Not covered (these fds stay open until the process exits): Workers of a thread that never loaded
 * the library, or created before it loaded it (nobody is there to note them: a thread without this
 * listener cannot close anything for its Workers); Workers still running when the Worker that
 * created them ends (Node stops them without running JS in their parent); fd numbers at or above
 * MAX_BYTES * 8.
 * Nothing here throws: a table that cannot be made or grown only means those fds are not recorded.
 */
import { BroadcastChannel, isMainThread, threadId, type Worker } from 'node:worker_threads';
import * as libc from './libc.js';

const CHANNEL = 'wsaioctl:thread-fds';
const VERSION = 1;
/** The first table covers fds 0..32767 (one page); it grows in pages up to MAX_BYTES. */
const PAGE = 4096;
/** Address space reserved per table (not memory): fds below 8 Mi, beyond Linux's default nr_open of 1 Mi. */
const MAX_BYTES = 1 << 20;

/** ES2024's growable SharedArrayBuffer (Node 20 has it; the compile target's lib predates it). */
type GrowableSharedArrayBuffer = SharedArrayBuffer & { grow(newByteLength: number): void };
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (byteLength: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;

type TableMessage = { kind: 'table'; version: number; threadId: number; table: SharedArrayBuffer };
type FlushMessage = { kind: 'flush'; version: number; threadId: number };

// ---- this thread's own fds ----------------------------------------------------------------------

let buffer: GrowableSharedArrayBuffer | null = null;
/** A length-tracking view: it grows with the buffer. */
let bits: Int32Array | null = null;
/** No table here: the main thread (nobody to hand it to), or making one failed. */
let unavailable = isMainThread;

function table(): Int32Array | null {
  if (bits !== null || unavailable) return bits;
  try {
    const made = new GrowableSharedArrayBuffer(PAGE, { maxByteLength: MAX_BYTES });
    const channel = new BroadcastChannel(CHANNEL);
    try {
      channel.postMessage({ kind: 'table', version: VERSION, threadId, table: made } satisfies TableMessage);
    } finally {
      channel.close();
    }
    buffer = made;
    bits = new Int32Array(made);
  } catch {
    unavailable = true;
  }
  return bits;
}

/** `fd` (the result of a call that opens one; negative: nothing opened) is this thread's now. Returns `fd`. */
export function noteOpened(fd: number): number {
  if (fd < 0 || unavailable) return fd;
  try {
    const words = table();
    if (words === null) return fd;
    const word = fd >>> 5;
    if (word >= words.length) {
      const needed = Math.ceil(((word + 1) * 4) / PAGE) * PAGE;
      if (needed > MAX_BYTES) return fd;
      buffer?.grow(needed);
    }
    Atomics.or(words, word, 1 << (fd & 31));
  } catch {
    // not recorded: only a terminated Worker could leak it
  }
  return fd;
}

/**
 * `noteOpened(fd)` unless `notThisThreads`: a dup3 onto a number that stays another owner's (a
 * shared socket's fd, shared/sockets.ts) opens nothing of this thread's. Returns `fd`.
 */
export function noteOpenedUnless(notThisThreads: boolean, fd: number): number {
  return notThisThreads ? fd : noteOpened(fd);
}

/** `fd` is about to be closed by this thread: no longer its (call before close(), see above). */
export function noteClosed(fd: number): void {
  if (fd < 0 || bits === null) return;
  const word = fd >>> 5;
  if (word < bits.length) Atomics.and(bits, word, ~(1 << (fd & 31)));
}

/** The fds recorded for this thread now, in order (for tests; always empty on the main thread). */
export function recordedFds(): number[] {
  const fds: number[] = [];
  if (bits === null) return fds;
  for (let word = 0; word < bits.length; word++) {
    const value = Atomics.load(bits, word);
    for (let bit = 0; bit < 32; bit++) if (value & (1 << bit)) fds.push(word * 32 + bit);
  }
  return fds;
}

/** Close an fd this thread opened (recorded with `noteOpened`): forget it first, then close(). */
export function closeOwnedFd(fd: number): number {
  noteClosed(fd);
  return libc.close(fd);
}

// ---- the Workers this thread created ------------------------------------------------------------

interface Child {
  /** Usually one; a Worker with two copies of the library has one per copy. */
  tables: Int32Array[];
  exited: boolean;
}

const children = new Map<number, Child>();
let listening: BroadcastChannel | null = null;

/** Close every fd still recorded in an ended Worker's table (each bit taken once, atomically). */
function closeRecorded(words: Int32Array): void {
  for (let word = 0; word < words.length; word++) {
    let taken = Atomics.exchange(words, word, 0);
    while (taken !== 0) {
      const bit = 31 - Math.clz32(taken);
      taken &= ~(1 << bit);
      libc.close(word * 32 + bit);
    }
  }
}

/** Workers of this thread whose fds are still looked after (for tests: it drops back to 0). */
export function workersLookedAfter(): number {
  return children.size;
}

function received(data: unknown): void {
  if (typeof data !== 'object' || data === null) return;
  const message = data as { kind?: unknown; version?: unknown; threadId?: unknown; table?: unknown };
  if (message.version !== VERSION || typeof message.threadId !== 'number') return;
  // Only Workers this thread created; every thread that loaded the library hears every message.
  const child = children.get(message.threadId);
  if (child === undefined) return;
  if (message.kind === 'table' && message.table instanceof SharedArrayBuffer) {
    const words = new Int32Array(message.table);
    // Posted before the Worker ended, delivered after: it is dead, close now.
    if (child.exited) closeRecorded(words);
    else child.tables.push(words);
  } else if (message.kind === 'flush' && child.exited) {
    // Every table the Worker posted came before this marker: nothing more can come.
    children.delete(message.threadId);
  }
}

function exited(id: number): void {
  const child = children.get(id);
  if (child === undefined) return;
  child.exited = true;
  for (const words of child.tables) closeRecorded(words);
  child.tables = [];
  // A table posted before the end may still be queued here: the marker comes back after it.
  const marker = new BroadcastChannel(CHANNEL);
  try {
    marker.postMessage({ kind: 'flush', version: VERSION, threadId: id } satisfies FlushMessage);
  } finally {
    marker.close();
  }
}

function workerCreated(worker: Worker): void {
  try {
    const id = worker.threadId;
    if (id < 0 || children.has(id)) return;
    children.set(id, { tables: [], exited: false });
    worker.once('exit', () => {
      try {
        exited(id);
      } catch {
        children.delete(id);
      }
    });
  } catch {
    // this Worker is not looked after
  }
}

/**
 * Close the fds of this thread's Workers when they end, whichever way (see the header). Called
 * once by the backend (index.ts); does nothing where BroadcastChannel cannot be made.
 */
export function closeFdsOfEndedWorkers(): void {
  if (listening !== null) return;
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: unknown) => {
      try {
        received((event as { data?: unknown }).data);
      } catch {
        // a malformed message changes nothing
      }
    };
    channel.unref();
    listening = channel;
    process.on('worker', workerCreated);
  } catch {
    listening = null;
  }
}
