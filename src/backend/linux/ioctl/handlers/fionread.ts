/**
 * FIONREAD: how many bytes a receive could return, as a u_long.
 *
 * Windows facts relied on (Wine dlls/ws2_32/tests/sock.c, test_fionread_siocatmark; lines
 * without todo_wine, i.e. what Windows does):
 * - output shorter than 4 bytes: WSAEFAULT, *lpcbBytesReturned left as it was; success writes
 *   4 bytes and returns 4;
 * - a fresh and a bound TCP socket report 0; a listening one answers 0 here too (Linux fails
 *   SIOCINQ on it);
 * - stream socket: an urgent byte received while SO_OOBINLINE is off is not counted (5 normal
 *   bytes + 1 urgent byte reads 5; after 3 bytes are read, 2); once SO_OOBINLINE is on, the
 *   byte is ordinary data and counted.
 * - message socket: the total of all queued datagrams, not the first one (Winsock IOCTL
 *   reference page for FIONREAD).
 *
 * Linux keeps the urgent byte in a slot of the stream from its arrival until the read position
 * passes it (even after MSG_OOB took it), and while that slot is queued its FIONREAD stops at it:
 * the normal bytes after the slot are missing. urgent.ts reads the queue both ways; the answer is
 * everything queued minus the slot. Not emulated: Windows queues every urgent byte separately,
 * Linux keeps only the latest one and turns an earlier unread one into normal data, counted then.
 *
 * Datagrams: for sockets the emulation owns, FIONREAD drains the kernel queue into the socket's
 * user-space queue (datagram-queue.ts; bounded by the receive-buffer size) and reports its total,
 * plus the next kernel datagram when the bound stopped the drain. recv / recvfrom serve that queue
 * first. Borrowed sockets (Node's) are never read: they report what Linux reports, the size of
 * the first queued datagram only.
 */
import * as C from '../../../../winsock/constants.js';
import { WSAEFAULT } from '../../../../errors/index.js';
import { FIONREAD } from '../../../../codes/index.js';
import { E, L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { kernelInt } from '../../host/socket-facts.js';
import { isStaleIcmpError } from '../../sockets/udp-reset.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { drainDatagrams, queuedDatagramBytes } from '../../sockets/datagram-queue.js';
import { mayHoldUrgentSlot, queueCounts, slotQueued } from '../../sockets/urgent.js';
import { linuxInq, oobInline } from '../../host/socket-facts.js';
import { done, failed, UNTOUCHED, type IoctlHandler } from '../types.js';
import { outputAtLeast } from '../checks.js';
import { writeU32LE } from '../../../../structs/bytes.js';

// The stream count is split so that its common path (one SIOCINQ, one poll) stays small enough
// for V8 to inline into the dispatcher; the rare cases are functions of their own.
function streamCount(sock: LinuxSocket, fd: number): number | { error: number } {
  const inq = linuxInq(fd);
  if (typeof inq !== 'number') return unreadable(fd, inq.errno);
  // Cheapest test first: no urgent data around is the common case (one poll).
  return mayHoldUrgentSlot(sock, fd) ? withoutUrgentSlot(sock, fd, inq) : inq;
}

/** SIOCINQ failed: Linux refuses it on a listening socket, where Windows answers 0. */
function unreadable(fd: number, errno: number): number | { error: number } {
  if (errno === E.EINVAL && kernelInt(fd, L.SOL_SOCKET, L.SO_ACCEPTCONN) === 1) return 0;
  return { error: wsaFromErrno(errno) };
}

/** Linux stopped counting at the urgent slot (unless SO_OOBINLINE is on): count everything, then leave the slot out. */
function withoutUrgentSlot(sock: LinuxSocket, fd: number, inq: number): number {
  if (oobInline(fd)) return inq;
  const counts = queueCounts(fd, false);
  if (!('all' in counts)) return inq;
  if (slotQueued(counts)) return counts.all - 1;
  sock.urgentConsumed = false; // the slot has been passed: no need to look again
  return counts.all;
}

function datagramCount(sock: LinuxSocket, fd: number): number | { error: number } {
  if (sock.borrowed) {
    const first = linuxInq(fd);
    return typeof first === 'number' ? first : { error: wsaFromErrno(first.errno) };
  }
  const { limited } = drainDatagrams(sock, (errno) => isStaleIcmpError(sock, errno));
  let total = queuedDatagramBytes(sock);
  if (limited) {
    const next = linuxInq(fd);
    if (typeof next === 'number') total += next;
  }
  return total;
}

/** The success result, made once (results are read-only): no allocation per call. */
const FOUR_BYTES = done(4);

export const fionread: IoctlHandler = {
  name: 'FIONREAD',
  code: FIONREAD,
  checks: [outputAtLeast(4, WSAEFAULT, UNTOUCHED)],
  run({ sock, output }) {
    const fd = sock.receiveFd;
    const count = sock.type === C.SOCK_STREAM ? streamCount(sock, fd) : datagramCount(sock, fd);
    if (typeof count !== 'number') return failed(count.error);
    // The declared check holds the output to at least 4 bytes (and a view cut to cbOutBuffer).
    writeU32LE(output, 0, Math.min(count, 0xffffffff));
    return FOUR_BYTES;
  },
};
