/**
 * Overlapped receives and sends waiting on a socket: one FIFO per direction, driven by the
 * socket's edge-triggered readiness (loop/readiness.ts, phase 'io'; docs/principles.md,
 * principle 5). From its first pending transfer until it is closed, a socket has one subscription
 * asking for what its transfers have needed (POLLIN, POLLPRI for urgent data, POLLOUT); the kernel
 * is read or written only when the socket reports an edge for a direction (besides the one try a
 * call makes when nothing is queued before it). The subscription stays while the queues are empty
 * (parked): a server issues a receive per message, and registering and unregistering the fd each
 * time would cost two epoll_ctl calls per message. An edge on a parked socket finds nothing to do.
 * Sockets are looked at only when they report: ten thousand pending receives cost their objects
 * and one epoll registration each, no CPU per wait.
 *
 * Order (Wine's test_simultaneous_async_recv): the receives on one socket take data in the order
 * they were issued, and sends go out in issue order; a new call queues behind the ones pending in
 * its direction instead of trying the kernel first. Across JS threads (a SOCKET is the process's),
 * each queued transfer also holds a ticket of its socket (shared/order.ts): only the one whose
 * ticket has the turn calls the kernel, and a call queues when any thread has one pending.
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
import { rearm, subscribe, unsubscribe, type Subscriber } from '../../loop/readiness.js';
import { holdServicing } from '../../loop/scheduler.js';
import { L } from '../../host/libc.js';
import { RECEIVE, SEND, finishTicket, isTurn, orderedPending, takeTicket, type Direction } from '../../shared/order.js';
import { heldByOtherThreads } from '../../shared/sockets.js';
import { mySlot } from '../../shared/threads.js';

/** One pending transfer: what it waits for, and one try at finishing it. */
export interface Transfer {
  readonly op: OverlappedOp;
  /** poll() bits (Linux values) this transfer waits for. */
  readonly events: number;
  /** Try once: true when the transfer completed (it called complete() itself). */
  attempt(): boolean;
}

/** What an edge's events (poll() bits) let each direction try; errors and hang-ups concern both. */
const RECEIVE_EDGE = L.POLLIN | L.POLLPRI | L.POLLRDHUP | L.POLLERR | L.POLLHUP;
const SEND_EDGE = L.POLLOUT | L.POLLERR | L.POLLHUP;
const NONE: readonly Transfer[] = Object.freeze([]);

/**
 * A socket's pending transfers, and its readiness subscription (this object itself): what a socket
 * with something pending costs, so it is kept small (the handler is a prototype method, an empty
 * direction shares NONE, a first transfer gets a one-slot list).
 */
class SocketQueues implements Subscriber {
  receives: Transfer[] = NONE as Transfer[];
  sends: Transfer[] = NONE as Transfer[];
  /** What the subscription asks for (poll() bits): every event a transfer here has waited for. */
  interest = 0;
  readonly phase = 'io';
  /** The fd subscribed to (-1: none), kept for unsubscribing after the socket lost its fd. */
  fd = -1;
  /** A head waited for its socket's turn (another thread's transfer was ahead): drive it when the turn comes. */
  waitingTurn = false;
  constructor(readonly sock: LinuxSocket) {}

  add(direction: 'receive' | 'send', transfer: Transfer): void {
    if (direction === 'receive') {
      if (this.receives.length === 0) this.receives = [transfer];
      else this.receives.push(transfer);
    } else if (this.sends.length === 0) {
      this.sends = [transfer];
    } else {
      this.sends.push(transfer);
    }
  }

  /** Take `transfer` out; its direction, or -1 when it was not here. */
  remove(transfer: Transfer): Direction | -1 {
    let at = this.receives.indexOf(transfer);
    if (at >= 0) {
      this.receives.splice(at, 1);
      this.sock.countPendingReceive(-1);
      return RECEIVE;
    }
    at = this.sends.indexOf(transfer);
    if (at < 0) return -1;
    this.sends.splice(at, 1);
    return SEND;
  }

  /** An edge: in each direction it concerns, finish what can be finished (drive()). */
  onReady(events: number): void {
    if (this.receives.length === 0 && this.sends.length === 0 && !this.waitingTurn) {
      // Parked. On a socket other threads use too, stay parked only until the first edge: else
      // every thread that ever issued a transfer on it would wake at each of its edges (a thread
      // pool passes a connection around), for nothing. The next transfer here subscribes again.
      if (heldByOtherThreads(this.sock.w, this.sock.at, mySlot())) unwatch(this);
      return;
    }
    if (events & RECEIVE_EDGE) driveList(this, RECEIVE);
    if (events & SEND_EDGE) driveList(this, SEND);
  }
}

const queuesBySocket = new Map<LinuxSocket, SocketQueues>();
/** Transfers pending on this thread, and the hold that keeps them serviced while it is idle. */
let pendingCount = 0;
let endHold: (() => void) | null = null;

/**
 * Tries at finishing a pending transfer made from a readiness edge (each may call the kernel):
 * how the tests show that one ready socket among thousands costs work on that socket only.
 */
