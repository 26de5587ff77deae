/**
 * SetFileCompletionNotificationModes on a socket (kernel32; the reference page): the flags are
 * added to the socket's modes and can never be cleared. FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
 * keeps an operation that succeeds at once off the completion port (one that pends still gets its
 * packet: Wine's test_connect_completion_port); FILE_SKIP_SET_EVENT_ON_HANDLE keeps the socket
 * handle itself from being signalled at completion (win32/operations.ts deliver; the handle is a
 * waitable object). Unknown flag bits: ERROR_INVALID_PARAMETER; not a socket: ERROR_INVALID_HANDLE.
 */
import * as W from '../../../../errors/index.js';
import { FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, FILE_SKIP_SET_EVENT_ON_HANDLE } from '../../../../winsock/constants.js';
import type { HANDLE } from '../../../../winsock/types.js';
import { setLastError } from '../../win32/last-error.js';
import { lookupSocket } from '../../win32/socket-state.js';

const KNOWN = FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE;

export function SetFileCompletionNotificationModes(FileHandle: HANDLE, Flags: number): boolean {
  const sock = typeof FileHandle === 'number' ? lookupSocket(FileHandle) : undefined;
  if (!sock || sock.closed) {
    setLastError(W.ERROR_INVALID_HANDLE);
    return false;
  }
  if (typeof Flags !== 'number' || !Number.isInteger(Flags) || Flags < 0 || Flags > 0xff || (Flags & ~KNOWN) !== 0) {
    setLastError(W.ERROR_INVALID_PARAMETER);
    return false;
  }
  sock.completionModes |= Flags;
  return true;
}
