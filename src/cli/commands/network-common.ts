/**
 * What the host-query commands (`interfaces`, `addresses`, `route`) share: a WSAStartup /
 * WSACleanup bracket, a temporary socket, and WSAIoctl with an output buffer grown until the
 * answer fits. Only the public Winsock surface, so they run on either backend.
 */
import * as ws from '../../winsock/index.js';
import { errorName } from '../../errors/index.js';
import { growIoctl } from '../../node/core.js';
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
 * WSAIoctl with an output buffer that grows until the answer fits (the friendly API's growIoctl:
 * the size returned with WSAEFAULT, bounded tries and size). Returns the buffer, its native
 * address (for SOCKET_ADDRESS_LIST pointers) and the bytes written, or the failure to print.
 */
export function growingIoctl(s: ws.SOCKET, code: number, input: Uint8Array | null, firstSize: number): { out: Uint8Array; base: bigint; bytes: number } | WinsockFailure {
  const result = growIoctl(s, code, input, firstSize);
  if (!result.ok) return new WinsockFailure(ioctlName(code), result.error);
  return { out: result.out, base: ws.bufferAddress(result.out), bytes: result.bytes };
}
