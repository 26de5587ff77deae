/**
 * SIO_TCP_INITIAL_RTO: the initial retransmission parameters of a TCP socket's later connection
 * attempts (Microsoft, SIO_TCP_INITIAL_RTO and TCP_INITIAL_RTO_PARAMETERS pages). Input
 * TCP_INITIAL_RTO_PARAMETERS, 4 bytes on x64: USHORT Rtt @0 (ms; 0xFFFF "unspecified": the
 * administrator's setting; 0 the system default) and UCHAR MaxSynRetransmissions @2 (0xFF
 * unspecified, 0 the default, 0xFE TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS: the SYN is never
 * retransmitted). No output; `*lpcbBytesReturned` 0.
 *
 * Linux (an approximation, README): MaxSynRetransmissions is TCP_SYNCNT (1..127): "default" and
 * "unspecified" restore the host's net.ipv4.tcp_syn_retries, larger counts are held at 127, and
 * "none" becomes 1, the fewest Linux allows (as TCP_NOSYNRETRIES does). The initial RTT has no
 * per-socket Linux setting (only privileged BPF can set the first RTO), so it is checked and kept
 * without effect.
 * Inferred: a socket other than TCP is WSAEOPNOTSUPP (a code its provider does not handle), an
 * input under 4 bytes WSAEFAULT.
 */
import { readFileSync } from 'node:fs';
import { WSAEFAULT, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_TCP_INITIAL_RTO } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { setKernelInt } from '../../host/socket-facts.js';
import { readU16 } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

const UNSPECIFIED_RETRANSMISSIONS = 0xff;
const NO_SYN_RETRANSMISSIONS = 0xfe;
const DEFAULT_RETRANSMISSIONS = 0;

/** The host's SYN retry count (net.ipv4.tcp_syn_retries; 6 when it cannot be read). */
function hostSynRetries(): number {
  try {
    const value = Number(readFileSync('/proc/sys/net/ipv4/tcp_syn_retries', 'utf8').trim());
    return Number.isInteger(value) && value >= 1 && value <= 127 ? value : 6;
  } catch {
    return 6;
  }
}

/** TCP_SYNCNT for a MaxSynRetransmissions value. */
export function synCountFor(max: number): number {
  if (max === DEFAULT_RETRANSMISSIONS || max === UNSPECIFIED_RETRANSMISSIONS) return hostSynRetries();
  if (max === NO_SYN_RETRANSMISSIONS) return 1;
  return Math.min(max, 127);
}

export const tcpInitialRto: IoctlHandler = {
  name: 'SIO_TCP_INITIAL_RTO',
  code: SIO_TCP_INITIAL_RTO,
  checks: [socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0), inputAtLeast(4, WSAEFAULT, 0)],
  run({ sock, input }) {
    const rtt = readU16(input, 0);
    const errno = setKernelInt(sock.fd, L.IPPROTO_TCP, L.TCP_SYNCNT, synCountFor(input[2]!));
    if (errno) return failed(wsaFromErrno(errno));
    sock.optionMirrors.set('TCP_INITIAL_RTT_MS', rtt);
    return done(0);
  },
};
