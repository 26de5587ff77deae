/**
 * Overlapped operations of this thread: how a result is delivered, and the pending ones.
 *
 * Delivery (one per operation, exactly once) follows Windows' rule in winsock/delivery.ts:
 * Internal / InternalHigh, then the routine's APC, or the event and the completion packet.
 */
import { STATUS_CANCELLED, STATUS_PENDING, ntStatusToWsaError } from '../../../errors/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, WSAOVERLAPPED } from '../../../winsock/types.js';
import { deliveryOf, writeIoStatus } from '../../../winsock/delivery.js';
import { log } from '../../../winsock/guard.js';
import { FILE_SKIP_SET_EVENT_ON_HANDLE } from '../../../winsock/constants.js';
import type { LinuxSocket } from './socket-state.js';
import { queueApc } from './apc.js';
import { eventFor, signal, unsignal } from './events.js';
import { associationOf, queuePacket } from './ports.js';
import { kick } from '../loop/scheduler.js';
import { arm as armDoorbell, disarm as disarmDoorbell } from '../loop/doorbell.js';

export class OverlappedOp {
  done = false;
  /**
   * Releases what the pending operation holds (a watcher subscription, a place in a queue, ...).
   * Given the operation, so one shared function can serve every operation of a kind.
   */
  release: ((op: OverlappedOp) => void) | null = null;
  /** How closesocket ends it: data transfers abort (STATUS_CONNECTION_ABORTED), the rest cancel. */
  closeStatus = STATUS_CANCELLED;
  /** A receive's flags at completion (MSG_OOB ...), what WSAGetOverlappedResult's lpdwFlags gets. */
  receiveFlags = 0;
  /** A queued transfer's place in its socket's order across threads (shared/order.ts; -1: none). */
  ticket = -1;
  /** Neighbours among the socket's pending operations (in start order); a list, not a Set per socket. */
  previousOnSocket: OverlappedOp | null = null;
  nextOnSocket: OverlappedOp | null = null;
  constructor(
    readonly sock: LinuxSocket,
    readonly overlapped: WSAOVERLAPPED,
    readonly routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
    /** hEvent as it was when the operation started (the kernel takes the event at the start). */
    readonly hEvent: number,
  ) {}
}


/** Each socket's pending operations: the first and last of its list (OverlappedOp's neighbours). */
const pendingBySocket = new Map<LinuxSocket, { first: OverlappedOp; last: OverlappedOp }>();
const opByOverlapped = new WeakMap<WSAOVERLAPPED, OverlappedOp>();

/** hEvent as this backend reads a HANDLE: a number, anything else (or a throwing getter) is no handle. */
export function hEventOf(ov: WSAOVERLAPPED): number {
  try {
    return typeof ov.hEvent === 'number' ? ov.hEvent : 0;
  } catch {
    return 0;
  }
}

/** The open event behind a delivery's event handle (0: none). */
function openEvent(handle: number) {
  return handle ? eventFor(handle) : undefined;
}

/**
 * Deliver a final result for `ov` (used for immediate and for later completions). A WSAOVERLAPPED
 * the caller made unwritable meanwhile (frozen while pending) loses its status fields, nothing
 * else: the routine, event and packet still come, and the closing or clean-up that delivered it
 * goes on to the other operations.
 */
export function deliver(sock: LinuxSocket, ov: WSAOVERLAPPED, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, hEvent: number, status: number, information: number, skipPacket = false): void {
  try {
    writeIoStatus(ov, status, information >>> 0);
  } catch (error) {
    log('a WSAOVERLAPPED refused its completion status: %O', error);
  }
  // The socket handle itself is signalled at completion (a waitable object), unless the caller said not to.
  if (!(sock.completionModes & FILE_SKIP_SET_EVENT_ON_HANDLE) && !sock.signalled) {
    sock.signalled = true;
    kick();
  }
  const association = associationOf(sock);
  const delivery = deliveryOf({ hasRoutine: Boolean(routine), hEvent, portAssociated: association !== undefined });
  if (delivery.apc && routine) {
    const error = ntStatusToWsaError(status);
    const bytes = information >>> 0;
    queueApc(() => routine(error, bytes, ov, 0));
  } else {
    const event = openEvent(delivery.event);
    if (event) signal(event);
    if (association && delivery.packet && !skipPacket) {
      queuePacket(association.port, information >>> 0, association.key, ov, status >>> 0);
    }
  }
  kick();
}

