/**
 * `wsaioctl capture`: print the IP packets passing one interface, one line each (time, protocol,
 * source, destination, length), as Windows' own capture socket sees them: a raw socket
 * (AF_INET / SOCK_RAW / IPPROTO_IP, or AF_INET6 / IPPROTO_IPV6) bound to a local address, then
 * WSAIoctl(SIO_RCVALL, RCVALL_IPLEVEL, or RCVALL_ON with --promiscuous). Incoming and outgoing
 * packets of that interface, each from its IP header on. Only the public Winsock surface, so it
 * runs on either backend.
 *
 * `--interface ADDR` names the interface by one of its addresses (the family follows it); an
 * interface name or a decimal index instead selects it by index on an unbound socket with
 * SIO_RCVALL_IF (--family picks the family). Without it, the first address SIO_ADDRESS_LIST_QUERY
 * lists for --family (IPv4 by default). `--count N`
 * ends after N packets, `--duration S` after S seconds; SIGINT / SIGTERM end it cleanly (exit 0).
 * Without the privilege (Windows: administrator; Linux: CAP_NET_RAW) the raw socket is refused
 * with WSAEACCES: a message saying so, exit 1.
 */
import * as ws from '../../winsock/index.js';
import { errorName } from '../../errors/index.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand, type CliIo } from '../command.js';
import { FAMILY_OPTIONS, isFamilyFlag, parseFamily, type Family } from '../family.js';
import { growingIoctl, ioctlName, WinsockFailure, withSocket } from './network-common.js';

const USAGE = '[--interface ADDR|NAME|INDEX] [--family 4|6 | -4 | -6] [--count N] [--duration S] [--promiscuous] [--json]\n\n' +
  '  --interface ADDR  capture on the interface holding this local address (IPv4 or IPv6)\n' +
  '                    (default: the first address SIO_ADDRESS_LIST_QUERY lists for the family)\n' +
  '  --interface NAME|INDEX  capture on this interface (a name, or digits: an index) with\n' +
  '                    SIO_RCVALL_IF, for --family (IPv4 by default); what Windows answers to\n' +
  '                    SIO_RCVALL_IF is not published\n' +
  '  --count N         stop after N packets\n' +
  '  --duration S      stop after S seconds\n' +
  '  --promiscuous     RCVALL_ON (the NIC in promiscuous mode) instead of RCVALL_IPLEVEL\n' +
  '  --json            one object per packet: {time, family, protocol, protocolNumber, source,\n' +
  '                    destination, length}\n\n' +
  'Runs until interrupted (SIGINT / SIGTERM: exit 0). Needs administrator rights (Linux: CAP_NET_RAW).';

const PROTOCOLS: Record<number, string> = { 0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 132: 'SCTP' };

/** What one printed line says about a packet. */
export interface CapturedPacket {
  time: string;
  family: Family;
  protocol: string;
  protocolNumber: number;
  source: string;
  destination: string;
  /** The IP datagram's length as received (header included). */
  length: number;
}

/** The facts of a packet that starts at its IP header, or null when it is too short to tell. */
export function describePacket(data: Uint8Array, time: Date): CapturedPacket | null {
  const version = (data[0] ?? 0) >> 4;
  if (version === 4 && data.length >= 20) {
    const protocolNumber = data[9]!;
    return {
      time: time.toISOString(), family: 'IPv4', protocol: PROTOCOLS[protocolNumber] ?? String(protocolNumber), protocolNumber,
      source: ws.decodeIPv4(data.subarray(12, 16)), destination: ws.decodeIPv4(data.subarray(16, 20)), length: data.length,
    };
  }
  if (version === 6 && data.length >= 40) {
    const protocolNumber = data[6]!;
    return {
      time: time.toISOString(), family: 'IPv6', protocol: PROTOCOLS[protocolNumber] ?? String(protocolNumber), protocolNumber,
      source: ws.decodeIPv6(data.subarray(8, 24)), destination: ws.decodeIPv6(data.subarray(24, 40)), length: data.length,
    };
  }
  return null;
}

