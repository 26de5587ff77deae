/**
 * The WinsockOverlapped part of the Windows backend: events, waits, overlapped results, completion
 * ports, cancellation, event selection, WSAIoctl with lpOverlapped / lpCompletionRoutine, and the
 * async twins. Every function calls the real ws2_32.dll / kernel32.dll function; Windows decides
 * each result and error. What this module adds:
 * - native memory for what Windows uses after a call returns, and the way back from a native
 *   OVERLAPPED address to the caller's WSAOVERLAPPED (native-overlapped.ts);
 * - the async twins, which wait on the real completion on a libuv pool thread where Windows
 *   allows it, else poll the real objects from this thread (poller.ts);
 * - answers for what C cannot even express and Windows would crash on: a NULL out-parameter where
 *   the function writes unconditionally, a handle that is not an integer, an event list shorter
 *   than cEvents. Each gets the documented error (see the function), and no exception escapes:
 *   an argument koffi cannot convert ends as the function's failure value with a parameter error.
 */
import koffi from 'koffi';
import {
  ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, WAIT_TIMEOUT, WSAEFAULT, WSAEINVAL,
  WSA_INVALID_PARAMETER, WSA_IO_INCOMPLETE, WSA_IO_PENDING,
} from '../../errors/index.js';
import {
  INVALID_HANDLE_VALUE, WSA_INVALID_EVENT, WSA_MAXIMUM_WAIT_EVENTS, WSA_WAIT_FAILED, WSA_WAIT_IO_COMPLETION,
  WSA_WAIT_TIMEOUT,
} from '../../winsock/constants.js';
import type { WinsockOverlapped } from '../../winsock/api.js';
import type {
  HANDLE, LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, WSAEVENT, WSANETWORKEVENTS, WSAOVERLAPPED,
} from '../../winsock/types.js';
import { SIO_ADDRESS_LIST_QUERY, SIO_ADDRESS_LIST_SORT } from '../../codes/index.js';
import { nativeSocket, refValue } from './arguments.js';
import {
  allocate, begin, beginPoolDequeue, blockForCall, blockForPacket, dropRoutine, endPoolDequeue, expectPacket,
  expectRoutine, finish, forgetPort, fromU64, hasWork, inFlightBlock, packetDequeued, reap, release, releaseIdleRoutine,
  releaseIfIdle, routinePointer, scratchCopy, toU64, type Memory, type Operation,
} from './native-overlapped.js';
import { configurePoller, deadlineOf, kick, wait, type NativeWait } from './poller.js';
import { isStarted, needsStartup } from './startup.js';
import { overlappedApi as api, win32, ws2_32 } from './ws2_32.js';
import { makeGuard } from '../../winsock/guard.js';
import { closesBorrowedFile } from './borrowed-files.js';
import { deliveryOf } from '../../winsock/delivery.js';
import { overlappedIdWith } from './overlapped-id.js';

configurePoller({ beforeRound: reap, hasWork });

// ---- argument conversion -----------------------------------------------------------------------

/** A handle no process can have open (handle tables stop far below it); given for non-integers. */
const NO_HANDLE = 0x7ffffffc;
export const nativeHandle = (h: unknown): number => (typeof h === 'number' && Number.isSafeInteger(h) ? h : NO_HANDLE);
/** BOOL as Linux reads it: true or a non-zero number. */
const toBOOL = (value: unknown): number => (value === true || (typeof value === 'number' && value !== 0 && !Number.isNaN(value)) ? 1 : 0);
const dword = (value: unknown): number => Number(value) >>> 0;
const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

/** Runs `fn` and puts back the last error the native call left (our bookkeeping may call free()). */
function keepingError<T>(fn: () => T): T {
  const error = win32.GetLastError();
  try {
    return fn();
  } finally {
    win32.SetLastError(error);
  }
}

/** After a wait that may have run completion routines: reap, and drop the callback if it is idle. */
export function afterWait(): void {
  keepingError(() => {
    reap();
    releaseIdleRoutine();
  });
}

/**
 * Whether `s` names a socket, asked without side effects (getsockopt SO_TYPE). For functions whose
 * NULL out-parameter Windows would only discover after checking the socket.
 */
