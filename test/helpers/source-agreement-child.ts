/**
 * Child for the "one answer to 'which source would the kernel use'" test (usually run inside the
 * lab namespace by netns.ts): for each destination (text, IPv6 optionally `%<interface name>`),
 * the source address as
 *   - SIO_ROUTING_INTERFACE_QUERY answers it (WSAIoctl on a UDP socket of the family),
 *   - SIO_ADDRESS_LIST_SORT ranks it (the handler's own `sortSource`),
 *   - SIO_ROUTING_INTERFACE_CHANGE compares it (the handler's own `parseDestination` + `probe`),
 * printed as one JSON line (SourceViews[]) when run directly with a JSON array of destinations.
 * Nothing is sent: each is a route lookup.
 */
import * as ws from 'wsaioctl/winsock';
import { if_nametoindex } from '../../dist/backend/linux/host/libc.js';
import { sortSource } from '../../dist/backend/linux/ioctl/handlers/address-list-sort.js';
import { parseDestination, probe } from '../../dist/backend/linux/ioctl/handlers/routing-interface-change.js';

export interface SourceViews {
  destination: string;
  /** The query's answer: `<hex of 16 bytes, IPv4 as IPv4-mapped>%<scope id>`, or `error <Winsock error>`. */
  query: string;
  /** The sort's source: `<hex>`, `none` (unreachable: ranked last) or `invalid` (dropped). */
  sort: string;
  /** The change request's view: `<hex>%<scope id>`, or `errno <n>`. */
  change: string;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Interface index of a zone given by name (or as digits); /sys shows the host's interfaces, not the namespace's. */
function zoneIndex(zone: string): number {
  if (/^\d+$/.test(zone)) return Number(zone);
  const index = if_nametoindex(zone);
  if (!index) throw new Error(`no interface ${zone}`);
  return index;
}

/** The three views for one destination. WSAStartup must have been called. */
export function sourceViews(destination: string): SourceViews {
  const percent = destination.indexOf('%');
  const host = percent < 0 ? destination : destination.slice(0, percent);
  const scope = percent < 0 ? 0 : zoneIndex(destination.slice(percent + 1));
  const sa = ws.sockaddr(host, 4242, scope);
  const af = sa.length === ws.SOCKADDR_IN_SIZE ? ws.AF_INET : ws.AF_INET6;

  let query: string;
  const s = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  if (s === ws.INVALID_SOCKET) throw new Error(`socket failed: ${ws.WSAGetLastError()}`);
  try {
    const out = new Uint8Array(sa.length);
    const bytes = { value: 0 };
    if (ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_QUERY, sa, sa.length, out, out.length, bytes, null, null) === 0) {
      const answer = out.subarray(0, bytes.value);
      query = af === ws.AF_INET
        ? `${hex(ws.mapIPv4(answer.subarray(4, 8)))}%0`
        : `${hex(answer.subarray(8, 24))}%${new DataView(answer.buffer, answer.byteOffset).getUint32(24, true)}`;
    } else {
      query = `error ${ws.WSAGetLastError()}`;
    }
  } finally {
    ws.closesocket(s);
  }

  const sortInput = af === ws.AF_INET ? ws.sockaddr(`::ffff:${host}`, 0) : ws.sockaddr(host, 0, scope);
  const ranked = sortSource(sortInput);
  const sort = ranked === undefined ? 'invalid' : ranked === null ? 'none' : hex(ranked.address);

  const dest = parseDestination(sa, af);
  if (typeof dest === 'number') throw new Error(`parseDestination refused ${destination}: ${dest}`);
  return { destination, query, sort, change: probe(dest) };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (invokedDirectly && process.argv[2] !== undefined) {
  ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  const views = (JSON.parse(process.argv[2]) as string[]).map(sourceViews);
  ws.WSACleanup();
  console.log(JSON.stringify(views));
}
