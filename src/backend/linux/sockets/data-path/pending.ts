/**
 * Overlapped receives and sends waiting on a socket: one FIFO per direction, driven by the
 * socket's edge-triggered readiness (loop/readiness.ts, phase 'io'; docs/principles.md,
 * principle 5). A socket with something pending has one subscription asking for what its queues
 * need (POLLIN, POLLPRI for urgent data, POLLOUT); the kernel is read or written only when the
 * socket reports an edge (besides the one try a call makes when nothing is queued before it). A
 * socket with nothing pending is not registered, and the others are never looked at: ten thousand
 * pending receives cost their objects and one epoll registration each, no CPU per wait.
 *
 * Order (Wine's test_simultaneous_async_recv): the receives on one socket take data in the order
 * they were issued, and sends go out in issue order; a new call queues behind the ones pending in
 * its direction instead of trying the kernel first.
 *
 * Edge-triggered means every edge must be used up: at each one the heads are tried until the
 * kernel says "not now" (EAGAIN) or the queue is empty, so the next change is a new edge.
 */
import type { LinuxSocket } from '../../win32/socket-state.js';
import type { OverlappedOp } from '../../win32/operations.js';
import { subscribe } from '../../loop/readiness.js';
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
  /** What the current subscription asks for (poll() bits). */
  interest: number;
  unsubscribe: (() => void) | null;
}

const queuesBySocket = new Map<LinuxSocket, Queues>();

/**
 * Tries at finishing a pending transfer made from a readiness edge (each may call the kernel):
 * how the tests show that one ready socket among thousands costs work on that socket only.
 */
export const edgeAttempts = { count: 0 };

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
    queues = { receives: [], sends: [], interest: 0, unsubscribe: null };
    queuesBySocket.set(sock, queues);
  }
  const list = direction === 'receive' ? queues.receives : queues.sends;
  list.push(transfer);
  if (direction === 'receive') sock.pendingReceives++;
  const q = queues;
  transfer.op.release = () => {
    const at = list.indexOf(transfer);
    if (at >= 0) {
      list.splice(at, 1);
      if (direction === 'receive') sock.pendingReceives--;
    }
    if (q.receives.length === 0 && q.sends.length === 0) dropQueues(sock, q);
    else if (list.length === 0) watch(sock, q, interestOf(q));
  };
  watch(sock, queues, queues.interest | transfer.events);
}

/** What the queues wait for: the union of their transfers' events. */
function interestOf(queues: Queues): number {
  let interest = 0;
  for (const transfer of queues.receives) interest |= transfer.events;
  return interest | (queues.sends.length > 0 ? L.POLLOUT : 0);
}

/**
 * Subscribe with `interest` unless the subscription already asks for exactly that. The new one is
 * made before the old one ends, so the fd stays registered; (re-)registering makes the kernel
 * report a condition that already holds, so nothing that happened before is missed.
 */
function watch(sock: LinuxSocket, queues: Queues, interest: number): void {
  if (interest === queues.interest && queues.unsubscribe) return;
  if (sock.closed || sock.fd < 0) return;
  const previous = queues.unsubscribe;
  queues.interest = interest;
  queues.unsubscribe = subscribe(sock.fd, interest, () => drive(sock, queues), 'io');
  previous?.();
}

function dropQueues(sock: LinuxSocket, queues: Queues): void {
  if (queuesBySocket.get(sock) !== queues) return;
  queuesBySocket.delete(sock);
  queues.unsubscribe?.();
  queues.unsubscribe = null;
}

/** An edge: finish what can be finished, head first, in each direction, until the kernel says EAGAIN. */
function drive(sock: LinuxSocket, queues: Queues): void {
  for (const list of [queues.receives, queues.sends]) {
    // Each completed head leaves the list (its release); the bound keeps one edge's work finite anyway.
    for (let n = list.length; n > 0 && !sock.closed; n--) {
      const head = list[0];
      if (!head) break;
      edgeAttempts.count++;
      if (!head.attempt()) break;
    }
  }
}
