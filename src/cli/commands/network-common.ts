/**
 * What the host-query commands (`interfaces`, `addresses`, `route`) share: a WSAStartup /
 * WSACleanup bracket, a temporary socket, and WSAIoctl with an output buffer grown until the
 * answer fits. Only the public Winsock surface, so they run on either backend.
 */
import * as ws from '../../winsock/index.js';
import { errorName } from '../../errors/index.js';
import { EXIT_FAILED, type CliIo } from '../command.js';

/** A Winsock failure: the call that failed and its error. */
export class WinsockFailure {
  constructor(readonly call: string, readonly error: number) {}
  get text(): string {
    return `${this.call} failed: ${errorName(this.error)} (${this.error})`;
  }
}

/** Run `body` between WSAStartup and WSACleanup; a WinsockFailure it returns or throws is printed, exit 1. */
export function withWinsock(io: CliIo, command: string, body: () => number | WinsockFailure): number {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) {
    io.err(`wsaioctl ${command}: WSAStartup failed (${errorName(ws.WSAGetLastError())})`);
    return EXIT_FAILED;
  }
  try {
    const result = body();
    if (result instanceof WinsockFailure) {
      io.err(`wsaioctl ${command}: ${result.text}`);
      return EXIT_FAILED;
    }
    return result;
  } finally {
    ws.WSACleanup();
  }
}

/** `body` with a fresh socket, always closed. */
export function withSocket<T>(af: number, type: number, protocol: number, body: (s: ws.SOCKET) => T): T | WinsockFailure {
  const s = ws.socket(af, type, protocol);
  if (s === ws.INVALID_SOCKET) return new WinsockFailure('socket', ws.WSAGetLastError());
  try {
    return body(s);
  } finally {
    ws.closesocket(s);
  }
}

export const ioctlName = (code: number): string => `WSAIoctl(${ws.decodeControlCode(code).names[0] ?? `0x${code.toString(16)}`})`;

/**
 * WSAIoctl with an output buffer that grows until the answer fits: on WSAEFAULT, the size
 * returned in *lpcbBytesReturned when it is larger, else twice the size (bounded: 8 tries, 16 MiB).
 * Returns the buffer, its native address (for SOCKET_ADDRESS_LIST pointers) and the bytes written.
 */
export function growingIoctl(s: ws.SOCKET, code: number, input: Uint8Array | null, firstSize: number): { out: Uint8Array; base: bigint; bytes: number } | WinsockFailure {
  let size = firstSize;
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = new Uint8Array(size);
    const bytes = { value: 0 };
    if (ws.WSAIoctl(s, code, input, input?.length ?? 0, out, out.length, bytes, null, null) === 0) {
      return { out, base: ws.bufferAddress(out), bytes: Math.min(bytes.value, size) };
    }
    const error = ws.WSAGetLastError();
    if (error !== ws.WSAEFAULT || size >= 1 << 24) return new WinsockFailure(ioctlName(code), error);
    size = Math.min(1 << 24, bytes.value > size ? bytes.value : size * 2);
  }
  return new WinsockFailure(ioctlName(code), ws.WSAEFAULT);
}
