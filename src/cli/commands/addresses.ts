/**
 * `wsaioctl addresses [--family 4|6 | -4 | -6]`: the local addresses an application can bind to, as
 * WSAIoctl(SIO_ADDRESS_LIST_QUERY) lists them on a UDP socket of each family (both by default, as
 * `watch`; a host without IPv6 lists IPv4 only):
 * Preferred addresses only, the loopback interface's left out. The SOCKET_ADDRESS_LIST's pointers
 * are followed inside the buffer. Table or `--json`.
 */
import * as ws from '../../winsock/index.js';
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import { growingIoctl, WinsockFailure, withSocket, withWinsock } from './network-common.js';
import { FAMILY_OPTIONS, FAMILY_USAGE, isFamilyFlag, parseFamily, type Family } from '../family.js';

const USAGE = `${FAMILY_USAGE} [--json]   (both families by default)`;

export interface AddressRow {
  family: Family;
  address: string;
  /** IPv6: the zone (interface index) of a link-local address, else 0. */
  scopeId?: number;
}

export const addressesCommand: CliCommand = {
  name: 'addresses',
  summary: 'Local addresses an application can bind to (SIO_ADDRESS_LIST_QUERY), of both families or one',
  usage: USAGE,
  options: FAMILY_OPTIONS,
  run({ values, positionals }, io) {
    const extra = positionals.find((p) => !isFamilyFlag(p));
    const parsed = parseFamily(values, positionals);
    if (extra !== undefined || 'error' in parsed) {
      io.err(`wsaioctl addresses: ${extra !== undefined ? `unexpected argument '${extra}'` : (parsed as { error: string }).error}\nusage: wsaioctl addresses ${USAGE}`);
      return EXIT_USAGE;
    }
    // Both families unless one is asked for, as `watch` does (src/cli/family.ts).
    const families: Family[] = parsed.family !== null ? [parsed.family] : ['IPv4', 'IPv6'];
    return withWinsock(io, 'addresses', () => {
      const rows: AddressRow[] = [];
      for (const family of families) {
        const af = family === 'IPv6' ? ws.AF_INET6 : ws.AF_INET;
        const answer = withSocket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP, (s) => growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 512));
        // A host without IPv6 has no IPv6 addresses to list; asked for by name, that is an error.
        if (answer instanceof WinsockFailure) {
          if (parsed.family === null && family === 'IPv6' && answer.error === ws.WSAEAFNOSUPPORT) continue;
          return answer;
        }
        for (const e of ws.decodeSocketAddressList(answer.out.subarray(0, answer.bytes), answer.base)) {
          const info = ws.parseSockaddr(e.sockaddr);
          rows.push(info.family === ws.AF_INET6
            ? { family: 'IPv6', address: info.address, scopeId: info.scopeId ?? 0 }
            : { family: 'IPv4', address: info.address });
        }
      }
      const label = parsed.family ?? 'IPv4 and IPv6';
      if (values.json) {
        io.out(JSON.stringify({ backend: ws.backendName, families, addresses: rows }, null, 2));
      } else if (rows.length === 0) {
        io.out(`no ${label} addresses to bind to`);
      } else {
        io.out(table(['family', 'address', 'scope id'], rows.map((r) => [r.family, r.address, r.scopeId ? String(r.scopeId) : '-'])));
      }
      return EXIT_OK;
    });
  },
};
