/**
 * The socket lifecycle: what happens to every socket when it is made, accepted, adopted from
 * Node, connected and closed. Each socket-wide policy is a plain call here, in the order it runs,
 * so what runs for a socket can be read in one place.
 */
import { closeOwnedFd, noteClosed } from '../host/thread-fds.js';
import { allHandles, forgetLocal, register, unregister } from '../win32/handles.js';
import { region, regionIfUsed } from '../shared/region.js';
import { mySlot } from '../shared/threads.js';
import {
  allocSocketRecord, closeSocketRecord, finishSocketClose, freeDatagramRing, holdSocketRecord, publishSocketRecord, releaseSocketRecord, SW,
} from '../shared/sockets.js';
import { abortOnClose, cancel, pendingOn } from '../win32/operations.js';
import { forgetSocket, inheritSelection, selectionFdChanged } from '../win32/event-select.js';
import { forgetQueues, pendingFdChanged } from './data-path/pending.js';
import { stopCapture } from './capture.js';
import { forgetDatagramView } from './datagram-queue.js';
import { INHERITED_OPTION_MIRRORS, LinuxSocket } from '../win32/socket-state.js';
import { trackIcmpErrors } from './udp-reset.js';
import { noteTcpConnected, noteTcpSocketCreated, noteTcpSocketMade, type LinuxTcpInfo } from './tcp-info.js';
import { applyWindowsKeepAliveDefaults, inheritKeepAliveDefaults, inheritPendingKeepAliveDefaults } from './keepalive-defaults.js';
import { applyWindowsOptionDefaults } from './option-defaults.js';
import { socketClosing as releasePortReservations } from './port-reservations.js';

/** socket() / WSASocketW made `fd` (already non-blocking): register it with Windows' defaults. */
export function socketMade(fd: number, af: number, type: number, protocol: number, overlapped: boolean): LinuxSocket {
  const sock = registerShared(new LinuxSocket(fd, af, type, protocol, overlapped));
  trackIcmpErrors(sock);
  noteTcpSocketMade(sock);
  applyWindowsKeepAliveDefaults(sock);
  applyWindowsOptionDefaults(sock);
  return sock;
}

/**
 * Give a socket this thread made its handle and its record in the shared region, so every JS thread
 * can use it (docs/process-wide-handles.md §15). Its fd is then the socket's, not this thread's: it
 * leaves the thread's fd table (host/thread-fds.ts), so a terminated Worker's parent does not close
 * it; the record's last reference does. Without the region the socket stays this thread's.
 */
function registerShared(sock: LinuxSocket): LinuxSocket {
  const r = region();
  const record = r === null ? null : allocSocketRecord(r);
  try {
    register(sock, record?.index ?? -1);
  } catch (error) {
    if (r !== null && record !== null) {
      releaseSocketRecord(r, record.index, record.w, record.at, -1);
      releaseSocketRecord(r, record.index, record.w, record.at, mySlot());
    }
    throw error;
  }
  if (record !== null) {
    sock.share(record.index, record.w, record.at);
    // Before the record is published: a Worker terminated in between leaks the fd (its parent does
    // not close it) rather than the parent closing a number the record then closes again.
    noteClosed(sock.fd);
    publishSocketRecord(record.w, record.at, sock.handle);
  }
  return sock;
}

/** Another thread's socket, looked up here for the first time: this thread's LinuxSocket over its record (handles.ts asks). */
export function adoptSocket(handle: number, record: number): LinuxSocket | undefined {
  const r = region();
  const place = r === null || record < 0 ? null : holdSocketRecord(r, record, handle);
  if (place === null) return undefined;
  const { w, at } = place;
  const sock = new LinuxSocket(w[at + SW.fd]!, w[at + SW.af]!, w[at + SW.type]!, w[at + SW.protocol]!, w[at + SW.overlapped] !== 0, null, { record, w, at });
  sock.handle = handle;
  return sock;
}

/** accept() on `listener` gave `fd`: the new socket takes the listener's properties, as on Windows. */
export function socketAccepted(listener: LinuxSocket, fd: number): LinuxSocket {
  const child = registerShared(new LinuxSocket(fd, listener.af, listener.type, listener.protocol, listener.overlapped));
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

/** What this thread holds for a socket it stops using: each pending operation ends once, requests and selections go. */
function endLocalUse(sock: LinuxSocket): () => void {
  for (const op of pendingOn(sock)) abortOnClose(op);
  // The accept socket of a pending AcceptEx: the listener's operation ends cancelled (Wine's test_AcceptEx).
  if (sock.acceptInto) cancel(sock.acceptInto);
  for (const drop of [...sock.notificationRequests.values()]) drop();
  forgetQueues(sock);
  forgetSocket(sock);
  forgetDatagramView(sock);
  return releasePortReservations(sock);
}

/**
 * closesocket, WSACleanup, or a borrowed socket whose owner closed it: each pending operation of
 * this thread completes once (cancelled, or aborted for a data transfer), requests and selections
 * are dropped, the handle goes. A shared socket reads as closed in every thread at once; the
 * other threads holding it are rung and end theirs (`letGo`), and its fd closes with the last of
 * them (shared/sockets.ts).
 */
export function closeSocket(sock: LinuxSocket): void {
  if (sock.closed) return;
  if (sock.record >= 0) {
    const r = regionIfUsed();
    const { record, w, at } = sock;
    // Two threads closing at once: one closes, the other only lets go.
    if (r === null || !closeSocketRecord(w, at)) {
      letGo(sock);
      return;
    }
    sock.detach();
    forgetLocal(sock.handle);
    const afterClose = endLocalUse(sock);
    stopCapture(sock);
    finishSocketClose(r, record, w, at);
    afterClose();
    return;
  }
  const afterClose = endLocalUse(sock);
  sock.closed = true;
  stopCapture(sock);
  freeDatagramRing(sock.w, sock.at);
  unregister(sock.handle);
  // A borrowed fd belongs to Node: detach only (docs/principles.md, principle 3).
  if (!sock.borrowed) closeOwnedFd(sock.fd);
  afterClose();
}

/**
 * This thread stops using a shared socket it did not close: another thread closed it (its pending
 * operations here end as closesocket ends them), or this thread ends (they were cancelled before).
 * The socket itself stays as it is for the other threads.
 */
export function letGo(sock: LinuxSocket): void {
  const r = regionIfUsed();
  if (sock.record < 0 || r === null) return;
  const { record, w, at } = sock;
  // Still over the record: ending its operations gives their places in the socket's order back.
  const afterClose = endLocalUse(sock);
  sock.detach();
  forgetLocal(sock.handle);
  stopCapture(sock);
  releaseSocketRecord(r, record, w, at, mySlot());
  afterClose();
}

/**
 * The last WSACleanup of this thread: the sockets it made are closed; shared sockets it adopted
 * from other threads are only let go of (the startup count is per thread here, per process on
 * Windows: README, approximations).
 */
export function closeAllSockets(): void {
  for (const object of allHandles()) {
    if (object.kind !== 'socket') continue;
    const sock = object as LinuxSocket;
    if (sock.created) closeSocket(sock);
    else letGo(sock);
  }
}

/**
 * This thread ends: what it holds goes (its pending operations were cancelled first), but shared
 * sockets stay open for the other threads, as a Windows handle outlives the thread that made it.
 * Sockets that are this thread's alone (borrowed from Node, or made without the region) close.
 */
export function releaseAllSockets(): void {
  for (const object of allHandles()) {
    if (object.kind !== 'socket') continue;
    const sock = object as LinuxSocket;
    if (sock.record >= 0) letGo(sock);
    else closeSocket(sock);
  }
}
