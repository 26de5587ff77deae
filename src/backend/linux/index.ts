/** The Linux emulation as one WinsockCore object. */
import type { WinsockCore } from '../../winsock/api.js';
import { getLastError, setLastError, fail, ok } from './win32/last-error.js';
import * as startup from './win32/startup.js';
import * as sockets from './sockets/sockets.js';
import * as sockopts from './sockets/sockopts.js';
import { WSAIoctl } from './ioctl/dispatch.js';
import { ioctlsocket } from './ioctl/ioctlsocket.js';
import { adoptNodeHandle } from './sockets/borrowed.js';
import * as overlapped from './win32/index.js';

export const backend: WinsockCore = {
  backendName: 'linux-emulation',
  WSAStartup: (version, data) => startup.WSAStartup(version, data),
  WSACleanup: () => {
    const error = startup.WSACleanup();
    return error ? fail(error) : ok(0);
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
  WSACreateEvent: overlapped.WSACreateEvent,
  WSACloseEvent: overlapped.WSACloseEvent,
  WSASetEvent: overlapped.WSASetEvent,
  WSAResetEvent: overlapped.WSAResetEvent,
  WSAWaitForMultipleEvents: overlapped.WSAWaitForMultipleEvents,
  WSAWaitForMultipleEventsAsync: overlapped.WSAWaitForMultipleEventsAsync,
  SleepEx: overlapped.SleepEx,
  SleepExAsync: overlapped.SleepExAsync,
  WSAGetOverlappedResult: overlapped.WSAGetOverlappedResult,
  WSAGetOverlappedResultAsync: overlapped.WSAGetOverlappedResultAsync,
  CreateIoCompletionPort: overlapped.CreateIoCompletionPort,
  GetQueuedCompletionStatus: overlapped.GetQueuedCompletionStatus,
  GetQueuedCompletionStatusAsync: overlapped.GetQueuedCompletionStatusAsync,
  PostQueuedCompletionStatus: overlapped.PostQueuedCompletionStatus,
  CloseHandle: overlapped.CloseHandle,
  CancelIo: overlapped.CancelIo,
  CancelIoEx: overlapped.CancelIoEx,
  WSAEventSelect: overlapped.WSAEventSelect,
  WSAEnumNetworkEvents: overlapped.WSAEnumNetworkEvents,
};

