/**
 * SIO_KEEPALIVE_VALS: per-connection TCP keep-alive from a tcp_keepalive (12 bytes: onoff,
 * keepalivetime, keepaliveinterval; times in milliseconds). Nothing is returned: bytes 0.
 *
 * Windows facts relied on:
 * - Wine dlls/ws2_32/tests/sock.c, test_keepalive_vals (lines without todo_wine): an input size
 *   of 0, or a null input with the full size, is WSAEFAULT with *lpcbBytesReturned set to 0;
 *   success returns 0 bytes; every one of {0,0,0}, {1,0,0}, {1,1000,1000}, {1,10000,10000},
 *   {1,100,100} and {0,100,100} is accepted, on a TCP socket that is not even connected, with no
 *   output buffer.
 * - Winsock reference (sio-keepalive-vals): a datagram socket gets WSAENOPROTOOPT; with onoff 0
 *   keep-alive is switched off and the two times are ignored (the .NET wrapper documents the same);
 *   Windows Vista and later always send 10 probes, which cannot be changed.
 * - test_set_getsockopt: TCP_KEEPALIVE / TCP_KEEPINTVL read back in whole seconds.
 *
 * Linux: TCP_KEEPIDLE and TCP_KEEPINTVL (whole seconds, 1..32767), then SO_KEEPALIVE. Rounding:
 * milliseconds are rounded *up* to whole seconds, so probes never come earlier than asked, and
 * clamped to 1..32767. A time of 0 therefore becomes 1 s: Windows accepts 0 and takes it
 * literally (older Windows Server versions were seen sending keep-alives back to back with a 0
 * idle time, libuv#3487), and 1 s is the shortest Linux allows. With onoff 0 only SO_KEEPALIVE
 * changes. The times are set before keep-alive is switched on, so the first timer already uses them.
 *
 * The probe count is the socket's TCP_KEEPCNT, which this code leaves alone, as Windows does
 * since TCP_KEEPCNT became a socket option there (Windows 10 1703; 10 by default). Sockets the
 * emulation makes get Windows' 10 (sockets/keepalive-defaults.ts: marked when created, set here
 * at the latest) and accepted ones inherit their listener's; a socket that never had Windows' defaults (borrowed from Node, or accepted from a
 * borrowed listener) gets 10 here, where the caller asks for Windows' keep-alive.
 */
import * as C from '../../../../winsock/constants.js';
import { WSAEFAULT, WSAENOPROTOOPT } from '../../../../errors/index.js';
import { SIO_KEEPALIVE_VALS } from '../../../../codes/index.js';
import { TCP_KEEPALIVE_SIZE, decodeTcpKeepalive } from '../../../../structs/keepalive.js';
import { L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { setKernelInt } from '../../host/socket-facts.js';
import { lacksWindowsKeepAliveDefaults, settleWindowsKeepAliveDefaults, WINDOWS_KEEPALIVE_PROBES } from '../../sockets/keepalive-defaults.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

/** Largest TCP_KEEPIDLE / TCP_KEEPINTVL Linux accepts (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL). */
const LINUX_MAX_SECONDS = 32767;

/** Milliseconds to the whole seconds Linux takes: rounded up, at least 1, at most 32767. */
export function keepaliveSeconds(ms: number): number {
  return Math.min(LINUX_MAX_SECONDS, Math.max(1, Math.ceil((ms >>> 0) / 1000)));
}

export const keepaliveVals: IoctlHandler = {
  name: 'SIO_KEEPALIVE_VALS',
  code: SIO_KEEPALIVE_VALS,
  checks: [inputAtLeast(TCP_KEEPALIVE_SIZE, WSAEFAULT, 0), socketType([C.SOCK_STREAM], WSAENOPROTOOPT, 0)],
  // test_keepalive_vals: an overlapped call with 11 input bytes fails with Internal = STATUS_PENDING;
  // an overlapped success on a completion port leaves *lpcbBytesReturned alone.
  overlapped: { kind: 'as-run', sizeChecksAfterStart: true, successLeavesBytes: true },
  // A NULL input with a size is this code's own WSAEFAULT, with *lpcbBytesReturned = 0 (test_keepalive_vals).
  nullBuffers: { input: true },
  run({ sock, input }) {
    const { onoff, keepalivetime, keepaliveinterval } = decodeTcpKeepalive(input);
    const fd = sock.fd;
    // Windows' probe count must be there before keep-alive comes on (keepalive-defaults.ts).
    const errno = onoff === 0
      ? setKernelInt(fd, L.SOL_SOCKET, L.SO_KEEPALIVE, 0)
      : settleWindowsKeepAliveDefaults(sock)
        || setKernelInt(fd, L.IPPROTO_TCP, L.TCP_KEEPIDLE, keepaliveSeconds(keepalivetime))
        || setKernelInt(fd, L.IPPROTO_TCP, L.TCP_KEEPINTVL, keepaliveSeconds(keepaliveinterval))
        || (lacksWindowsKeepAliveDefaults(sock) ? setKernelInt(fd, L.IPPROTO_TCP, L.TCP_KEEPCNT, WINDOWS_KEEPALIVE_PROBES) : 0)
        || setKernelInt(fd, L.SOL_SOCKET, L.SO_KEEPALIVE, 1);
    return errno ? failed(wsaFromErrno(errno)) : done(0);
  },
};
