/**
 * SIO_TCP_INFO: per-connection TCP statistics as TCP_INFO_v0 / v1 / v2, filled from Linux
 * getsockopt(IPPROTO_TCP, TCP_INFO). The field mapping, and what Linux cannot say, is in
 * docs/tcp-info-mapping.md.
 *
 * Rules: input must be exactly a DWORD (null or any other size: WSAEMSGSIZE); only TCP sockets
 * (others: WSAEOPNOTSUPP, as Windows answers codes a provider does not handle); versions 0, 1, 2
 * (others: WSAEINVAL); output smaller than the version's structure: WSAEINVAL; all with
 * *lpcbBytesReturned = 0. Success writes exactly the structure and returns its size.
 */
import { WSAEINVAL, WSAEMSGSIZE, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_TCP_INFO } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { encodeTcpInfo, tcpInfoSize, type TcpInfoVersion } from '../../../../structs/tcp-info.js';
import { wsaFromErrno } from '../../host/errno.js';
import { tcpInfoOf } from '../../sockets/tcp-info.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputExactly, socketType } from '../checks.js';
import { readU32 } from '../buffers.js';

export const tcpInfo: IoctlHandler = {
  name: 'SIO_TCP_INFO',
  code: SIO_TCP_INFO,
  checks: [inputExactly(4, WSAEMSGSIZE, 0), socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0)],
  run({ sock, input, output }) {
    const version = readU32(input, 0);
    if (version > 2) return failed(WSAEINVAL);
    const size = tcpInfoSize(version as TcpInfoVersion);
    if (output.length < size) return failed(WSAEINVAL);
    const info = tcpInfoOf(sock);
    if (typeof info === 'number') return failed(wsaFromErrno(info));
    // The encoder writes exactly the structure's bytes (no view cut to it needed).
    encodeTcpInfo(info, version as TcpInfoVersion, output);
    return done(size);
  },
};
