/**
 * Linux `struct tcp_info` (getsockopt IPPROTO_TCP / TCP_INFO) read at fixed byte offsets, the
 * connection start the emulation tracks itself (Linux keeps none), and the mapping to Windows
 * TCP_INFO_v0/v1/v2 and to the ideal send backlog. docs/tcp-info-mapping.md explains every field.
 *
 * The kernel copies min(optlen, sizeof its tcp_info) bytes and reports that length: an older
 * kernel returns a shorter structure, so every field past the returned length reads as undefined
 * and the Windows side then says 0 for it.
 */
import * as C from '../../../winsock/constants.js';
import type { TcpInfoInput } from '../../../structs/tcp-info.js';
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { ioctlInt, kernelInt, TCP_STATE } from '../host/socket-facts.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** Bigger than any kernel's tcp_info so far (6.18 returns 280 bytes). */
const TCP_INFO_BUFFER = 512;

/** The tcp_info fields the emulation uses; undefined when the kernel returned fewer bytes. */
export interface LinuxTcpInfo {
  /** Bytes the kernel returned. */
  length: number;
  state: number;
  retransmits: number;
  options: number;
  deliveryRateAppLimited: boolean;
  sndMss: number;
  unacked: number;
  lastDataSent: number;
  lastDataRecv: number;
  lastAckRecv: number;
  rtt: number;
  sndCwnd: number;
  totalRetrans: number;
  // The 64-bit kernel fields are exact: the byte counters a number below 2^53 and a bigint above
  // (`U64`), copied whole into Windows' 64-bit fields; rates and times numbers (exact below 2^53:
  // 285 years of microseconds).
  bytesAcked?: U64;
  bytesReceived?: U64;
  notsentBytes?: number;
  minRtt?: number;
  deliveryRate?: number;
  busyTime?: number;
  rwndLimited?: number;
  sndbufLimited?: number;
  deliveredCe?: number;
  bytesSent?: U64;
  bytesRetrans?: U64;
  reordSeen?: number;
  rcvOooPack?: number;
  sndWnd?: number;
  rcvWnd?: number;
  totalRto?: number;
  totalRtoRecoveries?: number;
  totalRtoTime?: number;
}

/** Linux tcp_info.tcpi_options bits (include/uapi/linux/tcp.h). */
export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_ECN = 8;

/** A 64-bit unsigned kernel value, exactly: a number below 2^53 (no bigint made), else a bigint. */
export type U64 = number | bigint;

// The getsockopt arguments in native memory (host/libc.ts nativeBlock: koffi's fast call): the
// tcp_info from @0, its socklen_t after it. Calls are synchronous, one at a time. The parse reads
// the block through typed arrays made once (every tcp_info field is aligned to its size, and the
// block is malloc'd, so 8-byte aligned): indexed loads, where DataView calls and their length
// checks made the parse's code several times larger.
const LENGTH_AT = TCP_INFO_BUFFER;
const infoArgs = libc.nativeBlock(TCP_INFO_BUFFER + 8);
const blockWords = (bytes: Uint8Array): TcpInfoWords =>
  ({ u8: bytes, u16: new Uint16Array(bytes.buffer, bytes.byteOffset, TCP_INFO_BUFFER / 2), u32: new Uint32Array(bytes.buffer, bytes.byteOffset, TCP_INFO_BUFFER / 4) });
const infoWords = blockWords(infoArgs.bytes);

/** One tcp_info's bytes seen three ways (host byte order: the kernel's). */
interface TcpInfoWords {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
}

// Field readers: a field past the `n` bytes the kernel returned (an older kernel's shorter
// structure) is undefined; `off` is its byte offset.
const field8 = (t: TcpInfoWords, n: number, off: number): number => (off < n ? t.u8[off]! : 0);
const field16 = (t: TcpInfoWords, n: number, off: number): number | undefined => (off + 2 <= n ? t.u16[off >> 1] : undefined);
const field32 = (t: TcpInfoWords, n: number, off: number): number | undefined => (off + 4 <= n ? t.u32[off >> 2] : undefined);
/** A rate or time: a number (exact below 2^53). */
const field64Number = (t: TcpInfoWords, n: number, off: number): number | undefined =>
  (off + 8 <= n ? t.u32[off >> 2]! + t.u32[(off >> 2) + 1]! * 2 ** 32 : undefined);
