/**
 * The native side of overlapped calls on the Windows backend: the OVERLAPPED and buffers Windows
 * keeps using after WSAIoctl returns, and how a completion finds its way back to the caller's
 * WSAOVERLAPPED object.
 *
 * Memory. Windows writes an overlapped call's OVERLAPPED (its IO_STATUS_BLOCK: Internal, then
 * InternalHigh), its output buffer and its byte count whenever the operation completes, long
 * after the call returned. JS arrays cannot be handed over for that: koffi passes a typed array's
 * bytes only for the duration of a call (a small Uint8Array even lives inside the V8 heap, which
 * moves it). So every overlapped call gets native memory from `koffi.alloc` (stable, never moved,
 * freed only by us):
 * - one 40-byte block per WSAOVERLAPPED in use: the 32-byte x64 OVERLAPPED, then the DWORD that
 *   receives *lpcbBytesReturned;
 * - one block per operation for a copy of the input and one for the output (the caller's output
 *   bytes are copied in first, and the whole [0, cbOutBuffer) is copied back when the operation is
 *   seen complete, so bytes Windows did not write stay as they were).
 *
 * Completion. Windows marks completion by writing Internal (anything but STATUS_PENDING), then
 * signals hEvent, queues the completion packet or the completion routine. We see it when we look:
 * `reap()` runs after every wait, result call, port dequeue, cancellation and at every async poll,
 * and for each completed operation mirrors Internal / InternalHigh / hEvent into the caller's
 * object and copies the output back.
 *
 * The native OVERLAPPED starts as a copy of the caller's fields, as the caller's own memory would
 * in C, except Internal, which starts as 2^64-1: a value Windows never writes (an NTSTATUS is 32
 * bits). So after the call we know whether Windows wrote it: ws2_32 itself stores STATUS_PENDING
 * there before it asks the kernel (Wine's sock.c sees this on Windows even for a call that then
 * fails at once), the completion stores the final status. Unwritten, the caller's Internal is left
 * as it was. A call that pends without having written Internal (Wine does not always) gets
 * STATUS_PENDING by an atomic compare-and-swap, which loses against a completion that came first;
 * from then on "Internal is not STATUS_PENDING" means complete, as HasOverlappedIoCompleted says.
 *
 * Lifetime. A block is freed only when nothing can still use or return its address: the operation
 * is seen complete, its completion routine has run, and every completion packet carrying the
 * address has been dequeued (or its port closed). Until then the address maps back to the
 * caller's object: GetQueuedCompletionStatus and completion routines receive the native address,
 * and the caller gets their own WSAOVERLAPPED.
 *
 * Completion routines. One koffi registered callback (type CompletionRoutine) is the native
 * routine of every overlapped call that has a JS routine; Windows runs it as a user APC inside an
 * alertable wait of the issuing thread (SleepEx, WSAWaitForMultipleEvents with fAlertable, ...),
 * and it calls the JS routine of the operation with the caller's WSAOVERLAPPED. It is registered
 * while at least one routine is expected and unregistered once none is (never from inside itself).
 *
 * Each JS thread (main thread or Worker) has its own module instance: its own blocks, its own
 * callback, and APCs only ever come to the thread that issued the call.
 */
import koffi from 'koffi';
import { STATUS_PENDING } from '../../errors/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, WSAOVERLAPPED } from '../../winsock/types.js';
import { writeIoStatus } from '../../winsock/delivery.js';
import { CompletionRoutine } from './ws2_32.js';

/** sizeof(OVERLAPPED) on x64. */
export const OVERLAPPED_SIZE = 32;
const CELL_OFFSET = OVERLAPPED_SIZE;
const BLOCK_SIZE = OVERLAPPED_SIZE + 8;
/** Internal before a call: no NTSTATUS fills 64 bits, so any other value was written by Windows. */
const UNWRITTEN = 0xffffffffffffffffn;
const PENDING = BigInt(STATUS_PENDING);

/** A block of native memory and a byte view of it (dropped when the block is freed). */
export interface Memory {
  readonly address: bigint;
  readonly bytes: Uint8Array;
}

/** `size` bytes of stable native memory (at least one, so the address is never NULL). */
export function allocate(size: number): Memory {
  const length = Math.max(1, size);
  const address = koffi.alloc('uint8_t', length) as bigint;
  return { address, bytes: new Uint8Array(koffi.view(address, length)) };
}

export function release(memory: Memory | null): void {
  if (memory !== null) koffi.free(memory.address);
}

