/**
 * DisconnectEx on the emulation.
 *
 * Windows facts (extension-functions.md §7; Wine's dlls/ws2_32/tests/sock.c test_DisconnectEx,
 * test_shutdown_completion_port; Microsoft's DisconnectEx page):
 * - not a socket: WSAENOTSOCK; not connected: WSAENOTCONN; flags other than 0 / TF_REUSE_SOCKET,
 *   or dwReserved not 0: WSAEINVAL [D];
 * - with an OVERLAPPED it always pends (ERROR_IO_PENDING) and then completes with 0 bytes, a packet
 *   included even under FILE_SKIP_COMPLETION_PORT_ON_SUCCESS; without one: TRUE, last error 0, and
 *   again TRUE on a second call, no packet;
 * - flags 0 is a half close: the peer reads end of file, send says WSAESHUTDOWN, receiving goes on,
 *   connect says WSAEISCONN, the names keep working;
 * - TF_REUSE_SOCKET: when it completes the socket is unconnected and may go to AcceptEx or
 *   ConnectEx again [D]; the completion may wait for the connection's end.
 *
 * Linux: shutdown(SHUT_WR); for TF_REUSE_SOCKET, wait for the peer's FIN (or reset), then put a
 * new socket of the same kind under the fd number (dup3), as extension-functions.md §16.4 says:
 * Linux cannot unconnect a TCP socket (connect(AF_UNSPEC) is an abortive close).
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { SOCKET, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { acceptsIoStatus } from '../../../../winsock/arguments.js';
import * as libc from '../../host/libc.js';
import { E, L } from '../../host/libc.js';
import { closeOwnedFd, noteOpened, noteOpenedUnless } from '../../host/thread-fds.js';
import { linuxFamily } from '../../host/sockaddr.js';
import { TCP_STATE, tcpState } from '../../host/socket-facts.js';
import { wsaFromErrno } from '../../host/errno.js';
import { fail, ok, setLastError } from '../../win32/last-error.js';
import { complete, startPending } from '../../win32/operations.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { defer } from '../../loop/deferred.js';
import { rearm, subscribe, unsubscribe, type Subscriber } from '../../loop/readiness.js';
import { holdServicing } from '../../loop/scheduler.js';
import { socketFor } from '../lookup.js';
import { waitIfBlocking } from '../sockets.js';

function refuse(error: number): false {
  fail(error);
  return false;
}

/** TCP states in which there is (or was, on this side) a connection to disconnect. */
const CONNECTED_STATES: ReadonlySet<number> = new Set([
  TCP_STATE.ESTABLISHED, TCP_STATE.CLOSE_WAIT, TCP_STATE.FIN_WAIT1, TCP_STATE.FIN_WAIT2, TCP_STATE.CLOSING,
  TCP_STATE.LAST_ACK, TCP_STATE.TIME_WAIT,
]);

export function DisconnectEx(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number, dwReserved: number): boolean {
  const sock = socketFor(s);
  if (typeof sock === 'number') return refuse(sock);
  if (lpOverlapped != null && !acceptsIoStatus(lpOverlapped)) return refuse(W.WSAEFAULT);
  const flags = typeof dwFlags === 'number' && Number.isInteger(dwFlags) ? dwFlags >>> 0 : -1;
  if ((flags !== 0 && flags !== C.TF_REUSE_SOCKET) || dwReserved !== 0) return refuse(W.WSAEINVAL);
  if (sock.type !== C.SOCK_STREAM) return refuse(W.WSAENOTCONN);
  const state = tcpState(sock.fd);
  // Once this side shut down, the kernel may already have forgotten the connection (CLOSE).
  if (!CONNECTED_STATES.has(state ?? -1) && !(sock.sendShutdown && sock.peerName !== null)) return refuse(W.WSAENOTCONN);
  if (!sock.sendShutdown) {
    if (libc.shutdown(sock.fd, L.SHUT_WR) < 0 && libc.errno() !== E.ENOTCONN) return refuse(wsaFromErrno(libc.errno()));
    sock.sendShutdown = true;
  }
  const reuse = flags === C.TF_REUSE_SOCKET;
  if (lpOverlapped == null) {
    if (reuse) {
      // Blocking: until the peer has closed too (an alertable wait, as Windows' blocking calls).
      while (!peerClosed(sock)) {
        const waited = waitIfBlocking(sock, L.POLLIN | L.POLLRDHUP, 0);
        if (waited) return refuse(waited);
      }
      const error = renew(sock);
      if (error) return refuse(error);
    }
    return ok(true);
  }
  const op = startPending(sock, lpOverlapped, null);
  if (!reuse) {
    // Done already, but Windows reports it as a completion, never at once.
    defer(() => complete(op, W.STATUS_SUCCESS, 0));
    setLastError(W.ERROR_IO_PENDING);
    return false;
  }
  const endHold = holdServicing();
  const watch: Subscriber = {
    interest: L.POLLIN | L.POLLRDHUP,
    phase: 'io',
    onReady: () => {
      if (op.done || !peerClosed(sock)) return;
      const error = renew(sock);
      complete(op, error ? W.wsaErrorToNtStatus(error) : W.STATUS_SUCCESS, 0);
    },
  };
  const fd = sock.fd;
  op.release = () => {
    unsubscribe(fd, watch);
    endHold();
  };
  subscribe(fd, watch);
  setLastError(W.ERROR_IO_PENDING);
  return false;
}

const drain = new Uint8Array(4096);

/** The peer closed its side (or reset): what it still sent is read and dropped. Bounded per call. */
function peerClosed(sock: LinuxSocket): boolean {
  for (let i = 0; i < 256; i++) {
    const n = libc.recv(sock.fd, drain, drain.length, 0);
    if (n === 0) return true;
    if (n < 0) return libc.errno() !== E.EAGAIN;
  }
  return false;
}

/**
 * A fresh socket of the same kind under the fd number: unconnected, unbound, ready for AcceptEx
 * or ConnectEx (which binds it to the wildcard). 0, or the Winsock error. TF_REUSE_SOCKET's one
 * way, for DisconnectEx and for TransmitFile / TransmitPackets (transmit/transmission.ts).
 */
export function renew(sock: LinuxSocket): number {
  const fresh = noteOpened(libc.socket(linuxFamily(sock.af), L.SOCK_STREAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0));
  if (fresh < 0) return wsaFromErrno(libc.errno());
  // A shared socket's number stays the socket's (lifecycle.ts registerShared).
  const moved = noteOpenedUnless(sock.record >= 0, libc.dup3(fresh, sock.fd, L.O_CLOEXEC));
  const errno = moved < 0 ? libc.errno() : 0;
  closeOwnedFd(fresh);
  if (moved < 0) return wsaFromErrno(errno);
  // The fd number now names another file: what was subscribed to it is registered again.
  rearm(sock.fd);
  sock.reused = true;
  sock.peerName = null;
  sock.acceptedFrom = null;
  sock.connectEx = null;
  sock.connectContextUpdated = false;
  sock.receiveShutdown = false;
  sock.sendShutdown = false;
  sock.connectionReset = false;
  sock.resetAfterFin = false;
  return 0;
}