/** A counter, exactly (`U64`). */
function field64(t: TcpInfoWords, n: number, off: number): U64 | undefined {
  if (off + 8 > n) return undefined;
  const low = t.u32[off >> 2]!;
  const high = t.u32[(off >> 2) + 1]!;
  return high < 0x200000 ? high * 2 ** 32 + low : (BigInt(high) << 32n) | BigInt(low);
}

/** Decode the first `length` bytes of a Linux tcp_info (x86_64 / generic layout). */
export function parseLinuxTcpInfo(buf: Uint8Array, length: number): LinuxTcpInfo {
  // A copy into aligned memory of its own (the caller's bytes may sit at any offset).
  const n = Math.min(length, buf.length, TCP_INFO_BUFFER);
  const copy = new Uint8Array(TCP_INFO_BUFFER);
  copy.set(buf.subarray(0, n));
  return parseWords(blockWords(copy), n);
}

/** The tcp_info of `n` bytes in `t`. */
function parseWords(t: TcpInfoWords, n: number): LinuxTcpInfo {
  return {
    length: n,
    state: field8(t, n, 0),
    retransmits: field8(t, n, 2),
    options: field8(t, n, 5),
    deliveryRateAppLimited: (field8(t, n, 7) & 1) !== 0,
    sndMss: field32(t, n, 16) ?? 0,
    unacked: field32(t, n, 24) ?? 0,
    lastDataSent: field32(t, n, 44) ?? 0,
    lastDataRecv: field32(t, n, 52) ?? 0,
    lastAckRecv: field32(t, n, 56) ?? 0,
    rtt: field32(t, n, 68) ?? 0,
    sndCwnd: field32(t, n, 80) ?? 0,
    totalRetrans: field32(t, n, 100) ?? 0,
    bytesAcked: field64(t, n, 120),
    bytesReceived: field64(t, n, 128),
    notsentBytes: field32(t, n, 144),
    minRtt: field32(t, n, 148),
    deliveryRate: field64Number(t, n, 160),
    busyTime: field64Number(t, n, 168),
    rwndLimited: field64Number(t, n, 176),
    sndbufLimited: field64Number(t, n, 184),
    deliveredCe: field32(t, n, 196),
    bytesSent: field64(t, n, 200),
    bytesRetrans: field64(t, n, 208),
    reordSeen: field32(t, n, 220),
    rcvOooPack: field32(t, n, 224),
    sndWnd: field32(t, n, 228),
    rcvWnd: field32(t, n, 232),
    totalRto: field16(t, n, 240),
    totalRtoRecoveries: field16(t, n, 242),
    totalRtoTime: field32(t, n, 244),
  };
}

/** getsockopt(IPPROTO_TCP, TCP_INFO) on `fd`: the parsed structure, or the Linux errno. */
export function readLinuxTcpInfo(fd: number): LinuxTcpInfo | number {
  infoArgs.view.setUint32(LENGTH_AT, TCP_INFO_BUFFER, true);
  if (libc.getsockoptAt(fd, L.IPPROTO_TCP, L.TCP_INFO, infoArgs.address, infoArgs.address + LENGTH_AT) < 0) return libc.errno();
  return parseWords(infoWords, Math.min(infoArgs.view.getUint32(LENGTH_AT, true), TCP_INFO_BUFFER));
}

