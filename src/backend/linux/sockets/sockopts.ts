/**
 * getsockopt / setsockopt: Windows levels and option names translated to Linux, values converted
 * where the two systems disagree, and option lengths as Windows takes and reports them.
 *
 * Facts (Wine dlls/ws2_32/tests/sock.c, whose checks without todo_wine pass on Windows):
 * - test_set_getsockopt, its test_optsize table: per option, the lengths accepted and reported.
 *   SOL_SOCKET BOOLs (SO_BROADCAST, SO_REUSEADDR, SO_EXCLUSIVEADDRUSE, SO_OOBINLINE,
 *   SO_DONTLINGER) take 1-3 byte values and, read with optlen under 4, write optlen bytes and
 *   report 1; an empty value is accepted and changes nothing. BOOLEAN options (SO_KEEPALIVE,
 *   SO_DONTROUTE, TCP_NODELAY, IPV6_V6ONLY) always report 1 byte. IP-level "short" options take
 *   1-3 bytes and report 1 byte when optlen is under 4. SO_LINGER / SO_RCVBUF / SO_SNDBUF need 4
 *   bytes; a shorter read fails with WSAEFAULT after zeroing optlen bytes. Other IP / TCP options
 *   need 4 bytes; a shorter read fails with WSAEFAULT and sets optlen to 0. optlen -1 on set is a
 *   huge length: SOL_SOCKET DWORD options read their DWORD, the rest fail with WSAENOBUFS.
 *   SO_LINGER reads back l_onoff as set (0x100 stays 0x100). IP_HDRINCL on TCP / UDP: WSAEINVAL
 *   (IPV6_HDRINCL likewise; both apply to raw sockets, which start with it off).
 *   SO_ERROR is settable and sticky.
 * - test_reuseaddr: SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other (WSAEINVAL).
 * - test_extendedSocketOptions: SO_LINGER on UDP is WSAENOPROTOOPT; SO_DONTLINGER = !l_onoff.
 * - test_accept_inheritance: an accepted socket takes its listener's options, SO_LINGER included.
 * Microsoft's "SOL_SOCKET / IPPROTO_TCP socket options" pages: SO_CONNECT_TIME (seconds
 * connected, 0xFFFFFFFF when not), TCP_MAXRT (seconds) / TCP_MAXRTMS (ms), TCP_FASTOPEN,
 * TCP_TIMESTAMPS, TCP_NOSYNRETRIES, TCP_FAIL_CONNECT_ON_ICMP_ERROR, TCP_ICMP_ERROR_INFO
 * (WSAGetIcmpErrorInfo: WSANO_DATA until an ICMP error arrives). The IPPROTO_IP / IPPROTO_IPV6
 * pages: IP_UNICAST_IF (31) sets the interface of outgoing unicast IPv4 by its index in network
 * byte order, IPV6_UNICAST_IF (31) by its index in host order; both read back in host order
 * (shared spec remaining-codes.md #29; Linux's IP_UNICAST_IF / IPV6_UNICAST_IF both take and
 * report network order, so the bytes are turned around where the two differ). Where Linux has no such
 * setting the value is kept by the emulation (README, "Where the Linux emulation approximates").
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { Ref, SOCKET } from '../../../winsock/types.js';
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { wsaFromErrno } from '../host/errno.js';
import { isKeepAliveOption, pendingKeepAliveValue, settleWindowsKeepAliveDefaults } from './keepalive-defaults.js';
import { fail, ok } from '../win32/last-error.js';
import { isBound, kernelInt, setKernelInt } from '../host/socket-facts.js';
import { noteOobInlineChange } from './urgent.js';
import { socketFor } from './lookup.js';
import { establishmentOf, readLinuxTcpInfo } from './tcp-info.js';
import { callerBuffer, inOutLength } from '../../../winsock/arguments.js';
import type { LinuxSocket, MirrorName } from '../win32/socket-state.js';
import { ICMP_ERROR_INFO_SIZE, readIcmpErrorInfo } from './icmp-error-info.js';
import { updateAcceptContext } from './extension/accept-ex.js';
import { updateConnectContext } from './extension/connect-ex.js';
import { controlOption, type ControlOption } from './control-messages.js';

type Kind =
  | 'bool'          // BOOL (4 bytes), kernel int
  | 'byte'          // a BOOLEAN for Windows: reported as 1 byte, only the first byte set counts
  | 'int'           // int / DWORD, kernel int
  | 'error'         // SO_ERROR: a Winsock error number
  | 'type'          // SO_TYPE: the Windows socket type
  | 'bufferSize'    // SO_SNDBUF / SO_RCVBUF: Windows' default until set, then exactly what was set
  | 'receiveTimeout' | 'sendTimeout' // DWORD milliseconds, kept by the emulation
  | 'linger' | 'dontLinger' // SO_LINGER (struct linger of two u_shorts) and its negation
  | 'exclusiveAddrUse' // SO_EXCLUSIVEADDRUSE: kept, exclusive with SO_REUSEADDR
  | 'kept'          // a value Linux has no per-socket place for: kept by the emulation
  | 'connectTime'   // SO_CONNECT_TIME
  | 'maxRetransmitSeconds' | 'maxRetransmitMs' // TCP_MAXRT / TCP_MAXRTMS over TCP_USER_TIMEOUT
  | 'noSynRetries'  // TCP_NOSYNRETRIES over TCP_SYNCNT
  | 'fastOpen'      // TCP_FASTOPEN over TCP_FASTOPEN_CONNECT
  | 'failOnIcmp'    // TCP_FAIL_CONNECT_ON_ICMP_ERROR over IP_RECVERR / IPV6_RECVERR
  | 'icmpErrorInfo' // TCP_ICMP_ERROR_INFO: an ICMP_ERROR_INFO (icmp-error-info.ts)
  | 'dontFragment'  // IP_DONTFRAGMENT / IPV6_DONTFRAG
  | 'control'       // asks for a WSARecvMsg control record (control-messages.ts)
  | 'rawOnly'       // IP_HDRINCL: a raw-socket option, WSAEINVAL elsewhere
  | 'unicastIf';    // IP_UNICAST_IF / IPV6_UNICAST_IF: the byte orders translated (see below)

interface Option {
  linuxLevel: number;
  linuxName: number;
  kind: Kind;
  readOnly?: boolean;
  /** Socket types the option applies to (default: any). */
  types?: number[];
  /** Windows also takes 1-3 byte values (little-endian) and reports 1 byte when optlen is under 4. */
  short?: boolean;
  /** A read with optlen under 4 zeroes optlen bytes before failing (SO_LINGER, SO_RCVBUF, SO_SNDBUF). */
  zeroesShortRead?: boolean;
  /** The largest value Windows accepts; above it, WSAEINVAL. */
  max?: number;
  /** Key of the value kept in LinuxSocket.optionMirrors. */
  mirror?: MirrorName;
  /** What a socket reports before the option is set, for values the emulation keeps. */
  initial?: (sock: LinuxSocket) => number;
}

