/**
 * Thread slots of the process-wide region (docs/process-wide-handles.md §3): one per JS thread that
 * uses a shared object, with its OS thread id and start time (a live thread is one whose
 * /proc/self/task/<tid> still has that start time: spike S4), its doorbell, and what it counts as on
 * a completion port.
 *
 * The doorbell is an eventfd another thread writes to wake this one (in a poll() that also serves
 * its sockets: spike S3). It is the thread's own fd (recorded in host/thread-fds.ts like the
 * others, so a terminated Worker's is closed by its parent). A ring must never land on a number
 * that was closed and reused for something else, so a ringer counts itself in flight, then checks
 * the slot is still live; a slot leaves LIVE first and then waits for the ringers in flight, and
 * only after that may its doorbell be closed (both sides are sequentially consistent Atomics).
 *
 * Locks: a record's lock word holds its holder's slot + 1. A Worker can be terminated inside a
 * critical section (spike S5), so a contender that has spun long checks that the holder still lives
 * and takes the lock over if not; critical sections are short runs of Atomics with the publishing
 * store last.
 */
import { subscribe as subscribeChannel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { isMainThread, threadId, type Worker } from 'node:worker_threads';
import * as libc from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { H, MAX_THREADS, RELEASE_RING, RELEASES, THREAD_BYTES, THREADS, region, regionIfMade, regionIfUsed, type Region } from './region.js';

/** Words of a thread slot (Int32 index from the slot's first word). */
const S = { state: 0, tid: 1, start: 2, threadId: 3, doorbell: 4, generation: 5, portRecord: 6, portGeneration: 7, waitSequence: 8, releaseHead: 9, releaseTail: 10, ringing: 11, socketCloses: 12, socketTurns: 13 } as const;
const FREE = 0;
const LIVE = 1;
const REAPING = 2;

/** Header word counting live slots (after the region's own header words). */
const LIVE_THREADS = H.packetChunks + 1;
/** Header word: 1 + the highest slot ever claimed (slots are claimed lowest first), so scans of waiter bits stop there. */
const SLOTS_USED = H.packetChunks + 2;

export const slotWord = (slot: number, word: number): number => ((THREADS + slot * THREAD_BYTES) >> 2) + word;

let me = -1;
let myGeneration = 0;
/** This thread has released its slot (it is ending): it takes none again. */
let ended = false;

function startTimeOf(tid: number): number {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    // Field 22 (starttime); fields after the command name, which may hold spaces, start at field 3.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) >>> 0;
  } catch {
    return -1;
  }
}

/** Whether the thread in `slot` is still running (its tid with the same start time). */
export function slotAlive(r: Region, slot: number): boolean {
  if (Atomics.load(r.i32, slotWord(slot, S.state)) !== LIVE) return false;
  const tid = Atomics.load(r.i32, slotWord(slot, S.tid));
  return startTimeOf(tid) === Atomics.load(r.i32, slotWord(slot, S.start)) >>> 0;
}

/** What a dead slot leaves behind is cleaned by the object layer (shared/objects.ts forgetThread, wired by the backend's index.ts). */
let reaper: (r: Region, slot: number) => void = () => {};
export function onReap(fn: (r: Region, slot: number) => void): void {
  reaper = fn;
}

/** Longest a reap waits for ringers still in flight (only a ringer terminated mid-ring stays counted). */
const RINGERS_WAIT_MS = 1000;

/**
 * Free a slot whose thread is gone or ending: no ring reaches it afterwards. Returns its doorbell fd
 * (-1: none, or another reaper had it), which only the thread itself may close (the parent of a
 * terminated Worker closes it through host/thread-fds.ts).
 */
