/**
 * `wsaioctl tcpinfo <host:port>`: connect to the named endpoint (and nothing else: only the
 * addresses the given name resolves to, in order, stopping at the first that accepts), then print
 * WSAIoctl(SIO_TCP_INFO) for the connection as a table or `--json`, with the ideal send backlog.
 * Only the public Winsock surface is used, so it runs on either backend. Version 2 is asked first;
 * a system that does not know it (WSAEINVAL) is asked for 1, then 0.
 */
import { lookup } from 'node:dns/promises';
import * as ws from '../../winsock/index.js';
import { errorName } from '../../errors/index.js';
import { isIPv4, isIPv6 } from 'node:net';
import { decodeTcpInfo, tcpInfoSize, tcpStateName, type TcpInfo, type TcpInfoVersion } from '../../structs/tcp-info.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, table, type CliCommand, type CliIo } from '../command.js';

const USAGE = '<host:port> [--info-version 0|1|2] [--json]   (IPv6 as [addr]:port; --info-version picks TCP_INFO_v0/v1/v2)';

interface Endpoint {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port`; null when malformed. */
export function parseEndpoint(text: string): Endpoint | null {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) return null;
  return { host: m[1]!, port };
}

/** The addresses the name stands for (a literal stands for itself). */
async function addressesOf(host: string): Promise<string[]> {
  if (isIPv4(host) || isIPv6(host)) return [host];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/** Units and meaning shown next to each field. */
const UNITS: Record<string, string> = {
  Mss: 'bytes', ConnectionTimeMs: 'ms', RttUs: 'us', MinRttUs: 'us', BytesInFlight: 'bytes',
  Cwnd: 'bytes', SndWnd: 'bytes', RcvWnd: 'bytes', RcvBuf: 'bytes', BytesOut: 'bytes',
  BytesIn: 'bytes', BytesReordered: 'bytes', BytesRetrans: 'bytes', FastRetrans: 'count',
  DupAcksIn: 'count', TimeoutEpisodes: 'count', SynRetrans: 'count',
  SndLimTransRwin: 'count', SndLimTimeRwin: 'ms', SndLimBytesRwin: 'bytes',
  SndLimTransCwnd: 'count', SndLimTimeCwnd: 'ms', SndLimBytesCwnd: 'bytes',
  SndLimTransSnd: 'count', SndLimTimeSnd: 'ms', SndLimBytesSnd: 'bytes',
  OutOfOrderPktsIn: 'count', EceAcksIn: 'count', PtoEpisodes: 'count', IdealSendBacklog: 'bytes',
};

/** JSON-safe field values: 64-bit counters become numbers while exact, else decimal strings. */
function plain(info: TcpInfo): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(info)) {
    out[k] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
  }
  return out;
}

interface Result {
  address: string;
  port: number;
  version: TcpInfoVersion;
  tcpInfo: TcpInfo;
  idealSendBacklog: number | null;
}

type Failure = { error: string };

function errorText(where: string, code: number): string {
  return `${where} failed: ${errorName(code)} (${code})`;
}

/** Connect to one address and query; the socket is always closed. */
function queryOne(address: string, port: number, wanted: TcpInfoVersion | undefined): Result | Failure {
  const family = isIPv4(address) ? ws.AF_INET : ws.AF_INET6;
  const s = ws.socket(family, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  if (s === ws.INVALID_SOCKET) return { error: errorText('socket', ws.WSAGetLastError()) };
  try {
    const sa = ws.sockaddr(address, port);
    if (ws.connect(s, sa, sa.length) !== 0) return { error: errorText(`connect to ${address} port ${port}`, ws.WSAGetLastError()) };
    const versions: TcpInfoVersion[] = wanted === undefined ? [2, 1, 0] : [wanted];
    let last = 0;
    for (const version of versions) {
      const input = new Uint8Array(4);
      new DataView(input.buffer).setUint32(0, version, true);
      const size = tcpInfoSize(version);
      const out = new Uint8Array(size);
      const bytes = { value: 0 };
      if (ws.WSAIoctl(s, ws.SIO_TCP_INFO, input, 4, out, size, bytes, null, null) === 0) {
        const isb = new Uint8Array(4);
        const isbBytes = { value: 0 };
        const isbOk = ws.WSAIoctl(s, ws.SIO_IDEAL_SEND_BACKLOG_QUERY, null, 0, isb, 4, isbBytes, null, null) === 0;
        return {
          address, port, version,
          tcpInfo: decodeTcpInfo(out, version),
          idealSendBacklog: isbOk ? new DataView(isb.buffer).getUint32(0, true) : null,
        };
      }
      last = ws.WSAGetLastError();
      if (last !== ws.WSAEINVAL) break;
    }
    return { error: errorText('WSAIoctl(SIO_TCP_INFO)', last) };
  } finally {
    ws.closesocket(s);
  }
}

function tableText(r: Result): string {
  const rows: Array<[string, string, string]> = [];
  for (const [k, v] of Object.entries(r.tcpInfo)) {
    const value = k === 'State' ? `${v} (${tcpStateName(v as number)})` : String(v);
    rows.push([k, value, UNITS[k] ?? '']);
  }
  if (r.idealSendBacklog !== null) rows.push(['IdealSendBacklog', String(r.idealSendBacklog), UNITS.IdealSendBacklog!]);
  const where = r.address.includes(':') ? `[${r.address}]:${r.port}` : `${r.address}:${r.port}`;
  return `${where}  TCP_INFO_v${r.version}\n\n${table(['field', 'value', 'unit'], rows)}`;
}

function usage(io: CliIo, problem: string): number {
  io.err(`wsaioctl tcpinfo: ${problem}\nusage: wsaioctl tcpinfo ${USAGE}`);
  return EXIT_USAGE;
}

export const tcpinfoCommand: CliCommand = {
  name: 'tcpinfo',
  summary: 'Connect to host:port and show SIO_TCP_INFO (TCP_INFO_v0/v1/v2) for the connection',
  usage: USAGE,
  options: {
    // Not --version: that is the package's version in every command.
    'info-version': { type: 'string' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) return usage(io, positionals.length ? `unexpected argument '${positionals[1]}'` : 'missing host:port');
    const endpoint = parseEndpoint(positionals[0]!);
    if (!endpoint) return usage(io, `not host:port: '${positionals[0]}'`);
    let wanted: TcpInfoVersion | undefined;
    const asked = values['info-version'];
    if (asked !== undefined) {
      if (asked !== '0' && asked !== '1' && asked !== '2') return usage(io, `unknown TCP_INFO version '${String(asked)}'`);
      wanted = Number(asked) as TcpInfoVersion;
    }
    let addresses: string[];
    try {
      addresses = await addressesOf(endpoint.host);
    } catch (e) {
      io.err(`wsaioctl tcpinfo: cannot resolve '${endpoint.host}': ${(e as Error).message}`);
      return EXIT_FAILED;
    }
    if (ws.WSAStartup(0x0202, ws.newWSADATA()) !== 0) {
      io.err('wsaioctl tcpinfo: WSAStartup failed');
      return EXIT_FAILED;
    }
    try {
      const failures: string[] = [];
      for (const address of addresses) {
        const r = queryOne(address, endpoint.port, wanted);
        if ('error' in r) {
          failures.push(r.error);
          continue;
        }
        io.out(values.json
          ? JSON.stringify({ address: r.address, port: r.port, version: r.version, tcpInfo: plain(r.tcpInfo), stateName: tcpStateName(r.tcpInfo.State), idealSendBacklog: r.idealSendBacklog }, null, 2)
          : tableText(r));
        return EXIT_OK;
      }
      io.err(`wsaioctl tcpinfo: ${failures.join('; ') || `no address for '${endpoint.host}'`}`);
      return EXIT_FAILED;
    } finally {
      ws.WSACleanup();
    }
  },
};
