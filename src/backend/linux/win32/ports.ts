/**
 * I/O completion ports: CreateIoCompletionPort, PostQueuedCompletionStatus,
 * GetQueuedCompletionStatus (and its async twin). A port is process-wide
 * (docs/process-wide-handles.md §6): its FIFO of packets, its concurrency count and its waiters live
 * in the shared region (shared/objects.ts), so any JS thread may post to it or wait on it, each
 * waiter takes different packets, and a post rings one waiting thread (the most recent, as Windows
 * releases them). A socket associated with it (sockets are still per thread) gets one packet per
 * completed overlapped operation whose hEvent does not have its low bit set.
 *
 * NumberOfConcurrentThreads (0: the number of processors) is honoured as Windows states it: a
 * thread that took a packet counts as running on the port until it calls GetQueuedCompletionStatus
 * again (or ends), except while it blocks in any other wait (loop/wait.ts); while as many threads
 * run as the value allows, waiters are not given packets.
 * One JS thread is one thread here, whatever number of async waits it has in flight.
 *
 * A packet's lpOverlapped comes back as the very object to the thread that queued it; another
 * thread gets a stand-in WSAOVERLAPPED with the fields it had when queued and its numeric
 * `context` (an object cannot cross JS threads; docs/process-wide-handles.md §7), and the
 * original's overlappedId (overlapped-id.ts), which links the two.
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
import { availableParallelism } from 'node:os';
import { INVALID_HANDLE_VALUE } from '../../../winsock/constants.js';
import { WSAOVERLAPPED, type HANDLE, type Ref } from '../../../winsock/types.js';
import { register, unregister, lookup, type HandleObject } from './handles.js';
import { lookupSocket } from './socket-state.js';
import { setLastError } from './last-error.js';
import type { LinuxSocket } from './socket-state.js';
import { kick, waitAsync } from '../loop/scheduler.js';
import { waitSync, type WaitSpec } from '../loop/wait.js';
import { arm, disarm } from '../loop/doorbell.js';
import { isWritableRef } from '../../../winsock/arguments.js';
import { region, type Region } from '../shared/region.js';
import {
  closePortRecord, enterWait, leaveOtherPort, leaveWait, newPort as newPortRecord, portClosed, postPacket, recordGeneration, takePacket,
  type PacketData, type RecordRef,
} from '../shared/objects.js';
import { myGenerationNow, mySlot, postRelease, takeReleases } from '../shared/threads.js';
import { giveId, idOf } from './overlapped-id.js';

/** This thread's handle on a shared port record (the creator's object, or a stand-in in another thread). */
export class CompletionPort implements HandleObject, RecordRef {
  readonly kind = 'port' as const;
  handle = 0;
  constructor(
    readonly r: Region,
    readonly record: number,
    readonly generation: number,
  ) {}

  get closed(): boolean {
    return portClosed(this.r, this);
  }

  stale(): boolean {
    return this.closed;
  }
}

/** This thread's stand-in for another thread's port (handles.ts asks, once per handle). */
export function adoptPort(handle: number, record: number): CompletionPort | undefined {
  const r = region();
  if (r === null) return undefined;
  const port = new CompletionPort(r, record, recordGeneration(r, record));
  port.handle = handle;
  return port.closed ? undefined : port;
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

// ---- overlapped objects named by queued packets -------------------------------------------------------

/**
 * This thread's overlapped objects that a queued packet names, by local id (kept alive until
 * dequeued): an array with a free list, not a Map (a Map that empties at each take re-allocates its
 * table). An id is reused only after its packet was dequeued here, or its release came back from
 * the thread that dequeued it, so a late release never names a newer object.
 */
const exported: (WSAOVERLAPPED | null)[] = [null];
const freeIds: number[] = [];
/** Objects in `exported`: none, and no release can be pending for this thread (its ring is not looked at). */
let exportedCount = 0;

function exportOverlapped(ov: WSAOVERLAPPED): number {
  exportedCount++;
  const id = freeIds.pop();
  if (id !== undefined) {
    exported[id] = ov;
    return id;
  }
  exported.push(ov);
  return exported.length - 1;
}

function forgetOverlapped(id: number): WSAOVERLAPPED | null {
  const ov = exported[id];
  if (ov === undefined || ov === null) return null;
  exported[id] = null;
  freeIds.push(id);
  exportedCount--;
  return ov;
}

const dword = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value >>> 0 : 0);

/** The packet being posted (one object, filled per post). */
const outgoing: PacketData = {
  bytes: 0, status: 0, key: 0, overlappedKind: 0, ownerSlot: 0, ownerGeneration: 0, localId: 0, internal: 0, internalHigh: 0, offset: 0, offsetHigh: 0, hEvent: 0, context: NaN, overlappedId: 0,
};

