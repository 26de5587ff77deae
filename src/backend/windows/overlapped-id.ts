/**
 * overlappedId on Windows (not a Winsock function; WinsockCore.overlappedId). There the
 * OVERLAPPED Windows sees is native memory, but each operation gets its own block
 * (native-overlapped.ts), freed when it is done, so a block's address does not name the object
 * for its life. The id is instead the address of one byte of native memory kept for the object
 * (koffi.alloc) and freed after the object is collected: unique among the objects alive in the
 * process, whatever thread made them, as a C OVERLAPPED's address is (and, as in C, a later object
 * may get the address of one that is gone).
 */
import koffi from 'koffi';
import { ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY } from '../../errors/index.js';
import type { WSAOVERLAPPED } from '../../winsock/types.js';

const ids = new WeakMap<object, number>();
const freeing = new FinalizationRegistry<bigint>((address) => koffi.free(address));

/** `lpOverlapped`'s id, or 0 with the error `setLastError` is given. */
export function overlappedIdWith(setLastError: (code: number) => void): (lpOverlapped: WSAOVERLAPPED) => number {
  return function overlappedId(lpOverlapped: WSAOVERLAPPED): number {
    if (lpOverlapped === null || typeof lpOverlapped !== 'object') {
      setLastError(ERROR_INVALID_PARAMETER);
      return 0;
    }
    const known = ids.get(lpOverlapped);
    if (known !== undefined) return known;
    let address: bigint;
    try {
      address = BigInt(koffi.alloc('uint8_t', 1) as bigint | number);
    } catch {
      setLastError(ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    const id = Number(address);
    ids.set(lpOverlapped, id);
    freeing.register(lpOverlapped, address);
    return id;
  };
}
