/**
 * The overlapped machinery of the Linux backend, per JS thread: events, completion ports, waits,
 * completion routines, cancellation, WSAEventSelect, and the AsyncEngine the WSAIoctl dispatcher
 * uses for overlapped and waiting calls. Importing this module installs it.
 */
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND, WSAEFAULT, WSAEINVAL } from '../../../errors/index.js';
import { WSA_WAIT_FAILED } from '../../../winsock/constants.js';
import type { HANDLE, WSAOVERLAPPED } from '../../../winsock/types.js';
import { allHandles, lookup, lookupSocket } from './handles.js';
import { setLastError } from './last-error.js';
import { closesocket, socketHooks } from '../sockets/sockets.js';
import { installAsyncEngine } from '../ioctl/dispatch.js';
import { discardApcs } from './apc.js';
import { dropAllInterests, dropInterests, engine } from '../ioctl/overlapped.js';
import { forgetAll, forgetSocket, reenable } from './event-select.js';
import { closeEvent, type WinEvent } from './events.js';
import { allPending, cancel, pendingOn } from './operations.js';
import { closePort, type CompletionPort } from './ports.js';
import { shutdownScheduler } from '../loop/scheduler.js';
import { shutdownWatcher } from '../netlink/watcher.js';
import { shutdownSampler } from '../loop/sampler.js';

import * as events from './events.js';
import * as ports from './ports.js';
import * as waits from './waits.js';
import * as select from './event-select.js';
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
export const WSAGetOverlappedResult = guard(waits.WSAGetOverlappedResult, false, WSAEFAULT);
export const WSAGetOverlappedResultAsync = guard(waits.WSAGetOverlappedResultAsync, Promise.resolve(false), WSAEFAULT);
export const WSAEventSelect = guard(select.WSAEventSelect, -1, WSAEINVAL);
export const WSAEnumNetworkEvents = guard(select.WSAEnumNetworkEvents, -1, WSAEFAULT);

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
function closeHandle(hObject: HANDLE): boolean {
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

export const CloseHandle = guard(closeHandle, false, ERROR_INVALID_HANDLE);
export const CancelIo = guard(cancelIo, false, ERROR_INVALID_HANDLE);
export const CancelIoEx = guard(cancelIoEx, false, ERROR_INVALID_HANDLE);

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
