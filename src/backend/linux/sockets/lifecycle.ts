/**
 * The socket lifecycle: what happens to every socket when it is made, accepted, adopted from
 * Node, connected and closed. Each socket-wide policy is a plain call here, in the order it runs,
 * so what runs for a socket can be read in one place.
 */
import { closeOwnedFd } from '../host/thread-fds.js';
import { allHandles, register, unregister } from '../win32/handles.js';
import { abortOnClose, cancel, pendingOn } from '../win32/operations.js';
import { forgetSocket, inheritSelection, selectionFdChanged } from '../win32/event-select.js';
import { forgetQueues, pendingFdChanged } from './data-path/pending.js';
import { stopCapture } from './capture.js';
import { INHERITED_OPTION_MIRRORS, LinuxSocket } from '../win32/socket-state.js';
import { trackIcmpErrors } from './udp-reset.js';
import { noteTcpConnected, noteTcpSocketCreated, noteTcpSocketMade, type LinuxTcpInfo } from './tcp-info.js';
import { applyWindowsKeepAliveDefaults, inheritKeepAliveDefaults, inheritPendingKeepAliveDefaults } from './keepalive-defaults.js';
import { applyWindowsOptionDefaults } from './option-defaults.js';
import { socketClosing as releasePortReservations } from './port-reservations.js';

/** socket() / WSASocketW made `fd` (already non-blocking): register it with Windows' defaults. */
export function socketMade(fd: number, af: number, type: number, protocol: number, overlapped: boolean): LinuxSocket {
  const sock = register(new LinuxSocket(fd, af, type, protocol, overlapped));
  trackIcmpErrors(sock);
  noteTcpSocketMade(sock);
  applyWindowsKeepAliveDefaults(sock);
  applyWindowsOptionDefaults(sock);
  return sock;
}

/** accept() on `listener` gave `fd`: the new socket takes the listener's properties, as on Windows. */
export function socketAccepted(listener: LinuxSocket, fd: number): LinuxSocket {
  const child = register(new LinuxSocket(fd, listener.af, listener.type, listener.protocol, listener.overlapped));
  noteTcpSocketCreated(child);
  inheritFromListener(listener, child);
  return child;
}

/**
 * AcceptEx moved a connection of `listener` under `acceptor` (sockets/extension/accept-ex.ts): it
 * is a new connection on an old handle. The listener's properties come with SO_UPDATE_ACCEPT_CONTEXT
 * (inheritFromListener), as on Windows.
 */
export function socketAcceptedInto(listener: LinuxSocket, acceptor: LinuxSocket, peer: Uint8Array): void {
  acceptor.acceptedFrom = listener;
  acceptor.peerName = peer;
  acceptor.reused = false;
  acceptor.receiveShutdown = false;
  acceptor.sendShutdown = false;
  acceptor.connectionReset = false;
  acceptor.resetAfterFin = false;
  // The fd is now the accepted one, with the values the kernel copied from the listener.
  inheritPendingKeepAliveDefaults(listener, acceptor);
  // Established now, for this handle: what noteTcpConnected records (an estimate from the
  // kernel's timers, noteTcpSocketCreated, would be overwritten by it: one TCP_INFO read is enough).
  noteTcpConnected(acceptor);
}

/** What an accepted socket takes over from its listener (accept(), SO_UPDATE_ACCEPT_CONTEXT). */
export function inheritFromListener(listener: LinuxSocket, child: LinuxSocket): void {
  child.nonBlocking = listener.nonBlocking;
  child.receiveTimeoutMs = listener.receiveTimeoutMs;
  child.sendTimeoutMs = listener.sendTimeoutMs;
  for (const name of INHERITED_OPTION_MIRRORS) {
    const value = listener.optionMirrors.get(name);
    if (value !== undefined) child.optionMirrors.set(name, value);
  }
  inheritKeepAliveDefaults(listener, child);
  inheritSelection(listener, child);
}

/**
 * A socket Node owns, registered as a borrowed SOCKET (docs/principles.md, principle 3): no policy
 * touches it, since the fd is Node's.
 */
export function socketAdopted(af: number, type: number, protocol: number, resolveFd: () => number): LinuxSocket {
  return register(new LinuxSocket(-1, af, type, protocol, true, resolveFd));
}

/** connect() established a TCP connection (`info`: its TCP_INFO, when the caller just read it). */
export function socketConnected(sock: LinuxSocket, info?: LinuxTcpInfo): void {
  noteTcpConnected(sock, info);
}

/**
 * A SIO_RCVALL capture started or stopped, so receives come from another fd
 * (`LinuxSocket.receiveFd`): pending receives and the event selection wait on the new one.
 */
export function socketReceiveSwitched(sock: LinuxSocket): void {
  pendingFdChanged(sock);
  selectionFdChanged(sock);
}

/**
 * closesocket, WSACleanup, thread exit, or a borrowed socket whose owner closed it: each pending
 * operation completes once (cancelled, or aborted for a data transfer), requests and selections are dropped, the handle goes.
 */
export function closeSocket(sock: LinuxSocket): void {
  if (sock.closed) return;
  for (const op of pendingOn(sock)) abortOnClose(op);
  // The accept socket of a pending AcceptEx: the listener's operation ends cancelled (Wine's test_AcceptEx).
  if (sock.acceptInto) cancel(sock.acceptInto);
  for (const drop of [...sock.notificationRequests.values()]) drop();
  forgetQueues(sock);
  forgetSocket(sock);
  const afterClose = releasePortReservations(sock);
  sock.closed = true;
  stopCapture(sock);
  unregister(sock.handle);
  // A borrowed fd belongs to Node: detach only (docs/principles.md, principle 3).
  if (!sock.borrowed) closeOwnedFd(sock.fd);
  afterClose();
}

/** Every socket of this thread (the last WSACleanup, thread exit). */
export function closeAllSockets(): void {
  for (const object of allHandles()) if (object.kind === 'socket') closeSocket(object as LinuxSocket);
}
