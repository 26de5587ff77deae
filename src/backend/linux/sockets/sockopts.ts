/**
 * getsockopt / setsockopt: Windows levels and option names translated to Linux, values converted
 * where the two systems disagree (BOOLs as 4-byte ints, time-outs in milliseconds, SO_ERROR as a
 * Winsock error, TCP_KEEPALIVE meaning Linux TCP_KEEPIDLE), and option lengths as Windows takes
 * and reports them (facts from Wine's conformance tests, which pass on Windows).
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { Ref, SOCKET } from '../../../winsock/types.js';
import * as libc from '../host/libc.js';
import { L } from '../host/libc.js';
import { wsaFromErrno } from '../host/errno.js';
import { fail, ok } from '../win32/last-error.js';
import { kernelInt, setKernelInt } from '../host/socket-facts.js';
import { noteOobInlineChange } from './urgent.js';
import { socketFor } from './lookup.js';
import { callerBuffer, inOutLength } from '../../../winsock/arguments.js';
import type { LinuxSocket } from '../win32/socket-state.js';

type Kind =
  | 'bool'          // BOOL (4 bytes), kernel int
  | 'byte'          // a BOOLEAN for Windows: reported as 1 byte, only the first byte set counts
  | 'int'           // int / DWORD, kernel int
  | 'error'         // SO_ERROR: a Winsock error number
  | 'type'          // SO_TYPE: the Windows socket type
  | 'bufferSize'    // SO_SNDBUF / SO_RCVBUF: Linux reports twice what was set (its bookkeeping share)
  | 'receiveTimeout' | 'sendTimeout'; // DWORD milliseconds, kept by the emulation

interface Option {
  linuxLevel: number;
  linuxName: number;
  kind: Kind;
  readOnly?: boolean;
  /** Socket types the option applies to (default: any). */
  types?: number[];
  /** Windows also takes 1-3 byte values (little-endian) and reports 1 byte when optlen is under 4. */
  short?: boolean;
  /** The largest value Windows accepts; above it, WSAEINVAL. */
  max?: number;
  /** Key of the value kept in LinuxSocket.optionMirrors. */
  mirror?: string;
}

const key = (level: number, name: number) => `${level >>> 0}:${name | 0}`;