/** Windows TCPSTATE by Linux tcpi_state (index). */
const STATE_TABLE: readonly number[] = (() => {
  const table: number[] = [];
  const pairs: Array<[number, number]> = [
    [TCP_STATE.ESTABLISHED, C.TCPSTATE_ESTABLISHED], [TCP_STATE.SYN_SENT, C.TCPSTATE_SYN_SENT],
    [TCP_STATE.SYN_RECV, C.TCPSTATE_SYN_RCVD], [TCP_STATE.FIN_WAIT1, C.TCPSTATE_FIN_WAIT_1],
    [TCP_STATE.FIN_WAIT2, C.TCPSTATE_FIN_WAIT_2], [TCP_STATE.TIME_WAIT, C.TCPSTATE_TIME_WAIT],
    [TCP_STATE.CLOSE, C.TCPSTATE_CLOSED], [TCP_STATE.CLOSE_WAIT, C.TCPSTATE_CLOSE_WAIT],
    [TCP_STATE.LAST_ACK, C.TCPSTATE_LAST_ACK], [TCP_STATE.LISTEN, C.TCPSTATE_LISTEN],
    [TCP_STATE.CLOSING, C.TCPSTATE_CLOSING], [TCP_STATE.NEW_SYN_RECV, C.TCPSTATE_SYN_RCVD],
    [TCP_STATE.BOUND_INACTIVE, C.TCPSTATE_CLOSED],
  ];
  for (const [linux, windows] of pairs) table[linux] = windows;
  return table;
})();

/** Windows TCPSTATE for a Linux tcpi_state (unknown future states read as CLOSED). */
export function windowsTcpState(linuxState: number): number {
  return STATE_TABLE[linuxState] ?? C.TCPSTATE_CLOSED;
}

/** States in which the connection has been synchronized (the three-way handshake completed). */
export function isSynchronized(linuxState: number): boolean {
  return linuxState === TCP_STATE.ESTABLISHED || linuxState === TCP_STATE.FIN_WAIT1
    || linuxState === TCP_STATE.FIN_WAIT2 || linuxState === TCP_STATE.TIME_WAIT
    || linuxState === TCP_STATE.CLOSE_WAIT || linuxState === TCP_STATE.LAST_ACK
    || linuxState === TCP_STATE.CLOSING;
}

/** States in which the send side is still open (synchronized, and this side has not sent its FIN). */
export function canSend(linuxState: number): boolean {
  return linuxState === TCP_STATE.ESTABLISHED || linuxState === TCP_STATE.CLOSE_WAIT;
}

export function isHandshaking(linuxState: number): boolean {
  return linuxState === TCP_STATE.SYN_SENT || linuxState === TCP_STATE.SYN_RECV || linuxState === TCP_STATE.NEW_SYN_RECV;
}

// ---------------------------------------------------------------------------------------------
// Connection start. Linux records no connection start time, so the emulation notes it: at
// connect() success (noteTcpConnected), at accept() (the accepted socket is created
// established), and otherwise (a non-blocking connect that completed in the kernel, a socket
// adopted from Node) at the first look, estimated from the kernel's last_* timers.

interface Establishment {
  /** Date.now() when the connection was established (or our best estimate of it). */
  atMs: number;
  /** SYN retransmissions the handshake needed. */
  synRetrans: number;
}

// Both times are kept in the socket's record (0: not noted), so every JS thread reports the same.

function isTcp(sock: LinuxSocket): boolean {
  return sock.type === C.SOCK_STREAM;
}

/** Handshake RTO timeouts: tcpi_total_rto (Linux 6.7+) counts them, before any data RTO. */
function synRetransAt(info: LinuxTcpInfo): number {
  return Math.min(255, info.totalRto ?? 0);
}

/**
 * The kernel's last_* timers tick in jiffies (1 to 10 ms, HZ 1000 down to 100), so an age read
 * from them can be up to one tick too old; taking a tick off keeps the estimate a lower bound.
 */
const JIFFY_MARGIN_MS = 10;

/** What the kernel's timers say about the connection's age: a lower bound, in ms. */
function ageLowerBound(info: LinuxTcpInfo): number {
  return Math.max(0, Math.max(info.lastDataSent, info.lastDataRecv, info.lastAckRecv) - JIFFY_MARGIN_MS);
}

function noteEstablished(sock: LinuxSocket, atMs: number, synRetrans: number): Establishment {
  sock.tcpSynRetrans = synRetrans;
  sock.tcpEstablishedAt = atMs;
  return { atMs, synRetrans };
}