export function socketError(s: SOCKET): number {
  const type = new Uint8Array(4);
  const result: number = ws2_32.getsockopt(nativeSocket(s), 0xffff, 0x1008, type, [4]);
  return result === 0 ? 0 : ws2_32.WSAGetLastError();
}

/** Arguments C could not have passed end as the failure value (winsock/guard.ts). */
const guard = makeGuard((code) => win32.SetLastError(code));

// ---- sockets associated with completion ports --------------------------------------------------

/** Port of each socket this thread associated through CreateIoCompletionPort. */
const associations = new Map<number, number>();

/**
 * Sockets given FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (SetFileCompletionNotificationModes): an
 * operation that succeeds at once queues no packet, so none is expected.
 */
const skipPortOnSuccess = new Set<number>();

/** SetFileCompletionNotificationModes succeeded on `s` (the modes cannot be cleared). */
export function noteCompletionModes(s: SOCKET, flags: number, skipPortFlag: number): void {
  if (flags & skipPortFlag) skipPortOnSuccess.add(s);
}

/** The socket was closed (closesocket or CloseHandle): its association is gone. */
export function forgetSocket(s: SOCKET): void {
  associations.delete(s);
  skipPortOnSuccess.delete(s);
  kick();
}

// ---- WSAIoctl in overlapped mode ---------------------------------------------------------------

/**
 * Codes whose output is a SOCKET_ADDRESS_LIST: its lpSockaddr pointers lead into the call's own
 * buffers, which were our native copies. After the copy back they are rebased onto the caller's
 * arrays (koffi.address), so the caller sees what C sees: pointers into its own output (or input).
 */
const SOCKET_ADDRESS_LIST_OUTPUT = new Set([SIO_ADDRESS_LIST_QUERY, SIO_ADDRESS_LIST_SORT]);

function relocator(output: Memory, caller: Uint8Array, size: number, input: Memory | null, callerInput: Uint8Array | null, inSize: number): () => void {
  return () => {
    const view = new DataView(caller.buffer, caller.byteOffset, Math.min(size, caller.byteLength));
    if (view.byteLength < 8) return;
    const ranges: Array<[bigint, number, Uint8Array]> = [[output.address, size, caller]];
    if (input !== null && callerInput !== null) ranges.push([input.address, inSize, callerInput]);
    const count = view.getInt32(0, true);
    for (let i = 0; i < count && 8 + 16 * i + 8 <= view.byteLength; i++) {
      const pointer = view.getBigUint64(8 + 16 * i, true);
      for (const [base, length, array] of ranges) {
        if (pointer >= base && pointer < base + BigInt(length)) {
          view.setBigUint64(8 + 16 * i, BigInt(koffi.address(array)) + (pointer - base), true);
          break;
        }
      }
    }
  };
}

function copyIn(buffer: Uint8Array | null, size: number): Memory | null {
  // koffi passes a zero-length array as NULL: keep that, as the non-overlapped form does.
  if (buffer === null || buffer.byteLength === 0) return null;
  const memory = allocate(size);
  memory.bytes.set(buffer.subarray(0, size));
  return memory;
}

/**
 * WSAIoctl with a WSAOVERLAPPED (the caller checked the buffers against their sizes). The call gets
 * native copies of the buffers and a native OVERLAPPED; when Windows completes the operation at
 * once, its outcome is mirrored before returning; when it pends (SOCKET_ERROR + WSA_IO_PENDING),
 * the memory stays until the completion is seen (native-overlapped.ts). With a routine, the
 * registered callback is passed as lpCompletionRoutine.
 */