function fillOutgoing(slot: number, bytes: number, key: number, ov: WSAOVERLAPPED | null, status: number): void {
  const data = outgoing;
  data.bytes = bytes >>> 0;
  data.status = status >>> 0;
  data.key = key;
  data.ownerSlot = slot;
  data.ownerGeneration = myGenerationNow();
  data.overlappedKind = 0;
  data.localId = 0;
  data.internal = 0;
  data.internalHigh = 0;
  data.offset = 0;
  data.offsetHigh = 0;
  data.hEvent = 0;
  data.context = NaN;
  data.overlappedId = 0;
  if (ov === null || typeof ov !== 'object') return;
  data.overlappedKind = 1;
  data.localId = exportOverlapped(ov);
  data.overlappedId = idOf(ov);
  try {
    data.internal = dword(ov.Internal);
    data.internalHigh = dword(ov.InternalHigh);
    data.offset = dword(ov.Offset);
    data.offsetHigh = dword(ov.OffsetHigh);
    data.hEvent = typeof ov.hEvent === 'number' ? ov.hEvent | 0 : 0;
    data.context = typeof ov.context === 'number' ? ov.context : NaN;
  } catch {
    // a throwing getter: the stand-in gets zeros
  }
}

/** The overlapped a dequeued packet stands for in this thread: the object itself, or a stand-in. */
function overlappedOf(r: Region, data: PacketData): WSAOVERLAPPED | null {
  if (data.overlappedKind === 0) return null;
  if (data.ownerSlot === mySlot() && data.ownerGeneration === myGenerationNow()) {
    const own = forgetOverlapped(data.localId);
    if (own !== null) return own;
  } else {
    postRelease(r, data.ownerSlot, data.ownerGeneration, data.localId);
  }
  const standIn = new WSAOVERLAPPED(data.hEvent);
  standIn.Internal = data.internal;
  standIn.InternalHigh = data.internalHigh;
  standIn.Offset = data.offset;
  standIn.OffsetHigh = data.offsetHigh;
  if (!Number.isNaN(data.context)) standIn.context = data.context;
  giveId(standIn, data.overlappedId);
  return standIn;
}

const forgetReleased = (id: number): void => {
  forgetOverlapped(id);
};

/** Forget the objects other threads dequeued the packets of. */
function dropReleased(): void {
  if (exportedCount > 0) takeReleases(forgetReleased);
}

/** Queue a completion packet on the port (false: closed, or no memory); `ov` comes back to whoever dequeues it. */
export function queuePacket(port: CompletionPort, bytes: number, key: number, ov: WSAOVERLAPPED | null, status: number): boolean {
  const slot = mySlot();
  if (slot < 0) return false;
  dropReleased();
  fillOutgoing(slot, bytes, key, ov, status);
  if (!postPacket(port.r, port, outgoing)) {
    if (outgoing.overlappedKind === 1) forgetOverlapped(outgoing.localId);
    return false;
  }
  kick();
  return true;
}

export function closePort(port: CompletionPort): void {
  unregister(port.handle);
  closePortRecord(port.r, port, (data) => {
    // The queued packets go: so do the objects they kept alive here, and elsewhere.
    if (data.overlappedKind !== 1) return;
    if (data.ownerSlot === mySlot() && data.ownerGeneration === myGenerationNow()) forgetOverlapped(data.localId);
    else postRelease(port.r, data.ownerSlot, data.ownerGeneration, data.localId);
  });
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
    const requested = typeof threads === 'number' ? threads >>> 0 : 0;
    // 0: as many running threads as there are processors (CreateIoCompletionPort reference page).
    const concurrency = Math.min(requested === 0 ? availableParallelism() : requested, 0x7fffffff);
    const r = region();
    const ref = r === null ? null : newPortRecord(r, concurrency);
    if (r === null || ref === null) throw new RangeError('no port record');
    try {
      return register(new CompletionPort(r, ref.record, ref.generation), ref.record).handle;
    } catch (error) {
      closePortRecord(r, ref, () => {});
      throw error;
    }
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
  const queued = queuePacket(port, Number(dwNumberOfBytesTransferred) >>> 0, asKey(dwCompletionKey), lpOverlapped ?? null, STATUS_SUCCESS);
  if (!queued) {
    // Closed meanwhile by another thread, or no memory for the packet.
    setLastError(port.closed ? ERROR_INVALID_HANDLE : ERROR_NOT_ENOUGH_MEMORY);
    return false;
  }
  return true;
}