const options = new Map<string, Option>([
  [key(C.SOL_SOCKET, C.SO_DEBUG), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_DEBUG, kind: 'bool' }],
  [key(C.SOL_SOCKET, C.SO_ACCEPTCONN), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_ACCEPTCONN, kind: 'bool', readOnly: true }],
  [key(C.SOL_SOCKET, C.SO_REUSEADDR), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_REUSEADDR, kind: 'bool', short: true }],
  [key(C.SOL_SOCKET, C.SO_KEEPALIVE), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_KEEPALIVE, kind: 'byte', types: [C.SOCK_STREAM] }],
  [key(C.SOL_SOCKET, C.SO_DONTROUTE), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_DONTROUTE, kind: 'byte' }],
  [key(C.SOL_SOCKET, C.SO_BROADCAST), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_BROADCAST, kind: 'bool', short: true }],
  [key(C.SOL_SOCKET, C.SO_OOBINLINE), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_OOBINLINE, kind: 'bool', short: true }],
  [key(C.SOL_SOCKET, C.SO_SNDBUF), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_SNDBUF, kind: 'bufferSize', mirror: 'SO_SNDBUF' }],
  [key(C.SOL_SOCKET, C.SO_RCVBUF), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_RCVBUF, kind: 'bufferSize', mirror: 'SO_RCVBUF' }],
  [key(C.SOL_SOCKET, C.SO_ERROR), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_ERROR, kind: 'error', mirror: 'SO_ERROR' }],
  [key(C.SOL_SOCKET, C.SO_TYPE), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_TYPE, kind: 'type', readOnly: true }],
  [key(C.SOL_SOCKET, C.SO_RCVTIMEO), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_RCVTIMEO, kind: 'receiveTimeout' }],
  [key(C.SOL_SOCKET, C.SO_SNDTIMEO), { linuxLevel: L.SOL_SOCKET, linuxName: L.SO_SNDTIMEO, kind: 'sendTimeout' }],
  [key(C.IPPROTO_TCP, C.TCP_NODELAY), { linuxLevel: L.IPPROTO_TCP, linuxName: L.TCP_NODELAY, kind: 'byte', types: [C.SOCK_STREAM] }],
  [key(C.IPPROTO_TCP, C.TCP_KEEPALIVE), { linuxLevel: L.IPPROTO_TCP, linuxName: L.TCP_KEEPIDLE, kind: 'int', types: [C.SOCK_STREAM] }],
  [key(C.IPPROTO_TCP, C.TCP_KEEPINTVL), { linuxLevel: L.IPPROTO_TCP, linuxName: L.TCP_KEEPINTVL, kind: 'int', types: [C.SOCK_STREAM] }],
  [key(C.IPPROTO_TCP, C.TCP_KEEPCNT), { linuxLevel: L.IPPROTO_TCP, linuxName: L.TCP_KEEPCNT, kind: 'int', types: [C.SOCK_STREAM] }],
  [key(C.IPPROTO_TCP, C.TCP_MAXSEG), { linuxLevel: L.IPPROTO_TCP, linuxName: L.TCP_MAXSEG, kind: 'int', types: [C.SOCK_STREAM] }],
  [key(C.IPPROTO_IP, C.IP_TOS), { linuxLevel: L.IPPROTO_IP, linuxName: L.IP_TOS, kind: 'int', short: true, max: 255 }],
  [key(C.IPPROTO_IP, C.IP_TTL), { linuxLevel: L.IPPROTO_IP, linuxName: L.IP_TTL, kind: 'int', short: true, max: 255 }],
  [key(C.IPPROTO_IP, C.IP_MULTICAST_TTL), { linuxLevel: L.IPPROTO_IP, linuxName: L.IP_MULTICAST_TTL, kind: 'int', types: [C.SOCK_DGRAM, C.SOCK_RAW], short: true, max: 255 }],
  [key(C.IPPROTO_IP, C.IP_MULTICAST_LOOP), { linuxLevel: L.IPPROTO_IP, linuxName: L.IP_MULTICAST_LOOP, kind: 'bool', types: [C.SOCK_DGRAM, C.SOCK_RAW], short: true }],
  [key(C.IPPROTO_IPV6, C.IPV6_UNICAST_HOPS), { linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_UNICAST_HOPS, kind: 'int', short: true, max: 255 }],
  [key(C.IPPROTO_IPV6, C.IPV6_MULTICAST_HOPS), { linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_MULTICAST_HOPS, kind: 'int', types: [C.SOCK_DGRAM, C.SOCK_RAW], short: true, max: 255 }],
  [key(C.IPPROTO_IPV6, C.IPV6_MULTICAST_LOOP), { linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_MULTICAST_LOOP, kind: 'bool', types: [C.SOCK_DGRAM, C.SOCK_RAW], short: true }],
  [key(C.IPPROTO_IPV6, C.IPV6_V6ONLY), { linuxLevel: L.IPPROTO_IPV6, linuxName: L.IPV6_V6ONLY, kind: 'byte' }],
]);

function optionFor(sock: LinuxSocket, level: number, optname: number): Option | number {
  const option = options.get(key(level, optname));
  if (!option) {
    const knownLevel = level === C.SOL_SOCKET || level === C.IPPROTO_TCP || level === C.IPPROTO_IP || level === C.IPPROTO_IPV6 || level === C.IPPROTO_UDP;
    return knownLevel ? W.WSAENOPROTOOPT : W.WSAEINVAL;
  }
  if (option.linuxLevel === L.IPPROTO_IPV6 && sock.af !== C.AF_INET6) return W.WSAEINVAL;
  if (option.linuxLevel === L.IPPROTO_IP && sock.af !== C.AF_INET) return W.WSAEINVAL;
  // IP-level options on a socket they do not apply to (multicast on TCP): Windows says WSAEINVAL.
  if (option.types && !option.types.includes(sock.type)) return option.linuxLevel === L.IPPROTO_IP || option.linuxLevel === L.IPPROTO_IPV6 ? W.WSAEINVAL : W.WSAENOPROTOOPT;
  return option;
}

