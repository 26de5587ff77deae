/**
 * `wsaioctl interfaces`, `wsaioctl addresses [-4|-6]` and `wsaioctl route <destination>`: main()
 * from the built CLI with a capturing io on this host (exit codes 0 / 1 / 2, tables, --json), and
 * the built CLI run inside the lab namespace, where the answers are known.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { runUnderWine, wineCacheDir } from '../scripts/wine/run.mjs';
import { LAB, LAB_FACTS, ROOT, netnsSkip, runInNetns } from './helpers/netns.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
  });
  return { code, out, err };
}

async function runJson<T>(...argv: string[]): Promise<T> {
  const r = await run(...argv, '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as T;
}

interface InterfaceRow { address: string; netmask: string; broadcast: string | null; flags: number; flagNames: string[] }
interface AddressRow { family: string; address: string; scopeId?: number }

describe('wsaioctl interfaces', () => {
  test('a table with the loopback row, flags by name', async () => {
    const { code, out, err } = await run('interfaces');
    assert.equal(code, 0, err);
    assert.match(out, /^address +netmask +broadcast +flags$/m);
    assert.match(out, /^127\.0\.0\.1 +255\.0\.0\.0 +- +UP LOOPBACK$/m);
  });

  test('--json: the records, flags as number and names', async () => {
    const { backend, interfaces } = await runJson<{ backend: string; interfaces: InterfaceRow[] }>('interfaces');
    assert.equal(backend, 'linux-emulation');
    const lo = interfaces.find((i) => i.address === '127.0.0.1');
    assert.ok(lo);
    assert.equal(lo.broadcast, null);
    assert.ok(lo.flagNames.includes('LOOPBACK'));
    for (const i of interfaces) {
      assert.equal(i.flagNames.includes('BROADCAST'), (i.flags & 2) !== 0);
      if (i.flags & 2) assert.equal(i.broadcast, '255.255.255.255');
    }
  });

  test('arguments are a usage error (exit 2); --help exits 0', async () => {
    const r = await run('interfaces', 'eth0');
    assert.equal(r.code, 2);
    assert.match(r.err, /usage: wsaioctl interfaces/);
    assert.equal((await run('interfaces', '--help')).code, 0);
    assert.equal((await run('interfaces', '--bogus')).code, 2);
  });
});

describe('wsaioctl addresses', () => {
  test('both families by default (as watch); -4 and --ipv4 the IPv4 part of it; no loopback address', async () => {
    const plain = await runJson<{ families: string[]; addresses: AddressRow[] }>('addresses');
    assert.deepEqual(plain.families, ['IPv4', 'IPv6']);
    assert.ok(plain.addresses.every((a) => !a.address.startsWith('127.') && a.address !== '::1'));
    const four = await runJson<{ families: string[]; addresses: AddressRow[] }>('addresses', '-4');
    assert.deepEqual(four.families, ['IPv4']);
    assert.ok(four.addresses.every((a) => a.family === 'IPv4'));
    assert.deepEqual(four.addresses, plain.addresses.filter((a) => a.family === 'IPv4'));
    assert.deepEqual((await runJson<{ addresses: AddressRow[] }>('addresses', '--ipv4')).addresses, four.addresses);
    const table = await run('addresses');
    assert.equal(table.code, 0);
    for (const a of plain.addresses) assert.match(table.out, new RegExp(`^${a.family}\\s+${a.address.replace(/\./g, '\\.')}\\s`, 'm'));
  });

  test('-6: IPv6 with scope ids on link-local addresses only', async () => {
    const six = await runJson<{ families: string[]; addresses: AddressRow[] }>('addresses', '-6');
    assert.deepEqual(six.families, ['IPv6']);
    for (const a of six.addresses) {
      assert.equal(a.family, 'IPv6');
      assert.notEqual(a.address, '::1');
      assert.equal(a.scopeId !== 0, a.address.startsWith('fe80:'), JSON.stringify(a));
    }
    const { code } = await run('addresses', '-6');
    assert.equal(code, 0);
  });

  test('usage errors exit 2', async () => {
    for (const argv of [['addresses', '-4', '-6'], ['addresses', 'extra'], ['addresses', '-7']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /usage: wsaioctl addresses/);
    }
  });
});

describe('wsaioctl route', () => {
  test('loopback destinations, table and --json', async () => {
    const { code, out } = await run('route', '127.0.0.1');
    assert.equal(code, 0);
    assert.match(out, /^127\.0\.0\.1 +127\.0\.0\.1$/m);
    assert.deepEqual(await runJson('route', '127.0.0.1'), { backend: 'linux-emulation', destination: '127.0.0.1', source: '127.0.0.1' });
    assert.deepEqual(await runJson('route', '::1'), { backend: 'linux-emulation', destination: '::1', source: '::1', sourceScopeId: 0 });
  });

  test('usage errors exit 2: none, two, not an address, an unknown zone', async () => {
    for (const argv of [['route'], ['route', '127.0.0.1', '::1'], ['route', 'example'], ['route', '300.1.1.1'], ['route', 'fe80::1%no-such-interface-here'], ['route', '127.0.0.1%1']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, /usage: wsaioctl route/, argv.join(' '));
    }
  });
});

describe('the commands in the lab namespace (the built CLI as the child)', () => {
  const skip = netnsSkip();
  const cli = `${ROOT}dist/cli/main.js`;
  test('route: a route with its own source; no route is exit 1 with WSAENETUNREACH', { skip, timeout: 60_000 }, () => {
    const viaGateway = runInNetns(LAB.setup, cli, ['route', '203.0.113.200', '--json']);
    assert.equal(viaGateway.status, 0, viaGateway.stderr);
    assert.deepEqual(JSON.parse(viaGateway.stdout), { backend: 'linux-emulation', destination: '203.0.113.200', source: '198.51.100.7' });
    const none = runInNetns(LAB.setup, cli, ['route', '203.0.113.50']);
    assert.equal(none.status, 1);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /wsaioctl route: WSAIoctl\(SIO_ROUTING_INTERFACE_QUERY\) failed: WSAENETUNREACH \(10051\)/);
    const six = runInNetns(LAB.setup, cli, ['route', '2001:db8:77::5']);
    assert.equal(six.status, 0, six.stderr);
    assert.match(six.stdout, /^2001:db8:77::5 +2001:db8:1::2$/m);
  });

  test('interfaces and addresses see the namespace', { skip, timeout: 60_000 }, () => {
    const interfaces = runInNetns(LAB.setup, cli, ['interfaces']);
    assert.equal(interfaces.status, 0, interfaces.stderr);
    assert.match(interfaces.stdout, /^192\.0\.2\.1 +255\.255\.255\.0 +255\.255\.255\.255 +UP BROADCAST MULTICAST$/m);
    assert.match(interfaces.stdout, /^203\.0\.113\.5 +255\.255\.255\.240 +255\.255\.255\.255 +BROADCAST MULTICAST$/m, 'no carrier: no UP');
    assert.doesNotMatch(interfaces.stdout, /203\.0\.113\.77/);
    const v4 = JSON.parse(runInNetns(LAB.setup, cli, ['addresses', '-4', '--json']).stdout) as { addresses: AddressRow[] };
    assert.deepEqual(v4.addresses.map((a) => a.address), [...LAB_FACTS.v4Listable]);
    const v6 = runInNetns(LAB.setup, cli, ['addresses', '-6']);
    assert.equal(v6.status, 0, v6.stderr);
    assert.match(v6.stdout, /^IPv6 +2001:db8:1::1 +-$/m);
    assert.match(v6.stdout, /^IPv6 +fe80::1 +\d+$/m);
    assert.doesNotMatch(v6.stdout, new RegExp(`^IPv6 +${LAB_FACTS.v6Tentative} `, 'm'));
  });
});

describe('the commands on the Windows backend (ws2_32.dll under Wine)', () => {
  const skip = process.env.WSAIOCTL_SKIP_WINE
    ? 'WSAIOCTL_SKIP_WINE is set'
    : !existsSync(join(wineCacheDir(), 'ready.json')) && 'Wine is not prepared (run sh scripts/wine/setup.sh)';
  const cli = `${ROOT}dist/cli/main.js`;
  // Wine's own answers differ from Windows' in places (they are Wine's, not ours): the subnet
  // broadcast in INTERFACE_INFO, 0.0.0.0 entries and IPv4 lists on IPv6 sockets from
  // SIO_ADDRESS_LIST_QUERY, the first adapter address as the source for 127.0.0.1, IPv4-only
  // SIO_ROUTING_INTERFACE_QUERY. So only the shape and the exit codes are checked here.
  test('interfaces, addresses and route run and decode ws2_32\'s answers', { skip, timeout: 300_000 }, async () => {
    const interfaces = await runUnderWine(cli, ['interfaces', '--json'], { timeoutMs: 120_000, cwd: ROOT });
    assert.equal(interfaces.code, 0, interfaces.stderr);
    const parsed = JSON.parse(interfaces.stdout) as { backend: string; interfaces: InterfaceRow[] };
    assert.equal(parsed.backend, 'windows-ws2_32');
    assert.ok(parsed.interfaces.some((i) => i.address === '127.0.0.1' && i.flagNames.includes('LOOPBACK')), interfaces.stdout);
    const addresses = await runUnderWine(cli, ['addresses', '--json'], { timeoutMs: 120_000, cwd: ROOT });
    assert.equal(addresses.code, 0, addresses.stderr);
    assert.ok(Array.isArray((JSON.parse(addresses.stdout) as { addresses: unknown[] }).addresses));
    const route = await runUnderWine(cli, ['route', '127.0.0.1', '--json'], { timeoutMs: 120_000, cwd: ROOT });
    assert.equal(route.code, 0, route.stderr);
    assert.equal((JSON.parse(route.stdout) as { destination: string }).destination, '127.0.0.1');
    const usage = await runUnderWine(cli, ['route'], { timeoutMs: 120_000, cwd: ROOT });
    assert.equal(usage.code, 2);
  });
});
