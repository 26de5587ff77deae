/**
 * Per-socket controls on Node sockets (or SOCKETs): each one WSAIoctl, a typed result, and a
 * WinsockError instead of SOCKET_ERROR. All synchronous: none of these codes waits.
 */
import * as ws from '../winsock/index.js';
import { decodeTcpInfo, tcpStateName, TCP_INFO_V1_SIZE, type TcpInfoV1 } from '../structs/tcp-info.js';
import { encodeTcpKeepalive } from '../structs/keepalive.js';
import { WinsockError, invalidArgType } from './errors.js';
import { ioctlSyscall, rawIoctl, restart } from './core.js';
import { forgetSocket, socketOf, type SocketLike } from './adopt.js';

/**
 * WSAIoctl on `sock`, throwing WinsockError. When a cached Node-socket SOCKET was swept away by a
 * WSACleanup elsewhere, it is made again once.
 */
export function ioctlOn(sock: SocketLike, code: number, input: Uint8Array | null, output: Uint8Array | null): number {
  const result = onSocket(sock, (s) => rawIoctl(s, code, input, output));
  if (result.rc !== 0) throw new WinsockError(result.error, ioctlSyscall(code));
  return result.bytes;
}

/** `call` on the SOCKET of `sock`, made again once when a WSACleanup elsewhere swept it away. */
function onSocket<R extends { rc: number; error: number }>(sock: SocketLike, call: (s: ws.SOCKET) => R): R {
  let result = call(socketOf(sock));
  if (result.rc !== 0 && typeof sock !== 'number' && (result.error === ws.WSANOTINITIALISED || result.error === ws.WSAENOTSOCK)) {
    if (result.error === ws.WSANOTINITIALISED) restart();
    forgetSocket(sock);
    result = call(socketOf(sock));
  }
  return result;
}

/** setsockopt of a DWORD option on `sock`; the Winsock error (0 on success), never throws. */
function trySetDword(sock: SocketLike, level: number, name: number, value: number): number {
  return onSocket(sock, (s) => {
    const rc = ws.setsockopt(s, level, name, dwordInput(value), 4);
    return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError() };
  }).error;
}

/** The name of a socket option, for `syscall` texts. */
const optionSyscall = (name: string): string => `setsockopt(${name})`;

function u32(buf: Uint8Array): number {
  return new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0, true);
}

function dwordInput(value: number): Uint8Array {
  const buf = new Uint8Array(4);
  new DataView(buf.buffer).setUint32(0, value >>> 0, true);
  return buf;
}

function outOfRange(name: string, value: unknown, range: string): RangeError {
  return Object.assign(new RangeError(`${name} must be ${range}, got ${String(value)}`), { code: 'ERR_OUT_OF_RANGE' });
}

function checkMs(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw outOfRange(name, value, 'an integer number of milliseconds from 0 to 4294967295');
  }
  return value;
}

/** The keep-alive timing setKeepAlive applies. */
export interface KeepAliveOptions {
  /** Turn keep-alive on (default) or off. */
  enabled?: boolean;
  /** Idle time before the first probe, ms (tcp_keepalive.keepalivetime; default 7,200,000 = Windows' 2 h). */
  idleMs?: number;
  /** Time between unanswered probes, ms (tcp_keepalive.keepaliveinterval; default 1,000 = Windows' 1 s). */
  intervalMs?: number;
  /**
   * Unanswered probes before the connection is dropped: TCP_KEEPCNT, 1..255 (Windows 10 1703+;
   * Linux TCP_KEEPCNT). Default 10, Windows' count (where the system has no TCP_KEEPCNT, only an
   * explicit `probes` is an error).
   */
  probes?: number;
}

/**
 * Set TCP keep-alive with both timers: **SIO_KEEPALIVE_VALS** (tcp_keepalive { onoff,
 * keepalivetime, keepaliveinterval }).
 *
 * - Windows: ws2_32 itself, then **TCP_KEEPCNT** (`probes`, default 10: the count since Windows
 *   10 1703, fixed at 10 before).
 * - Linux: TCP_KEEPIDLE and TCP_KEEPINTVL in whole seconds (rounded up, 1..32767), then
 *   SO_KEEPALIVE, and TCP_KEEPCNT; with `enabled: false` only SO_KEEPALIVE is cleared.
 *
 * Unlike `socket.setKeepAlive(enable, initialDelay)`, this sets the probe interval too.
 * Throws WinsockError WSAENOPROTOOPT on a datagram socket; RangeError for times that are not
 * integers in 0..4294967295 ms; TypeError (ERR_INVALID_ARG_TYPE) when `options` is not an object.
 */