function estimate(sock: LinuxSocket, info: LinuxTcpInfo): Establishment {
  const now = Date.now();
  const created = sock.tcpCreatedAt;
  let age = ageLowerBound(info);
  if (created !== 0) age = Math.min(age, now - created);
  return noteEstablished(sock, now - age, synRetransAt(info));
}

/** A socket was made or accepted: note when, for the connection start SIO_TCP_INFO reports. */
export function noteTcpSocketCreated(sock: LinuxSocket): void {
  // An adopted socket may be older than this moment: leave it to the first look's estimate.
  if (!isTcp(sock) || sock.borrowed || sock.fd < 0) return;
  const info = readLinuxTcpInfo(sock.fd);
  // accept(): the new socket is born established, possibly after a wait in the backlog, which
  // the kernel's timers measure (the emulation's object is new, the connection is not).
  if (typeof info !== 'number' && isSynchronized(info.state)) estimate(sock, info);
  else sock.tcpCreatedAt = Date.now();
}

/**
 * socket() / WSASocketW made `sock` now: a new socket is in CLOSE, never synchronized, so its
 * creation time is all there is to note (no TCP_INFO read, one system call fewer per socket).
 */
export function noteTcpSocketMade(sock: LinuxSocket): void {
  if (isTcp(sock)) sock.tcpCreatedAt = Date.now();
}

/** connect() established the connection now (`known`: the TCP_INFO the caller just read, if any). */
export function noteTcpConnected(sock: LinuxSocket, known?: LinuxTcpInfo): void {
  const info = known ?? readLinuxTcpInfo(sock.fd);
  noteEstablished(sock, Date.now(), typeof info === 'number' ? 0 : synRetransAt(info));
}

/** The connection's establishment as the emulation knows it, or null when it never was. */
export function establishmentOf(sock: LinuxSocket, info: LinuxTcpInfo): Establishment | null {
  const atMs = sock.tcpEstablishedAt;
  if (atMs !== 0) return { atMs, synRetrans: sock.tcpSynRetrans };
  return isSynchronized(info.state) ? estimate(sock, info) : null;
}

// ---------------------------------------------------------------------------------------------
// Mapping to Windows.

/** What the Windows structure needs beyond tcp_info, read by the caller from the socket. */
export interface TcpInfoContext {
  connectionTimeMs: number;
  synRetrans: number;
  bytesInFlight: number;
  rcvBuf: number;
}

const U32_MAX = 0xffffffff;
const u32 = (n: number): number => (n <= 0 ? 0 : n >= U32_MAX ? U32_MAX : Math.floor(n));
/** A 64-bit kernel counter into a 32-bit Windows counter: it wraps, as a ULONG counter does. */
const wrap32 = (n: U64 | undefined): number => (typeof n === 'bigint' ? Number(BigInt.asUintN(32, n)) : (n ?? 0) >>> 0);
/** Microseconds of a kernel chrono into whole milliseconds (a ULONG that saturates). */
const ms = (us: number): number => u32(us / 1000);

/**
 * Windows TCP_INFO_v2 (v0 and v1 are its prefixes) for a Linux tcp_info, as encodeTcpInfo takes
 * it: the 64-bit fields are numbers while they fit one exactly (no bigint made per call). Pure.
 */
