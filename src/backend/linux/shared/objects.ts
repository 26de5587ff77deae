/**
 * Process-wide handle numbers, and the records of the objects every JS thread shares: events and
 * completion ports (docs/process-wide-handles.md §4-6). Pure state over the region; the Winsock
 * functions are win32/events.ts and win32/ports.ts.
 *
 * Handle values are non-zero multiples of 4 from one shared counter; value h lives in table slot
 * (h >> 2) mod 2^18, so a value comes back only when the counter wraps (about 500 million
 * allocations), whichever thread closed it. A lookup re-reads the slot's value after reading its
 * fields: a slot closed and reused meanwhile reads as no object.
 *
 * Waiting: a waiter sets its thread's bit in the record's waiter bitmap, then looks at the state; a
 * changer changes the state, then reads the bitmap and rings (threads.ts). Both are sequentially
 * consistent Atomics, so one of the two sees the other: no wake-up is lost.
 */
import {
  HANDLES, HANDLE_BYTES, HANDLE_SLOTS, H, MAX_RECORDS, RECORDS, RECORD_BYTES, growPackets, locatePacket, packetAt, packetF64, packetI32, type Region,
} from './region.js';
import { associatedWith, lock, myPort, myPortGenerationNow, mySlot, portAssociation, ring, setPortAssociation, stampWait, unlock, waitStamp, waiterWordsInUse } from './threads.js';

export const KIND = { socket: 1, event: 2, port: 3, file: 4, window: 5 } as const;
export type KindName = keyof typeof KIND;

const FIRST_HANDLE = 0x104;
/** Values FIRST_HANDLE .. 0x7ffffffc, by 4. */
const SPAN = (0x7ffffffc - FIRST_HANDLE) / 4 + 1;
const MASK = HANDLE_SLOTS - 1;

const handleWord = (h: number): number => (HANDLES >> 2) + ((h >>> 2) & MASK) * (HANDLE_BYTES >> 2);

/** A fresh process-wide handle value for an object of `kind` (record: its shared record, or -1); 0 when the table is full. */
export function allocHandle(r: Region, kind: number, record: number): number {
  for (let attempt = 0; attempt < HANDLE_SLOTS; attempt++) {
    const n = Atomics.add(r.i32, H.counter, 1) >>> 0;
    const h = FIRST_HANDLE + (n % SPAN) * 4;
    const at = handleWord(h);
    if (Atomics.compareExchange(r.i32, at, 0, h) !== 0) continue;
    Atomics.store(r.i32, at + 2, mySlot());
    Atomics.store(r.i32, at + 3, record);
    Atomics.store(r.i32, at + 1, kind); // published last: a lookup sees a whole entry or none
    return h;
  }
  return 0;
}

export function freeHandle(r: Region, h: number): void {
  const at = handleWord(h);
  if (Atomics.load(r.i32, at) !== h) return;
  Atomics.store(r.i32, at + 1, 0);
  Atomics.compareExchange(r.i32, at, h, 0);
}

/** The kind, owner thread slot and record of handle `h`, or null when it is not an open handle. */
export function readHandle(r: Region, h: number): { kind: number; owner: number; record: number } | null {
  if (!Number.isInteger(h) || h < FIRST_HANDLE || h > 0x7ffffffc || h % 4 !== 0) return null;
  const at = handleWord(h);
  if (Atomics.load(r.i32, at) !== h) return null;
  const kind = Atomics.load(r.i32, at + 1);
  const owner = Atomics.load(r.i32, at + 2);
  const record = Atomics.load(r.i32, at + 3);
  if (kind === 0 || Atomics.load(r.i32, at) !== h) return null;
  return { kind, owner, record };
}

// ---- records ---------------------------------------------------------------------------------------

