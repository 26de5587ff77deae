/**
 * The Winsock socket functions over libc: socket, WSASocketW, closesocket, bind, listen, accept,
 * connect, send, recv, sendto, recvfrom, shutdown, getsockname, getpeername. Each returns the
 * Winsock result and sets the last error; none throws.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { Ref, SOCKET } from '../../../winsock/types.js';
import * as libc from '../host/libc.js';
import { noteOpened } from '../host/thread-fds.js';
import { L, E } from '../host/libc.js';
import { wsaFromErrno } from '../host/errno.js';
import { fail, ok } from '../win32/last-error.js';
import type { LinuxSocket } from '../win32/socket-state.js';
import { TCP_STATE, isBound, isUnboundName, pendingSocketError, setKernelInt, tcpState } from '../host/socket-facts.js';
import { receiveCaptured } from './capture.js';
import { isStarted } from '../win32/startup.js';
import { threadAlerts } from '../win32/apc.js';
import { reenable, reenableAfterFault } from '../win32/event-select.js';
import { waitForFd } from '../loop/wait.js';
import { socketAccepted, socketConnected, socketMade, closeSocket } from './lifecycle.js';
import { socketFor } from './lookup.js';
import { callerBuffer, inOutLength, transferBuffer } from '../../../winsock/arguments.js';
import { isStaleIcmpError, reportableDatagramError } from './udp-reset.js';
import { receiveQueued } from './datagram-queue.js';
import { readLinuxTcpInfo } from './tcp-info.js';
import { forgetIcmpErrorInfo, noteIcmpErrors } from './icmp-error-info.js';
import { bindFromReservation } from './port-reservations.js';
import { linuxFamily, socketNameSize, toLinuxSockaddr, writeWindowsSockaddr, LINUX_SOCKADDR_MAX } from '../host/sockaddr.js';
import { recvMessage, sendMessage, type LinuxControl } from '../host/msghdr.js';
import { noteSent } from './timestamping.js';

const linuxType = (type: number): number =>
  type === C.SOCK_STREAM ? L.SOCK_STREAM : type === C.SOCK_DGRAM ? L.SOCK_DGRAM : type === C.SOCK_RAW ? L.SOCK_RAW : type === C.SOCK_SEQPACKET ? L.SOCK_SEQPACKET : -1;

/**
 * The type and protocol Windows' provider choice gives: type 0 takes the protocol's type (TCP or
 * 0: stream, UDP: datagram, any other IP protocol: raw), protocol 0 the type's own. Null when no
 * provider matches (WSAEPROTONOSUPPORT).
 */
function resolveTypeAndProtocol(type: number, protocol: number): { type: number; protocol: number } | null {
  if (type === 0) {
    if (protocol === 0 || protocol === C.IPPROTO_TCP) return { type: C.SOCK_STREAM, protocol: C.IPPROTO_TCP };
    if (protocol === C.IPPROTO_UDP) return { type: C.SOCK_DGRAM, protocol: C.IPPROTO_UDP };
    return protocol > 0 && protocol <= 255 ? { type: C.SOCK_RAW, protocol } : null;
  }
  if (type === C.SOCK_STREAM) return protocol === 0 || protocol === C.IPPROTO_TCP ? { type, protocol: C.IPPROTO_TCP } : null;
  if (type === C.SOCK_DGRAM) return protocol === 0 || protocol === C.IPPROTO_UDP ? { type, protocol: C.IPPROTO_UDP } : null;
  return protocol >= 0 && protocol <= 255 ? { type, protocol } : null;
}

/**
 * The host protocol behind a raw socket. Windows' capture sockets (AF_INET / IPPROTO_IP, AF_INET6 /
 * IPPROTO_IPV6 for SIO_RCVALL; any raw protocol 0) have no Linux twin: Linux refuses protocol 0
 * (EPROTONOSUPPORT), and an AF_INET6 protocol-41 socket would receive IPv6-in-IPv6 packets. They
 * are backed by a send-only IPPROTO_RAW socket, which receives nothing until SIO_RCVALL swaps in
 * its packet socket (sockets/capture.ts), and whose CAP_NET_RAW check is Windows' administrator
 * check (EPERM: WSAEACCES).
 */
