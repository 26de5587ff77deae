/**
 * ioctlsocket(s, cmd, argp): WSAIoctl with the one u_long as both input and output, which is how
 * Windows itself implements it.
 */
import { WSAEFAULT, WSANOTINITIALISED } from '../../../errors/index.js';
import type { Ref, SOCKET } from '../../../winsock/types.js';
import { fail } from '../win32/last-error.js';
import { isStarted } from '../win32/startup.js';
import { WSAIoctl } from './dispatch.js';
import { isWritableRef } from '../../../winsock/arguments.js';

const arg = new Uint8Array(4);
const argView = new DataView(arg.buffer);
const returned: Ref<number> = { value: 0 };

export function ioctlsocket(s: SOCKET, cmd: number, argp: Ref<number> | null): number {
  if (!isStarted()) return fail(WSANOTINITIALISED);
  // argp is read and may be written: it must be writable before the call changes anything.
  if (!isWritableRef(argp)) return fail(WSAEFAULT);
  argView.setUint32(0, Number(argp.value) >>> 0, true);
  const rc = WSAIoctl(s, cmd, arg, 4, arg, 4, returned, null, null);
  if (rc === 0 && returned.value >= 4) argp.value = argView.getUint32(0, true);
  return rc;
}
