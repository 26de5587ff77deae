/**
 * The Win32 object model's functions, per JS thread: events, completion ports, waits, overlapped
 * results and cancellation, each behind the guard that turns an argument C could not have passed
 * into the function's failure value. Nothing happens on import.
 */
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND } from '../../../errors/index.js';
import { WSA_WAIT_FAILED } from '../../../winsock/constants.js';
import type { HANDLE, WSAOVERLAPPED } from '../../../winsock/types.js';
import { allHandles, lookup } from './handles.js';
import { lookupSocket } from './socket-state.js';
import { discardApcs } from './apc.js';
import { setLastError } from './last-error.js';
import { closeEvent, type WinEvent } from './events.js';
import { cancel, pendingOn } from './operations.js';
import { closePort, type CompletionPort } from './ports.js';

import * as events from './events.js';
import * as ports from './ports.js';
import * as waits from './waits.js';
import { makeGuard } from '../../../winsock/guard.js';

/** Arguments C could not have passed end as the failure value (winsock/guard.ts). */
const guard = makeGuard((code) => setLastError(code));

const PARAM = ERROR_INVALID_PARAMETER;
export const WSACreateEvent = guard(events.WSACreateEvent, 0, PARAM);
export const WSACloseEvent = guard(events.WSACloseEvent, false, PARAM);
export const WSASetEvent = guard(events.WSASetEvent, false, PARAM);
export const WSAResetEvent = guard(events.WSAResetEvent, false, PARAM);
export const CreateIoCompletionPort = guard(ports.CreateIoCompletionPort, 0, PARAM);
export const PostQueuedCompletionStatus = guard(ports.PostQueuedCompletionStatus, false, PARAM);
export const GetQueuedCompletionStatus = guard(ports.GetQueuedCompletionStatus, false, PARAM);
export const GetQueuedCompletionStatusAsync = guard(ports.GetQueuedCompletionStatusAsync, Promise.resolve(false), PARAM);
export const SleepEx = guard(waits.SleepEx, 0, PARAM);
export const SleepExAsync = guard(waits.SleepExAsync, Promise.resolve(0), PARAM);
export const WSAWaitForMultipleEvents = guard(waits.WSAWaitForMultipleEvents, WSA_WAIT_FAILED, PARAM);
export const WSAWaitForMultipleEventsAsync = guard(waits.WSAWaitForMultipleEventsAsync, Promise.resolve(WSA_WAIT_FAILED), PARAM);

/**
 * CloseHandle: an event, a completion port, or a socket (as `closeSocketHandle`, the backend's
 * closesocket, passed in by the backend so this layer stays below the socket layer).
 */
export function closeHandleWith(closeSocketHandle: (s: number) => number) {
  return guard((hObject: HANDLE): boolean => {
    const object = typeof hObject === 'number' ? lookup(hObject) : undefined;
    if (object?.kind === 'event') {
      closeEvent(object as WinEvent);
      return true;
    }
    if (object?.kind === 'port') {
      closePort(object as CompletionPort);
      return true;
    }
    if (object?.kind === 'socket') return closeSocketHandle(hObject) === 0;
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  }, false, ERROR_INVALID_HANDLE);
}

/** CancelIo: every pending operation this thread started on the socket completes as cancelled. */
function cancelIo(hFile: HANDLE): boolean {
  const sock = lookupSocket(hFile);
  if (!sock || sock.closed) {
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  }
  for (const op of pendingOn(sock)) cancel(op);
  return true;
}

/**
 * CancelIoEx: the pending operation started with `lpOverlapped` on the socket, or all of them when
 * it is null. Nothing to cancel: FALSE with ERROR_NOT_FOUND.
 */
function cancelIoEx(hFile: HANDLE, lpOverlapped: WSAOVERLAPPED | null): boolean {
  const sock = lookupSocket(hFile);
  if (!sock || sock.closed) {
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  }
  const ops = pendingOn(sock).filter((op) => lpOverlapped == null || op.overlapped === lpOverlapped);
  if (ops.length === 0) {
    setLastError(ERROR_NOT_FOUND);
    return false;
  }
  for (const op of ops) cancel(op);
  return true;
}

export const CancelIo = guard(cancelIo, false, ERROR_INVALID_HANDLE);
export const CancelIoEx = guard(cancelIoEx, false, ERROR_INVALID_HANDLE);


/** Close every event and completion port of this thread (thread exit). */
export function closeAllObjects(): void {
  discardApcs();
  for (const object of allHandles()) {
    if (object.kind === 'event') closeEvent(object as WinEvent);
    else if (object.kind === 'port') closePort(object as CompletionPort);
  }
}
