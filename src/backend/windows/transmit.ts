/**
 * Files and their transmission on the Windows backend, passed through: CreateFileW (kernel32),
 * TransmitFile (mswsock.dll's export), TransmitPackets (the pointer SIO_GET_EXTENSION_FUNCTION_POINTER
 * gives for WSAID_TRANSMITPACKETS, called through koffi: extension-functions.md §15), and
 * `_get_osfhandle`, the HANDLE libuv holds for a Node fd (node.exe exports libuv's
 * `uv_get_osfhandle`; Node's fds are libuv's own C-runtime fds, so a separate CRT's _get_osfhandle
 * would not know them). Windows decides every result and error. What this module adds:
 * - native memory for what Windows reads after the call returns: TRANSMIT_FILE_BUFFERS and its
 *   head and tail bytes, the TRANSMIT_PACKETS_ELEMENT array and its memory elements' bytes
 *   (copied in), kept until the operation is seen complete (issueOverlapped, native-overlapped.ts);
 * - WSAEFAULT where C would read outside memory (a buffer shorter than its length, an array shorter
 *   than its count, an element that is not an object);
 * - a HANDLE from `_get_osfhandle` is Node's: CloseHandle forgets it without closing it
 *   (borrowed-files.ts), as a borrowed socket is only detached (docs/principles.md, principle 3);
 * - Wine has no TransmitPackets (its WSAIoctl refuses the GUID with WSAEINVAL): then the call fails
 *   with WSAEOPNOTSUPP (conformance/wine-differences.json).
 */
import koffi from 'koffi';
import { ERROR_INVALID_HANDLE, ERROR_NOT_SUPPORTED, WSAEFAULT, WSAEINVAL, WSAEOPNOTSUPP } from '../../errors/index.js';
import { INVALID_HANDLE_VALUE, SOCKET_ERROR, TP_ELEMENT_MEMORY, TP_ELEMENT_FILE } from '../../winsock/constants.js';
import type { WinsockTransmit } from '../../winsock/api.js';
import type { HANDLE, SOCKET, TRANSMIT_FILE_BUFFERS, TRANSMIT_PACKETS_ELEMENT, WSAOVERLAPPED } from '../../winsock/types.js';
import { acceptsIoStatus, callerBuffer } from '../../winsock/arguments.js';
import { looseDword, nativeSocket } from './arguments.js';
import { allocate, release, type Memory } from './native-overlapped.js';
import { afterWait, issueOverlapped, nativeHandle, socketError } from './overlapped.js';
import { pointerOf } from './extension-pointer.js';
import { extensionBySurface } from '../../winsock/extension-functions.js';
import { needsStartup } from './startup.js';
import { nativeLibrary } from '../native-library.js';
import { noteBorrowedFile } from './borrowed-files.js';
import { TransmitFileProto, TransmitPacketsProto, transmitApi as api, win32, ws2_32 } from './ws2_32.js';
import type { WinsockExtensions } from '../../winsock/api.js';

const align8 = (n: number): number => (n + 7) & ~7;
const TRANSMIT_FILE_BUFFERS_SIZE = 32;
const TRANSMIT_PACKETS_ELEMENT_SIZE = 24;

/**
 * node.exe's `uv_get_osfhandle`, bound at import on Windows; null when this executable does not
 * export it (a Node build without libuv's exports): `_get_osfhandle` then fails with
 * ERROR_NOT_SUPPORTED.
 */
const uvGetOsfhandle = ((): ((fd: number) => number) | null => {
  if (process.platform !== 'win32') return null;
  try {
    return nativeLibrary('win32', process.execPath).func('intptr_t uv_get_osfhandle(int fd)') as (fd: number) => number;
  } catch {
    return null;
  }
})();

function CreateFileW(lpFileName: string | null, dwDesiredAccess: number, dwShareMode: number, _lpSecurityAttributes: null,
  dwCreationDisposition: number, dwFlagsAndAttributes: number, hTemplateFile: HANDLE): HANDLE {
  // Security attributes are not passed (NULL: the default descriptor, a handle not inherited).
  const name = typeof lpFileName === 'string' ? lpFileName : null;
  return api.CreateFileW(name, looseDword(dwDesiredAccess), looseDword(dwShareMode), null, looseDword(dwCreationDisposition),
    looseDword(dwFlagsAndAttributes), hTemplateFile === 0 || hTemplateFile == null ? 0 : nativeHandle(hTemplateFile));
}

function _get_osfhandle(fd: number): HANDLE {
  if (uvGetOsfhandle === null) {
    win32.SetLastError(ERROR_NOT_SUPPORTED);
    return INVALID_HANDLE_VALUE;
  }
  const handle = typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= 0x7fffffff ? uvGetOsfhandle(fd) : INVALID_HANDLE_VALUE;
  if (handle === INVALID_HANDLE_VALUE || handle === 0) {
    win32.SetLastError(ERROR_INVALID_HANDLE);
    return INVALID_HANDLE_VALUE;
  }
  noteBorrowedFile(handle);
  return handle;
}

