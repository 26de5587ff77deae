/**
 * The user-space receive queue of a datagram socket the emulation owns.
 *
 * Why it exists: Windows FIONREAD on a message socket reports the total of every queued datagram,
 * Linux FIONREAD only the first one. To count them all the emulation has to take the datagrams
 * out of the kernel (FIONREAD drains into this queue), and then every receive must serve this
 * queue before the kernel so that order, peeking, truncation and source addresses stay as they
 * would have been (see `receiveQueued`, called by recv / recvfrom in sockets.ts), control data
included for a socket that asked for WSARecvMsg's control records.
 *
 * Borrowed sockets never get a queue: their data belongs to Node and is never read.
 *
 * Bound: draining stops once the queued datagrams cost as much as the socket's kernel receive
 * buffer (SO_RCVBUF as Linux reports it), each datagram charged its length plus a fixed per-
 * datagram overhead, so a flood of tiny or empty datagrams cannot grow the queue without limit.
 */
import * as libc from '../host/libc.js';
import { L, E } from '../host/libc.js';
import { LINUX_SOCKADDR_MAX } from '../host/sockaddr.js';
import { linuxControl, recvMessage, type LinuxControl } from '../host/msghdr.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { capturedSource } from './capture.js';

/** Charged per queued datagram on top of its payload (roughly the kernel's own bookkeeping share). */
const PER_DATAGRAM_OVERHEAD = 256;
/** Used when SO_RCVBUF cannot be read. */
const FALLBACK_LIMIT = 212992;

type Entry =
  /**
   * A datagram: its whole payload and the sender's Linux sockaddr bytes (empty when none), and
   * its Linux control data when the socket asked for control records (WSARecvMsg).
   */
  | { readonly data: Uint8Array; readonly from: Uint8Array; readonly control?: LinuxControl; readonly errno?: undefined }
  /** A receive error the kernel reported while draining; delivered in its place in the order. */
  | { readonly errno: number };

class DatagramQueue {
  private entries: Entry[] = [];
  private first = 0;
  /** Payload bytes of the queued datagrams (what FIONREAD adds up). */
  bytes = 0;
  /** `bytes` plus the per-datagram overhead: what the drain limit is measured against. */
  private charge = 0;

  get empty(): boolean {
    return this.first >= this.entries.length;
  }

  head(): Entry | undefined {
    return this.entries[this.first];
  }

  push(entry: Entry): void {
    this.entries.push(entry);
    if (entry.errno === undefined) {
      this.bytes += entry.data.length;
      this.charge += entry.data.length + PER_DATAGRAM_OVERHEAD;
    } else {
      this.charge += PER_DATAGRAM_OVERHEAD;
    }
  }

  shift(): void {
    const entry = this.entries[this.first];
    if (!entry) return;
    this.entries[this.first++] = undefined as unknown as Entry;
    if (entry.errno === undefined) {
      this.bytes -= entry.data.length;
      this.charge -= entry.data.length + PER_DATAGRAM_OVERHEAD;
    } else {
      this.charge -= PER_DATAGRAM_OVERHEAD;
    }
    // Compact now and then so a long-lived queue does not keep a growing array of holes.
    if (this.first > 64 && this.first * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.first);
      this.first = 0;
    }
  }

  full(limit: number): boolean {
    return this.charge >= limit;
  }
}

/** Each socket's queue, made by its first FIONREAD that drains the kernel. */
const queues = new WeakMap<LinuxSocket, DatagramQueue>();

const noBuffer = new Uint8Array(1);
const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
const peerLen = new Uint32Array(1);
const intBuf = new Int32Array(1);
const intLen = new Uint32Array(1);

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

/**
 * Move every datagram waiting in the kernel into the socket's queue (never blocks). A receive
 * error met on the way is asked to `isStale` (the datagramErrno hooks): a stale asynchronous
 * error is dropped and draining goes on; any other is queued in its place and draining stops.
 * Borrowed sockets are left alone.
 */