export function overlappedIoctl(
  s: SOCKET, dwIoControlCode: number, lpvInBuffer: Uint8Array | null, cbInBuffer: number,
  lpvOutBuffer: Uint8Array | null, cbOutBuffer: number, lpcbBytesReturned: Ref<number> | null,
  lpOverlapped: WSAOVERLAPPED, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  // Anything but an object where a DWORD * goes is taken as NULL (WSAEFAULT from ws2_32).
  const bytesRef = isObject(lpcbBytesReturned) ? lpcbBytesReturned : null;
  const inSize = cbInBuffer >>> 0;
  const outSize = cbOutBuffer >>> 0;
  const input = copyIn(lpvInBuffer, inSize);
  const output = copyIn(lpvOutBuffer, outSize);
  const code = dwIoControlCode >>> 0;
  const relocate = output !== null && lpvOutBuffer !== null && SOCKET_ADDRESS_LIST_OUTPUT.has(code)
    ? relocator(output, lpvOutBuffer, outSize, input, lpvInBuffer, inSize) : null;
  return issueOverlapped(s, lpOverlapped, bytesRef, lpCompletionRoutine,
    { input, output, caller: output === null ? null : lpvOutBuffer, size: outSize, relocate, completed: null },
    (bytes, overlapped, routine) => api.WSAIoctl(nativeSocket(s), code, input?.address ?? null, inSize,
      output?.address ?? null, outSize, bytes, overlapped, routine));
}

/**
 * An overlapped call on socket `s` (WSAIoctl, WSARecv, WSASend, ...) with the caller's
 * WSAOVERLAPPED: `call` receives the native byte-count cell (null when `bytesRef` is null), the
 * native OVERLAPPED and the native routine (null without a JS routine) and makes the real call.
 * When Windows completes the operation at once, its outcome is mirrored before returning; when it
 * pends (SOCKET_ERROR + WSA_IO_PENDING), `op`'s memory stays until the completion is seen
 * (native-overlapped.ts). Returns the call's result with its last error.
 */
export function issueOverlapped(
  s: SOCKET, lpOverlapped: WSAOVERLAPPED, bytesRef: Ref<number> | null,
  lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, parts: Omit<Operation, 'event'>,
  call: (bytes: bigint | null, overlapped: bigint, routine: bigint | null) => number,
): number {
  const block = blockForCall(lpOverlapped);
  block.load(true);
  const given = bytesRef === null ? 0 : refValue(bytesRef) >>> 0;
  if (bytesRef !== null) block.cell = given;
  // Where Windows will deliver the result (winsock/delivery.ts). The routine is expected before
  // the call: Windows may queue it before the call returns.
  const port = associations.get(s);
  const delivery = deliveryOf({
    hasRoutine: typeof lpCompletionRoutine === 'function', hEvent: block.hEvent, portAssociated: port !== undefined,
  });
  const routine = delivery.apc ? lpCompletionRoutine : null;
  if (routine !== null) expectRoutine(block, routine);
  const op: Operation = { ...parts, event: delivery.event };

  const result = call(bytesRef === null ? null : block.cellAddress, block.address, routine === null ? null : routinePointer());
  const error = result === 0 ? 0 : ws2_32.WSAGetLastError();

  const pending = result !== 0 && error === WSA_IO_PENDING;
  if (pending) block.markPending();
  const used = pending || block.written();
  if (bytesRef !== null && block.cell !== given) bytesRef.value = block.cell;
  // An operation Windows started (it pends, or completed at once) delivers exactly once; a call
  // that failed at once delivers nothing. (Windows signals the event itself.)
  const started = used && (pending || result === 0);
  if (routine !== null) {
    if (!started) dropRoutine(block, routine);
  } else if (started && delivery.packet && port !== undefined && !(result === 0 && skipPortOnSuccess.has(s))) {
    expectPacket(block, port);
  }
  if (pending) {
    begin(block, op);
    block.mirror();
  } else {
    finish(block, op, used);
  }
  releaseIdleRoutine();
  kick();
  if (result !== 0) ws2_32.WSASetLastError(error);
  return result;
}

// ---- events ------------------------------------------------------------------------------------

function WSACreateEvent(): WSAEVENT {
  return api.WSACreateEvent();
}

function WSACloseEvent(hEvent: WSAEVENT): boolean {
  return api.WSACloseEvent(nativeHandle(hEvent)) !== 0;
}

function WSASetEvent(hEvent: WSAEVENT): boolean {
  const ok = api.WSASetEvent(nativeHandle(hEvent)) !== 0;
  if (ok) kick();
  return ok;
}