function positiveNumber(name: string, value: unknown, integer: boolean): number | undefined | string {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0) || (integer && !Number.isSafeInteger(n))) return `--${name} takes a positive ${integer ? 'integer' : 'number'}, not '${text}'`;
  return n;
}

/** The first local address of `family` (SIO_ADDRESS_LIST_QUERY), or null. */
function firstAddress(family: Family): string | null | WinsockFailure {
  const af = family === 'IPv6' ? ws.AF_INET6 : ws.AF_INET;
  const answer = withSocket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP, (s) => growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 512));
  if (answer instanceof WinsockFailure) return answer;
  const first = ws.decodeSocketAddressList(answer.out.subarray(0, answer.bytes), answer.base)[0];
  if (!first) return null;
  const info = ws.parseSockaddr(first.sockaddr);
  return info.scopeId ? `${info.address}%${info.scopeId}` : info.address;
}

/** Where to capture: on the interface of a local address (bind, SIO_RCVALL) or by index (SIO_RCVALL_IF). */
type CaptureTarget = { readonly name: Uint8Array } | { readonly index: number; readonly ipv6: boolean };

/** An interface named by name or decimal index: its index, or null when there is none. */
function interfaceIndex(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const index = Number(text);
    return index > 0 && index <= 0xffffffff ? index : null;
  }
  const index = ws.queryInterfaceIndex(text);
  return index > 0 ? index : null;
}

/** `addr` as a sockaddr with port 0 (an IPv6 zone after '%'), or null when it is not an address literal. */
function localSockaddr(text: string): Uint8Array | null {
  const [address = '', zone] = text.split('%');
  try {
    return ws.sockaddr(address, 0, zone !== undefined && /^\d+$/.test(zone) ? Number(zone) : undefined);
  } catch {
    return null;
  }
}

export const captureCommand: CliCommand = {
  name: 'capture',
  summary: 'Print the IP packets passing an interface, both directions (raw socket + SIO_RCVALL)',
  usage: USAGE,
  options: {
    interface: { type: 'string' },
    ...FAMILY_OPTIONS,
    count: { type: 'string' },
    duration: { type: 'string' },
    promiscuous: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    const usage = (message: string): number => {
      io.err(`wsaioctl capture: ${message}\nusage: wsaioctl capture ${USAGE.split('\n')[0]}`);
      return EXIT_USAGE;
    };
    const extra = positionals.find((p) => !isFamilyFlag(p));
    if (extra !== undefined) return usage(`unexpected argument '${extra}'`);
    const parsedFamily = parseFamily(values, positionals);
    if ('error' in parsedFamily) return usage(parsedFamily.error);
    const count = positiveNumber('count', values.count, true);
    if (typeof count === 'string') return usage(count);
    const duration = positiveNumber('duration', values.duration, false);
    if (typeof duration === 'string') return usage(duration);
    // An address literal names the interface by address; anything else is a name or an index.
    let name = values.interface !== undefined ? localSockaddr(String(values.interface)) : null;
    const byName = values.interface !== undefined && name === null;
    if (name !== null) {
      const af = ws.parseSockaddr(name).family === ws.AF_INET6 ? 'IPv6' : 'IPv4';
      if (parsedFamily.family !== null && parsedFamily.family !== af) return usage(`--family ${parsedFamily.family === 'IPv4' ? 4 : 6} does not match the ${af} address`);
    }
    if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) {
      io.err(`wsaioctl capture: WSAStartup failed (${errorName(ws.WSAGetLastError())})`);
      return EXIT_FAILED;
    }
    try {
      const plan = { count, duration, promiscuous: values.promiscuous === true, json: values.json === true };
      if (byName) {
        const index = interfaceIndex(String(values.interface));
        if (index === null) {
          io.err(`wsaioctl capture: no interface '${String(values.interface)}'`);
          return EXIT_FAILED;
        }
        return await capture(io, { ...plan, target: { index, ipv6: parsedFamily.family === 'IPv6' } });
      }
      if (name === null) {
        const family = parsedFamily.family ?? 'IPv4';
        const first = firstAddress(family);
        if (first instanceof WinsockFailure) return failed(io, first);
        if (first === null) {
          io.err(`wsaioctl capture: no ${family} address to capture on; name one with --interface`);
          return EXIT_FAILED;
        }
        name = localSockaddr(first)!;
      }
      return await capture(io, { ...plan, target: { name } });
    } finally {
      ws.WSACleanup();
    }
  },
};