export function drainDatagrams(sock: LinuxSocket, isStale: (errno: number) => boolean): DrainResult {
  if (sock.borrowed) return { limited: false };
  const fd = sock.receiveFd;
  let queue = queues.get(sock);
  if (!queue) queues.set(sock, (queue = new DatagramQueue()));
  const limit = receiveBufferLimit(fd);
  let staleErrors = 0;
  for (;;) {
    if (queue.full(limit)) return { limited: true };
    // The real length first (MSG_TRUNC on a peek), so the datagram is taken whole whatever its size.
    const size = libc.recvfrom(fd, noBuffer, 0, L.MSG_PEEK | L.MSG_TRUNC | L.MSG_DONTWAIT, null, null);
    if (size < 0) {
      const errno = libc.errno();
      if (errno === E.EAGAIN) return { limited: false };
      if (errno === E.EINTR) continue;
      if (staleErrors++ < 4 && isStale(errno)) continue;
      queue.push({ errno });
      return { limited: false };
    }
    const data = new Uint8Array(size);
    peerLen[0] = peer.length;
    // A socket that asked for control records keeps each datagram's control data with it.
    const control = sock.controlRecords !== 0 ? linuxControl() : undefined;
    const n = control === undefined
      ? libc.recvfrom(fd, data, size, L.MSG_TRUNC | L.MSG_DONTWAIT, peer, peerLen)
      : recvMessage(fd, data, size, L.MSG_TRUNC | L.MSG_DONTWAIT, peer, peerLen, control);
    if (n < 0) {
      // The datagram just peeked cannot vanish (nobody else reads this fd); treat it as an error.
      const errno = libc.errno();
      if (errno === E.EINTR || errno === E.EAGAIN) continue;
      queue.push({ errno });
      return { limited: false };
    }
    const kept = n === size ? data : data.subarray(0, Math.min(n, size));
    // A capture's packets come from a packet socket: their source is the IP header's.
    const from = sock.capture !== null ? capturedSource(sock, kept) : peer.slice(0, Math.min(peerLen[0]!, peer.length));
    queue.push({ data: kept, from, ...(control && { control: trimmed(control) }) });
  }
}

/** A capture cut to its length, so a queued datagram keeps only the control bytes it got. */
function trimmed(control: LinuxControl): LinuxControl {
  return { bytes: control.bytes.slice(0, control.length), length: control.length, flags: control.flags };
}

/** Payload bytes waiting in the socket's queue (0 when it has none). */
export function queuedDatagramBytes(sock: LinuxSocket): number {
  return queues.get(sock)?.bytes ?? 0;
}

/** True when a receive on the socket would be served from the queue without asking the kernel. */
export function hasQueuedDatagrams(sock: LinuxSocket): boolean {
  const queue = queues.get(sock);
  return queue !== undefined && !queue.empty;
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
  const queue = queues.get(sock);
  if (queue === undefined || queue.empty || linuxFlags & L.MSG_OOB) return null;
  const entry = queue.head()!;
  const peek = (linuxFlags & L.MSG_PEEK) !== 0;
  if (entry.errno !== undefined) {
    if (!peek) queue.shift();
    return -entry.errno;
  }
  const count = Math.min(len, entry.data.length, buf.length);
  if (count > 0) buf.set(entry.data.subarray(0, count));
  const size = Math.min(entry.from.length, from.length);
  from.set(entry.from.subarray(0, size));
  fromLen[0] = size;
  if (control !== null) {
    // What the kernel gave with it, or nothing (it was queued before the socket asked for any).
    control.length = entry.control?.length ?? 0;
    control.flags = entry.control?.flags ?? 0;
    if (entry.control) control.bytes.set(entry.control.bytes.subarray(0, control.length));
  }
  if (!peek) queue.shift();
  return entry.data.length;
}