function hostRawProtocol(af: number, protocol: number): number {
  if (protocol === 0 || (af === C.AF_INET6 && protocol === C.IPPROTO_IPV6)) return L.IPPROTO_RAW;
  return protocol;
}

export function WSASocketW(af: number, type: number, protocol: number, _info: null, _g: number, dwFlags: number): SOCKET {
  if (!isStarted()) return fail(W.WSANOTINITIALISED);
  // Every argument is read before the host socket exists (nothing to leak on a failure).
  if (dwFlags !== undefined && typeof dwFlags !== 'number') return fail(W.WSAEINVAL);
  const overlapped = ((dwFlags ?? 0) & C.WSA_FLAG_OVERLAPPED) !== 0;
  // Windows' order of checks: AF_UNSPEC without a protocol, the type, the family, the protocol.
  if (af === C.AF_UNSPEC && protocol === 0) return fail(W.WSAEINVAL);
  if (type !== 0 && (linuxType(type) < 0 || type === C.SOCK_SEQPACKET)) return fail(W.WSAESOCKTNOSUPPORT);
  if (af !== C.AF_INET && af !== C.AF_INET6 && af !== C.AF_UNSPEC && af !== C.AF_UNIX) return fail(W.WSAEAFNOSUPPORT);
  // AF_UNIX (Windows 10 1803+): stream sockets only, protocol 0 (Microsoft, "AF_UNIX comes to Windows").
  if (af === C.AF_UNIX) return type === C.SOCK_STREAM ? (protocol === 0 ? makeSocket(af, type, 0, overlapped) : fail(W.WSAEPROTONOSUPPORT)) : fail(W.WSAESOCKTNOSUPPORT);
  const resolved = resolveTypeAndProtocol(type, protocol);
  if (!resolved) return fail(W.WSAEPROTONOSUPPORT);
  // AF_UNSPEC with a protocol gets the first matching provider: the IPv4 one.
  if (af === C.AF_UNSPEC) af = C.AF_INET;
  type = resolved.type;
  const proto = resolved.protocol;
  return makeSocket(af, type, proto, overlapped);
}

/** The host socket for checked Windows arguments, registered; the SOCKET or the failure. */
function makeSocket(af: number, type: number, proto: number, overlapped: boolean): SOCKET {
  const ltype = linuxType(type);
  const lfamily = af === C.AF_UNIX ? L.AF_UNIX : linuxFamily(af);
  // IPPROTO_* numbers are the same on both systems (they come from the IP header).
  const hostProtocol = type === C.SOCK_RAW ? hostRawProtocol(af, proto) : 0;
  const fd = noteOpened(libc.socket(lfamily, ltype | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, hostProtocol));
  if (fd < 0) {
    const errno = libc.errno();
    return fail(errno === E.EPERM || errno === E.EACCES ? W.WSAEACCES : wsaFromErrno(errno));
  }
  // IPPROTO_RAW implies IP_HDRINCL on Linux; Windows' raw sockets start without it (the stack
  // builds the IP header until the caller sets IP_HDRINCL / IPV6_HDRINCL).
  if (hostProtocol === L.IPPROTO_RAW && proto !== C.IPPROTO_RAW) {
    setKernelInt(fd, af === C.AF_INET6 ? L.IPPROTO_IPV6 : L.IPPROTO_IP, af === C.AF_INET6 ? L.IPV6_HDRINCL : L.IP_HDRINCL, 0);
  }
  const sock = socketMade(fd, af, type, proto, overlapped);
  return ok(sock.handle);
}

