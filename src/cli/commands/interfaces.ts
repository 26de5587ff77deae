/**
 * `wsaioctl interfaces`: the host's IPv4 interfaces as WSAIoctl(SIO_GET_INTERFACE_LIST) reports
 * them on an IPv4 UDP socket: address, netmask, broadcast address (the peer on a point-to-point
 * link; Windows reports the limited broadcast 255.255.255.255 there) and the IFF_* flags by name.
 * Table or `--json`.
 */
import * as ws from '../../winsock/index.js';
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import { growingIoctl, WinsockFailure, withSocket, withWinsock } from './network-common.js';

const USAGE = '[--json]';

export interface InterfaceRow {
  address: string;
  netmask: string;
  broadcast: string | null;
  flags: number;
  flagNames: string[];
}

export const interfacesCommand: CliCommand = {
  name: 'interfaces',
  summary: 'IPv4 interfaces: address, netmask, broadcast, flags (SIO_GET_INTERFACE_LIST)',
  usage: USAGE,
  options: {},
  run({ values, positionals }, io) {
    if (positionals.length > 0) {
      io.err(`wsaioctl interfaces: unexpected argument '${positionals[0]}'\nusage: wsaioctl interfaces ${USAGE}`);
      return EXIT_USAGE;
    }
    return withWinsock(io, 'interfaces', () => {
      const answer = withSocket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, (s) => growingIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, ws.INTERFACE_INFO_SIZE * 16));
      if (answer instanceof WinsockFailure) return answer;
      const rows: InterfaceRow[] = ws.decodeInterfaceList(answer.out, answer.bytes).map((r) => ({
        address: r.address,
        netmask: r.netmask,
        broadcast: r.broadcast,
        flags: r.flags,
        flagNames: ws.interfaceFlagNames(r.flags),
      }));
      if (values.json) {
        io.out(JSON.stringify({ backend: ws.backendName, interfaces: rows }, null, 2));
      } else if (rows.length === 0) {
        io.out('no IPv4 interfaces');
      } else {
        io.out(table(['address', 'netmask', 'broadcast', 'flags'], rows.map((r) => [r.address, r.netmask, r.broadcast ?? '-', r.flagNames.join(' ') || '-'])));
      }
      return EXIT_OK;
    });
  },
};
