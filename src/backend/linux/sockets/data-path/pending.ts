/**
 * Overlapped receives and sends waiting on a socket: one FIFO per direction, driven by the
 * reactor (docs/principles.md, principle 5). A socket with something pending is one reactor
 * source asking poll() only for what the head of each queue needs (POLLIN, POLLPRI for urgent
 * data, POLLOUT), so the kernel is read or written only when it is ready, and a socket with
 * nothing pending is not polled at all: ten thousand pending receives cost their objects, not CPU.
 *
 * Order (Wine's test_simultaneous_async_recv): the receives on one socket take data in the order
 * they were issued, and sends go out in issue order; a new call queues behind the ones pending in
 * its direction instead of trying the kernel first.
 */
import type { LinuxSocket } from '../../win32/socket-state.js';
import type { OverlappedOp } from '../../win32/operations.js';
import { addSource } from '../../loop/reactor.js';
import { L } from '../../host/libc.js';

/** One pending transfer: what it waits for, and one try at finishing it. */
export interface Transfer {
  readonly op: OverlappedOp;
  /** poll() bits (Linux values) this transfer waits for. */
  readonly events: number;
  /** Try once: true when the transfer completed (it called complete() itself). */
  attempt(): boolean;
}

interface Queues {
  readonly receives: Transfer[];
  readonly sends: Transfer[];
  remove: (() => void) | null;
}

const queuesBySocket = new Map<LinuxSocket, Queues>();

/** A receive (`direction` 'receive') or send is already waiting on the socket. */
export function hasPending(sock: LinuxSocket, direction: 'receive' | 'send'): boolean {
  const queues = queuesBySocket.get(sock);
  return queues !== undefined && (direction === 'receive' ? queues.receives : queues.sends).length > 0;
}

/**
 * Queue `transfer` behind the socket's others of its direction. Its operation's release (run by
 * complete(), cancel() and closesocket) takes it out again.
 */
export function enqueue(sock: LinuxSocket, direction: 'receive' | 'send', transfer: Transfer): void {
  let queues = queuesBySocket.get(sock);
  if (!queues) {
    queues = { receives: [], sends: [], remove: null };
    queuesBySocket.set(sock, queues);
    const q = queues;
    queues.remove = addSource({
      fd: () => (sock.closed ? -1 : sock.fd),
      events: () => (q.receives[0]?.events ?? 0) | (q.sends.length > 0 ? L.POLLOUT : 0),
      ready: () => drive(sock, q),
    });
  }
  const list = direction === 'receive' ? queues.receives : queues.sends;
  list.push(transfer);
  if (direction === 'receive') sock.pendingReceives++;
  transfer.op.release = () => {
    const at = list.indexOf(transfer);
    if (at >= 0) {
      list.splice(at, 1);
      if (direction === 'receive') sock.pendingReceives--;
    }
    if (queues.receives.length === 0 && queues.sends.length === 0) dropQueues(sock, queues);
  };
}

function dropQueues(sock: LinuxSocket, queues: Queues): void {
  if (queuesBySocket.get(sock) !== queues) return;
  queuesBySocket.delete(sock);
  queues.remove?.();
  queues.remove = null;
}

/** The socket is ready for something: finish what can be finished, head first, in each direction. */
function drive(sock: LinuxSocket, queues: Queues): void {
  for (const list of [queues.receives, queues.sends]) {
    // Each completed head leaves the list (its release); a bound keeps one round finite anyway.
    for (let n = list.length; n > 0 && !sock.closed; n--) {
      const head = list[0];
      if (!head || !head.attempt()) break;
    }
  }
}
