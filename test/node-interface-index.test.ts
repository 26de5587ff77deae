/**
 * Interface indexes on the friendly records (issue 19 item 5: "interface records with names and
 * indexes matching os.networkInterfaces()"): `interfaces()` records and `interfaceIndexOf(name)`
 * against the kernel's own list (`ip -j link`) and the IPv6 scope ids os.networkInterfaces()
 * reports, and defaultGateway's interface index and name agreeing with them; inside a network
 * namespace with documentation-range addresses.
 *
 * Sources: Microsoft's if_nametoindex page (an interface index is what the IPv6 scope id of its
 * link-local addresses is), ConvertInterfaceAliasToLuid / ConvertInterfaceLuidToIndex (the alias is
 * the adapter's friendly name; an unknown alias is ERROR_INVALID_PARAMETER, here WSAEINVAL) and
 * MIB_IPFORWARD_ROW2.InterfaceIndex (the same index the routing table reports).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { interfaceIndexOf } from 'wsaioctl';
import { lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';

interface Gateway { address: string; scopeId?: number; interfaceIndex: number; interface: string | null }
interface Refusal { index: number; error: number }
interface Answer {
  kernel: Array<{ ifname: string; ifindex: number }>;
  node: Array<{ name: string; index: number | null; scopeIds: number[] }>;
  interfaces: Array<{ name: string | null; index: number | null; address: string }>;
  v4: Gateway | null;
  v6: Gateway | null;
  label: number;
  unknown: number | null;
  refusals: Record<'unknown' | 'empty' | 'nul' | 'long' | 'number' | 'symbol', Refusal>;
}

const LAB = [
  'ip link set lo up',
  // Two veth pairs made in an order that leaves the indexes apart from the name order.
  'ip link add k0 type veth peer name k1',
  'ip link add h0 type veth peer name h1',
  'ip link set h0 up', 'ip link set h1 up', 'ip link set k0 up', 'ip link set k1 up',
  'ip addr add 192.0.2.2/24 dev h0',
  // An IPv4 label: os.networkInterfaces() lists this address under "h0:1".
  'ip addr add 192.0.2.3/24 dev h0 label h0:1',
  'ip -6 addr add fe80::5/64 dev h0 nodad',
  'ip addr add 198.51.100.2/24 dev k0',
  'ip route add default via 192.0.2.1 dev h0',
  // A link-local IPv6 gateway: its scope id is the interface index.
  'ip -6 route add default via fe80::1 dev h0',
];

describe('interface indexes (network namespace)', () => {
  const skip = netnsSkip();

  test('interfaces() and interfaceIndexOf agree with ip -j link, the IPv6 scope ids and defaultGateway', { skip }, () => {
    const r = lastJson<Answer>(runInNetns(LAB, script('interface-index-child.js')));
    const kernelIndex = new Map(r.kernel.map((l) => [l.ifname, l.ifindex]));
    const h0 = kernelIndex.get('h0');
    const k0 = kernelIndex.get('k0');
    assert.ok(h0 !== undefined && k0 !== undefined && h0 !== k0, JSON.stringify(r.kernel));

    // Every name os.networkInterfaces() lists has the kernel's index; a label, its device's.
    for (const { name, index, scopeIds } of r.node) {
      assert.equal(index, kernelIndex.get(name.split(':')[0]!), `${name}: ${JSON.stringify(r.node)}`);
      for (const scopeId of scopeIds) assert.equal(scopeId, index, name);
    }
    assert.ok(r.node.some((n) => n.name === 'h0' && n.scopeIds.length > 0), JSON.stringify(r.node));

    // interfaces(): each record's index is its named interface's.
    const byAddress = new Map(r.interfaces.map((i) => [i.address, i]));
    assert.deepEqual(byAddress.get('127.0.0.1'), { name: 'lo', index: kernelIndex.get('lo'), address: '127.0.0.1' });
    assert.deepEqual(byAddress.get('192.0.2.2'), { name: 'h0', index: h0, address: '192.0.2.2' });
    assert.deepEqual(byAddress.get('192.0.2.3'), { name: 'h0:1', index: h0, address: '192.0.2.3' });
    assert.deepEqual(byAddress.get('198.51.100.2'), { name: 'k0', index: k0, address: '198.51.100.2' });
    assert.equal(r.label, h0);

    // defaultGateway: the route's interface index, the same index and name as the records.
    assert.equal(r.v4?.address, '192.0.2.1');
    assert.equal(r.v4?.interfaceIndex, h0);
    assert.equal(r.v4?.interface, 'h0');
    assert.equal(r.v6?.address, 'fe80::1');
    assert.equal(r.v6?.interfaceIndex, h0);
    assert.equal(r.v6?.scopeId, h0);
    assert.equal(r.v6?.interface, 'h0');

    // No interface has the name, or it is not one: null / 0 with WSAEINVAL, never another interface.
    assert.equal(r.unknown, null);
    for (const [what, refusal] of Object.entries(r.refusals)) {
      assert.deepEqual(refusal, { index: 0, error: ws.WSAEINVAL }, what);
    }
  });
});

describe('interfaceIndexOf (this namespace)', () => {
  test('loopback is index 1 (Linux LOOPBACK_IFINDEX, include/net/net_namespace.h); null for no name', () => {
    assert.equal(interfaceIndexOf('lo'), 1);
    assert.equal(interfaceIndexOf(null), null);
    assert.equal(ws.queryInterfaceIndex(undefined as unknown as string), 0);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
  });
});
