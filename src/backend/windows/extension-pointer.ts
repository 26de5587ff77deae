/**
 * The address of an extension function (mswsock.h), asked of the real ws2_32.dll with
 * WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER): 16 GUID bytes in, one 8-byte pointer out
 * (extension-functions.md §3 and §15; Wine dlls/ws2_32/tests/sock.c test_get_extension_func).
 * Pointers are provider-wide and outlive the socket they were read from (Go's
 * loadWSASendRecvMsg reads them from a throw-away socket).
 */
import { SIO_GET_EXTENSION_FUNCTION_POINTER } from '../../codes/names.js';
import type { SOCKET } from '../../winsock/types.js';
import { nativeSocket } from './arguments.js';
import { ws2_32 } from './ws2_32.js';

/**
 * The function's address for `guidBytes` on `socket` (a SOCKET of this backend), or 0n when
 * Windows refuses (its error is then the last error).
 */
export function extensionFunctionPointer(socket: SOCKET, guidBytes: Uint8Array): bigint {
  const out = new Uint8Array(8);
  const returned: [number] = [0];
  const result = ws2_32.WSAIoctl(nativeSocket(socket), SIO_GET_EXTENSION_FUNCTION_POINTER, guidBytes, 16, out, 8, returned, null, null) as number;
  if (result !== 0) return 0n;
  return new DataView(out.buffer).getBigUint64(0, true);
}
