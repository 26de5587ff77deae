/**
 * queryInterfaceIndex on Linux (not a Winsock function; WinsockCore.queryInterfaceIndex): the index
 * of the interface `os.networkInterfaces()` calls `name`, from if_nametoindex (no subprocess).
 */
import * as W from '../../../errors/index.js';
import { if_nametoindex } from '../host/libc.js';
import { ok, setLastError } from '../win32/last-error.js';

/** IFNAMSIZ, with its terminating NUL: a longer name is no interface's. */
const IFNAMSIZ = 16;

export function queryInterfaceIndex(name: string): number {
  // A NUL would end the C string early and name another interface; a long name is checked here
  // so that no megabyte string is converted for the call.
  if (typeof name !== 'string' || name === '' || name.includes('\0') || Buffer.byteLength(name) >= IFNAMSIZ) {
    setLastError(W.WSAEINVAL);
    return 0;
  }
  // An IPv4 label ("eth0:1", as os.networkInterfaces() lists it) is its interface's index: the
  // kernel's SIOCGIFINDEX ignores what follows the colon.
  const index = if_nametoindex(name);
  if (index === 0) {
    setLastError(W.WSAEINVAL);
    return 0;
  }
  return ok(index);
}
