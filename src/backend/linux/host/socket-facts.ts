/**
 * Facts about a host socket that Winsock rules depend on, read from the kernel each time (never
 * cached: the socket's state changes under us).
 */
import * as libc from './libc.js';
import { L } from './libc.js';
import { LINUX_SOCKADDR_MAX } from './sockaddr.js';

// The int argument (@0) and its socklen_t (@4) of the calls below, in native memory (libc.ts).
const arg = libc.nativeBlock(8);
const INT_AT = arg.address;
const LENGTH_AT = arg.address + 4;
// TCP_INFO's first 8 bytes (@0) and their socklen_t (@8), for tcpState.
const state = libc.nativeBlock(12);
// A local name (@0) and its socklen_t (@LINUX_SOCKADDR_MAX), for isBound / isUnbound.
const name = libc.nativeBlock(LINUX_SOCKADDR_MAX + 4);
/** getsockname into `name`: whether it succeeded. */
function readName(fd: number): boolean {
  name.view.setUint32(LINUX_SOCKADDR_MAX, LINUX_SOCKADDR_MAX, true);
  return libc.getsocknameAt(fd, name.address, name.address + LINUX_SOCKADDR_MAX) === 0;
}

/** Read a kernel int option. */
export function kernelInt(fd: number, level: number, name: number): number | null {
  arg.view.setInt32(0, 0, true);
  arg.view.setUint32(4, 4, true);
  return libc.getsockoptAt(fd, level, name, INT_AT, LENGTH_AT) < 0 ? null : arg.view.getInt32(0, true);
}

/** Write a kernel int option; returns 0 or the Linux errno. */
export function setKernelInt(fd: number, level: number, name: number, value: number): number {
  arg.view.setInt32(0, value, true);
  return libc.setsockoptAt(fd, level, name, INT_AT, 4) < 0 ? libc.errno() : 0;
}

/** SO_ERROR of the host fd (a Linux errno, 0 when none). */
export function pendingSocketError(fd: number): number {
  return kernelInt(fd, L.SOL_SOCKET, L.SO_ERROR) ?? 0;
}

/**
 * Linux TCP states (include/net/tcp_states.h) as TCP_INFO reports them in tcpi_state: the one
 * table of them (the Windows TCPSTATE values are structs/tcp-info.ts's; sockets/tcp-info.ts maps
 * one to the other).
 */
export const TCP_STATE = {
  ESTABLISHED: 1, SYN_SENT: 2, SYN_RECV: 3, FIN_WAIT1: 4, FIN_WAIT2: 5, TIME_WAIT: 6,
  CLOSE: 7, CLOSE_WAIT: 8, LAST_ACK: 9, LISTEN: 10, CLOSING: 11, NEW_SYN_RECV: 12, BOUND_INACTIVE: 13,
} as const;

/** The TCP state of a stream socket (TCP_INFO's first byte), or null when it cannot be read. */
export function tcpState(fd: number): number | null {
  state.view.setUint32(8, 8, true);
  if (libc.getsockoptAt(fd, L.IPPROTO_TCP, L.TCP_INFO, state.address, state.address + 8) < 0 || state.view.getUint32(8, true) < 1) return null;
  return state.bytes[0]!;
}

/**
 * Connections waiting in a listening socket's accept queue (TCP_INFO's tcpi_unacked, which Linux
 * fills with the accept backlog for a listener), or 0 when it cannot be read.
 */
export function acceptQueueLength(fd: number): number {
  const info = new Uint8Array(32);
  const len = new Uint32Array([info.length]);
  if (libc.getsockopt(fd, L.IPPROTO_TCP, L.TCP_INFO, info, len) < 0 || len[0]! < 28) return 0;
  return new DataView(info.buffer).getUint32(24, true);
}

/**
 * Bytes the kernel has charged to the socket's receive queue (SO_MEMINFO's SK_MEMINFO_RMEM_ALLOC),
 * or 0 when it cannot be read: it grows with every datagram that arrives, whatever its size.
 */
export function receiveQueueMemory(fd: number): number {
  const info = new Uint8Array(36);
  const len = new Uint32Array([info.length]);
  if (libc.getsockopt(fd, L.SOL_SOCKET, L.SO_MEMINFO, info, len) < 0 || len[0]! < 4) return 0;
  return new DataView(info.buffer).getUint32(0, true);
}

/** Port 0 and the wildcard address: what Linux reports for a socket nobody bound (Linux sockaddr). */
export function isUnboundName(linuxAddr: Uint8Array): boolean {
  const family = linuxAddr[0]! | (linuxAddr[1]! << 8);
  if (linuxAddr[2] !== 0 || linuxAddr[3] !== 0) return false;
  const from = family === L.AF_INET ? 4 : 8;
  const to = family === L.AF_INET ? 8 : 24;
  for (let i = from; i < to; i++) if (linuxAddr[i] !== 0) return false;
  return true;
}

/** Whether the socket has a local address (bound explicitly, or implicitly by connect / sendto). */
export function isBound(fd: number): boolean {
  return readName(fd) && !isUnboundName(name.bytes);
}

/**
 * Whether the socket certainly has no local address: getsockname succeeds with an unbound name
 * (false when it fails). A TCP socket without one is in CLOSE (listen and connect bind first).
 */
export function isUnbound(fd: number): boolean {
  return readName(fd) && isUnboundName(name.bytes);
}

/** An ioctl whose argument is an int the kernel writes: the int, or `{ errno }`. */
export function ioctlInt(fd: number, request: number): number | { errno: number } {
  arg.view.setInt32(0, 0, true);
  return libc.ioctlAt(fd, request, INT_AT) < 0 ? { errno: libc.errno() } : arg.view.getInt32(0, true);
}

/** Linux FIONREAD (SIOCINQ) in the socket's current SO_OOBINLINE mode, or `{ errno }`. */
export function linuxInq(fd: number): number | { errno: number } {
  return ioctlInt(fd, L.FIONREAD);
}

/** SO_OOBINLINE as the kernel has it. */
export function oobInline(fd: number): boolean {
  return (kernelInt(fd, L.SOL_SOCKET, L.SO_OOBINLINE) ?? 0) !== 0;
}