function WSAResetEvent(hEvent: WSAEVENT): boolean {
  return api.WSAResetEvent(nativeHandle(hEvent)) !== 0;
}

// ---- WSAWaitForMultipleEvents ------------------------------------------------------------------

/**
 * The native handle array, or WSA_INVALID_PARAMETER when cEvents is in 1..64 and the list is null
 * or shorter (C would read past it). Counts out of range go to Windows, which refuses them before
 * reading the list.
 */
function handleList(cEvents: number, lphEvents: readonly WSAEVENT[] | null): BigInt64Array | null {
  const count = dword(cEvents);
  const length = Array.isArray(lphEvents) ? lphEvents.length : 0;
  if (count >= 1 && count <= WSA_MAXIMUM_WAIT_EVENTS && length < count) return null;
  const list = new BigInt64Array(Math.max(1, Math.min(count, WSA_MAXIMUM_WAIT_EVENTS)));
  for (let i = 0; i < Math.min(list.length, length); i++) list[i] = BigInt(nativeHandle(lphEvents![i]));
  return list;
}

function WSAWaitForMultipleEvents(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): number {
  const list = handleList(cEvents, lphEvents);
  if (list === null) {
    win32.SetLastError(WSA_INVALID_PARAMETER);
    return WSA_WAIT_FAILED;
  }
  try {
    return api.WSAWaitForMultipleEvents(dword(cEvents), list, toBOOL(fWaitAll), dword(dwTimeout), toBOOL(fAlertable));
  } finally {
    afterWait();
  }
}

/**
 * Not alertable: the real wait, with the caller's time-out, on a pool thread (poller.ts). Alertable:
 * polled from this thread, because only this thread's alertable waits run its completion routines
 * (and waiting for the events elsewhere meanwhile could consume an auto-reset event's signal that
 * this wait would then not report).
 */
function WSAWaitForMultipleEventsAsync(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): Promise<number> {
  const list = handleList(cEvents, lphEvents);
  if (list === null) {
    win32.SetLastError(WSA_INVALID_PARAMETER);
    return Promise.resolve(WSA_WAIT_FAILED);
  }
  const count = dword(cEvents);
  const all = toBOOL(fWaitAll);
  const alertable = toBOOL(fAlertable);
  return new Promise((resolve) => {
    const native: NativeWait<number> = {
      start: (ms, done) => waitOnPool(count, list, all, ms, done),
      finish(result, lastError) {
        afterWait();
        if (result === WSA_WAIT_TIMEOUT) return 'again';
        if (result === WSA_WAIT_FAILED) win32.SetLastError(lastError);
        resolve(result);
        return 'settled';
      },
    };
    wait({
      deadline: deadlineOf(dword(dwTimeout)),
      poll() {
        let result: number;
        try {
          result = api.WSAWaitForMultipleEvents(count, list, all, 0, alertable);
        } finally {
          afterWait();
        }
        if (result === WSA_WAIT_TIMEOUT) return false;
        resolve(result);
        return true;
      },
      expire: () => resolve(WSA_WAIT_TIMEOUT),
      native: alertable ? undefined : native,
    });
  });
}

/**
 * A non-alertable WSAWaitForMultipleEvents of `ms` on a pool thread, on a native copy of the handle
 * list (a JS array is lent to a native call only for the length of a synchronous call).
 */
function waitOnPool(
  count: number, list: BigInt64Array, all: number, ms: number, done: (error: unknown, result: number, lastError: number) => void,
): void {
  const handles = allocate(list.byteLength);
  handles.bytes.set(new Uint8Array(list.buffer, list.byteOffset, list.byteLength));
  try {
    api.WSAWaitForMultipleEvents.async(count, handles.address, all, ms, 0, (error: unknown, result: number) => {
      const lastError: number = win32.GetLastError();
      release(handles);
      done(error, result, lastError);
    });
  } catch (error) {
    release(handles);
    throw error;
  }
}

// ---- SleepEx -----------------------------------------------------------------------------------

function SleepEx(dwMilliseconds: number, bAlertable: boolean | number): number {
  try {
    return api.SleepEx(dword(dwMilliseconds), toBOOL(bAlertable));
  } finally {
    afterWait();
  }
}

