/**
 * SIO_IDEAL_SEND_BACKLOG_QUERY: how many bytes to keep queued for sending to fill the path, as a
 * ULONG. Linux has no such query; the value is the connection's bandwidth-delay product from
 * tcp_info (delivery rate × smoothed RTT, or the congestion window when the rate sample was
 * application-limited), clamped to [64 KiB, 16 MiB] (see tcp-info.ts idealSendBacklog).
 *
 * Rules (documented, and Wine's test_backlog_query on Windows): datagram socket WSAEOPNOTSUPP;
 * not connected WSAENOTCONN; output smaller than 4 bytes WSAEINVAL with 0 bytes returned.
 */
import { WSAEINVAL, WSAENOTCONN, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_IDEAL_SEND_BACKLOG_QUERY } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { wsaFromErrno } from '../../host/errno.js';
import { idealSendBacklog as estimate, isSynchronized, readLinuxTcpInfo } from '../../sockets/tcp-info.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { outputAtLeast, socketType } from '../checks.js';
import { writeU32 } from '../buffers.js';

export const idealSendBacklogQuery: IoctlHandler = {
  name: 'SIO_IDEAL_SEND_BACKLOG_QUERY',
  code: SIO_IDEAL_SEND_BACKLOG_QUERY,
  checks: [outputAtLeast(4, WSAEINVAL, 0), socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0)],
  run({ sock, output }) {
    const info = readLinuxTcpInfo(sock.fd);
    if (typeof info === 'number') return failed(wsaFromErrno(info));
    if (!isSynchronized(info.state)) return failed(WSAENOTCONN);
    writeU32(output, 0, estimate(info));
    return done(4);
  },
};
