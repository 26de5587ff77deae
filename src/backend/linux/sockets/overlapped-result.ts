/**
 * WSAGetOverlappedResult and its async twin: the socket is checked first (WSAENOTSOCK, as Windows
 * does), then win32/waits.ts reads the operation's result or waits for it.
 */
import type { Ref, SOCKET, WSAOVERLAPPED } from '../../../winsock/types.js';
import { overlappedResult, overlappedResultAsync } from '../win32/waits.js';
import { fail } from '../win32/last-error.js';
import { socketFor } from './lookup.js';

export function WSAGetOverlappedResult(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): boolean {
  const sock = socketFor(s);
  if (typeof sock === 'number') {
    fail(sock);
    return false;
  }
  return overlappedResult(sock, lpOverlapped, lpcbTransfer, fWait, lpdwFlags);
}

export function WSAGetOverlappedResultAsync(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): Promise<boolean> {
  const sock = socketFor(s);
  if (typeof sock === 'number') {
    fail(sock);
    return Promise.resolve(false);
  }
  return overlappedResultAsync(sock, lpOverlapped, lpcbTransfer, fWait, lpdwFlags);
}
