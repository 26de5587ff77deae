/**
 * Winsock timestamping on Linux: what SIO_TIMESTAMPING switched on for a socket, the receive
 * stamps' record, and the transmit stamps buffered for SIO_GET_TX_TIMESTAMP.
 *
 * Windows facts (Microsoft's "Winsock timestamping", SIO_TIMESTAMPING / SIO_GET_TX_TIMESTAMP
 * (Winsock IOCTLs) and TIMESTAMPING_CONFIG pages): UDP sockets only; TIMESTAMPING_CONFIG.Flags
 * RX (1) and TX (2) switch each direction on, an absent bit switches it off; a received datagram's
 * stamp is an SO_TIMESTAMP (0x300A) record at level SOL_SOCKET holding a UINT64 in WSARecvMsg's
 * control data; a WSASendMsg tags its datagram with an SO_TIMESTAMP_ID (0x300B) record holding a
 * UINT32; the stamps of tagged datagrams go into a per-socket buffer of TxTimestampsBuffered
 * entries, and a stamp generated while the buffer is full is discarded; SIO_GET_TX_TIMESTAMP
 * removes the stamp with the given id, or fails with WSAEWOULDBLOCK while there is none. Software
 * stamps count in QueryPerformanceCounter units (host/qpc.ts).
 *
 * Linux (Documentation/networking/timestamping.rst): SO_TIMESTAMPING with SOF_TIMESTAMPING_SOFTWARE
 * reports software stamps; RX_SOFTWARE stamps received packets (an SCM_TIMESTAMPING cmsg, ts[0]);
 * TX_SOFTWARE, asked per datagram with an SO_TIMESTAMPING cmsg on sendmsg (kernel 4.13+), queues
 * the stamp taken when the packet leaves the driver on the socket's error queue (a
 * sock_extended_err with origin SO_EE_ORIGIN_TIMESTAMPING, ee_info SCM_TSTAMP_SND); with
 * SOF_TIMESTAMPING_OPT_ID its ee_data is a per-socket counter, counting from 0 when OPT_ID is
 * switched on and advancing by one per stamped datagram; OPT_TSONLY leaves the payload out of the
 * error queue. So the emulation stamps only datagrams that carry an SO_TIMESTAMP_ID record, counts
 * them as the kernel does, and maps the kernel's counter back to the caller's id. The error queue
 * has one reader (error-queue.ts), which hands stamps here.
 */
import * as C from '../../../winsock/constants.js';
import { L } from '../host/libc.js';
import { setKernelInt } from '../host/socket-facts.js';
import { qpcOfRealtime } from '../host/qpc.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** Kernel counters sent and not yet stamped that are remembered (older ones are forgotten). */
const SENT_MAX = 4096;

interface Timestamping {
  rx: boolean;
  tx: boolean;
  /** TxTimestampsBuffered. */
  capacity: number;
  /** The kernel's next OPT_ID counter value (the count of stamped datagrams since OPT_ID went on). */
  nextKernelId: number;
  /** Kernel counter -> the caller's SO_TIMESTAMP_ID, for datagrams sent and not stamped yet. */
  readonly sent: Map<number, number>;
  /** The TX buffer: stamps (QPC units) with their caller ids, oldest first. */
  readonly stamps: { id: number; qpc: bigint }[];
}

const states = new WeakMap<LinuxSocket, Timestamping>();

/**
 * SIO_TIMESTAMPING: switch receive / transmit stamps on or off (TIMESTAMPING_FLAG_RX / _TX) and
 * size the transmit buffer. 0, or the Linux errno setsockopt reported. (The handler sets the
 * socket's SO_TIMESTAMP record bit: control-messages.ts RECORD.)
 */