/** Words of a record. */
const R = {
  lock: 0, generation: 1, kind: 2, handle: 3,
  // events
  state: 4,
  // ports
  closed: 4, concurrency: 5, running: 6, head: 7, tail: 8, count: 9, sequence: 10,
  waiters: 16,
} as const;
const WAITER_WORDS = 8;
const CLAIMING = -1;

export const recordWord = (record: number, word: number): number => ((RECORDS + record * RECORD_BYTES) >> 2) + word;

export interface RecordRef {
  readonly record: number;
  readonly generation: number;
}

/** A free record claimed for `kind`, or null when every one is in use. */
export function allocRecord(r: Region, kind: number): RecordRef | null {
  const start = Atomics.load(r.i32, H.recordHint) >>> 0;
  for (let i = 0; i < MAX_RECORDS; i++) {
    const record = (start + i) % MAX_RECORDS;
    if (Atomics.compareExchange(r.i32, recordWord(record, R.kind), 0, CLAIMING) !== 0) continue;
    Atomics.store(r.i32, H.recordHint, record + 1);
    for (let w = R.state; w < R.waiters + WAITER_WORDS; w++) Atomics.store(r.i32, recordWord(record, w), 0);
    Atomics.store(r.i32, recordWord(record, R.lock), 0);
    const generation = Atomics.load(r.i32, recordWord(record, R.generation));
    Atomics.store(r.i32, recordWord(record, R.kind), kind);
    return { record, generation };
  }
  return null;
}

/** The object is closed: every holder of `ref` sees it closed at once (its generation moves on). */
function freeRecord(r: Region, ref: RecordRef): boolean {
  if (Atomics.compareExchange(r.i32, recordWord(ref.record, R.generation), ref.generation, ref.generation + 1) !== ref.generation) return false;
  Atomics.store(r.i32, recordWord(ref.record, R.kind), 0);
  return true;
}

export const recordAlive = (r: Region, ref: RecordRef): boolean => Atomics.load(r.i32, recordWord(ref.record, R.generation)) === ref.generation;

export function recordGeneration(r: Region, record: number): number {
  return Atomics.load(r.i32, recordWord(record, R.generation));
}

// ---- waiters -----------------------------------------------------------------------------------------

export function addWaiter(r: Region, ref: RecordRef, slot: number): void {
  Atomics.or(r.i32, recordWord(ref.record, R.waiters + (slot >>> 5)), 1 << (slot & 31));
}

export function removeWaiter(r: Region, ref: RecordRef, slot: number): void {
  if (!recordAlive(r, ref)) return;
  Atomics.and(r.i32, recordWord(ref.record, R.waiters + (slot >>> 5)), ~(1 << (slot & 31)));
}

/** This thread's waits in progress per record (and the record generation they are for): its bit stays set while one lasts. */
const myWaitCount = new Int32Array(MAX_RECORDS);
const myWaitGeneration = new Int32Array(MAX_RECORDS);

/** A wait of this thread on `ref` starts: from now on a change rings this thread. */
export function enterWait(r: Region, ref: RecordRef): void {
  const slot = mySlot();
  if (slot < 0) return;
  const { record, generation } = ref;
  if (myWaitGeneration[record] !== generation) {
    myWaitGeneration[record] = generation;
    myWaitCount[record] = 0;
  }
  if (myWaitCount[record]!++ === 0) addWaiter(r, ref, slot);
}

/** That wait ended (the last of this thread's on `ref` clears its bit). */
export function leaveWait(r: Region, ref: RecordRef): void {
  const slot = mySlot();
  const { record, generation } = ref;
  if (slot < 0 || myWaitGeneration[record] !== generation || myWaitCount[record] === 0) return;
  if (--myWaitCount[record]! === 0) removeWaiter(r, ref, slot);
}

/** Ring every waiting thread but the caller's (the caller's own waiters are kicked in JS). */
function wakeAll(r: Region, record: number, self: number): void {
  const words = waiterWordsInUse(r);
  for (let w = 0; w < words; w++) {
    let bits = Atomics.load(r.i32, recordWord(record, R.waiters + w));
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      const slot = w * 32 + bit;
      if (slot !== self) ring(r, slot);
    }
  }
}