/**
 * Alertable: polls SleepEx(0, TRUE) (which runs this thread's due completion routines) until one
 * ran or the time is up; never on a pool thread, where this thread's routines cannot run. Not
 * alertable: a plain timer (an INFINITE one never resolves and holds nothing).
 */
function SleepExAsync(dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  const ms = dword(dwMilliseconds);
  if (!toBOOL(bAlertable)) {
    if (ms === 0) return Promise.resolve(SleepEx(0, false));
    return new Promise((resolve) => {
      if (ms !== 0xffffffff) setTimeout(() => resolve(0), ms);
    });
  }
  return new Promise((resolve) => {
    wait({
      deadline: deadlineOf(ms),
      poll() {
        if (SleepEx(0, true) !== WSA_WAIT_IO_COMPLETION) return false;
        resolve(WSA_WAIT_IO_COMPLETION);
        return true;
      },
      expire: () => resolve(0),
    });
  });
}

// ---- WSAGetOverlappedResult --------------------------------------------------------------------

type GorArgs = [s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null];

/**
 * The real WSAGetOverlappedResult on `ov`'s operation in flight, or, for an object with none (its
 * operation was seen complete, or it never went through WSAIoctl), on a scratch OVERLAPPED loaded
 * from the object's fields. NULL pointers, an access violation in C: the socket error if the socket
 * is bad, else WSAEFAULT (as the function documents).
 */
const getOverlappedResult = needsStartup(false, (...[s, ov, lpcbTransfer, fWait, lpdwFlags]: GorArgs): boolean => {
  if (!isObject(ov) || !isObject(lpcbTransfer) || !isObject(lpdwFlags)) {
    ws2_32.WSASetLastError(socketError(s) || WSAEFAULT);
    return false;
  }
  reap();
  const inFlight = inFlightBlock(ov);
  const scratch = inFlight ? null : scratchCopy(ov);
  const address = inFlight ? inFlight.address : scratch!.address;
  const transfer = new Uint32Array([Number(lpcbTransfer.value) >>> 0]);
  const flags = new Uint32Array([Number(lpdwFlags.value) >>> 0]);
  const ok = api.WSAGetOverlappedResult(nativeSocket(s), address, transfer, toBOOL(fWait), flags) !== 0;
  keepingError(() => {
    release(scratch);
    reap();
  });
  if (transfer[0] !== Number(lpcbTransfer.value) >>> 0) lpcbTransfer.value = transfer[0]!;
  if (flags[0] !== Number(lpdwFlags.value) >>> 0) lpdwFlags.value = flags[0]!;
  return ok;
});

function WSAGetOverlappedResult(...args: GorArgs): boolean {
  return getOverlappedResult(...args);
}

/**
 * fWait FALSE, or an operation already complete: the call itself. Otherwise waits until the
 * operation is seen complete (its Internal leaves STATUS_PENDING), then makes the call with fWait
 * FALSE. An operation of ours whose completion signals an event is waited for on a pool thread, on
 * that event (what the real fWait TRUE call waits on); one without (a routine, or no hEvent: then
 * Windows would wait on the socket handle, which any other operation may signal) is polled, and so
 * is an object with no operation of ours in flight: asked with fWait FALSE until it stops
 * answering WSA_IO_INCOMPLETE.
 */
function WSAGetOverlappedResultAsync(...args: GorArgs): Promise<boolean> {
  const [s, ov, lpcbTransfer, fWait, lpdwFlags] = args;
  if (!toBOOL(fWait) || !isObject(ov) || !isStarted()) return Promise.resolve(getOverlappedResult(...args));
  return new Promise((resolve) => {
    const look = (): boolean => {
      reap();
      if (inFlightBlock(ov)) return false;
      const ok = getOverlappedResult(s, ov, lpcbTransfer, false, lpdwFlags);
      if (!ok && ws2_32.WSAGetLastError() === WSA_IO_INCOMPLETE) return false;
      resolve(ok);
      return true;
    };
    const event = inFlightBlock(ov)?.op?.event ?? 0n;
    const native: NativeWait<number> = {
      start: (ms, done) => waitOnPool(1, BigInt64Array.of(BigInt.asIntN(64, event)), 0, ms, done),
      finish(result) {
        reap();
        // Complete: the answer. Signalled (or the wait failed) with the operation still in flight:
        // the event was set for another reason; polling takes over rather than spinning on it.
        if (!inFlightBlock(ov)) return look() ? 'settled' : 'poll';
        return result === WSA_WAIT_TIMEOUT ? 'again' : 'poll';
      },
    };
    wait({ deadline: Infinity, poll: look, expire: () => undefined, native: event === 0n ? undefined : native });
  });
}

