/**
 * `wsaioctl capture`: usage errors in-process; inside a network namespace with a peer
 * (helpers/capture-lab.ts, documentation addresses only) the built command as a child, bounded by
 * --count (JSON and text lines; the interface by address, name or index) and by --duration (a
 * quiet interface: nothing printed, exit 0);
 * and without CAP_NET_RAW (setpriv) the clear message and exit 1, as Windows refuses a raw socket
 * to a non-administrator with WSAEACCES (Wine sock.c test_WSASocket).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runCli } from './helpers/cli.js';
import { ROOT } from './helpers/netns.js';
import { netnsAvailable } from './helpers/netns-run.js';
import { scenario } from './helpers/rcvall-run.js';

const CLI = `${ROOT}dist/cli/main.js`;
const skip = netnsAvailable() ?? false;

interface CliResult { code: number | null; signal: string | null; stdout: string; stderr: string; sends: number }

describe('wsaioctl capture: usage', () => {
  for (const [args, message] of [
    [['--count', '0'], /--count takes a positive integer/],
    [['--count', 'x'], /--count takes a positive integer/],
    [['--duration', '-1'], /--duration takes a positive number/],
    [['--interface', '192.0.2.1', '-6'], /does not match the IPv4 address/],
    [['extra'], /unexpected argument 'extra'/],
  ] as const) {
    test(`${args.join(' ')}: exit 2, ${String(message)}`, async () => {
      const run = await runCli('capture', ...args);
      assert.equal(run.code, 2);
      assert.match(run.err, message);
      assert.equal(run.out, '');
    });
  }

  // No interface has a name this long (IFNAMSIZ) or index 0: a failure, not a usage error.
  for (const name of ['no-such-interface-x', '0']) {
    test(`--interface ${name}: exit 1, no such interface`, async () => {
      const run = await runCli('capture', '--interface', name);
      assert.equal(run.code, 1);
      assert.match(run.err, new RegExp(`no interface '${name}'`));
      assert.equal(run.out, '');
    });
  }

  test('--help names every option', async () => {
    const run = await runCli('capture', '--help');
    assert.equal(run.code, 0);
    for (const option of ['--interface', '--count', '--duration', '--promiscuous', '--json']) assert.ok(run.out.includes(option), option);
  });
});

describe('wsaioctl capture: packets', { skip }, () => {
  let facts: Record<string, CliResult>;
  test('the two-host lab runs', async () => {
    facts = await scenario<Record<string, CliResult>>('cli');
  });

  test('--count 3 --json: three packet objects of the traffic sent, then exit 0', () => {
    const { json } = facts;
    assert.equal(json!.code, 0, json!.stderr);
    const lines = json!.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 3);
    for (const p of lines) {
      assert.equal(p.family, 'IPv4');
      assert.ok(['UDP', 'ICMP'].includes(p.protocol as string), String(p.protocol));
      assert.ok(['192.0.2.1', '192.0.2.2'].includes(p.source as string));
      assert.ok(['192.0.2.1', '192.0.2.2'].includes(p.destination as string));
      assert.ok((p.length as number) >= 28);
      assert.ok(!Number.isNaN(Date.parse(p.time as string)));
    }
    assert.ok(lines.some((p) => p.protocol === 'UDP' && p.source === '192.0.2.1' && p.destination === '192.0.2.2' && p.length === 20 + 8 + 7));
  });

  test('--count 1 (text, --promiscuous): one line: time, protocol, source -> destination, length', () => {
    const { text } = facts;
    assert.equal(text!.code, 0, text!.stderr);
    const lines = text!.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}(UDP|ICMP) +192\.0\.2\.[12] -> 192\.0\.2\.[12] {2}\d+ bytes$/);
  });

  test('--duration 0.4 on a quiet interface: nothing printed, exit 0 on its own', () => {
    const run = facts.quiet!;
    assert.equal(run.signal, null, 'ended by itself');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
  });

  test('--interface NAME and --interface INDEX (SIO_RCVALL_IF on an unbound socket): packets of that interface, then exit 0', () => {
    for (const run of [facts.byName!, facts.byIndex!]) {
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 2);
      for (const p of lines) {
        assert.equal(p.family, 'IPv4');
        assert.ok(['192.0.2.1', '192.0.2.2'].includes(p.source as string), JSON.stringify(p));
        assert.ok(['192.0.2.1', '192.0.2.2'].includes(p.destination as string), JSON.stringify(p));
      }
    }
  });

  test('--interface <IPv6 address> --duration 0.4: exit 0 on its own; what it printed (the kernel\'s own MLD reports) is IPv6 of this link', () => {
    const run = facts.v6!;
    assert.equal(run.signal, null, 'ended by itself');
    assert.equal(run.code, 0, run.stderr);
    for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
      const p = JSON.parse(line) as { family: string; protocol: string };
      assert.equal(p.family, 'IPv6', line);
    }
  });
});

function cannotDrop(): string | false {
  if (process.platform !== 'linux') return 'Linux only';
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'util-linux setpriv is not installed';
  if (process.getuid?.() !== 0) return 'dropping the bounding set needs root';
  return false;
}

describe('wsaioctl capture without the privilege', { skip: cannotDrop() }, () => {
  const drop = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
  test('a message naming the privilege and WSAEACCES, exit 1; with --json the error is JSON', () => {
    const text = spawnSync('setpriv', [...drop, process.execPath, CLI, 'capture', '--interface', '127.0.0.1', '--duration', '1'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(text.status, 1, text.stderr);
    assert.equal(text.stdout, '');
    assert.match(text.stderr, /WSAEACCES/);
    assert.match(text.stderr, /administrator rights .*CAP_NET_RAW/);
    const json = spawnSync('setpriv', [...drop, process.execPath, CLI, 'capture', '--interface', '127.0.0.1', '--json'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(json.status, 1);
    const error = JSON.parse(json.stderr.trim()) as { error: string };
    assert.match(error.error, /CAP_NET_RAW/);
  });
});
