/**
 * I/O completion ports: CreateIoCompletionPort, PostQueuedCompletionStatus,
 * GetQueuedCompletionStatus (and its async twin). A port is a FIFO of packets in this thread's
 * handle table (kind 'port'); a socket associated with it gets one packet per completed overlapped
 * operation whose hEvent does not have its low bit set.
 *
 * Windows facts followed here (Wine's dlls/ws2_32/tests/sock.c, the parts that pass on Windows):
 * a failed operation's packet makes GetQueuedCompletionStatus return FALSE with bytes, key and
 * overlapped filled and the Win32 form of the status as last error (ERROR_OPERATION_ABORTED for
 * STATUS_CANCELLED, ERROR_NOT_SUPPORTED for STATUS_NOT_SUPPORTED); a time-out returns FALSE with
 * WAIT_TIMEOUT, sets *lpOverlapped to NULL and leaves bytes and key alone; a success leaves the
 * last error alone. A wait in progress when its port is closed ends FALSE, *lpOverlapped NULL,
 * ERROR_ABANDONED_WAIT_0 (GetQueuedCompletionStatus reference page).
 */
import {
  ERROR_ABANDONED_WAIT_0, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, STATUS_SUCCESS, WAIT_TIMEOUT,
  ntStatusToWin32Error, ntSuccess,
} from '../../../errors/index.js';
import { INVALID_HANDLE_VALUE } from '../../../winsock/constants.js';
import type { HANDLE, Ref, WSAOVERLAPPED } from '../../../winsock/types.js';
import { register, unregister, lookup, type HandleObject } from './handles.js';
import { lookupSocket } from './socket-state.js';
import { setLastError } from './last-error.js';
import type { LinuxSocket } from './socket-state.js';
import { kick, waitAsync } from '../loop/scheduler.js';
import { waitSync, type WaitSpec } from '../loop/wait.js';
import { isWritableRef } from '../../../winsock/arguments.js';

export interface Packet {
  bytes: number;
  key: number;
  overlapped: WSAOVERLAPPED | null;
  status: number;
}

export class CompletionPort implements HandleObject {
  readonly kind = 'port' as const;
  handle = 0;
  closed = false;
  readonly packets: Packet[] = [];
  constructor(readonly concurrency: number) {}
}

const associations = new WeakMap<LinuxSocket, { port: CompletionPort; key: number }>();

export function portFor(handle: unknown): CompletionPort | undefined {
  if (typeof handle !== 'number') return undefined;
  const object = lookup(handle);
  return object?.kind === 'port' ? (object as CompletionPort) : undefined;
}

export function associationOf(sock: LinuxSocket): { port: CompletionPort; key: number } | undefined {
  return associations.get(sock);
}

export function queuePacket(port: CompletionPort, packet: Packet): void {
  if (port.closed) return;
  port.packets.push(packet);
  kick();
}

export function closePort(port: CompletionPort): void {
  port.closed = true;
  port.packets.length = 0;
  unregister(port.handle);
  // An async wait on it ends now (ERROR_ABANDONED_WAIT_0), not at its time-out.
  kick();
}

const asKey = (key: unknown): number => (typeof key === 'number' && Number.isFinite(key) ? key : typeof key === 'bigint' ? Number(key) : 0);

export function CreateIoCompletionPort(FileHandle: HANDLE, ExistingCompletionPort: HANDLE, CompletionKey: number, NumberOfConcurrentThreads: number): HANDLE {
  const existing = ExistingCompletionPort ? portFor(ExistingCompletionPort) : undefined;
  if (ExistingCompletionPort && !existing) {
    setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  if (FileHandle === INVALID_HANDLE_VALUE || FileHandle === 0xffffffff) {
    // A new, unassociated port; naming an existing one here is a parameter error.
    if (existing) {
      setLastError(ERROR_INVALID_PARAMETER);
      return 0;
    }
    return newPort(NumberOfConcurrentThreads);
  }
  const sock = lookupSocket(FileHandle);
  if (!sock || sock.closed) {
    setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  // A handle can be associated with one port only, once.
  if (associations.has(sock)) {
    setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const port = existing ?? portFor(newPort(NumberOfConcurrentThreads));
  if (!port) return 0;
  associations.set(sock, { port, key: asKey(CompletionKey) });
  return port.handle;
}

function newPort(threads: number): HANDLE {
  try {
    return register(new CompletionPort(typeof threads === 'number' ? threads >>> 0 : 0)).handle;
  } catch {
    setLastError(ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
}

export function PostQueuedCompletionStatus(CompletionPort: HANDLE, dwNumberOfBytesTransferred: number, dwCompletionKey: number, lpOverlapped: WSAOVERLAPPED | null): boolean {
  const port = portFor(CompletionPort);
  if (!port) {
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  }
  queuePacket(port, {
    bytes: Number(dwNumberOfBytesTransferred) >>> 0,
    key: asKey(dwCompletionKey),
    overlapped: lpOverlapped ?? null,
    status: STATUS_SUCCESS,
  });
  return true;
}

type GqcsArgs = [
  port: HANDLE,
  bytes: Ref<number> | null,
  key: Ref<number> | null,
  overlapped: Ref<WSAOVERLAPPED | null> | null,
  timeoutMs: number,
];

/** Checks shared by the sync and async forms: the port, or false with the last error set. */
function gqcsSetup([handle, bytes, key, overlapped, timeoutMs]: GqcsArgs): WaitSpec<boolean> | false {
  const port = portFor(handle);
  if (!port) {
    setLastError(ERROR_INVALID_HANDLE);
    return false;
  }
  // NULL (or unwritable) out-parameters are an access violation in C; here they are a parameter
  // error, found before a packet is taken off the port.
  if (!isWritableRef(bytes) || !isWritableRef(key) || !isWritableRef(overlapped)) {
    setLastError(ERROR_INVALID_PARAMETER);
    return false;
  }
  return {
    timeoutMs: Number(timeoutMs) >>> 0,
    onTimeout: false,
    ready() {
      // The port was closed while this wait was in progress (an async wait): Windows ends it
      // with ERROR_ABANDONED_WAIT_0 and *lpOverlapped NULL.
      if (port.closed) {
        overlapped!.value = null;
        setLastError(ERROR_ABANDONED_WAIT_0);
        return false;
      }
      const packet = port.packets.shift();
      if (!packet) return undefined;
      bytes!.value = packet.bytes;
      key!.value = packet.key;
      overlapped!.value = packet.overlapped;
      if (ntSuccess(packet.status)) return true;
      setLastError(ntStatusToWin32Error(packet.status));
      return false;
    },
  };
}

const TIMEOUT = Symbol('timeout');

function afterWait(result: boolean | typeof TIMEOUT, overlapped: Ref<WSAOVERLAPPED | null>): boolean {
  if (result !== TIMEOUT) return result;
  overlapped.value = null;
  setLastError(WAIT_TIMEOUT);
  return false;
}

export function GetQueuedCompletionStatus(...args: GqcsArgs): boolean {
  const spec = gqcsSetup(args);
  if (spec === false) return false;
  return afterWait(waitSync<boolean | typeof TIMEOUT>({ ...spec, onTimeout: TIMEOUT }), args[3]!);
}

export async function GetQueuedCompletionStatusAsync(...args: GqcsArgs): Promise<boolean> {
  const spec = gqcsSetup(args);
  if (spec === false) return false;
  return afterWait(await waitAsync<boolean | typeof TIMEOUT>({ ...spec, onTimeout: TIMEOUT }), args[3]!);
}