/** Release the most recent waiter (LIFO, as Windows releases port waiters): its bit is cleared, then it is rung. */
function wakeOne(r: Region, record: number, self: number): void {
  let best = -1;
  let bestStamp = 0;
  let found = 0;
  const words = waiterWordsInUse(r);
  for (let w = 0; w < words; w++) {
    let bits = Atomics.load(r.i32, recordWord(record, R.waiters + w));
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      const slot = w * 32 + bit;
      // One waiter needs no stamp: only several are ordered by theirs.
      if (++found === 1) {
        best = slot;
        continue;
      }
      if (found === 2) bestStamp = waitStamp(r, best);
      const stamp = waitStamp(r, slot);
      if (stamp - bestStamp > 0) {
        best = slot;
        bestStamp = stamp;
      }
    }
  }
  if (best < 0) return;
  Atomics.and(r.i32, recordWord(record, R.waiters + (best >>> 5)), ~(1 << (best & 31)));
  if (best !== self) ring(r, best);
}

// ---- events ------------------------------------------------------------------------------------------

const SIGNALLED = 1;
const MANUAL_RESET = 2;

export function newEvent(r: Region, manualReset: boolean): RecordRef | null {
  const ref = allocRecord(r, KIND.event);
  if (ref) Atomics.store(r.i32, recordWord(ref.record, R.state), manualReset ? MANUAL_RESET : 0);
  return ref;
}

export const eventIsManualReset = (r: Region, record: number): boolean => (Atomics.load(r.i32, recordWord(record, R.state)) & MANUAL_RESET) !== 0;

export function eventSignalled(r: Region, ref: RecordRef): boolean {
  return (Atomics.load(r.i32, recordWord(ref.record, R.state)) & SIGNALLED) !== 0 && recordAlive(r, ref);
}

/** Signal the event: true when this call changed it (its waiters in other threads were rung). */
export function setEvent(r: Region, ref: RecordRef): boolean {
  const word = recordWord(ref.record, R.state);
  // Already signalled: nothing to write (a load is cheaper than the read-modify-write).
  if (Atomics.load(r.i32, word) & SIGNALLED) return false;
  const previous = Atomics.or(r.i32, word, SIGNALLED);
  if (previous & SIGNALLED) return false;
  wakeAll(r, ref.record, mySlot());
  return true;
}

export function resetEvent(r: Region, ref: RecordRef): void {
  const word = recordWord(ref.record, R.state);
  if (Atomics.load(r.i32, word) & SIGNALLED) Atomics.and(r.i32, word, ~SIGNALLED);
}

/** An auto-reset event satisfies one wait: true for the one waiter that took the signal. */
export function consumeEvent(r: Region, ref: RecordRef): boolean {
  const word = recordWord(ref.record, R.state);
  const state = Atomics.load(r.i32, word);
  if (state & MANUAL_RESET) return (state & SIGNALLED) !== 0;
  return (state & SIGNALLED) !== 0 && Atomics.compareExchange(r.i32, word, state, state & ~SIGNALLED) === state;
}

/** Close the event; the waiters (in every thread) look again and find it closed. */
export function closeEventRecord(r: Region, ref: RecordRef): void {
  const self = mySlot();
  const waiters: number[] = [];
  const words = waiterWordsInUse(r);
  for (let w = 0; w < words; w++) waiters.push(Atomics.load(r.i32, recordWord(ref.record, R.waiters + w)));
  if (!freeRecord(r, ref)) return;
  ringBits(r, waiters, self);
}

function ringBits(r: Region, words: readonly number[], self: number): void {
  words.forEach((value, w) => {
    let bits = value;
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      if (w * 32 + bit !== self) ring(r, w * 32 + bit);
    }
  });
}

