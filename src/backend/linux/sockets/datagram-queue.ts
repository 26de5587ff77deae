/**
 * The user-space receive queue of a datagram socket the emulation owns.
 *
 * Why it exists: Windows FIONREAD on a message socket reports the total of every queued datagram,
 * Linux FIONREAD only the first one. To count them all the emulation has to take the datagrams
 * out of the kernel (FIONREAD drains into this queue), and then every receive must serve this
 * queue before the kernel so that order, peeking, truncation and source addresses stay as they
 * would have been (see `receiveQueued`, called by recv / recvfrom in sockets.ts), control data
 * included for a socket that asked for WSARecvMsg's control records.
 *
 * The queue is the socket's, not a thread's (docs/process-wide-handles.md §15): a ring of entries in
 * malloc()ed memory whose address, offsets and totals are words of the socket's record
 * (shared/sockets.ts), so a datagram FIONREAD took out of the kernel in one JS thread is received
 * by a recv in any other, once. Each thread reads and writes the ring through its own view of it
 * (koffi.view, made once per ring and thread); every use takes the record's queue lock, and a drain
 * holds it across its system calls so two drains never interleave their datagrams. The ring is
 * freed with the socket's last reference.
 *
 * Borrowed sockets never get a queue: their data belongs to Node and is never read.
 *
 * Bound: draining stops once the queued datagrams cost as much as the socket's kernel receive
 * buffer (SO_RCVBUF as Linux reports it), each datagram charged its length plus a fixed per-
 * datagram overhead, so a flood of tiny or empty datagrams cannot grow the queue without limit; or
 * once the ring (sized at the first drain from that buffer, between 256 KiB and 16 MiB) is full.
 */
import koffi from 'koffi';
import * as libc from '../host/libc.js';
import { L, E } from '../host/libc.js';
import { LINUX_SOCKADDR_MAX } from '../host/sockaddr.js';
import { LINUX_CONTROL_MAX, linuxControl, recvMessage, type LinuxControl } from '../host/msghdr.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { capturedSource } from './capture.js';
import { SW, datagramRingAddress } from '../shared/sockets.js';
import { regionIfUsed } from '../shared/region.js';
import { lockWord } from '../shared/threads.js';

/** Charged per queued datagram on top of its payload (roughly the kernel's own bookkeeping share). */
const PER_DATAGRAM_OVERHEAD = 256;
/** Used when SO_RCVBUF cannot be read. */
const FALLBACK_LIMIT = 212992;
const MIN_RING = 256 * 1024;
const MAX_RING = 16 * 1024 * 1024;

/**
 * An entry in the ring (byte offsets, every entry 8-aligned): its size, its kind (0 a datagram, an
 * errno a receive error in its place, -1 "the ring wraps here"), the payload, source and control
 * lengths, the control flags, then the source, control and payload bytes.
 */
const E_SIZE = 0;
const E_KIND = 4;
const E_DATA = 8;
const E_FROM = 12;
const E_CONTROL = 16;
const E_FLAGS = 20;
const E_HEADER = 24;
const WRAP = -1;

const align8 = (n: number): number => (n + 7) & ~7;

interface RingView {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
}

/** This thread's views of the rings it has used, by address (a view costs ~2 µs to make). */
const views = new Map<number, RingView>();

function viewOf(address: number, capacity: number): RingView {
  let view = views.get(address);
  if (view === undefined || view.u8.length !== capacity) {
    const buffer = koffi.view(address, capacity);
    view = { u8: new Uint8Array(buffer), i32: new Int32Array(buffer) };
    views.set(address, view);
  }
  return view;
}

/** The socket's queue lock (a socket only this thread can reach needs none). */
function lockQueue(sock: LinuxSocket): boolean {
  const r = sock.record >= 0 ? regionIfUsed() : null;
  if (r === null) return false;
  lockWord(r, sock.w, sock.at + SW.queueLock);
  return true;
}

function unlockQueue(sock: LinuxSocket, locked: boolean): void {
  if (locked) Atomics.store(sock.w, sock.at + SW.queueLock, 0);
}

