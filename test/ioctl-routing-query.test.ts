/**
 * SIO_ROUTING_INTERFACE_QUERY through WSAIoctl on the Linux emulation: Wine's
 * test_sioRoutingInterfaceQuery rules (check order, which errors leave *lpcbBytesReturned alone,
 * WSAEFAULT with the required size), IPv6 under the same rules, answers that agree with the kernel
 * (a UDP connect() probe on this host; `ip route get` in the namespace), and the lab namespace's
 * routes (a route with its own source, an unreachable route, no route, multicast, link-local zones).
 * A route lookup sends nothing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { withSocket } from './helpers/sockets.js';
import { kernelSourceFor } from '../dist/backend/linux/address-selection/kernel-source.js';
import { LAB, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';
import type { IoctlAnswer, IoctlRequest } from './helpers/ioctl-child.js';

const FILL = 0xa5;
const UNTOUCHED = 0xdeadbeef;

function query(s: number, input: Uint8Array | null, cbIn: number, output: Uint8Array | null, cbOut: number) {
  const bytes = { value: UNTOUCHED };
  const rc = ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_QUERY, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}


/** The answer for `destination` on a socket of its family: the local address text, or the Winsock error. */
function routeTo(destination: string, type = ws.SOCK_DGRAM): string | number {
  const input = ws.sockaddr(destination, 4242);
  const af = input.length === 16 ? ws.AF_INET : ws.AF_INET6;
  return withSocket(af, type, (s) => {
    const out = new Uint8Array(input.length + 8).fill(FILL);
    const r = query(s, input, input.length, out, input.length);
    if (r.rc !== 0) return r.error;
    assert.equal(r.bytes, input.length);
    assert.ok(out.subarray(input.length).every((b) => b === FILL));
    const info = ws.parseSockaddr(out.subarray(0, input.length));
    assert.equal(info.family, af);
    assert.equal(info.port, 0, 'port 0');
    return info.scopeId ? `${info.address}%${info.scopeId}` : info.address;
  });
}

before(() => ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()));
after(() => ws.WSACleanup());

describe('SIO_ROUTING_INTERFACE_QUERY: Wine\'s rules on an IPv4 UDP socket', () => {
  test('check order and what each failure does to *lpcbBytesReturned', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const zero = new Uint8Array(16);
      const out = new Uint8Array(16 + 8).fill(FILL);
      // 15 bytes of an AF_UNSPEC sockaddr: too short wins over the family
      assert.deepEqual(query(s, zero, 15, out, 16), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      // a null input with a size
      assert.deepEqual(query(s, null, 16, out, 16), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      assert.deepEqual(query(s, null, 0, out, 16), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      // AF_UNSPEC
      assert.deepEqual(query(s, zero, 16, out, 16), { rc: -1, error: ws.WSAEAFNOSUPPORT, bytes: UNTOUCHED });
      // AF_INET, 0.0.0.0
      assert.deepEqual(query(s, ws.sockaddr('0.0.0.0', 0), 16, out, 16), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      assert.ok(out.every((b) => b === FILL), 'nothing written by a failure');
      // 127.0.0.1
      const loopback = ws.sockaddr('127.0.0.1', 0);
      assert.deepEqual(query(s, loopback, 16, out, 16), { rc: 0, error: 0, bytes: 16 });
      assert.deepEqual(ws.parseSockaddr(out.subarray(0, 16)), { family: ws.AF_INET, port: 0, address: '127.0.0.1' });
      assert.ok(out.subarray(16).every((b) => b === FILL));
      // output one byte short: WSAEFAULT with the size needed
      const short = new Uint8Array(16).fill(FILL);
      assert.deepEqual(query(s, loopback, 16, short, 15), { rc: -1, error: ws.WSAEFAULT, bytes: 16 });
      assert.ok(short.every((b) => b === FILL));
      assert.deepEqual(query(s, loopback, 16, null, 0), { rc: -1, error: ws.WSAEFAULT, bytes: 16 });
      // a null output with a size: a bad pointer, count untouched
      assert.deepEqual(query(s, loopback, 16, null, 16), { rc: -1, error: ws.WSAEFAULT, bytes: UNTOUCHED });
      // the input is never written; a larger input (a SOCKADDR_STORAGE) is fine
      const storage = new Uint8Array(128);
      storage.set(loopback);
      assert.equal(query(s, storage, 128, new Uint8Array(64), 64).rc, 0);
      assert.deepEqual([...storage.subarray(0, 16)], [...loopback]);
      assert.ok(storage.subarray(16).every((b) => b === 0));
    });
  });

  test('the other family on each socket: WSAEAFNOSUPPORT; a short SOCKADDR_IN6: WSAEINVAL; :: is WSAEINVAL', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const six = ws.sockaddr('::1', 0);
      assert.deepEqual(query(s, six, 28, new Uint8Array(28), 28), { rc: -1, error: ws.WSAEAFNOSUPPORT, bytes: UNTOUCHED });
    });
    withSocket(ws.AF_INET6, ws.SOCK_DGRAM, (s) => {
      const out = new Uint8Array(28);
      assert.deepEqual(query(s, ws.sockaddr('127.0.0.1', 0), 16, out, 28), { rc: -1, error: ws.WSAEAFNOSUPPORT, bytes: UNTOUCHED });
      assert.deepEqual(query(s, ws.sockaddr('::1', 0), 27, out, 28), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      assert.deepEqual(query(s, ws.sockaddr('::', 0), 28, out, 28), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      assert.deepEqual(query(s, ws.sockaddr('::ffff:0.0.0.0', 0), 28, out, 28), { rc: -1, error: ws.WSAEINVAL, bytes: UNTOUCHED });
      assert.deepEqual(query(s, ws.sockaddr('::1', 0), 28, out, 27), { rc: -1, error: ws.WSAEFAULT, bytes: 28 });
      assert.deepEqual(query(s, ws.sockaddr('::1', 0), 28, out, 16), { rc: -1, error: ws.WSAEFAULT, bytes: 28 }, 'a SOCKADDR_IN-sized output is too small for IPv6');
    });
  });
});

