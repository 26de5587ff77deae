/**
 * `wsaioctl/winsock`: the C-faithful Winsock surface. Names, argument order and return conventions
 * are Winsock's; constants are Windows' values. On Windows every call goes to the real ws2_32.dll;
 * elsewhere (Linux) to the emulation. Every function stands behind one argument guard (SURFACE
 * below): whatever JS passes, it returns its failure value and sets the last error rather than
 * throw, on both backends (docs/principles.md, principle 2).
 *
 * @module wsaioctl/winsock
 */
// First: on an unsupported system the import fails in platform.ts, naming the system.
import { BACKEND } from './platform.js';
import type { WinsockCore } from './api.js';
import { makeGuard } from './guard.js';
import { INVALID_HANDLE_VALUE, INVALID_SOCKET, SOCKET_ERROR, WAIT_FAILED, WSA_INVALID_EVENT, WSA_WAIT_FAILED } from './constants.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_INVALID_WINDOW_HANDLE, WSAEFAULT, WSAEINVAL } from '../errors/index.js';
import * as linux from '../backend/linux/index.js';
import * as windows from '../backend/windows/index.js';
import { extensionBySurface, pointerValue, type ExtensionFunction, type ExtensionName } from './extension-functions.js';

// Chosen synchronously (a top-level await would make `require('wsaioctl')` fail with
// ERR_REQUIRE_ASYNC_MODULE): both backends are imported, and each binds its native library only on
// its own platform (backend/native-library.ts).
const impl: WinsockCore = BACKEND === 'windows' ? windows.activate() : linux.activate();

/** Which implementation serves this process. */
export const backendName = impl.backendName;

// ---- the guard every function of the surface stands behind --------------------------------------

type FunctionName = Exclude<keyof WinsockCore, 'backendName'>;

/**
 * How a function fails when an exception escapes its backend: `failure` is what it returns (what
 * an `...Async` twin resolves to, `async: true`), `error` the last error it sets.
 */
type Failure<F> = F extends (...args: never[]) => Promise<infer R>
  ? { readonly failure: R; readonly error: number; readonly async: true }
  : F extends (...args: never[]) => infer R ? { readonly failure: R; readonly error: number; readonly async?: never } : never;

/** The last-error getters take no argument and cannot throw: they stay the backend's own function. */
const UNGUARDED = 'unguarded';

const PARAM = ERROR_INVALID_PARAMETER;
const HANDLE = ERROR_INVALID_HANDLE;

/**
 * Every function of the contract, with its failure value and error (docs/principles.md,
 * principle 2). Failure values are the C ones: SOCKET_ERROR for int results, INVALID_SOCKET for
 * SOCKET results, FALSE for BOOL, NULL for WSACreateEvent / CreateIoCompletionPort,
 * WSA_WAIT_FAILED for WSAWaitForMultipleEvents, and for WSAStartup (which returns its error) the
 * error itself. Errors: WSAEFAULT where the bad argument can be a pointer (buffer, out-parameter,
 * structure, callback), WSAEINVAL where all are values; the kernel32-style functions keep the
 * Win32 errors the Linux backend's win32/index.ts guards use. tsc holds this table to the
 * contract: a function added to WinsockCore does not compile until it has its row.
 */
