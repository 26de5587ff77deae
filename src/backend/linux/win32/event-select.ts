/**
 * WSAEventSelect / WSAEnumNetworkEvents and WSAAsyncSelect: the recording of network events, with
 * two deliveries: an event object (event mode) or a window message (message mode).
 *
 * Windows rules kept here (the WSAEventSelect page; Wine's dlls/ws2_32/tests/sock.c event-mode
 * checks, which pass on Windows: test_accept_events, test_connect_events, test_write_events,
 * test_read_events, test_oob_events, test_close_events, test_WSAEnumNetworkEvents):
 * - Selecting puts the socket in non-blocking mode (FIONBIO back to blocking then fails with
 *   WSAEINVAL while the mask is non-zero; fionbio.ts checks `sock.selectMask`).
 * - An event is recorded only while selected, once, then not again until its re-enabling function
 *   is called: FD_READ / FD_OOB: a receive; FD_WRITE: a send that failed with WSAEWOULDBLOCK;
 *   FD_ACCEPT: accept; FD_CONNECT: once per connect; FD_CLOSE: once per connection;
 *   FD_ADDRESS_LIST_CHANGE / FD_ROUTING_INTERFACE_CHANGE: the matching WSAIoctl. A re-enabled
 *   event whose condition holds is recorded at once (a receive that leaves data: FD_READ again).
 * - A new occurrence records its event again without re-enabling: new data after FD_READ was
 *   recorded (test_read_events), a new pending connection after FD_ACCEPT (test_accept_events).
 * - A new selection does not clear what was recorded and not yet enumerated: an FD_ACCEPT recorded,
 *   then a selection without FD_ACCEPT, then one with it again, still reports it
 *   (test_accept_events). Conditions that hold when an event gets selected are recorded then
 *   (data sent while not selecting, a close before the selection, a connect before it).
 * - Recording signals the selected event object; WSAEnumNetworkEvents reports (and forgets) the
 *   recorded events that are selected, leaves the others recorded, writes iErrorCode only for the
 *   events it reports, and resets the event object passed to it.
 * - FD_CLOSE: when the peer's FIN arrives (closesocket or shutdown(SD_SEND) there), even with data
 *   still unread and even after this side shut down both directions; never for a local shutdown.
 *   A reset connection reports it with WSAECONNABORTED.
 *
 * Message mode (WSAAsyncSelect; its page, and Wine's sock.c message-mode checks that pass on Windows:
 * test_accept_events, test_connect_events, test_write_events, test_read_events, test_oob_events,
 * test_close_events, each run with a window; remaining-codes.md §4.1) is the same recording with
 * four differences:
 * - Each recorded event is posted at once as its own message to the selected window: wParam the
 *   socket, lParam WSAMAKESELECTREPLY(event, error); nothing stays recorded. Several events found
 *   together are posted in the order FD_CONNECT, FD_ACCEPT, FD_OOB, FD_READ, FD_WRITE, FD_CLOSE.
 * - A new occurrence does not re-post an event that was not re-enabled (more data while FD_READ is
 *   unconsumed, a second connection while FD_ACCEPT is, a second urgent byte): only the re-enabling
 *   call does, and then only if the condition still holds (level-triggered FD_READ / FD_OOB /
 *   FD_ACCEPT).
 * - Selecting (again) with a window forgets what was posted: every condition that still holds
 *   (FD_ACCEPT, FD_READ, FD_OOB, FD_WRITE, FD_CLOSE) is posted again, even with the same mask.
 * - A connection that already exists when the window is selected posts FD_WRITE but no FD_CONNECT.
 * WSAAsyncSelect and WSAEventSelect replace each other; both make the socket non-blocking.
 *
 * Recording does not depend on who looks: each selected socket has an edge-triggered readiness
 * registration (loop/readiness.ts), so every change the kernel signals is queued as it happens and
 * evaluated in order at the next drain: in any wait of this thread (blocking or async), and before
 * every call that can observe or change the record (WSAEnumNetworkEvents, WSAEventSelect, the
 * re-enabling calls, WSAResetEvent). An edge only says "look": the socket's current state decides.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { WSAEVENT, WSANETWORKEVENTS } from '../../../winsock/types.js';
import { L, E } from '../host/libc.js';
import { pollOne } from '../host/poll.js';
import { wsaFromErrno } from '../host/errno.js';
import { fail, ok } from './last-error.js';
import { defineWordFields, type LinuxSocket } from './socket-state.js';
import {
  acceptQueueLength, bytesReceivedTotal, isBound, linuxInq, oobInline, pendingSocketError, receiveQueueMemory, TCP_STATE, tcpState as linuxTcpState,
} from '../host/socket-facts.js';
import { eventFor, signal, unsignal, type WinEvent } from './events.js';
import { drainReadiness, rearm, subscribe, unsubscribe, type Subscriber } from '../loop/readiness.js';
import { postMessage, windowFor } from './messages.js';
import { SW } from '../shared/sockets.js';
import { regionIfUsed } from '../shared/region.js';
import { lockWord } from '../shared/threads.js';

const SOCKET_EVENTS = C.FD_READ | C.FD_WRITE | C.FD_OOB | C.FD_ACCEPT | C.FD_CONNECT | C.FD_CLOSE;
const NOTIFICATIONS = C.FD_ROUTING_INTERFACE_CHANGE | C.FD_ADDRESS_LIST_CHANGE;
const SUPPORTED = SOCKET_EVENTS | NOTIFICATIONS;
/** What a selected socket's readiness registration asks the kernel for. */
const INTEREST = L.POLLIN | L.POLLOUT | L.POLLPRI | L.POLLRDHUP;
/** TCP states in which the peer's FIN (or a reset) has arrived on an established connection. */
const PEER_CLOSED = new Set<number>([TCP_STATE.CLOSE_WAIT, TCP_STATE.LAST_ACK, TCP_STATE.CLOSING, TCP_STATE.TIME_WAIT, TCP_STATE.CLOSE]);

