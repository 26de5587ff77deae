/**
 * The rtnetlink client (src/backend/linux/netlink/): the pure codecs on constructed messages, live
 * dumps and route lookups on this host (lo with 127.0.0.1 exists everywhere), no descriptor left
 * open, and the lab namespace (test/helpers/netns.ts) read back through the same client.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as nl from '../dist/backend/linux/netlink/index.js';
import { LAB, LAB_FACTS, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** A netlink message: header + body + attributes, as the kernel lays it out. */
function message(type: number, flags: number, seq: number, body: number[], attrs: Array<[number, number[]]> = [], pid = 4242): Uint8Array {
  const bytes: number[] = [];
  const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  const pad = (arr: number[]) => { while (arr.length % 4) arr.push(0); };
  const payload = [...body];
  pad(payload);
  for (const [t, value] of attrs) {
    payload.push(...u16(4 + value.length), ...u16(t), ...value);
    pad(payload);
  }
  bytes.push(...u32(16 + payload.length), ...u16(type), ...u16(flags), ...u32(seq), ...u32(pid), ...payload);
  return Uint8Array.from(bytes);
}

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const str = (s: string) => [...Buffer.from(s), 0];
const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('message codecs (pure)', () => {
  test('requests: link dump, address dump, route lookup with and without an interface', () => {
    const link = nl.linkDumpRequest(7);
    // nlmsghdr 16 + ifinfomsg 16 + IFLA_EXT_MASK attribute 8 (statistics skipped)
    assert.equal(link.length, 40);
    const v = new DataView(link.buffer);
    assert.equal(v.getUint32(0, true), 40);
    assert.equal(v.getUint16(34, true), nl.IFLA.EXT_MASK);
    assert.equal(v.getUint32(36, true), nl.RTEXT_FILTER.SKIP_STATS);
    assert.equal(v.getUint16(4, true), nl.RTM.GETLINK);
    assert.equal(v.getUint16(6, true), nl.NLM_F.REQUEST | nl.NLM_F.DUMP);
    assert.equal(v.getUint32(8, true), 7);
    assert.equal(v.getUint32(12, true), 0);

    const addr6 = nl.addressDumpRequest(8, 6);
    assert.equal(addr6.length, 24);
    assert.equal(addr6[16], 10, 'ifa_family AF_INET6 (Linux 10)');
    assert.equal(nl.addressDumpRequest(9, 4)[16], 2);
    assert.equal(nl.addressDumpRequest(9, 0)[16], 0);

    const route = nl.routeGetRequest(9, Uint8Array.of(192, 0, 2, 1));
    const rv = new DataView(route.buffer);
    assert.equal(rv.getUint32(0, true), route.length);
    assert.equal(rv.getUint16(4, true), nl.RTM.GETROUTE);
    assert.equal(rv.getUint16(6, true), nl.NLM_F.REQUEST);
    assert.deepEqual([...route.subarray(16, 18)], [2, 32], 'rtm_family, rtm_dst_len');
    assert.deepEqual([...route.subarray(28)], [8, 0, nl.RTA.DST, 0, 192, 0, 2, 1]);

    const scoped = nl.routeGetRequest(10, nl.prefixMask(6, 10).map((b, i) => (i === 15 ? 1 : b)), 5);
    const sv = new DataView(scoped.buffer);
    assert.equal(scoped[17], 128);
    assert.equal(sv.getUint16(28, true), 20, 'RTA_DST of 16 bytes');
    assert.equal(sv.getUint16(48, true), 8);
    assert.equal(sv.getUint16(50, true), nl.RTA.OIF);
    assert.equal(sv.getUint32(52, true), 5);
    assert.equal(scoped.length, 56);
  });

  test('an IPv4 address with broadcast, label and the 32-bit IFA_FLAGS overriding ifa_flags', () => {
    const m = nl.parseMessages(message(nl.RTM.NEWADDR, nl.NLM_F.MULTI, 3, [2, 24, 0x80, 0, ...u32le(3)], [
      [nl.IFA.ADDRESS, [192, 0, 2, 1]],
      [nl.IFA.LOCAL, [192, 0, 2, 1]],
      [nl.IFA.BROADCAST, [192, 0, 2, 255]],
      [nl.IFA.LABEL, str('v0')],
      [nl.IFA.FLAGS, u32le(nl.IFA_F.PERMANENT | nl.IFA_F.NOPREFIXROUTE)],
    ]));
    assert.equal(m.length, 1);
    assert.equal(m[0]!.pid, 4242);
    const a = nl.parseAddress(m[0]!)!;
    assert.equal(a.version, 4);
    assert.equal(a.index, 3);
    assert.equal(hex(a.address), 'c0000201');
    assert.equal(a.prefixLength, 24);
    assert.equal(a.peer, null);
    assert.equal(hex(a.broadcast), 'c00002ff');
    assert.equal(a.label, 'v0');
    assert.equal(a.flags, nl.IFA_F.PERMANENT | nl.IFA_F.NOPREFIXROUTE);
    assert.equal(a.tentative || a.dadFailed || a.deprecated, false);
  });

  test('point-to-point: IFA_ADDRESS is the peer when it differs from IFA_LOCAL', () => {
    const [m] = nl.parseMessages(message(nl.RTM.NEWADDR, 0, 1, [2, 32, 0, 0, ...u32le(8)], [
      [nl.IFA.ADDRESS, [198, 51, 100, 66]],
      [nl.IFA.LOCAL, [198, 51, 100, 65]],
    ]));
    const a = nl.parseAddress(m!)!;
    assert.equal(hex(a.address), 'c6336441');
    assert.equal(hex(a.peer), 'c6336442');
  });

  test('IPv6: IFA_ADDRESS only; tentative, DAD-failed and deprecated from the flags (ifa_flags byte when no IFA_FLAGS)', () => {
    const addr = [0x20, 0x01, 0x0d, 0xb8, 0, 1, ...new Array(9).fill(0), 0xd];
    const [tentative] = nl.parseMessages(message(nl.RTM.NEWADDR, 0, 1, [10, 64, nl.IFA_F.TENTATIVE, 0, ...u32le(3)], [[nl.IFA.ADDRESS, addr]]));
    const t = nl.parseAddress(tentative!)!;
    assert.equal(t.version, 6);
    assert.equal(t.tentative, true);
    assert.equal(t.dadFailed, false);
    const [failed] = nl.parseMessages(message(nl.RTM.NEWADDR, 0, 1, [10, 64, 0, 0, ...u32le(3)], [
      [nl.IFA.ADDRESS, addr], [nl.IFA.FLAGS, u32le(nl.IFA_F.TENTATIVE | nl.IFA_F.DADFAILED)],
    ]));
    assert.equal(nl.parseAddress(failed!)!.dadFailed, true);
    const [deprecated] = nl.parseMessages(message(nl.RTM.DELADDR, 0, 1, [10, 64, nl.IFA_F.DEPRECATED, 253, ...u32le(3)], [[nl.IFA.ADDRESS, addr]]));
    const d = nl.decodeMessage(deprecated!);
    assert.equal(d.kind, 'address');
    assert.ok(d.kind === 'address' && d.removed && d.address.deprecated && d.address.scope === 253);
  });

  test('malformed and foreign messages are refused without throwing', () => {
    assert.equal(nl.parseAddress({ type: 20, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(7) }), null);
    // another family (AF_BRIDGE 7), a wrong-sized address, no address at all
    assert.equal(nl.parseAddress(nl.parseMessages(message(20, 0, 0, [7, 0, 0, 0, 0, 0, 0, 0], [[1, [1, 2, 3, 4]]]))[0]!), null);
    assert.equal(nl.parseAddress(nl.parseMessages(message(20, 0, 0, [2, 0, 0, 0, 0, 0, 0, 0], [[1, [1, 2, 3]]]))[0]!), null);
    assert.equal(nl.parseAddress(nl.parseMessages(message(20, 0, 0, [2, 0, 0, 0, 0, 0, 0, 0]))[0]!), null);
    assert.equal(nl.parseRoute({ type: 24, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(11) }), null);
    assert.equal(nl.parseLink({ type: 16, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(15) }), null);
    // a header whose length runs past the datagram ends the walk; so does a length below 16
    const good = message(nl.NLMSG.DONE, nl.NLM_F.MULTI, 5, [0, 0, 0, 0]);
    const bad = message(nl.NLMSG.DONE, 0, 6, [0, 0, 0, 0]);
    new DataView(bad.buffer).setUint32(0, 200, true);
    assert.equal(nl.parseMessages(Uint8Array.from([...good, ...bad])).length, 1);
    const tiny = Uint8Array.from(good);
    new DataView(tiny.buffer).setUint32(0, 8, true);
    assert.equal(nl.parseMessages(tiny).length, 0);
    assert.deepEqual(nl.parseMessages(new Uint8Array(0)), []);
    // an attribute whose length runs past the payload ends the attribute walk
    const attrs = nl.parseAttributes(Uint8Array.from([8, 0, 1, 0, 1, 2, 3, 4, 99, 0, 2, 0, 0, 0, 0, 0]), 0);
    assert.deepEqual([...attrs.keys()], [1]);
  });

  test('several messages in one datagram, padding between them; nested flag stripped from attribute types', () => {
    const link = message(nl.RTM.NEWLINK, nl.NLM_F.MULTI, 9, [0, 0, 1, 0, ...u32le(1), ...u32le(0x10049), ...u32le(0)], [
      [nl.IFLA.IFNAME, str('lo')], // 3 bytes: padded to 4
      [nl.IFLA.MTU | 0x8000, u32le(65536)],
    ]);
    const done = message(nl.NLMSG.DONE, nl.NLM_F.MULTI, 9, u32le(0));
    const all = nl.parseMessages(Uint8Array.from([...link, ...done]));
    assert.deepEqual(all.map((m) => m.type), [nl.RTM.NEWLINK, nl.NLMSG.DONE]);
    const l = nl.parseLink(all[0]!)!;
    assert.deepEqual(l, { index: 1, name: 'lo', flags: 0x10049, mtu: 65536, hardwareType: 1 });
    assert.equal(nl.decodeMessage(all[1]!).kind, 'done');
  });

  test('NLMSG_ERROR carries -errno (0 is an ACK); overrun and unknown types decode by kind', () => {
    const err = nl.parseMessages(message(nl.NLMSG.ERROR, 0, 4, [...u32le(-101 >>> 0), ...new Array(16).fill(0)]))[0]!;
    assert.equal(nl.parseError(err), 101);
    assert.deepEqual(nl.decodeMessage(err), { kind: 'error', errno: 101 });
    const ack = nl.parseMessages(message(nl.NLMSG.ERROR, 0, 4, [...u32le(0), ...new Array(16).fill(0)]))[0]!;
    assert.equal(nl.parseError(ack), 0);
    assert.deepEqual(nl.decodeMessage({ type: nl.NLMSG.OVERRUN, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(0) }), { kind: 'overrun' });
    assert.deepEqual(nl.decodeMessage({ type: 99, flags: 0, seq: 0, pid: 0, payload: new Uint8Array(0) }), { kind: 'other', type: 99 });
  });

  test('a route answer: type, preferred source, gateway, output interface, RTA_TABLE over rtm_table', () => {
    const [m] = nl.parseMessages(message(nl.RTM.NEWROUTE, 0, 2, [2, 32, 0, 0, 254, 0, 0, nl.RTN.UNICAST, ...u32le(0x200)], [
      [nl.RTA.TABLE, u32le(254)],
      [nl.RTA.DST, [203, 0, 113, 200]],
      [nl.RTA.OIF, u32le(3)],
      [nl.RTA.PREFSRC, [198, 51, 100, 7]],
      [nl.RTA.GATEWAY, [192, 0, 2, 254]],
    ]));
    const r = nl.parseRoute(m!)!;
    assert.equal(r.type, nl.RTN.UNICAST);
    assert.equal(r.table, 254);
    assert.equal(r.outputInterface, 3);
    assert.equal(hex(r.preferredSource), 'c6336407');
    assert.equal(hex(r.gateway), 'c00002fe');
    assert.equal(hex(r.destination), 'cb0071c8');
    assert.equal(r.flags, 0x200);
    const d = nl.decodeMessage(m!);
    assert.ok(d.kind === 'route' && !d.removed);
  });

  test('prefixMask and the group constants a notification socket binds to', () => {
    assert.deepEqual([...nl.prefixMask(4, 24)], [255, 255, 255, 0]);
    assert.deepEqual([...nl.prefixMask(4, 0)], [0, 0, 0, 0]);
    assert.deepEqual([...nl.prefixMask(4, 21)], [255, 255, 248, 0]);
    assert.deepEqual([...nl.prefixMask(4, 40)], [255, 255, 255, 255]);
    assert.equal(Buffer.from(nl.prefixMask(6, 65)).toString('hex'), 'ffffffffffffffff8000000000000000');
    assert.equal(nl.RTMGRP_NETWORK_CHANGES, 0x1 | 0x10 | 0x40 | 0x100 | 0x400);
  });
});

