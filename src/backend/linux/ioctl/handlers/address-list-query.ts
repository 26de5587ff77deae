/**
 * SIO_ADDRESS_LIST_QUERY: the local addresses of the socket's family an application can bind to,
 * as a SOCKET_ADDRESS_LIST written into the output buffer, its lpSockaddr pointers holding the
 * real native addresses of the sockaddrs inside that same buffer (native code can follow them).
 *
 * Windows facts this follows (Wine's conformance test `test_address_list_query`, which passes on
 * Windows; the SIO_ADDRESS_LIST_QUERY and Winsock IOCTLs pages):
 * - the list holds addresses whose DAD state is Preferred only, and leaves out the loopback /
 *   link-local addresses of the software loopback interface;
 * - bytes returned on success = 8 + 16 * count + the sockaddrs;
 * - a null output buffer, a zero size, or a size that holds the header but not the whole list:
 *   WSAEFAULT with the required size in *lpcbBytesReturned, and the buffer untouched (Wine checks
 *   iAddressCount is not written with an 8-byte buffer); a null buffer with a non-zero size is the
 *   same WSAEFAULT with the required size, not a plain WSAEFAULT;
 * - a non-zero size below the 8-byte header (e.g. 1): WSAEINVAL with 0 bytes returned;
 * - a non-zero cbInBuffer: WSAEINVAL (the page).
 *
 * Linux: an rtnetlink address dump of the family, with each interface's flags (netlink/host.ts).
 * Left out: tentative, DAD-failed and deprecated addresses (not Preferred); host-scope addresses
 * (127.0.0.1, ::1); link-local addresses of loopback interfaces; addresses of interfaces not up
 * and running (a disconnected Windows adapter offers none). IPv6 entries are SOCKADDR_IN6 with sin6_scope_id = the interface
 * index for link-local addresses, 0 otherwise. Order: the kernel's.
 */
import { SIO_ADDRESS_LIST_QUERY } from '../../../../codes/index.js';
import { WSAEFAULT, WSAEINVAL, WSAENETDOWN } from '../../../../errors/index.js';
import { AF_INET, AF_INET6 } from '../../../../winsock/constants.js';
import { encodeSocketAddressList, socketAddressListSize, SOCKET_ADDRESS_LIST_HEADER } from '../../../../structs/socket-address-list.js';
import { SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE } from '../../../../structs/sockaddr.js';
import { addressOf } from '../../host/libc.js';
import { hostAddresses, isBindable, type HostAddress } from '../../netlink/index.js';
import { isLinkLocal6 } from '../../../../structs/ip.js';
import { writeU16LE, writeU32LE } from '../../../../structs/bytes.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { family, noInput } from '../checks.js';

/** The Windows sockaddr (SOCKADDR_IN 16 / SOCKADDR_IN6 28 bytes, port 0) of a host address. */
export function windowsSockaddrOf(a: HostAddress): Uint8Array {
  if (a.version === 4) {
    const sa = new Uint8Array(SOCKADDR_IN_SIZE);
    sa[0] = AF_INET;
    sa.set(a.address, 4);
    return sa;
  }
  const sa = new Uint8Array(SOCKADDR_IN6_SIZE);
  writeU16LE(sa, 0, AF_INET6);
  sa.set(a.address, 8);
  writeU32LE(sa, 24, isLinkLocal6(a.address) ? a.index : 0);
  return sa;
}

export const addressListQuery: IoctlHandler = {
  name: 'SIO_ADDRESS_LIST_QUERY',
  code: SIO_ADDRESS_LIST_QUERY,
  nullBuffers: { output: true },
  checks: [noInput(WSAEINVAL, 0), family([AF_INET, AF_INET6], WSAEINVAL, 0)],
  run({ sock, output, outputIsNull }) {
    if (!outputIsNull && output.length > 0 && output.length < SOCKET_ADDRESS_LIST_HEADER) return failed(WSAEINVAL, 0);
    const host = hostAddresses(sock.af === AF_INET ? 4 : 6);
    if (!host.ok) return failed(WSAENETDOWN);
    const sockaddrs = host.value.filter(isBindable).map(windowsSockaddrOf);
    const size = socketAddressListSize(sockaddrs);
    if (outputIsNull || output.length < size) return failed(WSAEFAULT, size);
    return done(encodeSocketAddressList(sockaddrs, output, addressOf(output)));
  },
};
