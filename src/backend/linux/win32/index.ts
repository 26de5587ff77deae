/**
 * The Win32 object model's functions: events and completion ports (process-wide), waits and
 * cancellation. Nothing happens on import.
 */
import { ERROR_INVALID_HANDLE, ERROR_NOT_FOUND } from '../../../errors/index.js';
import type { HANDLE, WSAOVERLAPPED } from '../../../winsock/types.js';
import { allHandles, lookup } from './handles.js';
import { lookupSocket } from './socket-state.js';
import { discardApcs } from './apc.js';
import { setLastError } from './last-error.js';
import { closeEvent, type WinEvent } from './events.js';
import { cancel, pendingOn } from './operations.js';
import { closePort, type CompletionPort } from './ports.js';
import { closeFile, type WinFile } from './files.js';
import { destroyAllWindows } from './messages.js';

// The layer's Winsock / kernel32 functions, as they are: the one argument guard is the surface's
// (winsock/index.ts), for both backends.
export { WSACreateEvent, WSACloseEvent, WSASetEvent, WSAResetEvent } from './events.js';
export { CreateIoCompletionPort, PostQueuedCompletionStatus, GetQueuedCompletionStatus, GetQueuedCompletionStatusAsync } from './ports.js';
export { overlappedId } from './overlapped-id.js';
export {
  SleepEx, SleepExAsync, WSAWaitForMultipleEvents, WSAWaitForMultipleEventsAsync, WaitForSingleObjectEx, WaitForSingleObjectExAsync,
  WaitForMultipleObjectsEx, WaitForMultipleObjectsExAsync, MsgWaitForMultipleObjectsEx, MsgWaitForMultipleObjectsExAsync,
} from './waits.js';
export {
  RegisterClassExW, UnregisterClassW, CreateWindowExW, DestroyWindow, DefWindowProcW, PostMessageW, PostQuitMessage,
  PeekMessageW, GetMessageW, GetMessageWAsync, TranslateMessage, DispatchMessageW,
} from './messages.js';
export { CreateFileW, _get_osfhandle } from './files.js';

/**
 * CloseHandle: an event, a completion port, a file (files.ts), or a socket (as `closeSocketHandle`, the backend's
 * closesocket, passed in by the backend so this layer stays below the socket layer).
 */
export function closeHandleWith(closeSocketHandle: (s: number) => number): (hObject: HANDLE) => boolean {
  return function CloseHandle(hObject: HANDLE): boolean {
    const object = typeof hObject === 'number' ? lookup(hObject) : undefined;
    if (object?.kind === 'event') {
      closeEvent(object as WinEvent);
      return true;
    }
    if (object?.kind === 'port') {
      closePort(object as CompletionPort);
      return true;
    }
    if (object?.kind === 'file') {
      closeFile(object as WinFile);
      return true;
    }
    if (object?.kind === 'socket') return closeSocketHandle(hObject) === 0;
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  };
}

/** CancelIo: every pending operation this thread started on the socket completes as cancelled. */
export function CancelIo(hFile: HANDLE): boolean {
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
export function CancelIoEx(hFile: HANDLE, lpOverlapped: WSAOVERLAPPED | null): boolean {
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



/**
 * Close every file and window of this thread (thread exit). Events and completion ports are the
 * process's, as on Windows: they stay open for the other threads (docs/process-wide-handles.md §10).
 */
export function closeAllObjects(): void {
  discardApcs();
  destroyAllWindows();
  for (const object of allHandles()) {
    if (object.kind === 'file') closeFile(object as WinFile);
  }
}