/** A caller's value as a number, never throwing (a Symbol, an object without a number: NaN). */
function numberOf(value: unknown): number {
  try {
    return Number(value);
  } catch {
    return NaN;
  }
}

/** A caller's number as the 64 bits of a ULONG_PTR / HANDLE field (NaN and the like: 0). */
export function toU64(value: unknown): bigint {
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  const n = numberOf(value);
  return Number.isFinite(n) ? BigInt.asUintN(64, BigInt(Math.trunc(n))) : 0n;
}

/** A 64-bit value back as a JS number: as unsigned when it fits, else as signed (handles like -1). */
export function fromU64(value: bigint): number {
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  const signed = BigInt.asIntN(64, value);
  return signed >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : Number(value);
}

function writeFields(view: DataView, ov: WSAOVERLAPPED, forCall: boolean): void {
  view.setBigUint64(0, forCall ? UNWRITTEN : toU64(ov.Internal), true);
  view.setBigUint64(8, toU64(ov.InternalHigh), true);
  view.setUint32(16, numberOf(ov.Offset) >>> 0, true);
  view.setUint32(20, numberOf(ov.OffsetHigh) >>> 0, true);
  view.setBigUint64(24, toU64(ov.hEvent), true);
}

/**
 * A throw-away native OVERLAPPED holding the object's fields, for a call that reads it and keeps
 * nothing (WSAGetOverlappedResult, CancelIoEx on an object with no operation of ours in flight).
 * The caller frees it with release().
 */
export function scratchCopy(ov: WSAOVERLAPPED): Memory {
  const memory = allocate(OVERLAPPED_SIZE);
  writeFields(new DataView(memory.bytes.buffer, memory.bytes.byteOffset, OVERLAPPED_SIZE), ov, false);
  return memory;
}

/** What an operation holds until it is seen complete. */
export interface Operation {
  readonly input: Memory | null;
  readonly output: Memory | null;
  /** The caller's output array and how many bytes of it the call covers. */
  readonly caller: Uint8Array | null;
  readonly size: number;
  /** Run on the caller's output after the copy back (pointers into native memory rebased). */
  readonly relocate: (() => void) | null;
  /**
   * Run when an operation Windows started is over, before its memory is released, with the final
   * NTSTATUS (Internal) and information (InternalHigh, the bytes): the data path copies received
   * bytes into the caller's buffers here.
   */
  readonly completed: ((status: number, information: number) => void) | null;
  /** The event Windows signals when the operation completes (winsock/delivery.ts); 0n for none. */
  readonly event: bigint;
}

/** The native OVERLAPPED behind a caller's WSAOVERLAPPED. */
export class NativeOverlapped {
  readonly address: bigint;
  private readonly view: DataView;
  /** Internal as a 64-bit word, for the atomic compare-and-swap. */
  private readonly words: BigUint64Array;
  /** The operation in flight (null once it is seen complete). */
  op: Operation | null = null;
  /** JS routines Windows will call back with this address, oldest first. */
  readonly routines: LPWSAOVERLAPPED_COMPLETION_ROUTINE[] = [];
  /** Completion packets that will carry this address, per port handle. */
  readonly packets = new Map<number, number>();
  freed = false;

  constructor(readonly ov: WSAOVERLAPPED) {
    const memory = allocate(BLOCK_SIZE);
    this.address = memory.address;
    this.view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, BLOCK_SIZE);
    this.words = new BigUint64Array(memory.bytes.buffer, memory.bytes.byteOffset, 1);
  }

  /** The caller's fields; for a call, Internal preset to UNWRITTEN (see the header). */
  load(forCall: boolean): void {
    writeFields(this.view, this.ov, forCall);
  }

  /** Whether Windows wrote Internal since load(true). */
  written(): boolean {
    return Atomics.load(this.words, 0) !== UNWRITTEN;
  }

  /** The call pended: Internal becomes STATUS_PENDING unless Windows wrote it already. */
  markPending(): void {
    Atomics.compareExchange(this.words, 0, UNWRITTEN, PENDING);
  }

  /** Still in flight: Internal is STATUS_PENDING (or not written yet). */
  pending(): boolean {
    const internal = Atomics.load(this.words, 0);
    return internal === UNWRITTEN || (internal & 0xffffffffn) === PENDING;
  }

  /** Internal (when written), InternalHigh and hEvent into the caller's object, if it is still ours. */
  mirror(): void {
    if (current.get(this.ov) !== this) return;
    const { ov, view } = this;
    try {
      const information = fromU64(view.getBigUint64(8, true));
      if (this.written()) writeIoStatus(ov, view.getUint32(0, true), information);
      else ov.InternalHigh = information;
      ov.hEvent = fromU64(this.hEvent);
    } catch {
      // A frozen or otherwise read-only object: C memory cannot refuse a write, but this can.
    }
  }

  /** Internal's NTSTATUS (the low 32 bits). */
  get status(): number {
    return this.view.getUint32(0, true);
  }

  /** InternalHigh as Windows left it (the bytes transferred). */
  get information(): number {
    return fromU64(this.view.getBigUint64(8, true));
  }

  /** hEvent as Windows reads it from this OVERLAPPED. */
  get hEvent(): bigint {
    return this.view.getBigUint64(24, true);
  }

  get cellAddress(): bigint {
    return this.address + BigInt(CELL_OFFSET);
  }

  get cell(): number {
    return this.view.getUint32(CELL_OFFSET, true);
  }

  set cell(value: number) {
    this.view.setUint32(CELL_OFFSET, value >>> 0, true);
  }

  busy(): boolean {
    return this.op !== null || this.routines.length > 0 || this.packets.size > 0;
  }
}