/** `socket()` creates overlapped-capable sockets, as on Windows. */
export function socket(af: number, type: number, protocol: number): SOCKET {
  return WSASocketW(af, type, protocol, null, 0, C.WSA_FLAG_OVERLAPPED);
}

export function closesocket(s: SOCKET): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  closeSocket(sock);
  return ok(0);
}

export function bind(s: SOCKET, name: Uint8Array | null, namelen: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  const addr = toLinuxSockaddr(callerBuffer(name, namelen), namelen, sock.af);
  if (typeof addr === 'number') return fail(addr);
  const reserved = bindFromReservation(sock, addr.addr, addr.len);
  if (reserved !== null) return reserved === 0 ? ok(0) : fail(reserved);
  if (libc.bind(sock.fd, addr.addr, addr.len) < 0) {
    const errno = libc.errno();
    // Linux says EINVAL for a second bind; Windows says WSAEINVAL too.
    return fail(wsaFromErrno(errno));
  }
  return ok(0);
}

export function listen(s: SOCKET, backlog: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  if (sock.type !== C.SOCK_STREAM) return fail(W.WSAEOPNOTSUPP);
  // Linux would bind an unbound socket to an ephemeral port; Windows refuses.
  if (!isBound(sock.fd)) return fail(W.WSAEINVAL);
  if (libc.listen(sock.fd, Math.max(0, Math.min(backlog | 0, 0x7fffffff))) < 0) return fail(wsaFromErrno(libc.errno()));
  return ok(0);
}

/**
 * Block until `events` are ready: 0, or the Winsock error that ends the call. The wait is
 * alertable, as Windows' blocking calls are: completion routines run meanwhile, and one that
 * closes this very socket ends the call with WSAEINTR (never a wait on a reused fd number).
 */
export function waitIfBlocking(sock: LinuxSocket, events: number, timeoutMs: number): number {
  // A receive waits on the receive fd (a SIO_RCVALL capture's packet socket while one is on).
  const fd = events === L.POLLOUT ? sock.fd : sock.receiveFd;
  const revents = waitForFd(fd, events, timeoutMs, threadAlerts, () => sock.closed);
  if (sock.closed) return W.WSAEINTR;
  return revents !== 0 ? 0 : W.WSAETIMEDOUT;
}

export function accept(s: SOCKET, addr: Uint8Array | null, addrlen: Ref<number> | null): SOCKET {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  reenable(sock, C.FD_ACCEPT);
  // An address without a length is ignored: Windows accepts and leaves that buffer alone. With
  // both, the length must be writable and the buffer cover it before a connection is taken.
  let out: { name: Uint8Array; size: number } | null = null;
  if (addr != null && addrlen != null) {
    const size = inOutLength(addrlen);
    const name = size === null || size < socketNameSize(sock.af) ? null : callerBuffer(addr, size);
    if (name === null) return fail(W.WSAEFAULT);
    out = { name, size: size! };
  }
  const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
  const peerLen = new Uint32Array([peer.length]);
  for (;;) {
    const fd = noteOpened(libc.accept4(sock.fd, peer, peerLen, L.SOCK_NONBLOCK | L.SOCK_CLOEXEC));
    if (fd >= 0) {
      const child = socketAccepted(sock, fd);
      child.peerName = peer.slice(0, peerLen[0]);
      if (out !== null) {
        writeWindowsSockaddr(peer, out.name, out.size);
        addrlen!.value = socketNameSize(sock.af);
      }
      return ok(child.handle);
    }
    const errno = libc.errno();
    if (errno === E.EINVAL) return fail(W.WSAEINVAL); // not listening
    if (errno !== E.EAGAIN || sock.nonBlocking) return fail(wsaFromErrno(errno));
    const waited = waitIfBlocking(sock, L.POLLIN, sock.receiveTimeoutMs);
    if (waited) return fail(waited);
  }
}