export function getsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: Ref<number> | null): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  // optlen is written (even on some failures), so it must be writable; optval must be a
  // Uint8Array covering it (arguments.ts). A negative optlen fails below, after the option checks.
  const size = inOutLength(optlen);
  const out = optval === null || size === null ? null : callerBuffer(optval, Math.max(size, 0));
  if (out === null) return fail(W.WSAEFAULT);
  const option = optionFor(sock, level, optname);
  if (typeof option === 'number') return fail(option);
  // Windows reports BOOLEAN options in 1 byte, and "short" options in 1 byte when optlen is under 4.
  const width = option.kind === 'byte' || (option.short && size! < 4) ? 1 : 4;
  if (size! < width) {
    if (option.kind === 'int' && option.linuxLevel === L.IPPROTO_TCP && size! > 0) optlen!.value = 0;
    return fail(W.WSAEFAULT);
  }
  let value: number;
  switch (option.kind) {
    case 'receiveTimeout': value = sock.receiveTimeoutMs; break;
    case 'sendTimeout': value = sock.sendTimeoutMs; break;
    case 'type': value = sock.type; break;
    default: {
      const mirrored = option.kind === 'bufferSize' ? sock.optionMirrors.get(option.mirror!) : undefined;
      if (mirrored !== undefined) { value = mirrored; break; }
      const raw = kernelInt(sock.fd, option.linuxLevel, option.linuxName);
      if (raw === null) return fail(wsaFromErrno(libc.errno()));
      value = option.kind === 'error' ? stickyError(sock, raw)
        : option.kind === 'bool' || option.kind === 'byte' ? (raw ? 1 : 0)
        : option.kind === 'bufferSize' ? Math.floor(raw / 2)
        : raw;
    }
  }
  if (width === 1) out[0] = value & 0xff;
  else new DataView(out.buffer, out.byteOffset, 4).setInt32(0, value, true);
  optlen!.value = width;
  return ok(0);
}

/**
 * SO_ERROR as Windows keeps it: a pending error stays readable until a connection succeeds (Linux
 * clears it on reading), and setsockopt may set it.
 */
function stickyError(sock: LinuxSocket, linuxErrno: number): number {
  if (linuxErrno !== 0) sock.optionMirrors.set('SO_ERROR', wsaFromErrno(linuxErrno));
  return sock.optionMirrors.get('SO_ERROR') ?? 0;
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
  const option = optionFor(sock, level, optname);
  if (typeof option === 'number') return fail(option);
  if (option.readOnly) return fail(option.kind === 'type' && sock.type !== C.SOCK_STREAM ? W.WSAEINVAL : W.WSAENOPROTOOPT);
  let len = optlen;
  if (len < 0) {
    // A negative int is a huge length: Windows reads the DWORD of SOL_SOCKET options, refuses the rest.
    if (level !== C.SOL_SOCKET || option.kind === 'byte') return fail(W.WSAENOBUFS);
    len = 4;
    data = callerBuffer(optval, 4);
  }
  // An empty value is accepted (and changes nothing) for the SOL_SOCKET BOOLs.
  if (len === 0 && level === C.SOL_SOCKET && option.short) return ok(0);
  // BOOLs and "short" options take a single byte on Windows; everything else needs a full DWORD.
  const need = option.kind === 'bool' || option.kind === 'byte' || option.short ? 1 : 4;
  if (data === null || len < need) return fail(W.WSAEFAULT);
  const value = option.kind === 'byte' ? data[0]! : readValue(data, len);
  if (option.max !== undefined && value >>> 0 > option.max) return fail(W.WSAEINVAL);
  if (level >>> 0 === C.SOL_SOCKET && optname === C.SO_OOBINLINE) noteOobInlineChange(sock, value);
  switch (option.kind) {
    case 'receiveTimeout': sock.receiveTimeoutMs = value >>> 0; return ok(0);
    case 'sendTimeout': sock.sendTimeoutMs = value >>> 0; return ok(0);
    case 'error': sock.optionMirrors.set(option.mirror!, value); return ok(0);
    case 'bool': case 'byte': return applyKernel(sock, option, value ? 1 : 0);
    case 'bufferSize': {
      // Linux doubles and clamps the size; Windows reports exactly what was set.
      const rc = applyKernel(sock, option, value);
      if (rc === 0) sock.optionMirrors.set(option.mirror!, value);
      return rc;
    }
    default: return applyKernel(sock, option, value);
  }
}

function applyKernel(sock: LinuxSocket, option: Option, value: number): number {
  const errno = setKernelInt(sock.fd, option.linuxLevel, option.linuxName, value);
  return errno ? fail(wsaFromErrno(errno)) : ok(0);
}
