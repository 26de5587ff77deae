/**
 * overlappedId on Linux (not a Winsock function; WinsockCore.overlappedId): one process-wide
 * number for a WSAOVERLAPPED, the same for the object and for every stand-in another thread's
 * GetQueuedCompletionStatus made from it (docs/process-wide-handles.md §7). A program keys its
 * per-operation context by it: the JS form of CONTAINING_RECORD, since an object cannot cross
 * JS threads.
 *
 * An object gets its id the first time it is asked for, or named by a queued packet, and keeps it
 * for its life (in the object itself, see IdField below). A packet carries the id (ports.ts); a stand-in is given the packet's, and passes it
 * on if it is posted again. Ids come in blocks of 2^20 that a thread takes from a counter in the
 * shared region (one Atomics.add per block), so no two threads hand out the same one: 2^32 blocks
 * of 2^20 stay below 2^52, exact as JS numbers, and 0 (NULL) is never an id.
 */
import { ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY } from '../../../errors/index.js';
import type { WSAOVERLAPPED } from '../../../winsock/types.js';
import { H, region } from '../shared/region.js';
import { setLastError } from './last-error.js';

const BLOCK = 2 ** 20;

/** A constructor that returns the object it is given, so that a subclass's field lands on that object. */
class OnObject {
  constructor(target: object) {
    return target as OnObject;
  }
}

/**
 * Where an object keeps its id: a private field added to the object itself. Nothing sees it (no
 * key, not copied by spread, not compared by deepStrictEqual, not shown by inspect), and adding it
 * costs about 10 ns (a WeakMap entry per fresh object cost about 750 ns, a non-enumerable symbol
 * property about 160 ns: measured). An object that takes no field gets a WeakMap entry instead.
 */
class IdField extends OnObject {
  #id: number;
  private constructor(target: object, id: number) {
    super(target);
    this.#id = id;
  }

  static add(target: object, id: number): void {
    new IdField(target, id);
  }

  static read(target: object): number | undefined {
    return #id in target ? (target as IdField).#id : undefined;
  }
}

const refusing = new WeakMap<object, number>();
/** The next id of this thread's block, and the block's end (equal: take a new block). */
let next = 0;
let end = 0;

function freshId(): number {
  if (next === end) {
    const r = region();
    if (r === null) return 0;
    const block = Atomics.add(r.i32, H.overlappedIdBlocks, 1) >>> 0;
    next = block * BLOCK + 1;
    end = block * BLOCK + BLOCK;
  }
  return next++;
}

function keepId(ov: object, id: number): void {
  try {
    IdField.add(ov, id);
  } catch {
    // A future V8 may refuse fields on non-extensible objects.
    refusing.set(ov, id);
  }
}

/** The id of `ov`, assigned now if it has none; 0 when the region cannot be had (no memory). */
export function idOf(ov: object): number {
  const known = IdField.read(ov) ?? refusing.get(ov);
  if (known !== undefined) return known;
  const id = freshId();
  if (id !== 0) keepId(ov, id);
  return id;
}

/** A stand-in made from a packet gets the id its original has. */
export function giveId(standIn: object, id: number): void {
  if (id !== 0) keepId(standIn, id);
}

/** `lpOverlapped`'s process-wide id; 0 with ERROR_INVALID_PARAMETER for what is not an object. */
export function overlappedId(lpOverlapped: WSAOVERLAPPED): number {
  if (lpOverlapped === null || typeof lpOverlapped !== 'object') {
    setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const id = idOf(lpOverlapped);
  if (id === 0) setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return id;
}