/** Message mode's target: the window and the message number WSAAsyncSelect named. */
interface WindowTarget {
  hwnd: number;
  msg: number;
}

/**
 * A socket's selection as this thread sees it. Everything but the subscription, the window and the
 * event object's lookup is a word of the socket's record (shared/sockets.ts), so whichever JS thread
 * records, enumerates or re-enables works on one recording (docs/process-wide-handles.md §15).
 * Each thread that uses a selected socket subscribes to its readiness (`stateOf`), so each records
 * what its own drains see; evaluations and enumerations take the record's select lock.
 */
class SelectState {
  /** Message mode (WSAAsyncSelect): where each recorded event is posted; null in event mode (a window is its thread's). */
  window: WindowTarget | null = null;
  unsubscribe: (() => void) | null = null;
  /** This thread made the selection (WSAEventSelect here); else it is another thread's, seen here. */
  selectedHere = false;
  /** An evaluation is queued for after the current call (a re-enabling call on another thread's selection). */
  evaluationQueued = false;
  /** Events recorded and not yet reported by WSAEnumNetworkEvents: their error codes, by FD_ bit index. */
  readonly errors: Int32Array;
  private eventHandle = 0;
  private eventObject: WinEvent | null = null;

  constructor(readonly sock: LinuxSocket) {
    const { w, at } = sock;
    this.errors = w.subarray(at + SW.selectErrors, at + SW.selectErrors + C.FD_MAX_EVENTS);
    if (w[at + SW.selectReady] === 0) {
      w[at + SW.selectArmed] = C.FD_READ | C.FD_WRITE | C.FD_OOB | C.FD_ACCEPT | C.FD_CLOSE;
      w[at + SW.selectReady] = 1;
    }
  }

