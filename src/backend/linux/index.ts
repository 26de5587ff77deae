/**
 * The Linux emulation as one WinsockCore object: the composition of its layers (see
 * docs/CONTRIBUTING.md), and what happens when this JS thread ends.
 */
import type { WinsockCore } from '../../winsock/api.js';
import { getLastError, setLastError, fail, ok } from './win32/last-error.js';
import * as startup from './win32/startup.js';
import * as win32 from './win32/index.js';
import { allPending, cancel } from './win32/operations.js';
import { forgetAll } from './win32/event-select.js';
import * as sockets from './sockets/sockets.js';
import * as sockopts from './sockets/sockopts.js';
import * as networkEvents from './sockets/network-events.js';
import * as overlappedResult from './sockets/overlapped-result.js';
import { adoptNodeHandle } from './sockets/borrowed.js';
import { queryDefaultGateway } from './sockets/default-gateway.js';
import { queryInterfaceIndex } from './sockets/interface-index.js';
import { dataPath } from './sockets/data-path/index.js';
import { extensionFunctions, resolveExtensionWith } from './sockets/extension/index.js';
import { closeAllSockets } from './sockets/lifecycle.js';
import { WSAIoctl } from './ioctl/dispatch.js';
import { ioctlsocket } from './ioctl/ioctlsocket.js';
import { shutdownWatcher } from './netlink/watcher.js';
import { shutdownScheduler } from './loop/scheduler.js';
import { shutdownSampler } from './loop/sampler.js';
import { shutdownReadiness } from './loop/readiness.js';
import { closeFdsOfEndedWorkers } from './host/thread-fds.js';
import { onPeersChanged, onReap, processExiting, releaseMySlot, watchWorkers } from './shared/threads.js';
import { forgetThread, releasePacketCache } from './shared/objects.js';
import { regionIfUsed } from './shared/region.js';
import { shareKind } from './win32/handles.js';
import { adoptEvent } from './win32/events.js';
import { adoptPort } from './win32/ports.js';
import { peersChanged as doorbellPeersChanged } from './loop/doorbell.js';

