/**
 * SIO_AF_UNIX_GETPEERPID: the process id of the peer of a connected AF_UNIX stream socket, a
 * ULONG (4 bytes) in the output, `*lpcbBytesReturned` = 4 (afunix.h; remaining-codes.md #58:
 * header only, no Microsoft page). Linux: SO_PEERCRED's pid (unix(7)), the process that connected
 * (or accepted) at the other end.
 * Inferred (no published Windows answer): another family is WSAEOPNOTSUPP (a code its provider
 * does not handle), a socket with no peer WSAENOTCONN, an output under 4 bytes WSAEFAULT.
 */
import { WSAEFAULT, WSAENOTCONN, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_AF_UNIX_GETPEERPID } from '../../../../codes/index.js';
import { AF_UNIX } from '../../../../winsock/constants.js';
import * as libc from '../../host/libc.js';
import { L } from '../../host/libc.js';
import { writeU32 } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { family, outputAtLeast } from '../checks.js';

export const afUnixGetPeerPid: IoctlHandler = {
  name: 'SIO_AF_UNIX_GETPEERPID',
  code: SIO_AF_UNIX_GETPEERPID,
  checks: [family([AF_UNIX], WSAEOPNOTSUPP, 0), outputAtLeast(4, WSAEFAULT, 0)],
  run({ sock, output }) {
    const name = new Uint8Array(128);
    if (libc.getpeername(sock.fd, name, new Uint32Array([name.length])) < 0) return failed(WSAENOTCONN);
    const cred = new Uint8Array(12); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
    if (libc.getsockopt(sock.fd, L.SOL_SOCKET, L.SO_PEERCRED, cred, new Uint32Array([cred.length])) < 0) return failed(WSAENOTCONN);
    writeU32(output, 0, new DataView(cred.buffer).getUint32(0, true));
    return done(4);
  },
};
