/**
 * The multicast source filters: SIO_SET_MULTICAST_FILTER / SIO_GET_MULTICAST_FILTER (ip_msfilter)
 * and SIOCSMSFILTER / SIOCGMSFILTER (GROUP_FILTER), on real traffic inside a network namespace
 * (helpers/multicast-filter-child.ts; documentation addresses only).
 *
 * Windows facts: MCAST_INCLUDE = 0, MCAST_EXCLUDE = 1, imsf_interface an address or 0.x.x.x
 * index (Microsoft, IP_MSFILTER structure page); gf_interface an index, valid only on datagram and
 * raw sockets (GROUP_FILTER page); the get forms fill the caller's buffer in place, numsrc giving
 * the room going in and the filter's count coming out (ws2tcpip.h getipv4sourcefilter /
 * getsourcefilter); setting a filter is how final-state programs join and leave (Microsoft,
 * "Final-State-Based Multicast Programming"; RFC 3678 §4.1.2). The argument errors are inferred
 * (handlers/multicast-filter.ts says which).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, ioctl, startup, withSocket } from './helpers/sockets.js';
import { netnsAvailable, runInNetns } from './helpers/netns-run.js';

const CHILD = new URL('./helpers/multicast-filter-child.js', import.meta.url);
const skip = netnsAvailable() ?? false;

before(startup);
after(cleanup);

interface Call { rc: number; error: number; bytes: number }
interface Get extends Call { filter?: { fmode: number; numsrc: number; sources: string[] } }

const GROUP = Uint8Array.from([239, 1, 2, 3]);

describe('multicast source filters on real traffic (network namespace)', { skip }, () => {
  let r: Record<string, unknown> = {};
  before(async () => {
    const run = await runInNetns(CHILD, [], 30_000);
    assert.equal(run.code, 0, run.stderr);
    r = run.results[0] as Record<string, unknown>;
  });
  const call = (key: string): Call => r[key] as Call;
  const get = (key: string): Get => r[key] as Get;

  test('a get on a group the socket has not joined fails (WSAEADDRNOTAVAIL)', () => {
    assert.equal(get('getBeforeJoin').rc, ws.SOCKET_ERROR);
    assert.equal(get('getBeforeJoin').error, ws.WSAEADDRNOTAVAIL);
  });

  test('EXCLUDE{} joins the group: every source is received, and the get says EXCLUDE with no sources', () => {
    assert.deepEqual(call('setExcludeNone'), { rc: 0, error: 0, bytes: 0 });
    assert.deepEqual(get('getExcludeNone').filter, { fmode: ws.MCAST_EXCLUDE, numsrc: 0, sources: [] });
    assert.equal(get('getExcludeNone').bytes, ws.ipMsfilterSize(0));
    const traffic = r.trafficExcludeNone as string[];
    assert.ok(traffic.includes('from-0') && traffic.includes('from-1'), JSON.stringify(traffic));
  });

  test('INCLUDE{198.51.100.2}: only that source gets through; the get returns mode 0 (Windows\' MCAST_INCLUDE) and the list', () => {
    assert.equal(call('setInclude').rc, 0);
    assert.deepEqual(get('getInclude').filter, { fmode: ws.MCAST_INCLUDE, numsrc: 1, sources: ['198.51.100.2'] });
    assert.equal(get('getInclude').bytes, ws.ipMsfilterSize(1));
    const traffic = r.trafficInclude as string[];
    assert.ok(traffic.includes('from-0'), JSON.stringify(traffic));
    assert.ok(!traffic.includes('from-1'), `the excluded source got through: ${JSON.stringify(traffic)}`);
  });

  test('EXCLUDE{198.51.100.2, 203.0.113.9} set by interface index (0.x.x.x): that source is dropped', () => {
    assert.equal(call('setExclude').rc, 0, JSON.stringify(call('setExclude')));
    const byIndex = get('getExcludeByIndex').filter!;
    assert.equal(byIndex.fmode, ws.MCAST_EXCLUDE);
    assert.deepEqual([...byIndex.sources].sort(), ['198.51.100.2', '203.0.113.9']);
    const traffic = r.trafficExclude as string[];
    assert.ok(traffic.includes('from-1'), JSON.stringify(traffic));
    assert.ok(!traffic.includes('from-0'), `the excluded source got through: ${JSON.stringify(traffic)}`);
  });

  test('a get with room for fewer sources than the filter has: the count is the filter\'s, only the room is written', () => {
    const one = get('getExcludeRoomOne');
    assert.equal(one.rc, 0);
    assert.equal(one.filter!.numsrc, 2);
    assert.equal(one.filter!.sources.length, 1);
    assert.equal(one.bytes, ws.ipMsfilterSize(1));
    const none = get('getExcludeRoomNone');
    assert.equal(none.rc, 0);
    assert.equal(none.filter!.numsrc, 2);
    assert.equal(none.bytes, ws.ipMsfilterSize(0));
  });

  test('SIOCGMSFILTER sees the same IPv4 filter as a GROUP_FILTER with Windows sockaddrs', () => {
    const g = r.groupFilterGet as Call & { fmode: number; numsrc: number; sources: string[] };
    assert.equal(g.rc, 0, JSON.stringify(g));
    assert.equal(g.fmode, ws.MCAST_EXCLUDE);
    assert.equal(g.numsrc, 2);
    assert.deepEqual([...g.sources].sort(), ['198.51.100.2', '203.0.113.9']);
    assert.equal(g.bytes, ws.groupFilterSize(2));
  });

  test('INCLUDE{} leaves the group (nothing more arrives); again on a group not joined, it succeeds', () => {
    assert.equal(call('setIncludeNone').rc, 0);
    assert.equal(get('getAfterLeave').error, ws.WSAEADDRNOTAVAIL);
    assert.equal(call('setIncludeNoneAgain').rc, 0);
    assert.deepEqual(r.trafficAfterLeave, []);
  });

  test('IPv6 through SIOCSMSFILTER / SIOCGMSFILTER: family 23 and the INCLUDE mode cross both ways; a source of another family is WSAEINVAL', () => {
    const v6 = r.ipv6 as { set: Call; get: Call; fmode: number; numsrc: number; families: number[]; sources: string[]; groupFamily: number; mixed: Call };
    assert.equal(v6.set.rc, 0, JSON.stringify(v6.set));
    assert.equal(v6.get.rc, 0, JSON.stringify(v6.get));
    assert.equal(v6.fmode, ws.MCAST_INCLUDE);
    assert.equal(v6.numsrc, 2);
    assert.deepEqual(v6.families, [ws.AF_INET6, ws.AF_INET6]);
    assert.equal(v6.groupFamily, ws.AF_INET6);
    assert.deepEqual([...v6.sources].sort(), ['2001:db8::2', '2001:db8::3']);
    assert.equal(v6.mixed.error, ws.WSAEINVAL);
  });
});

describe('multicast source filter arguments (refused before anything is joined)', () => {
  const filter = (mode: number, sources: Uint8Array[] = []): Buffer =>
    ws.encodeIpMsfilter({ multiaddr: GROUP, interface: Uint8Array.from([127, 0, 0, 1]), fmode: mode, sources });

  test('a stream socket: WSAEINVAL for all four codes (GROUP_FILTER page: datagram and raw sockets only)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const buf = ws.encodeGroupFilter({ group: ws.sockaddr('239.1.2.3', 0), fmode: ws.MCAST_EXCLUDE });
      for (const [code, input] of [[ws.SIO_SET_MULTICAST_FILTER, filter(ws.MCAST_EXCLUDE)], [ws.SIO_GET_MULTICAST_FILTER, filter(0)], [ws.SIOCSMSFILTER, buf], [ws.SIOCGMSFILTER, buf]] as const) {
        const r = ioctl(s, code, input, input.length, input, input.length);
        assert.deepEqual(r, { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 }, code.toString(16));
      }
    });
  });

  test('a buffer shorter than the header, or than the list it claims: WSAEFAULT, input unchanged', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const f = filter(ws.MCAST_EXCLUDE, [Uint8Array.from([192, 0, 2, 1])]);
      const copy = Buffer.from(f);
      assert.equal(ioctl(s, ws.SIO_SET_MULTICAST_FILTER, f, 15, null, 0).error, ws.WSAEFAULT);
      assert.equal(ioctl(s, ws.SIO_SET_MULTICAST_FILTER, f, 19, null, 0).error, ws.WSAEFAULT);
      const g = ws.encodeGroupFilter({ group: ws.sockaddr('239.1.2.3', 0), fmode: ws.MCAST_EXCLUDE, sources: [ws.sockaddr('192.0.2.1', 0)] });
      assert.equal(ioctl(s, ws.SIOCSMSFILTER, g, 143, null, 0).error, ws.WSAEFAULT);
      assert.equal(ioctl(s, ws.SIOCSMSFILTER, g, g.length - 1, null, 0).error, ws.WSAEFAULT);
      const out = new Uint8Array(15);
      assert.equal(ioctl(s, ws.SIO_GET_MULTICAST_FILTER, f, f.length, out, out.length).error, ws.WSAEFAULT);
      assert.deepEqual(f, copy);
    });
  });

  test('a mode that is neither MCAST_INCLUDE nor MCAST_EXCLUDE, or a group that is not multicast: WSAEINVAL', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const bad = filter(2);
      assert.deepEqual(ioctl(s, ws.SIO_SET_MULTICAST_FILTER, bad, bad.length, null, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      const unicast = ws.encodeIpMsfilter({ multiaddr: Uint8Array.from([192, 0, 2, 1]), fmode: ws.MCAST_EXCLUDE });
      assert.equal(ioctl(s, ws.SIO_SET_MULTICAST_FILTER, unicast, unicast.length, null, 0).error, ws.WSAEINVAL);
      assert.equal(ioctl(s, ws.SIO_GET_MULTICAST_FILTER, unicast, unicast.length, unicast, unicast.length).error, ws.WSAEINVAL);
      const g = ws.encodeGroupFilter({ group: ws.sockaddr('192.0.2.1', 0), fmode: ws.MCAST_EXCLUDE });
      assert.equal(ioctl(s, ws.SIOCSMSFILTER, g, g.length, null, 0).error, ws.WSAEINVAL);
      const noFamily = ws.encodeGroupFilter({ group: new Uint8Array(16), fmode: ws.MCAST_EXCLUDE });
      assert.equal(ioctl(s, ws.SIOCGMSFILTER, noFamily, noFamily.length, noFamily, noFamily.length).error, ws.WSAEINVAL);
    });
  });
});