// ---- completion ports --------------------------------------------------------------------------------

/** What a packet carries (docs/process-wide-handles.md §7): the values, and the overlapped's reference and snapshot. */
export interface PacketData {
  bytes: number;
  status: number;
  key: number;
  /** 0: no overlapped; 1: an object of thread `ownerSlot` (generation `ownerGeneration`), local id `localId`. */
  overlappedKind: number;
  ownerSlot: number;
  ownerGeneration: number;
  localId: number;
  internal: number;
  internalHigh: number;
  offset: number;
  offsetHigh: number;
  hEvent: number;
  /** The overlapped's `context` when it is a number (NaN: none). */
  context: number;
  /** The overlapped's process-wide id (win32/overlapped-id.ts; 0: no overlapped). */
  overlappedId: number;
}

// Packet words: 0 next (index + 1), 1 bytes, 2 status, 3 overlapped kind, 4 owner slot, 5 owner
// generation, 6 local id, 7 Internal, 8 InternalHigh, 9 Offset, 10 OffsetHigh, 11 hEvent;
// f64 at words 12-13 key, 14-15 context, 16-17 overlapped id (words 18-19 unused).

export function newPort(r: Region, concurrency: number): RecordRef | null {
  const ref = allocRecord(r, KIND.port);
  if (ref) Atomics.store(r.i32, recordWord(ref.record, R.concurrency), concurrency);
  return ref;
}

export const portClosed = (r: Region, ref: RecordRef): boolean => !recordAlive(r, ref) || Atomics.load(r.i32, recordWord(ref.record, R.closed)) !== 0;

/**
 * Free packets this thread keeps at hand, so most posts and takes touch the shared free list (and
 * its lock) once per batch, not per packet. What a terminated Worker kept stays unused (at most
 * CACHE_MAX packets of PACKET_BYTES (80)); a Worker that ends by itself gives them back (releasePacketCache).
 */
const cache: number[] = [];
const CACHE_BATCH = 64;
const CACHE_MAX = 256;

/** A free packet, or -1 when memory is short. */
function allocPacket(r: Region): number {
  const cached = cache.pop();
  if (cached !== undefined) return cached;
  lock(r, H.packetLock);
  try {
    for (let n = 0; n < CACHE_BATCH; n++) {
      let head = Atomics.load(r.i32, H.packetFree);
      if (head === 0 && (n > 0 || !growPackets(r))) break;
      head = Atomics.load(r.i32, H.packetFree);
      if (!locatePacket(r, head - 1)) break;
      Atomics.store(r.i32, H.packetFree, Atomics.load(packetI32, packetAt));
      cache.push(head - 1);
    }
  } finally {
    unlock(r, H.packetLock);
  }
  return cache.pop() ?? -1;
}

function freePacket(r: Region, index: number): void {
  cache.push(index);
  if (cache.length > CACHE_MAX) returnPackets(r, CACHE_MAX - CACHE_BATCH);
}

/** Give this thread's kept packets back to the shared free list, down to `keep`. */
function returnPackets(r: Region, keep: number): void {
  lock(r, H.packetLock);
  try {
    while (cache.length > keep) {
      const index = cache.pop()!;
      if (!locatePacket(r, index)) continue;
      Atomics.store(packetI32, packetAt, Atomics.load(r.i32, H.packetFree));
      Atomics.store(r.i32, H.packetFree, index + 1);
    }
  } finally {
    unlock(r, H.packetLock);
  }
}

/** The thread ends: its kept packets go back for the others. */
export function releasePacketCache(r: Region): void {
  if (cache.length > 0) returnPackets(r, 0);
}

