/**
 * The Windows backend: each Winsock function passes straight through to the real ws2_32.dll
 * (and kernel32.dll for the Win32 last error, events, waits and completion ports). Windows decides
 * every result and error. Checked here only: our own WSAStartup count (`needsStartup`, see
 * startup.ts) and JS buffers shorter than the size claimed for them (see arguments.ts). The overlapped part (events,
 * waits, completion ports, overlapped WSAIoctl, async twins) is in overlapped.ts.
 * Imported on every platform; its DLLs are bound at import on win32 only (ws2_32.ts).
 */
import { INVALID_SOCKET, SOCKET_ERROR } from '../../winsock/constants.js';
import { FIONBIO } from '../../codes/names.js';
import { WSAEFAULT, WSAENOTSOCK, WSAVERNOTSUPPORTED } from '../../errors/index.js';
import { adoptBorrowed, borrowedSocket, detachBorrowed } from './node-sockets.js';
import { queryDefaultGateway } from './default-gateway.js';
import { queryInterfaceIndex } from './interface-index.js';
import type { WinsockCore } from '../../winsock/api.js';
import { cellOf, looseDword, unwritable, nativeSocket, overruns, overrunsRef, overrunsTransfer, refValue, storeCell } from './arguments.js';
import { forgetSocket, overlappedFunctions, overlappedIoctl } from './overlapped.js';
import { dataPathFunctions } from './data-path.js';
import { transmitFunctions } from './transmit.js';
import { messageFunctions } from './messages.js';
import { extensionFunctions, resolveExtension } from './extension-functions.js';
import { countCleanup, countStartup, needsStartup } from './startup.js';
import { WSADATA_X64_SIZE, decodeWSADATA, win32, ws2_32 } from './ws2_32.js';

/**
 * FIONBIO on a borrowed SOCKET changes only its Winsock flag (docs/principles.md, principle 3):
 * libuv needs Node's socket non-blocking. `value` null: no argument to read (WSAEFAULT, as ws2_32).
 */
function borrowedFionbio(s: number, value: number | null): number {
  const entry = borrowedSocket(s);
  if (entry === undefined || nativeSocket(s) === INVALID_SOCKET) return fail(SOCKET_ERROR, WSAENOTSOCK);
  if (value === null) return fail(SOCKET_ERROR, WSAEFAULT);
  entry.nonBlocking = value !== 0;
  return 0;
}

/** Returns `failure` (SOCKET_ERROR or INVALID_SOCKET) with `error` as the last error. */
function fail(failure: number, error: number): number {
  ws2_32.WSASetLastError(error);
  return failure;
}

