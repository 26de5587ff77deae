/**
 * Child process for test/netlink.test.ts (run in a namespace by netns.ts): prints one JSON line
 * with the rtnetlink client's link dump, address dump and route lookups for the destinations in
 * argv[2] (a JSON array of address texts; IPv6 may end in %<interface name>), addresses as text.
 */
import * as nl from '../../dist/backend/linux/netlink/index.js';
import { decodeIPv4, decodeIPv6, encodeIPv4, encodeIPv6 } from '../../dist/structs/sockaddr.js';

const text = (b: Uint8Array | null): string | null => (b === null ? null : b.length === 4 ? decodeIPv4(b) : decodeIPv6(b));

const links = nl.dumpLinks();
const addresses = nl.dumpAddresses(0);
const routes: Record<string, unknown> = {};
for (const destination of JSON.parse(process.argv[2] ?? '[]') as string[]) {
  const [host, zone] = destination.split('%') as [string, string | undefined];
  // (/sys is the host's in a namespace made by unshare -n: names are resolved from the link dump)
  const oif = zone ? (links.ok ? links.value.find((l) => l.name === zone)?.index ?? -1 : -1) : 0;
  const bytes = host.includes(':') ? encodeIPv6(host) : encodeIPv4(host);
  const r = nl.getRoute(bytes, oif);
  routes[destination] = r.ok
    ? { type: r.value.type, oif: r.value.outputInterface, source: text(r.value.preferredSource), gateway: text(r.value.gateway) }
    : { errno: r.errno };
}

console.log(JSON.stringify({
  links: links.ok ? links.value : { errno: links.errno },
  addresses: addresses.ok
    ? addresses.value.map((a) => ({ ...a, address: text(a.address), peer: text(a.peer), broadcast: text(a.broadcast) }))
    : { errno: addresses.errno },
  routes,
  openQuerySockets: nl.openQuerySockets(),
}));
