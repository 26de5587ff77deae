/**
 * Overlapped receives and sends waiting on a socket: one FIFO per direction, driven by the
 * socket's edge-triggered readiness (loop/readiness.ts, phase 'io'; docs/principles.md,
 * principle 5). While it has transfers pending, a socket has one subscription asking for what they
 * need (POLLIN, POLLPRI for urgent data, POLLOUT); the kernel is read or written only when the
 * socket reports an edge for a direction (besides the one try a call makes when nothing is queued
 * before it). A socket with nothing pending is not registered, and the others are looked at only
 * when they report: ten thousand pending receives cost their objects and one epoll registration
 * each, no CPU per wait.
 *
 * Order (Wine's test_simultaneous_async_recv): the receives on one socket take data in the order
 * they were issued, and sends go out in issue order; a new call queues behind the ones pending in
 * its direction instead of trying the kernel first.
 *
 * Edge-triggered means every edge must be used up: at each one the heads are tried until the
 * kernel says "not now" (EAGAIN) or the queue is empty, so the next change is a new edge.
 *
 * Completion without a wait: on Windows the kernel completes a transfer whether or not the issuing
 * thread waits. While any transfer is pending the thread's readiness is therefore also serviced
 * from the event loop (loop/scheduler.ts holdServicing), so an idle thread's transfers complete:
 * the event is signalled, Internal / InternalHigh written, the packet queued (completion routines
 * still wait for an alertable wait). Like a reading net.Socket, that keeps the process alive.
 */
import type { LinuxSocket } from '../../win32/socket-state.js';
import type { OverlappedOp } from '../../win32/operations.js';
import { subscribe } from '../../loop/readiness.js';
import { holdServicing } from '../../loop/scheduler.js';
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
  /** What the subscription asks for (poll() bits): every event a transfer here has waited for. */
  interest: number;
  unsubscribe: (() => void) | null;
}

const queuesBySocket = new Map<LinuxSocket, Queues>();
/** Transfers pending on this thread, and the hold that keeps them serviced while it is idle. */
let pendingCount = 0;
let endHold: (() => void) | null = null;

/** What an edge's events (poll() bits) let each direction try; errors and hang-ups concern both. */
const RECEIVE_EDGE = L.POLLIN | L.POLLPRI | L.POLLRDHUP | L.POLLERR | L.POLLHUP;
const SEND_EDGE = L.POLLOUT | L.POLLERR | L.POLLHUP;

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
  if (pendingCount++ === 0) endHold = holdServicing();
  const q = queues;
  transfer.op.release = () => {
    const at = list.indexOf(transfer);
    if (at < 0) return;
    list.splice(at, 1);
    if (direction === 'receive') sock.pendingReceives--;
    if (q.receives.length === 0 && q.sends.length === 0) dropQueues(sock, q);
    if (--pendingCount === 0) {
      endHold?.();
      endHold = null;
    }
  };
  watch(sock, queues, queues.interest | transfer.events);
}

/**
 * Subscribe with `interest` unless the subscription already asks for that. The new one is made
 * before the old one ends, so the fd stays registered; (re-)registering makes the kernel report a
 * condition that already holds, so nothing that happened before is missed.
 */
function watch(sock: LinuxSocket, queues: Queues, interest: number): void {
  if (interest === queues.interest && queues.unsubscribe) return;
  if (sock.closed || sock.fd < 0) return;
  const previous = queues.unsubscribe;
  queues.interest = interest;
  queues.unsubscribe = subscribe(sock.fd, interest, (events) => drive(sock, queues, events), 'io');
  previous?.();
}

function dropQueues(sock: LinuxSocket, queues: Queues): void {
  if (queuesBySocket.get(sock) !== queues) return;
  queuesBySocket.delete(sock);
  queues.unsubscribe?.();
  queues.unsubscribe = null;
}

/**
 * An edge: in each direction it concerns, finish what can be finished, head first, until the
 * kernel says EAGAIN or the queue is empty.
 */
function drive(sock: LinuxSocket, queues: Queues, events: number): void {
  if (events & RECEIVE_EDGE) driveList(sock, queues.receives);
  if (events & SEND_EDGE) driveList(sock, queues.sends);
}

function driveList(sock: LinuxSocket, list: Transfer[]): void {
  // Each completed head leaves the list (its release); the bound keeps one edge's work finite anyway.
  for (let n = list.length; n > 0 && !sock.closed; n--) {
    const head = list[0];
    if (!head) break;
    edgeAttempts.count++;
    if (!head.attempt()) break;
  }
}