  /** The socket's words (its record, or its private copy once this thread let go). */
  get w(): Int32Array {
    return this.sock.w;
  }

  get at(): number {
    return this.sock.at;
  }

  private word(index: number): number {
    return this.sock.w[this.sock.at + index]!;
  }

  private set(index: number, value: number): void {
    this.sock.w[this.sock.at + index] = value;
  }

  /** The event object of the selection (event mode). */
  get event(): WinEvent | null {
    const handle = this.word(SW.selectEvent);
    if (handle !== this.eventHandle) {
      this.eventHandle = handle;
      this.eventObject = handle === 0 ? null : eventFor(handle) ?? null;
    }
    return this.eventObject;
  }

  set event(event: WinEvent | null) {
    this.set(SW.selectEvent, event?.handle ?? 0);
  }

  declare mask: number;
  declare record: number;
  /** Events that may be recorded now (re-enabled since they were last recorded). */
  declare armed: number;
  /** Notification events that happened while not selected; recorded when they get selected. */
  declare latched: number;

  latchedError(bit: number): number {
    return this.word(bit === C.FD_ADDRESS_LIST_CHANGE ? SW.selectLatchedAddressError : SW.selectLatchedRoutingError);
  }

  latchError(bit: number, error: number): void {
    this.set(bit === C.FD_ADDRESS_LIST_CHANGE ? SW.selectLatchedAddressError : SW.selectLatchedRoutingError, error);
  }

  /** A connect() is in progress (FD_CONNECT will report its end). */
  declare connecting: boolean;

  /**
   * A connect() ended with this Winsock error (0: connected) and FD_CONNECT has not been recorded
   * yet: Windows reports it at the first selection that includes FD_CONNECT, however late.
   */
  get connectPending(): number | null {
    return this.word(SW.selectHasConnectPending) === 0 ? null : this.word(SW.selectConnectPending);
  }

  set connectPending(value: number | null) {
    this.set(SW.selectConnectPending, value ?? 0);
    this.set(SW.selectHasConnectPending, value === null ? 0 : 1);
  }

  /** The connection was seen established (so its end is an FD_CLOSE). */
  declare established: boolean;
  declare closeRecorded: boolean;
  /** Receive-queue measure at the last look (stream: bytes; datagram: queue memory): growth is new data. */
  declare lastQueued: number;
  /** Accept-queue length at the last look (listening sockets): growth is a new connection. */
  declare lastBacklog: number;
  /** A borrowed stream socket's TCP_INFO bytes received at the last look (borrowedArrival). */
  declare lastReceived: number;
}

// The plain fields above (`declare`d): each one word of the socket's record.
defineWordFields(SelectState.prototype, {
  mask: [SW.selectMask, 'int'],
  record: [SW.selectRecord, 'int'],
  armed: [SW.selectArmed, 'int'],
  latched: [SW.selectLatched, 'int'],
  connecting: [SW.selectConnecting, 'flag'],
  established: [SW.selectEstablished, 'flag'],
  closeRecorded: [SW.selectCloseRecorded, 'flag'],
  lastQueued: [SW.selectLastQueued, 'int'],
  lastBacklog: [SW.selectLastBacklog, 'int'],
  lastReceived: [SW.selectLastReceived, 'int'],
});

const states = new Map<LinuxSocket, SelectState>();

function stateOf(sock: LinuxSocket): SelectState {
  let state = states.get(sock);
  if (!state) {
    state = new SelectState(sock);
    states.set(sock, state);
    // Another thread's selection of this socket: this thread records what its own drains see too.
    if (state.mask & SOCKET_EVENTS && !sock.selectedByWindow) subscribeState(state);
  }
  return state;
}

/** The selection of `sock` if it has one here, or one another thread made (its view made here now). */
function selectedState(sock: LinuxSocket): SelectState | undefined {
  return states.get(sock) ?? (sock.eventSelect !== null ? stateOf(sock) : undefined);
}

