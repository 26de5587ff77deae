/**
 * koffi declarations of the ws2_32.dll and kernel32.dll functions the Windows backend passes
 * through to. Bound at import on win32 only (this module is imported on Linux as well,
 * ../native-library.ts).
 *
 * Conventions:
 * - `SOCKET` (UINT_PTR) is declared as the signed `intptr_t`, so INVALID_SOCKET (~0) arrives as
 *   -1 and -1 goes out as ~0; real handles are small and fit a JS number.
 * - Buffers are `void *` and receive a Uint8Array: koffi passes a pointer to its bytes (no copy),
 *   so the callee writes straight into the caller's array. A zero-length array arrives as NULL.
 * - `int *` / `DWORD *` out-parameters are `_Inout_` and receive a one-element array: the caller's
 *   value goes in, and comes back unchanged when the callee does not write it.
 * - koffi keeps the thread's last-error value across its own work, so WSAGetLastError() called
 *   after a failing call sees that call's error.
 * - `HANDLE` (events, completion ports) is `intptr_t` like SOCKET: INVALID_HANDLE_VALUE is -1.
 * - Memory the callee keeps after it returns (an overlapped call's OVERLAPPED and buffers) is never
 *   a JS array: those parameters are `void *` and receive koffi.alloc addresses (BigInt), see
 *   native-overlapped.ts.
 */
import koffi from 'koffi';
import { nativeLibrary } from '../native-library.js';
import type { WSADATA } from '../../winsock/types.js';

const SOCKET = 'intptr_t';
const HANDLE = 'intptr_t';

/** Opened and bound at import on win32 only (a missing DLL fails the import, by name). */
const ws2 = nativeLibrary('win32', 'ws2_32.dll');
const kernel32 = nativeLibrary('win32', 'kernel32.dll');

/**
 * WSADATA as laid out on Win64 (408 bytes): the two counters and the vendor pointer come before
 * the strings there, whereas the 32-bit layout puts the strings first.
 */
const WSADATA_X64 = koffi.struct({
  wVersion: 'uint16_t',
  wHighVersion: 'uint16_t',
  iMaxSockets: 'uint16_t',
  iMaxUdpDg: 'uint16_t',
  lpVendorInfo: 'void *',
  szDescription: koffi.array('char', 257, 'String'),
  szSystemStatus: koffi.array('char', 129, 'String'),
});
export const WSADATA_X64_SIZE = koffi.sizeof(WSADATA_X64);

/** The fields of a native WSADATA (bytes as WSAStartup wrote them); lpVendorInfo is dropped. */
export function decodeWSADATA(raw: Uint8Array): WSADATA {
  const { wVersion, wHighVersion, szDescription, szSystemStatus, iMaxSockets, iMaxUdpDg } =
    koffi.decode(raw, WSADATA_X64) as WSADATA;
  return { wVersion, wHighVersion, szDescription, szSystemStatus, iMaxSockets, iMaxUdpDg };
}