describe('live queries on this host', () => {
  test('the link dump has lo (index 1, IFF_LOOPBACK, up)', () => {
    const links = nl.dumpLinks();
    assert.ok(links.ok, `errno ${!links.ok && links.errno}`);
    const lo = links.value.find((l) => l.name === 'lo');
    assert.ok(lo, JSON.stringify(links.value));
    assert.equal(lo.index, 1);
    assert.ok(lo.flags & nl.LINUX_IFF.LOOPBACK);
    assert.ok(lo.flags & nl.LINUX_IFF.UP);
    assert.ok(lo.mtu > 0);
    assert.deepEqual(links.value.map((l) => l.index), [...links.value.map((l) => l.index)].sort((a, b) => a - b));
  });

  test('the address dump has 127.0.0.1/8 on lo, host scope; the IPv4 dump has no IPv6', () => {
    const v4 = nl.dumpAddresses(4);
    assert.ok(v4.ok);
    const loopback = v4.value.find((a) => hex(a.address) === '7f000001');
    assert.ok(loopback);
    assert.equal(loopback.index, 1);
    assert.equal(loopback.prefixLength, 8);
    assert.equal(loopback.scope, nl.RT_SCOPE.HOST);
    assert.ok(v4.value.every((a) => a.version === 4 && a.address.length === 4));
    const all = nl.dumpAddresses(0);
    assert.ok(all.ok && all.value.length >= v4.value.length);
    const host = nl.hostAddresses(4);
    assert.ok(host.ok && host.value.some((a) => a.link.name === 'lo'));
  });

  test('interface flags by index agree with the link dump; hostAddresses gives each address its interface', () => {
    const links = nl.dumpLinks();
    assert.ok(links.ok);
    const checked = nl.querying((socket) => {
      for (const link of links.value) {
        const byIoctl = nl.interfaceFlags(socket, link.index);
        assert.ok(byIoctl.ok, `index ${link.index}: errno ${!byIoctl.ok && byIoctl.errno}`);
        assert.equal(byIoctl.value.name, link.name);
        // ifr_flags carries the low 16 bits of the link's flags.
        assert.equal(byIoctl.value.flags, link.flags & 0xffff, link.name);
      }
      const missing = nl.interfaceFlags(socket, 0x7ffffff0);
      assert.deepEqual(missing, { ok: false, errno: 19 }, 'ENODEV for an index no interface has');
      assert.equal(nl.openQuerySockets(), 1, 'the callback runs with its one socket open');
      return { ok: true, value: null };
    });
    assert.ok(checked.ok);
    assert.equal(nl.openQuerySockets(), 0);
    const host = nl.hostAddresses(0);
    assert.ok(host.ok);
    const byIndex = new Map(links.value.map((l) => [l.index, l]));
    for (const a of host.value) {
      assert.equal(a.link.index, a.index);
      assert.equal(a.link.name, byIndex.get(a.index)?.name);
      assert.equal(a.link.flags, byIndex.get(a.index)!.flags & 0xffff);
    }
  });

  test('a query that throws still closes its socket', () => {
    const before = openFds();
    assert.throws(() => nl.querying(() => { throw new Error('boom'); }), /boom/);
    assert.equal(openFds(), before);
    assert.equal(nl.openQuerySockets(), 0);
  });

  test('route lookups: 127.0.0.1 is local with source 127.0.0.1; 127.0.0.9 too; bad lengths are EINVAL', () => {
    for (const last of [1, 9]) {
      const r = nl.getRoute(Uint8Array.of(127, 0, 0, last));
      assert.ok(r.ok, `errno ${!r.ok && r.errno}`);
      assert.equal(r.value.type, nl.RTN.LOCAL);
      assert.equal(hex(r.value.preferredSource), '7f000001');
      assert.equal(r.value.outputInterface, 1);
    }
    assert.deepEqual(nl.getRoute(new Uint8Array(5)), { ok: false, errno: 22 });
  });

  test('no descriptor outlives a query (10 x 200 queries, /proc/self/fd counted)', () => {
    const before = openFds();
    for (let i = 0; i < 200; i++) {
      assert.ok(nl.dumpLinks().ok);
      assert.ok(nl.dumpAddresses(i % 3 === 0 ? 0 : i % 3 === 1 ? 4 : 6).ok);
      nl.getRoute(Uint8Array.of(127, 0, 0, 1));
      nl.getRoute(Uint8Array.of(203, 0, 113, 50));
      nl.hostAddresses(0);
    }
    assert.equal(openFds(), before);
    assert.equal(nl.openQuerySockets(), 0);
  });
});

