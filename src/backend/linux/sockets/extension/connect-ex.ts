/**
 * ConnectEx and SO_UPDATE_CONNECT_CONTEXT on the emulation.
 *
 * Windows facts (extension-functions.md §4, §6; Wine's dlls/ws2_32/tests/sock.c test_connect,
 * test_connect_completion_port, test_connecting_socket, test_AcceptEx; Microsoft's ConnectEx page):
 * - no OVERLAPPED: ERROR_INVALID_PARAMETER; not a socket: WSAENOTSOCK; every other call-time
 *   failure writes Internal = STATUS_PENDING (InternalHigh untouched) and delivers nothing;
 * - not bound: WSAEINVAL; listening, a connect or ConnectEx in progress, the accept socket of a
 *   pending AcceptEx: WSAEINVAL; connected (connect(), accept(), an earlier ConnectEx): WSAEISCONN;
 * - a started ConnectEx always pends, even on loopback, and completes when the handshake is done,
 *   before the server accepts; then the send data goes (bytes = what was sent);
 * - refused: the completion says STATUS_CONNECTION_REFUSED (ERROR_CONNECTION_REFUSED from the port,
 *   WSAECONNREFUSED from WSAGetOverlappedResult), 0 bytes, and the socket may try again;
 * - FILE_SKIP_COMPLETION_PORT_ON_SUCCESS does not drop its packet (it pended); hEvent | 1 does;
 * - while it is pending getpeername says WSAENOTCONN and connect() WSAEINVAL; after it (without
 *   SO_UPDATE_CONNECT_CONTEXT) connect() still says WSAEINVAL [T! in Wine].
 *
 * Linux: a non-blocking connect() and the socket's writability (data-path/pending.ts, send
 * direction), then the data with send(); errno -> NTSTATUS as extension-functions.md §16.3.
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { Ref, SOCKET, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { acceptsIoStatus, callerBuffer, isWritableRef } from '../../../../winsock/arguments.js';
import * as libc from '../../host/libc.js';
import { E } from '../../host/libc.js';
import { L } from '../../host/libc.js';
import { toLinuxSockaddr } from '../../host/sockaddr.js';
import { TCP_STATE, isBound, pendingSocketError, tcpState } from '../../host/socket-facts.js';
import { wsaFromErrno } from '../../host/errno.js';
import { fail, setLastError } from '../../win32/last-error.js';
import { complete, startPending, type OverlappedOp } from '../../win32/operations.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { defer } from '../../loop/deferred.js';
import { socketConnected } from '../lifecycle.js';
import { socketFor } from '../lookup.js';
import { AGAIN, sendAttempt } from '../sockets.js';
import { enqueue, type Transfer } from '../data-path/pending.js';
import { readLinuxTcpInfo } from '../tcp-info.js';

function refuse(error: number): false {
  fail(error);
  return false;
}

function early(ov: WSAOVERLAPPED, error: number): false {
  ov.Internal = W.STATUS_PENDING;
  return refuse(error);
}

/** The NTSTATUS a failed connect ends with (extension-functions.md §16.3). */
function connectStatus(errno: number): number {
  if (errno === E.ECONNREFUSED) return W.STATUS_CONNECTION_REFUSED;
  if (errno === E.ETIMEDOUT) return W.STATUS_IO_TIMEOUT;
  if (errno === E.ENETUNREACH) return W.STATUS_NETWORK_UNREACHABLE;
  if (errno === E.EHOSTUNREACH) return W.STATUS_HOST_UNREACHABLE;
  return W.wsaErrorToNtStatus(wsaFromErrno(errno));
}

/** Connect, then send: a pending transfer on the socket's send side. */
class ConnectRequest implements Transfer {
  op!: OverlappedOp;
  readonly events = L.POLLOUT;
  sent = 0;
  constructor(readonly sock: LinuxSocket, readonly data: Uint8Array, readonly peer: Uint8Array) {}

  attempt(): boolean {
    const { sock, op } = this;
    if (sock.connectEx === 'pending') {
      const error = pendingSocketError(sock.fd);
      if (error !== 0) {
        this.refused(error);
        return true;
      }
      // One TCP_INFO read gives the state and what socketConnected notes (the handshake's retransmissions).
      const info = readLinuxTcpInfo(sock.fd);
      if (typeof info !== 'number' && info.state === TCP_STATE.SYN_SENT) return false;
      sock.connectEx = 'connected';
      sock.peerName = this.peer;
      sock.optionMirrors.delete('SO_ERROR');
      socketConnected(sock, typeof info === 'number' ? undefined : info);
    }
    while (this.sent < this.data.length) {
      const got = sendAttempt(sock, this.data.subarray(this.sent), 0, null);
      if (got === AGAIN) return false;
      if ('error' in got) {
        complete(op, W.wsaErrorToNtStatus(got.error), this.sent);
        return true;
      }
      this.sent += got.bytes;
    }
    complete(op, W.STATUS_SUCCESS, this.sent);
    return true;
  }