/** What getsockopt(SO_SNDBUF / SO_RCVBUF) answers on Windows 10 and later until the program sets it. */
export const WINDOWS_DEFAULT_BUFFER_SIZE = 65536;

const NONE = -1;
const key = (level: number, name: number) => `${level >>> 0}:${name | 0}`;
const sol = (name: number, o: Omit<Option, 'linuxLevel'>): [string, Option] => [key(C.SOL_SOCKET, name), { linuxLevel: L.SOL_SOCKET, ...o }];
const tcp = (name: number, o: Omit<Option, 'linuxLevel' | 'types'>): [string, Option] =>
  [key(C.IPPROTO_TCP, name), { linuxLevel: L.IPPROTO_TCP, types: [C.SOCK_STREAM], ...o }];
const ip = (name: number, o: Omit<Option, 'linuxLevel'>): [string, Option] => [key(C.IPPROTO_IP, name), { linuxLevel: L.IPPROTO_IP, ...o }];
const ip6 = (name: number, o: Omit<Option, 'linuxLevel'>): [string, Option] => [key(C.IPPROTO_IPV6, name), { linuxLevel: L.IPPROTO_IPV6, ...o }];
const DGRAM_OR_RAW = [C.SOCK_DGRAM, C.SOCK_RAW];

const options = new Map<string, Option>([
  sol(C.SO_DEBUG, { linuxName: L.SO_DEBUG, kind: 'bool' }),
  sol(C.SO_ACCEPTCONN, { linuxName: L.SO_ACCEPTCONN, kind: 'bool', readOnly: true }),
  sol(C.SO_REUSEADDR, { linuxName: L.SO_REUSEADDR, kind: 'bool', short: true }),
  sol(C.SO_EXCLUSIVEADDRUSE, { linuxName: NONE, kind: 'exclusiveAddrUse', short: true, mirror: 'SO_EXCLUSIVEADDRUSE' }),
  sol(C.SO_KEEPALIVE, { linuxName: L.SO_KEEPALIVE, kind: 'byte', types: [C.SOCK_STREAM] }),
  sol(C.SO_DONTROUTE, { linuxName: L.SO_DONTROUTE, kind: 'byte' }),
  sol(C.SO_BROADCAST, { linuxName: L.SO_BROADCAST, kind: 'bool', short: true }),
  sol(C.SO_LINGER, { linuxName: L.SO_LINGER, kind: 'linger', types: [C.SOCK_STREAM], zeroesShortRead: true }),
  sol(C.SO_DONTLINGER, { linuxName: L.SO_LINGER, kind: 'dontLinger', types: [C.SOCK_STREAM], short: true }),
  sol(C.SO_OOBINLINE, { linuxName: L.SO_OOBINLINE, kind: 'bool', short: true }),
  sol(C.SO_SNDBUF, { linuxName: L.SO_SNDBUF, kind: 'bufferSize', mirror: 'SO_SNDBUF', zeroesShortRead: true }),
  sol(C.SO_RCVBUF, { linuxName: L.SO_RCVBUF, kind: 'bufferSize', mirror: 'SO_RCVBUF', zeroesShortRead: true }),
  sol(C.SO_ERROR, { linuxName: L.SO_ERROR, kind: 'error', mirror: 'SO_ERROR' }),
  sol(C.SO_TYPE, { linuxName: L.SO_TYPE, kind: 'type', readOnly: true }),
  sol(C.SO_RCVTIMEO, { linuxName: L.SO_RCVTIMEO, kind: 'receiveTimeout' }),
  sol(C.SO_SNDTIMEO, { linuxName: L.SO_SNDTIMEO, kind: 'sendTimeout' }),
  sol(C.SO_CONNECT_TIME, { linuxName: NONE, kind: 'connectTime', readOnly: true }),
  sol(C.SO_RANDOMIZE_PORT, { linuxName: NONE, kind: 'kept', mirror: 'SO_RANDOMIZE_PORT' }),
  sol(C.SO_PORT_SCALABILITY, { linuxName: NONE, kind: 'kept', mirror: 'SO_PORT_SCALABILITY' }),
  tcp(C.TCP_NODELAY, { linuxName: L.TCP_NODELAY, kind: 'byte' }),
  tcp(C.TCP_KEEPALIVE, { linuxName: L.TCP_KEEPIDLE, kind: 'int' }),
  tcp(C.TCP_KEEPINTVL, { linuxName: L.TCP_KEEPINTVL, kind: 'int' }),
  tcp(C.TCP_KEEPCNT, { linuxName: L.TCP_KEEPCNT, kind: 'int', max: 255 }),
  tcp(C.TCP_MAXSEG, { linuxName: L.TCP_MAXSEG, kind: 'int' }),
  tcp(C.TCP_MAXRT, { linuxName: L.TCP_USER_TIMEOUT, kind: 'maxRetransmitSeconds', mirror: 'TCP_MAXRT_MS' }),
  tcp(C.TCP_MAXRTMS, { linuxName: L.TCP_USER_TIMEOUT, kind: 'maxRetransmitMs', mirror: 'TCP_MAXRT_MS' }),
  tcp(C.TCP_NOSYNRETRIES, { linuxName: L.TCP_SYNCNT, kind: 'noSynRetries', mirror: 'TCP_NOSYNRETRIES' }),
  tcp(C.TCP_FASTOPEN, { linuxName: L.TCP_FASTOPEN_CONNECT, kind: 'fastOpen', mirror: 'TCP_FASTOPEN' }),
  tcp(C.TCP_TIMESTAMPS, { linuxName: NONE, kind: 'kept', mirror: 'TCP_TIMESTAMPS' }),
  tcp(C.TCP_CONGESTION_ALGORITHM, { linuxName: NONE, kind: 'kept', mirror: 'TCP_CONGESTION_ALGORITHM' }),
  tcp(C.TCP_FAIL_CONNECT_ON_ICMP_ERROR, { linuxName: NONE, kind: 'failOnIcmp', mirror: 'TCP_FAIL_CONNECT_ON_ICMP_ERROR' }),
  tcp(C.TCP_ICMP_ERROR_INFO, { linuxName: NONE, kind: 'icmpErrorInfo', readOnly: true }),
  ip(C.IP_HDRINCL, { linuxName: L.IP_HDRINCL, kind: 'rawOnly' }),
  ip(C.IP_TOS, { linuxName: L.IP_TOS, kind: 'int', short: true, max: 255 }),
  ip(C.IP_TTL, { linuxName: L.IP_TTL, kind: 'int', short: true, max: 255 }),
  ip(C.IP_MULTICAST_TTL, { linuxName: L.IP_MULTICAST_TTL, kind: 'int', types: DGRAM_OR_RAW, short: true, max: 255 }),
  ip(C.IP_MULTICAST_LOOP, { linuxName: L.IP_MULTICAST_LOOP, kind: 'bool', types: DGRAM_OR_RAW, short: true }),
  ip(C.IP_DONTFRAGMENT, { linuxName: L.IP_MTU_DISCOVER, kind: 'dontFragment', short: true, mirror: 'IP_DONTFRAGMENT' }),
  ip(C.IP_PKTINFO, { linuxName: L.IP_PKTINFO, kind: 'control', types: DGRAM_OR_RAW }),
  ip(C.IP_RECVTTL, { linuxName: L.IP_RECVTTL, kind: 'control', types: DGRAM_OR_RAW }),
  ip(C.IP_RECVTOS, { linuxName: L.IP_RECVTOS, kind: 'control', types: DGRAM_OR_RAW }),
  ip(C.IP_ECN, { linuxName: L.IP_RECVTOS, kind: 'control', types: DGRAM_OR_RAW }),
  ip6(C.IPV6_HDRINCL, { linuxName: L.IPV6_HDRINCL, kind: 'rawOnly' }),
  ip6(C.IPV6_UNICAST_HOPS, { linuxName: L.IPV6_UNICAST_HOPS, kind: 'int', short: true, max: 255 }),
  ip6(C.IPV6_MULTICAST_HOPS, { linuxName: L.IPV6_MULTICAST_HOPS, kind: 'int', types: DGRAM_OR_RAW, short: true, max: 255 }),
  ip6(C.IPV6_MULTICAST_LOOP, { linuxName: L.IPV6_MULTICAST_LOOP, kind: 'bool', types: DGRAM_OR_RAW, short: true }),
  ip6(C.IPV6_V6ONLY, { linuxName: L.IPV6_V6ONLY, kind: 'byte' }),
  ip6(C.IPV6_DONTFRAG, { linuxName: L.IPV6_DONTFRAG, kind: 'dontFragment', short: true, mirror: 'IPV6_DONTFRAG' }),
  ip6(C.IPV6_PKTINFO, { linuxName: L.IPV6_RECVPKTINFO, kind: 'control', types: DGRAM_OR_RAW }),
  ip6(C.IPV6_HOPLIMIT, { linuxName: L.IPV6_RECVHOPLIMIT, kind: 'control', types: DGRAM_OR_RAW }),
  ip6(C.IPV6_RECVTCLASS, { linuxName: L.IPV6_RECVTCLASS, kind: 'control', types: DGRAM_OR_RAW }),
  ip6(C.IPV6_ECN, { linuxName: L.IPV6_RECVTCLASS, kind: 'control', types: DGRAM_OR_RAW }),
  ip(C.IP_UNICAST_IF, { linuxName: L.IP_UNICAST_IF, kind: 'unicastIf' }),
  ip6(C.IPV6_UNICAST_IF, { linuxName: L.IPV6_UNICAST_IF, kind: 'unicastIf' }),
]);

