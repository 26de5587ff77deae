/**
 * SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL: the handle of the
 * base service provider's socket under any layered providers, as an 8-byte SOCKET (x64). There
 * are no layered providers here, so the base socket is the socket itself. One handler per code,
 * built from one definition.
 *
 * Windows facts relied on:
 * - Wine dlls/ws2_32/tests/sock.c, test_base_handle (TCP and UDP, IPv4 and IPv6): success writes
 *   the socket's own handle and returns 8 bytes; in overlapped mode SIO_BASE_HANDLE is not
 *   supported (the request completes with STATUS_NOT_SUPPORTED, i.e. WSAEOPNOTSUPP, 0 bytes, the
 *   output left alone).
 * - Winsock IOCTL reference: an output shorter than sizeof(SOCKET) or a null one is WSAEFAULT;
 *   SIO_BSP_HANDLE_POLL additionally fails with WSAEFAULT when an OVERLAPPED is given.
 * - Not measured, taken from the closest facts: the short-output WSAEFAULT leaves
 *   *lpcbBytesReturned untouched (as FIONREAD / SIOCATMARK do in test_fionread_siocatmark), and
 *   SIO_BSP_HANDLE / SIO_BSP_HANDLE_SELECT in overlapped mode behave like SIO_BASE_HANDLE.
 */
import { WSAEFAULT } from '../../../../errors/index.js';
import { SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_POLL, SIO_BSP_HANDLE_SELECT } from '../../../../codes/index.js';
import { done, UNTOUCHED, type IoctlHandler, type OverlappedBehaviour } from '../types.js';
import { outputAtLeast } from '../checks.js';
import { writeU64 } from '../buffers.js';

/** sizeof(SOCKET) on x64. */
const SOCKET_SIZE = 8;

function baseHandleIoctl(name: string, code: number, overlapped: OverlappedBehaviour): IoctlHandler {
  return {
    name,
    code,
    checks: [outputAtLeast(SOCKET_SIZE, WSAEFAULT, UNTOUCHED)],
    overlapped,
    run({ sock, output }) {
      writeU64(output, 0, sock.handle);
      return done(SOCKET_SIZE);
    },
  };
}

export const baseHandle = baseHandleIoctl('SIO_BASE_HANDLE', SIO_BASE_HANDLE, { kind: 'not-supported' });
export const bspHandle = baseHandleIoctl('SIO_BSP_HANDLE', SIO_BSP_HANDLE, { kind: 'not-supported' });
export const bspHandleSelect = baseHandleIoctl('SIO_BSP_HANDLE_SELECT', SIO_BSP_HANDLE_SELECT, { kind: 'not-supported' });
export const bspHandlePoll = baseHandleIoctl('SIO_BSP_HANDLE_POLL', SIO_BSP_HANDLE_POLL, { kind: 'refused', error: WSAEFAULT, bytes: UNTOUCHED });
