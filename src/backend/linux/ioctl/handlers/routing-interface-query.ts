/**
 * SIO_ROUTING_INTERFACE_QUERY: the local address the stack would send from to reach a destination
 * (input: SOCKADDR_IN / SOCKADDR_IN6; output: a sockaddr of the same family, port 0).
 *
 * Windows facts this follows (Wine's conformance test `test_sioRoutingInterfaceQuery` on an IPv4
 * UDP socket, which passes on Windows; `todo_wine` lines are Wine's bugs, Windows is what they
 * expect; the Winsock IOCTLs page):
 * - input shorter than a SOCKADDR_IN (checked before the family), or a null input with a non-zero
 *   size: WSAEINVAL, *lpcbBytesReturned untouched;
 * - a family this socket cannot use (AF_UNSPEC, or the other IP family): WSAEAFNOSUPPORT, untouched;
 * - the unspecified address (0.0.0.0): WSAEINVAL, untouched;
 * - 127.0.0.1 succeeds with 16 bytes returned;
 * - output too small: WSAEFAULT with the required size in *lpcbBytesReturned; a null output with a
 *   non-zero size: WSAEFAULT, untouched (the dispatcher's rule);
 * - no route: WSAENETUNREACH (the page; WSAEHOSTUNREACH is not one of its errors).
 *
 * Linux: the source the kernel would use (address-selection/kernel-source.ts, the one answer
 * SIO_ROUTING_INTERFACE_CHANGE and SIO_ADDRESS_LIST_SORT use too: a UDP connect() probe, nothing
 * is sent), with sin6_scope_id as the zone of scoped IPv6 destinations. Loopback and local
 * destinations answer with the kernel's choice (127.0.0.1, ::1, or the local address itself), a
 * route's own preferred source wins, multicast and broadcast destinations work as unicast ones.
 * Routes that refuse traffic (unreachable, prohibit, blackhole) and the kernel's ENETUNREACH /
 * EHOSTUNREACH / EACCES / EINVAL answers are WSAENETUNREACH. Wine only answers IPv4; IPv6 follows
 * the same rules with SOCKADDR_IN6 (an IPv4-mapped destination on an IPv6 socket is looked up as
 * IPv4 and answered IPv4-mapped). A link-local source carries its interface index as
 * sin6_scope_id.
 */
import { SIO_ROUTING_INTERFACE_QUERY } from '../../../../codes/index.js';
import { WSAEAFNOSUPPORT, WSAEFAULT, WSAEINVAL, WSAENETDOWN, WSAENETUNREACH } from '../../../../errors/index.js';
import { AF_INET, AF_INET6, isV4Mapped, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE } from '../../../../structs/sockaddr.js';
import { E } from '../../host/libc.js';
import { kernelSourceFor } from '../../address-selection/kernel-source.js';
import { done, failed, UNTOUCHED, type IoctlDone, type IoctlHandler } from '../types.js';
import { readU32 } from '../buffers.js';
import { writeU16LE, writeU32LE } from '../../../../structs/bytes.js';

/** A failure that leaves *lpcbBytesReturned as the caller had it. */
const untouched = (error: number): IoctlDone => failed(error, UNTOUCHED);

/**
 * Kernel answers that mean "no usable route there": no route, a refusing route (unreachable
 * EHOSTUNREACH, prohibit EACCES, blackhole EINVAL, a throw with nothing after it EAGAIN), a zone
 * naming no interface.
 */
const UNREACHABLE_ERRNOS: ReadonlySet<number> = new Set([
  E.ENETUNREACH, E.EHOSTUNREACH, E.EACCES, E.EPERM, E.EINVAL, E.EADDRNOTAVAIL, E.ENODEV, E.EAGAIN,
]);

/** Bytes `from` .. `to` of `bytes` are all 0. */
function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

// The destination as the probe takes it (16 bytes, IPv4 as IPv4-mapped), made once: the query
// runs per call, and the views and copies it made cost more than its own checks.
const destination = new Uint8Array(16);

/**
 * The source the kernel would use for `destination` (16 bytes, IPv4 as IPv4-mapped) and its zone
 * (sin6_scope_id of a link-local source, else 0), or a Winsock error.
 */
export function sourceFor(destination: Uint8Array, zone: number): { source: Uint8Array; scopeId: number } | number {
  const found = kernelSourceFor(destination, zone);
  if (!found.ok) return UNREACHABLE_ERRNOS.has(found.errno) ? WSAENETUNREACH : WSAENETDOWN;
  return { source: found.source, scopeId: found.sourceScopeId };
}

export const routingInterfaceQuery: IoctlHandler = {
  name: 'SIO_ROUTING_INTERFACE_QUERY',
  code: SIO_ROUTING_INTERFACE_QUERY,
  nullBuffers: { input: true },
  // The checks depend on the destination's own family, so the body makes them.
  checks: [],
  run({ sock, input, inputIsNull, output }) {
    if (inputIsNull || input.length < SOCKADDR_IN_SIZE) return untouched(WSAEINVAL);
    const family = input[0]! | (input[1]! << 8);
    if (family !== AF_INET && family !== AF_INET6) return untouched(WSAEAFNOSUPPORT);
    if (family === AF_INET6 && input.length < SOCKADDR_IN6_SIZE) return untouched(WSAEINVAL);
    if (family !== sock.af) return untouched(WSAEAFNOSUPPORT);

    if (family === AF_INET) {
      for (let i = 0; i < 10; i++) destination[i] = 0;
      destination[10] = 0xff;
      destination[11] = 0xff;
      for (let i = 0; i < 4; i++) destination[12 + i] = input[4 + i]!;
    } else {
      for (let i = 0; i < 16; i++) destination[i] = input[8 + i]!;
    }
    const zone = family === AF_INET6 ? readU32(input, 24) : 0;
    const mapped = family === AF_INET6 && isV4Mapped(destination);
    // The unspecified address, IPv4 (0.0.0.0, mapped or not) or IPv6 (::).
    if (isZero(destination, family === AF_INET || mapped ? 12 : 0, 16)) return untouched(WSAEINVAL);

    const size = family === AF_INET ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE;
    if (output.length < size) return failed(WSAEFAULT, size);

    const found = sourceFor(destination, mapped ? 0 : zone);
    if (typeof found === 'number') return untouched(found);

    // Every byte of the sockaddr is written (zeros where nothing else goes), none past it.
    for (let i = 0; i < size; i++) output[i] = 0;
    const source = found.source;
    if (family === AF_INET) {
      output[0] = AF_INET;
      for (let i = 0; i < 4; i++) output[4 + i] = source[12 + i]!;
    } else {
      // A mapped destination's source comes back IPv4-mapped: answered as it is.
      writeU16LE(output, 0, AF_INET6);
      for (let i = 0; i < 16; i++) output[8 + i] = source[i]!;
      writeU32LE(output, 24, found.scopeId);
    }
    return done(size);
  },
};
