/**
 * WSAEventSelect, WSAEnumNetworkEvents and WSAAsyncSelect: the socket functions over the recording
 * of network events in win32/event-select.ts.
 */
import type { HWND, SOCKET, WSAEVENT, WSANETWORKEVENTS } from '../../../winsock/types.js';
import { enumNetworkEvents, selectNetworkEvents, selectWindowMessages } from '../win32/event-select.js';
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

export function WSAAsyncSelect(s: SOCKET, hWnd: HWND, wMsg: number, lEvent: number): number {
  const sock = socketFor(s);
  return typeof sock === 'number' ? fail(sock) : selectWindowMessages(sock, hWnd, wMsg, lEvent);
}