export function windowsTcpInfo(info: LinuxTcpInfo, ctx: TcpInfoContext): Required<TcpInfoInput> {
  const busy = info.busyTime ?? 0;
  const rwnd = info.rwndLimited ?? 0;
  const sndbuf = info.sndbufLimited ?? 0;
  const cwndLimited = Math.max(0, busy - rwnd - sndbuf);
  return {
    State: windowsTcpState(info.state),
    Mss: info.sndMss,
    ConnectionTimeMs: Math.max(0, Math.floor(ctx.connectionTimeMs)),
    TimestampsEnabled: (info.options & TCPI_OPT_TIMESTAMPS) !== 0,
    RttUs: info.rtt,
    MinRttUs: info.minRtt ?? 0,
    BytesInFlight: u32(ctx.bytesInFlight),
    Cwnd: u32(info.sndCwnd * info.sndMss),
    SndWnd: info.sndWnd ?? 0,
    RcvWnd: info.rcvWnd ?? 0,
    RcvBuf: u32(ctx.rcvBuf),
    BytesOut: info.bytesSent ?? info.bytesAcked ?? 0,
    BytesIn: info.bytesReceived ?? 0,
    BytesReordered: 0,
    BytesRetrans: wrap32(info.bytesRetrans),
    FastRetrans: 0,
    DupAcksIn: 0,
    TimeoutEpisodes: info.totalRtoRecoveries ?? 0,
    SynRetrans: Math.min(255, ctx.synRetrans),
    SndLimTransRwin: 0,
    SndLimTimeRwin: ms(rwnd),
    SndLimBytesRwin: 0,
    SndLimTransCwnd: 0,
    SndLimTimeCwnd: ms(cwndLimited),
    SndLimBytesCwnd: 0,
    SndLimTransSnd: 0,
    SndLimTimeSnd: ms(sndbuf),
    SndLimBytesSnd: 0,
    OutOfOrderPktsIn: info.rcvOooPack ?? 0,
    EcnNegotiated: (info.options & TCPI_OPT_ECN) !== 0,
    EceAcksIn: 0,
    PtoEpisodes: 0,
  };
}

/** SIOCOUTQ (bytes not yet acknowledged, sent or not) minus tcpi_notsent_bytes: bytes in flight. */
function bytesInFlight(fd: number, info: LinuxTcpInfo): number {
  const outq = ioctlInt(fd, L.SIOCOUTQ);
  return typeof outq === 'number' ? Math.max(0, outq - (info.notsentBytes ?? 0)) : 0;
}

/** The receive buffer in use (autotuned): half the kernel's SO_RCVBUF, which counts bookkeeping too. */
function receiveBuffer(fd: number): number {
  const size = kernelInt(fd, L.SOL_SOCKET, L.SO_RCVBUF);
  return size === null ? 0 : Math.floor(size / 2);
}

/** Everything SIO_TCP_INFO returns, read from a live socket; or the Linux errno. */
export function tcpInfoOf(sock: LinuxSocket): Required<TcpInfoInput> | number {
  const fd = sock.fd;
  const info = readLinuxTcpInfo(fd);
  if (typeof info === 'number') return info;
  const est = establishmentOf(sock, info);
  return windowsTcpInfo(info, {
    connectionTimeMs: est ? Date.now() - est.atMs : 0,
    synRetrans: isHandshaking(info.state) ? info.retransmits : est?.synRetrans ?? 0,
    bytesInFlight: isSynchronized(info.state) ? bytesInFlight(fd, info) : 0,
    rcvBuf: receiveBuffer(fd),
  });
}

// ---------------------------------------------------------------------------------------------
// Ideal send backlog.

/** Windows' floor: a fresh loopback connection reports exactly 0x10000 (Wine's test_backlog_query). */
export const ISB_MIN = 0x10000;
/** The documented range ends at 16 MB. */
export const ISB_MAX = 0x1000000;

/**
 * The ideal send backlog: the bandwidth-delay product, delivery rate × smoothed RTT. When the
 * rate sample was application-limited it understates the path, so the congestion window
 * (cwnd × MSS, what TCP would put in flight now) is taken when larger. No rate sample yet (a
 * fresh connection) gives the floor. Clamped to [64 KiB, 16 MiB]. Pure.
 */
export function idealSendBacklog(info: LinuxTcpInfo): number {
  const rate = info.deliveryRate ?? 0; // bytes per second
  let bdp = rate > 0 && info.rtt > 0 ? (rate * info.rtt) / 1e6 : 0;
  if (rate > 0 && info.deliveryRateAppLimited) bdp = Math.max(bdp, info.sndCwnd * info.sndMss);
  return Math.min(ISB_MAX, Math.max(ISB_MIN, Math.round(bdp)));
}
