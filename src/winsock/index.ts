/**
 * `wsaioctl/winsock`: the C-faithful Winsock surface. Names, argument order and return conventions
 * are Winsock's; constants are Windows' values. On Windows every call goes to the real ws2_32.dll;
 * elsewhere (Linux) to the emulation.
 *
 * @module wsaioctl/winsock
 */
import type { WinsockCore } from './api.js';

const impl: WinsockCore = process.platform === 'win32'
  ? (await import('../backend/windows/index.js')).backend
  : (await import('../backend/linux/index.js')).backend;

/** Which implementation serves this process. */
export const backendName = impl.backendName;

export const WSAStartup = impl.WSAStartup;
export const WSACleanup = impl.WSACleanup;
export const WSAGetLastError = impl.WSAGetLastError;
export const WSASetLastError = impl.WSASetLastError;
export const GetLastError = impl.GetLastError;
export const SetLastError = impl.SetLastError;
export const socket = impl.socket;
export const WSASocketW = impl.WSASocketW;
/** WSASocket is WSASocketW here (no protocol-info strings are used). */
export const WSASocket = impl.WSASocketW;
export const closesocket = impl.closesocket;
export const bind = impl.bind;
export const listen = impl.listen;
export const accept = impl.accept;
export const connect = impl.connect;
export const send = impl.send;
export const recv = impl.recv;
export const sendto = impl.sendto;
export const recvfrom = impl.recvfrom;
export const shutdown = impl.shutdown;
export const getsockname = impl.getsockname;
export const getpeername = impl.getpeername;
export const getsockopt = impl.getsockopt;
export const setsockopt = impl.setsockopt;
export const ioctlsocket = impl.ioctlsocket;
export const WSAIoctl = impl.WSAIoctl;
/**
 * Not a Winsock function: a socket Node owns, registered as a borrowed SOCKET (see
 * `WinsockCore.adoptNodeHandle`; the friendly `fromNodeSocket` in `wsaioctl` wraps it). Where the
 * backend cannot do it (Windows: Node does not expose its SOCKET), INVALID_SOCKET and WSAEOPNOTSUPP.
 */
export const adoptNodeHandle = impl.adoptNodeHandle;

/**
 * Events, waits, overlapped results, completion ports, cancellation, event selection and their
 * async twins (`WinsockOverlapped` in api.ts).
 */
export const WSACreateEvent = impl.WSACreateEvent;
export const WSACloseEvent = impl.WSACloseEvent;
export const WSASetEvent = impl.WSASetEvent;
export const WSAResetEvent = impl.WSAResetEvent;
export const WSAWaitForMultipleEvents = impl.WSAWaitForMultipleEvents;
export const WSAWaitForMultipleEventsAsync = impl.WSAWaitForMultipleEventsAsync;
export const SleepEx = impl.SleepEx;
export const SleepExAsync = impl.SleepExAsync;
export const WSAGetOverlappedResult = impl.WSAGetOverlappedResult;
export const WSAGetOverlappedResultAsync = impl.WSAGetOverlappedResultAsync;
export const CreateIoCompletionPort = impl.CreateIoCompletionPort;
export const GetQueuedCompletionStatus = impl.GetQueuedCompletionStatus;
export const GetQueuedCompletionStatusAsync = impl.GetQueuedCompletionStatusAsync;
export const PostQueuedCompletionStatus = impl.PostQueuedCompletionStatus;
export const CloseHandle = impl.CloseHandle;
export const CancelIo = impl.CancelIo;
export const CancelIoEx = impl.CancelIoEx;
export const WSAEventSelect = impl.WSAEventSelect;
export const WSAEnumNetworkEvents = impl.WSAEnumNetworkEvents;

export { bufferAddress } from './address.js';
export * from './constants.js';
export * from './types.js';
export type { WinsockCore, WinsockOverlapped } from './api.js';
export * from '../errors/index.js';
export * from '../codes/index.js';
export { sockaddr, parseSockaddr, type SockaddrInfo } from '../structs/sockaddr.js';
export * from '../structs/index.js';