export const ws2_32 = {
  WSAStartup: ws2.func('int __stdcall WSAStartup(uint16_t wVersionRequested, void *lpWSAData)'),
  WSACleanup: ws2.func('int __stdcall WSACleanup()'),
  WSAGetLastError: ws2.func('int __stdcall WSAGetLastError()'),
  WSASetLastError: ws2.func('void __stdcall WSASetLastError(int iError)'),

  socket: ws2.func(`${SOCKET} __stdcall socket(int af, int type, int protocol)`),
  WSASocketW: ws2.func(
    `${SOCKET} __stdcall WSASocketW(int af, int type, int protocol, void *lpProtocolInfo, uint32_t g, uint32_t dwFlags)`,
  ),
  closesocket: ws2.func(`int __stdcall closesocket(${SOCKET} s)`),
  bind: ws2.func(`int __stdcall bind(${SOCKET} s, const void *name, int namelen)`),
  listen: ws2.func(`int __stdcall listen(${SOCKET} s, int backlog)`),
  accept: ws2.func(`${SOCKET} __stdcall accept(${SOCKET} s, void *addr, _Inout_ int *addrlen)`),
  connect: ws2.func(`int __stdcall connect(${SOCKET} s, const void *name, int namelen)`),
  send: ws2.func(`int __stdcall send(${SOCKET} s, const void *buf, int len, int flags)`),
  recv: ws2.func(`int __stdcall recv(${SOCKET} s, void *buf, int len, int flags)`),
  sendto: ws2.func(`int __stdcall sendto(${SOCKET} s, const void *buf, int len, int flags, const void *to, int tolen)`),
  recvfrom: ws2.func(`int __stdcall recvfrom(${SOCKET} s, void *buf, int len, int flags, void *from, _Inout_ int *fromlen)`),
  shutdown: ws2.func(`int __stdcall shutdown(${SOCKET} s, int how)`),
  getsockname: ws2.func(`int __stdcall getsockname(${SOCKET} s, void *name, _Inout_ int *namelen)`),
  getpeername: ws2.func(`int __stdcall getpeername(${SOCKET} s, void *name, _Inout_ int *namelen)`),
  getsockopt: ws2.func(`int __stdcall getsockopt(${SOCKET} s, int level, int optname, void *optval, _Inout_ int *optlen)`),
  setsockopt: ws2.func(`int __stdcall setsockopt(${SOCKET} s, int level, int optname, const void *optval, int optlen)`),
  // `long cmd` is 32 bits on Windows; codes above 0x7fffffff (FIONBIO) wrap to the same bits.
  ioctlsocket: ws2.func(`int __stdcall ioctlsocket(${SOCKET} s, int32_t cmd, _Inout_ uint32_t *argp)`),
  WSAIoctl: ws2.func(
    `int __stdcall WSAIoctl(${SOCKET} s, uint32_t dwIoControlCode, const void *lpvInBuffer, uint32_t cbInBuffer, ` +
      'void *lpvOutBuffer, uint32_t cbOutBuffer, _Inout_ uint32_t *lpcbBytesReturned, ' +
      'void *lpOverlapped, void *lpCompletionRoutine)',
  ),
};

export const win32 = {
  GetLastError: kernel32.func('uint32_t __stdcall GetLastError()'),
  SetLastError: kernel32.func('void __stdcall SetLastError(uint32_t dwErrCode)'),
};

/**
 * The overlapped part: events, waits, overlapped results, completion ports, cancellation, event
 * selection. BOOL is `int`. Pointers the callee may keep are `void *` (koffi.alloc addresses);
 * out-parameters written only during the call are `void *` too and receive small typed arrays.
 */
