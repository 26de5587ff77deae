/**
 * The checks an overlapped data call shares, and how one that completes at once is delivered.
 *
 * Windows facts (extension-functions.md §4, from Wine's sock.c and ReactOS' WSARecv.c):
 * - an immediate success still completes through every mechanism: Internal / InternalHigh, the
 *   event, the completion packet, the routine (test_completion_port) — except that
 *   FILE_SKIP_COMPLETION_PORT_ON_SUCCESS leaves out the packet (SetFileCompletionNotificationModes);
 * - a completion routine on a socket associated with a completion port: WSAEINVAL, the routine is
 *   never called (test_WSARecv);
 * - a routine without a WSAOVERLAPPED is ignored: the call runs as a plain one (ReactOS Test_WSARecv).
 */
import * as W from '../../../../errors/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { FILE_SKIP_COMPLETION_PORT_ON_SUCCESS } from '../../../../winsock/constants.js';
import { acceptsIoStatus, isWritableRef } from '../../../../winsock/arguments.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { deliver, hEventOf } from '../../win32/operations.js';
import { associationOf } from '../../win32/ports.js';

/** How the call was made: its WSAOVERLAPPED and routine, once checked. */
export interface Mode {
  readonly ov: WSAOVERLAPPED | null;
  readonly routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null;
}

/**
 * The byte-count out-parameter, WSAOVERLAPPED and routine, checked: the mode, or the Winsock error.
 * The byte count may be null only with a WSAOVERLAPPED (C allows it; Wine's test_WSASendTo).
 */
export function checkMode(sock: LinuxSocket, bytes: unknown, ov: unknown, routine: unknown): Mode | number {
  if (ov != null && !acceptsIoStatus(ov)) return W.WSAEFAULT;
  if (routine != null && typeof routine !== 'function') return W.WSAEFAULT;
  if (bytes == null ? ov == null : !isWritableRef(bytes)) return W.WSAEFAULT;
  const overlapped = ov == null ? null : (ov as WSAOVERLAPPED);
  const fn = overlapped && routine ? (routine as LPWSAOVERLAPPED_COMPLETION_ROUTINE) : null;
  if (fn && associationOf(sock)) return W.WSAEINVAL;
  return { ov: overlapped, routine: fn };
}

/** Write an out-parameter the checks proved writable (null: the caller gave none). */
export function store(ref: Ref<number> | null, value: number): void {
  if (ref) ref.value = value;
}

/** An overlapped call finished before it returned: deliver it now, as Windows does. */
export function deliverAtOnce(sock: LinuxSocket, mode: Mode, status: number, bytes: number): void {
  if (!mode.ov) return;
  const skipPacket = (sock.completionModes & FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) !== 0 && status === W.STATUS_SUCCESS;
  deliver(sock, mode.ov, mode.routine, hEventOf(mode.ov), status, bytes, skipPacket);
}
