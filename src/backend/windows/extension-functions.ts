/**
 * The extension functions on the Windows backend: the real pointers (extension-pointer.ts) called
 * through koffi, one prototype per typedef (`__stdcall` is the one x64 convention; koffi accepts
 * it, extension-functions.md §15). Windows decides every result and error. What this module adds,
 * as data-path.ts does for WSARecv:
 * - native memory for what Windows keeps after the call returns: AcceptEx's output buffer (copied
 *   back into the caller's array when the operation is seen complete), ConnectEx's send data, the
 *   OVERLAPPED and the byte count (issueOverlapped, overlapped.ts: the listener's port and key for
 *   AcceptEx, as Windows delivers it);
 * - BOOL results as JS booleans;
 * - answers for what C cannot express (a buffer shorter than the lengths given, a Ref that cannot
 *   be written): WSAEFAULT before the call.
 *
 * The functions exported by name take the pointer asked on the socket they name first (or a
 * throw-away socket for GetAcceptExSockaddrs); a cast (`LPFN_*`) takes the caller's pointer once
 * it is the one ws2_32 hands out for that GUID.
 */
import koffi from 'koffi';
import { WSAEFAULT } from '../../errors/index.js';
import type { WinsockExtensions } from '../../winsock/api.js';
import type { Ref, SOCKET, WSAOVERLAPPED } from '../../winsock/types.js';
import { acceptsIoStatus, callerBuffer, isWritableRef } from '../../winsock/arguments.js';
import { extensionBySurface, type ExtensionFunction, type ExtensionName } from '../../winsock/extension-functions.js';
import { looseDword, nativeSocket } from './arguments.js';
import { allocate, release, type Memory } from './native-overlapped.js';
import { issueOverlapped } from './overlapped.js';
import { pointerOf } from './extension-pointer.js';
import { recvMsgWith, sendMsgWith, WSARecvMsg, WSASendMsg } from './message.js';
import { needsStartup } from './startup.js';
import { SOCKET_ERROR } from '../../winsock/constants.js';
import { ws2_32 } from './ws2_32.js';

const SOCKET_T = 'intptr_t';
const LPFN_ACCEPTEX = koffi.proto(
  `int __stdcall LPFN_ACCEPTEX(${SOCKET_T} sListenSocket, ${SOCKET_T} sAcceptSocket, void *lpOutputBuffer, ` +
    'uint32_t dwReceiveDataLength, uint32_t dwLocalAddressLength, uint32_t dwRemoteAddressLength, void *lpdwBytesReceived, void *lpOverlapped)',
);
const LPFN_GETACCEPTEXSOCKADDRS = koffi.proto(
  'void __stdcall LPFN_GETACCEPTEXSOCKADDRS(void *lpOutputBuffer, uint32_t dwReceiveDataLength, uint32_t dwLocalAddressLength, ' +
    'uint32_t dwRemoteAddressLength, void *LocalSockaddr, void *LocalSockaddrLength, void *RemoteSockaddr, void *RemoteSockaddrLength)',
);
const LPFN_CONNECTEX = koffi.proto(
  `int __stdcall LPFN_CONNECTEX(${SOCKET_T} s, void *name, int namelen, void *lpSendBuffer, uint32_t dwSendDataLength, ` +
    'void *lpdwBytesSent, void *lpOverlapped)',
);
const LPFN_DISCONNECTEX = koffi.proto(
  `int __stdcall LPFN_DISCONNECTEX(${SOCKET_T} s, void *lpOverlapped, uint32_t dwFlags, uint32_t dwReserved)`,
);

/** Where a function gets its pointer: asked on a socket it names (null: none), or the caller's own. */
type PointerSource = (socket: SOCKET | null) => bigint | null;

/** C's bad pointer: FALSE with WSAEFAULT. */
function fault(): false {
  ws2_32.WSASetLastError(WSAEFAULT);
  return false;
}

/** Native memory holding a copy of `bytes` (null for none). */
function nativeCopy(bytes: Uint8Array | null): Memory | null {
  if (bytes === null || bytes.length === 0) return null;
  const memory = allocate(bytes.length);
  memory.bytes.set(bytes);
  return memory;
}

const isOverlapped = (ov: unknown): ov is WSAOVERLAPPED => ov !== null && ov !== undefined;