// Plain reads and writes under a lock. Inside a critical section (after the lock's CAS, before the
// unlocking Atomics.store) the port's queue words (head, tail, running, closed, a packet's link
// and payload) are read and written with plain typed-array accesses: every access to them is
// made under that lock, so the lock orders them (a data-race-free program is sequentially
// consistent in the JS memory model; on x86-64 and arm64 the CAS and the store are full barriers).
// A word also read without the lock (count, closed, the waiter bits, the generation) is changed
// with Atomics, as is `count` whose rise must precede the poster's read of the waiter bits.
function writePacket(data: PacketData): void {
  const i32 = packetI32;
  const at = packetAt;
  i32[at] = 0;
  i32[at + 1] = data.bytes;
  i32[at + 2] = data.status;
  i32[at + 3] = data.overlappedKind;
  i32[at + 4] = data.ownerSlot;
  i32[at + 5] = data.ownerGeneration;
  i32[at + 6] = data.localId;
  i32[at + 7] = data.internal;
  i32[at + 8] = data.internalHigh;
  i32[at + 9] = data.offset;
  i32[at + 10] = data.offsetHigh;
  i32[at + 11] = data.hEvent;
  packetF64[(at >> 1) + 6] = data.key;
  packetF64[(at >> 1) + 7] = data.context;
  packetF64[(at >> 1) + 8] = data.overlappedId;
}

/** What the last take (or a close's drop) read; overwritten by the next one, so callers copy what they keep. */
const taken: PacketData = {
  bytes: 0, status: 0, key: 0, overlappedKind: 0, ownerSlot: 0, ownerGeneration: 0, localId: 0, internal: 0, internalHigh: 0, offset: 0, offsetHigh: 0, hEvent: 0, context: NaN, overlappedId: 0,
};

function readPacket(r: Region, index: number): PacketData {
  locatePacket(r, index);
  const i32 = packetI32;
  const at = packetAt;
  taken.bytes = i32[at + 1]! >>> 0;
  taken.status = i32[at + 2]! >>> 0;
  taken.overlappedKind = i32[at + 3]!;
  taken.ownerSlot = i32[at + 4]!;
  taken.ownerGeneration = i32[at + 5]!;
  taken.localId = i32[at + 6]! >>> 0;
  taken.internal = i32[at + 7]! >>> 0;
  taken.internalHigh = i32[at + 8]! >>> 0;
  taken.offset = i32[at + 9]! >>> 0;
  taken.offsetHigh = i32[at + 10]! >>> 0;
  taken.hEvent = i32[at + 11]!;
  taken.key = packetF64[(at >> 1) + 6]!;
  taken.context = packetF64[(at >> 1) + 7]!;
  taken.overlappedId = packetF64[(at >> 1) + 8]!;
  return taken;
}

/** Queue a packet on the port and release one waiter; false when the port is closed or memory is short. */
export function postPacket(r: Region, ref: RecordRef, data: PacketData): boolean {
  const index = allocPacket(r);
  if (index < 0) return false;
  locatePacket(r, index);
  writePacket(data);
  const record = ref.record;
  const lockWord = recordWord(record, R.lock);
  const i32 = r.i32;
  lock(r, lockWord);
  let queued = false;
  try {
    if (openLocked(r, ref)) {
      const tail = i32[recordWord(record, R.tail)]!;
      if (tail === 0) i32[recordWord(record, R.head)] = index + 1;
      else {
        locatePacket(r, tail - 1);
        packetI32[packetAt] = index + 1;
      }
      i32[recordWord(record, R.tail)] = index + 1;
      // The count rises (a full barrier) before the waiter bits are read: see takePacket.
      Atomics.add(r.i32, recordWord(record, R.count), 1);
      queued = true;
      wakeOne(r, record, mySlot());
    }
  } finally {
    unlock(r, lockWord);
  }
  if (!queued) freePacket(r, index);
  return queued;
}