/** The 32-bit value with its bytes reversed (network <-> host order of an interface index). */
const byteSwap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/** Each enabling option's entry in `options`, with what control-messages.ts says about it. */
const controlOptionsByEntry = new Map<Option, ControlOption>();
for (const [name, option] of options) {
  if (option.kind !== 'control') continue;
  const [level, optname] = name.split(':').map(Number) as [number, number];
  const control = controlOption(level, optname);
  if (control) controlOptionsByEntry.set(option, control);
}

function optionFor(sock: LinuxSocket, level: number, optname: number): Option | number {
  const option = options.get(key(level, optname));
  if (!option) {
    const knownLevel = level === C.SOL_SOCKET || level === C.IPPROTO_TCP || level === C.IPPROTO_IP || level === C.IPPROTO_IPV6 || level === C.IPPROTO_UDP;
    return knownLevel ? W.WSAENOPROTOOPT : W.WSAEINVAL;
  }
  if (option.linuxLevel === L.IPPROTO_IPV6 && sock.af !== C.AF_INET6) return W.WSAEINVAL;
  // An IPv6 socket also carries IPv4 (dual stack): it takes the IPv4 control-record options for
  // that traffic (the LPFN_WSARECVMSG page: a dual-stack socket needs IP_PKTINFO for IPv4 datagrams).
  if (option.linuxLevel === L.IPPROTO_IP && sock.af !== C.AF_INET && !(option.kind === 'control' && sock.af === C.AF_INET6)) return W.WSAEINVAL;
  if (option.kind === 'rawOnly' && sock.type !== C.SOCK_RAW) return W.WSAEINVAL;
  // IP-level options on a socket they do not apply to (multicast on TCP): Windows says WSAEINVAL.
  if (option.types && !option.types.includes(sock.type)) return option.linuxLevel === L.IPPROTO_IP || option.linuxLevel === L.IPPROTO_IPV6 ? W.WSAEINVAL : W.WSAENOPROTOOPT;
  return option;
}

