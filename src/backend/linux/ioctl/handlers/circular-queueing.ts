/**
 * SIO_ENABLE_CIRCULAR_QUEUEING: make a datagram socket's full receive queue drop its oldest
 * message instead of the newest. Windows accepts it on unreliable message sockets (UDP, raw; no
 * input, no output, 0 bytes) and answers WSAEINVAL on a stream socket, where it does not apply.
 * Linux always drops the newest datagram and has no switch for the other policy, so on Linux the
 * request is accepted and the queue keeps its Linux policy.
 */
import { WSAEINVAL } from '../../../../errors/index.js';
import { SIO_ENABLE_CIRCULAR_QUEUEING } from '../../../../codes/index.js';
import { SOCK_DGRAM, SOCK_RAW } from '../../../../winsock/constants.js';
import { done, type IoctlHandler } from '../types.js';
import { socketType } from '../checks.js';

export const enableCircularQueueing: IoctlHandler = {
  name: 'SIO_ENABLE_CIRCULAR_QUEUEING',
  code: SIO_ENABLE_CIRCULAR_QUEUEING,
  checks: [socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0)],
  run: () => done(0),
};