/** Unlink the first packet (the caller holds the port lock); -1 when none. */
function unlinkHead(r: Region, record: number): number {
  const i32 = r.i32;
  const head = i32[recordWord(record, R.head)]!;
  if (head === 0) return -1;
  locatePacket(r, head - 1);
  const next = packetI32[packetAt]!;
  i32[recordWord(record, R.head)] = next;
  if (next === 0) i32[recordWord(record, R.tail)] = 0;
  Atomics.sub(i32, recordWord(record, R.count), 1);
  return head - 1;
}

/** portClosed for a holder of the port lock (`closed` is written under it). */
const openLocked = (r: Region, ref: RecordRef): boolean => r.i32[recordWord(ref.record, R.closed)] === 0 && recordAlive(r, ref);

/** Leave the port this thread counts as running on (it waits again, or waits on another port). */
export function leavePort(r: Region, slot: number): void {
  const { record, generation } = portAssociation(r, slot);
  if (record < 0) return;
  setPortAssociation(r, slot, -1, 0);
  const ref = { record, generation };
  if (!recordAlive(r, ref)) return;
  const lockWord = recordWord(record, R.lock);
  lock(r, lockWord);
  try {
    if (!recordAlive(r, ref)) return;
    const running = r.i32[recordWord(record, R.running)]! - 1;
    r.i32[recordWord(record, R.running)] = running;
    // Room for one more running thread, and work queued: release a waiter.
    if (running < r.i32[recordWord(record, R.concurrency)]! && Atomics.load(r.i32, recordWord(record, R.count)) > 0) wakeOne(r, record, slot);
  } finally {
    unlock(r, lockWord);
  }
}

/**
 * One look for a packet: the packet (this thread then counts as running on the port; the object
 * is reused by the next take), 'closed', or null, after which this thread no longer counts as
 * running on it. A thread already running on the port takes the next packet whatever the count:
 * on Windows it would leave the count as it waits and come back as it takes.
 *
 * `waiting`: the look belongs to a wait that may block (its thread listens to its doorbell). Its
 * waiter bit is set first, then the queue is looked at; a post adds to the count first, then reads
 * the bits (both sequentially consistent), so a packet posted after this look rings this thread.
 * A look that will not block (a zero time-out, the first look of a wait) registers nothing: a bit
 * left behind would draw the ring meant for a thread that does wait.
 */
export function takePacket(r: Region, ref: RecordRef, waiting: boolean): PacketData | 'closed' | null {
  const slot = mySlot();
  const { record, generation } = ref;
  if (waiting) {
    stampWait(r, slot, recordWord(record, R.sequence));
    addWaiter(r, ref, slot);
  }
  const running = associatedWith(r, slot, record, generation);
  // Nothing visibly queued and nothing to give back: no lock.
  if (!running && Atomics.load(r.i32, recordWord(record, R.count)) === 0) return portClosed(r, ref) ? 'closed' : null;
  const lockWord = recordWord(record, R.lock);
  lock(r, lockWord);
  let index = -1;
  const i32 = r.i32;
  try {
    if (!openLocked(r, ref)) return 'closed';
    const allowed = running || i32[recordWord(record, R.running)]! < i32[recordWord(record, R.concurrency)]!;
    if (allowed) index = unlinkHead(r, record);
    if (index < 0) {
      if (running) {
        // Waiting now: no longer running (the queue is empty, so nobody else is owed a packet).
        setPortAssociation(r, slot, -1, 0);
        i32[recordWord(record, R.running)] = i32[recordWord(record, R.running)]! - 1;
      }
      return null;
    }
    if (!running) {
      i32[recordWord(record, R.running)] = i32[recordWord(record, R.running)]! + 1;
      setPortAssociation(r, slot, record, generation);
    }
  } finally {
    unlock(r, lockWord);
  }
  const data = readPacket(r, index);
  freePacket(r, index);
  return data;
}

/**
 * This thread is about to block in a wait (any wait of loop/wait.ts): if it counts as running on a
 * port, it stops counting, and a waiter is released if that makes room, as a Windows thread
 * associated with a port stops counting while it blocks (docs/process-wide-handles.md §6). Returns
 * the port to count on again when the wait ends (resumePort), or null.
 */
