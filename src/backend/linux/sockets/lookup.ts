/** From a SOCKET handle to the socket, with the checks every socket function starts with. */
import * as W from '../../../errors/index.js';
import type { SOCKET } from '../../../winsock/types.js';
import { isClosed, lookupSocket } from '../win32/socket-state.js';
import { isStarted } from '../win32/startup.js';
import { closeSocket } from './lifecycle.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** The socket, or WSANOTINITIALISED before WSAStartup, WSAENOTSOCK for closed or unknown handles. */
export function socketFor(s: SOCKET): LinuxSocket | number {
  if (!isStarted()) return W.WSANOTINITIALISED;
  const sock = lookupSocket(s);
  // isClosed, not the `closed` accessor: on this path of every socket call the accessor measured
  // about 10 ns dearer (it kept the dispatcher from being inlined as a whole).
  if (!sock || isClosed(sock)) return W.WSAENOTSOCK;
  if (sock.fd < 0) {
    // A borrowed socket whose owner (Node) closed it: detach it now, it can never work again.
    if (sock.borrowed) closeSocket(sock);
    return W.WSAENOTSOCK;
  }
  return sock;
}
