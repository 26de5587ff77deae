/**
 * Runs inside a network namespace made by netns-run.ts (never on the host): multicast source
 * filters on real traffic. A veth pair v0 / v1: the receiver listens on v0 (198.51.100.1,
 * 2001:db8::1), two senders bound to 198.51.100.2 and 198.51.100.3 on v1 send to the group
 * 239.1.2.3 (a source-bound IPv4 multicast leaves by the interface of its source), which crosses
 * the veth to v0. Documentation ranges only; nothing leaves the namespace. Prints one JSON line.
 */
import * as ws from 'wsaioctl/winsock';
import { setupLinks, sh } from './netns-run.js';
import { check, sleepSync, waitUntil } from './sockets.js';

const out = (result: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(result) + '\n'); };
const GROUP = [239, 1, 2, 3];
const GROUP6 = 'ff12::1:2';

function setup(): void {
  setupLinks();
  sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v0');
  sh('ip', 'addr', 'add', '198.51.100.2/24', 'dev', 'v1');
  sh('ip', 'addr', 'add', '198.51.100.3/24', 'dev', 'v1');
  sh('ip', 'addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad');
  // The senders' addresses are this host's own: v0 must accept them arriving from the wire.
  sh('sysctl', '-q', '-w', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.v0.rp_filter=0',
    'net.ipv4.conf.v0.accept_local=1');
}

const ifindex = (name: string): number => Number(/^(\d+):/.exec(sh('ip', '-o', 'link', 'show', name))![1]);