const SURFACE: { readonly [K in FunctionName]: Failure<WinsockCore[K]> | typeof UNGUARDED } = {
  // lpWSAData is the pointer; a version JS cannot turn into a WORD fails the same way.
  WSAStartup: { failure: WSAEFAULT, error: WSAEFAULT },
  WSACleanup: { failure: SOCKET_ERROR, error: WSAEINVAL },
  WSAGetLastError: UNGUARDED,
  GetLastError: UNGUARDED,
  WSASetLastError: { failure: undefined, error: WSAEINVAL },
  SetLastError: { failure: undefined, error: PARAM },

  socket: { failure: INVALID_SOCKET, error: WSAEINVAL },
  WSASocketW: { failure: INVALID_SOCKET, error: WSAEFAULT },
  closesocket: { failure: SOCKET_ERROR, error: WSAEINVAL },
  bind: { failure: SOCKET_ERROR, error: WSAEFAULT },
  listen: { failure: SOCKET_ERROR, error: WSAEINVAL },
  accept: { failure: INVALID_SOCKET, error: WSAEFAULT },
  connect: { failure: SOCKET_ERROR, error: WSAEFAULT },
  send: { failure: SOCKET_ERROR, error: WSAEFAULT },
  recv: { failure: SOCKET_ERROR, error: WSAEFAULT },
  sendto: { failure: SOCKET_ERROR, error: WSAEFAULT },
  recvfrom: { failure: SOCKET_ERROR, error: WSAEFAULT },
  shutdown: { failure: SOCKET_ERROR, error: WSAEINVAL },
  getsockname: { failure: SOCKET_ERROR, error: WSAEFAULT },
  getpeername: { failure: SOCKET_ERROR, error: WSAEFAULT },
  getsockopt: { failure: SOCKET_ERROR, error: WSAEFAULT },
  setsockopt: { failure: SOCKET_ERROR, error: WSAEFAULT },
  ioctlsocket: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSAIoctl: { failure: SOCKET_ERROR, error: WSAEFAULT },
  adoptNodeHandle: { failure: INVALID_SOCKET, error: WSAEFAULT },
  queryDefaultGateway: { failure: null, error: WSAEINVAL },
  queryInterfaceIndex: { failure: 0, error: WSAEINVAL },

  WSACreateEvent: { failure: WSA_INVALID_EVENT, error: PARAM },
  WSACloseEvent: { failure: false, error: PARAM },
  WSASetEvent: { failure: false, error: PARAM },
  WSAResetEvent: { failure: false, error: PARAM },
  WSAWaitForMultipleEvents: { failure: WSA_WAIT_FAILED, error: PARAM },
  WSAWaitForMultipleEventsAsync: { failure: WSA_WAIT_FAILED, error: PARAM, async: true },
  SleepEx: { failure: 0, error: PARAM },
  SleepExAsync: { failure: 0, error: PARAM, async: true },
  WSAGetOverlappedResult: { failure: false, error: WSAEFAULT },
  WSAGetOverlappedResultAsync: { failure: false, error: WSAEFAULT, async: true },
  CreateIoCompletionPort: { failure: 0, error: PARAM },
  GetQueuedCompletionStatus: { failure: false, error: PARAM },
  GetQueuedCompletionStatusAsync: { failure: false, error: PARAM, async: true },
  PostQueuedCompletionStatus: { failure: false, error: PARAM },
  overlappedId: { failure: 0, error: PARAM },
  CloseHandle: { failure: false, error: HANDLE },
  CancelIo: { failure: false, error: HANDLE },
  CancelIoEx: { failure: false, error: HANDLE },
  WSAEventSelect: { failure: SOCKET_ERROR, error: WSAEINVAL },
  WSAEnumNetworkEvents: { failure: SOCKET_ERROR, error: WSAEFAULT },

  WSARecv: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSASend: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSARecvFrom: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSASendTo: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSARecvMsg: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSASendMsg: { failure: SOCKET_ERROR, error: WSAEFAULT },
  select: { failure: SOCKET_ERROR, error: WSAEFAULT },
  selectAsync: { failure: SOCKET_ERROR, error: WSAEFAULT, async: true },
  WSAPoll: { failure: SOCKET_ERROR, error: WSAEFAULT },
  WSAPollAsync: { failure: SOCKET_ERROR, error: WSAEFAULT, async: true },
  SetFileCompletionNotificationModes: { failure: false, error: PARAM },

  WSAAsyncSelect: { failure: SOCKET_ERROR, error: WSAEINVAL },
  WaitForSingleObjectEx: { failure: WAIT_FAILED, error: PARAM },
  WaitForSingleObjectExAsync: { failure: WAIT_FAILED, error: PARAM, async: true },
  WaitForMultipleObjectsEx: { failure: WAIT_FAILED, error: PARAM },
  WaitForMultipleObjectsExAsync: { failure: WAIT_FAILED, error: PARAM, async: true },
  MsgWaitForMultipleObjectsEx: { failure: WAIT_FAILED, error: PARAM },
  MsgWaitForMultipleObjectsExAsync: { failure: WAIT_FAILED, error: PARAM, async: true },
  RegisterClassExW: { failure: 0, error: PARAM },
  UnregisterClassW: { failure: false, error: PARAM },
  CreateWindowExW: { failure: 0, error: PARAM },
  DestroyWindow: { failure: false, error: ERROR_INVALID_WINDOW_HANDLE },
  DefWindowProcW: { failure: 0, error: PARAM },
  PostMessageW: { failure: false, error: PARAM },
  PostQuitMessage: { failure: undefined, error: PARAM },
  PeekMessageW: { failure: false, error: PARAM },
  GetMessageW: { failure: -1, error: PARAM },
  GetMessageWAsync: { failure: -1, error: PARAM, async: true },
  TranslateMessage: { failure: false, error: PARAM },
  DispatchMessageW: { failure: 0, error: PARAM },
  AcceptEx: { failure: false, error: WSAEFAULT },
  GetAcceptExSockaddrs: { failure: undefined, error: WSAEFAULT },
  ConnectEx: { failure: false, error: WSAEFAULT },
  DisconnectEx: { failure: false, error: WSAEFAULT },
  CreateFileW: { failure: INVALID_HANDLE_VALUE, error: PARAM },
  _get_osfhandle: { failure: INVALID_HANDLE_VALUE, error: HANDLE },
  TransmitFile: { failure: false, error: WSAEFAULT },
  TransmitPackets: { failure: false, error: WSAEFAULT },
};

