/**
 * The process-wide region: native memory every JS thread of the process (main thread and Workers)
 * reaches directly, holding the state Windows keeps per process (docs/process-wide-handles.md §2).
 *
 * Discovery: the first thread that needs it calloc()s a candidate and publishes its address with
 * libc `setenv(NAME, address, 0)`, then reads the winner back with `getenv`. glibc tests and sets
 * under its environment lock, so exactly one candidate wins whatever the timing (spike S1); the
 * others are freed. process.env is not used: in a Worker it is a per-thread copy. The pid in the
 * name keeps a child process (which inherits the environment) off the parent's address; the
 * layout version keeps two different layouts apart.
 *
 * Access: `koffi.view` over the address gives an ArrayBuffer (not a SharedArrayBuffer: no
 * Atomics.wait on it), over which V8's Atomics are atomic across Workers (spike S2). The region
 * and its chunks are never freed; large calloc()s are mmap()ed, so untouched pages cost nothing.
 */
import koffi from 'koffi';
import { callocAt, freeAt, getenv, getpid, setenv } from '../host/libc.js';

export const LAYOUT_VERSION = 3;
export const MAX_THREADS = 256;
export const MAX_RECORDS = 4096;
export const HANDLE_BITS = 18;
export const HANDLE_SLOTS = 1 << HANDLE_BITS;
export const RELEASE_RING = 256;
/**
 * Packets per chunk (80 bytes each: 64, then the overlapped's process-wide id, added in layout 3)
 * and chunks at most: about 2 million packets queued at once.
 */
export const PACKETS_PER_CHUNK = 1024;
export const PACKET_BYTES = 80;
export const MAX_PACKET_CHUNKS = 2048;

// Byte offsets of the parts (all 64-byte aligned).
const HEADER = 0;
const CHUNK_DIRECTORY = 1024;
export const THREADS = 32768;
export const THREAD_BYTES = 64;
export const RELEASES = THREADS + MAX_THREADS * THREAD_BYTES;
export const RECORDS = RELEASES + MAX_THREADS * RELEASE_RING * 4;
export const RECORD_BYTES = 96;
export const HANDLES = RECORDS + MAX_RECORDS * RECORD_BYTES;
export const HANDLE_BYTES = 16;
export const REGION_BYTES = HANDLES + HANDLE_SLOTS * HANDLE_BYTES;

/** Header words (Int32 indexes). */
export const H = {
  counter: (HEADER >> 2) + 0,
  exiting: (HEADER >> 2) + 1,
  waitSequence: (HEADER >> 2) + 2,
  recordHint: (HEADER >> 2) + 3,
  packetLock: (HEADER >> 2) + 4,
  packetFree: (HEADER >> 2) + 5,
  packetChunks: (HEADER >> 2) + 6,
  // Words 7 and 8 are threads.ts's (live threads, slots used).
  /** Blocks of overlapped ids handed out (win32/overlapped-id.ts; layout 3). */
  overlappedIdBlocks: (HEADER >> 2) + 9,
} as const;

export interface Region {
  readonly address: number;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly big: BigInt64Array;
}

let mine: Region | null | undefined;

/** The region, found or made on first use; null if it cannot be made (no memory). */
export function region(): Region | null {
  if (mine !== undefined) return mine;
  mine = null;
  try {
    const address = findOrCreate();
    if (address === 0) return null;
    const buffer = koffi.view(address, REGION_BYTES);
    mine = { address, i32: new Int32Array(buffer), f64: new Float64Array(buffer), big: new BigInt64Array(buffer) };
  } catch {
    mine = null;
  }
  return mine;
}

/** The region if this thread has used it already (null otherwise: nothing is made). */
export function regionIfUsed(): Region | null {
  return mine ?? null;
}

/** The region if any thread of the process made it (null otherwise: nothing is made). */
export function regionIfMade(): Region | null {
  if (mine !== undefined) return mine;
  try {
    return getenv(variableName()) === null ? null : region();
  } catch {
    return null;
  }
}

const variableName = (): string => `WSAIOCTL_REGION_${LAYOUT_VERSION}_${getpid()}`;

function findOrCreate(): number {
  const name = variableName();
  const found = getenv(name);
  if (found !== null) return Number(found);
  const candidate = callocAt(1, REGION_BYTES);
  if (!candidate) return 0;
  const text = String(candidate);
  setenv(name, text, 0);
  const winner = getenv(name);
  if (winner !== text) freeAt(candidate);
  return winner === null ? 0 : Number(winner);
}

// ---- packet chunks -------------------------------------------------------------------------------

/** This thread's views of the packet chunks, made on first touch (a view costs ~2 µs: spike S2). */
const chunkI32: Int32Array[] = [];
const chunkF64: Float64Array[] = [];

/** A chunk's address (0: not made yet). */
function chunkAddress(r: Region, chunk: number): number {
  return Number(Atomics.load(r.big, (CHUNK_DIRECTORY >> 3) + chunk));
}

function viewChunk(r: Region, chunk: number): boolean {
  if (chunkI32[chunk] !== undefined) return true;
  const address = chunkAddress(r, chunk);
  if (address === 0) return false;
  const buffer = koffi.view(address, PACKETS_PER_CHUNK * PACKET_BYTES);
  chunkI32[chunk] = new Int32Array(buffer);
  chunkF64[chunk] = new Float64Array(buffer);
  return true;
}

/**
 * The packet located by the last `locatePacket` (module variables, not a fresh object per call:
 * a post and a take each locate one or two packets).
 */
export let packetI32: Int32Array = new Int32Array(0);
export let packetF64: Float64Array = new Float64Array(0);
/** Int32 index of the located packet's first word in packetI32 (half of it in packetF64). */
export let packetAt = 0;

/** Locate packet `index` (packetI32 / packetF64 / packetAt); false when its chunk does not exist. */
export function locatePacket(r: Region, index: number): boolean {
  const chunk = (index / PACKETS_PER_CHUNK) | 0;
  if (chunkI32[chunk] === undefined && !viewChunk(r, chunk)) return false;
  packetI32 = chunkI32[chunk]!;
  packetF64 = chunkF64[chunk]!;
  packetAt = (index % PACKETS_PER_CHUNK) * (PACKET_BYTES >> 2);
  return true;
}

/**
 * Add one chunk of packets (the caller holds the packet lock): its packets are linked into the
 * free list. False when the directory is full or memory is short.
 */
export function growPackets(r: Region): boolean {
  const chunk = Atomics.load(r.i32, H.packetChunks);
  if (chunk >= MAX_PACKET_CHUNKS) return false;
  const address = callocAt(PACKETS_PER_CHUNK, PACKET_BYTES);
  if (!address) return false;
  Atomics.store(r.big, (CHUNK_DIRECTORY >> 3) + chunk, BigInt(address));
  Atomics.store(r.i32, H.packetChunks, chunk + 1);
  if (!viewChunk(r, chunk)) return false;
  const words = chunkI32[chunk]!;
  const first = chunk * PACKETS_PER_CHUNK;
  // Link in reverse so the lowest index is handed out first; `next` holds index + 1 (0: end).
  let head = Atomics.load(r.i32, H.packetFree);
  for (let i = PACKETS_PER_CHUNK - 1; i >= 0; i--) {
    Atomics.store(words, i * (PACKET_BYTES >> 2), head);
    head = first + i + 1;
  }
  Atomics.store(r.i32, H.packetFree, head);
  return true;
}
