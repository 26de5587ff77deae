/**
 * Runs inside a network namespace made by netns-run.ts (never on the host): which interface a
 * UDP socket's unicast leaves by, with and without IP_UNICAST_IF / IPV6_UNICAST_IF. Two veth
 * ends, v0 (198.51.100.1, 2001:db8:1::1) and v1 (192.0.2.1, 2001:db8:2::1), both with a route to
 * 203.0.113.0/24 and 2001:db8:3::/64, v1's preferred. A connected UDP socket's local address
 * names the interface the kernel chose (connect sends nothing). Prints one JSON line.
 */
import * as ws from 'wsaioctl/winsock';
import { setupLinks, sh } from './netns-run.js';
import { check } from './sockets.js';

setupLinks();
sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v0');
sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v1');
sh('ip', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'v0', 'nodad');
sh('ip', 'addr', 'add', '2001:db8:2::1/64', 'dev', 'v1', 'nodad');
sh('ip', 'route', 'add', '203.0.113.0/24', 'dev', 'v1', 'metric', '10');
sh('ip', 'route', 'add', '203.0.113.0/24', 'dev', 'v0', 'metric', '100');
sh('ip', '-6', 'route', 'add', '2001:db8:3::/64', 'dev', 'v1', 'metric', '10');
sh('ip', '-6', 'route', 'add', '2001:db8:3::/64', 'dev', 'v0', 'metric', '100');
const v0 = Number(/^(\d+):/.exec(sh('ip', '-o', 'link', 'show', 'v0'))![1]);

ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());

const u32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
const htonl = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

function sourceFor(af: number, to: string, option: { level: number; name: number; value: number } | null): Record<string, unknown> {
  const s = check(ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  try {
    let set = 0;
    let got: number | null = null;
    if (option) {
      set = ws.setsockopt(s, option.level, option.name, u32(option.value), 4) === 0 ? 0 : ws.WSAGetLastError();
      const out = new Uint8Array(4);
      const len = { value: 4 };
      got = ws.getsockopt(s, option.level, option.name, out, len) === 0 ? new DataView(out.buffer).getUint32(0, true) : -ws.WSAGetLastError();
    }
    const name = ws.sockaddr(to, 9);
    const connect = ws.connect(s, name, name.length) === 0 ? 0 : ws.WSAGetLastError();
    const local = new Uint8Array(28);
    ws.getsockname(s, local, { value: 28 });
    return { set, got, connect, source: ws.parseSockaddr(local).address };
  } finally {
    ws.closesocket(s);
  }
}

const bogus = ((): number => {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const rc = ws.setsockopt(s, ws.IPPROTO_IP, ws.IP_UNICAST_IF, u32(htonl(9999)), 4);
  const error = rc === 0 ? 0 : ws.WSAGetLastError();
  ws.closesocket(s);
  return error;
})();

process.stdout.write(JSON.stringify({
  v0,
  v4Plain: sourceFor(ws.AF_INET, '203.0.113.5', null),
  v4Pinned: sourceFor(ws.AF_INET, '203.0.113.5', { level: ws.IPPROTO_IP, name: ws.IP_UNICAST_IF, value: htonl(v0) }),
  v6Plain: sourceFor(ws.AF_INET6, '2001:db8:3::5', null),
  v6Pinned: sourceFor(ws.AF_INET6, '2001:db8:3::5', { level: ws.IPPROTO_IPV6, name: ws.IPV6_UNICAST_IF, value: v0 }),
  bogus,
}) + '\n');
ws.WSACleanup();