/** The backend's own setter (both last-error setters write the one slot, as on Windows). */
const setLastError = impl.WSASetLastError;
const guard = makeGuard((code) => setLastError(code));

/** The backend's function `name` behind the guard its row in SURFACE describes. */
function guarded<K extends FunctionName>(name: K): WinsockCore[K] {
  const row = SURFACE[name] as Failure<(...args: never[]) => unknown> | typeof UNGUARDED;
  const fn = impl[name];
  if (row === UNGUARDED) return fn;
  return guard(fn, (row.async ? Promise.resolve(row.failure) : row.failure) as ReturnType<WinsockCore[K]>, row.error, name);
}

// ---- the surface ---------------------------------------------------------------------------------

/** @function */ export const WSAStartup = guarded('WSAStartup');
/** @function */ export const WSACleanup = guarded('WSACleanup');
/** @function */ export const WSAGetLastError = guarded('WSAGetLastError');
/** @function */ export const WSASetLastError = guarded('WSASetLastError');
/** @function */ export const GetLastError = guarded('GetLastError');
/** @function */ export const SetLastError = guarded('SetLastError');
/** @function */ export const socket = guarded('socket');
/** @function */ export const WSASocketW = guarded('WSASocketW');
/**
 * WSASocket is WSASocketW here (no protocol-info strings are used).
 *
 * @function
 */
export const WSASocket = WSASocketW;
/** @function */ export const closesocket = guarded('closesocket');
/** @function */ export const bind = guarded('bind');
/** @function */ export const listen = guarded('listen');
/** @function */ export const accept = guarded('accept');
/** @function */ export const connect = guarded('connect');
/** @function */ export const send = guarded('send');
/** @function */ export const recv = guarded('recv');
/** @function */ export const sendto = guarded('sendto');
/** @function */ export const recvfrom = guarded('recvfrom');
/** @function */ export const shutdown = guarded('shutdown');
/** @function */ export const getsockname = guarded('getsockname');
/** @function */ export const getpeername = guarded('getpeername');
/** @function */ export const getsockopt = guarded('getsockopt');
/** @function */ export const setsockopt = guarded('setsockopt');
/** @function */ export const ioctlsocket = guarded('ioctlsocket');
/** @function */ export const WSAIoctl = guarded('WSAIoctl');
/**
 * Not a Winsock function: a socket Node owns, registered as a borrowed SOCKET (see
 * `WinsockCore.adoptNodeHandle`; the friendly `fromNodeSocket` in `wsaioctl` wraps it). On Windows,
 * where Node reports fd -1, the socket is found by the addresses `identify` reports.
 *
 * @function
 */
export const adoptNodeHandle = guarded('adoptNodeHandle');
/**
 * Not a Winsock function: the default gateway of a family (see `WinsockCore.queryDefaultGateway`).
 *
 * @function
 */
export const queryDefaultGateway = guarded('queryDefaultGateway');
/**
 * Not a Winsock function: the index of an interface by its `os.networkInterfaces()` name (see
 * `WinsockCore.queryInterfaceIndex`).
 *
 * @function
 */
export const queryInterfaceIndex = guarded('queryInterfaceIndex');