function acceptEx(pointerFor: PointerSource): WinsockExtensions['AcceptEx'] {
  return (sListenSocket, sAcceptSocket, lpOutputBuffer, dwReceiveDataLength, dwLocalAddressLength, dwRemoteAddressLength, lpdwBytesReceived, lpOverlapped) => {
    const receive = looseDword(dwReceiveDataLength);
    const localLength = looseDword(dwLocalAddressLength);
    const remoteLength = looseDword(dwRemoteAddressLength);
    const size = receive + localLength + remoteLength;
    const caller = lpOutputBuffer === null || lpOutputBuffer === undefined ? null : callerBuffer(lpOutputBuffer, size);
    if (lpOutputBuffer != null && caller === null) return fault();
    if (lpdwBytesReceived != null && !isWritableRef(lpdwBytesReceived)) return fault();
    if (isOverlapped(lpOverlapped) && !acceptsIoStatus(lpOverlapped)) return fault();
    const pointer = pointerFor(sListenSocket);
    if (pointer === null) return false;
    const memory = nativeCopy(caller);
    const call = (bytes: bigint | null, ov: bigint | null): number => (koffi.call(
      pointer, LPFN_ACCEPTEX, nativeSocket(sListenSocket), nativeSocket(sAcceptSocket), memory?.address ?? null,
      receive, localLength, remoteLength, bytes, ov,
    ) as number) !== 0 ? 0 : -1;
    if (!isOverlapped(lpOverlapped)) {
      // Windows refuses it (ERROR_INVALID_PARAMETER); the call is still Windows' to answer.
      const cell = allocate(4);
      try {
        return call(cell.address, null) === 0;
      } finally {
        release(cell);
        release(memory);
      }
    }
    return issueOverlapped(sListenSocket, lpOverlapped, lpdwBytesReceived ?? null, null, {
      input: null, output: memory, caller: memory === null ? null : caller, size: memory === null ? 0 : size, relocate: null, completed: null,
    }, (bytes, ov) => call(bytes, ov)) === 0;
  };
}

function getAcceptExSockaddrs(pointerFor: PointerSource): WinsockExtensions['GetAcceptExSockaddrs'] {
  return (lpOutputBuffer, dwReceiveDataLength, dwLocalAddressLength, dwRemoteAddressLength, LocalSockaddr, LocalSockaddrLength, RemoteSockaddr, RemoteSockaddrLength) => {
    const receive = looseDword(dwReceiveDataLength);
    const localLength = looseDword(dwLocalAddressLength);
    const remoteLength = looseDword(dwRemoteAddressLength);
    const size = receive + localLength + remoteLength;
    const caller = lpOutputBuffer == null ? null : callerBuffer(lpOutputBuffer, size);
    const refs = [LocalSockaddr, LocalSockaddrLength, RemoteSockaddr, RemoteSockaddrLength];
    if (caller === null || lpOutputBuffer == null || !refs.every(isWritableRef)) {
      ws2_32.WSASetLastError(WSAEFAULT);
      return;
    }
    const pointer = pointerFor(null);
    if (pointer === null) return;
    // The buffer, then the four out-cells: two pointers (8 bytes) and two ints.
    const memory = allocate(size + 32);
    try {
      memory.bytes.set(caller);
      const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
      const localLengthGiven = typeof LocalSockaddrLength!.value === 'number' ? LocalSockaddrLength!.value | 0 : 0;
      const remoteLengthGiven = typeof RemoteSockaddrLength!.value === 'number' ? RemoteSockaddrLength!.value | 0 : 0;
      view.setInt32(size + 16, localLengthGiven, true);
      view.setInt32(size + 24, remoteLengthGiven, true);
      const cell = (offset: number): bigint => memory.address + BigInt(offset);
      koffi.call(pointer, LPFN_GETACCEPTEXSOCKADDRS, memory.address, receive, localLength, remoteLength, cell(size), cell(size + 16), cell(size + 8), cell(size + 24));
      const place = (offset: number, lengthOffset: number, given: number, out: Ref<Uint8Array | null>, outLength: Ref<number>): void => {
        const address = view.getBigUint64(offset, true);
        const length = view.getInt32(lengthOffset, true);
        if (address !== 0n) {
          const at = Number(address - memory.address);
          if (at >= 0 && at <= size) out.value = lpOutputBuffer.subarray(at, Math.min(size, at + Math.max(0, length)));
        }
        if (length !== given) outLength.value = length;
      };
      place(size, size + 16, localLengthGiven, LocalSockaddr!, LocalSockaddrLength!);
      place(size + 8, size + 24, remoteLengthGiven, RemoteSockaddr!, RemoteSockaddrLength!);
    } finally {
      release(memory);
    }
  };
}

