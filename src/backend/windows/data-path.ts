/**
 * The data path on the Windows backend: WSARecv, WSASend, WSARecvFrom, WSASendTo, select, WSAPoll
 * and SetFileCompletionNotificationModes (WSARecvMsg / WSASendMsg: message.ts, with the helpers
 * exported here), each passed through to ws2_32.dll / kernel32.dll.
 * Windows decides every result and error. What this module adds:
 * - native memory for what Windows reads and writes: the WSABUF array (it holds pointers), the
 *   data, the byte count, the flags and the address. A send's bytes are copied in; a receive's
 *   bytes are copied back into the caller's WSABUF buffers, in order, as many as Windows reports
 *   (InternalHigh), when the operation is seen complete: at once, or, for one that pends, when
 *   the completion is seen (a dequeue, a wait, a result call: native-overlapped.ts). Until then the
 *   native memory stays, as the caller's buffers would in C.
 * - fd_set and WSAPOLLFD objects converted to and from their x64 layouts. selectAsync and
 *   WSAPollAsync look with a 0 time-out from this thread at each poller round (poller.ts: at once,
 *   then every TICK_MS, and after anything this thread does that can make a socket ready): a
 *   native select on a pool thread could not be ended early, and the caller's sets must not change
 *   until the answer is final.
 * - answers for what C cannot express (a count past the end of the WSABUF array, a `len` past
 *   the end of its buffer, a Ref that cannot be written, an fd_set with more than FD_SETSIZE
 *   entries): WSAEFAULT, or the socket's own error when the socket is bad, before the call.
 */
import { WSAEMSGSIZE } from '../../errors/index.js';
import { FD_SETSIZE, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, SOCKET_ERROR } from '../../winsock/constants.js';
import type { WinsockDataPath } from '../../winsock/api.js';
import type {
  fd_set, HANDLE, LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, TIMEVAL, WSABUF, WSAOVERLAPPED, WSAPOLLFD,
} from '../../winsock/types.js';
import { acceptsIoStatus } from '../../winsock/arguments.js';
import { looseDword, nativeSocket, overruns, refValue } from './arguments.js';
import { allocate, fromU64, release, type Memory } from './native-overlapped.js';
import { afterWait, issueOverlapped, nativeHandle, noteCompletionModes } from './overlapped.js';
import { deadlineOf, wait } from './poller.js';
import { needsStartup } from './startup.js';
import { dataPathApi as api, ws2_32 } from './ws2_32.js';
import { copyReceived, delivered, fault, nativeBuffers, store, writableOrNull } from './native-buffers.js';

/** fd_set on x64: u_int fd_count @0, SOCKET fd_array[FD_SETSIZE] @8. */
const FD_SET_SIZE = 8 + 8 * FD_SETSIZE;
/** WSAPOLLFD on x64: SOCKET fd @0, SHORT events @8, SHORT revents @10. */
const WSAPOLLFD_SIZE = 16;

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

// ---- receives ----------------------------------------------------------------------------------

/** The tail of a receive: the flags, the address length, the byte count, then the address. */
const FLAGS_AT = 0;
const FROMLEN_AT = 4;
const BYTES_AT = 8;
const FROM_AT = 16;

