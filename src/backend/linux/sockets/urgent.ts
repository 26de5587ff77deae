/**
 * The urgent (out-of-band) byte of a TCP socket, as FIONREAD and SIOCATMARK need to see it.
 *
 * Windows keeps urgent bytes out of the stream: with SO_OOBINLINE off FIONREAD counts all normal
 * bytes and never an urgent one. Linux keeps one urgent byte *in* the stream, in a slot that
 * normal reads skip, from its arrival until the read position passes it (even after MSG_OOB took
 * the byte). While that slot lies in the queue and SO_OOBINLINE is off, Linux FIONREAD (tcp_inq)
 * answers only the bytes *before* the slot; with SO_OOBINLINE on it answers everything queued,
 * the slot included. Reading SIOCINQ both ways therefore tells whether the slot is in the queue
 * (the two answers differ) and how many normal bytes there are (the inline answer minus one).
 *
 * The other SO_OOBINLINE value is set only for the two ioctl calls and put back at once; nothing
 * is read, so this is safe on borrowed sockets too. It runs only when urgent data may be involved
 * (`mayHoldUrgentSlot`): the kernel signals urgent data (POLLPRI), or the emulation knows it left
 * a consumed or pre-inline urgent byte behind.
 */
import * as C from '../../../winsock/constants.js';
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { linuxInq, oobInline, setKernelInt } from '../host/socket-facts.js';
import { pollNow } from '../host/poll.js';
import type { LinuxSocket } from '../win32/socket-state.js';

const oneByte = new Uint8Array(1);

/** True while an urgent byte has arrived and nobody has taken it with MSG_OOB (a peek only). */
export function urgentPending(fd: number): boolean {
  return libc.recv(fd, oneByte, 1, L.MSG_OOB | L.MSG_PEEK | L.MSG_DONTWAIT) === 1;
}

/** The kernel signals unread urgent data (POLLPRI), without waiting. */
function urgentSignalled(fd: number): boolean {
  const revents = pollNow(fd, L.POLLPRI);
  return revents > 0 && (revents & L.POLLPRI) !== 0;
}

/** False only when no urgent slot can be in the receive queue (the common case, one poll). */
export function mayHoldUrgentSlot(sock: LinuxSocket, fd: number): boolean {
  return sock.urgentConsumed || sock.urgentBeforeInline || urgentSignalled(fd);
}

/** Queued bytes seen both ways. */
export interface QueueCounts {
  /** Everything queued, an urgent slot included (SIOCINQ with SO_OOBINLINE on). */
  all: number;
  /** What Linux reports with SO_OOBINLINE off: the bytes before an urgent slot, else all. */
  beforeSlot: number;
}

/** SIOCINQ read with SO_OOBINLINE off and on; `inlineNow` is the socket's own setting, restored. */
export function queueCounts(fd: number, inlineNow: boolean): QueueCounts | { errno: number } {
  const first = linuxInq(fd);
  if (typeof first !== 'number') return first;
  const toggled = setKernelInt(fd, L.SOL_SOCKET, L.SO_OOBINLINE, inlineNow ? 0 : 1);
  if (toggled) return { all: first, beforeSlot: first };
  const second = linuxInq(fd);
  setKernelInt(fd, L.SOL_SOCKET, L.SO_OOBINLINE, inlineNow ? 1 : 0);
  if (typeof second !== 'number') return second;
  return inlineNow ? { all: first, beforeSlot: second } : { all: second, beforeSlot: first };
}

/** The urgent slot is in the receive queue (still ahead of, or at, the read position). */
export const slotQueued = (counts: QueueCounts): boolean => counts.all > counts.beforeSlot;

/**
 * Windows keeps calling an urgent byte urgent when SO_OOBINLINE is switched on after it arrived
 * (test_fionread_siocatmark): remember that moment, since Linux cannot tell it apart afterwards.
 */
export function noteOobInlineChange(sock: LinuxSocket, value: number): void {
  if (sock.type !== C.SOCK_STREAM) return;
  const fd = sock.fd;
  if (fd < 0) return;
  if (value === 0) sock.urgentBeforeInline = false;
  else if (!oobInline(fd) && urgentPending(fd)) sock.urgentBeforeInline = true;
}
