/**
 * Child process for test/node-interface-index.test.ts (run in a namespace by netns.ts): prints one
 * JSON line with the interface indexes as the friendly API and the surface give them, and as
 * `ip -j link` (the kernel's own list, read in the same namespace) and os.networkInterfaces()'
 * IPv6 scope ids give them.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as ws from 'wsaioctl/winsock';
import { defaultGateway, interfaceIndexOf, interfaces } from 'wsaioctl';

const link = spawnSync('ip', ['-j', 'link'], { encoding: 'utf8', timeout: 10_000 });
const kernel = (JSON.parse(link.stdout) as Array<{ ifname: string; ifindex: number }>).map(({ ifname, ifindex }) => ({ ifname, ifindex }));

const node = Object.entries(os.networkInterfaces()).map(([name, list]) => ({
  name,
  index: interfaceIndexOf(name),
  scopeIds: (list ?? []).filter((e) => e.family === 'IPv6' && e.address.startsWith('fe80:')).map((e) => e.scopeid),
}));

/** The surface's answer and last error for a name that is no interface's. */
const refused = (name: unknown): { index: number; error: number } => {
  ws.WSASetLastError(0);
  const index = ws.queryInterfaceIndex(name as string);
  return { index, error: ws.WSAGetLastError() };
};

console.log(JSON.stringify({
  kernel,
  node,
  interfaces: interfaces().map(({ name, index, address }) => ({ name, index, address })),
  v4: defaultGateway('IPv4'),
  v6: defaultGateway('IPv6'),
  label: ws.queryInterfaceIndex('h0:1'),
  unknown: interfaceIndexOf('nosuch0'),
  refusals: {
    unknown: refused('nosuch0'),
    empty: refused(''),
    nul: refused('lo\0'),
    long: refused('h'.repeat(16)),
    number: refused(1),
    symbol: refused(Symbol('lo')),
  },
}));