/** The native block each caller object currently uses. */
const current = new WeakMap<WSAOVERLAPPED, NativeOverlapped>();
const byAddress = new Map<bigint, NativeOverlapped>();
const inFlight = new Set<NativeOverlapped>();

/**
 * The block for a new operation with `ov`: its current one, unless that one still has an operation
 * in flight (reusing a WSAOVERLAPPED before completion is a bug in C; here each operation keeps its
 * own memory, and only the newest one reports to the object).
 */
export function blockForCall(ov: WSAOVERLAPPED): NativeOverlapped {
  reap();
  const existing = current.get(ov);
  if (existing && !existing.freed && existing.op === null) return existing;
  return track(new NativeOverlapped(ov));
}

/** The block to name `ov` with in a completion packet (any current block, even one in flight). */
export function blockForPacket(ov: WSAOVERLAPPED): NativeOverlapped {
  const existing = current.get(ov);
  if (existing && !existing.freed) return existing;
  const block = track(new NativeOverlapped(ov));
  block.load(false);
  return block;
}

/** The address of `ov`'s operation in flight, if it has one (CancelIoEx, WSAGetOverlappedResult). */
export function inFlightBlock(ov: WSAOVERLAPPED): NativeOverlapped | undefined {
  const block = current.get(ov);
  return block && block.op !== null ? block : undefined;
}

function track(block: NativeOverlapped): NativeOverlapped {
  current.set(block.ov, block);
  byAddress.set(block.address, block);
  return block;
}

/** Frees a block nothing can still use or return. */
export function releaseIfIdle(block: NativeOverlapped): void {
  if (block.freed || block.busy()) return;
  block.freed = true;
  byAddress.delete(block.address);
  if (current.get(block.ov) === block) current.delete(block.ov);
  koffi.free(block.address);
}

/** The operation is in flight: it keeps its memory until reap() sees it complete. */
export function begin(block: NativeOverlapped, op: Operation): void {
  block.op = op;
  inFlight.add(block);
}

/** The operation is over (now or seen later): mirror, copy the output back, free its buffers. */
export function finish(block: NativeOverlapped, op: Operation, mirror: boolean): void {
  if (block.op === op) {
    block.op = null;
    inFlight.delete(block);
  }
  if (mirror) block.mirror();
  try {
    if (op.caller !== null && op.output !== null) {
      op.caller.set(op.output.bytes.subarray(0, op.size));
      op.relocate?.();
    }
    if (mirror) op.completed?.(block.status, block.information);
  } catch {
    // The caller's array was detached (transferred) meanwhile: nothing to copy into.
  }
  release(op.input);
  release(op.output);
  releaseIfIdle(block);
}

/** Every operation in flight whose Internal says it is done is finished. Cheap: one read each. */
export function reap(): void {
  for (const block of [...inFlight]) {
    if (!block.pending() && block.op !== null) finish(block, block.op, true);
  }
}

/** What this thread holds (for tests and leak checks). */
export function nativeStats(): { blocks: number; inFlight: number; routinesExpected: number; callbackRegistered: boolean } {
  return { blocks: byAddress.size, inFlight: inFlight.size, routinesExpected, callbackRegistered: trampoline !== null };
}

/** True while something can still complete or be delivered (the async poller's keep-alive). */
export function hasWork(): boolean {
  return inFlight.size > 0 || routinesExpected > 0;
}

// ---- completion packets ------------------------------------------------------------------------