/** FALSE with the socket's own error when the socket is bad, else `error` (C's bad pointer: WSAEFAULT). */
function failed(s: SOCKET, error = WSAEFAULT): boolean {
  ws2_32.WSASetLastError(socketError(s) || error);
  return false;
}

/** Run `call` (its BOOL result) overlapped through issueOverlapped, or now; `input` is released when done. */
function issue(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, input: Memory, call: (ov: bigint | null) => number): boolean {
  const asResult = (ov: bigint | null): number => (call(ov) !== 0 ? 0 : SOCKET_ERROR);
  if (lpOverlapped !== null && lpOverlapped !== undefined) {
    return issueOverlapped(s, lpOverlapped, null, null, {
      input, output: null, caller: null, size: 0, relocate: null, completed: null,
    }, (_bytes, ov) => asResult(ov)) === 0;
  }
  try {
    return asResult(null) === 0;
  } finally {
    const error = ws2_32.WSAGetLastError();
    release(input);
    afterWait();
    ws2_32.WSASetLastError(error);
  }
}

/** The caller's head or tail, or null for a Head / Tail that does not cover its length. */
function part(buffer: unknown, length: unknown): { bytes: Uint8Array | null; length: number } | null {
  const len = looseDword(length);
  if (buffer === null || buffer === undefined) return { bytes: null, length: len };
  const bytes = callerBuffer(buffer, len);
  return bytes === null ? null : { bytes, length: len };
}

/** The native TransmitFile: mswsock's export, or (the LPFN_TRANSMITFILE cast) the pointer it was given. */
type TransmitFileCall = (...args: unknown[]) => number;
const exportedTransmitFile: TransmitFileCall = (...args) => api.TransmitFile(...args) as number;

/** TransmitFile calling `pointer` (the cast's), or mswsock's export when null (the named function). */
export function transmitFileWith(pointer: bigint | null): WinsockExtensions['TransmitFile'] {
  const call: TransmitFileCall = pointer === null ? exportedTransmitFile : (...args) => koffi.call(pointer, TransmitFileProto, ...args) as number;
  return needsStartup(false, (...args: Parameters<WinsockExtensions['TransmitFile']>) => transmitFile(call, ...args));
}

function transmitFile(call: TransmitFileCall, hSocket: SOCKET, hFile: HANDLE, nNumberOfBytesToWrite: number, nNumberOfBytesPerSend: number,
  lpOverlapped: WSAOVERLAPPED | null, lpTransmitBuffers: TRANSMIT_FILE_BUFFERS | null, dwReserved: number): boolean {
  if (lpOverlapped !== null && lpOverlapped !== undefined && !acceptsIoStatus(lpOverlapped)) return failed(hSocket);
  type Part = { bytes: Uint8Array | null; length: number } | null;
  let head: Part = { bytes: null, length: 0 };
  let tail: Part = head;
  const withBuffers = lpTransmitBuffers !== null && lpTransmitBuffers !== undefined;
  if (withBuffers) {
    if (typeof lpTransmitBuffers !== 'object') return failed(hSocket);
    try {
      head = part(lpTransmitBuffers.Head, lpTransmitBuffers.HeadLength);
      tail = part(lpTransmitBuffers.Tail, lpTransmitBuffers.TailLength);
    } catch {
      return failed(hSocket);
    }
    if (head === null || tail === null) return failed(hSocket);
  }
  const headAt = TRANSMIT_FILE_BUFFERS_SIZE;
  const tailAt = headAt + align8(head.bytes === null ? 0 : head.length);
  const memory = allocate(tailAt + (tail.bytes === null ? 0 : tail.length));
  const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
  if (head.bytes !== null) memory.bytes.set(head.bytes, headAt);
  if (tail.bytes !== null) memory.bytes.set(tail.bytes, tailAt);
  view.setBigUint64(0, head.bytes === null ? 0n : memory.address + BigInt(headAt), true);
  view.setUint32(8, head.length, true);
  view.setBigUint64(16, tail.bytes === null ? 0n : memory.address + BigInt(tailAt), true);
  view.setUint32(24, tail.length, true);
  const file = hFile === 0 || hFile === null || hFile === undefined ? 0 : nativeHandle(hFile);
  return issue(hSocket, lpOverlapped, memory, (ov) => call(nativeSocket(hSocket), file, looseDword(nNumberOfBytesToWrite),
    looseDword(nNumberOfBytesPerSend), ov, withBuffers ? memory.address : null, looseDword(dwReserved)));
}

