/**
 * WSAEventSelect / WSAEnumNetworkEvents.
 *
 * Windows rules kept here (the WSAEventSelect page, and Wine's tests that pass on Windows):
 * - Selecting puts the socket in non-blocking mode (FIONBIO back to blocking then fails with
 *   WSAEINVAL while the mask is non-zero; fionbio.ts checks `sock.eventSelect`). A new
 *   WSAEventSelect replaces the previous one and clears the network-event record.
 * - Each FD_ event is recorded once, then not again until its re-enabling function is called:
 *   FD_READ / FD_OOB: recv, recvfrom (WSARecv...); FD_WRITE: a send that failed with WSAEWOULDBLOCK;
 *   FD_ACCEPT: accept; FD_CONNECT: once per connect; FD_CLOSE: once;
 *   FD_ADDRESS_LIST_CHANGE / FD_ROUTING_INTERFACE_CHANGE: the matching WSAIoctl (which failed with
 *   WSAEWOULDBLOCK on the non-blocking socket). Re-selecting does not re-arm an event that was
 *   recorded and not re-enabled (an unaccepted connection is not reported twice).
 * - Recording an event signals the selected event object; WSAEnumNetworkEvents returns and clears
 *   the record and resets the event object passed to it.
 *
 * Readiness comes from the kernel: each selected socket is a reactor source asking poll() only for
 * the conditions of armed events, so a recorded, un-re-enabled event never makes a wait spin.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { WSAEVENT, WSANETWORKEVENTS } from '../../../winsock/types.js';
import { L, E } from '../host/libc.js';
import { pollOne } from '../host/poll.js';
import { wsaFromErrno } from '../host/errno.js';
import { fail, ok } from './last-error.js';
import type { LinuxSocket } from './socket-state.js';
import { isBound, pendingSocketError, TCP_STATE, tcpState as linuxTcpState } from '../host/socket-facts.js';
import { linuxInq, oobInline } from '../host/socket-facts.js';
import { eventFor, signal, unsignal, type WinEvent } from './events.js';
import { addSource } from '../loop/reactor.js';

const SOCKET_EVENTS = C.FD_READ | C.FD_WRITE | C.FD_OOB | C.FD_ACCEPT | C.FD_CONNECT | C.FD_CLOSE;
const SUPPORTED = SOCKET_EVENTS | C.FD_ROUTING_INTERFACE_CHANGE | C.FD_ADDRESS_LIST_CHANGE;

interface SelectState {
  sock: LinuxSocket;
  event: WinEvent | null;
  mask: number;
  /** Events recorded since the last WSAEnumNetworkEvents, and their error codes. */
  record: number;
  errors: number[];
  /** Events that may be recorded now (re-enabled since they were last recorded). */
  armed: number;
  /** Notification events that happened while not selected; recorded when they get selected. */
  latched: number;
  latchedErrors: Map<number, number>;
  /** A connect() is in progress (FD_CONNECT will report its end). */
  connecting: boolean;
  /**
   * A connect() ended with this Winsock error (0: connected) and FD_CONNECT has not been recorded
   * yet: Windows reports it at the first selection that includes FD_CONNECT, however late.
   */
  connectPending: number | null;
  /** Bytes queued when FD_READ was last recorded (new data beyond them is a new FD_READ). */
  readMark: number;
  /** The connection was seen established (so its end is an FD_CLOSE). */
  established: boolean;
  closeReported: boolean;
  /** The peer sent FIN (POLLRDHUP): a readable EOF is no longer news. */
  peerClosed: boolean;
  /** poll() reported POLLHUP: nothing more will happen on this connection. */
  hup: boolean;
  removeSource: (() => void) | null;
}

const states = new Map<LinuxSocket, SelectState>();

function stateOf(sock: LinuxSocket): SelectState {
  let state = states.get(sock);
  if (!state) {
    state = {
      sock, event: null, mask: 0, record: 0, errors: new Array<number>(C.FD_MAX_EVENTS).fill(0),
      armed: C.FD_READ | C.FD_WRITE | C.FD_OOB | C.FD_ACCEPT | C.FD_CLOSE,
      latched: 0, latchedErrors: new Map(), connecting: false, connectPending: null, readMark: 0, established: false, closeReported: false, peerClosed: false, hup: false,
      removeSource: null,
    };
    states.set(sock, state);
  }
  return state;
}