function reap(r: Region, slot: number): number {
  if (Atomics.compareExchange(r.i32, slotWord(slot, S.state), LIVE, REAPING) !== LIVE) return -1;
  const deadline = Date.now() + RINGERS_WAIT_MS;
  while (Atomics.load(r.i32, slotWord(slot, S.ringing)) > 0 && Date.now() < deadline) Atomics.wait(pause, 0, 0, 1);
  try {
    reaper(r, slot);
  } finally {
    Atomics.store(r.i32, slotWord(slot, S.portRecord), 0);
    Atomics.store(r.i32, slotWord(slot, S.ringing), 0);
    Atomics.sub(r.i32, LIVE_THREADS, 1);
  }
  const doorbell = Atomics.exchange(r.i32, slotWord(slot, S.doorbell), 0) - 1;
  Atomics.store(r.i32, slotWord(slot, S.state), FREE);
  peersChanged();
  return doorbell;
}

/** This thread's slot, claimed on first use; -1 when the region cannot be had or every slot is taken. */
export function mySlot(): number {
  if (me >= 0 || ended) return me;
  const r = region();
  if (r === null) return -1;
  for (let round = 0; round < 2 && me < 0; round++) {
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      if (Atomics.compareExchange(r.i32, slotWord(slot, S.state), FREE, LIVE) !== FREE) continue;
      const tid = libc.gettid();
      Atomics.store(r.i32, slotWord(slot, S.tid), tid);
      Atomics.store(r.i32, slotWord(slot, S.start), startTimeOf(tid));
      Atomics.store(r.i32, slotWord(slot, S.threadId), threadId);
      Atomics.store(r.i32, slotWord(slot, S.portRecord), 0);
      myPortRecord = -1;
      myGeneration = Atomics.add(r.i32, slotWord(slot, S.generation), 1) + 1;
      Atomics.store(r.i32, slotWord(slot, S.releaseTail), Atomics.load(r.i32, slotWord(slot, S.releaseHead)));
      socketClosesSeen = Atomics.load(r.i32, slotWord(slot, S.socketCloses));
      turnsSeen = Atomics.load(r.i32, slotWord(slot, S.socketTurns));
      Atomics.add(r.i32, LIVE_THREADS, 1);
      // Raised before this thread can register as a waiter (sequentially consistent, as the bits are).
      for (let used = Atomics.load(r.i32, SLOTS_USED); used < slot + 1; used = Atomics.load(r.i32, SLOTS_USED)) {
        if (Atomics.compareExchange(r.i32, SLOTS_USED, used, slot + 1) === used) break;
      }
      me = slot;
      closesWords = r.i32;
      closesAt = slotWord(slot, S.socketCloses);
      break;
    }
    // Every slot taken: free those whose thread is gone (a Worker ended by terminate()), once.
    // Their doorbells are closed by their parents (host/thread-fds.ts), never here.
    if (me < 0) for (let slot = 0; slot < MAX_THREADS; slot++) if (!slotAlive(r, slot)) reap(r, slot);
  }
  if (me >= 0) peersChanged();
  return me;
}

/** Words of a waiter bitmap that can hold a set bit: those of the slots claimed so far. */
export const waiterWordsInUse = (r: Region): number => (Atomics.load(r.i32, SLOTS_USED) + 31) >>> 5;

export const myGenerationNow = (): number => myGeneration;
export const generationOf = (r: Region, slot: number): number => Atomics.load(r.i32, slotWord(slot, S.generation));

/** This thread is ending by itself: what its slot holds is cleaned and the slot freed (the doorbell stays with it). */
export function releaseMySlot(): void {
  ended = true;
  const r = regionIfUsed();
  if (r === null || me < 0) return;
  const slot = me;
  me = -1;
  const doorbell = reap(r, slot);
  if (doorbell >= 0) closeOwnedFd(doorbell);
}

// ---- doorbells -----------------------------------------------------------------------------------

const eight = new Uint8Array(8);

/** This thread's doorbell fd (made on first use, closed when the thread ends), or -1. */
export function myDoorbell(): number {
  const r = region();
  const slot = mySlot();
  if (r === null || slot < 0) return -1;
  const word = slotWord(slot, S.doorbell);
  const kept = Atomics.load(r.i32, word);
  if (kept > 0) return kept - 1;
  const fd = noteOpened(libc.eventfd(0, libc.L.EFD_NONBLOCK | libc.L.EFD_CLOEXEC));
  if (fd < 0) return -1;
  Atomics.store(r.i32, word, fd + 1);
  return fd;
}