/** The socket's ring, made at its first drain (null: no memory). */
function ringOf(sock: LinuxSocket, limit: number): RingView | null {
  const { w, at } = sock;
  let address = datagramRingAddress(w, at);
  if (address === 0) {
    const capacity = align8(Math.min(Math.max(2 * limit, MIN_RING), MAX_RING));
    address = libc.callocAt(1, capacity);
    if (!address) return null;
    w[at + SW.queueCapacity] = capacity;
    w[at + SW.queueHead] = 0;
    w[at + SW.queueTail] = 0;
    w[at + SW.queueUsed] = 0;
    w[at + SW.queueAddressLow] = address % 2 ** 32;
    w[at + SW.queueAddressHigh] = Math.floor(address / 2 ** 32);
  }
  return viewOf(address, w[at + SW.queueCapacity]!);
}

/** Where an entry of `size` bytes can go (the tail, or the start after a wrap mark), or -1: full. */
function place(sock: LinuxSocket, ring: RingView, size: number): number {
  const { w, at } = sock;
  const capacity = w[at + SW.queueCapacity]!;
  if (w[at + SW.queueCount] === 0) {
    w[at + SW.queueHead] = 0;
    w[at + SW.queueTail] = 0;
    w[at + SW.queueUsed] = 0;
    return size <= capacity ? 0 : -1;
  }
  const head = w[at + SW.queueHead]!;
  const tail = w[at + SW.queueTail]!;
  if (tail > head) {
    if (size <= capacity - tail) return tail;
    if (size > head) return -1;
    // Not enough room before the end: mark the rest unused, go on at the start.
    ring.i32[(tail + E_KIND) >> 2] = WRAP;
    ring.i32[(tail + E_SIZE) >> 2] = capacity - tail;
    w[at + SW.queueUsed]! += capacity - tail;
    w[at + SW.queueTail] = 0;
    return 0;
  }
  // tail < head (tail === head with entries queued: full).
  return size <= head - tail ? tail : -1;
}

/** Account an entry of `size` bytes written at `offset`. */
function pushed(sock: LinuxSocket, offset: number, size: number, payload: number, charge: number): void {
  const { w, at } = sock;
  const end = offset + size;
  w[at + SW.queueTail] = end === w[at + SW.queueCapacity] ? 0 : end;
  w[at + SW.queueUsed]! += size;
  w[at + SW.queueBytes]! += payload;
  w[at + SW.queueCharge]! += charge;
  w[at + SW.queueCount]! += 1;
}

/** The head entry's offset (skipping a wrap mark). */
function headEntry(sock: LinuxSocket, ring: RingView): number {
  const { w, at } = sock;
  const head = w[at + SW.queueHead]!;
  if (ring.i32[(head + E_KIND) >> 2] !== WRAP) return head;
  w[at + SW.queueUsed]! -= w[at + SW.queueCapacity]! - head;
  w[at + SW.queueHead] = 0;
  return 0;
}

/** Take the head entry (at `offset`) out. */
function shift(sock: LinuxSocket, ring: RingView, offset: number): void {
  const { w, at } = sock;
  const size = ring.i32[(offset + E_SIZE) >> 2]!;
  const kind = ring.i32[(offset + E_KIND) >> 2]!;
  const payload = kind === 0 ? ring.i32[(offset + E_DATA) >> 2]! : 0;
  const end = offset + size;
  w[at + SW.queueHead] = end === w[at + SW.queueCapacity] ? 0 : end;
  w[at + SW.queueUsed]! -= size;
  w[at + SW.queueBytes]! -= payload;
  w[at + SW.queueCharge]! -= payload + PER_DATAGRAM_OVERHEAD;
  w[at + SW.queueCount]! -= 1;
}

const noBuffer = new Uint8Array(1);
const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
const peerLen = new Uint32Array(1);
const intBuf = new Int32Array(1);
const intLen = new Uint32Array(1);
/** Where a datagram lands before it is copied into the ring (grown to the largest seen). */
let scratch = new Uint8Array(65536);

function receiveBufferLimit(fd: number): number {
  intLen[0] = 4;
  const rc = libc.getsockopt(fd, L.SOL_SOCKET, L.SO_RCVBUF, new Uint8Array(intBuf.buffer), intLen);
  return rc === 0 && intBuf[0]! > 0 ? intBuf[0]! : FALLBACK_LIMIT;
}

