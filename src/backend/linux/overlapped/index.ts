/**
 * The overlapped machinery of the Linux backend, per JS thread: events, completion ports, waits,
 * completion routines, cancellation, WSAEventSelect, and the AsyncEngine the WSAIoctl dispatcher
 * uses for overlapped and waiting calls. Importing this module installs it.
 */
import { ERROR_INVALID_HANDLE, ERROR_NOT_FOUND } from '../../../errors/index.js';
import type { HANDLE, WSAOVERLAPPED } from '../../../winsock/types.js';
import { allHandles, lookup, lookupSocket } from '../handles.js';
import { setLastError } from '../lastError.js';
import { closesocket, socketHooks } from '../sockets.js';
import { installAsyncEngine } from '../ioctl/dispatch.js';
import { discardApcs } from './apc.js';
import { dropAllInterests, dropInterests, engine } from './engine.js';
import { forgetAll, forgetSocket, reenable } from './event-select.js';
import { closeEvent, type WinEvent } from './events.js';
import { allPending, cancel, pendingOn } from './operations.js';
import { closePort, type CompletionPort } from './ports.js';
import { shutdownScheduler } from './scheduler.js';
import { shutdownWatcher } from './netlink-watcher.js';
import { shutdownSampler } from './sampler.js';

export { WSACreateEvent, WSACloseEvent, WSASetEvent, WSAResetEvent } from './events.js';
export { CreateIoCompletionPort, PostQueuedCompletionStatus, GetQueuedCompletionStatus, GetQueuedCompletionStatusAsync } from './ports.js';
export { SleepEx, SleepExAsync, WSAWaitForMultipleEvents, WSAWaitForMultipleEventsAsync, WSAGetOverlappedResult, WSAGetOverlappedResultAsync } from './waits.js';
export { WSAEventSelect, WSAEnumNetworkEvents } from './event-select.js';

installAsyncEngine(engine);

// closesocket with operations pending: each completes once, with STATUS_CANCELLED.
socketHooks.closing.push((sock) => {
  for (const op of pendingOn(sock)) cancel(op);
  dropInterests(sock);
  forgetSocket(sock);
});

// Re-enabling functions for WSAEventSelect (recv, send that would block, accept, connect).
socketHooks.reenable.push(reenable);

/** CloseHandle: an event, a completion port, or a socket (as closesocket). */
export function CloseHandle(hObject: HANDLE): boolean {
  const object = typeof hObject === 'number' ? lookup(hObject) : undefined;
  if (object?.kind === 'event') {
    closeEvent(object as WinEvent);
    return true;
  }
  if (object?.kind === 'port') {
    closePort(object as CompletionPort);
    return true;
  }
  if (object?.kind === 'socket') return closesocket(hObject) === 0;
  setLastError(ERROR_INVALID_HANDLE);
  return false;
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
 * The thread is ending (a Worker returning or calling process.exit, or the process exiting): its
 * pending operations are cancelled and the handles it created are closed, so no fd outlives it.
 * (A Worker stopped with worker.terminate() runs no JS at all; its fds stay open until the process
 * exits.)
 */
function threadExit(): void {
  try {
    for (const op of allPending()) cancel(op);
    discardApcs();
    dropAllInterests();
    forgetAll();
    for (const object of allHandles()) {
      if (object.kind === 'socket') closesocket(object.handle);
      else if (object.kind === 'event') closeEvent(object as WinEvent);
      else if (object.kind === 'port') closePort(object as CompletionPort);
    }
  } finally {
    shutdownWatcher();
    shutdownSampler();
    shutdownScheduler();
  }
}

process.once('exit', threadExit);
