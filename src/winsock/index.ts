/**
 * `wsaioctl/winsock`: the C-faithful Winsock surface. Names, argument order and return conventions
 * are Winsock's; constants are Windows' values. On Windows every call goes to the real ws2_32.dll;
 * elsewhere (Linux) to the emulation.
 *
 * @module wsaioctl/winsock
 */
import type { WinsockCore, WinsockOverlapped } from './api.js';

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
export const adoptNodeHandle: (resolveFd: () => number, af: number, type: number, protocol: number) => number =
  impl.adoptNodeHandle?.bind(impl) ?? (() => { impl.WSASetLastError(10045 /* WSAEOPNOTSUPP */); return -1; });

/**
 * Events, waits, overlapped results, completion ports, cancellation, event selection and their
 * async twins (`WinsockOverlapped` in api.ts). A backend that lacks one answers with its failure
 * value and ERROR_NOT_SUPPORTED (50).
 */
function overlappedPart<K extends keyof WinsockOverlapped>(name: K, failure: ReturnType<WinsockOverlapped[K]>): WinsockOverlapped[K] {
  const own = impl[name];
  if (own) return own.bind(impl) as WinsockOverlapped[K];
  return ((): unknown => {
    impl.SetLastError(50 /* ERROR_NOT_SUPPORTED */);
    return failure;
  }) as WinsockOverlapped[K];
}
export const WSACreateEvent = overlappedPart('WSACreateEvent', 0);
export const WSACloseEvent = overlappedPart('WSACloseEvent', false);
export const WSASetEvent = overlappedPart('WSASetEvent', false);
export const WSAResetEvent = overlappedPart('WSAResetEvent', false);
export const WSAWaitForMultipleEvents = overlappedPart('WSAWaitForMultipleEvents', 0xffffffff);
export const WSAWaitForMultipleEventsAsync = overlappedPart('WSAWaitForMultipleEventsAsync', Promise.resolve(0xffffffff));
export const SleepEx = overlappedPart('SleepEx', 0);
export const SleepExAsync = overlappedPart('SleepExAsync', Promise.resolve(0));
export const WSAGetOverlappedResult = overlappedPart('WSAGetOverlappedResult', false);
export const WSAGetOverlappedResultAsync = overlappedPart('WSAGetOverlappedResultAsync', Promise.resolve(false));
export const CreateIoCompletionPort = overlappedPart('CreateIoCompletionPort', 0);
export const GetQueuedCompletionStatus = overlappedPart('GetQueuedCompletionStatus', false);
export const GetQueuedCompletionStatusAsync = overlappedPart('GetQueuedCompletionStatusAsync', Promise.resolve(false));
export const PostQueuedCompletionStatus = overlappedPart('PostQueuedCompletionStatus', false);
export const CloseHandle = overlappedPart('CloseHandle', false);
export const CancelIo = overlappedPart('CancelIo', false);
export const CancelIoEx = overlappedPart('CancelIoEx', false);
export const WSAEventSelect = overlappedPart('WSAEventSelect', -1);
export const WSAEnumNetworkEvents = overlappedPart('WSAEnumNetworkEvents', -1);

export { bufferAddress } from './address.js';
export * from './constants.js';
export * from './types.js';
export type { WinsockCore, WinsockOverlapped } from './api.js';
export * from '../errors/index.js';
export * from '../codes/index.js';
export { sockaddr, parseSockaddr, type SockaddrInfo } from '../structs/sockaddr.js';
export * from '../structs/index.js';
