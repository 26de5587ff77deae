/**
 * The disconnect TransmitFile / TransmitPackets make after their data (TF_DISCONNECT,
 * TF_REUSE_SOCKET): the sending side is shut down, as DisconnectEx does (Wine's
 * dlls/ws2_32/tests/sock.c test_DisconnectEx: the peer then reads end of file, a send fails with
 * WSAESHUTDOWN, receiving still works); with TF_REUSE_SOCKET the request completes only once the
 * peer has closed its side too (TransmitFile reference page), and the socket is then made reusable
 * for AcceptEx / ConnectEx by DisconnectEx's own renew (extension/disconnect-ex.ts).
 */
import * as libc from '../../host/libc.js';
import { E, L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { pollOne } from '../../host/poll.js';
import type { LinuxSocket } from '../../win32/socket-state.js';

/** shutdown(SHUT_WR) and the Winsock state that goes with it: 0, or the Winsock error. */
export function disconnectSending(sock: LinuxSocket): number {
  if (libc.shutdown(sock.fd, L.SHUT_WR) < 0) {
    const errno = libc.errno();
    // Already reset or gone: nothing left to disconnect.
    if (errno !== E.ENOTCONN) return wsaFromErrno(errno);
  }
  sock.sendShutdown = true;
  return 0;
}

/** The peer has closed its sending side (its FIN arrived), or the connection is gone. */
export function peerHasClosed(sock: LinuxSocket): boolean {
  if (sock.fd < 0) return true;
  const revents = pollOne(sock.fd, L.POLLRDHUP, 0);
  return revents < 0 || (revents & (L.POLLRDHUP | L.POLLHUP | L.POLLERR | L.POLLNVAL)) !== 0;
}