export function connect(s: SOCKET, name: Uint8Array | null, namelen: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  const view = callerBuffer(name, namelen);
  // AF_UNSPEC dissolves a datagram socket's association.
  if (sock.type !== C.SOCK_STREAM && view !== null && view.length >= 2 && (view[0]! | (view[1]! << 8)) === C.AF_UNSPEC) {
    return disconnect(sock.fd) === 0 ? ok(0) : fail(wsaFromErrno(libc.errno()));
  }
  const addr = toLinuxSockaddr(view, namelen, sock.af);
  if (typeof addr === 'number') return fail(addr);
  // A ConnectEx in progress, or done without SO_UPDATE_CONNECT_CONTEXT: WSAEINVAL (Wine sock.c
  // test_connecting_socket; test_connect, a todo_wine line there, for the second).
  if (sock.connectEx === 'pending' || (sock.connectEx === 'connected' && !sock.connectContextUpdated)) return fail(W.WSAEINVAL);
  // Linux says EISCONN for a listening socket, and 0 for a connection a non-blocking connect()
  // completed; Windows says WSAEINVAL and WSAEISCONN.
  const state = sock.type === C.SOCK_STREAM ? tcpState(sock.fd) : null;
  if (state === TCP_STATE.LISTEN) return fail(W.WSAEINVAL);
  if (state !== null && state !== TCP_STATE.CLOSE && state !== TCP_STATE.SYN_SENT) return fail(W.WSAEISCONN);
  reenable(sock, C.FD_CONNECT);
  if (state !== null) forgetIcmpErrorInfo(sock);
  if (libc.connect(sock.fd, addr.addr, addr.len) === 0) return connectedOk(sock, addr);
  const errno = libc.errno();
  if (errno !== E.EINPROGRESS) return fail(errno === E.EAGAIN ? W.WSAEWOULDBLOCK : wsaFromErrno(errno));
  sock.connectInProgress = true;
  if (sock.nonBlocking) return fail(W.WSAEWOULDBLOCK);
  const waited = waitIfBlocking(sock, L.POLLOUT, 0);
  if (waited) return fail(waited);
  const error = pendingSocketError(sock.fd);
  if (error === 0) return connectedOk(sock, addr);
  noteIcmpErrors(sock); // before the reset below
  // Ready for a new attempt, as on Windows (Linux would first answer ECONNABORTED).
  disconnect(sock.fd);
  return fail(wsaFromErrno(error));
}

const UNSPEC_SOCKADDR = new Uint8Array(16); // family 0 = AF_UNSPEC on both systems

/** connect(AF_UNSPEC): drop a datagram peer, or reset a stream socket after a failed connect. */
function disconnect(fd: number): number {
  return libc.connect(fd, UNSPEC_SOCKADDR, UNSPEC_SOCKADDR.length);
}

function connectedOk(sock: LinuxSocket, addr: { addr: Uint8Array; len: number }): number {
  sock.optionMirrors.delete('SO_ERROR'); // a successful connection clears SO_ERROR on Windows
  if (sock.type === C.SOCK_STREAM) sock.peerName = addr.addr.slice(0, addr.len);
  if (sock.type === C.SOCK_STREAM) socketConnected(sock);
  return ok(0);
}

export const KNOWN_SEND_FLAGS = C.MSG_OOB | C.MSG_DONTROUTE;
export const KNOWN_RECV_FLAGS = C.MSG_OOB | C.MSG_PEEK | C.MSG_WAITALL;

function linuxMsgFlags(flags: number): number {
  let out = flags & (C.MSG_OOB | C.MSG_PEEK | C.MSG_DONTROUTE);
  if (flags & C.MSG_WAITALL) out |= L.MSG_WAITALL;
  return out;
}

/**
 * One send to the kernel, without waiting: the bytes the kernel took, AGAIN when it took none
 * and would block, or a Winsock error (stale ICMP errors on UDP are skipped). WSASend and send
 * share it (data-path/send.ts).
 */