/**
 * IPV6_V6ONLY set on an AF_INET socket that is not bound yet: Windows accepts it (issue 13's
 * reading of Wine sock.c test_ipv6only) and there is nothing for it to change.
 */
function isV6OnlyOnUnboundIPv4(sock: LinuxSocket, level: number, optname: number): boolean {
  return level === C.IPPROTO_IPV6 && optname === C.IPV6_V6ONLY && sock.af === C.AF_INET && !isBound(sock.fd);
}

export function getsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: Ref<number> | null): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  // optlen is written (even on some failures), so it must be writable; optval must be a
  // Uint8Array covering it (arguments.ts). A negative optlen fails below, after the option checks.
  const size = inOutLength(optlen);
  const out = optval === null || size === null ? null : callerBuffer(optval, Math.max(size, 0));
  if (out === null || size === null) return fail(W.WSAEFAULT);
  const option = optionFor(sock, level, optname);
  if (typeof option === 'number') return fail(option);
  if (option.kind === 'icmpErrorInfo') return getIcmpErrorInfo(sock, out, size, optlen!);
  const width = reportedWidth(option, size);
  if (size < width) {
    if (size > 0 && option.zeroesShortRead) out.fill(0, 0, size);
    if (size > 0 && option.linuxLevel !== L.SOL_SOCKET && !option.short) optlen!.value = 0;
    return fail(W.WSAEFAULT);
  }
  const value = currentValue(sock, option);
  if (typeof value === 'object') return fail(value.error);
  if (width === 4) new DataView(out.buffer, out.byteOffset, 4).setUint32(0, value >>> 0, true);
  else if (option.linuxLevel === L.SOL_SOCKET && option.short) writeLittleEndian(out, value, Math.min(size, 4));
  else out[0] = value & 0xff;
  optlen!.value = width;
  return ok(0);
}