describe('SIO_ROUTING_INTERFACE_QUERY answers on this host', () => {
  test('loopback destinations answer the loopback address', () => {
    assert.equal(routeTo('127.0.0.1'), '127.0.0.1');
    assert.equal(routeTo('127.0.0.53', ws.SOCK_STREAM), '127.0.0.1');
    assert.equal(routeTo('::1'), '::1');
    assert.equal(routeTo('::ffff:127.0.0.1'), '::ffff:127.0.0.1', 'an IPv4-mapped destination is answered IPv4-mapped');
  });

  test('documentation and multicast destinations: the kernel\'s own source choice (UDP connect probe), or WSAENETUNREACH', () => {
    for (const destination of ['192.0.2.77', '198.51.100.9', '203.0.113.50', '224.0.0.251', '2001:db8::77', 'ff05::2']) {
      const bytes = ws.sockaddr(destination, 0);
      const v6 = bytes.length === 28;
      const mapped = v6 ? bytes.subarray(8, 24) : ws.mapIPv4(bytes.subarray(4, 8));
      const kernel = kernelSourceFor(mapped, 0);
      const answer = routeTo(destination);
      if (kernel.ok) {
        const expected = v6 ? ws.decodeIPv6(kernel.source) : ws.decodeIPv4(kernel.source.subarray(12));
        assert.equal(typeof answer === 'string' ? answer.replace(/%\d+$/, '') : answer, expected, destination);
      } else {
        assert.equal(answer, ws.WSAENETUNREACH, `${destination}: kernel errno ${kernel.errno}`);
      }
    }
  });
});

