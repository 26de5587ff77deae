/**
 * SIO_ADDRESS_LIST_SORT: sort a SOCKET_ADDRESS_LIST of destination addresses into the order a
 * connection should try them (RFC 6724 section 6, default policy table), using the source address
 * the Linux kernel would pick for each (address-selection/kernel-source.ts: the answer
 * SIO_ROUTING_INTERFACE_QUERY gives for the same destination; nothing is sent).
 *
 * Windows facts this follows ("Using SIO_ADDRESS_LIST_SORT", learn.microsoft.com; Microsoft's own
 * callers):
 * - every entry must be a SOCKADDR_IN6; IPv4 destinations are given IPv4-mapped (Vista and later);
 * - the list is sorted best first, and `iAddressCount` may come back smaller when some
 *   destinations are invalid (Microsoft's getaddrinfo notes that out-of-scope addresses go);
 * - Microsoft's callers use an AF_INET6 socket and pass the same buffer as input and output, of
 *   size FIELD_OFFSET(SOCKET_ADDRESS_LIST, Address[n]): the output needs only the header and the
 *   entries, whose lpSockaddr keep pointing at the caller's own SOCKADDR_IN6s.
 *
 * Emulation choices (where Windows is not documented, or where JS cannot follow it):
 * - a socket that is not AF_INET6 fails with WSAEINVAL (the address family does not offer the
 *   sort, as an old Microsoft DNS client comment reads the error);
 * - lpSockaddr pointers are resolved against the input buffer: an entry whose SOCKADDR_IN6 is not
 *   inside `[lpvInBuffer, lpvInBuffer + cbInBuffer)` fails with WSAEFAULT (Windows reads any
 *   process memory; following a pointer we cannot check could crash the process);
 * - an entry shorter than a SOCKADDR_IN6, a family other than AF_INET6, or a negative count:
 *   WSAEINVAL; an input too short for its own entry array: WSAEFAULT;
 * - "invalid" destinations, dropped from the output, are the ones the kernel refuses outright
 *   (EINVAL: a link-local or interface-local address without its zone). Unreachable ones stay, at
 *   the end (Rule 1). The zone is never guessed, so sin6_scope_id is never filled in;
 * - output: when the output buffer can hold the header, the entries and copies of the
 *   SOCKADDR_IN6s, everything is written there with pointers into the output (as
 *   SIO_ADDRESS_LIST_QUERY writes its list), and bytes returned is that size. When it holds only
 *   the header and the entries, the entries keep the caller's original pointers (Windows'
 *   behaviour) and bytes returned is 8 + 16 * count. Smaller: WSAEFAULT, bytes returned = that
 *   minimum;
 * - the result is computed from a copy of the input before anything is written, so passing the
 *   same memory as input and output sorts in place; otherwise the input is never touched.
 */
import { SIO_ADDRESS_LIST_SORT } from '../../../../codes/index.js';
import { WSAEFAULT, WSAEINVAL } from '../../../../errors/index.js';
import { encodeSocketAddressList, socketAddressListSize, SOCKET_ADDRESS_LIST_HEADER, SOCKET_ADDRESS_SIZE } from '../../../../structs/socket-address-list.js';
import { AF_INET6, SOCKADDR_IN6_SIZE } from '../../../../structs/sockaddr.js';
import { addressOf } from '../../host/libc.js';
import { sortDestinations, type SourceAddress } from '../../address-selection/rfc6724.js';
import { isInvalidDestination, kernelSourceFor } from '../../address-selection/kernel-source.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { family, inputAtLeast } from '../checks.js';

interface Entry {
  /** The caller's lpSockaddr and iSockaddrLength, as given. */
  pointer: bigint;
  length: number;
  /** A copy of the SOCKADDR_IN6 (28 bytes). */
  sockaddr: Uint8Array;
  address: Uint8Array;
  source: SourceAddress | null;
}

/** The entries of the caller's list, copied out of the input, or a Winsock error. */
function readList(input: Uint8Array, base: bigint): Entry[] | number {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const count = view.getInt32(0, true);
  if (count < 0) return WSAEINVAL;
  if (SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * count > input.length) return WSAEFAULT;
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const at = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * i;
    const pointer = view.getBigUint64(at, true);
    const length = view.getInt32(at + 8, true);
    if (length < SOCKADDR_IN6_SIZE) return WSAEINVAL;
    const offset = pointer - base;
    if (offset < 0n || offset + BigInt(SOCKADDR_IN6_SIZE) > BigInt(input.length)) return WSAEFAULT;
    const sockaddr = input.slice(Number(offset), Number(offset) + SOCKADDR_IN6_SIZE);
    if ((sockaddr[0]! | (sockaddr[1]! << 8)) !== AF_INET6) return WSAEINVAL;
    entries.push({ pointer, length, sockaddr, address: sockaddr.slice(8, 24), source: null });
  }
  return entries;
}

/**
 * The source the sort ranks a destination (a SOCKADDR_IN6) with: the kernel's answer
 * (kernelSourceFor, the one SIO_ROUTING_INTERFACE_QUERY gives too); null when there is none
 * (unreachable: last, Rule 1); undefined when the destination is invalid here and leaves the list.
 * Exported for test/source-agreement.test.ts.
 */
export function sortSource(sockaddr: Uint8Array): SourceAddress | null | undefined {
  const scopeId = new DataView(sockaddr.buffer, sockaddr.byteOffset, sockaddr.byteLength).getUint32(24, true);
  const kernel = kernelSourceFor(sockaddr.subarray(8, 24), scopeId);
  if (!kernel.ok) return isInvalidDestination(kernel.errno) ? undefined : null;
  return { address: kernel.source };
}

export const addressListSort: IoctlHandler = {
  name: 'SIO_ADDRESS_LIST_SORT',
  code: SIO_ADDRESS_LIST_SORT,
  checks: [inputAtLeast(SOCKET_ADDRESS_LIST_HEADER, WSAEFAULT, 0), family([AF_INET6], WSAEINVAL, 0)],
  run({ input, output }) {
    const entries = readList(input, addressOf(input));
    if (typeof entries === 'number') return failed(entries);

    const candidates: Entry[] = [];
    for (const entry of entries) {
      const source = sortSource(entry.sockaddr);
      if (source === undefined) continue;
      entry.source = source;
      candidates.push(entry);
    }
    const sorted = sortDestinations(candidates, (e) => e.source).map((r) => r.destination);

    const minimal = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * sorted.length;
    const copies = sorted.map((e) => e.sockaddr);
    const full = socketAddressListSize(copies);
    if (output.length >= full) return done(encodeSocketAddressList(copies, output, addressOf(output)));
    if (output.length < minimal) return failed(WSAEFAULT, minimal);
    const view = new DataView(output.buffer, output.byteOffset, minimal);
    view.setInt32(0, sorted.length, true);
    view.setInt32(4, 0, true);
    sorted.forEach((e, i) => {
      const at = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * i;
      view.setBigUint64(at, e.pointer, true);
      view.setInt32(at + 8, e.length, true);
      view.setInt32(at + 12, 0, true);
    });
    return done(minimal);
  },
};