/** Take what rang this thread's doorbell (it then reads as quiet). */
export function drainMyDoorbell(): void {
  const fd = me >= 0 ? myDoorbell() : -1;
  if (fd >= 0) libc.read(fd, eight, 8);
  // The main thread is exiting: Node will terminate this Worker, which it cannot do while the
  // Worker sits in a native poll() (process.exit would hang: spike S4). Park where it can.
  const r = region();
  if (!isMainThread && r !== null && Atomics.load(r.i32, H.exiting) !== 0) {
    for (;;) Atomics.wait(pause, 0, 0);
  }
}

/**
 * The main thread is exiting (its 'exit' handler): every thread waiting on a shared object is rung,
 * and parks where Node's termination reaches it (drainMyDoorbell).
 */
export function processExiting(): void {
  if (!isMainThread) return;
  // Workers may have made it even if this thread never used it.
  const r = regionIfMade();
  if (r === null) return;
  Atomics.store(r.i32, H.exiting, 1);
  for (let slot = 0; slot < MAX_THREADS; slot++) if (slot !== me) ring(r, slot);
}

/** Wake the thread in `slot` (nothing if it never made a doorbell: it never waited). */
export function ring(r: Region, slot: number): void {
  const ringing = slotWord(slot, S.ringing);
  Atomics.add(r.i32, ringing, 1);
  try {
    if (Atomics.load(r.i32, slotWord(slot, S.state)) !== LIVE) return;
    const fd = Atomics.load(r.i32, slotWord(slot, S.doorbell)) - 1;
    if (fd < 0) return;
    eight.fill(0);
    eight[0] = 1;
    libc.write(fd, eight, 8);
  } finally {
    Atomics.sub(r.i32, ringing, 1);
  }
}

/** A socket the thread in `slot` holds was closed by another thread (it is rung next): shared/sockets.ts. */
export function noteSocketClosedFor(r: Region, slot: number): void {
  Atomics.add(r.i32, slotWord(slot, S.socketCloses), 1);
}

let socketClosesSeen = 0;
/** Where this thread's close counter is (a plain read of it is the per-call check: socketsClosedElsewhere). */
let closesWords: Int32Array = new Int32Array(16);
let closesAt = 0;

/** A transfer of the thread in `slot` got its socket's turn (shared/order.ts; it is rung next). */
export function noteTurnFor(r: Region, slot: number): void {
  Atomics.add(r.i32, slotWord(slot, S.socketTurns), 1);
}

let turnsSeen = 0;

/** Whether a transfer of this thread got its turn since it last asked (one load when not). */
export function turnsGiven(): boolean {
  const now = closesWords[closesAt + (S.socketTurns - S.socketCloses)]!;
  if (now === turnsSeen) return false;
  turnsSeen = now;
  return true;
}

/**
 * Whether sockets this thread holds were closed elsewhere since it last asked: one plain read of
 * its slot's counter (a late read only delays letting go to the next call).
 */
export function socketsClosedElsewhere(): boolean {
  const now = closesWords[closesAt]!;
  if (now === socketClosesSeen) return false;
  socketClosesSeen = now;
  return true;
}

/**
 * A LIFO stamp for a port waiter (the highest is released first, as Windows does), from the
 * port's own counter at `sequenceWord` (stamps are compared among one port's waiters).
 */
export function stampWait(r: Region, slot: number, sequenceWord: number): void {
  Atomics.store(r.i32, slotWord(slot, S.waitSequence), Atomics.add(r.i32, sequenceWord, 1) + 1);
}
export const waitStamp = (r: Region, slot: number): number => Atomics.load(r.i32, slotWord(slot, S.waitSequence));

/**
 * This thread's own association, mirrored here: only the thread itself writes it while it lives
 * (a reaper writes it only once the thread is gone or ending), so reading it costs no shared load.
 */