interface Call { rc: number; error: number; bytes: number }
function ioctl(s: number, code: number, input: Uint8Array | null, output: Uint8Array | null): Call {
  const bytes = { value: 0xdeadbeef };
  const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, output, output?.length ?? 0, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

const v4 = (text: string): Uint8Array => Uint8Array.from(text.split('.').map(Number));

function setFilter(s: number, iface: Uint8Array, mode: number, sources: string[]): Call {
  return ioctl(s, ws.SIO_SET_MULTICAST_FILTER, ws.encodeIpMsfilter({ multiaddr: Uint8Array.from(GROUP), interface: iface, fmode: mode, sources: sources.map(v4) }), null);
}

function getFilter(s: number, iface: Uint8Array, room: number): Call & { filter?: { fmode: number; numsrc: number; sources: string[] } } {
  const buf = ws.encodeIpMsfilter({ multiaddr: Uint8Array.from(GROUP), interface: iface, numsrc: room });
  const r = ioctl(s, ws.SIO_GET_MULTICAST_FILTER, buf, buf);
  if (r.rc !== 0) return r;
  const f = ws.decodeIpMsfilter(buf, r.bytes);
  return { ...r, filter: { fmode: f.fmode, numsrc: f.numsrc, sources: f.sources.map((a) => [...a].join('.')) } };
}

function sender(address: string): number {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const name = ws.sockaddr(address, 0);
  check(ws.bind(s, name, name.length), 'bind');
  return s;
}

/**
 * Each sender sends one datagram (its own text), then the marker sender sends "marker"; twice
 * over, so that what the first round let through has surely arrived. Returns the texts received,
 * in order, up to the second marker.
 */
function exchange(receiver: number, port: number, senders: number[], marker: number): string[] {
  const to = ws.sockaddr(`${GROUP.join('.')}`, port);
  const got: string[] = [];
  for (let round = 0; round < 2; round++) {
    for (const s of senders) {
      const text = new TextEncoder().encode(`from-${senders.indexOf(s)}`);
      check(ws.sendto(s, text, text.length, 0, to, to.length), 'sendto');
    }
    const m = new TextEncoder().encode('marker');
    check(ws.sendto(marker, m, m.length, 0, to, to.length), 'sendto marker');
    const buf = new Uint8Array(64);
    let seen = false;
    waitUntil(() => {
      for (let i = 0; i < 16; i++) {
        const n = ws.recv(receiver, buf, buf.length, 0);
        if (n === ws.SOCKET_ERROR) return seen;
        const text = new TextDecoder().decode(buf.subarray(0, n));
        got.push(text);
        if (text === 'marker') seen = true;
      }
      return seen;
    }, 400, 5);
  }
  return got;
}

setup();
sleepSync(50);
ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
const v0 = ifindex('v0');
const byAddress = v4('198.51.100.1');
const byIndex = Uint8Array.from([0, (v0 >> 16) & 0xff, (v0 >> 8) & 0xff, v0 & 0xff]);

const receiver = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
const any = ws.sockaddr('0.0.0.0', 0);
check(ws.bind(receiver, any, any.length), 'bind');
const port = ws.parseSockaddr((() => { const n = new Uint8Array(16); ws.getsockname(receiver, n, { value: 16 }); return n; })()).port;
check(ws.ioctlsocket(receiver, ws.FIONBIO, { value: 1 }), 'FIONBIO');
const a = sender('198.51.100.2');
const b = sender('198.51.100.3');

const result: Record<string, unknown> = {};
result.getBeforeJoin = getFilter(receiver, byAddress, 4);
// EXCLUDE{} on a group not joined joins it (final-state programming).
result.setExcludeNone = setFilter(receiver, byAddress, ws.MCAST_EXCLUDE, []);
result.getExcludeNone = getFilter(receiver, byAddress, 4);
result.trafficExcludeNone = exchange(receiver, port, [a, b], a);
result.setInclude = setFilter(receiver, byAddress, ws.MCAST_INCLUDE, ['198.51.100.2']);
result.getInclude = getFilter(receiver, byAddress, 4);
result.trafficInclude = exchange(receiver, port, [a, b], a);
result.setExclude = setFilter(receiver, byIndex, ws.MCAST_EXCLUDE, ['198.51.100.2', '203.0.113.9']);
result.getExcludeByIndex = getFilter(receiver, byIndex, 4);
result.getExcludeRoomOne = getFilter(receiver, byAddress, 1);
result.getExcludeRoomNone = getFilter(receiver, byAddress, 0);
result.trafficExclude = exchange(receiver, port, [a, b], b);
// The protocol-independent form sees the same filter.
{
  const group = ws.sockaddr(GROUP.join('.'), 0);
  const buf = ws.encodeGroupFilter({ interfaceIndex: v0, group, numsrc: 4 });
  const r = ioctl(receiver, ws.SIOCGMSFILTER, buf, buf);
  const f = r.rc === 0 ? ws.decodeGroupFilter(buf, r.bytes) : null;
  result.groupFilterGet = { ...r, fmode: f?.fmode, numsrc: f?.numsrc, sources: f?.sources.map((s) => ws.parseSockaddr(s).address) };
}
result.setIncludeNone = setFilter(receiver, byAddress, ws.MCAST_INCLUDE, []);
result.getAfterLeave = getFilter(receiver, byAddress, 4);
result.setIncludeNoneAgain = setFilter(receiver, byAddress, ws.MCAST_INCLUDE, []);
result.trafficAfterLeave = exchange(receiver, port, [b], a).filter((t) => t !== 'marker');

// IPv6, through GROUP_FILTER: the family (23) and the mode cross translated.
{
  const r6 = check(ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const any6 = ws.sockaddr('::', 0);
  check(ws.bind(r6, any6, any6.length), 'bind');
  const group = ws.sockaddr(GROUP6, 0);
  const sources = ['2001:db8::2', '2001:db8::3'].map((t) => ws.sockaddr(t, 0));
  const set = ioctl(r6, ws.SIOCSMSFILTER, ws.encodeGroupFilter({ interfaceIndex: v0, group, fmode: ws.MCAST_INCLUDE, sources }), null);
  const buf = ws.encodeGroupFilter({ interfaceIndex: v0, group, numsrc: 4 });
  const get = ioctl(r6, ws.SIOCGMSFILTER, buf, buf);
  const f = get.rc === 0 ? ws.decodeGroupFilter(buf, get.bytes) : null;
  const mixed = ioctl(r6, ws.SIOCSMSFILTER, ws.encodeGroupFilter({ interfaceIndex: v0, group, fmode: ws.MCAST_INCLUDE, sources: [ws.sockaddr('192.0.2.1', 0)] }), null);
  result.ipv6 = {
    set, get, fmode: f?.fmode, numsrc: f?.numsrc,
    families: f?.sources.map((s) => s[0]! | (s[1]! << 8)), sources: f?.sources.map((s) => ws.parseSockaddr(s).address),
    groupFamily: f ? f.group[0]! | (f.group[1]! << 8) : null, mixed,
  };
  ws.closesocket(r6);
}
out(result);
for (const s of [receiver, a, b]) ws.closesocket(s);
ws.WSACleanup();