export const backend: WinsockCore = {
  backendName: 'windows-ws2_32',

  WSAStartup(wVersionRequested, lpWSAData) {
    const raw = lpWSAData === null ? null : new Uint8Array(WSADATA_X64_SIZE);
    const result: number = ws2_32.WSAStartup(wVersionRequested, raw);
    if (result === 0) countStartup();
    // ws2_32 fills WSADATA on success and also on WSAVERNOTSUPPORTED (with the versions it offers).
    if (raw !== null && lpWSAData !== null && (result === 0 || result === WSAVERNOTSUPPORTED)) {
      Object.assign(lpWSAData, decodeWSADATA(raw));
    }
    return result;
  },
  WSACleanup: needsStartup(SOCKET_ERROR, () => {
    const result: number = ws2_32.WSACleanup();
    if (result === 0) countCleanup();
    return result;
  }),
  WSAGetLastError: () => ws2_32.WSAGetLastError(),
  WSASetLastError: (iError) => ws2_32.WSASetLastError(iError),
  GetLastError: () => win32.GetLastError(),
  SetLastError: (dwErrCode) => win32.SetLastError(dwErrCode),

  socket: needsStartup(INVALID_SOCKET, (af, type, protocol) => ws2_32.socket(af, type, protocol)),
  WSASocketW: needsStartup(INVALID_SOCKET, (af, type, protocol, lpProtocolInfo, g, dwFlags) =>
    ws2_32.WSASocketW(af, type, protocol, lpProtocolInfo, g, dwFlags)),
  closesocket: needsStartup(SOCKET_ERROR, (s) => {
    // A borrowed SOCKET is only detached: the socket is Node's (docs/principles.md, principle 3).
    if (borrowedSocket(s)) {
      detachBorrowed(s);
      return 0;
    }
    const result: number = ws2_32.closesocket(nativeSocket(s));
    if (result === 0) forgetSocket(s);
    return result;
  }),

  bind: needsStartup(SOCKET_ERROR, (s, name, namelen) => {
    if (overruns(name, namelen)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.bind(nativeSocket(s), name, namelen);
  }),
  listen: needsStartup(SOCKET_ERROR, (s, backlog) => ws2_32.listen(nativeSocket(s), backlog)),
  accept: needsStartup(INVALID_SOCKET, (s, addr, addrlen) => {
    if (unwritable(addrlen) || overrunsRef(addr, addrlen)) return fail(INVALID_SOCKET, WSAEFAULT);
    const cell = cellOf(addrlen);
    const accepted: number = ws2_32.accept(nativeSocket(s), addr, cell);
    storeCell(addrlen, cell);
    return accepted;
  }),
  connect: needsStartup(SOCKET_ERROR, (s, name, namelen) => {
    if (overruns(name, namelen)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.connect(nativeSocket(s), name, namelen);
  }),

  send: needsStartup(SOCKET_ERROR, (s, buf, len, flags) => {
    if (overrunsTransfer(buf, len)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.send(nativeSocket(s), buf, len, flags);
  }),
  recv: needsStartup(SOCKET_ERROR, (s, buf, len, flags) => {
    if (overrunsTransfer(buf, len)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.recv(nativeSocket(s), buf, len, flags);
  }),
  sendto: needsStartup(SOCKET_ERROR, (s, buf, len, flags, to, tolen) => {
    if (overrunsTransfer(buf, len) || overruns(to, tolen)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.sendto(nativeSocket(s), buf, len, flags, to, tolen);
  }),
  recvfrom: needsStartup(SOCKET_ERROR, (s, buf, len, flags, from, fromlen) => {
    if (unwritable(fromlen) || overrunsTransfer(buf, len) || overrunsRef(from, fromlen)) return fail(SOCKET_ERROR, WSAEFAULT);
    const cell = cellOf(fromlen);
    const received: number = ws2_32.recvfrom(nativeSocket(s), buf, len, flags, from, cell);
    storeCell(fromlen, cell);
    return received;
  }),
  shutdown: needsStartup(SOCKET_ERROR, (s, how) => ws2_32.shutdown(nativeSocket(s), how)),

  getsockname: needsStartup(SOCKET_ERROR, (s, name, namelen) => {
    if (unwritable(namelen) || overrunsRef(name, namelen)) return fail(SOCKET_ERROR, WSAEFAULT);
    const cell = cellOf(namelen);
    const result: number = ws2_32.getsockname(nativeSocket(s), name, cell);
    storeCell(namelen, cell);
    return result;
  }),
  getpeername: needsStartup(SOCKET_ERROR, (s, name, namelen) => {
    if (unwritable(namelen) || overrunsRef(name, namelen)) return fail(SOCKET_ERROR, WSAEFAULT);
    const cell = cellOf(namelen);
    const result: number = ws2_32.getpeername(nativeSocket(s), name, cell);
    storeCell(namelen, cell);
    return result;
  }),
  getsockopt: needsStartup(SOCKET_ERROR, (s, level, optname, optval, optlen) => {
    if (unwritable(optlen) || overrunsRef(optval, optlen)) return fail(SOCKET_ERROR, WSAEFAULT);
    const cell = cellOf(optlen);
    const result: number = ws2_32.getsockopt(nativeSocket(s), level, optname, optval, cell);
    storeCell(optlen, cell);
    return result;
  }),
  setsockopt: needsStartup(SOCKET_ERROR, (s, level, optname, optval, optlen) => {
    if (overruns(optval, optlen)) return fail(SOCKET_ERROR, WSAEFAULT);
    return ws2_32.setsockopt(nativeSocket(s), level, optname, optval, optlen);
  }),

  ioctlsocket: needsStartup(SOCKET_ERROR, (s, cmd, argp) => {
    if (unwritable(argp)) return fail(SOCKET_ERROR, WSAEFAULT);
    if (looseDword(cmd) === FIONBIO && borrowedSocket(s)) return borrowedFionbio(s, argp === null ? null : refValue(argp));
    const cell = cellOf(argp);
    const result: number = ws2_32.ioctlsocket(nativeSocket(s), cmd, cell);
    storeCell(argp, cell);
    return result;
  }),
  WSAIoctl: needsStartup(SOCKET_ERROR, (s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
    lpcbBytesReturned, lpOverlapped, lpCompletionRoutine) => {
    // What koffi could not convert would throw; C would just see some 32-bit value.
    dwIoControlCode = looseDword(dwIoControlCode);
    cbInBuffer = looseDword(cbInBuffer);
    cbOutBuffer = looseDword(cbOutBuffer);
    // The input is a structure (ordinary memory); the output, only written, may be shared memory
    // as a receive's buffer may (winsock/arguments.ts).
    if (unwritable(lpcbBytesReturned) || overruns(lpvInBuffer, cbInBuffer) || overrunsTransfer(lpvOutBuffer, cbOutBuffer)) {
      return fail(SOCKET_ERROR, WSAEFAULT);
    }
    if (dwIoControlCode === FIONBIO && borrowedSocket(s) && lpOverlapped === null) {
      const value = lpvInBuffer !== null && cbInBuffer >= 4 ? new DataView(lpvInBuffer.buffer, lpvInBuffer.byteOffset, 4).getUint32(0, true) : null;
      const result = borrowedFionbio(s, value);
      if (result === 0 && lpcbBytesReturned) lpcbBytesReturned.value = 0;
      return result;
    }
    // With a WSAOVERLAPPED: native OVERLAPPED and buffers that outlive the call (overlapped.ts).
    // Without one, a completion routine is ignored, as Windows documents.
    if (lpOverlapped !== null && typeof lpOverlapped === 'object') {
      return overlappedIoctl(s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
        lpcbBytesReturned, lpOverlapped, lpCompletionRoutine);
    }
    const cell = cellOf(lpcbBytesReturned);
    const result: number = ws2_32.WSAIoctl(nativeSocket(s), dwIoControlCode, lpvInBuffer, cbInBuffer,
      lpvOutBuffer, cbOutBuffer, cell, null, null);
    storeCell(lpcbBytesReturned, cell);
    return result;
  }),

  // Node reports fd -1 on Windows: the socket is found by the addresses `identify` reports.
  adoptNodeHandle: needsStartup(INVALID_SOCKET, (_resolveFd, af, type, protocol, identify) => {
    const adopted = adoptBorrowed(looseDword(af), looseDword(type), looseDword(protocol), identify);
    if ('error' in adopted) return fail(INVALID_SOCKET, adopted.error);
    ws2_32.WSASetLastError(0);
    return adopted.socket;
  }),

  queryDefaultGateway,
  queryInterfaceIndex,

  ...overlappedFunctions,
  ...dataPathFunctions,
  ...transmitFunctions,
  ...messageFunctions,
  ...extensionFunctions,
};

/** What an `LPFN_*` cast's pointer stands for here: the real pointer, called through koffi (winsock/index.ts). */
export { resolveExtension };

/** Makes ws2_32.dll this thread's Winsock (its DLLs are bound at import on win32, ws2_32.ts). Called once, by winsock/index.ts on win32. */
export function activate(): WinsockCore {
  return backend;
}