const bitIndex = (bit: number): number => 31 - Math.clz32(bit);

/** Record `bit` (with its error code) if selected and armed; signal the event object. */
function record(state: SelectState, bit: number, error: number): void {
  if (!(state.armed & bit)) return;
  // A pending overlapped receive takes the data event: no FD_READ while one waits (Wine's
  // test_read_events; extension-functions.md §4.15).
  if (bit === C.FD_READ && state.sock.pendingReceives > 0) return;
  if (!(state.mask & bit)) {
    if (bit & (C.FD_ADDRESS_LIST_CHANGE | C.FD_ROUTING_INTERFACE_CHANGE)) {
      state.latched |= bit;
      state.latchedErrors.set(bit, error);
      state.armed &= ~bit;
    }
    return;
  }
  state.armed &= ~bit;
  state.record |= bit;
  state.errors[bitIndex(bit)] = error;
  if (state.event) signal(state.event);
}

/**
 * A change notification requested with WSAEWOULDBLOCK happened (engine.ts): record its FD_ bit now
 * if selected, else keep it for a later WSAEventSelect.
 */
export function latchNetworkEvent(sock: LinuxSocket, bit: number, error: number): void {
  if (sock.closed) return;
  const state = stateOf(sock);
  state.armed |= bit;
  record(state, bit, error);
}

/** A re-enabling function was called on `sock` (sockets.ts hook). */
export function reenable(sock: LinuxSocket, bit: number): void {
  const state = states.get(sock);
  if (!state) {
    // Not selected (yet): a connect() still matters for a later selection's FD_CONNECT.
    if (bit === C.FD_CONNECT) stateOf(sock).connecting = true;
    return;
  }
  if (bit === C.FD_CONNECT) {
    state.connecting = true;
    state.armed |= C.FD_CONNECT | C.FD_CLOSE;
    state.closeReported = false;
    state.peerClosed = false;
    state.hup = false;
  } else {
    state.armed |= bit;
    if (bit === C.FD_READ) state.readMark = 0;
    // A hung-up socket is not polled any more: after the receive returns, look once for data left.
    if (bit === C.FD_READ && (state.hup || state.peerClosed)) queueMicrotask(() => evaluate(state));
  }
}

/** The kernel's TCP state (TCP_STATE.CLOSE when it cannot be read). */
const tcpState = (fd: number): number => linuxTcpState(fd) ?? TCP_STATE.CLOSE;

/** Bytes a receive could take now (0 when the kernel will not say). */
function bytesQueued(fd: number): number {
  const inq = linuxInq(fd);
  return typeof inq === 'number' ? inq : 0;
}

const connectError = (errno: number): number => (errno === 0 ? 0 : errno === E.ECONNREFUSED ? W.WSAECONNREFUSED : wsaFromErrno(errno));

/** Record a finished connect() once FD_CONNECT is selected. */
function reportConnect(state: SelectState): void {
  if (state.connectPending === null || !(state.mask & C.FD_CONNECT)) return;
  state.armed |= C.FD_CONNECT;
  record(state, C.FD_CONNECT, state.connectPending);
  state.connectPending = null;
}

