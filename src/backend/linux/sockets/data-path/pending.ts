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
import { rearm, subscribe, unsubscribe, type Subscriber } from '../../loop/readiness.js';
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

  /** Take `transfer` out; whether it was here. */
  remove(transfer: Transfer): boolean {
    let at = this.receives.indexOf(transfer);
    if (at >= 0) {
      this.receives.splice(at, 1);
      this.sock.countPendingReceive(-1);
      return true;
    }
    at = this.sends.indexOf(transfer);
    if (at < 0) return false;
    this.sends.splice(at, 1);
    return true;
  }

  /** An edge: in each direction it concerns, finish what can be finished (drive()). */
  onReady(events: number): void {
    if (events & RECEIVE_EDGE) driveList(this.sock, this.receives);
    if (events & SEND_EDGE) driveList(this.sock, this.sends);
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
  return queues !== undefined && (direction === 'receive' ? queues.receives : queues.sends).length > 0;
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
  if (!transfer || !queues.remove(transfer)) return;
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

/** The socket is closing (its pending transfers already ended): its subscription goes. */
export function forgetQueues(sock: LinuxSocket): void {
  const queues = queuesBySocket.get(sock);
  if (!queues) return;
  queuesBySocket.delete(sock);
  if (queues.fd >= 0) unsubscribe(queues.fd, queues);
  queues.fd = -1;
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