export function pausePort(r: Region): RecordRef | null {
  const record = myPort();
  if (record < 0) return null;
  const paused = { record, generation: myPortGenerationNow() };
  leavePort(r, mySlot());
  return paused;
}

/**
 * The wait that paused `ref` ended: this thread counts as running on it again, even above its
 * NumberOfConcurrentThreads (Windows lets a woken thread run whatever the count). Nothing when the
 * port was closed meanwhile, or when a completion routine run inside the wait took a packet (the
 * thread already counts, on that packet's port).
 */
export function resumePort(r: Region, ref: RecordRef): void {
  const slot = mySlot();
  if (slot < 0 || myPort() >= 0) return;
  const lockWord = recordWord(ref.record, R.lock);
  lock(r, lockWord);
  try {
    if (!openLocked(r, ref)) return;
    r.i32[recordWord(ref.record, R.running)] = r.i32[recordWord(ref.record, R.running)]! + 1;
    setPortAssociation(r, slot, ref.record, ref.generation);
  } finally {
    unlock(r, lockWord);
  }
}

/** This thread counts as running on a port other than `ref`: it leaves that one (it waits on `ref` now). */
export function leaveOtherPort(r: Region, ref: RecordRef): void {
  const record = myPort();
  if (record >= 0 && (record !== ref.record || myPortGenerationNow() !== ref.generation)) leavePort(r, mySlot());
}

/** Close the port: queued packets are dropped (each returned to `dropped`), every waiter is released. */
export function closePortRecord(r: Region, ref: RecordRef, dropped: (data: PacketData) => void): void {
  const lockWord = recordWord(ref.record, R.lock);
  const indexes: number[] = [];
  const waiters: number[] = [];
  lock(r, lockWord);
  try {
    if (portClosed(r, ref)) return;
    Atomics.store(r.i32, recordWord(ref.record, R.closed), 1);
    for (let index = unlinkHead(r, ref.record); index >= 0; index = unlinkHead(r, ref.record)) indexes.push(index);
    for (let w = 0; w < WAITER_WORDS; w++) waiters.push(Atomics.exchange(r.i32, recordWord(ref.record, R.waiters + w), 0));
  } finally {
    unlock(r, lockWord);
  }
  freeRecord(r, ref);
  for (const index of indexes) {
    dropped(readPacket(r, index));
    freePacket(r, index);
  }
  ringBits(r, waiters, mySlot());
}

/** Threads registered as waiting on the object now (tests). */
export function waitingThreads(r: Region, ref: RecordRef): number {
  let n = 0;
  const words = waiterWordsInUse(r);
  for (let w = 0; w < words; w++) {
    let bits = Atomics.load(r.i32, recordWord(ref.record, R.waiters + w));
    while (bits !== 0) {
      bits &= bits - 1;
      n++;
    }
  }
  return n;
}

/** Packets queued on the port now (tests). */
export const queuedPackets = (r: Region, ref: RecordRef): number => Atomics.load(r.i32, recordWord(ref.record, R.count));
export const runningThreads = (r: Region, ref: RecordRef): number => Atomics.load(r.i32, recordWord(ref.record, R.running));

// ---- a thread that is gone ---------------------------------------------------------------------------

/** What a thread that is gone leaves in the records (threads.ts calls it when it reaps a slot). */
export function forgetThread(r: Region, slot: number): void {
  leavePort(r, slot);
  const word = slot >>> 5;
  const bit = ~(1 << (slot & 31));
  for (let record = 0; record < MAX_RECORDS; record++) {
    if (Atomics.load(r.i32, recordWord(record, R.kind)) <= 0) continue;
    Atomics.and(r.i32, recordWord(record, R.waiters + word), bit);
  }
}

