/**
 * SIO_GET_BROADCAST_ADDRESS: a broadcast address for sendto on this socket.
 *
 * Windows: the TCP/IP helper answers with a fixed SOCKADDR_IN, the limited broadcast address
 * 255.255.255.255 with port 0 (16 bytes returned), whatever the interfaces are: not a subnet's
 * broadcast. Facts (the Winsock IOCTLs page, the WSHGetBroadcastSockaddr helper contract, and
 * independent Windows re-implementations, which agree; Wine's sock.c has no test of this code):
 * - an IPv6 socket: WSAENOPROTOOPT (IPv6 has no broadcast);
 * - an output buffer shorter than a SOCKADDR_IN: WSAEFAULT (the helper reports a short buffer so);
 *   *lpcbBytesReturned is only written on success;
 * - the code is for datagram sockets; on a stream socket it fails with WSAEINVAL, the generic
 *   "the command does not apply to this socket type" error (raw sockets count as datagram).
 * No kernel call is needed on Linux.
 */
import { SIO_GET_BROADCAST_ADDRESS } from '../../../../codes/index.js';
import { WSAEFAULT, WSAEINVAL, WSAENOPROTOOPT } from '../../../../errors/index.js';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_RAW } from '../../../../winsock/constants.js';
import { SOCKADDR_IN_SIZE } from '../../../../structs/sockaddr.js';
import { done, failed, type IoctlDone, type IoctlHandler } from '../types.js';

/** A failure that leaves *lpcbBytesReturned as the caller had it. */
const untouched = (error: number): IoctlDone => ({ error });

export const getBroadcastAddress: IoctlHandler = {
  name: 'SIO_GET_BROADCAST_ADDRESS',
  code: SIO_GET_BROADCAST_ADDRESS,
  run({ sock, output }) {
    if (sock.af === AF_INET6) return failed(WSAENOPROTOOPT);
    if (sock.af !== AF_INET) return failed(WSAEINVAL);
    if (sock.type !== SOCK_DGRAM && sock.type !== SOCK_RAW) return failed(WSAEINVAL);
    if (output.length < SOCKADDR_IN_SIZE) return untouched(WSAEFAULT);
    output.fill(0, 0, SOCKADDR_IN_SIZE);
    output[0] = AF_INET;
    output.fill(0xff, 4, 8);
    return done(SOCKADDR_IN_SIZE);
  },
};
