/**
 * WSARecvMsg and WSASendMsg on the Windows backend, passed through to Windows: WSASendMsg is a
 * ws2_32 export; WSARecvMsg is not, and is called through the pointer
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_WSARECVMSG) hands out, with koffi.call
 * (extension-functions.md §15). Windows decides every result and error.
 *
 * Native memory (as data-path.ts does for WSARecv): the WSABUF list and its data, the WSAMSG
 * (56 bytes: `name` @0, `namelen` @8, `lpBuffers` @16, `dwBufferCount` @24, `Control.len` @32,
 * `Control.buf` @40, `dwFlags` @48), the name, the control buffer and the byte count. Windows
 * writes a receive's WSAMSG fields when it completes (the LPFN_WSARECVMSG page; Wine's
 * test_ip_pktinfo sees `Control.len` unchanged while pending), so the block stays until the
 * completion is seen, and then the data, `name`, `namelen`, the control bytes, `Control.len` and
 * `dwFlags` are copied back into the caller's WSAMSG.
 * What C cannot express (a WSAMSG that is not an object, a `namelen` or `Control.len` past the
 * end of its buffer, a count past the end of the WSABUF array): WSAEFAULT before the call.
 */
import koffi from 'koffi';
import { WSAEMSGSIZE } from '../../errors/index.js';
import { SOCKET_ERROR } from '../../winsock/constants.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, WSAMSG, WSAOVERLAPPED } from '../../winsock/types.js';
import type { WinsockExtensions } from '../../winsock/api.js';
import { acceptsIoStatus } from '../../winsock/arguments.js';
import { looseDword, nativeSocket, overruns, refValue } from './arguments.js';
import { release } from './native-overlapped.js';
import { afterWait, issueOverlapped } from './overlapped.js';
import { copyReceived, delivered, fault, nativeBuffers, store, writableOrNull, type NativeBuffers } from './native-buffers.js';
import { pointerOf } from './extension-pointer.js';
import { extensionBySurface } from '../../winsock/extension-functions.js';
import { dataPathApi as api, ws2_32 } from './ws2_32.js';

const WSAMSG_SIZE = 56;
const BYTES_AT = WSAMSG_SIZE;
const NAME_AT = 64;
const align8 = (n: number): number => (n + 7) & ~7;

const WSARecvMsgProto = koffi.proto(
  'int __stdcall WSARecvMsgFn(intptr_t s, void *lpMsg, void *lpdwNumberOfBytesRecvd, void *lpOverlapped, void *lpCompletionRoutine)',
);

const WSASendMsgProto = koffi.proto(
  'int __stdcall WSASendMsgFn(intptr_t Handle, void *lpMsg, uint32_t dwFlags, void *lpNumberOfBytesSent, void *lpOverlapped, void *lpCompletionRoutine)',
);

/**
 * WSARecvMsg's address: the one lookup of extension pointers (extension-pointer.ts pointerOf, kept
 * per GUID: Node's libuv holds its own WSAStartup, so the provider stays loaded for the process's
 * life). A socket that is not one gets the pointer from a throw-away socket, and Windows judges
 * it in the call itself. 0n: refused, the last error set.
 */
function recvMsgFunction(s: SOCKET): bigint {
  return pointerOf(extensionBySurface('WSARecvMsg'), s) ?? 0n;
}

/** The caller's WSAMSG, read once and checked for what C cannot express; null for its NULL. */
interface Fields {
  readonly msg: WSAMSG;
  readonly name: Uint8Array | null;
  readonly namelen: number;
  readonly lpBuffers: unknown;
  readonly dwBufferCount: unknown;
  readonly control: { len: number; buf: Uint8Array | null };
  readonly controlLen: number;
  readonly dwFlags: number;
}

function fieldsOf(lpMsg: unknown): Fields | null | 'fault' {
  if (lpMsg === null || lpMsg === undefined) return null;
  if (typeof lpMsg !== 'object') return 'fault';
  try {
    const msg = lpMsg as WSAMSG;
    const { name, lpBuffers, dwBufferCount, Control } = msg;
    const namelen = looseDword(msg.namelen) | 0;
    if (Control === null || typeof Control !== 'object') return 'fault';
    const controlLen = looseDword(Control.len);
    const buf = Control.buf ?? null;
    const nameBuf = name ?? null;
    if (overruns(nameBuf, Math.max(0, namelen)) || overruns(buf, controlLen)) return 'fault';
    return { msg, name: nameBuf, namelen, lpBuffers, dwBufferCount, control: Control, controlLen, dwFlags: looseDword(msg.dwFlags) };
  } catch {
    return 'fault';
  }
}