export const backend: WinsockCore = {
  backendName: 'linux-emulation',
  WSAStartup: (version, data) => startup.WSAStartup(version, data),
  WSACleanup: () => {
    const error = startup.WSACleanup();
    if (error) return fail(error);
    // The last WSACleanup closes every socket left open.
    if (!startup.isStarted()) closeAllSockets();
    return ok(0);
  },
  WSAGetLastError: getLastError,
  WSASetLastError: (e) => setLastError(e),
  GetLastError: getLastError,
  SetLastError: (e) => setLastError(e),
  socket: sockets.socket,
  WSASocketW: sockets.WSASocketW,
  closesocket: sockets.closesocket,
  bind: sockets.bind,
  listen: sockets.listen,
  accept: sockets.accept,
  connect: sockets.connect,
  send: sockets.send,
  recv: sockets.recv,
  sendto: sockets.sendto,
  recvfrom: sockets.recvfrom,
  shutdown: sockets.shutdown,
  getsockname: sockets.getsockname,
  getpeername: sockets.getpeername,
  getsockopt: sockopts.getsockopt,
  setsockopt: sockopts.setsockopt,
  ioctlsocket,
  WSAIoctl,
  adoptNodeHandle,
  queryDefaultGateway,
  queryInterfaceIndex,
  WSACreateEvent: win32.WSACreateEvent,
  WSACloseEvent: win32.WSACloseEvent,
  WSASetEvent: win32.WSASetEvent,
  WSAResetEvent: win32.WSAResetEvent,
  WSAWaitForMultipleEvents: win32.WSAWaitForMultipleEvents,
  WSAWaitForMultipleEventsAsync: win32.WSAWaitForMultipleEventsAsync,
  SleepEx: win32.SleepEx,
  SleepExAsync: win32.SleepExAsync,
  WSAGetOverlappedResult: overlappedResult.WSAGetOverlappedResult,
  WSAGetOverlappedResultAsync: overlappedResult.WSAGetOverlappedResultAsync,
  CreateIoCompletionPort: win32.CreateIoCompletionPort,
  GetQueuedCompletionStatus: win32.GetQueuedCompletionStatus,
  GetQueuedCompletionStatusAsync: win32.GetQueuedCompletionStatusAsync,
  PostQueuedCompletionStatus: win32.PostQueuedCompletionStatus,
  overlappedId: win32.overlappedId,
  CloseHandle: win32.closeHandleWith(sockets.closesocket),
  CancelIo: win32.CancelIo,
  CancelIoEx: win32.CancelIoEx,
  WSAEventSelect: networkEvents.WSAEventSelect,
  WSAEnumNetworkEvents: networkEvents.WSAEnumNetworkEvents,
  WSAAsyncSelect: networkEvents.WSAAsyncSelect,
  WaitForSingleObjectEx: win32.WaitForSingleObjectEx,
  WaitForSingleObjectExAsync: win32.WaitForSingleObjectExAsync,
  WaitForMultipleObjectsEx: win32.WaitForMultipleObjectsEx,
  WaitForMultipleObjectsExAsync: win32.WaitForMultipleObjectsExAsync,
  MsgWaitForMultipleObjectsEx: win32.MsgWaitForMultipleObjectsEx,
  MsgWaitForMultipleObjectsExAsync: win32.MsgWaitForMultipleObjectsExAsync,
  RegisterClassExW: win32.RegisterClassExW,
  UnregisterClassW: win32.UnregisterClassW,
  CreateWindowExW: win32.CreateWindowExW,
  DestroyWindow: win32.DestroyWindow,
  DefWindowProcW: win32.DefWindowProcW,
  PostMessageW: win32.PostMessageW,
  PostQuitMessage: win32.PostQuitMessage,
  PeekMessageW: win32.PeekMessageW,
  GetMessageW: win32.GetMessageW,
  GetMessageWAsync: win32.GetMessageWAsync,
  TranslateMessage: win32.TranslateMessage,
  DispatchMessageW: win32.DispatchMessageW,
  ...dataPath,
  CreateFileW: win32.CreateFileW,
  _get_osfhandle: win32._get_osfhandle,
  ...extensionFunctions,
};

/** What an `LPFN_*` cast's pointer stands for here (winsock/index.ts). */
export const resolveExtension = resolveExtensionWith(backend);

/**
 * The thread is ending (a Worker returning or calling process.exit, or the process exiting): its
 * pending operations are cancelled and the handles it created are closed, so no fd outlives it.
 * A Worker stopped with worker.terminate() runs no JS at all: the thread that created it closes the
 * fds it left, when its 'exit' event fires (host/thread-fds.ts; that needs the library loaded in
 * the creating thread before the Worker was made).
 */
function threadExit(): void {
  try {
    for (const op of allPending()) cancel(op);
    forgetAll();
    closeAllSockets();
    win32.closeAllObjects();
  } finally {
    const r = regionIfUsed();
    if (r !== null) releasePacketCache(r);
    processExiting();
    releaseMySlot();
    shutdownWatcher();
    shutdownSampler();
    shutdownReadiness();
    shutdownScheduler();
  }
}

/**
 * Makes the emulation this thread's Winsock: wires the thread's exit clean-up. Called once, by
 * winsock/index.ts when it picks this backend (it is imported on Windows too, where none of this
 * may happen; libc itself is bound at import on Linux only, host/libc.ts).
 */
export function activate(): WinsockCore {
  process.once('exit', threadExit);
  // Process-wide objects (docs/process-wide-handles.md): another thread's events and ports are
  // found by number, a thread that is gone is forgotten, and waits learn when threads come and go.
  shareKind('event', adoptEvent);
  shareKind('port', adoptPort);
  onReap(forgetThread);
  onPeersChanged(doorbellPeersChanged);
  // First: a terminated Worker's slot is reaped before its fds (its doorbell) are closed.
  watchWorkers();
  closeFdsOfEndedWorkers();
  return backend;
}