describe('the lab namespace through the client', () => {
  const skip = netnsSkip();
  test('links, addresses with their flags, point-to-point peer, and the kernel\'s routes', { skip, timeout: 60_000 }, () => {
    const destinations = ['192.0.2.55', '203.0.113.200', '198.51.100.200', '203.0.113.50', '224.0.0.1', '2001:db8:77::5', 'ff02::1%v0', '2001:db8:ffff::1', 'fe80::99%v0'];
    type Address = { version: number; index: number; address: string; prefixLength: number; peer: string | null; broadcast: string | null; scope: number; tentative: boolean; dadFailed: boolean; deprecated: boolean };
    const r = lastJson<{
      links: Array<{ index: number; name: string; flags: number }>;
      addresses: Address[];
      routes: Record<string, { type?: number; oif?: number; source?: string; gateway?: string | null; errno?: number }>;
      openQuerySockets: number;
    }>(runInNetns(LAB.setup, script('netlink-child.js'), [JSON.stringify(destinations)]));
    const index = (name: string) => r.links.find((l) => l.name === name)!.index;
    assert.deepEqual(r.links.map((l) => l.name).filter((n) => n !== 'tn0').sort(), ['lo', 'v0', 'v1', 'w0', 'w1', 'x0', 'x1']);
    const flagsOf = (name: string) => r.links.find((l) => l.name === name)!.flags;
    assert.equal(flagsOf('v0') & (nl.LINUX_IFF.UP | nl.LINUX_IFF.RUNNING), nl.LINUX_IFF.UP | nl.LINUX_IFF.RUNNING);
    assert.equal(flagsOf('w0') & (nl.LINUX_IFF.UP | nl.LINUX_IFF.RUNNING), nl.LINUX_IFF.UP, 'w0: up, no carrier');
    assert.equal(flagsOf('x0') & nl.LINUX_IFF.UP, 0);

    const find = (text: string, dev: string) => r.addresses.find((a) => a.address === text && a.index === index(dev));
    const v0a = find('192.0.2.1', 'v0')!;
    assert.equal(v0a.prefixLength, 24);
    assert.equal(v0a.broadcast, '192.0.2.255');
    assert.equal(v0a.scope, 0);
    assert.equal(find(LAB_FACTS.v6Tentative, 'v0')?.tentative, true);
    assert.equal(find(LAB_FACTS.v6Deprecated, 'v0')?.deprecated, true);
    assert.equal(find(LAB_FACTS.v6DadFailed, 'v0')?.dadFailed, true);
    assert.equal(find(LAB_FACTS.v6DadFailed, 'v1')?.dadFailed, false);
    assert.equal(find('fe80::1', 'v0')?.scope, nl.RT_SCOPE.LINK);
    if (r.links.some((l) => l.name === 'tn0')) {
      const p2p = find(LAB_FACTS.pointToPoint.address, 'tn0')!;
      assert.equal(p2p.peer, LAB_FACTS.pointToPoint.peer);
      assert.ok(flagsOf('tn0') & nl.LINUX_IFF.POINTOPOINT);
    }

    assert.deepEqual(r.routes['192.0.2.55'], { type: nl.RTN.UNICAST, oif: index('v0'), source: '192.0.2.1', gateway: null });
    assert.deepEqual(r.routes['203.0.113.200'], { type: nl.RTN.UNICAST, oif: index('v0'), source: '198.51.100.7', gateway: '192.0.2.254' });
    assert.deepEqual(r.routes['198.51.100.200'], { errno: 113 }, 'an unreachable route: EHOSTUNREACH');
    assert.deepEqual(r.routes['203.0.113.50'], { errno: 101 }, 'no route: ENETUNREACH');
    assert.equal(r.routes['224.0.0.1']!.type, nl.RTN.MULTICAST);
    assert.equal(r.routes['224.0.0.1']!.source, '192.0.2.1');
    assert.equal(r.routes['2001:db8:77::5']!.source, '2001:db8:1::2');
    assert.equal(r.routes['ff02::1%v0']!.source, 'fe80::1');
    assert.equal(r.routes['fe80::99%v0']!.source, 'fe80::1');
    assert.deepEqual(r.routes['2001:db8:ffff::1'], { errno: 101 });
    assert.equal(r.openQuerySockets, 0);
  });
});