/** TCP_ICMP_ERROR_INFO: the whole ICMP_ERROR_INFO, or WSAEFAULT for less room than that. */
function getIcmpErrorInfo(sock: LinuxSocket, out: Uint8Array, size: number, optlen: Ref<number>): number {
  if (size < ICMP_ERROR_INFO_SIZE) return fail(W.WSAEFAULT);
  const error = readIcmpErrorInfo(sock, out);
  if (error) return fail(error);
  optlen.value = ICMP_ERROR_INFO_SIZE;
  return ok(0);
}

/** The length getsockopt reports: 1 for BOOLEANs and for "short" options read with optlen under 4. */
function reportedWidth(option: Option, size: number): number {
  return option.kind === 'byte' || (option.short && size < 4) ? 1 : 4;
}

function writeLittleEndian(out: Uint8Array, value: number, len: number): void {
  for (let i = 0; i < len; i++) out[i] = (value >>> (8 * i)) & 0xff;
}

/** The Windows value of the option now, or the Winsock error reading it gave. */
function currentValue(sock: LinuxSocket, option: Option): number | { error: number } {
  const kept = option.mirror === undefined ? undefined : sock.optionMirrors.get(option.mirror);
  switch (option.kind) {
    case 'receiveTimeout': return sock.receiveTimeoutMs;
    case 'sendTimeout': return sock.sendTimeoutMs;
    case 'type': return sock.type;
    case 'bufferSize': return kept ?? WINDOWS_DEFAULT_BUFFER_SIZE;
    case 'exclusiveAddrUse': case 'kept': case 'noSynRetries': case 'fastOpen': case 'failOnIcmp':
      return kept ?? option.initial?.(sock) ?? 0;
    case 'linger': case 'dontLinger': {
      const linger = lingerOf(sock);
      if ('error' in linger) return linger;
      return option.kind === 'dontLinger' ? (linger.onoff ? 0 : 1) : (linger.onoff & 0xffff) | ((linger.seconds & 0xffff) << 16);
    }
    case 'connectTime': return connectTimeSeconds(sock);
    case 'control': return sock.controlRecords & controlRecordOf(option) ? 1 : 0;
    case 'maxRetransmitSeconds': case 'maxRetransmitMs': {
      const ms = kept ?? kernelInt(sock.fd, option.linuxLevel, option.linuxName);
      if (ms === null) return { error: wsaFromErrno(libc.errno()) };
      if (option.kind === 'maxRetransmitMs' || ms === -1) return ms;
      return Math.floor(ms / 1000);
    }
    case 'unicastIf': {
      // Linux reports the index in network order for both options; Windows in host order.
      const raw = kernelInt(sock.fd, option.linuxLevel, option.linuxName);
      if (raw === null) return { error: wsaFromErrno(libc.errno()) };
      return byteSwap32(raw >>> 0);
    }
    case 'dontFragment': {
      if (kept !== undefined) return kept;
      // Windows: TCP sends with DF set, datagram and raw sockets without (test_set_getsockopt).
      return sock.type === C.SOCK_STREAM ? 1 : 0;
    }
    default: {
      const pending = pendingKeepAliveValue(sock, option.linuxLevel, option.linuxName);
      if (pending !== undefined) return pending;
      const raw = kernelInt(sock.fd, option.linuxLevel, option.linuxName);
      if (raw === null) return { error: wsaFromErrno(libc.errno()) };
      if (option.kind === 'error') return stickyError(sock, raw);
      return option.kind === 'bool' || option.kind === 'byte' || option.kind === 'rawOnly' ? (raw ? 1 : 0) : raw;
    }
  }
}