/** What a drain left behind in the kernel. */
export interface DrainResult {
  /** The drain stopped at the size limit while the kernel may still hold datagrams. */
  limited: boolean;
}

/** Queue a receive error in its place in the order; false when the ring is full. */
function pushError(sock: LinuxSocket, ring: RingView, errno: number): boolean {
  const offset = place(sock, ring, E_HEADER);
  if (offset < 0) return false;
  ring.i32.fill(0, offset >> 2, (offset + E_HEADER) >> 2);
  ring.i32[(offset + E_SIZE) >> 2] = E_HEADER;
  ring.i32[(offset + E_KIND) >> 2] = errno;
  pushed(sock, offset, E_HEADER, 0, PER_DATAGRAM_OVERHEAD);
  return true;
}

/**
 * Move every datagram waiting in the kernel into the socket's queue (never blocks). A receive
 * error met on the way is asked to `isStale` (the datagramErrno hooks): a stale asynchronous
 * error is dropped and draining goes on; any other is queued in its place and draining stops.
 * Borrowed sockets are left alone.
 */
export function drainDatagrams(sock: LinuxSocket, isStale: (errno: number) => boolean): DrainResult {
  if (sock.borrowed) return { limited: false };
  const locked = lockQueue(sock);
  try {
    return drainLocked(sock, isStale);
  } finally {
    unlockQueue(sock, locked);
  }
}

function drainLocked(sock: LinuxSocket, isStale: (errno: number) => boolean): DrainResult {
  const fd = sock.receiveFd;
  const limit = receiveBufferLimit(fd);
  const ring = ringOf(sock, limit);
  if (ring === null) return { limited: true };
  const { w, at } = sock;
  let staleErrors = 0;
  for (;;) {
    if (w[at + SW.queueCharge]! >= limit) return { limited: true };
    // The real length first (MSG_TRUNC on a peek), so the datagram is taken whole whatever its size.
    const size = libc.recvfrom(fd, noBuffer, 0, L.MSG_PEEK | L.MSG_TRUNC | L.MSG_DONTWAIT, null, null);
    if (size < 0) {
      const errno = libc.errno();
      if (errno === E.EAGAIN) return { limited: false };
      if (errno === E.EINTR) continue;
      if (staleErrors++ < 4 && isStale(errno)) continue;
      return { limited: !pushError(sock, ring, errno) };
    }
    // A socket that asked for control records keeps each datagram's control data with it.
    const control = sock.controlRecords !== 0 ? linuxControl() : undefined;
    // Room for the largest entry this datagram can make, before it leaves the kernel.
    const largest = align8(E_HEADER + peer.length + (control ? LINUX_CONTROL_MAX : 0) + size);
    if (place(sock, ring, largest) < 0) return { limited: true };
    if (scratch.length < size) scratch = new Uint8Array(size);
    peerLen[0] = peer.length;
    const n = control === undefined
      ? libc.recvfrom(fd, scratch, size, L.MSG_TRUNC | L.MSG_DONTWAIT, peer, peerLen)
      : recvMessage(fd, scratch, size, L.MSG_TRUNC | L.MSG_DONTWAIT, peer, peerLen, control);
    if (n < 0) {
      // The datagram just peeked cannot vanish (only a drain, under this lock, reads the fd ahead of receives).
      const errno = libc.errno();
      if (errno === E.EINTR || errno === E.EAGAIN) continue;
      return { limited: !pushError(sock, ring, errno) };
    }
    const kept = scratch.subarray(0, Math.min(n, size));
    // A capture's packets come from a packet socket: their source is the IP header's.
    const from = sock.capture !== null ? capturedSource(sock, kept) : peer.subarray(0, Math.min(peerLen[0]!, peer.length));
    const controlLength = control?.length ?? 0;
    const entry = align8(E_HEADER + from.length + controlLength + kept.length);
    const offset = place(sock, ring, entry);
    const { u8, i32 } = ring;
    const word = offset >> 2;
    i32[word + (E_SIZE >> 2)] = entry;
    i32[word + (E_KIND >> 2)] = 0;
    i32[word + (E_DATA >> 2)] = kept.length;
    i32[word + (E_FROM >> 2)] = from.length;
    i32[word + (E_CONTROL >> 2)] = controlLength;
    i32[word + (E_FLAGS >> 2)] = control?.flags ?? 0;
    let p = offset + E_HEADER;
    u8.set(from, p);
    p += from.length;
    if (control) u8.set(control.bytes.subarray(0, controlLength), p);
    p += controlLength;
    u8.set(kept, p);
    pushed(sock, offset, entry, kept.length, kept.length + PER_DATAGRAM_OVERHEAD);
  }
}