/** Run `fn` under the socket's select lock (a socket only this thread can reach needs none). */
function locked<T>(sock: LinuxSocket, fn: () => T): T {
  const r = sock.record >= 0 ? regionIfUsed() : null;
  if (r === null) return fn();
  lockWord(r, sock.w, sock.at + SW.selectLock);
  try {
    return fn();
  } finally {
    Atomics.store(sock.w, sock.at + SW.selectLock, 0);
  }
}

const bitIndex = (bit: number): number => 31 - Math.clz32(bit);

/** Record `bit` (with its error code) if selected and armed; signal the event object. */
function record(state: SelectState, bit: number, error: number): void {
  if (!(state.armed & bit)) return;
  // Message mode is recorded by the thread whose window it posts to.
  if (!state.window && state.sock.selectedByWindow) return;
  // A pending overlapped receive takes the data event: no FD_READ while one waits (Wine's
  // test_read_events; extension-functions.md §4.15).
  if (bit === C.FD_READ && state.sock.pendingReceives > 0) return;
  if (!(state.mask & bit)) {
    if (bit & NOTIFICATIONS) {
      state.latched |= bit;
      state.latchError(bit, error);
      state.armed &= ~bit;
    }
    return;
  }
  state.armed &= ~bit;
  if (state.window) {
    // Message mode: one message per event, nothing kept (a full queue drops it, as a failed post would).
    postMessage(state.window.hwnd, state.window.msg, state.sock.handle, C.WSAMAKESELECTREPLY(bit, error));
    return;
  }
  state.record |= bit;
  state.errors[bitIndex(bit)] = error;
  if (state.event) signal(state.event);
}

/**
 * A new occurrence of a selected event records it again, re-enabled or not (event mode); message
 * mode waits for the re-enabling call.
 */
function occurredAgain(state: SelectState, bit: number): void {
  if (state.mask & bit && (!state.window || state.sock.borrowed)) state.armed |= bit;
}

/**
 * Data arrived on a stream socket borrowed from Node since the last look. Node reads the data
 * itself (read(2), never our recv), often before this thread looks, and no re-enabling call ever
 * comes: there the kernel's count of bytes received growing is new data, recorded even if Node
 * already took it, in both modes (README, approximations).
 */
function borrowedArrival(state: SelectState, fd: number): boolean {
  if (!state.sock.borrowed) return false;
  const total = bytesReceivedTotal(fd);
  const grew = total > state.lastReceived;
  state.lastReceived = total;
  return grew;
}

/**
 * A change notification requested with WSAEWOULDBLOCK happened (ioctl/outcome.ts): record its FD_
 * bit now if selected, else keep it for a later WSAEventSelect.
 */
export function latchNetworkEvent(sock: LinuxSocket, bit: number, error: number): void {
  if (sock.closed) return;
  const state = stateOf(sock);
  state.armed |= bit;
  record(state, bit, error);
}

/**
 * A re-enabling function is being called on `sock` (sockets.ts, at its start). What happened
 * before the call is recorded first, against the state before it; a condition that still holds
 * after the call is recorded at the next drain (the registration is re-armed).
 */
export function reenable(sock: LinuxSocket, bit: number): void {
  const state = selectedState(sock);
  // Only a selected socket records anything, and only pending receives take data ahead of this
  // call: otherwise there is nothing to bring up to date (and a server's every WSARecv / WSASend
  // would pay an epoll_wait for nothing).
  if (state || sock.pendingReceives > 0) drainReadiness();
  if (!state) {
    // Not selected (yet): a connect() still matters for a later selection's FD_CONNECT.
    if (bit === C.FD_CONNECT) stateOf(sock).connecting = true;
    return;
  }
  locked(sock, () => {
    if (bit === C.FD_CONNECT) {
      state.connecting = true;
      state.established = false;
      state.armed |= C.FD_CONNECT | C.FD_CLOSE;
      state.closeRecorded = false;
    } else {
      state.armed |= bit;
    }
  });
  if (state.unsubscribe && !sock.closed && sock.receiveFd >= 0) rearm(sock.receiveFd);
  // Another thread's selection: that thread's drains see no new edge for a condition that still
  // holds, and this one may not drain again soon, so it looks once the call is over.
  if (!state.selectedHere && state.mask & SOCKET_EVENTS && !state.evaluationQueued) {
    state.evaluationQueued = true;
    queueMicrotask(() => {
      state.evaluationQueued = false;
      if (!sock.closed) evaluate(state);
    });
  }
}