let myPortRecord = -1;
let myPortGeneration = 0;

/** The port record (+ 1, and its generation) this thread counts as running on; 0 when none. */
export function portAssociation(r: Region, slot: number): { record: number; generation: number } {
  if (slot === me && me >= 0) return { record: myPortRecord, generation: myPortGeneration };
  return { record: Atomics.load(r.i32, slotWord(slot, S.portRecord)) - 1, generation: Atomics.load(r.i32, slotWord(slot, S.portGeneration)) };
}
/** The port record this thread counts as running on (-1: none), and its generation. */
export const myPort = (): number => (me >= 0 ? myPortRecord : -1);
export const myPortGenerationNow = (): number => myPortGeneration;
/** Whether the thread in `slot` counts as running on port record `record` of generation `generation`. */
export function associatedWith(r: Region, slot: number, record: number, generation: number): boolean {
  if (slot === me && me >= 0) return myPortRecord === record && myPortGeneration === generation;
  return Atomics.load(r.i32, slotWord(slot, S.portRecord)) === record + 1 && Atomics.load(r.i32, slotWord(slot, S.portGeneration)) === generation;
}
export function setPortAssociation(r: Region, slot: number, record: number, generation: number): void {
  if (slot === me && me >= 0) {
    myPortRecord = record;
    myPortGeneration = generation;
  }
  Atomics.store(r.i32, slotWord(slot, S.portGeneration), generation);
  Atomics.store(r.i32, slotWord(slot, S.portRecord), record + 1);
}

// ---- release rings (a stand-in overlapped was delivered elsewhere: its owner may drop the object) --

const ringWord = (slot: number, position: number): number => (RELEASES >> 2) + slot * RELEASE_RING + (position % RELEASE_RING);

/** Tell the owner thread of `slot` (generation `generation`) it may forget local object `id`. */
export function postRelease(r: Region, slot: number, generation: number, id: number): void {
  if (generationOf(r, slot) !== generation || Atomics.load(r.i32, slotWord(slot, S.state)) !== LIVE) return;
  const headWord = slotWord(slot, S.releaseHead);
  for (let attempt = 0; attempt < 64; attempt++) {
    const head = Atomics.load(r.i32, headWord);
    if (head - Atomics.load(r.i32, slotWord(slot, S.releaseTail)) >= RELEASE_RING) return; // full: kept until its owner ends
    if (Atomics.compareExchange(r.i32, headWord, head, head + 1) !== head) continue;
    Atomics.store(r.i32, ringWord(slot, head), id + 1);
    return;
  }
}

/** The local ids other threads released for this thread since the last call (one load when none). */
export function takeReleases(each: (id: number) => void): void {
  if (me < 0) return;
  const r = regionIfUsed()!; // a slot implies the region
  const tailWord = slotWord(me, S.releaseTail);
  const head = Atomics.load(r.i32, slotWord(me, S.releaseHead));
  let tail = Atomics.load(r.i32, tailWord);
  if (tail === head) return;
  while (tail !== head) {
    const word = ringWord(me, tail);
    const id = Atomics.exchange(r.i32, word, 0);
    if (id === 0) break; // claimed but not written yet: next time
    each(id - 1);
    tail++;
  }
  Atomics.store(r.i32, tailWord, tail);
}

// ---- locks ---------------------------------------------------------------------------------------

const pause = new Int32Array(new SharedArrayBuffer(4));
const SPINS_BEFORE_CHECK = 2000;

/** Take the lock at word `index` of the region (holder slot + 1 in it); a dead holder's lock is taken over. */
export function lock(r: Region, index: number): void {
  lockWord(r, r.i32, index);
}

