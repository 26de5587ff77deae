/**
 * Runtime port reservations (SIO_ACQUIRE_PORT_RESERVATION, SIO_RELEASE_PORT_RESERVATION,
 * SIO_ASSOCIATE_PORT_RESERVATION; the handlers are ioctl/handlers/port-reservation.ts).
 *
 * Windows (Microsoft, SIO_ACQUIRE_PORT_RESERVATION / SIO_ASSOCIATE_PORT_RESERVATION /
 * SIO_RELEASE_PORT_RESERVATION pages; INET_PORT_RANGE, INET_PORT_RESERVATION_INSTANCE): a
 * process reserves a block of TCP or UDP ports (a start it names, or one the system picks) and
 * gets a 64-bit token; the ports are then kept from every other binder; a socket associated with
 * the token before bind takes its port from the block when it binds to port 0, and that bind fails
 * once the block has no free port; the reservation ends when released by token or when the
 * socket that acquired it is closed.
 *
 * Linux has no per-process reservations, so the block is held with one placeholder socket per
 * port, bound (not listening, no SO_REUSEADDR) to the wildcard address of both families ([::]
 * dual-stack; 0.0.0.0 without IPv6): no other socket on the host can bind the port, and the
 * kernel's automatic port choice skips it. An associated socket's bind closes the placeholder of
 * the first free port and binds there (a port whose socket went away is tried again after the
 * placeholders run out; an associated socket that closes gives its port back to a placeholder).
 * Every placeholder is one of this thread's fds (noteOpened /
 * closeOwnedFd), so it goes with the reservation, the socket, WSACleanup or the thread.
 *
 * Inferred (no source): the error of a bind from an exhausted block (WSAENOBUFS, Windows' answer
 * when no port is left for a port-0 bind), of a block that is not free (WSAEADDRINUSE), and the
 * largest block (MAX_BLOCK, one fd a port; larger: WSAENOBUFS). Tokens are per JS thread, where
 * Windows' are per process (README).
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { wsaFromErrno } from '../host/errno.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { LINUX_SOCKADDR_MAX } from '../host/sockaddr.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** The largest block one reservation holds (each port is one placeholder fd). */
export const MAX_BLOCK = 1024;
/** Where a block the system picks starts looking: Windows' dynamic port range, 49152-65535. */
const DYNAMIC_FIRST = 49152;

interface Reservation {
  readonly token: bigint;
  readonly start: number;
  readonly count: number;
  /** SOCK_STREAM or SOCK_DGRAM (Windows value): the protocol the block is for. */
  readonly type: number;
  /** The socket that acquired it: closing that socket ends the reservation. */
  readonly owner: LinuxSocket;
  /** port -> placeholder fd, for the ports no associated socket has taken yet. */
  readonly placeholders: Map<number, number>;
}

const reservations = new Map<bigint, Reservation>();
let nextToken = (BigInt(Date.now()) << 20n) ^ BigInt(Math.floor(Math.random() * 0xfffff));

/** A placeholder socket holding `port` of `type` on every address of both families, or the errno. */
function hold(type: number, port: number): { fd: number } | { errno: number } {
  const ltype = (type === C.SOCK_STREAM ? L.SOCK_STREAM : L.SOCK_DGRAM) | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC;
  let fd = noteOpened(libc.socket(L.AF_INET6, ltype, 0));
  let addr: Uint8Array;
  if (fd >= 0) {
    const off = new Uint8Array(4);
    libc.setsockopt(fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, off, 4);
    addr = new Uint8Array(28);
    addr[0] = L.AF_INET6;
  } else {
    fd = noteOpened(libc.socket(L.AF_INET, ltype, 0));
    if (fd < 0) return { errno: libc.errno() };
    addr = new Uint8Array(16);
    addr[0] = L.AF_INET;
  }
  addr[2] = port >> 8;
  addr[3] = port & 0xff;
  if (libc.bind(fd, addr, addr.length) < 0) {
    const errno = libc.errno();
    closeOwnedFd(fd);
    return { errno };
  }
  return { fd };
}

function releaseHeld(placeholders: Map<number, number>): void {
  for (const fd of placeholders.values()) closeOwnedFd(fd);
  placeholders.clear();
}

/** Hold `count` ports from `start`, all or none: the placeholders, or the first errno met (and where). */
function holdBlock(type: number, start: number, count: number): Map<number, number> | { errno: number; port: number } {
  const held = new Map<number, number>();
  for (let port = start; port < start + count; port++) {
    const r = hold(type, port);
    if ('errno' in r) {
      releaseHeld(held);
      return { errno: r.errno, port };
    }
    held.set(port, r.fd);
  }
  return held;
}

/**
 * SIO_ACQUIRE_PORT_RESERVATION for `sock`: `start` 0 lets the system pick. The block and its
 * token, or a Winsock error.
 */