// ---- completion ports --------------------------------------------------------------------------

function CreateIoCompletionPort(FileHandle: HANDLE, ExistingCompletionPort: HANDLE, CompletionKey: number, NumberOfConcurrentThreads: number): HANDLE {
  const port: number = api.CreateIoCompletionPort(nativeHandle(FileHandle), nativeHandle(ExistingCompletionPort),
    toU64(CompletionKey), dword(NumberOfConcurrentThreads));
  if (port !== 0 && FileHandle !== INVALID_HANDLE_VALUE) associations.set(FileHandle, port);
  return port;
}

type GqcsArgs = [
  CompletionPort: HANDLE,
  lpNumberOfBytesTransferred: Ref<number> | null,
  lpCompletionKey: Ref<number> | null,
  lpOverlapped: Ref<WSAOVERLAPPED | null> | null,
  dwMilliseconds: number,
];

/**
 * One real GetQueuedCompletionStatus. The native OVERLAPPED address a packet carries maps back to
 * the caller's WSAOVERLAPPED (null for NULL or an address this thread does not know). NULL
 * out-parameters, an access violation in C: ERROR_INVALID_HANDLE for a bad port, else
 * ERROR_INVALID_PARAMETER, nothing dequeued. Returns whether a packet was dequeued as `got`.
 */
function dequeue(args: GqcsArgs, timeoutMs: number): { ok: boolean; got: boolean } {
  const [port, bytes, key, overlapped] = args;
  if (!isObject(bytes) || !isObject(key) || !isObject(overlapped)) {
    const ok = api.GetHandleInformation(nativeHandle(port), new Uint32Array(1)) !== 0;
    win32.SetLastError(ok ? ERROR_INVALID_PARAMETER : ERROR_INVALID_HANDLE);
    return { ok: false, got: true };
  }
  const count = new Uint32Array(1);
  const keyCell = new BigUint64Array(1);
  const address = new BigUint64Array(1);
  const ok = api.GetQueuedCompletionStatus(nativeHandle(port), count, keyCell, address, timeoutMs) !== 0;
  const got = takePacket(args, { ok, count: count[0]!, key: keyCell[0]!, address: address[0]! });
  return { ok, got };
}

/** What a GetQueuedCompletionStatus left in its out-parameters. */
interface Dequeued {
  ok: boolean;
  count: number;
  key: bigint;
  address: bigint;
}

/** Hands a dequeue's out-parameters to the caller (the last error is left as it is); true when a packet came. */
function takePacket(args: GqcsArgs, { ok, count, key, address }: Dequeued): boolean {
  const [port, bytes, keyRef, overlapped] = args;
  const got = ok || address !== 0n;
  keepingError(() => {
    reap();
    overlapped!.value = address === 0n ? null : packetDequeued(address, port);
  });
  if (got) {
    bytes!.value = count;
    keyRef!.value = fromU64(key);
  }
  return got;
}

function GetQueuedCompletionStatus(...args: GqcsArgs): boolean {
  return dequeue(args, dword(args[4])).ok;
}

/**
 * GetQueuedCompletionStatus is never alertable: after a first look from this thread, the real
 * dequeue runs on a pool thread with the caller's time-out (poller.ts), in slices; polled with 0
 * time-outs when the pool is not used.
 */
