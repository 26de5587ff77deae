/**
 * The friendly API (`wsaioctl`) against live Node sockets on loopback: each function's result,
 * its WinsockError for a bad input (code name, Windows errno, syscall naming the control code),
 * and the host queries, also inside a network namespace with documentation-range addresses
 * (enough IPv6 addresses that SIO_ADDRESS_LIST_QUERY's buffer has to grow).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import os from 'node:os';
import net from 'node:net';
import * as ws from 'wsaioctl/winsock';
import {
  WinsockError, fromNodeSocket, setKeepAlive, bytesAvailable, kernelBytesAvailable, atUrgentMark, tcpInfo,
  idealSendBacklog, setUdpConnReset, interfaces, addresses, routeTo, broadcastAddress, sortDestinations,
} from 'wsaioctl';
import { growingIoctl } from '../dist/node/host.js';
import { boundUdp, ipv6Loopback, listening, tcpTrio, until } from './helpers/node-sockets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const linux = ws.backendName === 'linux-emulation';

/** Assert that `fn` throws a WinsockError with this code and syscall; returns it. */
function throwsWinsock(fn: () => unknown, code: string, syscall: string): WinsockError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof WinsockError, `expected a WinsockError, got ${String(caught)}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'WinsockError');
  assert.equal(caught.code, code);
  assert.equal(caught.errno, (ws as unknown as Record<string, number>)[code], `errno of ${code}`);
  assert.equal(caught.syscall, syscall);
  assert.ok(caught.message.includes(code) && caught.message.includes(String(caught.errno)) && caught.message.includes(syscall), caught.message);
  return caught;
}

function sockoptInt(s: number, level: number, name: number): number {
  const value = new Uint8Array(4);
  const len = { value: 4 };
  assert.equal(ws.getsockopt(s, level, name, value, len), 0, `getsockopt(${level}, ${name}): ${ws.WSAGetLastError()}`);
  return new DataView(value.buffer).getInt32(0, true);
}

describe('WinsockError', () => {
  test('shape: code name, Windows errno, syscall, message', () => {
    const error = new WinsockError(ws.WSAEFAULT, 'WSAIoctl(SIO_TCP_INFO)');
    assert.equal(error.code, 'WSAEFAULT');
    assert.equal(error.errno, 10014);
    assert.equal(error.syscall, 'WSAIoctl(SIO_TCP_INFO)');
    assert.match(error.message, /^WSAIoctl\(SIO_TCP_INFO\) failed: WSAEFAULT \(10014\)/);
    assert.equal(new WinsockError(99999, 'x').code, '99999');
  });

  test('a SOCKET number that is not a socket: WSAENOTSOCK from the call that used it', { skip: !linux && 'Linux backend' }, () => {
    throwsWinsock(() => tcpInfo(0x7ffffff0), 'WSAENOTSOCK', 'WSAIoctl(SIO_TCP_INFO)');
    throwsWinsock(() => bytesAvailable(0x7ffffff0), 'WSAENOTSOCK', 'WSAIoctl(FIONREAD)');
  });
});

describe('per-socket controls on Node sockets', { skip: !linux && 'fromNodeSocket needs the Linux backend' }, () => {
  test('setKeepAlive: SIO_KEEPALIVE_VALS sets SO_KEEPALIVE and both timers', async () => {
    const trio = await tcpTrio();
    try {
      setKeepAlive(trio.client, { idleMs: 5_000, intervalMs: 2_000 });
      const s = fromNodeSocket(trio.client);
      assert.equal(sockoptInt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 1);
      assert.equal(sockoptInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 5);
      assert.equal(sockoptInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL), 2);
      setKeepAlive(trio.client, { enabled: false });
      assert.equal(sockoptInt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0);
      setKeepAlive(trio.peer); // Windows' defaults: 2 h idle, 1 s interval
      const p = fromNodeSocket(trio.peer);
      assert.equal(sockoptInt(p, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 7200);
      assert.equal(sockoptInt(p, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL), 1);
      ws.closesocket(s);
      ws.closesocket(p);
      for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, '1000']) {
        assert.throws(() => setKeepAlive(trio.client, { idleMs: bad as number }), (e: unknown) => e instanceof RangeError && (e as { code?: string }).code === 'ERR_OUT_OF_RANGE');
      }
    } finally {
      await trio.close();
    }
  });

  test('setKeepAlive on a datagram socket: WSAENOPROTOOPT', async () => {
    const udp = await boundUdp();
    try {
      throwsWinsock(() => setKeepAlive(udp, { idleMs: 1_000, intervalMs: 1_000 }), 'WSAENOPROTOOPT', 'WSAIoctl(SIO_KEEPALIVE_VALS)');
    } finally {
      udp.close();
    }
  });

  test('bytesAvailable: FIONREAD while Node is not reading, plus readableLength once it has read', async () => {
    const trio = await tcpTrio('127.0.0.1', { paused: true });
    try {
      assert.equal(bytesAvailable(trio.client), 0);
      trio.peer.write(Buffer.alloc(1000, 7));
      await until(() => kernelBytesAvailable(trio.client) === 1000, 'the bytes in the kernel');
      assert.equal(bytesAvailable(trio.client), 1000);
      assert.equal(trio.client.readableLength, 0, 'Node has not read anything');
      // Let Node pull the bytes into its readable buffer without consuming them.
      trio.client.on('readable', () => {});
      await until(() => trio.client.readableLength > 0, 'Node to buffer the bytes');
      await until(() => trio.client.readableLength === 1000, 'Node to buffer all the bytes');
      assert.equal(kernelBytesAvailable(trio.client), 0);
      assert.equal(bytesAvailable(trio.client), 1000, 'kernel + readableLength');
      assert.equal(trio.client.read(400)!.length, 400);
      assert.equal(bytesAvailable(trio.client), 600);
    } finally {
      await trio.close();
    }
  });

  test('bytesAvailable on a dgram socket and a SOCKET number (FIONREAD only)', async () => {
    const a = await boundUdp();
    const b = await boundUdp();
    try {
      const received = once(b, 'message');
      a.send(Buffer.alloc(300), b.address().port, '127.0.0.1');
      await received;
      assert.equal(bytesAvailable(b), 0, 'Node took the datagram');
      const s = fromNodeSocket(a);
      assert.equal(bytesAvailable(s), 0);
      ws.closesocket(s);
    } finally {
      a.close();
      b.close();
    }
  });

  test('atUrgentMark: true without urgent data, false while an urgent byte waits', async () => {
    const server = await listening();
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    assert.notEqual(s, ws.INVALID_SOCKET);
    try {
      assert.equal(ws.connect(s, ws.sockaddr('127.0.0.1', (server.address() as net.AddressInfo).port), 16), 0);
      const [peer] = await accepted;
      const data: Buffer[] = [];
      peer.on('data', (chunk: Buffer) => data.push(chunk));
      assert.equal(atUrgentMark(peer), true);
      assert.equal(ws.send(s, Buffer.from('abc'), 3, 0), 3);
      assert.equal(ws.send(s, Buffer.from('!'), 1, ws.MSG_OOB), 1);
      await until(() => Buffer.concat(data).toString() === 'abc', 'the normal bytes');
      await until(() => atUrgentMark(peer) === false, 'the urgent byte');
      assert.equal(Buffer.concat(data).toString(), 'abc', 'Node never sees the urgent byte');
      peer.destroy();
    } finally {
      ws.closesocket(s);
      ws.WSACleanup();
      server.close();
    }
  });

  test('tcpInfo: SIO_TCP_INFO v1 decoded, counters follow the traffic', async () => {
    const trio = await tcpTrio();
    try {
      const received = new Promise<void>((resolve) => {
        let n = 0;
        trio.peer.on('data', (chunk: Buffer) => { n += chunk.length; if (n >= 5000) resolve(); });
      });
      trio.client.write(Buffer.alloc(5000, 1));
      await received;
      const info = tcpInfo(trio.client);
      assert.equal(info.State, ws.TCPSTATE_ESTABLISHED);
      assert.equal(info.stateName, 'ESTABLISHED');
      assert.ok(info.Mss > 0);
      assert.ok(info.BytesOut >= 5000n, `BytesOut ${info.BytesOut}`);
      assert.equal(typeof info.RttUs, 'number');
      assert.equal(typeof info.SndLimBytesSnd, 'bigint', 'a v1 field');
      assert.ok(tcpInfo(trio.peer).BytesIn >= 5000n);
    } finally {
      await trio.close();
    }
  });

  test('tcpInfo on a datagram socket: WinsockError naming SIO_TCP_INFO', async () => {
    const udp = await boundUdp();
    try {
      throwsWinsock(() => tcpInfo(udp), 'WSAEOPNOTSUPP', 'WSAIoctl(SIO_TCP_INFO)');
    } finally {
      udp.close();
    }
  });

  test('idealSendBacklog: a positive byte count on a connection, WSAEOPNOTSUPP on UDP', async () => {
    const trio = await tcpTrio();
    const udp = await boundUdp();
    try {
      const isb = idealSendBacklog(trio.client);
      assert.ok(Number.isInteger(isb) && isb > 0, `ISB ${isb}`);
      throwsWinsock(() => idealSendBacklog(udp), 'WSAEOPNOTSUPP', 'WSAIoctl(SIO_IDEAL_SEND_BACKLOG_QUERY)');
    } finally {
      udp.close();
      await trio.close();
    }
  });

  test('setUdpConnReset: accepted on UDP (Node keeps receiving), WSAEOPNOTSUPP on TCP', async () => {
    const trio = await tcpTrio();
    const a = await boundUdp();
    const b = await boundUdp();
    try {
      setUdpConnReset(a, false);
      setUdpConnReset(a, true);
      setUdpConnReset(a, false);
      throwsWinsock(() => setUdpConnReset(trio.client, false), 'WSAEOPNOTSUPP', 'WSAIoctl(SIO_UDP_CONNRESET)');
      const got = once(a, 'message');
      b.send('still here', a.address().port, '127.0.0.1');
      const [message] = await got;
      assert.equal(String(message), 'still here');
    } finally {
      a.close();
      b.close();
      await trio.close();
    }
  });

  test('broadcastAddress on a Node dgram socket; WSAENOPROTOOPT on IPv6', async (t) => {
    const udp = await boundUdp();
    try {
      assert.equal(broadcastAddress(udp), '255.255.255.255');
    } finally {
      udp.close();
    }
    if (!(await ipv6Loopback())) return t.skip('no ::1 here');
    const udp6 = await boundUdp('udp6');
    try {
      throwsWinsock(() => broadcastAddress(udp6), 'WSAENOPROTOOPT', 'WSAIoctl(SIO_GET_BROADCAST_ADDRESS)');
    } finally {
      udp6.close();
    }
  });
});

/** Every IPv4 / IPv6 address this host has, as os.networkInterfaces() sees them. */
function hostAddresses(): Set<string> {
  const set = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const entry of list ?? []) set.add(entry.address);
  return set;
}

describe('host queries', () => {
  test('interfaces: SIO_GET_INTERFACE_LIST includes loopback with its netmask and flags', () => {
    const list = interfaces();
    const lo = list.find((i) => i.address === '127.0.0.1');
    assert.ok(lo, `no 127.0.0.1 in ${JSON.stringify(list)}`);
    assert.equal(lo.netmask, '255.0.0.0');
    assert.equal(lo.loopback, true);
    assert.equal(lo.up, true);
    assert.equal(lo.flags & ws.IFF_LOOPBACK, ws.IFF_LOOPBACK);
    const known = hostAddresses();
    for (const entry of list) assert.ok(known.has(entry.address), `${entry.address} is one of this host's addresses`);
  });

  test('addresses: SIO_ADDRESS_LIST_QUERY, each one a real address of the family asked for', () => {
    const known = hostAddresses();
    for (const family of ['IPv4', 'IPv6'] as const) {
      const list = addresses(family);
      assert.ok(Array.isArray(list));
      for (const entry of list) {
        assert.equal(entry.family, family);
        assert.equal(net.isIP(entry.address), family === 'IPv4' ? 4 : 6);
        assert.ok(known.has(entry.address), `${entry.address} is one of this host's addresses`);
      }
    }
    assert.deepEqual(addresses(4), addresses('IPv4'));
    assert.throws(() => addresses('IPv5' as never), RangeError);
  });

  test('addresses: a buffer too small grows to the size WSAIoctl reports', () => {
    ws.WSAStartup(0x0202, ws.newWSADATA());
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    try {
      const small = growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 8);
      const large = growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 4096);
      assert.equal(small.bytes, large.bytes);
      assert.equal(new DataView(small.out.buffer).getInt32(0, true), new DataView(large.out.buffer).getInt32(0, true));
    } finally {
      ws.closesocket(s);
      ws.WSACleanup();
    }
  });

  test('routeTo: SIO_ROUTING_INTERFACE_QUERY answers loopback for loopback; bad text is a TypeError', async (t) => {
    assert.deepEqual(routeTo('127.0.0.1'), { family: 'IPv4', address: '127.0.0.1' });
    assert.equal(routeTo('127.0.0.1', 443).address, '127.0.0.1');
    assert.throws(() => routeTo('not an address'), TypeError);
    assert.throws(() => routeTo(42 as never), TypeError);
    if (!(await ipv6Loopback())) return t.skip('no ::1 here');
    const six = routeTo('::1');
    assert.equal(six.family, 'IPv6');
    assert.equal(six.address, '::1');
  });

  test('broadcastAddress: the limited broadcast address', () => {
    assert.equal(broadcastAddress(), '255.255.255.255');
  });

  test('sortDestinations: SIO_ADDRESS_LIST_SORT, ::1 before IPv4 loopback, input text kept', async (t) => {
    assert.deepEqual(sortDestinations([]), []);
    assert.throws(() => sortDestinations(['127.0.0.1', 'nope']), TypeError);
    assert.throws(() => sortDestinations('127.0.0.1' as never), TypeError);
    if (!(await ipv6Loopback())) return t.skip('no ::1 here');
    assert.deepEqual(sortDestinations(['127.0.0.1', '::1']), ['::1', '127.0.0.1']);
    assert.deepEqual(sortDestinations(['::1', '127.0.0.1']), ['::1', '127.0.0.1']);
  });
});

