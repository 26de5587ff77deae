/**
 * SIO_CPU_AFFINITY: tie a UDP socket to one processor (USHORT input: a 0-based processor index),
 * so that several sockets bound to one address share the receive work by processor. Windows takes
 * it only on a UDP socket (others: WSAEOPNOTSUPP), before bind (after: WSAEINVAL), and not
 * together with SO_REUSEADDR (WSAEINVAL); an input under 2 bytes is WSAEFAULT, a processor this
 * machine does not have WSAEINVAL. `*lpcbBytesReturned` is 0.
 *
 * Linux effect: SO_INCOMING_CPU, the processor the kernel associates with the socket (read back
 * with getsockopt until traffic updates it). Kernels without a settable SO_INCOMING_CPU (< 4.4)
 * keep the Winsock answer and skip the effect.
 */
import { cpus } from 'node:os';
import { WSAEFAULT, WSAEINVAL, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_CPU_AFFINITY } from '../../../../codes/index.js';
import { SOCK_DGRAM } from '../../../../winsock/constants.js';
import { L } from '../../host/libc.js';
import { isBound } from '../../host/socket-facts.js';
import { kernelInt, setKernelInt } from '../../host/socket-facts.js';
import { readU16 } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

export const cpuAffinity: IoctlHandler = {
  name: 'SIO_CPU_AFFINITY',
  code: SIO_CPU_AFFINITY,
  checks: [socketType([SOCK_DGRAM], WSAEOPNOTSUPP, 0), inputAtLeast(2, WSAEFAULT, 0)],
  run({ sock, input }) {
    if (isBound(sock.fd)) return failed(WSAEINVAL);
    if (kernelInt(sock.fd, L.SOL_SOCKET, L.SO_REUSEADDR)) return failed(WSAEINVAL);
    const processor = readU16(input, 0);
    if (processor >= Math.max(1, cpus().length)) return failed(WSAEINVAL);
    setKernelInt(sock.fd, L.SOL_SOCKET, L.SO_INCOMING_CPU, processor);
    return done(0);
  },
};