export function sendAttempt(sock: LinuxSocket, chunk: Uint8Array, flags: number, dest: { addr: Uint8Array; len: number } | null, control: Uint8Array | null = null): { bytes: number } | { error: number } | typeof AGAIN {
  const lflags = linuxMsgFlags(flags) | L.MSG_NOSIGNAL;
  for (let retries = 0; ; retries++) {
    // WSASendMsg's control records go with sendmsg (host/msghdr.ts).
    const n = control !== null
      ? sendMessage(sock.fd, chunk, dest, control, lflags)
      : dest
        ? libc.sendto(sock.fd, chunk, chunk.length, lflags, dest.addr, dest.len)
        : libc.send(sock.fd, chunk, chunk.length, lflags);
    if (n >= 0) {
      // A datagram tagged with SO_TIMESTAMP_ID counts for the kernel's stamp counter.
      if (control !== null) noteSent(sock, control);
      return { bytes: n };
    }
    const errno = libc.errno();
    if (errno === E.EAGAIN) return AGAIN;
    if (retries < 4 && isStaleIcmpError(sock, errno)) continue;
    return { error: sendErrorFor(sock, errno) };
  }
}

/**
 * The destination of a sendto / WSASendTo: null for none (or on a stream socket, where Windows
 * ignores it), the Linux sockaddr, or a Winsock error.
 */
export function sendDestination(sock: LinuxSocket, to: Uint8Array | null, tolen: number): { addr: Uint8Array; len: number } | null | number {
  if (to === null && tolen === 0) return null;
  // Windows ignores the destination of sendto on a connected stream socket.
  if (sock.type === C.SOCK_STREAM) return null;
  return toLinuxSockaddr(callerBuffer(to, tolen), tolen, sock.af);
}

function sendCommon(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, to: Uint8Array | null, tolen: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  // The caller's memory, cut to len: WSAEFAULT unless a Uint8Array covers it (arguments.ts).
  const data = transferBuffer(buf, len);
  if (data === null) return fail(W.WSAEFAULT);
  if (flags & ~KNOWN_SEND_FLAGS) return fail(W.WSAEOPNOTSUPP);
  const dest = sendDestination(sock, to, tolen);
  if (typeof dest === 'number') return fail(dest);
  return sendBlocking(sock, data, flags, dest);
}

/**
 * Send `data` as a non-overlapped call does: a blocking stream send returns only when everything
 * is queued; a non-blocking one takes what the kernel takes (WSAEWOULDBLOCK for nothing).
 */
export function sendBlocking(sock: LinuxSocket, data: Uint8Array, flags: number, dest: { addr: Uint8Array; len: number } | null, control: Uint8Array | null = null): number {
  const len = data.length;
  let sent = 0;
  for (;;) {
    const got = sendAttempt(sock, sent === 0 ? data : data.subarray(sent), flags, dest, control);
    if (got !== AGAIN) {
      if ('error' in got) return fail(got.error);
      sent += got.bytes;
      if (sent >= len || sock.nonBlocking || sock.type !== C.SOCK_STREAM) return ok(sent);
      continue;
    }
    if (sent === 0 && withoutConnection(sock)) return fail(W.WSAENOTCONN);
    if (sock.nonBlocking) {
      if (sent === 0) reenable(sock, C.FD_WRITE);
      return sent > 0 ? ok(sent) : fail(W.WSAEWOULDBLOCK);
    }
    const waited = waitIfBlocking(sock, L.POLLOUT, sock.sendTimeoutMs);
    if (waited) return sent > 0 && waited === W.WSAETIMEDOUT ? ok(sent) : fail(waited);
  }
}

/**
 * A stream socket with no connection: connecting (SYN_SENT), or never connected (closed with
 * nothing ever acknowledged or received). Windows fails send and recv on it with WSAENOTCONN,
 * zero-length sends included (ReactOS apitests ws2_32/send.c test_send; Wine sock.c
 * test_connecting_socket), where Linux says EPIPE (never connected) or EAGAIN (connecting).
 * Asked only after the kernel refused, so the data path pays nothing for it.
 */
