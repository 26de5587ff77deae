/**
 * `wsaioctl route <destination>`: the local address the host would send from to reach a
 * destination, as WSAIoctl(SIO_ROUTING_INTERFACE_QUERY) answers on a UDP socket of its family.
 * A route lookup sends nothing. IPv6 destinations may carry a zone (`fe80::1%2`, `fe80::1%eth0`).
 * Table or `--json`; no route is exit 1 with WSAENETUNREACH.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import * as ws from '../../winsock/index.js';
import { isIPv4, isIPv6 } from 'node:net';
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import { ioctlName, WinsockFailure, withSocket, withWinsock } from './network-common.js';

const USAGE = '<destination[%zone]> [--json]   (IPv4 or IPv6; zone = interface index or name)';

/** Interface index of a zone name: Node's scope ids, else /sys/class/net/<name>/ifindex (Linux). */
function zoneIndex(zone: string): number | undefined {
  if (/^\d+$/.test(zone)) return Number(zone) <= 0xffffffff ? Number(zone) : undefined;
  const fromNode = networkInterfaces()[zone]?.find((a) => a.family === 'IPv6' && a.scopeid)?.scopeid;
  if (fromNode) return fromNode;
  if (!/^[\w.:-]+$/.test(zone)) return undefined;
  try {
    const index = Number(readFileSync(`/sys/class/net/${zone}/ifindex`, 'utf8').trim());
    return Number.isInteger(index) && index > 0 ? index : undefined;
  } catch {
    return undefined;
  }
}

/** The destination as a Windows sockaddr (port 0), or an error message. Addresses are parsed by node:net (strictly: `1:::2` is not one). */
export function destinationOf(text: string): Uint8Array | string {
  const percent = text.indexOf('%');
  const host = percent < 0 ? text : text.slice(0, percent);
  if (isIPv4(host) && percent < 0) return ws.sockaddr(host, 0);
  if (!isIPv6(host)) return `not an IP address: '${text}'`;
  const scope = percent < 0 ? 0 : zoneIndex(text.slice(percent + 1));
  if (scope === undefined) return `unknown zone in '${text}'`;
  return ws.sockaddr(host, 0, scope);
}

const withZone = (info: ws.SockaddrInfo): string => (info.scopeId ? `${info.address}%${info.scopeId}` : info.address);

export const routeCommand: CliCommand = {
  name: 'route',
  summary: 'The local address used to reach a destination (SIO_ROUTING_INTERFACE_QUERY)',
  usage: USAGE,
  options: {},
  run({ values, positionals }, io) {
    if (positionals.length !== 1) {
      io.err(`wsaioctl route: ${positionals.length ? 'one destination only' : 'no destination given'}\nusage: wsaioctl route ${USAGE}`);
      return EXIT_USAGE;
    }
    const destination = destinationOf(positionals[0]!);
    if (typeof destination === 'string') {
      io.err(`wsaioctl route: ${destination}\nusage: wsaioctl route ${USAGE}`);
      return EXIT_USAGE;
    }
    const af = destination.length === ws.SOCKADDR_IN_SIZE ? ws.AF_INET : ws.AF_INET6;
    return withWinsock(io, 'route', () => {
      const answer = withSocket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP, (s) => {
        const out = new Uint8Array(destination.length);
        const bytes = { value: 0 };
        const rc = ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_QUERY, destination, destination.length, out, out.length, bytes, null, null);
        return rc === 0 ? out.subarray(0, bytes.value) : new WinsockFailure(ioctlName(ws.SIO_ROUTING_INTERFACE_QUERY), ws.WSAGetLastError());
      });
      if (answer instanceof WinsockFailure) return answer;
      const to = ws.parseSockaddr(destination);
      const from = ws.parseSockaddr(answer);
      if (values.json) {
        io.out(JSON.stringify({
          backend: ws.backendName,
          destination: to.address, ...(to.scopeId ? { destinationScopeId: to.scopeId } : {}),
          source: from.address, ...(from.family === ws.AF_INET6 ? { sourceScopeId: from.scopeId ?? 0 } : {}),
        }, null, 2));
      } else {
        io.out(table(['destination', 'local address'], [[withZone(to), withZone(from)]]));
      }
      return EXIT_OK;
    });
  },
};
