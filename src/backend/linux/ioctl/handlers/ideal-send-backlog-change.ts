/**
 * SIO_IDEAL_SEND_BACKLOG_CHANGE: completes (0 bytes) when the connection's ideal send backlog (the
 * value SIO_IDEAL_SEND_BACKLOG_QUERY returns, derived from tcp_info, see tcp-info.ts) differs from
 * the one when the request started. Linux announces no such change, so pending requests are
 * sampled every 100 ms from one shared timerfd (loop/sampler.ts).
 *
 * Rules (the SIO_IDEAL_SEND_BACKLOG_CHANGE page): cbOutBuffer must be 0 (else WSAEINVAL); datagram
 * socket WSAEOPNOTSUPP; not connected WSAENOTCONN; the call waits even on a non-blocking socket;
 * only one request per socket: a new one ends the pending one; a pending request ends with
 * WSAEINTR (blocking) or WSA_OPERATION_ABORTED (overlapped) when the send side shuts down, the
 * connection resets, the socket closes or the request is cancelled.
 */
import { WSAEINTR, WSAEINVAL, WSAENOTCONN, WSAEOPNOTSUPP, WSAESHUTDOWN, WSA_OPERATION_ABORTED } from '../../../../errors/index.js';
import { SIO_IDEAL_SEND_BACKLOG_CHANGE } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { wsaFromErrno } from '../../host/errno.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { canSend, idealSendBacklog, isSynchronized, readLinuxTcpInfo } from '../../sockets/tcp-info.js';
import { sample } from '../../loop/sampler.js';
import { failed, type IoctlDone, type IoctlHandler, type IoctlOutcome } from '../types.js';
import { noOutput, socketType } from '../checks.js';

/** The pending request of each socket: a new request ends the previous one. */
const current = new WeakMap<LinuxSocket, () => void>();

export const idealSendBacklogChange: IoctlHandler = {
  name: 'SIO_IDEAL_SEND_BACKLOG_CHANGE',
  code: SIO_IDEAL_SEND_BACKLOG_CHANGE,
  checks: [noOutput(WSAEINVAL, 0), socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0)],
  run({ sock, overlapped }): IoctlOutcome {
    const info = readLinuxTcpInfo(sock.fd);
    if (typeof info === 'number') return failed(wsaFromErrno(info));
    if (!isSynchronized(info.state)) return failed(WSAENOTCONN);
    if (!canSend(info.state)) return failed(WSAESHUTDOWN);
    const start = idealSendBacklog(info);
    const ended = overlapped ? WSA_OPERATION_ABORTED : WSAEINTR;
    let result: IoctlDone | null = null;
    let wakeUp: (() => void) | null = null;
    const finish = (error: number): void => {
      if (result) return;
      result = { error, bytes: 0 };
      wakeUp?.();
    };
    current.get(sock)?.();
    current.set(sock, () => finish(ended));
    const look = (): void => {
      if (sock.closed) return finish(ended);
      const now = readLinuxTcpInfo(sock.fd);
      if (typeof now === 'number' || !canSend(now.state)) return finish(ended);
      if (idealSendBacklog(now) !== start) finish(0);
    };
    return {
      wait: {
        blocksAnyway: true,
        check: () => result,
        subscribe(wake) {
          wakeUp = wake;
          const stop = sample(look);
          return () => {
            wakeUp = null;
            stop();
          };
        },
      },
    };
  },
};
