/**
 * Which source address the Linux kernel would use for a destination: the one answer the backend
 * has to that question. SIO_ROUTING_INTERFACE_QUERY, SIO_ROUTING_INTERFACE_CHANGE and
 * SIO_ADDRESS_LIST_SORT all ask `kernelSourceFor`, so they cannot disagree.
 *
 * How: connect() a throw-away UDP socket to the destination and read getsockname(). A UDP connect
 * only runs the route lookup and the kernel's source selection (policy rules, a route's preferred
 * source, RFC 6724 source rules; never a tentative address); no packet leaves the host. One socket
 * per destination (a connected UDP socket keeps the source of its first connect), always closed
 * before returning. The destination port plays no part (a fixed one is used), so every caller
 * gets the same answer for the same address and zone.
 */
import * as libc from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { E, L } from '../host/libc.js';
import { setKernelInt } from '../host/socket-facts.js';
import { SOCKADDR_IN6_SIZE } from '../../../structs/sockaddr.js';
import { hostAddresses } from '../netlink/index.js';
import { isLinkLocal6 } from '../../../structs/ip.js';

export type KernelSource =
  /** `source`: 16 bytes (IPv4 as IPv4-mapped); `sourceScopeId`: its interface when it is link-local, else 0. */
  | { ok: true; source: Uint8Array; sourceScopeId: number }
  /** `errno` from socket() or connect(): ENETUNREACH for no route, EINVAL for a scoped address without its zone. */
  | { ok: false; errno: number };

/** Any port: a UDP connect sends nothing (9 is discard). */
const PROBE_PORT = 9;

// The probe's arguments in native memory (host/libc.ts nativeBlock: koffi's fast call, which a
// typed-array argument would rule out): the destination sockaddr_in6 @0, the one getsockname
// fills @32, its socklen_t @64. Calls are synchronous, one at a time per thread.
const probe = libc.nativeBlock(72);
const DESTINATION = 0;
const LOCAL = 32;
const LOCAL_LENGTH = 64;
probe.view.setUint16(DESTINATION, L.AF_INET6, true);
probe.view.setUint16(DESTINATION + 2, PROBE_PORT, false);

/**
 * Ask the kernel which source it would pick to reach `address` (16 bytes, IPv4 as IPv4-mapped)
 * with interface / zone `scopeId` (sin6_scope_id, needed for link-local destinations).
 */
export function kernelSourceFor(address: Uint8Array, scopeId: number): KernelSource {
  const fd = noteOpened(libc.socket(L.AF_INET6, L.SOCK_DGRAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0));
  if (fd < 0) return { ok: false, errno: libc.errno() };
  try {
    // IPv4-mapped destinations need a dual-stack socket whatever net.ipv6.bindv6only says.
    setKernelInt(fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, 0);
    // Without SO_BROADCAST the kernel refuses a broadcast destination (EACCES) before naming a
    // source; a sender to it would have the option set.
    setKernelInt(fd, L.SOL_SOCKET, L.SO_BROADCAST, 1);
    // Family and port stay as set above; the flow info stays 0.
    probe.bytes.set(address.subarray(0, 16), DESTINATION + 8);
    probe.view.setUint32(DESTINATION + 24, scopeId >>> 0, true);
    if (libc.connectAt(fd, probe.address + DESTINATION, SOCKADDR_IN6_SIZE) < 0) return { ok: false, errno: libc.errno() };
    probe.view.setUint32(LOCAL_LENGTH, SOCKADDR_IN6_SIZE, true);
    if (libc.getsocknameAt(fd, probe.address + LOCAL, probe.address + LOCAL_LENGTH) < 0) return { ok: false, errno: libc.errno() };
    const source = probe.bytes.slice(LOCAL + 8, LOCAL + 24);
    let sourceScopeId = probe.view.getUint32(LOCAL + 24, true);
    // getsockname names the zone only when the destination needed one; a link-local source
    // picked for a global destination gets the interface that holds it.
    if (sourceScopeId === 0 && isLinkLocal6(source)) sourceScopeId = interfaceHolding(source);
    return { ok: true, source, sourceScopeId };
  } finally {
    closeOwnedFd(fd);
  }
}

/** Index of the interface that has this IPv6 address (the first, if several do), or 0. */
function interfaceHolding(address: Uint8Array): number {
  const host = hostAddresses(6);
  if (!host.ok) return 0;
  const key = address.join();
  return host.value.find((a) => a.address.join() === key)?.index ?? 0;
}

/** Errors that mean the destination itself is malformed for this host, not just unreachable. */
export function isInvalidDestination(errno: number): boolean {
  return errno === E.EINVAL || errno === E.EAFNOSUPPORT;
}