function GetQueuedCompletionStatusAsync(...args: GqcsArgs): Promise<boolean> {
  const deadline = deadlineOf(dword(args[4]));
  return new Promise((resolve) => {
    const native: NativeWait<Dequeued> = {
      start(ms, done) {
        const cells = allocate(24);
        cells.bytes.fill(0);
        const dequeue = beginPoolDequeue();
        try {
          api.GetQueuedCompletionStatus.async(nativeHandle(args[0]), cells.address, cells.address + 8n,
            cells.address + 16n, ms, (error: unknown, result: number) => {
              const lastError: number = win32.GetLastError();
              const view = new DataView(cells.bytes.buffer, cells.bytes.byteOffset, 24);
              const out: Dequeued = {
                ok: result !== 0, count: view.getUint32(0, true), key: view.getBigUint64(8, true),
                address: view.getBigUint64(16, true),
              };
              release(cells);
              done(error, out, lastError);
              // After `done`'s microtask has mapped the packet (microtasks run in order).
              queueMicrotask(() => endPoolDequeue(dequeue));
            });
        } catch (error) {
          release(cells);
          endPoolDequeue(dequeue);
          throw error;
        }
      },
      finish(out, lastError) {
        if (!out.ok && out.address === 0n && lastError === WAIT_TIMEOUT) return 'again';
        takePacket(args, out);
        if (!out.ok) win32.SetLastError(lastError);
        resolve(out.ok);
        return 'settled';
      },
    };
    wait({
      deadline,
      poll() {
        const { ok, got } = dequeue(args, 0);
        if (!got && win32.GetLastError() === WAIT_TIMEOUT) return false;
        resolve(ok);
        return true;
      },
      expire() {
        if (isObject(args[3])) args[3].value = null;
        win32.SetLastError(WAIT_TIMEOUT);
        resolve(false);
      },
      native,
    });
  });
}

/**
 * A WSAOVERLAPPED posted here travels as the address of its native block (kept until the packet is
 * dequeued), so the dequeue gives the same object back.
 */
function PostQueuedCompletionStatus(CompletionPort: HANDLE, dwNumberOfBytesTransferred: number, dwCompletionKey: number, lpOverlapped: WSAOVERLAPPED | null): boolean {
  const block = isObject(lpOverlapped) ? blockForPacket(lpOverlapped) : null;
  const ok = api.PostQueuedCompletionStatus(nativeHandle(CompletionPort), dword(dwNumberOfBytesTransferred),
    toU64(dwCompletionKey), block?.address ?? null) !== 0;
  if (block !== null) {
    keepingError(() => {
      if (ok) expectPacket(block, CompletionPort);
      else releaseIfIdle(block);
    });
  }
  if (ok) kick();
  return ok;
}

// ---- closing and cancelling --------------------------------------------------------------------

function CloseHandle(hObject: HANDLE): boolean {
  // A file HANDLE of Node's fd (_get_osfhandle) is Node's to close (docs/principles.md, principle 3).
  if (closesBorrowedFile(hObject)) return true;
  const ok = api.CloseHandle(nativeHandle(hObject)) !== 0;
  if (ok) {
    keepingError(() => {
      forgetPort(hObject);
      forgetSocket(hObject);
    });
  }
  return ok;
}

function CancelIo(hFile: HANDLE): boolean {
  const ok = api.CancelIo(nativeHandle(hFile)) !== 0;
  keepingError(reap);
  kick();
  return ok;
}

/**
 * The operation started with `lpOverlapped` is named by its native address; an object with no
 * operation of ours in flight is named by a scratch OVERLAPPED, which Windows does not find
 * (ERROR_NOT_FOUND), as it would not find the object's memory in C.
 */
function CancelIoEx(hFile: HANDLE, lpOverlapped: WSAOVERLAPPED | null): boolean {
  let scratch: Memory | null = null;
  let address: bigint | null = null;
  if (isObject(lpOverlapped)) {
    const block = inFlightBlock(lpOverlapped);
    if (block) address = block.address;
    else address = (scratch = scratchCopy(lpOverlapped)).address;
  }
  const ok = api.CancelIoEx(nativeHandle(hFile), address) !== 0;
  keepingError(() => {
    release(scratch);
    reap();
  });
  kick();
  return ok;
}

// ---- event selection ---------------------------------------------------------------------------

