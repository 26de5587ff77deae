/**
 * Socket records (docs/process-wide-handles.md §8, §15): the state of a SOCKET that every JS thread
 * must see the same, in the process-wide region, so that a socket made in one thread works in all.
 * win32/socket-state.ts reads and writes these words through LinuxSocket's accessors; this module
 * owns the record's life: allocation, the references that keep its fd open, and close.
 *
 * References (`refs`): one for the open handle, plus one per JS thread that holds a LinuxSocket over
 * the record (the creator's, and each stand-in another thread made). A thread gives its reference
 * back only from its own JS, between calls (it notices the close, or it ends), so when the count
 * reaches 0 no thread can be inside a system call on the fd, and the last one closes it. A socket
 * used by one thread only pays nothing per call for this.
 *
 * Close from one thread while others hold references: the fd number must stay reserved until they
 * let go (a close() would let the kernel hand the number to an unrelated open, and their next call
 * would act on it), but the connection must go now, as closesocket makes it go on Windows. So the
 * closer puts an unconnected AF_UNIX socket over the number with dup2(): the socket's file is
 * released at once (with close()'s effect on the connection), and a call that raced with the close
 * fails on the stand-in instead of touching anything else. The holders are rung (their doorbell)
 * so that their pending operations end without waiting for their next call; the last reference
 * closes the stand-in.
 *
 * Records are 1 KiB in chunks of 1024 made on demand (region.ts), reused through a free list
 * taken under one lock (socket creation and the last close only).
 */
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { closeOwnedFd, noteOpened, noteOpenedUnless } from '../host/thread-fds.js';
import { H, SOCKETS_PER_CHUNK, SOCKET_RECORD_BYTES, MAX_SOCKET_CHUNKS, growSocketRecords, socketChunk, type Region } from './region.js';
import { lock, unlock, mySlot, ring, noteSocketClosedFor } from './threads.js';
import { freeHandle } from './objects.js';
import { ORDER, ORDER_WORDS, finishTicketsOf } from './order.js';

/** Int32 words of a socket record, from its first word. */
export const SW = {
  /** The handle this record belongs to (0: free). */
  handle: 0, refs: 1, closed: 2, fd: 3,
  af: 4, type: 5, protocol: 6, overlapped: 7,
  nonBlocking: 8, receiveTimeout: 9, sendTimeout: 10, completionModes: 11, signalled: 12,
  udpConnReset: 13, udpNetReset: 14, urgentConsumed: 15, urgentBeforeInline: 16, connectionReset: 17,
  receiveShutdown: 18, sendShutdown: 19, resetAfterFin: 20, connectInProgress: 21, controlRecords: 22,
  /** WSAEventSelect's event handle and mask (message mode's window stays with its thread). */
  selectEvent: 23, selectMask: 24, selected: 25,
  /** The completion port association: the port's handle (0: none), record and generation, and the key as a float64 (two words). */
  portHandle: 26, portRecord: 27, portKey: 28, portGeneration: 62,
  pendingReceives: 30,
  /** The peer's Linux sockaddr bytes (length -1: none), up to 32 bytes. */
  peerLength: 31, peer: 32,
  /** optionMirrors: a presence bit per name, then one word per name (win32/socket-state.ts MIRROR_NAMES, at most 21). */
  mirrorsPresent: 40, mirrors: 41,
  /** Threads holding a reference (bit per thread slot), for the close ring and the reaper. */
  holders: 64,
  /** Free-list link (record index + 1; 0: end). */
  next: 72,
  /** The thread slot that made the socket (WSACleanup closes its own, releases the others). */
  creator: 73,
  /**
   * The datagram queue FIONREAD fills (sockets/datagram-queue.ts): a ring in malloc()ed memory
   * (address: low and high words; 0 none), its capacity, head and tail offsets, bytes in use, the
   * payload total FIONREAD reports, the charge the drain limit is measured against, the entry
   * count, and the lock every use of it takes.
   */
  queueAddressLow: 74, queueAddressHigh: 75, queueCapacity: 76, queueHead: 77, queueTail: 78, queueUsed: 79,
  queueBytes: 80, queueCharge: 81, queueCount: 82, queueLock: 83,
  /**
   * WSAEventSelect's recording (win32/event-select.ts): set up (1 once its defaults are written),
   * the recorded and the re-enabled bits, notifications latched while not selected and their
   * errors, the connect and connection progress, the last looks at the queues, each event's error
   * code, and the lock each evaluation and enumeration takes.
   */
  selectReady: 84, selectRecord: 85, selectArmed: 86, selectLatched: 87, selectLatchedAddressError: 88,
  selectLatchedRoutingError: 89, selectConnecting: 90, selectConnectPending: 91, selectHasConnectPending: 92,
  selectEstablished: 93, selectCloseRecorded: 94, selectLastQueued: 95, selectLastBacklog: 96, selectLastReceived: 97,
  selectErrors: 98, selectLock: 108,
  /**
   * SIO_TCP_INFO's connection start (sockets/tcp-info.ts), as float64s (two words each; 0: not
   * noted): when the socket was made, when it was established, and the SYN retransmissions then.
   * After the issue-order area.
   */
  tcpCreatedAt: 244, tcpEstablishedAt: 246, tcpSynRetrans: 248,
} as const;
export const RECORD_WORDS = SOCKET_RECORD_BYTES >> 2;
// The issue-order area (shared/order.ts) follows the words above and fits in the record.
if (SW.selectLock >= ORDER || ORDER + ORDER_WORDS > SW.tcpCreatedAt || SW.tcpSynRetrans >= RECORD_WORDS) throw new Error('wsaioctl: the socket record layout overlaps');
export const PEER_BYTES = 32;
const HOLDER_WORDS = 8;