export function setKeepAlive(sock: SocketLike, options: KeepAliveOptions = {}): void {
  if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options);
  const enabled = options.enabled ?? true;
  const idle = checkMs('idleMs', options.idleMs ?? 7_200_000);
  const interval = checkMs('intervalMs', options.intervalMs ?? 1_000);
  const probes = options.probes;
  // Every argument is checked before anything changes on the socket.
  if (probes !== undefined && (typeof probes !== 'number' || !Number.isInteger(probes) || probes < 1 || probes > 255)) {
    throw outOfRange('probes', probes, 'an integer from 1 to 255');
  }
  const input = encodeTcpKeepalive({ onoff: enabled ? 1 : 0, keepalivetime: idle, keepaliveinterval: interval });
  ioctlOn(sock, ws.SIO_KEEPALIVE_VALS, input, null);
  const error = trySetDword(sock, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, probes ?? WINDOWS_KEEPALIVE_PROBES);
  // Before Windows 10 1703 the count is fixed at 10: only a count asked for is an error there.
  const unknownOption = error === ws.WSAENOPROTOOPT || error === ws.WSAEINVAL;
  if (error !== 0 && (probes !== undefined || !unknownOption)) throw new WinsockError(error, optionSyscall('TCP_KEEPCNT'));
}

/** Windows' keep-alive probe count (fixed before Windows 10 1703, the TCP_KEEPCNT default since). */
const WINDOWS_KEEPALIVE_PROBES = 10;

/** The largest finite user timeout: TCP_MAXRTMS is a DWORD whose all-ones value means "never". */
const MAX_USER_TIMEOUT_MS = 0x7fffffff;

/**
 * How long sent data may stay unacknowledged before the connection is dropped (RFC 5482's user
 * timeout), in ms; `Infinity` for never, 0 for the system's default.
 *
 * - Windows: **TCP_MAXRTMS** (ms, Windows 10 1709+); where that option is unknown, **TCP_MAXRT**
 *   in whole seconds, rounded up (-1 for never).
 * - Linux: TCP_USER_TIMEOUT (ms) through the emulation's TCP_MAXRTMS.
 *
 * Node has no way to set this. Throws WinsockError (WSAENOPROTOOPT on a datagram socket);
 * RangeError (ERR_OUT_OF_RANGE) for anything but an integer 0..2147483647 or Infinity.
 */
export function setUserTimeout(sock: SocketLike, ms: number): void {
  if (ms !== Infinity && (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_USER_TIMEOUT_MS)) {
    throw outOfRange('ms', ms, 'an integer number of milliseconds from 0 to 2147483647, or Infinity');
  }
  const never = ms === Infinity;
  let error = trySetDword(sock, ws.IPPROTO_TCP, ws.TCP_MAXRTMS, never ? 0xffffffff : ms);
  if (error === ws.WSAENOPROTOOPT || error === ws.WSAEINVAL) {
    // Before TCP_MAXRTMS: whole seconds. A datagram socket refuses this one too, with its own error.
    const seconds = never ? 0xffffffff : Math.ceil(ms / 1000);
    error = trySetDword(sock, ws.IPPROTO_TCP, ws.TCP_MAXRT, seconds);
    if (error !== 0) throw new WinsockError(error, optionSyscall('TCP_MAXRT'));
    return;
  }
  if (error !== 0) throw new WinsockError(error, optionSyscall('TCP_MAXRTMS'));
}

/**
 * Bytes that can be read now: **FIONREAD** on the socket, plus, for a Node stream, what Node has
 * already taken from the socket and holds in its readable buffer (`readableLength`).
 *
 * - FIONREAD with Windows' meaning: on a datagram socket the total of all queued datagrams, not
 *   just the next one. Windows: ws2_32. Linux: ioctl(FIONREAD) (SIOCINQ); for UDP sockets the
 *   emulation owns, the total of the queue. A Node dgram.Socket is borrowed and never read, so
 *   there Linux can only tell the size of the next datagram.
 * - A Node stream that is flowing or being read keeps taking bytes from the kernel, so the kernel
 *   part alone says little; the sum is what a reader of the Node stream can still get.
 * - For a tls.TLSSocket the kernel part counts encrypted bytes and the buffered part decrypted
 *   ones: read the sum as an estimate.
 * - For a SOCKET number only FIONREAD is counted.
 */