function withoutConnection(sock: LinuxSocket): boolean {
  if (sock.type !== C.SOCK_STREAM || sock.sendShutdown) return false;
  const info = readLinuxTcpInfo(sock.fd);
  if (typeof info === 'number') return false;
  if (info.state === TCP_STATE.SYN_SENT) return true;
  return info.state === TCP_STATE.CLOSE && !info.bytesAcked && !info.bytesReceived;
}

/** The Winsock error of a failed send(2) / sendfile(2) on `sock`. */
export function sendErrorFor(sock: LinuxSocket, errno: number): number {
  if (errno === E.EPIPE) return withoutConnection(sock) ? W.WSAENOTCONN : W.WSAESHUTDOWN;
  // No destination on an unconnected datagram socket: Windows says WSAENOTCONN.
  if ((errno === E.ENOTCONN || errno === E.EDESTADDRREQ) && sock.type !== C.SOCK_STREAM) return W.WSAENOTCONN;
  if (errno === E.ECONNREFUSED && sock.type === C.SOCK_DGRAM) return W.WSAECONNRESET;
  return wsaFromErrno(errno);
}

export function send(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number {
  return sendCommon(s, buf, len, flags, null, 0);
}

export function sendto(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, to: Uint8Array | null, tolen: number): number {
  return sendCommon(s, buf, len, flags, to, tolen);
}

/**
 * One receive from the kernel, without waiting: the bytes (more than `len` for a truncated
 * datagram, whose rest is gone), AGAIN when nothing is there yet, or a Winsock error. The socket's
 * Windows rules come first (a stored ICMP error on UDP, datagrams FIONREAD already took), stale
 * ICMP errors are skipped, and `peer` / `peerLen` receive the source address; `control`, when
 * given, the Linux control data (recvmsg). WSARecv, WSARecvMsg and recv share it
 * (data-path/receive.ts).
 */
export const AGAIN = -1;
export function receiveAttempt(sock: LinuxSocket, data: Uint8Array, len: number, flags: number, peer: Uint8Array, peerLen: Uint32Array, control: LinuxControl | null = null): { bytes: number } | { error: number } | typeof AGAIN {
  const datagram = sock.type !== C.SOCK_STREAM;
  if (sock.resetAfterFin) return { error: W.WSAECONNABORTED };
  // MSG_TRUNC makes Linux return a datagram's real length, so truncation can be reported.
  const lflags = linuxMsgFlags(flags) | (datagram ? L.MSG_TRUNC : 0);
  for (let retries = 0; ; retries++) {
    if (datagram) {
      const error = reportableDatagramError(sock);
      if (error) return { error };
    }
    peerLen[0] = peer.length;
    // Datagrams FIONREAD already took out of the kernel come first (datagram-queue.ts).
    const queued = datagram ? receiveQueued(sock, data, len, lflags, peer, peerLen, control) : null;
    // WSARecvMsg asks for the control data too (host/msghdr.ts); a capture's packets come from its
    // packet socket (no control records there).
    const n = queued ?? (sock.capture !== null
      ? receiveCaptured(sock, data, len, lflags, peer, peerLen)
      : control === null ? libc.recvfrom(sock.fd, data, len, lflags, peer, peerLen) : recvMessage(sock.fd, data, len, lflags, peer, peerLen, control));
    if (n >= 0) {
      if (flags & C.MSG_OOB && !(flags & C.MSG_PEEK)) sock.urgentConsumed = true;
      if (n === 0 && !datagram && len > 0 && resetAfterEnd(sock)) return { error: W.WSAECONNABORTED };
      return { bytes: n };
    }
    const errno = queued !== null ? -queued : libc.errno();
    if (errno === E.EAGAIN) return AGAIN;
    if (retries < 4 && isStaleIcmpError(sock, errno)) continue;
    if (errno === E.EINVAL && flags & C.MSG_OOB) return { error: W.WSAEINVAL };
    if (errno === E.ECONNREFUSED && datagram) return { error: W.WSAECONNRESET };
    if (errno === E.ENOTCONN && sock.type === C.SOCK_STREAM) return { error: W.WSAENOTCONN };
    return { error: wsaFromErrno(errno) };
  }
}

/**
 * Why a receive that found no data must fail rather than wait or pend, as a Winsock error (0: it
 * may wait). One rule for recv, WSARecv and their kin: a stream socket still connecting is
 * WSAENOTCONN (Wine sock.c test_connecting_socket); nothing can ever arrive on an unbound UDP
 * socket, so Windows says WSAEINVAL at once.
 */
export function receiveRefusal(sock: LinuxSocket): number {
  if (sock.connectInProgress) {
    if (tcpState(sock.fd) === TCP_STATE.SYN_SENT) return W.WSAENOTCONN;
    sock.connectInProgress = false;
  }
  if (sock.type === C.SOCK_DGRAM && !isBound(sock.fd)) return W.WSAEINVAL;
  return 0;
}

function recvCommon(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, from: Uint8Array | null, fromlen: Ref<number> | null): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  // The caller's memory, cut to len: WSAEFAULT unless a Uint8Array covers it (arguments.ts).
  const data = transferBuffer(buf, len);
  if (data === null) {
    reenableAfterFault(sock, flags & C.MSG_OOB ? C.FD_OOB : C.FD_READ);
    return fail(W.WSAEFAULT);
  }
  if (flags & ~KNOWN_RECV_FLAGS) return fail(W.WSAEOPNOTSUPP);
  reenable(sock, flags & C.MSG_OOB ? C.FD_OOB : C.FD_READ);
  if (sock.receiveShutdown) return fail(W.WSAESHUTDOWN);
  const datagram = sock.type !== C.SOCK_STREAM;
  // A stream socket ignores from / fromlen and leaves both alone, as Windows does. On a datagram
  // socket both are checked (fromlen writable, from covering it) before a datagram is taken.
  let source: { name: Uint8Array; size: number } | null = null;
  if (datagram && from != null) {
    const size = inOutLength(fromlen);
    const name = size === null || size < socketNameSize(sock.af) ? null : callerBuffer(from, size);
    if (name === null) return fail(W.WSAEFAULT);
    source = { name, size: size! };
  }
  const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
  const peerLen = new Uint32Array(1);
  for (;;) {
    const got = receiveAttempt(sock, data, len, flags, peer, peerLen);
    if (got !== AGAIN) {
      if ('error' in got) return fail(got.error);
      if (source !== null && peerLen[0]! > 0) {
        writeWindowsSockaddr(peer, source.name, source.size);
        fromlen!.value = socketNameSize(sock.af);
      }
      if (datagram && got.bytes > len) return fail(W.WSAEMSGSIZE);
      return ok(got.bytes);
    }
    const refusal = receiveRefusal(sock);
    if (refusal) return fail(refusal);
    if (sock.nonBlocking) return fail(W.WSAEWOULDBLOCK);
    const events = flags & C.MSG_OOB ? L.POLLPRI : L.POLLIN;
    const waited = waitIfBlocking(sock, events, sock.receiveTimeoutMs);
    if (waited) return fail(waited);
  }
}

