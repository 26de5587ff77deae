/**
 * SIO_LOOPBACK_FAST_PATH: opt a TCP socket into Windows' transport-level loopback shortcut.
 * Linux loopback has no separate fast path (its loopback is already a short in-kernel path), so
 * there is nothing to switch; the call checks what Windows 8+ checks:
 * - TCP only: any other socket gets WSAEOPNOTSUPP (the provider lacks the code);
 * - a BOOL input: fewer than 4 bytes, or none, is WSAEFAULT;
 * - only before the connection exists: a new, bound or listening socket accepts it (the listener
 *   passes it on to what it accepts); once connecting or connected, accepted sockets included,
 *   it is too late and Windows answers WSAEINVAL.
 * `*lpcbBytesReturned` is 0 on success and on failure.
 */
import { WSAEFAULT, WSAEINVAL, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_LOOPBACK_FAST_PATH } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { TCP_STATE, tcpState } from '../../host/socket-facts.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

export const loopbackFastPath: IoctlHandler = {
  name: 'SIO_LOOPBACK_FAST_PATH',
  code: SIO_LOOPBACK_FAST_PATH,
  checks: [socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0), inputAtLeast(4, WSAEFAULT, 0)],
  run({ sock }) {
    const state = tcpState(sock.fd);
    if (state !== null && state !== TCP_STATE.CLOSE && state !== TCP_STATE.LISTEN) return failed(WSAEINVAL);
    return done(0);
  },
};