/**
 * SO_ERROR as Windows keeps it: a pending error stays readable until a connection succeeds (Linux
 * clears it on reading), and setsockopt may set it.
 */
function stickyError(sock: LinuxSocket, linuxErrno: number): number {
  if (linuxErrno !== 0) sock.optionMirrors.set('SO_ERROR', wsaFromErrno(linuxErrno));
  return sock.optionMirrors.get('SO_ERROR') ?? 0;
}

/** struct linger as Windows reports it: l_onoff as it was set (Linux keeps only on / off). */
function lingerOf(sock: LinuxSocket): { onoff: number; seconds: number } | { error: number } {
  const onoff = sock.optionMirrors.get('SO_LINGER_ONOFF');
  const seconds = sock.optionMirrors.get('SO_LINGER_SECONDS');
  if (onoff !== undefined && seconds !== undefined) return { onoff, seconds };
  const linux = new Int32Array(2);
  const len = new Uint32Array([8]);
  if (libc.getsockopt(sock.fd, L.SOL_SOCKET, L.SO_LINGER, new Uint8Array(linux.buffer), len) < 0) return { error: wsaFromErrno(libc.errno()) };
  return { onoff: linux[0] ? 1 : 0, seconds: linux[1]! };
}

function setLinger(sock: LinuxSocket, onoff: number, seconds: number): number {
  const linux = new Int32Array([onoff ? 1 : 0, seconds]);
  if (libc.setsockopt(sock.fd, L.SOL_SOCKET, L.SO_LINGER, new Uint8Array(linux.buffer), 8) < 0) return fail(wsaFromErrno(libc.errno()));
  sock.optionMirrors.set('SO_LINGER_ONOFF', onoff);
  sock.optionMirrors.set('SO_LINGER_SECONDS', seconds);
  return ok(0);
}

/** SO_CONNECT_TIME: whole seconds since the connection was established, 0xFFFFFFFF before. */
function connectTimeSeconds(sock: LinuxSocket): number {
  const NOT_CONNECTED = 0xffffffff;
  if (sock.type !== C.SOCK_STREAM) return NOT_CONNECTED;
  const info = readLinuxTcpInfo(sock.fd);
  if (typeof info === 'number') return NOT_CONNECTED;
  const since = establishmentOf(sock, info);
  return since ? Math.floor(Math.max(0, Date.now() - since.atMs) / 1000) : NOT_CONNECTED;
}

/** Little-endian value of the first `len` (1-4) bytes. */
function readValue(buf: Uint8Array, len: number): number {
  if (len >= 4) return new DataView(buf.buffer, buf.byteOffset, 4).getInt32(0, true);
  let value = 0;
  for (let i = len - 1; i >= 0; i--) value = value * 256 + buf[i]!;
  return value;
}

