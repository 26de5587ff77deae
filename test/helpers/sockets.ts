/**
 * Loopback sockets for tests, through the public Winsock surface: WSAStartup, a connected TCP
 * pair, a bound UDP pair, a listening socket, and a bounded synchronous wait. Only 127.0.0.1 and
 * ::1 are used. Every helper throws (with the Winsock error) when a step fails, so a test never
 * runs on a half-made socket.
 *
 *   import { startup, tcpPair, udpPair, listener, waitUntil, ioctl } from './helpers/sockets.js';
 */
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';

export type Family = 'ipv4' | 'ipv6';

export const LOOPBACK: Record<Family, string> = { ipv4: '127.0.0.1', ipv6: '::1' };

const afOf = (family: Family): number => (family === 'ipv4' ? ws.AF_INET : ws.AF_INET6);
const nameSize = (family: Family): number => ws.sockaddrSize(afOf(family));

/** Throw with the Winsock error when `rc` is SOCKET_ERROR / INVALID_SOCKET. */
export function check<T extends number>(rc: T, what: string): T {
  if (rc === ws.SOCKET_ERROR) throw new Error(`${what} failed with Winsock error ${ws.WSAGetLastError()}`);
  return rc;
}

/** WSAStartup(2.2); pair it with `cleanup()` (e.g. in `after`). */
export function startup(): void {
  const rc = ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  if (rc !== 0) throw new Error(`WSAStartup failed with ${rc}`);
}

export function cleanup(): void {
  ws.WSACleanup();
}

/** Close every socket given (ignoring ones already closed). */
export function closeAll(...sockets: number[]): void {
  for (const s of sockets) if (s !== ws.INVALID_SOCKET) ws.closesocket(s);
}

/** The socket's local address as a Windows sockaddr (16 or 28 bytes). */
export function localName(s: number, family: Family = 'ipv4'): Uint8Array {
  const name = new Uint8Array(nameSize(family));
  const len = { value: name.length };
  check(ws.getsockname(s, name, len), 'getsockname');
  return name.subarray(0, len.value);
}

/** The local port of a bound socket. */
export function localPort(s: number, family: Family = 'ipv4'): number {
  return ws.parseSockaddr(localName(s, family)).port;
}

/** A loopback sockaddr for `port`. */
export function loopbackName(family: Family, port: number): Uint8Array {
  return ws.sockaddr(LOOPBACK[family], port);
}

/** True when an IPv6 socket can be bound to ::1 here. */
export function ipv6Available(): boolean {
  const s = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  if (s === ws.INVALID_SOCKET) return false;
  const name = loopbackName('ipv6', 0);
  const ok = ws.bind(s, name, name.length) === 0;
  ws.closesocket(s);
  return ok;
}

/** A TCP socket bound to loopback and listening. */
export function listener(family: Family = 'ipv4', backlog = 4): { socket: number; port: number } {
  const s = check(ws.socket(afOf(family), ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  const name = loopbackName(family, 0);
  check(ws.bind(s, name, name.length), 'bind');
  check(ws.listen(s, backlog), 'listen');
  return { socket: s, port: localPort(s, family) };
}

/** A connected loopback TCP pair (the listener used to make it is closed again). */
export function tcpPair(family: Family = 'ipv4'): { client: number; server: number } {
  const l = listener(family, 1);
  try {
    const client = check(ws.socket(afOf(family), ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const to = loopbackName(family, l.port);
    check(ws.connect(client, to, to.length), 'connect');
    const server = check(ws.accept(l.socket, null, null), 'accept');
    return { client, server };
  } finally {
    ws.closesocket(l.socket);
  }
}

/**
 * Two UDP sockets bound to loopback: `receiver` (its address in `receiverName`, for sendto) and
 * `sender` (its address in `senderName`, what recvfrom should report).
 */
export function udpPair(family: Family = 'ipv4'): { receiver: number; sender: number; receiverName: Uint8Array; senderName: Uint8Array } {
  const make = (): number => {
    const s = check(ws.socket(afOf(family), ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    const name = loopbackName(family, 0);
    check(ws.bind(s, name, name.length), 'bind');
    return s;
  };
  const receiver = make();
  const sender = make();
  return { receiver, sender, receiverName: localName(receiver, family), senderName: localName(sender, family) };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Block this thread for `ms` milliseconds without spinning (Atomics.wait). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Re-check `condition` every `intervalMs` until it holds, at most `attempts` times (bounded in
 * count and so in time). Returns whether it came true. Synchronous: nothing else runs meanwhile.
 */
export function waitUntil(condition: () => boolean, attempts = 400, intervalMs = 5): boolean {
  for (let i = 0; i < attempts; i++) {
    if (condition()) return true;
    sleepSync(intervalMs);
  }
  return condition();
}

/** The result of one WSAIoctl call. */
export interface IoctlResult {
  rc: number;
  /** WSAGetLastError() right after the call (0 on success). */
  error: number;
  /** *lpcbBytesReturned after the call (it starts at `bytesBefore`). */
  bytes: number;
}

/**
 * WSAIoctl with plain arguments; `bytesBefore` is what *lpcbBytesReturned holds going in (so a
 * test can see whether it was touched).
 */
export function ioctl(
  s: number, code: number,
  input: Uint8Array | null, cbIn: number,
  output: Uint8Array | null, cbOut: number,
  bytesBefore = 0xdeadbeef,
): IoctlResult {
  const bytes = { value: bytesBefore };
  ws.WSASetLastError(0xdeadbeef);
  const rc = ws.WSAIoctl(s, code, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

/** A 4-byte output IOCTL (FIONREAD, SIOCATMARK): its value, or throws with the error. */
export function ioctlU32(s: number, code: number): number {
  const out = new Uint8Array(4);
  const r = ioctl(s, code, null, 0, out, 4);
  if (r.rc !== 0) throw new Error(`WSAIoctl(${code.toString(16)}) failed with ${r.error}`);
  return new DataView(out.buffer).getUint32(0, true);
}

/** setsockopt with a 4-byte int value; fails the test when the call fails. */
export function setIntOption(s: number, level: number, name: number, value: number): void {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setInt32(0, value, true);
  check(ws.setsockopt(s, level, name, v, 4), 'setsockopt');
}

/** Run `f` with a fresh socket, closed afterwards whatever happens. */
export function withSocket<T>(af: number, type: number, f: (s: number) => T): T {
  const s = ws.socket(af, type, 0);
  assert.notEqual(s, ws.INVALID_SOCKET, `socket: ${ws.WSAGetLastError()}`);
  try {
    return f(s);
  } finally {
    ws.closesocket(s);
  }
}