describe('SIO_ROUTING_INTERFACE_QUERY in the lab namespace', () => {
  const skip = netnsSkip();
  test('connected, via-gateway with its own source, unreachable, no route, multicast, local, zones', { skip, timeout: 60_000 }, () => {
    const v4 = ['192.0.2.55', '198.51.100.9', '203.0.113.200', '198.51.100.200', '203.0.113.50', '224.0.0.1', '192.0.2.1', '127.0.0.1', '255.255.255.255', '203.0.113.9'];
    const v6 = ['2001:db8:77::5', '2001:db8:99::1', '2001:db8:1::99', '2001:db8:ffff::1', '::1', '2001:db8:1::1'];
    const requests: IoctlRequest[] = [
      ...v4.map((d) => ({ af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_ROUTING_INTERFACE_QUERY, input: Buffer.from(ws.sockaddr(d, 53)).toString('hex'), cbOut: 16 })),
      ...v6.map((d) => ({ af: ws.AF_INET6, type: ws.SOCK_STREAM, code: ws.SIO_ROUTING_INTERFACE_QUERY, input: Buffer.from(ws.sockaddr(d, 53)).toString('hex'), cbOut: 28 })),
    ];
    // zoned link-local / multicast destinations: sin6_scope_id = v0's index, read from inside
    const zoned = (d: string, index: number) => Buffer.from(ws.sockaddr(d, 0, index)).toString('hex');
    const commands = ['ip -o link show v0', ...[...v4, ...v6].map((d) => `ip -o route get ${d}`)];
    const first = lastJson<{ results: IoctlAnswer[]; commands: Record<string, string> }>(
      runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify(requests), JSON.stringify(commands)]),
    );
    const v0 = Number(first.commands['ip -o link show v0']!.split(':')[0]);
    const answers = new Map<string, string | number>();
    [...v4, ...v6].forEach((d, i) => {
      const r = first.results[i]!;
      assert.ok(r.guardIntact && r.inputIntact, d);
      if (r.rc !== 0) {
        answers.set(d, r.error);
        assert.equal(r.bytes, UNTOUCHED, `${d}: a failed lookup leaves the count alone`);
        return;
      }
      const info = ws.parseSockaddr(Buffer.from(r.out, 'hex'));
      assert.equal(info.port, 0);
      answers.set(d, info.scopeId ? `${info.address}%${info.scopeId}` : info.address);
    });

    assert.equal(answers.get('192.0.2.55'), '192.0.2.1');
    assert.equal(answers.get('198.51.100.9'), '198.51.100.7');
    assert.equal(answers.get('203.0.113.200'), '198.51.100.7', 'the route\'s own preferred source');
    assert.equal(answers.get('198.51.100.200'), ws.WSAENETUNREACH, 'an unreachable route');
    assert.equal(answers.get('203.0.113.50'), ws.WSAENETUNREACH, 'no route at all');
    assert.equal(answers.get('203.0.113.9'), '203.0.113.5', 'a connected route on a link without carrier still answers (the kernel keeps it)');
    assert.equal(answers.get('224.0.0.1'), '192.0.2.1', 'multicast');
    assert.equal(answers.get('192.0.2.1'), '192.0.2.1', 'a local address answers itself');
    assert.equal(answers.get('127.0.0.1'), '127.0.0.1');
    assert.equal(answers.get('2001:db8:77::5'), '2001:db8:1::2', 'the IPv6 route\'s own source');
    assert.equal(answers.get('2001:db8:ffff::1'), ws.WSAENETUNREACH);
    assert.equal(answers.get('::1'), '::1');
    assert.equal(answers.get('2001:db8:1::1'), '2001:db8:1::1');
    for (const d of ['2001:db8:99::1', '2001:db8:1::99']) {
      const answer = answers.get(d);
      assert.ok(typeof answer === 'string' && !['2001:db8:1::d', '2001:db8:1::e'].includes(answer), `${d}: ${answer} (never tentative or deprecated)`);
    }
    // every successful answer is the source `ip route get` names
    for (const d of [...v4, ...v6]) {
      const answer = answers.get(d);
      const src = / src (\S+)/.exec(first.commands[`ip -o route get ${d}`] ?? '')?.[1];
      if (typeof answer === 'string' && src !== undefined) assert.equal(answer.replace(/%\d+$/, ''), src, `${d} vs ip route get`);
    }

    // scoped IPv6 destinations, now that v0's index is known
    const second = lastJson<{ results: IoctlAnswer[] }>(runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify([
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_ROUTING_INTERFACE_QUERY, input: zoned('fe80::99', v0), cbOut: 28 },
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_ROUTING_INTERFACE_QUERY, input: zoned('ff02::1', v0), cbOut: 28 },
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_ROUTING_INTERFACE_QUERY, input: zoned('ff02::1', 999), cbOut: 28 },
    ] satisfies IoctlRequest[])]));
    const [linkLocal, multicast, badZone] = second.results as [IoctlAnswer, IoctlAnswer, IoctlAnswer];
    for (const r of [linkLocal, multicast]) {
      assert.equal(r.rc, 0, `error ${r.error}`);
      assert.deepEqual(ws.parseSockaddr(Buffer.from(r.out, 'hex')), { family: ws.AF_INET6, port: 0, flowInfo: 0, address: 'fe80::1', scopeId: v0 });
    }
    assert.deepEqual({ rc: badZone.rc, error: badZone.error }, { rc: -1, error: ws.WSAENETUNREACH }, 'a zone naming no interface');
  });
});
