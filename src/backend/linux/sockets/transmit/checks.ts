/**
 * The checks TransmitFile and TransmitPackets share, in the order Windows makes them
 * (extension-functions.md §8, §9 and §13; Wine's dlls/ws2_32/tests/sock.c test_TransmitFile):
 * the socket (WSAENOTSOCK), the WSAOVERLAPPED (WSAEFAULT), the connection (WSAENOTCONN, before any
 * flag check: an unconnected socket with TF_REUSE_SOCKET alone is WSAENOTCONN), the sending side
 * (WSAESHUTDOWN after shutdown(SD_SEND), WSAECONNRESET after a reset), then the flags (WSAEINVAL for unknown bits and for
 * TF_REUSE_SOCKET without TF_DISCONNECT).
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { WSAOVERLAPPED } from '../../../../winsock/types.js';
import { acceptsIoStatus } from '../../../../winsock/arguments.js';
import * as libc from '../../host/libc.js';
import { LINUX_SOCKADDR_MAX } from '../../host/sockaddr.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { socketFor } from '../lookup.js';

/** Every flag TransmitFile and TransmitPackets know (TF_* and TP_* are the same bits). */
const KNOWN_FLAGS = C.TF_DISCONNECT | C.TF_REUSE_SOCKET | C.TF_WRITE_BEHIND | C.TF_USE_SYSTEM_THREAD | C.TF_USE_KERNEL_APC;

/** More than this many bytes in one request: WSAEINVAL (TransmitFile / TransmitPackets pages). */
export const MAX_TRANSMIT = 2147483646;

const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
const peerLen = new Uint32Array(1);

/** The socket has a peer (connected stream, or datagram with a default peer). */
function connected(sock: LinuxSocket): boolean {
  peerLen[0] = peer.length;
  return libc.getpeername(sock.fd, peer, peerLen) === 0;
}

export interface Checked {
  readonly sock: LinuxSocket;
  readonly ov: WSAOVERLAPPED | null;
  readonly flags: number;
}

/**
 * The shared checks: the socket, the WSAOVERLAPPED and the flags, or the Winsock error.
 * `datagrams`: whether a connected datagram socket may be used (TransmitPackets: yes;
 * TransmitFile: WSAEINVAL, as its page says).
 */
export function transmitChecks(s: unknown, ov: unknown, dwFlags: unknown, datagrams: boolean): Checked | number {
  const sock = socketFor(s as number);
  if (typeof sock === 'number') return sock;
  if (ov != null && !acceptsIoStatus(ov)) return W.WSAEFAULT;
  const stream = sock.type === C.SOCK_STREAM;
  // After an RST every send on the connection fails so (Wine sock.c test_tcp_reset, for WSASend).
  if (sock.connectionReset) return W.WSAECONNRESET;
  if (!connected(sock)) return stream && sock.sendShutdown && sock.peerName !== null ? W.WSAESHUTDOWN : W.WSAENOTCONN;
  if (sock.sendShutdown) return W.WSAESHUTDOWN;
  if (typeof dwFlags !== 'number' || !Number.isInteger(dwFlags)) return W.WSAEINVAL;
  const flags = dwFlags >>> 0;
  if (flags & ~KNOWN_FLAGS) return W.WSAEINVAL;
  if (flags & C.TF_REUSE_SOCKET && !(flags & C.TF_DISCONNECT)) return W.WSAEINVAL;
  if (!stream && (!datagrams || flags & (C.TF_DISCONNECT | C.TF_REUSE_SOCKET))) return W.WSAEINVAL;
  return { sock, ov: ov == null ? null : (ov as WSAOVERLAPPED), flags };
}

/** The file offset a WSAOVERLAPPED names (Offset, OffsetHigh); unreadable fields count as 0. */
export function overlappedOffset(ov: WSAOVERLAPPED): number {
  try {
    const low = typeof ov.Offset === 'number' ? ov.Offset >>> 0 : 0;
    const high = typeof ov.OffsetHigh === 'number' ? ov.OffsetHigh >>> 0 : 0;
    return high * 0x100000000 + low;
  } catch {
    return 0;
  }
}