export interface SocketRecordAt {
  readonly w: Int32Array;
  readonly at: number;
}

/** Where record `index` lives (its chunk's view and first word); null when its chunk is not made. */
export function locateSocketRecord(r: Region, index: number): SocketRecordAt | null {
  const w = socketChunk(r, (index / SOCKETS_PER_CHUNK) | 0);
  return w === null ? null : { w, at: (index % SOCKETS_PER_CHUNK) * RECORD_WORDS };
}

/** A free record, zeroed, with `refs` 1 (the handle) plus 1 (the creating thread); null when none can be had. */
export function allocSocketRecord(r: Region): { index: number; w: Int32Array; at: number } | null {
  lock(r, H.socketLock);
  try {
    let head = Atomics.load(r.i32, H.socketFree);
    if (head === 0) {
      const chunk = Atomics.load(r.i32, H.socketChunks);
      if (chunk >= MAX_SOCKET_CHUNKS) return null;
      const w = growSocketRecords(r);
      if (w === null) return null;
      // Lowest index first; `next` holds index + 1.
      const first = chunk * SOCKETS_PER_CHUNK;
      for (let i = SOCKETS_PER_CHUNK - 1; i >= 0; i--) {
        w[i * RECORD_WORDS + SW.next] = head;
        head = first + i + 1;
      }
    }
    const index = head - 1;
    const place = locateSocketRecord(r, index);
    if (place === null) return null;
    const { w, at } = place;
    Atomics.store(r.i32, H.socketFree, w[at + SW.next]!);
    w.fill(0, at, at + RECORD_WORDS);
    w[at + SW.fd] = -1;
    w[at + SW.refs] = 2;
    const slot = mySlot();
    w[at + SW.creator] = slot;
    if (slot >= 0) w[at + SW.holders + (slot >>> 5)] = 1 << (slot & 31);
    return { index, w, at };
  } finally {
    unlock(r, H.socketLock);
  }
}

function freeSocketRecord(r: Region, index: number, w: Int32Array, at: number): void {
  lock(r, H.socketLock);
  try {
    Atomics.store(w, at + SW.handle, 0);
    w[at + SW.next] = Atomics.load(r.i32, H.socketFree);
    Atomics.store(r.i32, H.socketFree, index + 1);
  } finally {
    unlock(r, H.socketLock);
  }
}

/** The record is published under handle `h` (after the handle table has it). */
export function publishSocketRecord(w: Int32Array, at: number, h: number): void {
  Atomics.store(w, at + SW.handle, h);
}

/**
 * Take this thread's reference on record `index` for handle `h` (another thread's socket, looked
 * up here for the first time); false when it is closed or no longer that socket's.
 */
export function holdSocketRecord(r: Region, index: number, h: number): SocketRecordAt | null {
  const place = locateSocketRecord(r, index);
  const slot = mySlot();
  if (place === null || slot < 0) return null;
  const { w, at } = place;
  if (Atomics.load(w, at + SW.handle) !== h || Atomics.load(w, at + SW.closed) !== 0) return null;
  // Only a count above 0 may be raised: at 0 the last holder is closing the fd.
  for (let refs = Atomics.load(w, at + SW.refs); ; ) {
    if (refs <= 0) return null;
    const seen = Atomics.compareExchange(w, at + SW.refs, refs, refs + 1);
    if (seen === refs) break;
    refs = seen;
  }
  Atomics.or(w, at + SW.holders + (slot >>> 5), 1 << (slot & 31));
  // Closed (or freed and reused) between the first look and the reference: give it back.
  if (Atomics.load(w, at + SW.handle) !== h || Atomics.load(w, at + SW.closed) !== 0) {
    releaseSocketRecord(r, index, w, at, slot);
    return null;
  }
  return place;
}

/** Mark the record closed; true for the one caller that closed it (closesocket in two threads at once: one wins). */
export function closeSocketRecord(w: Int32Array, at: number): boolean {
  return Atomics.compareExchange(w, at + SW.closed, 0, 1) === 0;
}

/**
 * The closing thread (after closeSocketRecord, with its own pending work ended): the connection
 * goes now. When other threads still hold the record its fd number is kept reserved under an
 * unconnected stand-in and they are rung; then the handle's reference and the closer's go.
 */