function receive(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null,
  lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null, withFrom: boolean,
  lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  const overlapped = lpOverlapped !== null && lpOverlapped !== undefined;
  if (!writableOrNull(lpNumberOfBytesRecvd) || !writableOrNull(lpFlags) || !writableOrNull(lpFromlen)) return fault(s);
  if (overlapped && !acceptsIoStatus(lpOverlapped)) return fault(s);
  const bytesRef = lpNumberOfBytesRecvd ?? null;
  const flagsRef = lpFlags ?? null;
  const fromlenRef = withFrom ? lpFromlen ?? null : null;
  const fromlen = fromlenRef === null ? 0 : refValue(fromlenRef) | 0;
  const from = withFrom && lpFrom !== null && lpFrom !== undefined ? lpFrom : null;
  if (from !== null && fromlenRef !== null && overruns(from, fromlen)) return fault(s);
  const fromSize = from === null || fromlenRef === null ? 0 : Math.max(0, fromlen);
  const native = nativeBuffers(lpBuffers, dwBufferCount, FROM_AT + fromSize, false);
  if (native === null) return fault(s);

  const { view, tail } = native;
  const base = native.memory.address + BigInt(tail);
  const flagsGiven = flagsRef === null ? 0 : refValue(flagsRef) >>> 0;
  view.setUint32(tail + FLAGS_AT, flagsGiven, true);
  view.setInt32(tail + FROMLEN_AT, fromlen, true);
  if (from !== null) native.memory.bytes.set(from.subarray(0, fromSize), tail + FROM_AT);
  const fromAddress = from === null ? null : base + BigInt(FROM_AT);
  const fromlenAddress = fromlenRef === null ? null : base + BigInt(FROMLEN_AT);
  const flagsAddress = flagsRef === null ? null : base + BigInt(FLAGS_AT);
  /** The cells and the address back to the caller (what Windows wrote). */
  const copyCells = (): void => {
    store(flagsRef, flagsGiven, view.getUint32(tail + FLAGS_AT, true));
    store(fromlenRef, fromlen, view.getInt32(tail + FROMLEN_AT, true));
    if (from !== null) from.set(native.memory.bytes.subarray(tail + FROM_AT, tail + FROM_AT + fromSize));
  };
  const call = (bytes: bigint | null, ov: bigint | null, routine: bigint | null): number => (withFrom
    ? api.WSARecvFrom(nativeSocket(s), native.list, native.count, bytes, flagsAddress, fromAddress, fromlenAddress, ov, routine)
    : api.WSARecv(nativeSocket(s), native.list, native.count, bytes, flagsAddress, ov, routine));

  if (overlapped) {
    return issueOverlapped(s, lpOverlapped, bytesRef, typeof lpCompletionRoutine === 'function' ? lpCompletionRoutine : null, {
      input: native.memory, output: null, caller: null, size: 0, relocate: null,
      completed(status, information) {
        if (delivered(status)) copyReceived(native, information);
        copyCells();
      },
    }, call);
  }
  // Not overlapped: Windows ignores a routine and may block (alertably: routines may run meanwhile).
  const bytesGiven = bytesRef === null ? 0 : refValue(bytesRef) >>> 0;
  view.setUint32(tail + BYTES_AT, bytesGiven, true);
  try {
    const result: number = call(bytesRef === null ? null : base + BigInt(BYTES_AT), null, null);
    const error = result === 0 ? 0 : ws2_32.WSAGetLastError();
    const bytes = view.getUint32(tail + BYTES_AT, true);
    // A cut datagram fails with WSAEMSGSIZE, its first bytes filling every buffer.
    if (result === 0) copyReceived(native, bytes);
    else if (error === WSAEMSGSIZE) copyReceived(native, Number.MAX_SAFE_INTEGER);
    store(bytesRef, bytesGiven, bytes);
    copyCells();
    if (result !== 0) ws2_32.WSASetLastError(error);
    return result;
  } finally {
    release(native.memory);
    afterWait();
  }
}

// ---- sends -------------------------------------------------------------------------------------