/** poll() bits for the events that are selected and armed now; 0 when nothing can be recorded. */
function wanted(state: SelectState): number {
  const { sock } = state;
  const fd = sock.fd;
  if (fd < 0 || sock.closed) return 0;
  const want = state.mask & state.armed & SOCKET_EVENTS & (sock.pendingReceives > 0 ? ~C.FD_READ : ~0);
  if (!want) return 0;
  if (sock.type !== C.SOCK_STREAM) {
    return (want & C.FD_READ ? L.POLLIN : 0) | (want & C.FD_WRITE && isBound(fd) ? L.POLLOUT : 0);
  }
  const tcp = tcpState(fd);
  if (tcp === TCP_STATE.LISTEN) return want & C.FD_ACCEPT ? L.POLLIN : 0;
  if (tcp === TCP_STATE.SYN_SENT) {
    state.connecting = true;
    return L.POLLOUT;
  }
  if (tcp === TCP_STATE.CLOSE) {
    // Never connected (poll would report POLLOUT|POLLHUP forever), or over: look once, no polling.
    if (state.connecting || (state.established && !state.closeReported)) evaluate(state);
    return 0;
  }
  state.established = true;
  if (state.connecting) return L.POLLOUT;
  // POLLHUP is reported whatever is asked: once seen, polling this socket could only spin.
  if (state.hup) return 0;
  let bits = 0;
  if (want & C.FD_READ && (!state.peerClosed || bytesQueued(fd) > 0)) bits |= L.POLLIN;
  if (want & C.FD_OOB) bits |= L.POLLPRI;
  if (want & C.FD_WRITE) bits |= L.POLLOUT;
  if (want & C.FD_CLOSE && !state.closeReported) bits |= L.POLLRDHUP;
  return bits;
}

/** Look at the socket now (poll with no wait) and record what holds. */
function evaluate(state: SelectState): void {
  const { sock } = state;
  const fd = sock.fd;
  if (fd < 0 || sock.closed) return;
  const revents = pollOne(fd, L.POLLIN | L.POLLOUT | L.POLLPRI | L.POLLRDHUP, 0);
  apply(state, revents > 0 ? revents : 0);
}

function apply(state: SelectState, revents: number): void {
  const { sock } = state;
  const fd = sock.fd;
  if (fd < 0) return;
  if (sock.type !== C.SOCK_STREAM) {
    if (state.connecting) {
      // A datagram connect() completes at once: FD_CONNECT, then FD_WRITE (Windows).
      state.connecting = false;
      state.connectPending = 0;
      state.armed |= C.FD_WRITE;
    }
    reportConnect(state);
    if (revents & L.POLLIN) record(state, C.FD_READ, 0);
    if (revents & L.POLLOUT && isBound(fd)) record(state, C.FD_WRITE, 0);
    return;
  }
  const tcp = tcpState(fd);
  if (tcp === TCP_STATE.LISTEN) {
    if (revents & L.POLLIN) record(state, C.FD_ACCEPT, 0);
    return;
  }
  if (state.connecting && tcp !== TCP_STATE.SYN_SENT) {
    state.connecting = false;
    const error = tcp === TCP_STATE.CLOSE ? connectError(pendingSocketError(fd)) : 0;
    state.connectPending = error;
    if (!error) {
      state.established = true;
      state.armed |= C.FD_WRITE;
    }
  }
  reportConnect(state);
  if (tcp === TCP_STATE.SYN_SENT || (tcp === TCP_STATE.CLOSE && !state.established)) return;
  if (tcp !== TCP_STATE.CLOSE) state.established = true;
  if (revents & L.POLLRDHUP) state.peerClosed = true;
  if (revents & (L.POLLHUP | L.POLLERR)) state.hup = true;
  if (!state.established) return;
  if (revents & L.POLLIN) {
    const queued = bytesQueued(fd);
    // New data after an FD_READ nobody re-enabled is a new FD_READ too (Windows, event mode).
    if (queued > state.readMark && !(state.armed & C.FD_READ) && state.mask & C.FD_READ) state.armed |= C.FD_READ;
    if (queued > 0 && state.armed & C.FD_READ) {
      record(state, C.FD_READ, 0);
      if (state.record & C.FD_READ) state.readMark = queued;
    }
  }
  if (revents & L.POLLPRI && !oobInline(fd)) record(state, C.FD_OOB, 0);
  if (revents & L.POLLOUT && tcp !== TCP_STATE.CLOSE) record(state, C.FD_WRITE, 0);
  const ended = tcp === TCP_STATE.CLOSE || (revents & (L.POLLRDHUP | L.POLLHUP | L.POLLERR)) !== 0;
  if (ended && !state.closeReported && state.mask & C.FD_CLOSE && state.armed & C.FD_CLOSE) {
    state.closeReported = true;
    // A reset (an error pending, POLLERR) is reported as WSAECONNABORTED, as Windows does; the
    // error itself is left for the next receive (SO_ERROR is not read here).
    record(state, C.FD_CLOSE, revents & L.POLLERR ? W.WSAECONNABORTED : 0);
  }
}