/**
 * A stream receive found the end of the stream. When the peer shut down its sending side and then
 * reset, Windows fails the receive with WSAECONNABORTED, and every later one (Wine sock.c
 * test_shutdown); Linux returns 0 for the FIN and keeps the reset as a pending EPIPE. Asked only
 * at the end of a stream, so the data path pays nothing for it.
 */
function resetAfterEnd(sock: LinuxSocket): boolean {
  if (pendingSocketError(sock.fd) !== E.EPIPE) return false;
  sock.resetAfterFin = true;
  return true;
}

export function recv(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number {
  return recvCommon(s, buf, len, flags, null, null);
}

export function recvfrom(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, from: Uint8Array | null, fromlen: Ref<number> | null): number {
  return recvCommon(s, buf, len, flags, from, fromlen);
}

export function shutdown(s: SOCKET, how: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  if (how !== C.SD_RECEIVE && how !== C.SD_SEND && how !== C.SD_BOTH) return fail(W.WSAEINVAL);
  // Linux shuts a listener down (SHUT_RD even stops it listening); Windows says WSAENOTCONN.
  if (sock.type === C.SOCK_STREAM && tcpState(sock.fd) === TCP_STATE.LISTEN) return fail(W.WSAENOTCONN);
  if (libc.shutdown(sock.fd, how) < 0) {
    const errno = libc.errno();
    // An unconnected datagram socket: Linux applies the shutdown yet says ENOTCONN; Windows succeeds.
    if (errno !== E.ENOTCONN || sock.type === C.SOCK_STREAM) return fail(wsaFromErrno(errno));
  }
  if (how !== C.SD_SEND) sock.receiveShutdown = true;
  if (how !== C.SD_RECEIVE) sock.sendShutdown = true;
  return ok(0);
}

function nameCommon(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null, peer: boolean): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  // getpeername looks at the connection before the pointers: an unconnected socket is
  // WSAENOTCONN even with NULL name and namelen (Wine sock.c test_getpeername).
  const addr = new Uint8Array(LINUX_SOCKADDR_MAX);
  const len = new Uint32Array([addr.length]);
  if (peer) {
    const known = peerOf(sock, addr, len);
    if (known) return fail(known);
  }
  // namelen is written on success, so it must be writable; name must cover what it claims.
  const size = inOutLength(namelen);
  const out = name === null || size === null ? null : callerBuffer(name, Math.max(size, 0));
  if (out === null) return fail(W.WSAEFAULT);
  if (!peer && libc.getsockname(sock.fd, addr, len) < 0) return fail(wsaFromErrno(libc.errno()));
  // Linux names a raw socket's protocol as its port; Windows says 0.
  if (sock.type === C.SOCK_RAW) addr.fill(0, 2, 4);
  // An unbound socket has no name on Windows (Wine sock.c test_getsockname).
  if (!peer && isUnboundName(addr)) return fail(W.WSAEINVAL);
  const error = writeWindowsSockaddr(addr, out, size!);
  if (error) return fail(error);
  namelen!.value = socketNameSize(sock.af);
  return ok(0);
}

/**
 * The peer's name into `addr` / `len`: the kernel's answer, remembered for stream sockets, or the
 * remembered one once the kernel has forgotten the connection (both sides shut down: TIME_WAIT or
 * CLOSE), as Windows still names the peer then (Wine sock.c test_shutdown). 0, or the error.
 */
function peerOf(sock: LinuxSocket, addr: Uint8Array, len: Uint32Array): number {
  if (libc.getpeername(sock.fd, addr, len) === 0) {
    if (sock.type === C.SOCK_STREAM) sock.peerName = addr.slice(0, len[0]);
    return 0;
  }
  const errno = libc.errno();
  const state = errno === E.ENOTCONN && sock.peerName !== null ? tcpState(sock.fd) : null;
  // Mid-connect (SYN_SENT) there is no peer yet, on Windows too (Wine sock.c test_connecting_socket).
  if (state === null || state === TCP_STATE.SYN_SENT) return wsaFromErrno(errno);
  addr.set(sock.peerName!);
  len[0] = sock.peerName!.length;
  return 0;
}

export function getsockname(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number {
  return nameCommon(s, name, namelen, false);
}

export function getpeername(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number {
  return nameCommon(s, name, namelen, true);
}
