/**
 * The extension functions' pointers (SIO_GET_EXTENSION_FUNCTION_POINTER, extension-functions.md
 * §3 and §15): the address ws2_32 hands out for a WSAID_* GUID, read as the 8 little-endian bytes
 * it writes. Pointers are provider-wide (§3 fact 6), so any socket of the family may be asked.
 */
import { SIO_GET_EXTENSION_FUNCTION_POINTER } from '../../codes/names.js';
import { allocate, release } from './native-overlapped.js';
import { overlappedApi as api } from './ws2_32.js';
import { nativeSocket } from './arguments.js';
import type { SOCKET } from '../../winsock/types.js';

/** The function pointer for `guidBytes` (16 bytes) asked of `socket`, or null (the last error is WSAIoctl's). */
export function extensionFunctionPointer(socket: SOCKET, guidBytes: Uint8Array): bigint | null {
  const memory = allocate(16 + 8 + 4);
  try {
    memory.bytes.set(guidBytes.subarray(0, 16), 0);
    const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength);
    const result: number = api.WSAIoctl(nativeSocket(socket), SIO_GET_EXTENSION_FUNCTION_POINTER, memory.address, 16,
      memory.address + 16n, 8, memory.address + 24n, null, null);
    if (result !== 0) return null;
    const pointer = view.getBigUint64(16, true);
    return pointer === 0n ? null : pointer;
  } finally {
    release(memory);
  }
}
