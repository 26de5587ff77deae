/**
 * `wsaioctl sort <address...>`: the addresses in the order a connection should try them, through
 * WSAIoctl(SIO_ADDRESS_LIST_SORT) on an AF_INET6 socket, with the source address the host would use
 * for each (a UDP connect() + getsockname(): nothing is sent) and the RFC 6724 rule that puts each
 * one ahead of the next. Only the public Winsock surface is used, so it runs on either backend.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import koffi from 'koffi';
import * as ws from '../../winsock/index.js';
import { errorName } from '../../errors/index.js';
import { isIPv4, isIPv6 } from 'node:net';
import { compareDestinations, RULES } from '../../backend/linux/address-selection/rfc6724.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, table, type CliCommand, type CliIo } from '../command.js';

const USAGE = '<address[%zone]>... [--json]   (IPv4, IPv6; zone = interface index or name)';

interface Target {
  given: string;
  sockaddr: Uint8Array;
}

interface Row {
  address: string;
  source: string | null;
  /** The RFC 6724 rule that puts this address ahead of the next one. */
  rule: number | null;
  ruleName: string | null;
}

/** A SOCKADDR_IN6 for the text (IPv4 becomes IPv4-mapped), or an error message. */
function target(given: string): Target | string {
  const percent = given.indexOf('%');
  const host = percent < 0 ? given : given.slice(0, percent);
  const zone = percent < 0 ? '' : given.slice(percent + 1);
  if (isIPv4(host) && percent < 0) return { given, sockaddr: ws.sockaddr(`::ffff:${host}`, 0) };
  if (!isIPv6(host)) return `not an IP address: '${given}'`;
  const scope = zone === '' ? 0 : /^\d+$/.test(zone) ? Number(zone) : zoneIndex(zone);
  if (scope === undefined || scope > 0xffffffff) return `unknown zone '${zone}' in '${given}'`;
  return { given, sockaddr: ws.sockaddr(host, 0, scope) };
}

/**
 * Interface index of an interface name: from the scope ids Node reports for its link-local IPv6
 * addresses, else (Linux) /sys/class/net/<name>/ifindex.
 */
function zoneIndex(name: string): number | undefined {
  const fromNode = networkInterfaces()[name]?.find((a) => a.family === 'IPv6' && a.scopeid)?.scopeid;
  if (fromNode) return fromNode;
  if (!/^[\w.:-]+$/.test(name)) return undefined;
  try {
    const index = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
    return Number.isInteger(index) && index > 0 ? index : undefined;
  } catch {
    return undefined;
  }
}

function textOf(sa: Uint8Array): string {
  const info = ws.parseSockaddr(sa);
  const address = ws.unmappedText(info.address);
  return info.scopeId ? `${address}%${info.scopeId}` : address;
}

/** The source address the host picks for `sa`, or null when it has none (no route). */
function sourceFor(sa: Uint8Array): Uint8Array | null {
  const s = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  if (s === ws.INVALID_SOCKET) return null;
  try {
    ws.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, new Uint8Array(4), 4);
    const peer = sa.slice();
    new DataView(peer.buffer).setUint16(2, 9, false); // any port: a UDP connect sends nothing
    if (ws.connect(s, peer, peer.length) !== 0) return null;
    const local = new Uint8Array(ws.SOCKADDR_IN6_SIZE);
    const len = { value: local.length };
    return ws.getsockname(s, local, len) === 0 ? local : null;
  } finally {
    ws.closesocket(s);
  }
}

/** Run the ioctl in place; the sorted SOCKADDR_IN6s, or the Winsock error. */
function sortThroughWinsock(targets: Target[]): Uint8Array[] | number {
  const sockaddrs = targets.map((t) => t.sockaddr);
  const buf = new Uint8Array(ws.socketAddressListSize(sockaddrs));
  ws.encodeSocketAddressList(sockaddrs, buf, koffi.address(buf) as bigint);
  const s = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  if (s === ws.INVALID_SOCKET) return ws.WSAGetLastError();
  try {
    const bytes = { value: 0 };
    const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_SORT, buf, buf.length, buf, buf.length, bytes, null, null);
    if (rc !== 0) return ws.WSAGetLastError();
    // Follow the pointers the provider wrote: into this buffer (copies) or at the originals.
    return readSorted(buf);
  } finally {
    ws.closesocket(s);
  }
}

