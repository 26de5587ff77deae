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
import { AF_INET, SOCK_DGRAM, SOCK_RAW } from '../../../../winsock/constants.js';
import { SOCKADDR_IN_SIZE } from '../../../../structs/sockaddr.js';
import { done, UNTOUCHED, type IoctlHandler } from '../types.js';
import { family, outputAtLeast, socketType } from '../checks.js';

export const getBroadcastAddress: IoctlHandler = {
  name: 'SIO_GET_BROADCAST_ADDRESS',
  code: SIO_GET_BROADCAST_ADDRESS,
  // Sockets here are AF_INET or AF_INET6: an IPv6 one is WSAENOPROTOOPT (the code is IPv4's).
  checks: [
    family([AF_INET], WSAENOPROTOOPT, 0),
    socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0),
    outputAtLeast(SOCKADDR_IN_SIZE, WSAEFAULT, UNTOUCHED),
  ],
  run({ output }) {
    output.fill(0, 0, SOCKADDR_IN_SIZE);
    output[0] = AF_INET;
    output.fill(0xff, 4, 8);
    return done(SOCKADDR_IN_SIZE);
  },
};
