/**
 * queryDefaultGateway on Windows (not a Winsock function; WinsockCore.queryDefaultGateway):
 * GetIpForwardTable2 (iphlpapi), the default route (prefix length 0) that has a next hop, with the
 * lowest route metric. No subprocess (`route print`, `wmic`).
 */
import koffi from 'koffi';
import { nativeLibrary } from '../native-library.js';
import type { DefaultGateway } from '../../winsock/types.js';
import { AF_INET, AF_INET6, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE } from '../../structs/sockaddr.js';
import { WSAEAFNOSUPPORT, WSAENETUNREACH, WSAENOBUFS } from '../../errors/index.js';
import { ws2_32 } from './ws2_32.js';

// Bound at import on win32 only: this module is imported on Linux too (../native-library.ts).
const iphlpapi = nativeLibrary('win32', 'iphlpapi.dll');
const GetIpForwardTable2 = iphlpapi.func('uint32_t __stdcall GetIpForwardTable2(uint16_t Family, _Out_ void **Table)');
const FreeMibTable = iphlpapi.func('void __stdcall FreeMibTable(void *Memory)');

/** MIB_IPFORWARD_TABLE2 (x64): NumEntries, then the rows from offset 8 (NET_LUID alignment). */
const TABLE_ROWS = 8;
/**
 * MIB_IPFORWARD_ROW2 (x64, 104 bytes): InterfaceLuid @0, InterfaceIndex @8, DestinationPrefix
 * (SOCKADDR_INET @12, PrefixLength @40), NextHop (SOCKADDR_INET @44), ..., Metric @84.
 */
const ROW_SIZE = 104;
const ROW_INTERFACE_INDEX = 8;
const ROW_PREFIX_LENGTH = 40;
const ROW_NEXT_HOP = 44;
const ROW_METRIC = 84;
/** SOCKADDR_INET is a union of SOCKADDR_IN and SOCKADDR_IN6 (28 bytes). */
const SOCKADDR_INET_SIZE = 28;

function refuse(error: number): null {
  ws2_32.WSASetLastError(error);
  return null;
}

/** A next hop that is the unspecified address means "on link": no gateway. */
function unspecified(sa: Uint8Array, af: number): boolean {
  const bytes = af === AF_INET ? sa.subarray(4, 8) : sa.subarray(8, 24);
  return bytes.every((b) => b === 0);
}

export function queryDefaultGateway(af: number): DefaultGateway | null {
  if (af !== AF_INET && af !== AF_INET6) return refuse(WSAEAFNOSUPPORT);
  const table: [unknown] = [null];
  const status = GetIpForwardTable2(af, table);
  if (status !== 0 || table[0] === null) return refuse(WSAENOBUFS);
  try {
    const count = koffi.decode(table[0], 'uint32_t') as number;
    const rows = new Uint8Array(koffi.view(table[0], TABLE_ROWS + count * ROW_SIZE) as ArrayBuffer).slice(TABLE_ROWS);
    const view = new DataView(rows.buffer);
    let best: DefaultGateway | null = null;
    let bestMetric = Infinity;
    for (let i = 0; i < count; i++) {
      const at = i * ROW_SIZE;
      if (rows[at + ROW_PREFIX_LENGTH] !== 0) continue;
      const hop = rows.slice(at + ROW_NEXT_HOP, at + ROW_NEXT_HOP + SOCKADDR_INET_SIZE);
      if (view.getUint16(at + ROW_NEXT_HOP, true) !== af || unspecified(hop, af)) continue;
      const metric = view.getUint32(at + ROW_METRIC, true);
      if (metric >= bestMetric) continue;
      bestMetric = metric;
      best = { sockaddr: hop.slice(0, af === AF_INET ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE), interfaceIndex: view.getUint32(at + ROW_INTERFACE_INDEX, true) };
    }
    if (best === null) return refuse(WSAENETUNREACH);
    ws2_32.WSASetLastError(0);
    return best;
  } finally {
    FreeMibTable(table[0]);
  }
}
