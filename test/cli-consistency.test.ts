/**
 * One meaning per option across the `wsaioctl` commands (issue 19 item 7): the family options
 * (`--family 4|6`, `-4`, `-6`, `--ipv4`, `--ipv6`) are the same in `addresses`, `watch` and `capture`;
 * `--version`; with `--json`, errors are JSON on stderr too; IPv6 input is parsed strictly (node:net
 * in the CLI, and the structs layer's own parser, which must agree with node:net).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { runCli } from './helpers/cli.js';
import { isIPv6 } from '../dist/structs/ip.js';
import { sockaddr } from '../dist/structs/sockaddr.js';
import { routeTo, sortDestinations } from 'wsaioctl';
import { ROOT } from './helpers/netns.js';

const run = runCli;

describe('CLI: the family options mean the same everywhere', () => {
  test('addresses: --family 6, -6 and --ipv6 give the same answer; --family 4 the IPv4 one', async () => {
    const six = await run('addresses', '--family', '6', '--json');
    assert.equal(six.code, 0, six.err);
    assert.deepEqual(JSON.parse(six.out).families, ['IPv6']);
    for (const form of [['-6'], ['--ipv6'], ['--family', 'ipv6']]) {
      const other = await run('addresses', ...form, '--json');
      assert.equal(other.code, 0, other.err);
      assert.deepEqual(JSON.parse(other.out), JSON.parse(six.out), form.join(' '));
    }
    assert.deepEqual(JSON.parse((await run('addresses', '--family', '4', '--json')).out).families, ['IPv4']);
  });


  test('both families, or a family that is not one, are the same usage error in addresses, watch and capture', async () => {
    for (const command of ['addresses', 'watch', 'capture']) {
      for (const bad of [['-4', '-6'], ['--family', '4', '--ipv6'], ['--family', '5']]) {
        const r = await run(command, ...bad, '--count', '1');
        assert.equal(r.code, 2, `${command} ${bad.join(' ')}: ${r.err}`);
      }
    }
    const a = await run('addresses', '--family', '5');
    const w = await run('watch', '--family', '5');
    assert.equal(a.err.split('\n')[0]!.replace('addresses', 'X'), w.err.split('\n')[0]!.replace('watch', 'X'));
    const c = await run('capture', '--family', '5');
    assert.equal(a.err.split('\n')[0]!.replace('addresses', 'X'), c.err.split('\n')[0]!.replace('capture', 'X'));
  });
});

describe('CLI: --version and JSON errors', () => {
  const version = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;

  test('--version (and -V, and after a command) prints the package version', async () => {
    for (const argv of [['--version'], ['-V'], ['route', '--version']]) {
      const r = await run(...argv);
      assert.equal(r.code, 0);
      assert.equal(r.out.trim(), version);
    }
  });

  test('with --json, usage errors and failures are one JSON object on stderr, nothing on stdout', async () => {
    for (const argv of [['route', '1:::2', '--json'], ['addresses', '--bogus', '--json'], ['nosuch', '--json'], ['--json', 'addresses', '-4', '-6']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      const error = JSON.parse(lines[0]!) as { error: string; usage?: string };
      assert.equal(typeof error.error, 'string');
      assert.match(error.error, /^wsaioctl/);
    }
    // Without --json the same error stays text.
    assert.match((await run('route', '1:::2')).err, /^wsaioctl route: not an IP address/);
  });
});

describe('strict IPv6 parsing (route, sort, sockaddr, routeTo, sortDestinations)', () => {
  const BAD = ['1:::2', ':1::2', '1::2:', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', ':::', ':', '::ffff:1.2.3', 'g::1', '1:2:3:4:5:6:7:1.2.3.4'];
  const GOOD = ['::', '::1', '1::2', '2001:db8::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:192.0.2.1', '1:2:3:4:5:6:192.0.2.1', 'FE80::A'];

  test('the structs parser agrees with node:net isIPv6', () => {
    for (const text of [...BAD, ...GOOD]) assert.equal(isIPv6(text), net.isIPv6(text), text);
  });

  test('route and sort refuse malformed IPv6 with a usage error', async () => {
    for (const text of BAD) {
      assert.equal((await run('route', text)).code, 2, `route ${text}`);
      assert.equal((await run('sort', text, '2001:db8::1')).code, 2, `sort ${text}`);
    }
  });

  test('sockaddr(), routeTo() and sortDestinations() throw on it; a zone must be digits', () => {
    for (const text of BAD) {
      assert.throws(() => sockaddr(text, 0), TypeError, text);
      assert.throws(() => routeTo(text), { code: 'ERR_INVALID_IP_ADDRESS' }, text);
      assert.throws(() => sortDestinations(['2001:db8::1', text]), { code: 'ERR_INVALID_IP_ADDRESS' }, text);
    }
    for (const zone of ['fe80::1%', 'fe80::1%+1', 'fe80::1% 1', 'fe80::1%1e3']) assert.throws(() => sockaddr(zone, 0), TypeError, zone);
    assert.equal(sockaddr('fe80::1%7', 0).readUInt32LE(24), 7);
    for (const text of GOOD) assert.doesNotThrow(() => sockaddr(text, 0), text);
  });
});