function sendData(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null,
  dwFlags: number, lpTo: Uint8Array | null, iTolen: number, withTo: boolean,
  lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  const overlapped = lpOverlapped !== null && lpOverlapped !== undefined;
  if (!writableOrNull(lpNumberOfBytesSent)) return fault(s);
  if (overlapped && !acceptsIoStatus(lpOverlapped)) return fault(s);
  const tolen = withTo ? looseDword(iTolen) | 0 : 0;
  const to = withTo && lpTo !== null && lpTo !== undefined ? lpTo : null;
  if (to !== null && overruns(to, tolen)) return fault(s);
  const toSize = to === null ? 0 : Math.max(0, tolen);
  const native = nativeBuffers(lpBuffers, dwBufferCount, 8 + toSize, true);
  if (native === null) return fault(s);
  const bytesRef = lpNumberOfBytesSent ?? null;
  const flags = looseDword(dwFlags);
  const { view, tail } = native;
  const base = native.memory.address + BigInt(tail);
  if (to !== null) native.memory.bytes.set(to.subarray(0, toSize), tail + 8);
  const toAddress = to === null ? null : base + 8n;
  const call = (bytes: bigint | null, ov: bigint | null, routine: bigint | null): number => (withTo
    ? api.WSASendTo(nativeSocket(s), native.list, native.count, bytes, flags, toAddress, tolen, ov, routine)
    : api.WSASend(nativeSocket(s), native.list, native.count, bytes, flags, ov, routine));

  if (overlapped) {
    return issueOverlapped(s, lpOverlapped, bytesRef, typeof lpCompletionRoutine === 'function' ? lpCompletionRoutine : null, {
      input: native.memory, output: null, caller: null, size: 0, relocate: null, completed: null,
    }, call);
  }
  const bytesGiven = bytesRef === null ? 0 : refValue(bytesRef) >>> 0;
  view.setUint32(tail, bytesGiven, true);
  try {
    const result: number = call(bytesRef === null ? null : base, null, null);
    const error = result === 0 ? 0 : ws2_32.WSAGetLastError();
    store(bytesRef, bytesGiven, view.getUint32(tail, true));
    if (result !== 0) ws2_32.WSASetLastError(error);
    return result;
  } finally {
    release(native.memory);
    afterWait();
  }
}

function WSARecv(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null,
  lpFlags: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return receive(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, null, null, false, lpOverlapped, lpCompletionRoutine);
}

function WSARecvFrom(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null,
  lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null,
  lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return receive(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom, lpFromlen, true, lpOverlapped, lpCompletionRoutine);
}

function WSASend(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null,
  dwFlags: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return sendData(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, null, 0, false, lpOverlapped, lpCompletionRoutine);
}

function WSASendTo(
  s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null,
  dwFlags: number, lpTo: Uint8Array | null, iTolen: number,
  lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  return sendData(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen, true, lpOverlapped, lpCompletionRoutine);
}

// ---- select ------------------------------------------------------------------------------------

/** A caller's fd_set as its sockets, or null where C would read past FD_SETSIZE or the array. */
function socketsOf(set: unknown): number[] | null {
  if (!isObject(set)) return null;
  const { fd_count: count, fd_array: array } = set as fd_set;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > FD_SETSIZE) return null;
  if (!Array.isArray(array) || array.length < count || Object.isFrozen(array) || !isWritableCount(set)) return null;
  return array.slice(0, count).map((s: unknown) => nativeSocket(s as SOCKET));
}

function isWritableCount(set: object): boolean {
  try {
    const s = set as fd_set;
    s.fd_count = s.fd_count; // eslint-disable-line no-self-assign
    return true;
  } catch {
    return false;
  }
}

/** select's three sets as checked caller sockets (null entries: the caller's NULL). */
interface Sets {
  readonly given: ReadonlyArray<fd_set | null>;
  readonly sockets: ReadonlyArray<number[] | null>;
}

function setsOf(readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null): Sets | null {
  const given = [readfds ?? null, writefds ?? null, exceptfds ?? null];
  const sockets = given.map((set) => (set === null ? null : socketsOf(set)));
  if (given.some((set, i) => set !== null && sockets[i] === null)) return null;
  return { given, sockets };
}

/** The three fd_sets in native memory, then room for the timeval. */
function nativeSets(sets: Sets): { memory: Memory; view: DataView; pointers: Array<bigint | null> } {
  const memory = allocate(3 * FD_SET_SIZE + 8);
  const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
  const pointers = sets.sockets.map((list, i) => {
    if (list === null) return null;
    view.setUint32(i * FD_SET_SIZE, list.length, true);
    list.forEach((s, j) => view.setBigInt64(i * FD_SET_SIZE + 8 + 8 * j, BigInt(s), true));
    return memory.address + BigInt(i * FD_SET_SIZE);
  });
  return { memory, view, pointers };
}