/**
 * A re-enabling function failed on its arguments before doing anything (recv with a bad buffer):
 * in message mode that still re-enables (Wine's test_read_events: recv(-1) fails with WSAEFAULT,
 * and a new FD_READ message follows on Windows); in event mode it does not (the same test).
 */
export function reenableAfterFault(sock: LinuxSocket, bit: number): void {
  if (selectedState(sock)?.window) reenable(sock, bit);
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

/** Look at the socket now and record what holds (called at each edge, and when selecting). */
function evaluate(state: SelectState): void {
  const { sock } = state;
  const fd = sock.receiveFd;
  if (fd < 0 || sock.closed) return;
  const polled = pollOne(fd, INTEREST, 0);
  const revents = polled > 0 ? polled : 0;
  locked(sock, () => {
    if (sock.type === C.SOCK_STREAM) evaluateStream(state, fd, revents);
    else evaluateDatagram(state, fd, revents);
  });
}

function evaluateDatagram(state: SelectState, fd: number, revents: number): void {
  if (state.connecting) {
    // A datagram connect() completes at once: FD_CONNECT, then FD_WRITE in event mode; FD_WRITE
    // only in message mode (Wine's test_connect_events, UDP part).
    state.connecting = false;
    if (!state.window) state.connectPending = 0;
    state.armed |= C.FD_WRITE;
  }
  reportConnect(state);
  const queued = receiveQueueMemory(fd);
  if (queued > state.lastQueued) occurredAgain(state, C.FD_READ);
  state.lastQueued = queued;
  if (revents & L.POLLIN) record(state, C.FD_READ, 0);
  // An unbound datagram socket is writable for a window (message mode), not for an event object
  // (test_connect_events, UDP part).
  if (revents & L.POLLOUT && (state.window || isBound(state.sock.fd))) record(state, C.FD_WRITE, 0);
}

function evaluateStream(state: SelectState, fd: number, revents: number): void {
  const tcp = tcpState(fd);
  if (tcp === TCP_STATE.LISTEN) {
    const backlog = acceptQueueLength(fd);
    if (backlog > state.lastBacklog) occurredAgain(state, C.FD_ACCEPT);
    state.lastBacklog = backlog;
    if (backlog > 0) record(state, C.FD_ACCEPT, 0);
    return;
  }
  if (tcp === TCP_STATE.SYN_SENT) {
    state.connecting = true;
    return;
  }
  if (state.connecting) {
    state.connecting = false;
    const error = tcp === TCP_STATE.CLOSE ? connectError(pendingSocketError(fd)) : 0;
    state.connectPending = error;
    if (!error) {
      state.established = true;
      state.armed |= C.FD_WRITE;
    }
  }
  reportConnect(state);
  if (tcp !== TCP_STATE.CLOSE) state.established = true;
  // Never connected (or a failed connect): nothing else to record.
  if (!state.established) return;
  const queued = bytesQueued(fd);
  const arrived = borrowedArrival(state, fd);
  if (queued > state.lastQueued || arrived) occurredAgain(state, C.FD_READ);
  state.lastQueued = queued;
  if (revents & L.POLLPRI && !oobInline(fd)) record(state, C.FD_OOB, 0);
  if (queued > 0 || arrived) record(state, C.FD_READ, 0);
  if (revents & L.POLLOUT && tcp !== TCP_STATE.CLOSE) record(state, C.FD_WRITE, 0);
  // The peer's FIN or a reset; our own shutdown (FIN_WAIT1 / FIN_WAIT2) is not an FD_CLOSE.
  const reset = (revents & L.POLLERR) !== 0;
  if ((PEER_CLOSED.has(tcp) || reset) && !state.closeRecorded && state.mask & C.FD_CLOSE && state.armed & C.FD_CLOSE) {
    state.closeRecorded = true;
    // A reset is reported as WSAECONNABORTED, as Windows does; the error itself is left for the
    // next receive (SO_ERROR is not read here).
    record(state, C.FD_CLOSE, reset ? W.WSAECONNABORTED : 0);
  }
}

function subscribeState(state: SelectState): void {
  if (state.unsubscribe) return;
  const fd = state.sock.receiveFd;
  if (fd < 0 || state.sock.closed) return;
  const subscriber: Subscriber = { interest: INTEREST, phase: 'observe', onReady: () => evaluate(state) };
  subscribe(fd, subscriber);
  state.unsubscribe = () => unsubscribe(fd, subscriber);
}

function unsubscribeState(state: SelectState): void {
  state.unsubscribe?.();
  state.unsubscribe = null;
}

/** WSAEventSelect on a socket already looked up (sockets/network-events.ts has the function). */
export function selectNetworkEvents(sock: LinuxSocket, hEventObject: WSAEVENT, lNetworkEvents: number): number {
  const mask = Number(lNetworkEvents) & SUPPORTED;
  const event = eventFor(hEventObject);
  if (mask !== 0 && !event) return fail(W.WSAEINVAL);
  // What happened under the previous selection is recorded under it.
  drainReadiness();
  const state = stateOf(sock);
  state.event = event ?? null;
  state.window = null;
  return select(state, mask, { event: typeof hEventObject === 'number' ? hEventObject : 0, mask, window: null });
}

/**
 * WSAAsyncSelect on a socket already looked up (sockets/network-events.ts has the function). A
 * non-zero mask needs a window of this thread (WSAEINVAL otherwise, the function's page); a zero
 * mask stops the posting whatever hWnd says, and leaves messages already queued where they are.
 */
export function selectWindowMessages(sock: LinuxSocket, hWnd: number, wMsg: number, lEvent: number): number {
  const mask = Number(lEvent) & SUPPORTED;
  const hwnd = typeof hWnd === 'number' ? hWnd : 0;
  if (mask !== 0 && !windowFor(hwnd)) return fail(W.WSAEINVAL);
  drainReadiness();
  const state = stateOf(sock);
  const window = { hwnd, msg: typeof wMsg === 'number' ? wMsg >>> 0 : 0 };
  state.event = null;
  state.window = window;
  // Selecting a window forgets what was posted: what still holds is posted again (Wine's
  // test_accept_events / test_read_events / test_close_events in message mode). A connection that
  // already exists posts no FD_CONNECT (test_connect_events).
  state.record = 0;
  state.armed = C.FD_READ | C.FD_WRITE | C.FD_OOB | C.FD_ACCEPT | C.FD_CLOSE | (state.armed & NOTIFICATIONS);
  state.closeRecorded = false;
  if (sock.type === C.SOCK_STREAM && !sock.closed && sock.fd >= 0 && tcpState(sock.fd) !== TCP_STATE.SYN_SENT) {
    state.connecting = false;
    state.connectPending = null;
  }
  return select(state, mask, { event: 0, mask, window });
}

/** The part both selections share: the new mask, non-blocking mode, what holds now. */
function select(state: SelectState, mask: number, registration: NonNullable<LinuxSocket['eventSelect']>): number {
  const { sock } = state;
  state.selectedHere = true;
  state.mask = mask;
  sock.eventSelect = registration;
  // Selection makes the socket non-blocking (and keeps it so until the mask is 0 again).
  sock.nonBlocking = true;
  if (mask === 0) {
    unsubscribeState(state);
    return ok(0);
  }
  // Notifications that came while not selected are reported now.
  for (const bit of [C.FD_ADDRESS_LIST_CHANGE, C.FD_ROUTING_INTERFACE_CHANGE]) {
    if (state.latched & bit && mask & bit) {
      state.latched &= ~bit;
      state.armed |= bit;
      record(state, bit, state.latchedError(bit));
    }
  }
  if (mask & SOCKET_EVENTS) {
    // A borrowed socket counts arrivals from now on (what Node received before is not new).
    if (sock.borrowed && sock.type === C.SOCK_STREAM && sock.fd >= 0) state.lastReceived = bytesReceivedTotal(sock.fd);
    // Conditions that already hold are recorded at once; from now on the kernel's edges.
    evaluate(state);
    subscribeState(state);
  } else {
    unsubscribeState(state);
  }
  // Recorded earlier, not yet reported, and selected again: the event object is signalled.
  if (state.record & mask && state.event) signal(state.event);
  return ok(0);
}

// An accepted socket has the same WSAEventSelect / WSAAsyncSelect registration as its listener
// (same event or window and message, same events), as on Windows; what already holds on it
// (FD_WRITE, with wParam the accepted socket: test_accept_events) is recorded at once.
export function inheritSelection(listener: LinuxSocket, child: LinuxSocket): void {
  const selected = listener.eventSelect;
  if (!selected || selected.mask === 0) return;
  if (selected.window) selectWindowMessages(child, selected.window.hwnd, selected.window.msg, selected.mask);
  else selectNetworkEvents(child, selected.event, selected.mask);
}

/** WSAEnumNetworkEvents on a socket already looked up (sockets/network-events.ts has the function). */
export function enumNetworkEvents(sock: LinuxSocket, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number {
  if (lpNetworkEvents === null || typeof lpNetworkEvents !== 'object') return fail(W.WSAEFAULT);
  let event: WinEvent | undefined;
  if (hEventObject) {
    event = eventFor(hEventObject);
    if (!event) return fail(W.WSAEINVAL);
  }
  // Everything the kernel signalled before this call is recorded first. A selection another thread
  // made gets this thread's subscription now, and a look at what holds (this thread's drains had
  // not seen the socket).
  const adopted = !states.has(sock) && sock.eventSelect !== null;
  const state = selectedState(sock);
  if (adopted && state && state.mask & SOCKET_EVENTS) evaluate(state);
  drainReadiness();
  if (!Array.isArray(lpNetworkEvents.iErrorCode)) lpNetworkEvents.iErrorCode = [];
  const errors = lpNetworkEvents.iErrorCode;
  lpNetworkEvents.lNetworkEvents = state === undefined ? 0 : locked(sock, () => {
    const reported = state.record & state.mask;
    // Only the entries of reported events are written (Windows leaves the others as they were).
    for (let i = 0; i < C.FD_MAX_EVENTS; i++) if (reported & (1 << i)) errors[i] = state.errors[i]!;
    state.record &= ~reported;
    return reported;
  });
  if (event) unsignal(event);
  return ok(0);
}

/**
 * The socket's receive fd changed (a SIO_RCVALL capture started or stopped): the registration
 * moves to the new fd, and what holds there is recorded at once.
 */
export function selectionFdChanged(sock: LinuxSocket): void {
  const state = states.get(sock);
  if (!state || !state.unsubscribe) return;
  unsubscribeState(state);
  evaluate(state);
  subscribeState(state);
}

/** The socket is closing: forget its selection. */
export function forgetSocket(sock: LinuxSocket): void {
  const state = states.get(sock);
  if (!state) return;
  unsubscribeState(state);
  states.delete(sock);
}

export function forgetAll(): void {
  for (const sock of [...states.keys()]) forgetSocket(sock);
}