/** The WSAMSG in native memory after the WSABUF list: its fields, the name and the control data. */
function nativeMessage(f: Fields, native: NativeBuffers, copyIn: boolean): { msg: bigint; nameAt: number; controlAt: number; nameSize: number } {
  const { view, tail } = native;
  const base = native.memory.address + BigInt(tail);
  const nameSize = f.name === null ? 0 : Math.max(0, f.namelen);
  const nameAt = tail + NAME_AT;
  const controlAt = nameAt + align8(nameSize);
  if (f.name !== null) native.memory.bytes.set(f.name.subarray(0, nameSize), nameAt);
  if (copyIn && f.control.buf !== null) native.memory.bytes.set(f.control.buf.subarray(0, f.controlLen), controlAt);
  view.setBigUint64(tail + 0, f.name === null ? 0n : native.memory.address + BigInt(nameAt), true);
  view.setInt32(tail + 8, f.namelen, true);
  view.setBigUint64(tail + 16, native.list ?? 0n, true);
  view.setUint32(tail + 24, native.count, true);
  view.setUint32(tail + 32, f.controlLen, true);
  view.setBigUint64(tail + 40, f.control.buf === null ? 0n : native.memory.address + BigInt(controlAt), true);
  view.setUint32(tail + 48, f.dwFlags, true);
  return { msg: base, nameAt, controlAt, nameSize };
}

/** Room a WSAMSG needs after the WSABUF list. */
const tailSize = (f: Fields): number => NAME_AT + align8(f.name === null ? 0 : Math.max(0, f.namelen)) + f.controlLen;

/** Write a field only when Windows changed it (what C's callee wrote, and only that). */
function tryStore(target: object, key: string, given: number, value: number): void {
  if (value === given) return;
  try {
    (target as Record<string, number>)[key] = value;
  } catch {
    // The caller made its WSAMSG unwritable meanwhile: C's freed memory, nothing to write to.
  }
}

/** WSARecvMsg calling the pointer `pointerFor` gives for the socket (0n: refused, last error set). */
export function recvMsgWith(pointerFor: (s: SOCKET) => bigint): WinsockExtensions['WSARecvMsg'] {
  return (s, lpMsg, lpdwNumberOfBytesRecvd, lpOverlapped, lpCompletionRoutine) => recvMsg(pointerFor, s, lpMsg, lpdwNumberOfBytesRecvd, lpOverlapped, lpCompletionRoutine);
}

/** The named WSARecvMsg: its pointer asked for at each call (recvMsgFunction). */
export const WSARecvMsg = recvMsgWith(recvMsgFunction);

function recvMsg(pointerFor: (s: SOCKET) => bigint, s: SOCKET, lpMsg: WSAMSG | null, lpdwNumberOfBytesRecvd: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  const overlapped = lpOverlapped !== null && lpOverlapped !== undefined;
  if (!writableOrNull(lpdwNumberOfBytesRecvd)) return fault(s);
  if (overlapped && !acceptsIoStatus(lpOverlapped)) return fault(s);
  const pointer = pointerFor(s);
  if (pointer === 0n) return SOCKET_ERROR;
  const f = fieldsOf(lpMsg);
  if (f === 'fault') return fault(s);
  const bytesRef = lpdwNumberOfBytesRecvd ?? null;
  const call = (msg: bigint | null, bytes: bigint | null, ov: bigint | null, routine: bigint | null): number =>
    koffi.call(pointer, WSARecvMsgProto, nativeSocket(s), msg, bytes, ov, routine) as number;
  if (f === null) {
    // No WSAMSG: Windows says WSAEFAULT (test_ip_pktinfo); nothing to keep.
    return call(null, null, null, null);
  }
  const native = nativeBuffers(f.lpBuffers, f.dwBufferCount, tailSize(f), false);
  if (native === null) return fault(s);
  const { msg, nameAt, controlAt, nameSize } = nativeMessage(f, native, false);
  const { view, tail } = native;
  /** What Windows wrote into the WSAMSG, back into the caller's. */
  const copyMessage = (): void => {
    const namelen = view.getInt32(tail + 8, true);
    const controlLen = view.getUint32(tail + 32, true);
    if (f.name !== null) f.name.set(native.memory.bytes.subarray(nameAt, nameAt + nameSize));
    if (f.control.buf !== null) f.control.buf.set(native.memory.bytes.subarray(controlAt, controlAt + Math.min(controlLen, f.controlLen)));
    tryStore(f.msg, 'namelen', f.namelen, namelen);
    tryStore(f.control, 'len', f.controlLen, controlLen);
    tryStore(f.msg, 'dwFlags', f.dwFlags, view.getUint32(tail + 48, true));
  };
  if (overlapped) {
    return issueOverlapped(s, lpOverlapped, bytesRef, typeof lpCompletionRoutine === 'function' ? lpCompletionRoutine : null, {
      input: native.memory, output: null, caller: null, size: 0, relocate: null,
      completed(status, information) {
        if (delivered(status)) copyReceived(native, information);
        copyMessage();
      },
    }, (bytes, ov, routine) => call(msg, bytes, ov, routine));
  }
  const bytesGiven = bytesRef === null ? 0 : refValue(bytesRef) >>> 0;
  view.setUint32(tail + BYTES_AT, bytesGiven, true);
  try {
    const result = call(msg, bytesRef === null ? null : msg + BigInt(BYTES_AT), null, null);
    const error = result === 0 ? 0 : ws2_32.WSAGetLastError();
    const bytes = view.getUint32(tail + BYTES_AT, true);
    // A cut datagram or cut control data (WSAEMSGSIZE) still delivers what fit: the bytes Windows
    // counted, or every buffer when it left the count alone.
    const wrote = bytes !== bytesGiven;
    copyReceived(native, result === 0 ? bytes : error === WSAEMSGSIZE ? (wrote ? bytes : Number.MAX_SAFE_INTEGER) : 0);
    store(bytesRef, bytesGiven, bytes);
    copyMessage();
    if (result !== 0) ws2_32.WSASetLastError(error);
    return result;
  } finally {
    release(native.memory);
    afterWait();
  }
}