// Events, waits, overlapped results, completion ports, cancellation, event selection and their
// async twins (`WinsockOverlapped` in api.ts).
/** @function */ export const WSACreateEvent = guarded('WSACreateEvent');
/** @function */ export const WSACloseEvent = guarded('WSACloseEvent');
/** @function */ export const WSASetEvent = guarded('WSASetEvent');
/** @function */ export const WSAResetEvent = guarded('WSAResetEvent');
/** @function */ export const WSAWaitForMultipleEvents = guarded('WSAWaitForMultipleEvents');
/** @function */ export const WSAWaitForMultipleEventsAsync = guarded('WSAWaitForMultipleEventsAsync');
/** @function */ export const SleepEx = guarded('SleepEx');
/** @function */ export const SleepExAsync = guarded('SleepExAsync');
/** @function */ export const WSAGetOverlappedResult = guarded('WSAGetOverlappedResult');
/** @function */ export const WSAGetOverlappedResultAsync = guarded('WSAGetOverlappedResultAsync');
/** @function */ export const CreateIoCompletionPort = guarded('CreateIoCompletionPort');
/** @function */ export const GetQueuedCompletionStatus = guarded('GetQueuedCompletionStatus');
/** @function */ export const GetQueuedCompletionStatusAsync = guarded('GetQueuedCompletionStatusAsync');
/** @function */ export const PostQueuedCompletionStatus = guarded('PostQueuedCompletionStatus');
/**
 * Not a Winsock function: the process-wide number of a WSAOVERLAPPED, the same for a stand-in
 * another thread dequeued (see `WinsockOverlapped.overlappedId`).
 *
 * @function
 */
export const overlappedId = guarded('overlappedId');
/** @function */ export const CloseHandle = guarded('CloseHandle');
/** @function */ export const CancelIo = guarded('CancelIo');
/** @function */ export const CancelIoEx = guarded('CancelIoEx');
/** @function */ export const WSAEventSelect = guarded('WSAEventSelect');
/** @function */ export const WSAEnumNetworkEvents = guarded('WSAEnumNetworkEvents');

// The data path (`WinsockDataPath` in api.ts); the fd_set macros are plain functions (fd-set.ts).
/** @function */ export const WSARecv = guarded('WSARecv');
/** @function */ export const WSASend = guarded('WSASend');
/** @function */ export const WSARecvFrom = guarded('WSARecvFrom');
/** @function */ export const WSASendTo = guarded('WSASendTo');
/** @function */ export const select = guarded('select');
/** @function */ export const selectAsync = guarded('selectAsync');
/** @function */ export const WSAPoll = guarded('WSAPoll');
/** @function */ export const WSAPollAsync = guarded('WSAPollAsync');
/** @function */ export const SetFileCompletionNotificationModes = guarded('SetFileCompletionNotificationModes');
export { FD_SET, FD_CLR, FD_ISSET, FD_ZERO } from './fd-set.js';

// Files and their transmission (`WinsockTransmit` in api.ts).
/** @function */ export const CreateFileW = guarded('CreateFileW');
/** @function */ export const _get_osfhandle = guarded('_get_osfhandle');

// The extension functions (`WinsockExtensions` in api.ts), by name, and the casts that turn the
// pointer SIO_GET_EXTENSION_FUNCTION_POINTER wrote into them (one export line per function).
/** @function */ export const AcceptEx = guarded('AcceptEx');
/** @function */ export const GetAcceptExSockaddrs = guarded('GetAcceptExSockaddrs');
/** @function */ export const ConnectEx = guarded('ConnectEx');
/** @function */ export const DisconnectEx = guarded('DisconnectEx');
/** @function */ export const WSARecvMsg = guarded('WSARecvMsg');
/** @function */ export const WSASendMsg = guarded('WSASendMsg');
/** @function */ export const TransmitFile = guarded('TransmitFile');
/** @function */ export const TransmitPackets = guarded('TransmitPackets');

const named: { readonly [K in ExtensionName]: WinsockCore[K] } = {
  AcceptEx, GetAcceptExSockaddrs, ConnectEx, DisconnectEx, WSARecvMsg, WSASendMsg, TransmitFile, TransmitPackets,
};
const resolveExtension = BACKEND === 'windows' ? windows.resolveExtension : linux.resolveExtension;

/**
 * The cast of a typedef: `ptr` (a bigint, or a Uint8Array whose first 8 bytes SIO_GET_EXTENSION_FUNCTION_POINTER
 * wrote) as the function it points to. On Linux that is the surface function itself; on Windows a
 * function calling the real pointer through koffi. Not such a pointer (another function's, any
 * other value): TypeError, where C would crash at the call.
 */
function cast<K extends ExtensionName>(name: K): (ptr: Uint8Array | bigint) => WinsockCore[K] {
  const row = extensionBySurface(name) as ExtensionFunction & { surface: K };
  return (ptr): WinsockCore[K] => {
    const resolved = resolveExtension(row, pointerValue(ptr, row.typedef)) as WinsockCore[K] | null;
    if (resolved === null) throw new TypeError(`${row.typedef}: not a pointer to ${name}`);
    if (resolved === impl[name]) return named[name] as unknown as WinsockCore[K];
    const failure = SURFACE[name] as Failure<(...args: never[]) => unknown>;
    return guard(resolved as WinsockCore[K], failure.failure as ReturnType<WinsockCore[K]>, failure.error, name);
  };
}