export function configureTimestamping(sock: LinuxSocket, flags: number, txBuffered: number): number {
  const rx = (flags & C.TIMESTAMPING_FLAG_RX) !== 0;
  const tx = (flags & C.TIMESTAMPING_FLAG_TX) !== 0;
  const linuxFlags = (rx || tx ? L.SOF_TIMESTAMPING_SOFTWARE : 0)
    | (rx ? L.SOF_TIMESTAMPING_RX_SOFTWARE : 0)
    | (tx ? L.SOF_TIMESTAMPING_OPT_ID | L.SOF_TIMESTAMPING_OPT_TSONLY : 0);
  const errno = setKernelInt(sock.fd, L.SOL_SOCKET, L.SO_TIMESTAMPING, linuxFlags);
  if (errno !== 0) return errno;
  const before = states.get(sock);
  const state: Timestamping = before ?? { rx: false, tx: false, capacity: 0, nextKernelId: 0, sent: new Map(), stamps: [] };
  // The kernel restarts its counter when OPT_ID goes from off to on.
  if (tx && !state.tx) {
    state.nextKernelId = 0;
    state.sent.clear();
  }
  if (!tx) {
    state.sent.clear();
    state.stamps.length = 0;
  }
  state.rx = rx;
  state.tx = tx;
  state.capacity = txBuffered;
  // Windows keeps what is already buffered when the size shrinks; only new stamps are refused.
  states.set(sock, state);
  return 0;
}

/** Transmit stamps are on (SIO_TIMESTAMPING with TIMESTAMPING_FLAG_TX). */
export function transmitStampsOn(sock: LinuxSocket): boolean {
  return states.get(sock)?.tx === true;
}

// ---- sending: the SO_TIMESTAMP_ID record -----------------------------------------------------------

/** Linux control data that asks for a transmit stamp, with the caller's id it stands for. */
const tagged = new WeakMap<Uint8Array, number>();

/** The Linux cmsg that asks the kernel to stamp this datagram: SO_TIMESTAMPING with TX_SOFTWARE. */
export function transmitStampCmsg(): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, 20n, true);
  view.setInt32(8, L.SOL_SOCKET, true);
  view.setInt32(12, L.SO_TIMESTAMPING, true);
  view.setUint32(16, L.SOF_TIMESTAMPING_TX_SOFTWARE, true);
  return out;
}

/** `control` (the whole Linux control data of one send) carries the caller's SO_TIMESTAMP_ID `id`. */
export function tagTransmitStamp(control: Uint8Array, id: number): void {
  tagged.set(control, id >>> 0);
}

/** A send left with `control`: when it asked for a stamp, the kernel counted it. */
export function noteSent(sock: LinuxSocket, control: Uint8Array): void {
  const id = tagged.get(control);
  const state = states.get(sock);
  if (id === undefined || state === undefined || !state.tx) return;
  state.sent.set(state.nextKernelId, id);
  state.nextKernelId = (state.nextKernelId + 1) >>> 0;
  if (state.sent.size > SENT_MAX) {
    const oldest = state.sent.keys().next();
    if (!oldest.done) state.sent.delete(oldest.value);
  }
}

// ---- the stamps ------------------------------------------------------------------------------------

/**
 * A transmit stamp read from the error queue (error-queue.ts): the kernel's counter and the
 * CLOCK_REALTIME instant. Buffered under the caller's id, unless the buffer is full (dropped, as
 * Windows drops it) or the counter names no tagged datagram.
 */
export function noteTransmitStamp(sock: LinuxSocket, kernelId: number, seconds: bigint, nanoseconds: bigint): void {
  const state = states.get(sock);
  if (state === undefined || !state.tx) return;
  const id = state.sent.get(kernelId);
  if (id === undefined) return;
  state.sent.delete(kernelId);
  if (state.stamps.length >= state.capacity) return;
  state.stamps.push({ id, qpc: qpcOfRealtime(seconds, nanoseconds) });
}

/** SIO_GET_TX_TIMESTAMP: the buffered stamp with this id, removed; null when there is none. */
export function takeTransmitStamp(sock: LinuxSocket, id: number): bigint | null {
  const stamps = states.get(sock)?.stamps;
  if (stamps === undefined) return null;
  const at = stamps.findIndex((s) => s.id === id >>> 0);
  if (at < 0) return null;
  const [entry] = stamps.splice(at, 1);
  return entry === undefined ? null : entry.qpc;
}