export function finishSocketClose(r: Region, index: number, w: Int32Array, at: number): void {
  const slot = mySlot();
  if (Atomics.load(w, at + SW.refs) > 2) {
    const fd = w[at + SW.fd]!;
    const standIn = noteOpened(libc.socket(L.AF_UNIX, L.SOCK_STREAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0));
    if (standIn >= 0) {
      // dup3's result is the socket's number, which stays the socket's, not this thread's.
      noteOpenedUnless(true, libc.dup3(standIn, fd, L.O_CLOEXEC));
      closeOwnedFd(standIn);
    }
    ringHolders(r, w, at, slot);
  }
  // The handle's reference: the table entry stays (so the number is not reused) until the last one.
  if (Atomics.sub(w, at + SW.refs, 1) === 1) lastReference(r, index, w, at);
  else releaseSocketRecord(r, index, w, at, slot);
}

/**
 * This thread lets go of the record (its LinuxSocket saw the close, or the thread ends). The last
 * reference closes the fd and frees the handle number and the record.
 */
export function releaseSocketRecord(r: Region, index: number, w: Int32Array, at: number, slot: number): void {
  if (slot >= 0) {
    const word = at + SW.holders + (slot >>> 5);
    const bit = 1 << (slot & 31);
    if ((Atomics.and(w, word, ~bit) & bit) === 0) return; // not held by this slot (already let go)
  }
  if (Atomics.sub(w, at + SW.refs, 1) === 1) lastReference(r, index, w, at);
}

function lastReference(r: Region, index: number, w: Int32Array, at: number): void {
  // The socket's fd was never this thread's (lifecycle.ts registerShared): closeOwnedFd forgets nothing here.
  closeOwnedFd(w[at + SW.fd]!);
  freeDatagramRing(w, at);
  freeHandle(r, Atomics.load(w, at + SW.handle));
  freeSocketRecord(r, index, w, at);
}

/** The address of a record's datagram ring (0: none). */
export const datagramRingAddress = (w: Int32Array, at: number): number => (w[at + SW.queueAddressLow]! >>> 0) + (w[at + SW.queueAddressHigh]! >>> 0) * 2 ** 32;

/** Free a record's datagram ring (the socket's last reference went; nobody reads it any more). */
export function freeDatagramRing(w: Int32Array, at: number): void {
  const address = datagramRingAddress(w, at);
  if (address === 0) return;
  w[at + SW.queueAddressLow] = 0;
  w[at + SW.queueAddressHigh] = 0;
  libc.freeAt(address);
}

/** Another thread than `self` holds the record (uses the socket). */
export function heldByOtherThreads(w: Int32Array, at: number, self: number): boolean {
  for (let word = 0; word < HOLDER_WORDS; word++) {
    const bits = Atomics.load(w, at + SW.holders + word);
    if (bits !== 0 && (self >>> 5 !== word || (bits & ~(1 << (self & 31))) !== 0)) return true;
  }
  return false;
}

/** Ring every thread but this one that holds the record (its socket was closed). */
function ringHolders(r: Region, w: Int32Array, at: number, self: number): void {
  for (let word = 0; word < HOLDER_WORDS; word++) {
    let bits = Atomics.load(w, at + SW.holders + word);
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      bits &= ~(1 << bit);
      const slot = word * 32 + bit;
      if (slot === self) continue;
      noteSocketClosedFor(r, slot);
      ring(r, slot);
    }
  }
}

/**
 * A thread is gone (reaped): its references go, and a socket it was the last holder of closes. True
 * when a socket's turn came to this thread on the way (shared/order.ts: its waiting queues need driving).
 */
export function releaseSocketsOf(r: Region, slot: number): boolean {
  let turns = false;
  const chunks = Atomics.load(r.i32, H.socketChunks);
  const word = SW.holders + (slot >>> 5);
  const bit = 1 << (slot & 31);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const w = socketChunk(r, chunk);
    if (w === null) continue;
    for (let i = 0; i < SOCKETS_PER_CHUNK; i++) {
      const at = i * RECORD_WORDS;
      if (w[at + SW.handle] === 0 || (w[at + word]! & bit) === 0) continue;
      // Its transfers will never end by themselves: the other threads' go on, and its receives no
      // longer take the data event from a WSAEventSelect (win32/event-select.ts).
      const { mine, receives } = finishTicketsOf(w, at, slot);
      if (mine) turns = true;
      if (receives > 0) Atomics.sub(w, at + SW.pendingReceives, receives);
      releaseSocketRecord(r, chunk * SOCKETS_PER_CHUNK + i, w, at, slot);
    }
  }
  return turns;
}

/** The handles of every socket record in use, open or still referenced (for tests: what a terminated Worker left). */
export function socketHandlesInUse(r: Region): number[] {
  const handles: number[] = [];
  const chunks = Atomics.load(r.i32, H.socketChunks);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const w = socketChunk(r, chunk);
    if (w === null) continue;
    for (let i = 0; i < SOCKETS_PER_CHUNK; i++) {
      const h = Atomics.load(w, i * RECORD_WORDS + SW.handle);
      if (h !== 0) handles.push(h);
    }
  }
  return handles;
}