/**
 * WSASendMsg calling `pointer` (the one SIO_GET_EXTENSION_FUNCTION_POINTER handed out for
 * WSAID_WSASENDMSG: the LPFN_WSASENDMSG cast), or ws2_32's export when null (the named function).
 */
export function sendMsgWith(pointer: bigint | null): WinsockExtensions['WSASendMsg'] {
  const sendMsg = (...args: unknown[]): number => (pointer === null
    ? api.WSASendMsg(...args)
    : koffi.call(pointer, WSASendMsgProto, ...args)) as number;
  return (Handle, lpMsg, dwFlags, lpNumberOfBytesSent, lpOverlapped, lpCompletionRoutine) =>
    sendMsgThrough(sendMsg, Handle, lpMsg, dwFlags, lpNumberOfBytesSent, lpOverlapped, lpCompletionRoutine);
}

/** The named WSASendMsg: ws2_32's export. */
export const WSASendMsg = sendMsgWith(null);

function sendMsgThrough(sendMsg: (...args: unknown[]) => number, Handle: SOCKET, lpMsg: WSAMSG | null, dwFlags: number, lpNumberOfBytesSent: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  const overlapped = lpOverlapped !== null && lpOverlapped !== undefined;
  if (!writableOrNull(lpNumberOfBytesSent)) return fault(Handle);
  if (overlapped && !acceptsIoStatus(lpOverlapped)) return fault(Handle);
  const f = fieldsOf(lpMsg);
  if (f === 'fault') return fault(Handle);
  const bytesRef = lpNumberOfBytesSent ?? null;
  const flags = looseDword(dwFlags);
  if (f === null) {
    const cell = new Uint8Array(4);
    // Windows judges the NULL WSAMSG (test_WSASendMsg: WSAEFAULT); the byte count, if any, is a scratch cell.
    return sendMsg(nativeSocket(Handle), null, flags, bytesRef === null ? null : cell, null, null);
  }
  const native = nativeBuffers(f.lpBuffers, f.dwBufferCount, tailSize(f), true);
  if (native === null) return fault(Handle);
  const { msg } = nativeMessage(f, native, true);
  const { view, tail } = native;
  const call = (bytes: bigint | null, ov: bigint | null, routine: bigint | null): number =>
    sendMsg(nativeSocket(Handle), msg, flags, bytes, ov, routine);
  if (overlapped) {
    return issueOverlapped(Handle, lpOverlapped, bytesRef, typeof lpCompletionRoutine === 'function' ? lpCompletionRoutine : null, {
      input: native.memory, output: null, caller: null, size: 0, relocate: null, completed: null,
    }, call);
  }
  const bytesGiven = bytesRef === null ? 0 : refValue(bytesRef) >>> 0;
  view.setUint32(tail + BYTES_AT, bytesGiven, true);
  try {
    const result = call(bytesRef === null ? null : msg + BigInt(BYTES_AT), null, null);
    const error = result === 0 ? 0 : ws2_32.WSAGetLastError();
    store(bytesRef, bytesGiven, view.getUint32(tail + BYTES_AT, true));
    if (result !== 0) ws2_32.WSASetLastError(error);
    return result;
  } finally {
    release(native.memory);
    afterWait();
  }
}
