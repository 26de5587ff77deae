/**
 * The source address the Linux kernel would use for a destination: connect() a throw-away UDP
 * socket to it and read getsockname(). A UDP connect only runs the route lookup and source
 * selection; no packet leaves the host. One socket per destination (a connected UDP socket keeps
 * the source of its first connect), always closed before returning.
 */
import * as libc from '../host/libc.js';
import { E, L } from '../host/libc.js';
import { SOCKADDR_IN6_SIZE } from '../../../structs/sockaddr.js';

export type KernelSource =
  | { ok: true; source: Uint8Array; sourceScopeId: number }
  /** `errno` from socket() or connect(): ENETUNREACH for no route, EINVAL for a scoped address without its zone. */
  | { ok: false; errno: number };

/**
 * Ask the kernel which source it would pick to reach `address` (16 bytes, IPv4 as IPv4-mapped)
 * with interface / zone `scopeId` (sin6_scope_id, needed for link-local destinations).
 */
export function kernelSourceFor(address: Uint8Array, scopeId: number, port = 9): KernelSource {
  const fd = libc.socket(L.AF_INET6, L.SOCK_DGRAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0);
  if (fd < 0) return { ok: false, errno: libc.errno() };
  try {
    // IPv4-mapped destinations need a dual-stack socket whatever net.ipv6.bindv6only says.
    const off = new Uint8Array(4);
    libc.setsockopt(fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, off, 4);
    const sa = new Uint8Array(SOCKADDR_IN6_SIZE);
    const view = new DataView(sa.buffer);
    view.setUint16(0, L.AF_INET6, true);
    view.setUint16(2, port || 9, false);
    sa.set(address.subarray(0, 16), 8);
    view.setUint32(24, scopeId >>> 0, true);
    if (libc.connect(fd, sa, SOCKADDR_IN6_SIZE) < 0) return { ok: false, errno: libc.errno() };
    const local = new Uint8Array(SOCKADDR_IN6_SIZE);
    const len = new Uint32Array([SOCKADDR_IN6_SIZE]);
    if (libc.getsockname(fd, local, len) < 0) return { ok: false, errno: libc.errno() };
    return { ok: true, source: local.slice(8, 24), sourceScopeId: new DataView(local.buffer).getUint32(24, true) };
  } finally {
    libc.close(fd);
  }
}

/** Errors that mean the destination itself is malformed for this host, not just unreachable. */
export function isInvalidDestination(errno: number): boolean {
  return errno === E.EINVAL || errno === E.EAFNOSUPPORT;
}
