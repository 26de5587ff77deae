/**
 * queryInterfaceIndex on Windows (not a Winsock function; WinsockCore.queryInterfaceIndex): the
 * IfIndex of the adapter whose alias (friendly name, the name `os.networkInterfaces()` gives it)
 * is `name`: ConvertInterfaceAliasToLuid, then ConvertInterfaceLuidToIndex (iphlpapi). Not
 * if_nametoindex: on Windows that takes the NDIS interface name ("ethernet_32768"), not the alias.
 */
import { WSAEINVAL } from '../../errors/index.js';
import { ConvertInterfaceAliasToLuid, ConvertInterfaceLuidToIndex } from './iphlpapi.js';
import { ws2_32 } from './ws2_32.js';

/** IF_MAX_STRING_SIZE: an alias holds at most this many WCHARs before its NUL. */
const IF_MAX_STRING_SIZE = 256;

function refuse(): number {
  ws2_32.WSASetLastError(WSAEINVAL);
  return 0;
}

export function queryInterfaceIndex(name: string): number {
  // A NUL would end the C string early and name another adapter.
  if (typeof name !== 'string' || name === '' || name.includes('\0') || name.length > IF_MAX_STRING_SIZE) return refuse();
  const luid = new Uint8Array(8);
  // ERROR_INVALID_PARAMETER when no adapter has the alias.
  if (ConvertInterfaceAliasToLuid(name, luid) !== 0) return refuse();
  const index: [number] = [0];
  if (ConvertInterfaceLuidToIndex(luid, index) !== 0 || index[0] === 0) return refuse();
  ws2_32.WSASetLastError(0);
  return index[0];
}