export function expectPacket(block: NativeOverlapped, port: number): void {
  block.packets.set(port, (block.packets.get(port) ?? 0) + 1);
}

/**
 * The caller's object for the OVERLAPPED address a packet dequeued from `port` carries, or null for
 * an address this thread does not know (another thread's, or NULL).
 */
export function packetDequeued(address: bigint, port: number): WSAOVERLAPPED | null {
  const block = byAddress.get(address);
  if (!block) return null;
  // A port can be named by more than one handle value; count the packet against the one used, else any.
  const key = block.packets.has(port) ? port : block.packets.keys().next().value;
  if (key !== undefined) {
    const left = block.packets.get(key)! - 1;
    if (left > 0) block.packets.set(key, left);
    else block.packets.delete(key);
  }
  const ov = block.ov;
  releaseIfIdle(block);
  return ov;
}

/**
 * Dequeues running on a pool thread (GetQueuedCompletionStatusAsync). A packet one of them takes
 * is mapped back to its block only later, on this thread: a block a closed port lets go is freed
 * only after every dequeue in flight at the close has been mapped, so that its address cannot be
 * reused by a new block meanwhile.
 */
let nextDequeue = 0;
const dequeues = new Set<number>();
const releaseAfter = new Map<NativeOverlapped, Set<number>>();

/** A pool dequeue starts; pass the id to endPoolDequeue. */
export function beginPoolDequeue(): number {
  const id = nextDequeue++;
  dequeues.add(id);
  return id;
}

/** Call after the packet the dequeue took (if any) was mapped with packetDequeued. */
export function endPoolDequeue(id: number): void {
  dequeues.delete(id);
  for (const [block, waitingFor] of [...releaseAfter]) {
    waitingFor.delete(id);
    if (waitingFor.size > 0) continue;
    releaseAfter.delete(block);
    releaseIfIdle(block);
  }
}

/** A port was closed: its packets will never be dequeued. */
export function forgetPort(port: number): void {
  for (const block of [...byAddress.values()]) {
    if (!block.packets.delete(port)) continue;
    if (dequeues.size === 0) releaseIfIdle(block);
    else releaseAfter.set(block, new Set([...(releaseAfter.get(block) ?? []), ...dequeues]));
  }
}

// ---- completion routines -----------------------------------------------------------------------

let trampoline: bigint | null = null;
let routinesExpected = 0;
let depth = 0;

/** The native routine to pass for a call with a JS routine (registered on first use). */
export function routinePointer(): bigint {
  trampoline ??= koffi.register(onCompletion, CompletionRoutine);
  return trampoline;
}

/**
 * Windows may call the routine of an operation issued with `block`: registered before the call, so
 * that even a delivery during the call finds it.
 */
export function expectRoutine(block: NativeOverlapped, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE): void {
  block.routines.push(routine);
  routinesExpected++;
}

/** The call did not start an operation after all: its routine will never be called. */
export function dropRoutine(block: NativeOverlapped, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE): void {
  const index = block.routines.lastIndexOf(routine);
  if (index < 0) return;
  block.routines.splice(index, 1);
  routinesExpected--;
}

/** Unregisters the callback when no routine is expected and it is not running. */
export function releaseIdleRoutine(): void {
  if (trampoline !== null && routinesExpected === 0 && depth === 0) {
    koffi.unregister(trampoline);
    trampoline = null;
  }
}

function addressOf(pointer: unknown): bigint {
  if (typeof pointer === 'bigint') return pointer;
  if (typeof pointer === 'number') return BigInt(pointer);
  return 0n;
}

/** The registered callback: Windows runs it in an alertable wait of this thread. */
function onCompletion(dwError: number, cbTransferred: number, lpOverlapped: unknown, dwFlags: number): void {
  const block = byAddress.get(addressOf(lpOverlapped));
  const routine = block?.routines.shift();
  if (!block || !routine) return;
  routinesExpected--;
  depth++;
  try {
    // Windows wrote the status before queueing the routine: the output is final.
    if (block.op !== null && !block.pending()) finish(block, block.op, true);
    try {
      routine(dwError >>> 0, cbTransferred >>> 0, block.ov, dwFlags >>> 0);
    } catch (error) {
      // As on Linux: a throwing routine is an uncaught exception on a later turn, never an
      // exception out of the Winsock call that ran it (nor into Windows' APC dispatcher).
      queueMicrotask(() => {
        throw error;
      });
    }
  } finally {
    depth--;
    releaseIfIdle(block);
    queueMicrotask(releaseIdleRoutine);
  }
}