function readSorted(buf: Uint8Array): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getInt32(0, true);
  const base = koffi.address(buf) as bigint;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const offset = Number(view.getBigUint64(ws.SOCKET_ADDRESS_LIST_HEADER + ws.SOCKET_ADDRESS_SIZE * i, true) - base);
    if (offset < 0 || offset + ws.SOCKADDR_IN6_SIZE > buf.length) throw new RangeError(`entry ${i} points outside the list`);
    out.push(buf.slice(offset, offset + ws.SOCKADDR_IN6_SIZE));
  }
  return out;
}

function explain(sorted: Uint8Array[]): Row[] {
  const facts = sorted.map((sa) => {
    const source = sourceFor(sa);
    return { sa, address: sa.slice(8, 24), source, sourceAddress: source ? source.slice(8, 24) : null };
  });
  return facts.map((f, i) => {
    const next = facts[i + 1];
    let rule: number | null = null;
    if (next) {
      const r = compareDestinations(
        f.address, f.sourceAddress ? { address: f.sourceAddress } : null,
        next.address, next.sourceAddress ? { address: next.sourceAddress } : null,
      );
      // An order the default policy would not give (a changed prefix policy table, on Windows).
      rule = r.order < 0 ? r.rule : null;
    }
    return {
      address: textOf(f.sa),
      source: f.source ? textOf(f.source) : null,
      rule,
      ruleName: rule === null ? (next ? 'not the default RFC 6724 order' : null) : RULES[rule]!,
    };
  });
}

function print(io: CliIo, rows: Row[], dropped: string[]): void {
  io.out(table(
    ['#', 'address', 'source', 'ahead of the next by'],
    rows.map((r, i) => [i + 1, r.address, r.source ?? '(none: unreachable)', r.rule === null ? (r.ruleName ?? '-') : `rule ${r.rule}: ${r.ruleName}`]),
  ));
  if (dropped.length) io.out(`\ndropped as invalid: ${dropped.join(', ')}`);
}

export const sortCommand: CliCommand = {
  name: 'sort',
  summary: 'Sort destination addresses in RFC 6724 order (SIO_ADDRESS_LIST_SORT), with the source for each',
  usage: USAGE,
  options: {},
  run({ values, positionals }, io) {
    if (positionals.length === 0) {
      io.err(`wsaioctl sort: no address given\nusage: wsaioctl sort ${USAGE}`);
      return EXIT_USAGE;
    }
    const targets: Target[] = [];
    for (const p of positionals) {
      const t = target(p);
      if (typeof t === 'string') {
        io.err(`wsaioctl sort: ${t}\nusage: wsaioctl sort ${USAGE}`);
        return EXIT_USAGE;
      }
      targets.push(t);
    }
    if (ws.WSAStartup(0x0202, ws.newWSADATA()) !== 0) {
      io.err(`wsaioctl sort: WSAStartup failed (${errorName(ws.WSAGetLastError())})`);
      return EXIT_FAILED;
    }
    try {
      const sorted = sortThroughWinsock(targets);
      if (typeof sorted === 'number') {
        io.err(`wsaioctl sort: WSAIoctl(SIO_ADDRESS_LIST_SORT) failed: ${errorName(sorted)}`);
        return EXIT_FAILED;
      }
      const rows = explain(sorted);
      const kept = new Set(rows.map((r) => r.address));
      const dropped = targets.map((t) => textOf(t.sockaddr)).filter((a) => !kept.has(a));
      if (values.json) io.out(JSON.stringify({ backend: ws.backendName, sorted: rows, dropped }, null, 2));
      else print(io, rows, dropped);
      return EXIT_OK;
    } finally {
      ws.WSACleanup();
    }
  },
};