function connectEx(pointerFor: PointerSource): WinsockExtensions['ConnectEx'] {
  return (s, name, namelen, lpSendBuffer, dwSendDataLength, lpdwBytesSent, lpOverlapped) => {
    const nameLength = typeof namelen === 'number' ? namelen | 0 : 0;
    const nameBytes = name == null ? null : callerBuffer(name, Math.max(0, nameLength));
    if (name != null && nameBytes === null) return fault();
    const sendLength = looseDword(dwSendDataLength);
    const data = lpSendBuffer == null ? null : callerBuffer(lpSendBuffer, sendLength);
    if (lpSendBuffer != null && data === null) return fault();
    if (lpdwBytesSent != null && !isWritableRef(lpdwBytesSent)) return fault();
    if (isOverlapped(lpOverlapped) && !acceptsIoStatus(lpOverlapped)) return fault();
    const pointer = pointerFor(s);
    if (pointer === null) return false;
    const nameMemory = nativeCopy(nameBytes);
    const dataMemory = nativeCopy(data);
    const call = (bytes: bigint | null, ov: bigint | null): number => (koffi.call(
      pointer, LPFN_CONNECTEX, nativeSocket(s), nameMemory?.address ?? null, nameLength, dataMemory?.address ?? null, sendLength, bytes, ov,
    ) as number) !== 0 ? 0 : -1;
    try {
      if (!isOverlapped(lpOverlapped)) return call(null, null) === 0;
      // The name is read during the call; the data may be sent after it returns (kept until then).
      const result = issueOverlapped(s, lpOverlapped, lpdwBytesSent ?? null, null, {
        input: dataMemory, output: null, caller: null, size: 0, relocate: null, completed: null,
      }, (bytes, ov) => call(bytes, ov));
      return result === 0;
    } finally {
      release(nameMemory);
      if (!isOverlapped(lpOverlapped)) release(dataMemory);
    }
  };
}

function disconnectEx(pointerFor: PointerSource): WinsockExtensions['DisconnectEx'] {
  return (s, lpOverlapped, dwFlags, dwReserved) => {
    if (isOverlapped(lpOverlapped) && !acceptsIoStatus(lpOverlapped)) return fault();
    const pointer = pointerFor(s);
    if (pointer === null) return false;
    const call = (ov: bigint | null): number =>
      (koffi.call(pointer, LPFN_DISCONNECTEX, nativeSocket(s), ov, looseDword(dwFlags), looseDword(dwReserved)) as number) !== 0 ? 0 : -1;
    if (!isOverlapped(lpOverlapped)) return call(null) === 0;
    return issueOverlapped(s, lpOverlapped, null, null, {
      input: null, output: null, caller: null, size: 0, relocate: null, completed: null,
    }, (_bytes, ov) => call(ov)) === 0;
  };
}

/** Each function, made for a source of its pointer (one entry per row of the table). */
const makers: { readonly [K in ExtensionName]: (pointerFor: PointerSource) => WinsockExtensions[K] } = {
  AcceptEx: acceptEx,
  GetAcceptExSockaddrs: getAcceptExSockaddrs,
  ConnectEx: connectEx,
  DisconnectEx: disconnectEx,
  // Called with the pointer the cast was given (resolveExtension checked it is WSARecvMsg's / WSASendMsg's).
  WSARecvMsg: (pointerFor) => recvMsgWith((s) => pointerFor(s) ?? 0n),
  WSASendMsg: (pointerFor) => sendMsgWith(pointerFor(0)),
};

/** The functions exported by name: each asks ws2_32 for its pointer on the socket it names first. */
export const extensionFunctions: WinsockExtensions = {
  AcceptEx: makers.AcceptEx((s) => pointerOf(extensionBySurface('AcceptEx'), s)),
  GetAcceptExSockaddrs: makers.GetAcceptExSockaddrs(() => pointerOf(extensionBySurface('GetAcceptExSockaddrs'), null)),
  ConnectEx: makers.ConnectEx((s) => pointerOf(extensionBySurface('ConnectEx'), s)),
  DisconnectEx: makers.DisconnectEx((s) => pointerOf(extensionBySurface('DisconnectEx'), s)),
  // Startup checked first, as ws2_32 answers WSANOTINITIALISED before anything else.
  WSARecvMsg: needsStartup(SOCKET_ERROR, WSARecvMsg),
  WSASendMsg: needsStartup(SOCKET_ERROR, WSASendMsg),
};

/**
 * A cast's pointer: when it is the one ws2_32 hands out for the row's GUID, a function calling it;
 * else null (another function's pointer, or any other value).
 */
export function resolveExtension<K extends ExtensionName>(row: ExtensionFunction & { surface: K }, pointer: bigint): WinsockExtensions[K] | null {
  if (pointer === 0n || pointerOf(row, null) !== pointer) return null;
  return makers[row.surface](() => pointer);
}
