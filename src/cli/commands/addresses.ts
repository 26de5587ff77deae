/**
 * `wsaioctl addresses [--family 4|6 | -4 | -6]`: the local addresses an application can bind to, as
 * WSAIoctl(SIO_ADDRESS_LIST_QUERY) lists them on a UDP socket of the family (IPv4 by default):
 * Preferred addresses only, the loopback interface's left out. The SOCKET_ADDRESS_LIST's pointers
 * are followed inside the buffer. Table or `--json`.
 */
import * as ws from '../../winsock/index.js';
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import { growingIoctl, WinsockFailure, withSocket, withWinsock } from './network-common.js';
import { FAMILY_OPTIONS, FAMILY_USAGE, isFamilyFlag, parseFamily } from '../family.js';

const USAGE = `${FAMILY_USAGE} [--json]   (IPv4 by default)`;

export interface AddressRow {
  family: 'IPv4' | 'IPv6';
  address: string;
  /** IPv6: the zone (interface index) of a link-local address, else 0. */
  scopeId?: number;
}

export const addressesCommand: CliCommand = {
  name: 'addresses',
  summary: 'Local addresses of one family an application can bind to (SIO_ADDRESS_LIST_QUERY)',
  usage: USAGE,
  options: FAMILY_OPTIONS,
  run({ values, positionals }, io) {
    const extra = positionals.find((p) => !isFamilyFlag(p));
    const parsed = parseFamily(values, positionals);
    if (extra !== undefined || 'error' in parsed) {
      io.err(`wsaioctl addresses: ${extra !== undefined ? `unexpected argument '${extra}'` : (parsed as { error: string }).error}\nusage: wsaioctl addresses ${USAGE}`);
      return EXIT_USAGE;
    }
    const six = parsed.family === 'IPv6';
    return withWinsock(io, 'addresses', () => {
      const answer = withSocket(six ? ws.AF_INET6 : ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, (s) => growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 512));
      if (answer instanceof WinsockFailure) return answer;
      const rows: AddressRow[] = ws.decodeSocketAddressList(answer.out.subarray(0, answer.bytes), answer.base).map((e) => {
        const info = ws.parseSockaddr(e.sockaddr);
        return info.family === ws.AF_INET6
          ? { family: 'IPv6', address: info.address, scopeId: info.scopeId ?? 0 }
          : { family: 'IPv4', address: info.address };
      });
      if (values.json) {
        io.out(JSON.stringify({ backend: ws.backendName, family: six ? 'IPv6' : 'IPv4', addresses: rows }, null, 2));
      } else if (rows.length === 0) {
        io.out(`no ${six ? 'IPv6' : 'IPv4'} addresses to bind to`);
      } else if (six) {
        io.out(table(['address', 'scope id'], rows.map((r) => [r.address, r.scopeId ? String(r.scopeId) : '-'])));
      } else {
        io.out(table(['address'], rows.map((r) => [r.address])));
      }
      return EXIT_OK;
    });
  },
};
