/**
 * AcceptEx, GetAcceptExSockaddrs and SO_UPDATE_ACCEPT_CONTEXT on the emulation.
 *
 * Windows facts (extension-functions.md §4, §5; Wine's dlls/ws2_32/tests/sock.c test_AcceptEx,
 * test_completion_port, test_accept_events; Microsoft's AcceptEx / GetAcceptExSockaddrs pages):
 * - no OVERLAPPED: ERROR_INVALID_PARAMETER (checked first, as Wine does); every later call-time
 *   failure still writes Internal = STATUS_PENDING (InternalHigh untouched) and delivers nothing;
 * - listener or accept socket not a socket: WSAENOTSOCK; listener not listening: WSAEINVAL; no
 *   output buffer with a receive length, or a remote area of 0: WSAEFAULT; accept socket UDP,
 *   bound, connected or already waiting in another AcceptEx: WSAEINVAL;
 * - a started AcceptEx always pends (ERROR_IO_PENDING), even with a connection already queued;
 * - receive length 0: completes at the connection, 0 bytes; otherwise at the first data, with
 *   what that first receive returned, or with 0 bytes when the peer closes first;
 * - an address area that is not 0 and too small: STATUS_BUFFER_TOO_SMALL at the connection,
 *   0 bytes, the connection left queued for the next accept;
 * - the completion belongs to the listener: its event, its port and key; CancelIo(listener) and
 *   closing the listener cancel it (STATUS_CANCELLED), closing the accept socket too;
 *   CancelIo(accept socket) does not;
 * - GetAcceptExSockaddrs: the remote address (and, with a local area, the local one) from the
 *   buffer; a local length of 0 leaves the local out-parameters untouched.
 *
 * Linux has no "accept into this socket": the connection is accepted (accept4) and its fd moved
 * under the accept socket's number with dup3 (extension-functions.md §16.2), so the SOCKET handle
 * and its fd stay what they were. The address areas use Wine's private layout (an int32 length,
 * then the Windows sockaddr), which GetAcceptExSockaddrs reads back.
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { Ref, SOCKET, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { acceptsIoStatus, callerBuffer, isWritableRef } from '../../../../winsock/arguments.js';
import { sockaddrSize } from '../../../../structs/sockaddr.js';
import * as libc from '../../host/libc.js';
import { E, L } from '../../host/libc.js';
import { closeOwnedFd, noteOpened, noteOpenedUnless } from '../../host/thread-fds.js';
import { LINUX_SOCKADDR_MAX, writeWindowsSockaddr } from '../../host/sockaddr.js';
import { TCP_STATE, isUnbound, tcpState } from '../../host/socket-facts.js';
import { wsaFromErrno } from '../../host/errno.js';
import { fail, setLastError } from '../../win32/last-error.js';
import { complete, startPending, type OverlappedOp } from '../../win32/operations.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { lookupSocket } from '../../win32/socket-state.js';
import { rearm, subscribe, unsubscribe, type Subscriber } from '../../loop/readiness.js';
import { holdServicing } from '../../loop/scheduler.js';
import { inheritFromListener, socketAcceptedInto } from '../lifecycle.js';
import { socketFor } from '../lookup.js';

/** An address area holds the sockaddr and at least 16 more bytes (the AcceptEx page). */
const AREA_SLACK = 16;
/** Wine's layout of an area: an int32 length, then the sockaddr. */
const LENGTH_SIZE = 4;

/** A BOOL function's failure: FALSE with the last error set. */
function refuse(error: number): false {
  fail(error);
  return false;
}

/** One AcceptEx request: waiting on the listener's queue, then (with a receive length) for data. */
class AcceptRequest {
  op!: OverlappedOp;
  /** The accepted connection waits for its first data (phase 2), watched on the accept socket's fd. */
  dataWatch: Subscriber | null = null;
  constructor(
    readonly listener: LinuxSocket,
    readonly acceptor: LinuxSocket,
    readonly output: Uint8Array,
    readonly receiveLength: number,
    readonly localLength: number,
    readonly remoteLength: number,
  ) {}

