/**
 * SIO_SET_PRIORITY_HINT: a transport priority hint for a TCP socket (SOCKET_PRIORITY_HINT, a 4-byte
 * enum: SocketPriorityHintVeryLow 0, Low 1, Normal 2). Windows runs a LEDBAT-style scavenger
 * congestion control for VeryLow. The input must be exactly 4 bytes and the output NULL / 0, else
 * WSAEINVAL; values from SocketMaximumPriorityHintType (3) up are WSAEINVAL; non-TCP sockets get
 * WSAEOPNOTSUPP. `*lpcbBytesReturned` is 0.
 *
 * Linux effect, SO_PRIORITY (what the qdisc sees; values 0-6 need no privilege). With the default
 * pfifo_fast / prio bands:
 *   VeryLow -> 1 TC_PRIO_FILLER   (lowest band: sent only when nothing else waits)
 *   Low     -> 2 TC_PRIO_BULK     (lowest band)
 *   Normal  -> 0 TC_PRIO_BESTEFFORT (the default every socket starts with)
 */
import { WSAEINVAL, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_SET_PRIORITY_HINT } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { setKernelInt } from '../../host/socket-facts.js';
import { readU32 } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputExactly, noOutput, socketType } from '../checks.js';

/** SO_PRIORITY for each SOCKET_PRIORITY_HINT, indexed by the hint. */
export const PRIORITY_FOR_HINT: readonly number[] = [1, 2, 0];

export const setPriorityHint: IoctlHandler = {
  name: 'SIO_SET_PRIORITY_HINT',
  code: SIO_SET_PRIORITY_HINT,
  checks: [socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0), inputExactly(4, WSAEINVAL, 0), noOutput(WSAEINVAL, 0, true)],
  run({ sock, input }) {
    const priority = PRIORITY_FOR_HINT[readU32(input, 0)];
    if (priority === undefined) return failed(WSAEINVAL);
    const errno = setKernelInt(sock.fd, L.SOL_SOCKET, L.SO_PRIORITY, priority);
    return errno ? failed(wsaFromErrno(errno)) : done(0);
  },
};