/**
 * `LPFN_ACCEPTEX`: the pointer WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_ACCEPTEX) wrote,
 * as the AcceptEx it points to (see `WinsockExtensions.AcceptEx`). Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_ACCEPTEX = cast('AcceptEx');
/**
 * `LPFN_GETACCEPTEXSOCKADDRS`: the WSAID_GETACCEPTEXSOCKADDRS pointer as GetAcceptExSockaddrs
 * (see `WinsockExtensions.GetAcceptExSockaddrs`). Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_GETACCEPTEXSOCKADDRS = cast('GetAcceptExSockaddrs');
/**
 * `LPFN_CONNECTEX`: the WSAID_CONNECTEX pointer as ConnectEx (see `WinsockExtensions.ConnectEx`).
 * Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_CONNECTEX = cast('ConnectEx');
/**
 * `LPFN_DISCONNECTEX`: the WSAID_DISCONNECTEX pointer as DisconnectEx (see
 * `WinsockExtensions.DisconnectEx`). Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_DISCONNECTEX = cast('DisconnectEx');
/**
 * `LPFN_WSARECVMSG`: the WSAID_WSARECVMSG pointer as WSARecvMsg (see `WinsockExtensions.WSARecvMsg`).
 * Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_WSARECVMSG = cast('WSARecvMsg');
/**
 * `LPFN_WSASENDMSG`: the WSAID_WSASENDMSG pointer as WSASendMsg (see `WinsockExtensions.WSASendMsg`).
 * Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_WSASENDMSG = cast('WSASendMsg');
/**
 * `LPFN_TRANSMITFILE`: the WSAID_TRANSMITFILE pointer as TransmitFile (see
 * `WinsockExtensions.TransmitFile`). Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_TRANSMITFILE = cast('TransmitFile');
/**
 * `LPFN_TRANSMITPACKETS`: the WSAID_TRANSMITPACKETS pointer as TransmitPackets (see
 * `WinsockExtensions.TransmitPackets`). Throws TypeError for anything else.
 *
 * @function
 */
export const LPFN_TRANSMITPACKETS = cast('TransmitPackets');

// WSAAsyncSelect, windows and the message queue, and the kernel32 / user32 waits (`WinsockMessages`
// in api.ts).
/** @function */ export const WSAAsyncSelect = guarded('WSAAsyncSelect');
/** @function */ export const WaitForSingleObjectEx = guarded('WaitForSingleObjectEx');
/** @function */ export const WaitForSingleObjectExAsync = guarded('WaitForSingleObjectExAsync');
/** @function */ export const WaitForMultipleObjectsEx = guarded('WaitForMultipleObjectsEx');
/** @function */ export const WaitForMultipleObjectsExAsync = guarded('WaitForMultipleObjectsExAsync');
/** @function */ export const MsgWaitForMultipleObjectsEx = guarded('MsgWaitForMultipleObjectsEx');
/** @function */ export const MsgWaitForMultipleObjectsExAsync = guarded('MsgWaitForMultipleObjectsExAsync');
/** @function */ export const RegisterClassExW = guarded('RegisterClassExW');
/** @function */ export const UnregisterClassW = guarded('UnregisterClassW');
/** @function */ export const CreateWindowExW = guarded('CreateWindowExW');
/** @function */ export const DestroyWindow = guarded('DestroyWindow');
/** @function */ export const DefWindowProcW = guarded('DefWindowProcW');
/** @function */ export const PostMessageW = guarded('PostMessageW');
/** @function */ export const PostQuitMessage = guarded('PostQuitMessage');
/** @function */ export const PeekMessageW = guarded('PeekMessageW');
/** @function */ export const GetMessageW = guarded('GetMessageW');
/** @function */ export const GetMessageWAsync = guarded('GetMessageWAsync');
/** @function */ export const TranslateMessage = guarded('TranslateMessage');
/** @function */ export const DispatchMessageW = guarded('DispatchMessageW');

export { bufferAddress } from './address.js';
export * from './constants.js';
export * from './types.js';
export type { WinsockCore, WinsockOverlapped, WinsockDataPath, WinsockExtensions, WinsockTransmit, WinsockMessages } from './api.js';
export { EXTENSION_FUNCTIONS, type ExtensionFunction, type ExtensionName } from './extension-functions.js';
export * from '../errors/index.js';
export * from '../codes/index.js';
export { sockaddr, parseSockaddr, type SockaddrInfo } from '../structs/sockaddr.js';
export * from '../structs/index.js';