function failed(io: CliIo, failure: WinsockFailure): number {
  if (failure.error === ws.WSAEACCES) {
    io.err(`wsaioctl capture: ${failure.text}: capturing needs administrator rights (on Linux: the CAP_NET_RAW capability, e.g. run as root)`);
  } else {
    io.err(`wsaioctl capture: ${failure.text}`);
  }
  return EXIT_FAILED;
}

interface CapturePlan {
  target: CaptureTarget;
  count: number | undefined;
  duration: number | undefined;
  promiscuous: boolean;
  json: boolean;
}

/** Open the capture socket, then print packets until the count, the duration or a signal. */
async function capture(io: CliIo, plan: CapturePlan): Promise<number> {
  const { target } = plan;
  const ipv6 = 'name' in target ? ws.parseSockaddr(target.name).family === ws.AF_INET6 : target.ipv6;
  const s = ws.WSASocketW(ipv6 ? ws.AF_INET6 : ws.AF_INET, ws.SOCK_RAW, ipv6 ? ws.IPPROTO_IPV6 : ws.IPPROTO_IP, null, 0, 0);
  if (s === ws.INVALID_SOCKET) return failed(io, new WinsockFailure('socket(SOCK_RAW)', ws.WSAGetLastError()));
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const timer = plan.duration !== undefined ? setTimeout(stop, plan.duration * 1000) : null;
  try {
    if ('name' in target && ws.bind(s, target.name, target.name.length) !== 0) return failed(io, new WinsockFailure('bind', ws.WSAGetLastError()));
    // RCVALL_VALUE, or RCVALL_IF { Mode, Interface index } for the index form (no bind needed).
    const value = new Uint8Array('name' in target ? 4 : 8);
    const view = new DataView(value.buffer);
    view.setUint32(0, plan.promiscuous ? ws.RCVALL_ON : ws.RCVALL_IPLEVEL, true);
    if (!('name' in target)) view.setUint32(4, target.index, true);
    const code = 'name' in target ? ws.SIO_RCVALL : ws.SIO_RCVALL_IF;
    if (ws.WSAIoctl(s, code, value, value.length, null, 0, { value: 0 }, null, null) !== 0) {
      return failed(io, new WinsockFailure(ioctlName(code), ws.WSAGetLastError()));
    }
    if (ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }) !== 0) return failed(io, new WinsockFailure('ioctlsocket(FIONBIO)', ws.WSAGetLastError()));
    const buffer = new Uint8Array(65535 + 40);
    let printed = 0;
    while (!controller.signal.aborted) {
      // Wait without blocking the event loop (signals and the duration timer still run), a quarter second at most.
      const fds: ws.WSAPOLLFD[] = [{ fd: s, events: ws.POLLRDNORM, revents: 0 }];
      if (await ws.WSAPollAsync(fds, 1, 250) === ws.SOCKET_ERROR) return failed(io, new WinsockFailure('WSAPoll', ws.WSAGetLastError()));
      // Take what is queued now, then wait again.
      for (;;) {
        if (controller.signal.aborted) break;
        const n = ws.recv(s, buffer, buffer.length, 0);
        if (n === ws.SOCKET_ERROR) {
          const error = ws.WSAGetLastError();
          if (error === ws.WSAEWOULDBLOCK) break;
          return failed(io, new WinsockFailure('recv', error));
        }
        const packet = describePacket(buffer.subarray(0, n), new Date());
        if (packet === null) continue;
        io.out(plan.json ? JSON.stringify(packet) : `${packet.time}  ${packet.protocol.padEnd(6)}  ${packet.source} -> ${packet.destination}  ${packet.length} bytes`);
        if (plan.count !== undefined && ++printed >= plan.count) {
          controller.abort();
          break;
        }
      }
    }
    return EXIT_OK;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ws.closesocket(s);
  }
}
