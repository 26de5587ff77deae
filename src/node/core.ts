/**
 * The few helpers every friendly function shares: a lazy WSAStartup, WSAIoctl that throws
 * WinsockError, temporary sockets for host-wide queries, and buffers with a stable native
 * address (for the structures whose pointers must be absolute). Only the public
 * `wsaioctl/winsock` surface is used, so this works on both backends.
 */
import * as ws from '../winsock/index.js';
import { WinsockError } from './errors.js';

let started = false;

/** WSAStartup(2.2) once, the first time the friendly API needs Winsock. Never cleaned up. */
export function ensureStarted(): void {
  if (started) return;
  const rc = ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  if (rc !== 0) throw new WinsockError(rc, 'WSAStartup');
  started = true;
}

/** Forget the lazy start (someone called WSACleanup once too often); the next call starts again. */
export function restart(): void {
  started = false;
  ensureStarted();
}

/** The last error, as a WinsockError for `syscall`. */
export function lastError(syscall: string, detail?: string): WinsockError {
  return new WinsockError(ws.WSAGetLastError(), syscall, detail);
}

/** Result of one WSAIoctl: `rc` 0 or SOCKET_ERROR, `error` the last error when it failed, and `*lpcbBytesReturned`. */
export interface IoctlResult {
  rc: number;
  error: number;
  bytes: number;
}

/** One synchronous WSAIoctl; never throws. */
export function rawIoctl(s: ws.SOCKET, code: number, input: Uint8Array | null, output: Uint8Array | null): IoctlResult {
  const returned: ws.Ref<number> = { value: 0 };
  const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, output, output?.length ?? 0, returned, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: returned.value };
}

/** What `growIoctl` ended with: the answer, or the error that stopped it. */
export type GrownIoctl =
  /** `out`: the buffer (a stable address, see stableBuffer); `bytes`: *lpcbBytesReturned, at most its size. */
  | { ok: true; out: Uint8Array; bytes: number }
  /** `error`: the last error; `grewPast`: set when every try failed with WSAEFAULT (the answer kept growing past that size). */
  | { ok: false; error: number; grewPast?: number };

/** Calls bounded when an answer grows between the size report and the call that should fit it. */
const GROW_ATTEMPTS = 8;

/**
 * WSAIoctl with an output buffer grown until the answer fits (SIO_ADDRESS_LIST_QUERY,
 * SIO_GET_INTERFACE_LIST, SIO_ADDRESS_LIST_SORT ...): a call that fails with WSAEFAULT is retried
 * with the size it returned in *lpcbBytesReturned when that is larger, else with four times the
 * size; at most 8 calls, never more than `maxSize` bytes. Never throws: the friendly API and the
 * CLI each turn a failure into their own error.
 */
export function growIoctl(s: ws.SOCKET, code: number, input: Uint8Array | null, firstSize: number, maxSize = 1 << 24): GrownIoctl {
  let size = firstSize;
  for (let attempt = 0; attempt < GROW_ATTEMPTS; attempt++) {
    const out = stableBuffer(size);
    const result = rawIoctl(s, code, input, out);
    if (result.rc === 0) return { ok: true, out, bytes: Math.min(result.bytes, size) };
    if (result.error !== ws.WSAEFAULT || size >= maxSize) return { ok: false, error: result.error };
    size = Math.min(maxSize, result.bytes > size ? result.bytes : size * 4);
  }
  return { ok: false, error: ws.WSAEFAULT, grewPast: size };
}

/** The catalogue name of a control code, for `syscall` texts. */
export function codeName(code: number): string {
  return ws.namesOfValue(code)[0] ?? `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

/** `WSAIoctl(<name>)`. */
export const ioctlSyscall = (code: number): string => `WSAIoctl(${codeName(code)})`;

/** A zeroed buffer whose bytes never move (its own ArrayBuffer, never on V8's heap). */
export function stableBuffer(size: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(size));
}

/** The native address of a buffer's first byte (for absolute pointers inside Winsock structures). */
export { bufferAddress as addressOf } from '../winsock/address.js';

/**
 * Run `body` with a temporary socket of this family and type, closed afterwards whatever happens.
 * Creation failures become WinsockError('socket').
 */
export function withTemporarySocket<T>(af: number, type: number, body: (s: ws.SOCKET) => T): T {
  ensureStarted();
  const protocol = type === ws.SOCK_STREAM ? ws.IPPROTO_TCP : ws.IPPROTO_UDP;
  let s = ws.socket(af, type, protocol);
  if (s === ws.INVALID_SOCKET && ws.WSAGetLastError() === ws.WSANOTINITIALISED) {
    restart();
    s = ws.socket(af, type, protocol);
  }
  if (s === ws.INVALID_SOCKET) throw lastError('socket');
  try {
    return body(s);
  } finally {
    ws.closesocket(s);
  }
}

/** 'IPv4' | 'IPv6' | 4 | 6 | AF_INET | AF_INET6 -> AF_INET / AF_INET6; RangeError otherwise. */
export function familyOf(family: unknown): number {
  if (family === 'IPv4' || family === 4 || family === ws.AF_INET) return ws.AF_INET;
  if (family === 'IPv6' || family === 6 || family === ws.AF_INET6) return ws.AF_INET6;
  throw Object.assign(new RangeError(`unknown address family ${String(family)} (use 'IPv4' or 'IPv6')`), { code: 'ERR_INVALID_ARG_VALUE' });
}