  /** Whether an area of `length` (0: none wanted) is too small for this family's address. */
  tooSmall(length: number): boolean {
    return length !== 0 && length < sockaddrSize(this.listener.af) + AREA_SLACK;
  }
}

/** Each listener's waiting requests, in issue order, and its readiness subscription. */
class ListenerQueue implements Subscriber {
  readonly requests: AcceptRequest[] = [];
  interest = L.POLLIN;
  readonly phase = 'io';
  fd = -1;
  constructor(readonly listener: LinuxSocket) {}
  onReady(): void {
    serveListener(this);
  }
}

const queues = new Map<LinuxSocket, ListenerQueue>();
let pendingCount = 0;
let endHold: (() => void) | null = null;

const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
const peerLen = new Uint32Array(1);
const local = new Uint8Array(LINUX_SOCKADDR_MAX);
const localLen = new Uint32Array(1);

export function AcceptEx(
  sListenSocket: SOCKET, sAcceptSocket: SOCKET, lpOutputBuffer: Uint8Array | null, dwReceiveDataLength: number,
  dwLocalAddressLength: number, dwRemoteAddressLength: number, lpdwBytesReceived: Ref<number> | null,
  lpOverlapped: WSAOVERLAPPED | null,
): boolean {
  if (lpOverlapped == null || !acceptsIoStatus(lpOverlapped)) return refuse(W.ERROR_INVALID_PARAMETER);
  const ov = lpOverlapped;
  const listener = socketFor(sListenSocket);
  if (typeof listener === 'number') return early(ov, listener);
  const acceptor = socketFor(sAcceptSocket);
  if (typeof acceptor === 'number') return early(ov, acceptor);
  if (listener.type !== C.SOCK_STREAM || tcpState(listener.fd) !== TCP_STATE.LISTEN) return early(ov, W.WSAEINVAL);
  const receiveLength = dword(dwReceiveDataLength);
  const localLength = dword(dwLocalAddressLength);
  const remoteLength = dword(dwRemoteAddressLength);
  if (receiveLength < 0 || localLength < 0 || remoteLength < 0) return early(ov, W.WSAEFAULT);
  if (lpOutputBuffer == null && receiveLength > 0) return early(ov, W.WSAEFAULT);
  if (remoteLength === 0) return early(ov, W.WSAEFAULT);
  const output = callerBuffer(lpOutputBuffer, receiveLength + localLength + remoteLength);
  if (output === null) return early(ov, W.WSAEFAULT);
  if (lpdwBytesReceived != null && !isWritableRef(lpdwBytesReceived)) return early(ov, W.WSAEFAULT);
  if (!acceptable(listener, acceptor)) return early(ov, W.WSAEINVAL);

  const request = new AcceptRequest(listener, acceptor, output, receiveLength, localLength, remoteLength);
  const op = startPending(listener, ov, null);
  request.op = op;
  op.release = () => release(request);
  acceptor.acceptInto = op;
  if (pendingCount++ === 0) endHold = holdServicing();
  let queue = queues.get(listener);
  if (!queue) {
    queue = new ListenerQueue(listener);
    queues.set(listener, queue);
  }
  queue.requests.push(request);
  // Subscribing reports a connection already queued at the next look (the level is checked).
  if (queue.fd < 0) {
    queue.fd = listener.fd;
    subscribe(queue.fd, queue);
  }
  setLastError(W.ERROR_IO_PENDING);
  return false;
}

/** A DWORD argument, or -1 for what no DWORD is. */
const dword = (value: unknown): number => (typeof value === 'number' && Number.isInteger(value) ? value >>> 0 : -1);

/** A call-time failure with an OVERLAPPED: Internal = STATUS_PENDING, nothing delivered. */
function early(ov: WSAOVERLAPPED, error: number): false {
  ov.Internal = W.STATUS_PENDING;
  return refuse(error);
}

