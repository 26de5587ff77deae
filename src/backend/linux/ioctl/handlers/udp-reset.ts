/**
 * SIO_UDP_CONNRESET and SIO_UDP_NETRESET: a BOOL that decides whether an ICMP port-unreachable
 * (CONNRESET) or TTL-expired / net-unreachable (NETRESET) report for a datagram this socket sent
 * makes the next receive fail with WSAECONNRESET / WSAENETRESET. Both start TRUE, as on Windows.
 * The reporting itself lives in ../../udp-reset.ts.
 *
 * Rules: input shorter than a BOOL (or null) WSAEFAULT with 0 bytes, as FIONBIO; sockets other
 * than UDP WSAEOPNOTSUPP (how Windows answers a code the socket's provider does not handle).
 * Success returns 0 bytes.
 */
import { WSAEFAULT, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_UDP_CONNRESET, SIO_UDP_NETRESET } from '../../../../codes/index.js';
import { SOCK_DGRAM } from '../../../../winsock/constants.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { done, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';
import { readU32 } from '../buffers.js';

function udpFlag(name: string, code: number, set: (sock: LinuxSocket, on: boolean) => void): IoctlHandler {
  return {
    name,
    code,
    checks: [inputAtLeast(4, WSAEFAULT, 0), socketType([SOCK_DGRAM], WSAEOPNOTSUPP, 0)],
    run({ sock, input }) {
      set(sock, readU32(input, 0) !== 0);
      return done(0);
    },
  };
}

export const udpConnReset = udpFlag('SIO_UDP_CONNRESET', SIO_UDP_CONNRESET, (sock, on) => { sock.udpConnReset = on; });
export const udpNetReset = udpFlag('SIO_UDP_NETRESET', SIO_UDP_NETRESET, (sock, on) => { sock.udpNetReset = on; });