export const overlappedApi = {
  /** WSAIoctl again, every pointer raw: the overlapped form passes native memory only. */
  WSAIoctl: ws2.func(
    `int __stdcall WSAIoctl(${SOCKET} s, uint32_t dwIoControlCode, void *lpvInBuffer, uint32_t cbInBuffer, ` +
      'void *lpvOutBuffer, uint32_t cbOutBuffer, void *lpcbBytesReturned, void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  WSACreateEvent: ws2.func(`${HANDLE} __stdcall WSACreateEvent()`),
  WSACloseEvent: ws2.func(`int __stdcall WSACloseEvent(${HANDLE} hEvent)`),
  WSASetEvent: ws2.func(`int __stdcall WSASetEvent(${HANDLE} hEvent)`),
  WSAResetEvent: ws2.func(`int __stdcall WSAResetEvent(${HANDLE} hEvent)`),
  WSAWaitForMultipleEvents: ws2.func(
    'uint32_t __stdcall WSAWaitForMultipleEvents(uint32_t cEvents, void *lphEvents, int fWaitAll, uint32_t dwTimeout, int fAlertable)',
  ),
  WSAGetOverlappedResult: ws2.func(
    `int __stdcall WSAGetOverlappedResult(${SOCKET} s, void *lpOverlapped, void *lpcbTransfer, int fWait, void *lpdwFlags)`,
  ),
  WSAEventSelect: ws2.func(`int __stdcall WSAEventSelect(${SOCKET} s, ${HANDLE} hEventObject, int32_t lNetworkEvents)`),
  WSAEnumNetworkEvents: ws2.func(
    `int __stdcall WSAEnumNetworkEvents(${SOCKET} s, ${HANDLE} hEventObject, void *lpNetworkEvents)`,
  ),

  SleepEx: kernel32.func('uint32_t __stdcall SleepEx(uint32_t dwMilliseconds, int bAlertable)'),
  CreateIoCompletionPort: kernel32.func(
    `${HANDLE} __stdcall CreateIoCompletionPort(${HANDLE} FileHandle, ${HANDLE} ExistingCompletionPort, ` +
      'uint64_t CompletionKey, uint32_t NumberOfConcurrentThreads)',
  ),
  GetQueuedCompletionStatus: kernel32.func(
    `int __stdcall GetQueuedCompletionStatus(${HANDLE} CompletionPort, void *lpNumberOfBytesTransferred, ` +
      'void *lpCompletionKey, void *lpOverlapped, uint32_t dwMilliseconds)',
  ),
  PostQueuedCompletionStatus: kernel32.func(
    `int __stdcall PostQueuedCompletionStatus(${HANDLE} CompletionPort, uint32_t dwNumberOfBytesTransferred, ` +
      'uint64_t dwCompletionKey, void *lpOverlapped)',
  ),
  CloseHandle: kernel32.func(`int __stdcall CloseHandle(${HANDLE} hObject)`),
  CancelIo: kernel32.func(`int __stdcall CancelIo(${HANDLE} hFile)`),
  CancelIoEx: kernel32.func(`int __stdcall CancelIoEx(${HANDLE} hFile, void *lpOverlapped)`),
  GetHandleInformation: kernel32.func(`int __stdcall GetHandleInformation(${HANDLE} hObject, void *lpdwFlags)`),
};

/**
 * The data path. Every pointer is `void *` and receives native memory (koffi.alloc addresses):
 * WSABUF arrays hold pointers, and an overlapped call's buffers, byte count, flags and address
 * are written by Windows after the call returns (data-path.ts).
 */
export const dataPathApi = {
  WSARecv: ws2.func(
    `int __stdcall WSARecv(${SOCKET} s, void *lpBuffers, uint32_t dwBufferCount, void *lpNumberOfBytesRecvd, ` +
      'void *lpFlags, void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  WSASend: ws2.func(
    `int __stdcall WSASend(${SOCKET} s, void *lpBuffers, uint32_t dwBufferCount, void *lpNumberOfBytesSent, ` +
      'uint32_t dwFlags, void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  WSARecvFrom: ws2.func(
    `int __stdcall WSARecvFrom(${SOCKET} s, void *lpBuffers, uint32_t dwBufferCount, void *lpNumberOfBytesRecvd, ` +
      'void *lpFlags, void *lpFrom, void *lpFromlen, void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  WSASendTo: ws2.func(
    `int __stdcall WSASendTo(${SOCKET} s, void *lpBuffers, uint32_t dwBufferCount, void *lpNumberOfBytesSent, ` +
      'uint32_t dwFlags, void *lpTo, int iTolen, void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  /** Exported by ws2_32 (Vista and later); WSARecvMsg is not: message.ts calls its extension pointer. */
  WSASendMsg: ws2.func(
    `int __stdcall WSASendMsg(${SOCKET} Handle, void *lpMsg, uint32_t dwFlags, void *lpNumberOfBytesSent, ` +
      'void *lpOverlapped, void *lpCompletionRoutine)',
  ),
  select: ws2.func('int __stdcall select(int nfds, void *readfds, void *writefds, void *exceptfds, void *timeout)'),
  WSAPoll: ws2.func('int __stdcall WSAPoll(void *fdArray, uint32_t fds, int timeout)'),
  SetFileCompletionNotificationModes: kernel32.func(
    `int __stdcall SetFileCompletionNotificationModes(${HANDLE} FileHandle, uint8_t Flags)`,
  ),
};

/**
 * `void CALLBACK CompletionRoutine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED, DWORD dwFlags)`:
 * the type of the one registered callback that receives every completion routine call (see
 * native-overlapped.ts).
 */
export const CompletionRoutine = koffi.pointer(koffi.proto(
  'void __stdcall CompletionRoutine(uint32_t dwError, uint32_t cbTransferred, void *lpOverlapped, uint32_t dwFlags)',
));