/** Whether `acceptor` can take a connection of `listener`: a fresh TCP socket of its family. */
function acceptable(listener: LinuxSocket, acceptor: LinuxSocket): boolean {
  if (acceptor === listener || acceptor.borrowed) return false;
  if (acceptor.type !== C.SOCK_STREAM || acceptor.af !== listener.af) return false;
  if (acceptor.acceptInto !== null || acceptor.connectEx === 'pending') return false;
  // A socket DisconnectEx(TF_REUSE_SOCKET) gave back counts as fresh (its fd is new) when closed.
  if (acceptor.reused) return tcpState(acceptor.fd) === TCP_STATE.CLOSE;
  // Otherwise it must be unbound, and an unbound TCP socket is in CLOSE (listen and connect bind
  // first): one getsockname answers both questions.
  return isUnbound(acceptor.fd);
}

/** The listener is readable: serve the head requests while connections come. */
function serveListener(queue: ListenerQueue): void {
  const { listener, requests } = queue;
  for (let n = requests.length; n > 0 && !listener.closed; n--) {
    const request = requests[0];
    if (!request) return;
    if (request.tooSmall(request.localLength) || request.tooSmall(request.remoteLength)) {
      // Before accepting: the connection stays queued for whoever accepts next.
      complete(request.op, W.STATUS_BUFFER_TOO_SMALL, 0);
      continue;
    }
    peerLen[0] = peer.length;
    const fd = noteOpened(libc.accept4(listener.fd, peer, peerLen, L.SOCK_NONBLOCK | L.SOCK_CLOEXEC));
    if (fd < 0) {
      const errno = libc.errno();
      if (errno === E.EAGAIN || errno === E.ECONNABORTED || errno === E.EINTR) return;
      complete(request.op, W.wsaErrorToNtStatus(wsaFromErrno(errno)), 0);
      continue;
    }
    requests.shift();
    intoAcceptor(request, fd);
  }
}

/** Move the connection `fd` under the accept socket, write the addresses, then finish or wait for data. */
function intoAcceptor(request: AcceptRequest, fd: number): void {
  const { acceptor, listener, op } = request;
  // A shared socket's number stays the socket's (lifecycle.ts registerShared).
  const moved = noteOpenedUnless(acceptor.record >= 0, libc.dup3(fd, acceptor.fd, L.O_CLOEXEC));
  const errno = moved < 0 ? libc.errno() : 0;
  closeOwnedFd(fd);
  if (moved < 0) {
    complete(op, W.wsaErrorToNtStatus(wsaFromErrno(errno)), 0);
    return;
  }
  // The fd number now names another file: what was subscribed to it is registered again.
  rearm(acceptor.fd);
  socketAcceptedInto(listener, acceptor, peer.slice(0, peerLen[0]));
  localLen[0] = local.length;
  if (libc.getsockname(acceptor.fd, local, localLen) === 0) writeArea(request, request.receiveLength, request.localLength, local);
  writeArea(request, request.receiveLength + request.localLength, request.remoteLength, acceptor.peerName!);
  if (request.receiveLength === 0) {
    complete(op, W.STATUS_SUCCESS, 0);
    return;
  }
  const watch: Subscriber = { interest: L.POLLIN | L.POLLRDHUP, phase: 'io', onReady: () => firstData(request) };
  request.dataWatch = watch;
  subscribe(acceptor.fd, watch);
}

/** One address area: the int32 length, then the Windows sockaddr (nothing for an area of 0). */
function writeArea(request: AcceptRequest, offset: number, length: number, linuxAddr: Uint8Array): void {
  if (length === 0) return;
  const area = request.output.subarray(offset, offset + length);
  const size = sockaddrSize(request.listener.af);
  if (writeWindowsSockaddr(linuxAddr, area.subarray(LENGTH_SIZE), length - LENGTH_SIZE) !== 0) return;
  new DataView(area.buffer, area.byteOffset, LENGTH_SIZE).setInt32(0, size, true);
}

/** Phase 2: the first receive decides the completion (data, the peer's close, an error). */
function firstData(request: AcceptRequest): void {
  const { acceptor, op } = request;
  if (op.done || acceptor.closed) return;
  const n = libc.recv(acceptor.fd, request.output, request.receiveLength, 0);
  if (n >= 0) {
    complete(op, W.STATUS_SUCCESS, n);
    return;
  }
  const errno = libc.errno();
  if (errno === E.EAGAIN) return;
  complete(op, errno === E.ECONNRESET ? W.STATUS_CONNECTION_RESET : W.wsaErrorToNtStatus(wsaFromErrno(errno)), 0);
}

