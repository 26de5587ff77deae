/**
 * SIO_GET_EXTENSION_FUNCTION_POINTER: the pointer of an extension function (AcceptEx, ConnectEx
 * ...), named by its GUID. On the emulation the "pointer" is the function's token from the one
 * table (winsock/extension-functions.ts): 8 non-zero bytes, the same for every socket, still valid
 * after the socket is closed; the `LPFN_*` casts turn it into the function.
 *
 * Windows facts (extension-functions.md §3; Wine's dlls/ws2_32/tests/sock.c test_get_extension_func,
 * test_connect, test_AcceptEx, test_accept_events):
 * - a known GUID: 0, last error 0, *lpcbBytesReturned = 8, the pointer in the output;
 * - overlapped: still answered at once, *lpcbBytesReturned = 8, and completed with 0 bytes through
 *   the port (Internal = InternalHigh = 0) or the routine (error 0, 0 bytes) (dispatcher: `as-run`);
 * - an unknown GUID: WSAEINVAL, *lpcbBytesReturned, Internal and InternalHigh untouched, nothing
 *   delivered;
 * - pointers are handed out on TCP listeners, unconnected TCP sockets (bound or not) and UDP sockets.
 * - Sizes: Wine checks none; Microsoft's WSAIoctl page says WSAEFAULT for an input shorter than a
 *   GUID or an output shorter than a pointer (documentation only, taken as it is; untouched count
 *   as for the unknown GUID).
 */
import { WSAEFAULT, WSAEINVAL } from '../../../../errors/index.js';
import { SIO_GET_EXTENSION_FUNCTION_POINTER } from '../../../../codes/index.js';
import { extensionByGuid } from '../../../../winsock/extension-functions.js';
import { done, failed, UNTOUCHED, type IoctlHandler } from '../types.js';
import { inputAtLeast, outputAtLeast } from '../checks.js';

/** sizeof(GUID) and sizeof(void *) on x64. */
const GUID_SIZE = 16;
const POINTER_SIZE = 8;

export const extensionFunctionPointer: IoctlHandler = {
  name: 'SIO_GET_EXTENSION_FUNCTION_POINTER',
  code: SIO_GET_EXTENSION_FUNCTION_POINTER,
  checks: [inputAtLeast(GUID_SIZE, WSAEFAULT, UNTOUCHED), outputAtLeast(POINTER_SIZE, WSAEFAULT, UNTOUCHED)],
  run({ input, output }) {
    const row = extensionByGuid(input.subarray(0, GUID_SIZE));
    if (!row) return failed(WSAEINVAL, UNTOUCHED);
    new DataView(output.buffer, output.byteOffset, POINTER_SIZE).setBigUint64(0, row.token, true);
    return done(POINTER_SIZE);
  },
};