export function setsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: number): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  if (!Number.isInteger(optlen)) return fail(W.WSAEFAULT);
  // The caller's value, cut to optlen: a Uint8Array covering it, else WSAEFAULT (arguments.ts).
  let data = optlen > 0 ? callerBuffer(optval, optlen) : null;
  if (optlen > 0 && data === null) return fail(W.WSAEFAULT);
  if (isV6OnlyOnUnboundIPv4(sock, level, optname)) return data === null ? fail(W.WSAEFAULT) : ok(0);
  if (level === C.SOL_SOCKET && optname === C.SO_UPDATE_ACCEPT_CONTEXT) return result(updateAcceptContext(sock, data));
  if (level === C.SOL_SOCKET && optname === C.SO_UPDATE_CONNECT_CONTEXT) return result(updateConnectContext(sock));
  const option = optionFor(sock, level, optname);
  if (typeof option === 'number') return fail(option);
  if (option.readOnly) return fail(option.kind === 'type' && sock.type !== C.SOCK_STREAM ? W.WSAEINVAL : W.WSAENOPROTOOPT);
  let len = optlen;
  if (len < 0) {
    // A negative int is a huge length: Windows reads the DWORD of SOL_SOCKET options, refuses the rest.
    if (option.linuxLevel !== L.SOL_SOCKET || option.kind === 'byte') return fail(W.WSAENOBUFS);
    len = 4;
    data = callerBuffer(optval, 4);
  }
  // An empty value is accepted (and changes nothing) for the SOL_SOCKET BOOLs; a NULL one is not.
  if (len === 0 && option.linuxLevel === L.SOL_SOCKET && option.short && optval !== null) return ok(0);
  // BOOLEANs and "short" options take a single byte on Windows; everything else needs a full DWORD.
  const need = option.kind === 'byte' || option.short ? 1 : 4;
  if (data === null || len < need) return fail(W.WSAEFAULT);
  const value = option.kind === 'byte' ? data[0]! : readValue(data, len);
  if (option.max !== undefined && value >>> 0 > option.max) return fail(W.WSAEINVAL);
  if (isKeepAliveOption(option.linuxLevel, option.linuxName)) {
    const errno = settleWindowsKeepAliveDefaults(sock);
    if (errno) return fail(wsaFromErrno(errno));
  }
  return apply(sock, option, value, data);
}

/** A Winsock error (0: none) as setsockopt's result. */
const result = (error: number): number => (error ? fail(error) : ok(0));