function ensureSource(state: SelectState): void {
  if (state.removeSource) return;
  state.removeSource = addSource({
    fd: () => (state.sock.closed ? -1 : state.sock.fd),
    events: () => wanted(state),
    ready: (revents) => apply(state, revents),
  });
}

function dropSource(state: SelectState): void {
  state.removeSource?.();
  state.removeSource = null;
}

/** WSAEventSelect on a socket already looked up (sockets/network-events.ts has the function). */
export function selectNetworkEvents(sock: LinuxSocket, hEventObject: WSAEVENT, lNetworkEvents: number): number {
  const mask = Number(lNetworkEvents) & SUPPORTED;
  const event = eventFor(hEventObject);
  if (mask !== 0 && !event) return fail(W.WSAEINVAL);
  const state = stateOf(sock);
  state.event = event ?? null;
  state.mask = mask;
  state.record = 0;
  state.errors.fill(0);
  sock.eventSelect = { event: typeof hEventObject === 'number' ? hEventObject : 0, mask };
  // Event selection makes the socket non-blocking (and keeps it so until the mask is 0 again).
  sock.nonBlocking = true;
  if (mask === 0) {
    dropSource(state);
    return ok(0);
  }
  // Notifications that came while not selected are reported now.
  for (const bit of [C.FD_ADDRESS_LIST_CHANGE, C.FD_ROUTING_INTERFACE_CHANGE]) {
    if (state.latched & bit && mask & bit) {
      state.latched &= ~bit;
      state.armed |= bit;
      record(state, bit, state.latchedErrors.get(bit) ?? 0);
    }
  }
  // Conditions that already hold are recorded at once.
  if (mask & SOCKET_EVENTS) {
    evaluate(state);
    ensureSource(state);
  } else {
    dropSource(state);
  }
  return ok(0);
}

// An accepted socket has the same WSAEventSelect registration as its listener (same event, same
// events), as on Windows; what already holds on it (FD_WRITE) is recorded at once.
export function inheritSelection(listener: LinuxSocket, child: LinuxSocket): void {
  const selected = listener.eventSelect;
  if (selected && selected.mask !== 0) selectNetworkEvents(child, selected.event, selected.mask);
}

/** WSAEnumNetworkEvents on a socket already looked up (sockets/network-events.ts has the function). */
export function enumNetworkEvents(sock: LinuxSocket, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number {
  if (lpNetworkEvents === null || typeof lpNetworkEvents !== 'object') return fail(W.WSAEFAULT);
  let event: WinEvent | undefined;
  if (hEventObject) {
    event = eventFor(hEventObject);
    if (!event) return fail(W.WSAEINVAL);
  }
  const state = states.get(sock);
  // Pick up what the kernel has now, so a caller that polls with WSAEnumNetworkEvents sees it.
  if (state && state.mask & SOCKET_EVENTS) evaluate(state);
  lpNetworkEvents.lNetworkEvents = state?.record ?? 0;
  const errors = Array.isArray(lpNetworkEvents.iErrorCode) ? lpNetworkEvents.iErrorCode : (lpNetworkEvents.iErrorCode = []);
  for (let i = 0; i < C.FD_MAX_EVENTS; i++) errors[i] = state && state.record & (1 << i) ? state.errors[i]! : 0;
  if (state) {
    state.record = 0;
    state.errors.fill(0);
  }
  if (event) unsignal(event);
  return ok(0);
}

/** The socket is closing: forget its selection. */
export function forgetSocket(sock: LinuxSocket): void {
  const state = states.get(sock);
  if (!state) return;
  dropSource(state);
  states.delete(sock);
}

export function forgetAll(): void {
  for (const sock of [...states.keys()]) forgetSocket(sock);
}