/** What select left in the native sets, into the caller's (each keeps only its ready sockets). */
function storeSets(sets: Sets, view: DataView): void {
  sets.given.forEach((set, i) => {
    if (set === null) return;
    const count = Math.min(view.getUint32(i * FD_SET_SIZE, true), FD_SETSIZE);
    const ready: number[] = [];
    for (let j = 0; j < count; j++) ready.push(fromU64(view.getBigUint64(i * FD_SET_SIZE + 8 + 8 * j, true)));
    set.fd_array.splice(0, set.fd_array.length, ...ready);
    set.fd_count = count;
  });
}

/** The caller's timeval as Windows reads it: two 32-bit longs. */
function timevalOf(timeout: unknown): { sec: number; usec: number } | null {
  if (!isObject(timeout)) return null;
  const { tv_sec: sec, tv_usec: usec } = timeout as TIMEVAL;
  return { sec: looseDword(sec) | 0, usec: looseDword(usec) | 0 };
}

function selectOnce(nfds: number, sets: Sets, timeout: { sec: number; usec: number } | null): number {
  const native = nativeSets(sets);
  try {
    let timeoutAddress: bigint | null = null;
    if (timeout !== null) {
      native.view.setInt32(3 * FD_SET_SIZE, timeout.sec, true);
      native.view.setInt32(3 * FD_SET_SIZE + 4, timeout.usec, true);
      timeoutAddress = native.memory.address + BigInt(3 * FD_SET_SIZE);
    }
    const [r, w, e] = native.pointers;
    const result: number = api.select(looseDword(nfds) | 0, r, w, e, timeoutAddress);
    if (result !== SOCKET_ERROR) storeSets(sets, native.view);
    return result;
  } finally {
    const error = ws2_32.WSAGetLastError();
    release(native.memory);
    afterWait();
    ws2_32.WSASetLastError(error);
  }
}

function select(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): number {
  const sets = setsOf(readfds, writefds, exceptfds);
  const time = timeout === null || timeout === undefined ? null : timevalOf(timeout);
  if (sets === null || (timeout !== null && timeout !== undefined && time === null)) return fault(null);
  return selectOnce(nfds, sets, time);
}

/** Milliseconds of a timeval (negative parts count as 0), for the async twin's deadline. */
const millisecondsOf = (t: { sec: number; usec: number }): number => Math.max(0, t.sec) * 1000 + Math.floor(Math.max(0, t.usec) / 1000);

/**
 * select() with a 0 time-out from this thread until a set has a ready socket, select fails, or
 * the caller's time-out passes (then every set is emptied and the answer is 0, as select's own).
 */
function selectAsync(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): Promise<number> {
  const sets = setsOf(readfds, writefds, exceptfds);
  const time = timeout === null || timeout === undefined ? null : timevalOf(timeout);
  if (sets === null || (timeout !== null && timeout !== undefined && time === null)) return Promise.resolve(fault(null));
  return new Promise((resolve) => {
    wait({
      deadline: time === null ? Infinity : deadlineOf(millisecondsOf(time)),
      poll() {
        // A look leaves the caller's sets alone unless it settles the wait.
        const probe: Sets = { given: sets.given.map((set) => (set === null ? null : { fd_count: 0, fd_array: [] })), sockets: sets.sockets };
        const result = selectOnce(nfds, probe, { sec: 0, usec: 0 });
        if (result === 0) return false;
        if (result !== SOCKET_ERROR) storeSetsFrom(probe, sets);
        resolve(result);
        return true;
      },
      expire() {
        for (const set of sets.given) {
          if (set === null) continue;
          set.fd_array.length = 0;
          set.fd_count = 0;
        }
        resolve(0);
      },
    });
  });
}

function storeSetsFrom(from: Sets, to: Sets): void {
  to.given.forEach((set, i) => {
    const source = from.given[i];
    if (set === null || !source) return;
    set.fd_array.splice(0, set.fd_array.length, ...source.fd_array);
    set.fd_count = source.fd_count;
  });
}

// ---- WSAPoll -----------------------------------------------------------------------------------