/** The same, for a lock word elsewhere in shared memory (a socket record: `words` its chunk's view). */
export function lockWord(r: Region, words: Int32Array, index: number): void {
  // A thread without a slot (it is ending, or all are taken) still excludes: it holds as "no slot",
  // which is never taken over (its liveness cannot be told).
  const slot = mySlot();
  const mark = slot >= 0 ? slot + 1 : MAX_THREADS + 1;
  for (let spins = 0; ; spins++) {
    const holder = Atomics.compareExchange(words, index, 0, mark);
    if (holder === 0) return;
    // A section of this slot's previous owner, terminated inside it: nobody else can release it.
    if (holder === mark && slot >= 0) return;
    if (spins >= SPINS_BEFORE_CHECK && spins % SPINS_BEFORE_CHECK === 0) {
      if (holder > 0 && holder <= MAX_THREADS && !slotAlive(r, holder - 1) && Atomics.compareExchange(words, index, holder, mark) === holder) return;
      // The holder lives but is not running (2 cores shared): let it, without burning CPU.
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

export function unlock(r: Region, index: number): void {
  Atomics.store(r.i32, index, 0);
}

// ---- peers: is there another JS thread that could wake this one? ---------------------------------

const peerListeners = new Set<() => void>();
let liveChildren = 0;

function peersChanged(): void {
  for (const listener of peerListeners) listener();
}

/** Another JS thread exists (this is a Worker, this thread has live Workers, or another slot is live). */
export function hasPeers(): boolean {
  if (!isMainThread || liveChildren > 0) return true;
  const r = region();
  return r !== null && Atomics.load(r.i32, LIVE_THREADS) > (me >= 0 ? 1 : 0);
}

export function onPeersChanged(listener: () => void): void {
  peerListeners.add(listener);
}

/** Ring the doorbell of the thread with Node threadId `id`, if it holds a slot. */
function ringThread(r: Region, id: number): void {
  for (let slot = 0; slot < MAX_THREADS; slot++) {
    if (Atomics.load(r.i32, slotWord(slot, S.state)) === LIVE && Atomics.load(r.i32, slotWord(slot, S.threadId)) === id) ring(r, slot);
  }
}

/**
 * A Worker this thread created has exited: its slot, if it still holds one (terminate()), is reaped
 * before host/thread-fds.ts closes its fds (this listener is registered first), so no ring can
 * reach its doorbell's number once that is closed.
 */
function childExited(id: number): void {
  liveChildren--;
  const r = region();
  if (r !== null) {
    for (let slot = 0; slot < MAX_THREADS; slot++) {
      if (Atomics.load(r.i32, slotWord(slot, S.state)) === LIVE && Atomics.load(r.i32, slotWord(slot, S.threadId)) === id) reap(r, slot);
    }
  }
  peersChanged();
}

const followed = new WeakSet<Worker>();

function workerCreated(worker: Worker): void {
  if (followed.has(worker)) return;
  followed.add(worker);
  try {
    const id = worker.threadId;
    liveChildren++;
    worker.once('exit', () => childExited(id));
    // terminate() cannot stop a Worker inside a native poll() (spike S4): after asking, ring its
    // doorbell so the poll returns and the termination takes effect.
    const terminate = worker.terminate;
    worker.terminate = function (this: Worker, ...args: unknown[]) {
      const result = (terminate as (...a: unknown[]) => Promise<number>).apply(this, args);
      const r = region();
      if (r !== null) ringThread(r, id);
      return result;
    } as Worker['terminate'];
    peersChanged();
  } catch {
    // not looked after: its slot is reaped when another thread needs one
  }
}

let watching = false;

/** Follow this thread's Workers (peers, terminate wake-up, reaping). Called once by the backend. */
export function watchWorkers(): void {
  if (watching) return;
  watching = true;
  // Node publishes a new Worker on this channel inside its constructor: a thread that goes on to
  // block in a synchronous wait without returning to its event loop must already count it as a
  // peer, or a set from that Worker would not ring it. The 'worker' event (next tick) is the
  // fallback for a Node that does not publish.
  subscribeChannel('worker_threads', (message) => {
    const worker = (message as { worker?: Worker } | undefined)?.worker;
    if (worker !== undefined) workerCreated(worker);
  });
  process.on('worker', workerCreated);
}