/** A file element's LARGE_INTEGER offset (a number or bigint; -1 is the file pointer). */
function offsetBits(value: unknown): bigint {
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  return typeof value === 'number' && Number.isInteger(value) ? BigInt.asUintN(64, BigInt(value)) : 0n;
}

/**
 * TransmitPackets calling `pointer` (the LPFN_TRANSMITPACKETS cast's), or, when null, the pointer
 * ws2_32 hands out for WSAID_TRANSMITPACKETS on the socket (the named function).
 */
export function transmitPacketsWith(pointer: bigint | null): WinsockExtensions['TransmitPackets'] {
  return needsStartup(false, (...args: Parameters<WinsockExtensions['TransmitPackets']>) => transmitPackets(pointer, ...args));
}

function transmitPackets(castPointer: bigint | null, hSocket: SOCKET, lpPacketArray: readonly TRANSMIT_PACKETS_ELEMENT[] | null, nElementCount: number,
  nSendSize: number, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number): boolean {
  if (lpOverlapped !== null && lpOverlapped !== undefined && !acceptsIoStatus(lpOverlapped)) return failed(hSocket);
  const count = looseDword(nElementCount);
  const given = lpPacketArray !== null && lpPacketArray !== undefined;
  if (given && (!Array.isArray(lpPacketArray) || lpPacketArray.length < count)) return failed(hSocket);
  if (!given && count > 0) return failed(hSocket);
  // Each element, its memory bytes checked now (C would read them).
  const elements: Array<{ flags: number; length: number; bytes: Uint8Array | null; offset: bigint; file: number }> = [];
  try {
    for (let i = 0; given && i < count; i++) {
      const entry: unknown = lpPacketArray[i];
      if (entry === null || typeof entry !== 'object') return failed(hSocket);
      const e = entry as TRANSMIT_PACKETS_ELEMENT;
      const flags = looseDword(e.dwElFlags);
      const length = looseDword(e.cLength);
      const memoryKind = (flags & TP_ELEMENT_MEMORY) !== 0 && (flags & TP_ELEMENT_FILE) === 0;
      let bytes: Uint8Array | null = null;
      if (memoryKind && e.pBuffer !== null && e.pBuffer !== undefined) {
        bytes = callerBuffer(e.pBuffer, length);
        if (bytes === null) return failed(hSocket);
      }
      elements.push({ flags, length, bytes, offset: offsetBits(e.nFileOffset), file: memoryKind || e.hFile === 0 || e.hFile == null ? 0 : nativeHandle(e.hFile) });
    }
  } catch {
    return failed(hSocket);
  }
  const pointer = castPointer ?? pointerOf(extensionBySurface('TransmitPackets'), hSocket);
  if (pointer === null) {
    const error = ws2_32.WSAGetLastError();
    // Wine does not hand out WSAID_TRANSMITPACKETS: the function is not there.
    ws2_32.WSASetLastError(error === WSAEINVAL ? WSAEOPNOTSUPP : error);
    return false;
  }
  let size = TRANSMIT_PACKETS_ELEMENT_SIZE * elements.length;
  const dataAt = elements.map((e) => {
    const at = size;
    if (e.bytes !== null) size += align8(e.length);
    return at;
  });
  const memory = allocate(size);
  const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
  elements.forEach((e, i) => {
    const at = TRANSMIT_PACKETS_ELEMENT_SIZE * i;
    view.setUint32(at, e.flags, true);
    view.setUint32(at + 4, e.length, true);
    if ((e.flags & TP_ELEMENT_MEMORY) !== 0 && (e.flags & TP_ELEMENT_FILE) === 0) {
      if (e.bytes !== null) memory.bytes.set(e.bytes, dataAt[i]!);
      view.setBigUint64(at + 8, e.bytes === null ? 0n : memory.address + BigInt(dataAt[i]!), true);
    } else {
      view.setBigUint64(at + 8, e.offset, true);
      view.setBigUint64(at + 16, BigInt.asUintN(64, BigInt(e.file)), true);
    }
  });
  return issue(hSocket, lpOverlapped, memory, (ov) => koffi.call(pointer, TransmitPacketsProto, nativeSocket(hSocket),
    given ? memory.address : null, count, looseDword(nSendSize), ov, looseDword(dwFlags)) as number);
}

// Startup is checked per Winsock function (WSANOTINITIALISED, as ws2_32 answers); the file
// functions are kernel32's / the C runtime's and need none.
export const transmitFunctions: WinsockTransmit = {
  CreateFileW,
  _get_osfhandle,
};

/** The two by name (extension-functions.ts puts them with the other extension functions). */
export const TransmitFile = transmitFileWith(null);
export const TransmitPackets = transmitPacketsWith(null);