export const edgeAttempts = { count: 0 };

/** A receive (`direction` 'receive') or send is already waiting on the socket. */
export function hasPending(sock: LinuxSocket, direction: 'receive' | 'send'): boolean {
  const queues = queuesBySocket.get(sock);
  if (queues !== undefined && (direction === 'receive' ? queues.receives : queues.sends).length > 0) return true;
  // Another thread's transfers on the socket come first too.
  return orderedPending(sock, direction === 'receive' ? RECEIVE : SEND);
}

/**
 * Queue `transfer` behind the socket's others of its direction. Its operation's release (run by
 * complete(), cancel() and closesocket) takes it out again.
 */
export function enqueue(sock: LinuxSocket, direction: 'receive' | 'send', transfer: Transfer): void {
  let queues = queuesBySocket.get(sock);
  if (!queues) {
    queues = new SocketQueues(sock);
    queuesBySocket.set(sock, queues);
  }
  queues.add(direction, transfer);
  transfer.op.ticket = takeTicket(sock, direction === 'receive' ? RECEIVE : SEND);
  if (direction === 'receive') sock.countPendingReceive(1);
  if (pendingCount++ === 0) endHold = holdServicing();
  transfer.op.release = release;
  watch(queues, queues.interest | transfer.events);
}

/** An operation queued here ended (completed, cancelled, its socket closed): its place goes. */
function release(op: OverlappedOp): void {
  const queues = queuesBySocket.get(op.sock);
  if (!queues) return;
  const transfer = queues.receives.find((t) => t.op === op) ?? queues.sends.find((t) => t.op === op);
  const direction = transfer ? queues.remove(transfer) : -1;
  if (!transfer || direction === -1) return;
  // The socket's turn moves on; when it comes back to this thread outside an edge, drive it.
  if (finishTicket(op.sock, direction, op.ticket) && queues.waitingTurn) driveSoon(queues);
  // Empty queues stay subscribed (parked) until the socket closes: forgetQueues.
  if (--pendingCount === 0) {
    endHold?.();
    endHold = null;
  }
}

/**
 * Make the subscription ask for `interest` unless it already does. Registering (or re-registering
 * with more interest) makes the kernel report a condition that already holds, so nothing that
 * happened before is missed.
 */
function watch(queues: SocketQueues, interest: number): void {
  const { sock } = queues;
  if (interest === queues.interest && queues.fd >= 0) return;
  const fd = sock.receiveFd;
  if (sock.closed || fd < 0) return;
  queues.interest = interest;
  if (queues.fd === fd) {
    rearm(fd);
    return;
  }
  if (queues.fd >= 0) unsubscribe(queues.fd, queues);
  queues.fd = fd;
  subscribe(fd, queues);
}

/**
 * The socket's receive fd changed (a SIO_RCVALL capture started or stopped): its pending transfers
 * now wait on the new fd, which reports at once what already holds there.
 */
export function pendingFdChanged(sock: LinuxSocket): void {
  const queues = queuesBySocket.get(sock);
  if (!queues) return;
  // Past watch()'s "already asked for" shortcut: the interest is the same, the fd is not.
  const interest = queues.interest;
  queues.interest = 0;
  watch(queues, interest);
}

/** The subscription goes; the queues stay, and watch() subscribes again for the next transfer. */
function unwatch(queues: SocketQueues): void {
  if (queues.fd >= 0) unsubscribe(queues.fd, queues);
  queues.fd = -1;
  queues.interest = 0;
}

/** The socket is closing (its pending transfers already ended): its subscription goes. */
export function forgetQueues(sock: LinuxSocket): void {
  const queues = queuesBySocket.get(sock);
  if (!queues) return;
  queuesBySocket.delete(sock);
  unwatch(queues);
}

function driveList(queues: SocketQueues, direction: Direction): void {
  const { sock } = queues;
  const list = direction === RECEIVE ? queues.receives : queues.sends;
  // Each completed head leaves the list (its release); the bound keeps one edge's work finite anyway.
  for (let n = list.length; n > 0 && !sock.closed; n--) {
    const head = list[0];
    if (!head) break;
    if (!isTurn(sock, direction, head.op.ticket)) {
      queues.waitingTurn = true;
      break;
    }
    edgeAttempts.count++;
    if (!head.attempt()) break;
  }
}

/** Drive a socket's queues after the current call (its turn came back while nothing else would). */
function driveSoon(queues: SocketQueues): void {
  queueMicrotask(() => driveTurn(queues));
}

function driveTurn(queues: SocketQueues): void {
  if (queuesBySocket.get(queues.sock) !== queues) return;
  queues.waitingTurn = false;
  driveList(queues, RECEIVE);
  driveList(queues, SEND);
}

/** This thread was rung because transfers of its got their socket's turn: drive the queues that waited for one. */
export function driveTurns(): void {
  for (const queues of queuesBySocket.values()) if (queues.waitingTurn) driveTurn(queues);
}