/** The first `fds` WSAPOLLFDs, or null where C would read past the array (or write a frozen entry). */
function pollEntries(fdArray: unknown, fds: unknown): WSAPOLLFD[] | null {
  const count = looseDword(fds);
  if (fdArray === null || fdArray === undefined) return count === 0 ? [] : null;
  if (!Array.isArray(fdArray) || count > fdArray.length) return null;
  const entries = fdArray.slice(0, count) as unknown[];
  return entries.every((e) => isObject(e) && !Object.isFrozen(e)) ? entries as WSAPOLLFD[] : null;
}

function pollOnce(entries: readonly WSAPOLLFD[], nullArray: boolean, timeout: number, keep: boolean): number {
  const memory = allocate(WSAPOLLFD_SIZE * entries.length);
  const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
  entries.forEach((e, i) => {
    view.setBigInt64(WSAPOLLFD_SIZE * i, BigInt(nativeSocket(e.fd)), true);
    view.setInt16(WSAPOLLFD_SIZE * i + 8, looseDword(e.events) << 16 >> 16, true);
    view.setInt16(WSAPOLLFD_SIZE * i + 10, looseDword(e.revents) << 16 >> 16, true);
  });
  try {
    const result: number = api.WSAPoll(nullArray ? null : memory.address, entries.length, timeout);
    if (keep && result !== SOCKET_ERROR) storeRevents(entries, view);
    return result;
  } finally {
    const error = ws2_32.WSAGetLastError();
    release(memory);
    afterWait();
    ws2_32.WSASetLastError(error);
  }
}

function storeRevents(entries: readonly WSAPOLLFD[], view: DataView): void {
  entries.forEach((e, i) => {
    e.revents = view.getUint16(WSAPOLLFD_SIZE * i + 10, true);
  });
}

function WSAPoll(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): number {
  const entries = pollEntries(fdArray, fds);
  if (entries === null) return fault(null);
  return pollOnce(entries, fdArray === null || fdArray === undefined, looseDword(timeout) | 0, true);
}

/**
 * WSAPoll with a 0 time-out from this thread until an entry has events, WSAPoll fails, or the
 * caller's time-out (negative: none) passes; then the answer is 0 with every revents 0.
 */
function WSAPollAsync(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): Promise<number> {
  const entries = pollEntries(fdArray, fds);
  if (entries === null) return Promise.resolve(fault(null));
  const nullArray = fdArray === null || fdArray === undefined;
  const ms = looseDword(timeout) | 0;
  return new Promise((resolve) => {
    wait({
      deadline: ms < 0 ? Infinity : deadlineOf(ms),
      poll() {
        const result = pollOnce(entries, nullArray, 0, false);
        if (result === 0) return false;
        resolve(result === SOCKET_ERROR ? result : pollOnce(entries, nullArray, 0, true));
        return true;
      },
      expire() {
        for (const e of entries) e.revents = 0;
        resolve(0);
      },
    });
  });
}

// ---- completion notification modes ---------------------------------------------------------------

/** UCHAR Flags: the low 8 bits reach Windows, as from C. */
function SetFileCompletionNotificationModes(FileHandle: HANDLE, Flags: number): boolean {
  const flags = looseDword(Flags) & 0xff;
  const ok = api.SetFileCompletionNotificationModes(nativeHandle(FileHandle), flags) !== 0;
  if (ok) noteCompletionModes(FileHandle, flags, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
  return ok;
}

// Startup is checked per function (WSANOTINITIALISED, as ws2_32 answers); the surface guards the rest.
export const dataPathFunctions: WinsockDataPath = {
  WSARecv: needsStartup(SOCKET_ERROR, WSARecv),
  WSASend: needsStartup(SOCKET_ERROR, WSASend),
  WSARecvFrom: needsStartup(SOCKET_ERROR, WSARecvFrom),
  WSASendTo: needsStartup(SOCKET_ERROR, WSASendTo),
  select: needsStartup(SOCKET_ERROR, select),
  selectAsync: needsStartup(Promise.resolve(SOCKET_ERROR), selectAsync),
  WSAPoll: needsStartup(SOCKET_ERROR, WSAPoll),
  WSAPollAsync: needsStartup(Promise.resolve(SOCKET_ERROR), WSAPollAsync),
  SetFileCompletionNotificationModes,
};
