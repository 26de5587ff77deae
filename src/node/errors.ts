/**
 * WinsockError: what the friendly API throws where the C-faithful surface returns SOCKET_ERROR.
 * Shaped like Node's own system errors (`code`, `errno`, `syscall`), with Winsock's names and
 * numbers: `code` is the name ('WSAEFAULT'), `errno` the Windows number (10014), `syscall` the
 * Winsock call and control code ('WSAIoctl(SIO_TCP_INFO)').
 */
import { errorName } from '../errors/index.js';

/** One-line meanings of the errors the friendly API most often reports. */
const MEANINGS: Record<string, string> = {
  WSAEFAULT: 'a buffer is missing or too small',
  WSAEINVAL: 'an argument is not valid for this call or this socket',
  WSAENOTSOCK: 'not an open socket',
  WSAEOPNOTSUPP: 'operation not supported',
  WSAENOPROTOOPT: 'not supported for this protocol',
  WSAENOTCONN: 'the socket is not connected',
  WSAEWOULDBLOCK: 'the operation would block',
  WSAEAFNOSUPPORT: 'address family not supported',
  WSAENETUNREACH: 'the network is unreachable',
  WSAEHOSTUNREACH: 'the host is unreachable',
  WSAENETDOWN: 'the network is down',
  WSAENOBUFS: 'no buffer space available',
  WSAEMSGSIZE: 'message or structure size not accepted',
  WSANOTINITIALISED: 'WSAStartup has not been called',
};

export class WinsockError extends Error {
  /** The Winsock error name, e.g. 'WSAEFAULT' (a number's text when it has no name). */
  readonly code: string;
  /** The Windows error number, e.g. 10014. */
  readonly errno: number;
  /** The failing call, e.g. 'WSAIoctl(SIO_TCP_INFO)' or 'fromNodeSocket'. */
  readonly syscall: string;

  constructor(errno: number, syscall: string, detail?: string) {
    const code = errorName(errno);
    const meaning = detail ?? MEANINGS[code];
    super(`${syscall} failed: ${code} (${errno})${meaning ? `: ${meaning}` : ''}`);
    this.name = 'WinsockError';
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }
}

/** What a value is, for an argument error: `null`, `undefined`, `type number (65536)`, `an instance of Array`. */
function received(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return `an instance of ${(value as object).constructor?.name ?? 'Object'}`;
  if (typeof value === 'function') return 'a function';
  const text = typeof value === 'string' ? `'${value}'` : String(value);
  return `type ${typeof value} (${text})`;
}

/** Node's error for an argument of the wrong type (code ERR_INVALID_ARG_TYPE). */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  return Object.assign(new TypeError(`The "${name}" argument must be ${expected}. Received ${received(value)}`), { code: 'ERR_INVALID_ARG_TYPE' });
}

/** Node's error for a port outside 0..65535 (code ERR_SOCKET_BAD_PORT, as net.connect raises it). */
export function badPort(name: string, value: unknown): RangeError {
  return Object.assign(new RangeError(`${name} should be >= 0 and < 65536. Received ${received(value)}.`), { code: 'ERR_SOCKET_BAD_PORT' });
}