/** Payload bytes waiting in the socket's queue (0 when it has none). */
export function queuedDatagramBytes(sock: LinuxSocket): number {
  return sock.w[sock.at + SW.queueBytes]!;
}

/** True when a receive on the socket would be served from the queue without asking the kernel. */
export function hasQueuedDatagrams(sock: LinuxSocket): boolean {
  return sock.w[sock.at + SW.queueCount]! > 0;
}

/**
 * Serve one receive from the queue, the way recvfrom(MSG_TRUNC) would from the kernel: copies at
 * most `len` bytes into `buf`, writes the sender's Linux sockaddr into `from` / `fromLen`, and
 * returns the datagram's real length (larger than `len` means truncated). A queued error comes
 * back as its negated errno. `null` when the queue is empty (or for MSG_OOB, which the queue
 * never holds), i.e. ask the kernel. MSG_PEEK leaves the datagram queued.
 */
export function receiveQueued(
  sock: LinuxSocket, buf: Uint8Array, len: number, linuxFlags: number, from: Uint8Array, fromLen: Uint32Array,
  control: LinuxControl | null = null,
): number | null {
  // No lock for the common case: nothing was ever queued (a late zero only sends this receive to the kernel).
  if (sock.w[sock.at + SW.queueCount] === 0 || linuxFlags & L.MSG_OOB) return null;
  const locked = lockQueue(sock);
  try {
    return receiveLocked(sock, buf, len, linuxFlags, from, fromLen, control);
  } finally {
    unlockQueue(sock, locked);
  }
}

function receiveLocked(
  sock: LinuxSocket, buf: Uint8Array, len: number, linuxFlags: number, from: Uint8Array, fromLen: Uint32Array, control: LinuxControl | null,
): number | null {
  const { w, at } = sock;
  const address = datagramRingAddress(w, at);
  if (w[at + SW.queueCount] === 0 || address === 0) return null;
  const ring = viewOf(address, w[at + SW.queueCapacity]!);
  const offset = headEntry(sock, ring);
  const { u8, i32 } = ring;
  const word = offset >> 2;
  const peek = (linuxFlags & L.MSG_PEEK) !== 0;
  const kind = i32[word + (E_KIND >> 2)]!;
  if (kind !== 0) {
    if (!peek) shift(sock, ring, offset);
    return -kind;
  }
  const dataLength = i32[word + (E_DATA >> 2)]!;
  const fromLength = i32[word + (E_FROM >> 2)]!;
  const controlLength = i32[word + (E_CONTROL >> 2)]!;
  const fromAt = offset + E_HEADER;
  const controlAt = fromAt + fromLength;
  const dataAt = controlAt + controlLength;
  const count = Math.min(len, dataLength, buf.length);
  if (count > 0) buf.set(u8.subarray(dataAt, dataAt + count));
  const size = Math.min(fromLength, from.length);
  from.set(u8.subarray(fromAt, fromAt + size));
  fromLen[0] = size;
  if (control !== null) {
    // What the kernel gave with it, or nothing (it was queued before the socket asked for any).
    control.length = Math.min(controlLength, control.bytes.length);
    control.flags = i32[word + (E_FLAGS >> 2)]!;
    if (control.length > 0) control.bytes.set(u8.subarray(controlAt, controlAt + control.length));
  }
  if (!peek) shift(sock, ring, offset);
  return dataLength;
}

/** This thread stops using the socket: its view of the ring goes (the ring is freed with the socket's last reference). */
export function forgetDatagramView(sock: LinuxSocket): void {
  const address = datagramRingAddress(sock.w, sock.at);
  if (address !== 0) views.delete(address);
}
