/**
 * Borrowed sockets: fds that Node owns, registered as Winsock SOCKETs (docs/principles.md, principle 3).
 * The fd is resolved again on every call through the owner's resolver (so a closed Node socket is
 * WSAENOTSOCK, never a newer socket that reused the fd number), never closed (closesocket only
 * detaches, see sockets.ts), never switched out of O_NONBLOCK (FIONBIO is a Winsock flag), and
 * never read from.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { SOCKET } from '../../../winsock/types.js';
import * as libc from '../host/libc.js';
import { L, E } from '../host/libc.js';
import { wsaFromErrno } from '../host/errno.js';
import { fail, ok } from '../win32/last-error.js';
import { isStarted } from '../win32/startup.js';
import { socketAdopted } from './lifecycle.js';
import { kernelInt } from '../host/socket-facts.js';
import { windowsFamily } from '../host/sockaddr.js';

/** Windows SOCK_* for a Linux SO_TYPE value, or -1. */
function windowsType(linuxType: number): number {
  return linuxType === L.SOCK_STREAM ? C.SOCK_STREAM : linuxType === L.SOCK_DGRAM ? C.SOCK_DGRAM
    : linuxType === L.SOCK_RAW ? C.SOCK_RAW : -1;
}

/** A resolver that never throws and answers -1 for anything but a usable fd number. */
function guarded(resolveFd: () => number): () => number {
  return () => {
    try {
      const fd = resolveFd();
      return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
    } catch {
      return -1;
    }
  };
}

/** A kernel int socket option, or the Winsock error for why it could not be read. */
function socketInt(fd: number, name: number): { value: number } | { error: number } {
  const value = kernelInt(fd, L.SOL_SOCKET, name);
  if (value !== null) return { value };
  const errno = libc.errno();
  return { error: errno === E.ENOTSOCK || errno === E.EBADF ? W.WSAENOTSOCK : wsaFromErrno(errno) };
}

/**
 * Register the socket behind `resolveFd` as a borrowed SOCKET. The address family, type and
 * protocol come from the socket itself (SO_DOMAIN, SO_TYPE, SO_PROTOCOL, translated to Windows
 * values); non-zero `af` / `type` / `protocol` must agree with them (else WSAEINVAL). Only IPv4
 * and IPv6 sockets can be adopted (WSAEAFNOSUPPORT otherwise, e.g. a Node pipe). The Winsock mode
 * starts non-blocking: libuv puts every socket it owns in non-blocking mode on Windows too.
 */
export function adoptNodeHandle(resolveFd: () => number, af: number, type: number, protocol: number): SOCKET {
  if (!isStarted()) return fail(W.WSANOTINITIALISED);
  if (typeof resolveFd !== 'function') return fail(W.WSAEFAULT);
  const resolve = guarded(resolveFd);
  const fd = resolve();
  if (fd < 0) return fail(W.WSAENOTSOCK);
  const domain = socketInt(fd, L.SO_DOMAIN);
  if ('error' in domain) return fail(domain.error);
  const family = windowsFamily(domain.value);
  if (family !== C.AF_INET && family !== C.AF_INET6) return fail(W.WSAEAFNOSUPPORT);
  const kind = socketInt(fd, L.SO_TYPE);
  if ('error' in kind) return fail(kind.error);
  const sockType = windowsType(kind.value);
  if (sockType < 0) return fail(W.WSAESOCKTNOSUPPORT);
  const proto = socketInt(fd, L.SO_PROTOCOL);
  if ('error' in proto) return fail(proto.error);
  // IPPROTO_* numbers are the same on both systems.
  const disagrees = (given: number, actual: number) => given !== 0 && given !== actual;
  if (disagrees(af, family) || disagrees(type, sockType) || disagrees(protocol, proto.value)) return fail(W.WSAEINVAL);
  const sock = socketAdopted(family, sockType, proto.value, resolve);
  sock.nonBlocking = true;
  return ok(sock.handle);
}
