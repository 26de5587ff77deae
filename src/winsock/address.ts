/**
 * The native address of a buffer's first byte, as the backend's native code sees it during a call.
 * Winsock structures such as SOCKET_ADDRESS_LIST hold absolute pointers into the caller's own
 * buffers; this is how a caller builds or reads them (koffi serves both backends).
 */
import koffi from 'koffi';

/** The native address of `buf[0]` (valid while `buf` is alive and not moved). */
export function bufferAddress(buf: Uint8Array): bigint {
  return BigInt(koffi.address(buf) as bigint | number);
}