  /** The connection failed: the socket can try again (Linux would first answer ECONNABORTED). */
  refused(errno: number): void {
    this.sock.connectEx = null;
    libc.connect(this.sock.fd, UNSPEC_SOCKADDR, UNSPEC_SOCKADDR.length);
    complete(this.op, connectStatus(errno), 0);
  }
}

const UNSPEC_SOCKADDR = new Uint8Array(16);
/** The wildcard address of a family, to bind a reused socket (its old port may be in TIME_WAIT). */
const wildcard = (af: number): Uint8Array => {
  const addr = new Uint8Array(af === C.AF_INET6 ? 28 : 16);
  addr[0] = af === C.AF_INET6 ? L.AF_INET6 : L.AF_INET;
  return addr;
};

export function ConnectEx(
  s: SOCKET, name: Uint8Array | null, namelen: number, lpSendBuffer: Uint8Array | null, dwSendDataLength: number,
  lpdwBytesSent: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null,
): boolean {
  const sock = socketFor(s);
  const ovOk = lpOverlapped != null && acceptsIoStatus(lpOverlapped);
  // Not a socket: the OVERLAPPED still says STATUS_PENDING (§4.7; what ws2_32 under Wine does too).
  if (typeof sock === 'number') return ovOk ? early(lpOverlapped, sock) : refuse(sock);
  if (!ovOk) return refuse(W.ERROR_INVALID_PARAMETER);
  const ov = lpOverlapped;
  if (sock.type !== C.SOCK_STREAM) return early(ov, W.WSAEINVAL);
  const state = tcpState(sock.fd);
  if (state === TCP_STATE.LISTEN || state === TCP_STATE.SYN_SENT || sock.connectEx === 'pending' || sock.acceptInto !== null) return early(ov, W.WSAEINVAL);
  if (state !== TCP_STATE.CLOSE) return early(ov, W.WSAEISCONN);
  if (!sock.reused && !isBound(sock.fd)) return early(ov, W.WSAEINVAL);
  const addr = toLinuxSockaddr(callerBuffer(name, namelen), namelen, sock.af);
  if (typeof addr === 'number') return early(ov, addr);
  const length = typeof dwSendDataLength === 'number' && Number.isInteger(dwSendDataLength) ? dwSendDataLength >>> 0 : -1;
  const data = lpSendBuffer == null && length === 0 ? new Uint8Array(0) : callerBuffer(lpSendBuffer, length);
  if (data === null) return early(ov, W.WSAEFAULT);
  if (lpdwBytesSent != null && !isWritableRef(lpdwBytesSent)) return early(ov, W.WSAEFAULT);
  if (sock.reused && !isBound(sock.fd)) {
    const any = wildcard(sock.af);
    if (libc.bind(sock.fd, any, any.length) < 0) return early(ov, wsaFromErrno(libc.errno()));
  }

  // The caller's bytes as they are now (Windows reads them during the call's life; a copy is safer).
  const request = new ConnectRequest(sock, data.slice(), addr.addr.slice(0, addr.len));
  sock.connectEx = 'pending';
  sock.connectContextUpdated = false;
  sock.reused = false;
  const op = startPending(sock, ov, null);
  request.op = op;
  if (libc.connect(sock.fd, addr.addr, addr.len) < 0) {
    const errno = libc.errno();
    if (errno !== E.EINPROGRESS && errno !== E.EAGAIN) {
      // Windows fails a refused connect only in the completion, never at once.
      defer(() => {
        if (!op.done) request.refused(errno);
      });
      setLastError(W.ERROR_IO_PENDING);
      return false;
    }
    // Receives meanwhile are WSAENOTCONN, as after connect() (sockets.ts, receiveRefusal).
    sock.connectInProgress = true;
  }
  enqueue(sock, 'send', request);
  // Cancelled or its socket closed while connecting: the attempt is abandoned (an abortive
  // connect(AF_UNSPEC)), so the socket does not stay "connecting" for ever.
  const dequeue = op.release;
  op.release = (ended) => {
    dequeue?.(ended);
    if (sock.connectEx !== 'pending') return;
    sock.connectEx = null;
    if (!sock.closed) libc.connect(sock.fd, UNSPEC_SOCKADDR, UNSPEC_SOCKADDR.length);
  };
  setLastError(W.ERROR_IO_PENDING);
  return false;
}

/**
 * setsockopt(SO_UPDATE_CONNECT_CONTEXT) (value NULL, 0 as libuv passes it, or the socket itself as
 * Go does): the connected socket behaves as connect() made it. On a socket ConnectEx did not
 * connect: WSAENOTCONN (Windows' own checks are untested: extension-functions.md §18).
 */
export function updateConnectContext(sock: LinuxSocket): number {
  if (sock.connectEx !== 'connected') return W.WSAENOTCONN;
  sock.connectContextUpdated = true;
  return 0;
}