function WSAEventSelect(s: SOCKET, hEventObject: WSAEVENT, lNetworkEvents: number): number {
  return api.WSAEventSelect(nativeSocket(s), nativeHandle(hEventObject), Number(lNetworkEvents) | 0);
}

/** WSANETWORKEVENTS on x64: long lNetworkEvents; int iErrorCode[FD_MAX_EVENTS]. */
const NETWORK_EVENTS_SIZE = 44;

/** A NULL lpNetworkEvents: the socket error if the socket is bad, else WSAEFAULT. */
function WSAEnumNetworkEvents(s: SOCKET, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number {
  if (!isObject(lpNetworkEvents)) {
    ws2_32.WSASetLastError(socketError(s) || WSAEFAULT);
    return -1;
  }
  // The native struct starts as the caller's: ws2_32 writes iErrorCode only for the events it
  // reports and leaves the other entries as they were (Wine sock.c test_WSAEnumNetworkEvents).
  const raw = new Int32Array(NETWORK_EVENTS_SIZE / 4);
  const errors = Array.isArray(lpNetworkEvents.iErrorCode) ? lpNetworkEvents.iErrorCode : [];
  for (let i = 0; i < 10; i++) raw[1 + i] = Number(errors[i] ?? 0) | 0;
  const before = raw.slice();
  const result: number = api.WSAEnumNetworkEvents(nativeSocket(s), nativeHandle(hEventObject), raw);
  if (result === 0) {
    lpNetworkEvents.lNetworkEvents = raw[0]!;
    lpNetworkEvents.iErrorCode = errors;
    // Only what ws2_32 wrote is copied back (an untouched entry keeps the caller's exact value).
    for (let i = 0; i < 10; i++) if (raw[0]! & (1 << i) || raw[1 + i] !== before[1 + i] || errors[i] === undefined) errors[i] = raw[1 + i]!;
  }
  return result;
}

// ---- the exports -------------------------------------------------------------------------------

const PARAM = ERROR_INVALID_PARAMETER;

export const overlappedFunctions: WinsockOverlapped = {
  WSACreateEvent: guard(WSACreateEvent, WSA_INVALID_EVENT, PARAM),
  WSACloseEvent: guard(WSACloseEvent, false, PARAM),
  WSASetEvent: guard(WSASetEvent, false, PARAM),
  WSAResetEvent: guard(WSAResetEvent, false, PARAM),
  WSAWaitForMultipleEvents: guard(WSAWaitForMultipleEvents, WSA_WAIT_FAILED, PARAM),
  WSAWaitForMultipleEventsAsync: guard(WSAWaitForMultipleEventsAsync, Promise.resolve(WSA_WAIT_FAILED), PARAM),
  SleepEx: guard(SleepEx, 0, PARAM),
  SleepExAsync: guard(SleepExAsync, Promise.resolve(0), PARAM),
  WSAGetOverlappedResult: guard(WSAGetOverlappedResult, false, WSAEFAULT),
  WSAGetOverlappedResultAsync: guard(WSAGetOverlappedResultAsync, Promise.resolve(false), WSAEFAULT),
  CreateIoCompletionPort: guard(CreateIoCompletionPort, 0, PARAM),
  GetQueuedCompletionStatus: guard(GetQueuedCompletionStatus, false, PARAM),
  GetQueuedCompletionStatusAsync: guard(GetQueuedCompletionStatusAsync, Promise.resolve(false), PARAM),
  PostQueuedCompletionStatus: guard(PostQueuedCompletionStatus, false, PARAM),
  overlappedId: guard(overlappedIdWith((code) => win32.SetLastError(code)), 0, PARAM),
  CloseHandle: guard(CloseHandle, false, ERROR_INVALID_HANDLE),
  CancelIo: guard(CancelIo, false, ERROR_INVALID_HANDLE),
  CancelIoEx: guard(CancelIoEx, false, ERROR_INVALID_HANDLE),
  WSAEventSelect: guard(needsStartup(-1, WSAEventSelect), -1, WSAEINVAL),
  WSAEnumNetworkEvents: guard(needsStartup(-1, WSAEnumNetworkEvents), -1, WSAEFAULT),
};