function apply(sock: LinuxSocket, option: Option, value: number, data: Uint8Array): number {
  const flag = value ? 1 : 0;
  switch (option.kind) {
    case 'receiveTimeout': sock.receiveTimeoutMs = value >>> 0; return ok(0);
    case 'sendTimeout': sock.sendTimeoutMs = value >>> 0; return ok(0);
    case 'error': sock.optionMirrors.set(option.mirror!, value); return ok(0);
    case 'kept': sock.optionMirrors.set(option.mirror!, value); return ok(0);
    case 'bool': case 'byte': case 'rawOnly': {
      const socketLevel = option.linuxLevel === L.SOL_SOCKET;
      if (socketLevel && option.linuxName === L.SO_REUSEADDR && flag && sock.optionMirrors.get('SO_EXCLUSIVEADDRUSE')) return fail(W.WSAEINVAL);
      if (socketLevel && option.linuxName === L.SO_OOBINLINE) noteOobInlineChange(sock, value);
      return applyKernel(sock, option, flag);
    }
    case 'exclusiveAddrUse': {
      // Linux already refuses a second bind to an address in use without SO_REUSEADDR; the flag
      // is kept so that the two options exclude each other as on Windows (test_reuseaddr).
      if (flag && kernelInt(sock.fd, L.SOL_SOCKET, L.SO_REUSEADDR)) return fail(W.WSAEINVAL);
      sock.optionMirrors.set(option.mirror!, flag);
      return ok(0);
    }
    case 'bufferSize': {
      // Linux doubles and clamps the size; Windows reports exactly what was set.
      const rc = applyKernel(sock, option, value);
      if (rc === 0) sock.optionMirrors.set(option.mirror!, value);
      return rc;
    }
    case 'linger': {
      const view = new DataView(data.buffer, data.byteOffset, 4);
      return setLinger(sock, view.getUint16(0, true), view.getUint16(2, true));
    }
    case 'dontLinger': {
      const linger = lingerOf(sock);
      if ('error' in linger) return fail(linger.error);
      return setLinger(sock, flag ? 0 : 1, linger.seconds);
    }
    case 'maxRetransmitSeconds': case 'maxRetransmitMs': {
      // TCP_USER_TIMEOUT is in ms (0 = the system's default); Windows' -1 ("never") is Linux's largest.
      const ms = value === -1 ? -1 : option.kind === 'maxRetransmitSeconds' ? (value >>> 0) * 1000 : value >>> 0;
      const rc = applyKernel(sock, option, ms === -1 || ms > 0x7fffffff ? 0x7fffffff : ms);
      if (rc === 0) sock.optionMirrors.set(option.mirror!, ms);
      return rc;
    }
    case 'noSynRetries': {
      // Linux makes at least one SYN retransmission (TCP_SYNCNT 1..127); FALSE gives back the
      // system default (tcp_syn_retries) the socket had.
      if (flag && !sock.optionMirrors.has('TCP_SYNCNT_DEFAULT')) {
        const before = kernelInt(sock.fd, option.linuxLevel, option.linuxName);
        if (before !== null) sock.optionMirrors.set('TCP_SYNCNT_DEFAULT', before);
      }
      const rc = applyKernel(sock, option, flag ? 1 : sock.optionMirrors.get('TCP_SYNCNT_DEFAULT') ?? 6);
      if (rc === 0) sock.optionMirrors.set(option.mirror!, flag);
      return rc;
    }
    case 'fastOpen': {
      const rc = applyKernel(sock, option, flag);
      if (rc === 0) sock.optionMirrors.set(option.mirror!, flag);
      return rc;
    }
    case 'failOnIcmp': {
      // With IP_RECVERR a TCP connect fails at the first ICMP error instead of retrying on.
      const [level, name] = sock.af === C.AF_INET6 ? [L.IPPROTO_IPV6, L.IPV6_RECVERR] : [L.IPPROTO_IP, L.IP_RECVERR];
      const errno = setKernelInt(sock.fd, level, name, flag);
      if (errno) return fail(wsaFromErrno(errno));
      sock.optionMirrors.set(option.mirror!, flag);
      return ok(0);
    }
    case 'control': return setControlRecord(sock, option, flag);
    case 'dontFragment': {
      const rc = option.linuxLevel === L.IPPROTO_IP
        ? applyKernel(sock, option, flag ? L.IP_PMTUDISC_DO : L.IP_PMTUDISC_DONT)
        : sock.type === C.SOCK_STREAM ? ok(0) : applyKernel(sock, option, flag); // Linux: IPv6 TCP never fragments
      if (rc === 0) sock.optionMirrors.set(option.mirror!, flag);
      return rc;
    }
    case 'unicastIf':
      // Windows: IP_UNICAST_IF takes the index in network order (as Linux does), IPV6_UNICAST_IF
      // in host order (Linux: network order again).
      return applyKernel(sock, option, option.linuxLevel === L.IPPROTO_IP ? value | 0 : byteSwap32(value >>> 0) | 0);
    default: return applyKernel(sock, option, value);
  }
}

/** The record an enabling option asks for (control-messages.ts), found by the option's Windows name. */
function controlRecordOf(option: Option): number {
  return controlOptionFor(option)?.record ?? 0;
}

const controlOptionFor = (option: Option) => controlOptionsByEntry.get(option);

/**
 * An enabling option of WSARecvMsg's control records: the record is noted on the socket, and the
 * Linux option that makes the kernel report it stays on while any record that needs it is asked
 * for (IP_RECVTOS serves both IP_RECVTOS and IP_ECN).
 */
function setControlRecord(sock: LinuxSocket, option: Option, flag: number): number {
  const control = controlOptionFor(option);
  if (!control) return fail(W.WSAENOPROTOOPT);
  const records = flag ? sock.controlRecords | control.record : sock.controlRecords & ~control.record;
  const errno = setKernelInt(sock.fd, control.linuxLevel, control.linuxName, records & control.sharedBy ? 1 : 0);
  if (errno) return fail(wsaFromErrno(errno));
  sock.controlRecords = records;
  return ok(0);
}

function applyKernel(sock: LinuxSocket, option: Option, value: number): number {
  const errno = setKernelInt(sock.fd, option.linuxLevel, option.linuxName, value);
  return errno ? fail(wsaFromErrno(errno)) : ok(0);
}

