/**
 * WSAEventSelect and WSAEnumNetworkEvents: the socket functions over the recording of network
 * events in win32/event-select.ts.
 */
import type { SOCKET, WSAEVENT, WSANETWORKEVENTS } from '../../../winsock/types.js';
import { enumNetworkEvents, selectNetworkEvents } from '../win32/event-select.js';
import { fail } from '../win32/last-error.js';
import { socketFor } from './lookup.js';

export function WSAEventSelect(s: SOCKET, hEventObject: WSAEVENT, lNetworkEvents: number): number {
  const sock = socketFor(s);
  return typeof sock === 'number' ? fail(sock) : selectNetworkEvents(sock, hEventObject, lNetworkEvents);
}

export function WSAEnumNetworkEvents(s: SOCKET, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number {
  const sock = socketFor(s);
  return typeof sock === 'number' ? fail(sock) : enumNetworkEvents(sock, hEventObject, lpNetworkEvents);
}