/** The request ended (completed, cancelled, a socket closed): it leaves every list it was on. */
function release(request: AcceptRequest): void {
  const { listener, acceptor } = request;
  if (acceptor.acceptInto === request.op) acceptor.acceptInto = null;
  if (request.dataWatch) {
    unsubscribe(acceptor.fd, request.dataWatch);
    request.dataWatch = null;
  }
  const queue = queues.get(listener);
  if (queue) {
    const at = queue.requests.indexOf(request);
    if (at >= 0) queue.requests.splice(at, 1);
    if (queue.requests.length === 0) {
      queues.delete(listener);
      if (queue.fd >= 0) unsubscribe(queue.fd, queue);
      queue.fd = -1;
    }
  }
  if (--pendingCount === 0) {
    endHold?.();
    endHold = null;
  }
}

export function GetAcceptExSockaddrs(
  lpOutputBuffer: Uint8Array | null, dwReceiveDataLength: number, dwLocalAddressLength: number, dwRemoteAddressLength: number,
  LocalSockaddr: Ref<Uint8Array | null> | null, LocalSockaddrLength: Ref<number> | null,
  RemoteSockaddr: Ref<Uint8Array | null> | null, RemoteSockaddrLength: Ref<number> | null,
): void {
  const receiveLength = dword(dwReceiveDataLength);
  const localLength = dword(dwLocalAddressLength);
  const remoteLength = dword(dwRemoteAddressLength);
  if (receiveLength < 0 || localLength < 0 || remoteLength < 0) return void setLastError(W.WSAEFAULT);
  const buffer = lpOutputBuffer ?? null;
  const output = callerBuffer(buffer, receiveLength + localLength + remoteLength);
  // C would read and write through these pointers: each must be there to be written.
  const refs = localLength === 0 ? [RemoteSockaddr, RemoteSockaddrLength] : [LocalSockaddr, LocalSockaddrLength, RemoteSockaddr, RemoteSockaddrLength];
  if (output === null || buffer === null || !refs.every(isWritableRef)) return void setLastError(W.WSAEFAULT);
  const localAddr = localLength === 0 ? null : readArea(buffer, output, receiveLength, localLength);
  const remote = readArea(buffer, output, receiveLength + localLength, remoteLength);
  if (localAddr) {
    LocalSockaddr!.value = localAddr;
    LocalSockaddrLength!.value = localAddr.length;
  }
  if (remote) {
    RemoteSockaddr!.value = remote;
    RemoteSockaddrLength!.value = remote.length;
  }
}

/** The sockaddr in an area, as a view of the caller's buffer (C gets a pointer into it); null when none is there. */
function readArea(buffer: Uint8Array, output: Uint8Array, offset: number, length: number): Uint8Array | null {
  if (length < LENGTH_SIZE) return null;
  const size = new DataView(output.buffer, output.byteOffset + offset, LENGTH_SIZE).getInt32(0, true);
  if (size <= 0 || size > length - LENGTH_SIZE) return null;
  const start = offset + LENGTH_SIZE;
  return buffer.subarray(start, start + size);
}

/**
 * setsockopt(SO_UPDATE_ACCEPT_CONTEXT): the value is the listening SOCKET (8 bytes, x64) the
 * connection came from; the accepted socket then takes the listener's properties (what accept()
 * gives at once). Another socket, or a socket AcceptEx did not fill: WSAEINVAL; a value shorter
 * than a SOCKET: WSAEFAULT (Windows' own checks are untested: extension-functions.md §16.2).
 */
export function updateAcceptContext(sock: LinuxSocket, value: Uint8Array | null): number {
  if (value === null || value.length < 8) return W.WSAEFAULT;
  const handle = Number(new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true) & 0xffff_ffffn);
  const listener = lookupSocket(handle);
  if (!listener || listener.closed || sock.acceptedFrom !== listener) return W.WSAEINVAL;
  inheritFromListener(listener, sock);
  return 0;
}
