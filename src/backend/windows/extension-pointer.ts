/**
 * The pointer of an extension function, asked of ws2_32 the way C asks it:
 * WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, guid, 16, &pointer, 8, &bytes, NULL, NULL).
 * Pointers are provider-wide (extension-functions.md §3 fact 6: Go and Boost.Asio ask once and use
 * the pointer on every socket), so each GUID's pointer is kept once known.
 */
import { SIO_GET_EXTENSION_FUNCTION_POINTER } from '../../codes/names.js';
import { AF_INET, INVALID_SOCKET } from '../../winsock/constants.js';
import type { SOCKET } from '../../winsock/types.js';
import { encodeGuid } from '../../structs/guid.js';
import type { ExtensionFunction } from '../../winsock/extension-functions.js';
import { nativeSocket } from './arguments.js';
import { ws2_32 } from './ws2_32.js';

/** The pointer SIO_GET_EXTENSION_FUNCTION_POINTER gives for `guidBytes` on `socket`; null on failure (last error set by ws2_32). */
function extensionFunctionPointer(socket: SOCKET, guidBytes: Uint8Array): bigint | null {
  const out = new Uint8Array(8);
  const bytes: [number] = [0];
  const result: number = ws2_32.WSAIoctl(nativeSocket(socket), SIO_GET_EXTENSION_FUNCTION_POINTER, guidBytes, 16, out, 8, bytes, null, null);
  if (result !== 0) return null;
  const pointer = new DataView(out.buffer).getBigUint64(0, true);
  return pointer === 0n ? null : pointer;
}

const known = new Map<string, bigint>();

/**
 * The row's pointer: kept from an earlier answer, else asked on `socket` (the socket the caller
 * names, when it has one) or else on a throw-away socket of the row's kind. Null with ws2_32's
 * last error when it cannot be had (not started, an unknown GUID).
 */
export function pointerOf(row: ExtensionFunction, socket: SOCKET | null): bigint | null {
  const kept = known.get(row.guid);
  if (kept !== undefined) return kept;
  const guid = encodeGuid(row.guid);
  // A socket the function will refuse (not a socket, say) still gets the function's own answer:
  // the pointer then comes from a throw-away socket, and the function itself says why not.
  let pointer = socket === null ? null : extensionFunctionPointer(socket, guid);
  if (pointer === null) {
    const error: number = ws2_32.WSAGetLastError();
    const probe: number = ws2_32.socket(AF_INET, row.socketType, 0);
    if (probe === INVALID_SOCKET) {
      if (socket !== null) ws2_32.WSASetLastError(error);
      return null;
    }
    pointer = extensionFunctionPointer(probe, guid);
    const probeError: number = ws2_32.WSAGetLastError();
    ws2_32.closesocket(probe);
    ws2_32.WSASetLastError(pointer === null && socket !== null ? error : probeError);
  }
  if (pointer !== null) known.set(row.guid, pointer);
  return pointer;
}