export function bytesAvailable(sock: SocketLike): number {
  return kernelBytesAvailable(sock) + nodeBuffered(sock);
}

/** FIONREAD alone: what the OS holds for the socket, without Node's readable buffer. */
export function kernelBytesAvailable(sock: SocketLike): number {
  const out = new Uint8Array(4);
  ioctlOn(sock, ws.FIONREAD, null, out);
  return u32(out);
}

function nodeBuffered(sock: SocketLike): number {
  if (typeof sock === 'number') return 0;
  const length = (sock as { readableLength?: unknown }).readableLength;
  return typeof length === 'number' && length > 0 ? length : 0;
}

/**
 * True when no urgent (out-of-band) data is waiting: **SIOCATMARK**, with Windows' meaning (TRUE =
 * no urgent data pending, or, with SO_OOBINLINE, the read position is not before the mark).
 *
 * - Windows: ws2_32.
 * - Linux: ioctl(SIOCATMARK) and the socket's urgent-data state, reported the Windows way.
 *
 * Node never reads urgent data; when a peer sends some, this turns false.
 */
export function atUrgentMark(sock: SocketLike): boolean {
  const out = new Uint8Array(4);
  ioctlOn(sock, ws.SIOCATMARK, null, out);
  return u32(out) !== 0;
}

/** TCP_INFO_v1 fields (Windows names; 64-bit counters are bigints) plus the state's name. */
export type TcpInfo = TcpInfoV1 & {
  /** TCPSTATE name without the prefix: 'ESTABLISHED', 'LISTEN', ... */
  stateName: string;
};

/**
 * TCP statistics of a connection: **SIO_TCP_INFO** with version 1, decoded (TCP_INFO_v1: state,
 * MSS, RTT and minimum RTT in µs, congestion window, bytes in and out, retransmissions, send-limit
 * times ...).
 *
 * - Windows 10 1703+: ws2_32.
 * - Linux: getsockopt(TCP_INFO) (struct tcp_info) translated field by field to TCP_INFO_v1.
 *
 * Throws WinsockError (e.g. WSAEOPNOTSUPP / WSAEINVAL on a datagram socket).
 */
export function tcpInfo(sock: SocketLike): TcpInfo {
  const out = new Uint8Array(TCP_INFO_V1_SIZE);
  ioctlOn(sock, ws.SIO_TCP_INFO, dwordInput(1), out);
  const info = decodeTcpInfo(out, 1);
  return { ...info, stateName: tcpStateName(info.State) };
}

/**
 * How many bytes to keep queued for sending so the connection stays busy:
 * **SIO_IDEAL_SEND_BACKLOG_QUERY** (ISB).
 *
 * - Windows: ws2_32 (derived from the bandwidth-delay product).
 * - Linux: derived from tcp_info (congestion window and RTT) by the emulation.
 *
 * Throws WinsockError WSAENOTCONN when not connected, WSAEOPNOTSUPP on a datagram socket.
 */
export function idealSendBacklog(sock: SocketLike): number {
  const out = new Uint8Array(4);
  ioctlOn(sock, ws.SIO_IDEAL_SEND_BACKLOG_QUERY, null, out);
  return u32(out);
}

/**
 * Whether an ICMP "port unreachable" for an earlier datagram makes the next receive fail with
 * WSAECONNRESET: **SIO_UDP_CONNRESET** (on by default on Windows).
 *
 * - Windows: ws2_32.
 * - Linux: a flag of the emulation, which reports ICMP errors (IP_RECVERR) on the UDP sockets it
 *   creates. On a Node dgram.Socket (borrowed) only the Winsock flag changes: IP_RECVERR is never
 *   set on Node's socket, and Node's own receiving is not affected.
 *
 * Throws WinsockError (WSAEINVAL / WSAEOPNOTSUPP) on a stream socket.
 */
export function setUdpConnReset(sock: SocketLike, on: boolean): void {
  ioctlOn(sock, ws.SIO_UDP_CONNRESET, dwordInput(on ? 1 : 0), null);
}