/**
 * Start a pending operation: Internal = STATUS_PENDING, hEvent reset (when it is the completion
 * signal, i.e. no routine). InternalHigh is left alone until completion.
 */
export function startPending(sock: LinuxSocket, ov: WSAOVERLAPPED, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): OverlappedOp {
  const op = new OverlappedOp(sock, ov, routine, hEventOf(ov));
  ov.Internal = STATUS_PENDING;
  // An I/O starting resets the socket handle as a waitable object (deliver sets it again).
  sock.signalled = false;
  // The event that will be signalled at completion starts reset (no event with a routine).
  const event = openEvent(deliveryOf({ hasRoutine: Boolean(routine), hEvent: op.hEvent, portAssociated: false }).event);
  if (event) unsignal(event);
  const ends = pendingBySocket.get(sock);
  if (ends) {
    op.previousOnSocket = ends.last;
    ends.last.nextOnSocket = op;
    ends.last = op;
  } else {
    // A socket with pending operations listens to the doorbell: another thread closing it rings.
    if (pendingBySocket.size === 0) armDoorbell();
    pendingBySocket.set(sock, { first: op, last: op });
  }
  opByOverlapped.set(ov, op);
  return op;
}

/** Complete a pending operation. Only the first call counts; returns whether this one did. */
export function complete(op: OverlappedOp, status: number, information: number): boolean {
  if (op.done) return false;
  op.done = true;
  unlink(op);
  const release = op.release;
  op.release = null;
  try {
    release?.(op);
  } catch (error) {
    // What the operation held is the emulation's own; a failure to let go must not cost the caller
    // the completion.
    log('releasing a completed operation failed: %O', error);
  }
  deliver(op.sock, op.overlapped, op.routine, op.hEvent, status, information);
  return true;
}

/** Take `op` out of its socket's pending list. */
function unlink(op: OverlappedOp): void {
  const ends = pendingBySocket.get(op.sock);
  if (!ends) return;
  const { previousOnSocket: previous, nextOnSocket: next } = op;
  if (previous) previous.nextOnSocket = next;
  else if (ends.first === op) {
    if (next) ends.first = next;
    else if (pendingBySocket.delete(op.sock) && pendingBySocket.size === 0) disarmDoorbell();
  }
  if (next) next.previousOnSocket = previous;
  else if (ends.last === op && previous) ends.last = previous;
  op.previousOnSocket = null;
  op.nextOnSocket = null;
}

export function cancel(op: OverlappedOp): boolean {
  return complete(op, STATUS_CANCELLED, 0);
}

/** The socket is being closed with `op` pending: it ends as its kind does (closeStatus). */
export function abortOnClose(op: OverlappedOp): boolean {
  return complete(op, op.closeStatus, 0);
}

/** The socket's pending operations, in start order (a copy: completing them is safe meanwhile). */
export function pendingOn(sock: LinuxSocket): OverlappedOp[] {
  const out: OverlappedOp[] = [];
  for (let op = pendingBySocket.get(sock)?.first ?? null; op; op = op.nextOnSocket) out.push(op);
  return out;
}

export function allPending(): OverlappedOp[] {
  return [...pendingBySocket.keys()].flatMap(pendingOn);
}

/** The latest operation started with this WSAOVERLAPPED (pending or done), if any. */
export function opFor(ov: WSAOVERLAPPED): OverlappedOp | undefined {
  return opByOverlapped.get(ov);
}