type GqcsArgs = [
  port: HANDLE,
  bytes: Ref<number> | null,
  key: Ref<number> | null,
  overlapped: Ref<WSAOVERLAPPED | null> | null,
  timeoutMs: number,
];

const TIMEOUT = Symbol('timeout');

/** One GetQueuedCompletionStatus wait (a class, so a call builds one object and no closures). */
class GqcsWait implements WaitSpec<boolean | typeof TIMEOUT> {
  readonly onTimeout: typeof TIMEOUT = TIMEOUT;
  /** Between arm and disarm: this wait may block, so its looks register this thread as a waiter. */
  private armed = false;
  constructor(
    public port: CompletionPort,
    public slot: number,
    public bytes: Ref<number>,
    public key: Ref<number>,
    public overlapped: Ref<WSAOVERLAPPED | null>,
    public timeoutMs: number,
  ) {}

  arm(): void {
    arm();
    enterWait(this.port.r, this.port);
    this.armed = true;
  }

  disarm(): void {
    this.armed = false;
    disarm();
    leaveWait(this.port.r, this.port);
  }

  ready(): boolean | undefined {
    const r = this.port.r;
    const taken = this.slot < 0 ? 'closed' : takePacket(r, this.port, this.armed);
    // The port was closed while this wait was in progress: Windows ends it with
    // ERROR_ABANDONED_WAIT_0 and *lpOverlapped NULL.
    if (taken === 'closed') {
      this.overlapped.value = null;
      setLastError(ERROR_ABANDONED_WAIT_0);
      return false;
    }
    if (taken === null) return undefined;
    this.bytes.value = taken.bytes;
    this.key.value = taken.key;
    const status = taken.status;
    this.overlapped.value = overlappedOf(r, taken);
    if (ntSuccess(status)) return true;
    setLastError(ntStatusToWin32Error(status));
    return false;
  }
}

/**
 * The synchronous form's wait object, reused: a synchronous wait runs no caller code before it
 * ends (no alerts), so two never overlap; `syncBusy` guards it anyway.
 */
let syncWait: GqcsWait | null = null;
let syncBusy = false;

/** Checks shared by the sync and async forms: the wait, or null with the last error set. */
function gqcsSetup(
  handle: HANDLE,
  bytes: Ref<number> | null,
  key: Ref<number> | null,
  overlapped: Ref<WSAOVERLAPPED | null> | null,
  timeoutMs: number,
  sync: boolean,
): GqcsWait | null {
  const port = portFor(handle);
  if (!port) {
    setLastError(ERROR_INVALID_HANDLE);
    return null;
  }
  // NULL (or unwritable) out-parameters are an access violation in C; here they are a parameter
  // error, found before a packet is taken off the port.
  if (!isWritableRef(bytes) || !isWritableRef(key) || !isWritableRef(overlapped)) {
    setLastError(ERROR_INVALID_PARAMETER);
    return null;
  }
  dropReleased();
  // A thread is associated with one port at a time: waiting on this one leaves any other.
  leaveOtherPort(port.r, port);
  const ms = Number(timeoutMs) >>> 0;
  if (!sync || syncBusy || syncWait === null) {
    const wait = new GqcsWait(port, mySlot(), bytes, key, overlapped, ms);
    if (sync && !syncBusy) syncWait = wait;
    return wait;
  }
  const wait = syncWait;
  wait.port = port;
  wait.slot = mySlot();
  wait.bytes = bytes;
  wait.key = key;
  wait.overlapped = overlapped;
  wait.timeoutMs = ms;
  return wait;
}



function afterWait(result: boolean | typeof TIMEOUT, overlapped: Ref<WSAOVERLAPPED | null>): boolean {
  if (result !== TIMEOUT) return result;
  overlapped.value = null;
  setLastError(WAIT_TIMEOUT);
  return false;
}

export function GetQueuedCompletionStatus(...[handle, bytes, key, overlapped, timeoutMs]: GqcsArgs): boolean {
  const wait = gqcsSetup(handle, bytes, key, overlapped, timeoutMs, true);
  if (wait === null) return false;
  const nested = syncBusy;
  syncBusy = true;
  try {
    return afterWait(waitSync<boolean | typeof TIMEOUT>(wait), overlapped!);
  } finally {
    syncBusy = nested;
  }
}

export async function GetQueuedCompletionStatusAsync(...args: GqcsArgs): Promise<boolean> {
  const wait = gqcsSetup(args[0], args[1], args[2], args[3], args[4], false);
  if (wait === null) return false;
  return afterWait(await waitAsync<boolean | typeof TIMEOUT>(wait), args[3]!);
}