describe('host queries in a network namespace with documentation addresses', () => {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add v0 type veth peer name v1'], { stdio: 'ignore' });
  const skip = probe.status !== 0 && 'unshare -n with a veth pair is not possible here';
  test('interfaces, addresses (growing), routeTo, sortDestinations see the namespace', { skip, timeout: 60_000 }, () => {
    const sixes = Array.from({ length: 40 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
    const setup = [
      'set -e',
      'ip link set lo up',
      'ip link add v0 type veth peer name v1',
      'ip link set v0 up',
      'ip link set v1 up',
      'ip addr add 192.0.2.1/24 brd + dev v0',
      'ip addr add 198.51.100.7/24 brd + dev v0',
      ...sixes.map((a) => `ip -6 addr add ${a}/64 dev v0 nodad`),
    ].join('\n');
    const script = `
      import * as W from 'wsaioctl';
      const attempt = (f) => { try { return { ok: f() }; } catch (e) { return { error: e.code ?? String(e) }; } };
      console.log(JSON.stringify({
        interfaces: attempt(() => W.interfaces()),
        v4: attempt(() => W.addresses('IPv4')),
        v6: attempt(() => W.addresses('IPv6')),
        route: attempt(() => W.routeTo('192.0.2.55')),
        route6: attempt(() => W.routeTo('2001:db8::99')),
        unreachable: attempt(() => W.routeTo('203.0.113.9')),
        sorted: attempt(() => W.sortDestinations(['203.0.113.9', '192.0.2.55', '::1'])),
      }));`;
    const child = spawnSync('unshare', ['-n', 'sh', '-c', `${setup}\nexec "${process.execPath}" --input-type=module -e "$0"`, script],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const v0 = r.interfaces.ok?.find((i: { address: string }) => i.address === '192.0.2.1');
    assert.ok(v0, JSON.stringify(r.interfaces));
    assert.equal(v0.netmask, '255.255.255.0');
    assert.ok(v0.broadcast === null || net.isIPv4(v0.broadcast), 'Windows reports the limited broadcast address here');
    assert.equal(v0.broadcastCapable, true);
    assert.equal(v0.up, true);
    assert.equal(v0.loopback, false);
    const v4 = (r.v4.ok ?? []).map((a: { address: string }) => a.address).sort();
    assert.deepEqual(v4, ['192.0.2.1', '198.51.100.7'], JSON.stringify(r.v4));
    const v6 = new Set((r.v6.ok ?? []).map((a: { address: string }) => a.address));
    for (const a of sixes) assert.ok(v6.has(a), `${a} in ${JSON.stringify(r.v6)}`);
    assert.deepEqual(r.route.ok, { family: 'IPv4', address: '192.0.2.1' });
    assert.ok(sixes.includes(r.route6.ok?.address), JSON.stringify(r.route6));
    assert.equal(r.unreachable.error, 'WSAENETUNREACH');
    assert.equal(r.sorted.ok?.at(-1), '203.0.113.9', JSON.stringify(r.sorted));
  });
});