export function acquireReservation(sock: LinuxSocket, start: number, count: number): { start: number; count: number; token: bigint } | number {
  if (count === 0 || start + count - 1 > 0xffff) return W.WSAEINVAL;
  if (count > MAX_BLOCK) return W.WSAENOBUFS;
  let held: Map<number, number> | null = null;
  let chosen = start;
  if (start !== 0) {
    const r = holdBlock(sock.type, start, count);
    if (!(r instanceof Map)) return r.errno === libc.E.EADDRINUSE ? W.WSAEADDRINUSE : wsaFromErrno(r.errno);
    held = r;
  } else {
    // First fit in the dynamic range: a port in use moves the candidate start past it.
    for (let candidate = DYNAMIC_FIRST; candidate + count - 1 <= 0xffff;) {
      const r = holdBlock(sock.type, candidate, count);
      if (r instanceof Map) {
        held = r;
        chosen = candidate;
        break;
      }
      if (r.errno !== libc.E.EADDRINUSE) return wsaFromErrno(r.errno);
      candidate = r.port + 1;
    }
    if (held === null) return W.WSAENOBUFS;
  }
  const token = nextToken++;
  reservations.set(token, { token, start: chosen, count, type: sock.type, owner: sock, placeholders: held });
  return { start: chosen, count, token };
}

/** SIO_RELEASE_PORT_RESERVATION: 0, or WSAEINVAL for a token this thread does not hold. */
export function releaseReservation(token: bigint): number {
  const r = reservations.get(token);
  if (!r) return W.WSAEINVAL;
  releaseHeld(r.placeholders);
  reservations.delete(token);
  return 0;
}

/** SIO_ASSOCIATE_PORT_RESERVATION: 0, or WSAEINVAL (a token not held, or of the other protocol). */
export function associateReservation(sock: LinuxSocket, token: bigint): number {
  const r = reservations.get(token);
  if (!r || r.type !== sock.type) return W.WSAEINVAL;
  sock.portReservation = token;
  return 0;
}

/**
 * bind() of an associated socket to port 0 (`addr`: the Linux sockaddr, port bytes at 2..3):
 * 0 or a Winsock error once it bound from the block; null when the socket is not associated with
 * a live reservation or asked for a port of its own (the plain bind applies).
 */
export function bindFromReservation(sock: LinuxSocket, addr: Uint8Array, len: number): number | null {
  if (sock.portReservation === null || addr[2] !== 0 || addr[3] !== 0) return null;
  const r = reservations.get(sock.portReservation);
  if (!r) return null;
  const attempt = (port: number): number => {
    addr[2] = port >> 8;
    addr[3] = port & 0xff;
    return libc.bind(sock.fd, addr, len) < 0 ? libc.errno() : 0;
  };
  for (const [port, fd] of [...r.placeholders]) {
    closeOwnedFd(fd);
    r.placeholders.delete(port);
    const errno = attempt(port);
    if (errno === 0) return 0;
    const again = hold(r.type, port);
    if ('fd' in again) r.placeholders.set(port, again.fd);
    if (errno !== libc.E.EADDRINUSE) return wsaFromErrno(errno);
  }
  // The ports handed out before: one whose socket has gone is free again.
  for (let port = r.start; port < r.start + r.count; port++) {
    if (r.placeholders.has(port)) continue;
    const errno = attempt(port);
    if (errno === 0) return 0;
    if (errno !== libc.E.EADDRINUSE) return wsaFromErrno(errno);
  }
  addr[2] = 0;
  addr[3] = 0;
  return W.WSAENOBUFS;
}

/**
 * The socket is closing: the reservations it acquired end with it, as on Windows. Returns what to
 * run once its fd is closed: a socket that took a port of a reservation still held gives the port
 * back to the block (a placeholder holds it again; a port the kernel still keeps, in TIME_WAIT,
 * is tried again at the next associated bind).
 */
export function socketClosing(sock: LinuxSocket): () => void {
  for (const r of [...reservations.values()]) if (r.owner === sock) releaseReservation(r.token);
  const r = sock.portReservation === null ? undefined : reservations.get(sock.portReservation);
  if (!r || sock.borrowed) return () => {};
  const name = new Uint8Array(LINUX_SOCKADDR_MAX);
  if (libc.getsockname(sock.fd, name, new Uint32Array([name.length])) < 0) return () => {};
  const port = (name[2]! << 8) | name[3]!;
  if (port < r.start || port >= r.start + r.count || r.placeholders.has(port)) return () => {};
  return () => {
    if (!reservations.has(r.token) || r.placeholders.has(port)) return;
    const again = hold(r.type, port);
    if ('fd' in again) r.placeholders.set(port, again.fd);
  };
}

/** How many reservations this thread holds (for tests). */
export const reservationCount = (): number => reservations.size;
