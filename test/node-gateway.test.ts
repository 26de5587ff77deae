/**
 * defaultGateway(family) and interface names (issue 19 item 5): inside a network namespace with
 * documentation-range default routes, where the answers are known; and setUserTimeout /
 * setKeepAlive's probe count on loopback sockets, read back with getsockopt.
 *
 * Sources: Microsoft's IPPROTO_TCP socket options page (TCP_MAXRT in seconds, TCP_MAXRTMS in ms,
 * TCP_KEEPCNT since Windows 10 1703); GetIpForwardTable2 / MIB_IPFORWARD_ROW2 (a default route is
 * the prefix of length 0; its NextHop is the gateway).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import dgram from 'node:dgram';
import { once } from 'node:events';
import * as ws from 'wsaioctl/winsock';
import { setKeepAlive, setUserTimeout, fromNodeSocket, WinsockError } from 'wsaioctl';
import { lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';

interface Gateway { family: string; address: string; scopeId?: number; interfaceIndex: number; interface: string | null }
type Attempt<T> = { ok: T } | { code: string; message: string };

const GATEWAY_LAB = [
  'ip link set lo up',
  'ip link add g0 type veth peer name g1',
  'ip link set g0 up',
  'ip link set g1 up',
  'ip addr add 192.0.2.2/24 dev g0',
  'ip -6 addr add 2001:db8:5::2/64 dev g0 nodad',
  // Two default routes: the lower metric is the one the kernel uses, and the one reported.
  'ip route add default via 192.0.2.1 dev g0 metric 200',
  'ip route add default via 192.0.2.254 dev g0 metric 50',
  'ip -6 route add default via 2001:db8:5::1 dev g0 metric 100',
];

describe('defaultGateway (network namespace)', () => {
  const skip = netnsSkip();

  test('the default route with the lowest metric, its interface index and os.networkInterfaces() name', { skip }, () => {
    const run = runInNetns(GATEWAY_LAB, script('gateway-child.js'));
    assert.equal(run.status, 0, run.stderr);
    const r = lastJson<{ v4: Attempt<Gateway>; v6: Attempt<Gateway>; interfaces: Attempt<Array<{ name: string | null; address: string }>>; badFamily: Attempt<unknown> }>(run);
    assert.ok('ok' in r.v4, JSON.stringify(r.v4));
    assert.equal(r.v4.ok.family, 'IPv4');
    assert.equal(r.v4.ok.address, '192.0.2.254');
    assert.equal(r.v4.ok.interface, 'g0');
    assert.ok(r.v4.ok.interfaceIndex > 1, JSON.stringify(r.v4.ok));
    assert.ok('ok' in r.v6, JSON.stringify(r.v6));
    assert.equal(r.v6.ok.address, '2001:db8:5::1');
    assert.equal(r.v6.ok.interface, 'g0');
    assert.equal(r.v6.ok.interfaceIndex, r.v4.ok.interfaceIndex);
    // Winsock's INTERFACE_INFO records are anonymous: the names come from os.networkInterfaces().
    assert.ok('ok' in r.interfaces, JSON.stringify(r.interfaces));
    const byAddress = new Map(r.interfaces.ok.map((i) => [i.address, i.name]));
    assert.equal(byAddress.get('192.0.2.2'), 'g0');
    assert.equal(byAddress.get('127.0.0.1'), 'lo');
    assert.ok('code' in r.badFamily && r.badFamily.code === 'ERR_INVALID_ARG_VALUE', JSON.stringify(r.badFamily));
  });

  test('no default route: null, not an error', { skip }, () => {
    const run = runInNetns(['ip link set lo up', 'ip link add g0 type veth peer name g1', 'ip link set g0 up', 'ip addr add 192.0.2.2/24 dev g0'],
      script('gateway-child.js'));
    assert.equal(run.status, 0, run.stderr);
    const r = lastJson<{ v4: Attempt<Gateway | null>; v6: Attempt<Gateway | null> }>(run);
    assert.deepEqual(r.v4, { ok: null });
    assert.deepEqual(r.v6, { ok: null });
  });

  test('queryDefaultGateway on the surface: WSAEAFNOSUPPORT for another family, never a throw', () => {
    assert.equal(ws.queryDefaultGateway(ws.AF_UNSPEC), null);
    assert.equal(ws.WSAGetLastError(), ws.WSAEAFNOSUPPORT);
    assert.equal(ws.queryDefaultGateway(Symbol('x') as unknown as number), null);
  });
});

function dwordOption(s: number, level: number, name: number): number {
  const value = new Uint8Array(4);
  const length = { value: 4 };
  assert.equal(ws.getsockopt(s, level, name, value, length), 0, `getsockopt ${name}: ${ws.WSAGetLastError()}`);
  return new DataView(value.buffer).getInt32(0, true);
}

async function connectedPair(): Promise<{ client: net.Socket; server: net.Server; close: () => void }> {
  const server = net.createServer((c) => c.on('error', () => {}));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  return { client, server, close: () => { client.destroy(); server.close(); } };
}

describe('setUserTimeout and the keep-alive probe count', () => {
  test('setUserTimeout: TCP_MAXRTMS in ms (TCP_MAXRT reads whole seconds); Infinity is never', async () => {
    const { client, close } = await connectedPair();
    try {
      setUserTimeout(client, 1500);
      const s = fromNodeSocket(client);
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_MAXRTMS), 1500);
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_MAXRT), 1);
      // Never: Windows' all-ones DWORD; the emulation reads back Linux's largest (2^31 - 1 ms).
      setUserTimeout(client, Infinity);
      const never = dwordOption(s, ws.IPPROTO_TCP, ws.TCP_MAXRTMS);
      assert.ok(never === -1 || never === 0x7fffffff, String(never));
      ws.closesocket(s);
    } finally {
      close();
    }
  });

  test('setUserTimeout: bad values are RangeError before anything changes; a datagram socket is a WinsockError', async () => {
    const { client, close } = await connectedPair();
    const udp = dgram.createSocket('udp4');
    try {
      setUserTimeout(client, 2000);
      for (const bad of [-1, 1.5, 2 ** 31, NaN, '5' as unknown as number]) {
        assert.throws(() => setUserTimeout(client, bad), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
      }
      assert.equal(dwordOption(fromNodeSocket(client), ws.IPPROTO_TCP, ws.TCP_MAXRTMS), 2000);
      udp.bind(0, '127.0.0.1');
      await once(udp, 'listening');
      assert.throws(() => setUserTimeout(udp, 1000), (e: unknown) => e instanceof WinsockError && /TCP_MAXRT/.test(e.syscall));
    } finally {
      close();
      udp.close();
    }
  });

  test('setKeepAlive({ probes }): TCP_KEEPCNT (default 10); out of 1..255 a RangeError and nothing set', async () => {
    const { client, close } = await connectedPair();
    try {
      setKeepAlive(client, { idleMs: 10_000, intervalMs: 2_000, probes: 4 });
      const s = fromNodeSocket(client);
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 4);
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPIDLE), 10);
      for (const bad of [0, 256, 2.5, '3' as unknown as number]) {
        assert.throws(() => setKeepAlive(client, { idleMs: 60_000, probes: bad }), { name: 'RangeError' });
      }
      // The failed calls changed nothing: idle time and count are as set before.
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPIDLE), 10);
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 4);
      // Without `probes`: Windows' count, 10.
      setKeepAlive(client, { idleMs: 20_000 });
      assert.equal(dwordOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10);
      ws.closesocket(s);
    } finally {
      close();
    }
  });
});
