/**
 * `wsaioctl watch`: usage errors and --help in-process; the built CLI as a child process that
 * ends cleanly (exit 0) on SIGINT / SIGTERM; and inside a network namespace the change it streams
 * when an address is added after it started (`ip addr add` entered into the child's namespace with
 * nsenter once the child has printed its initial lines, so the order is certain). Loopback and
 * documentation ranges only; every child is bounded by a time-out (SIGKILL).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { runCli } from './helpers/cli.js';
import { ROOT, netnsSkip } from './helpers/netns.js';

const CLI = `${ROOT}dist/cli/main.js`;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Watcher {
  pid: number;
  /** Resolves once stdout holds at least `n` lines (rejects when the child ends first). */
  lines(n: number): Promise<string[]>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<Finished>;
}

/** Spawn `command args`, collect its output, SIGKILL it after `timeoutMs`. */
function start(command: string, args: string[], timeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Watcher {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; waiters.forEach((w) => w()); });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closed = true;
      resolve({ code, signal, stdout, stderr });
      waiters.forEach((w) => w());
    });
  });
  const complete = (): string[] => stdout.split('\n').filter((l) => l !== '');
  return {
    pid: child.pid!,
    lines: (n) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (stdout.endsWith('\n') && complete().length >= n) resolve(complete());
        else if (closed) reject(new Error(`child ended first: ${stdout}\n${stderr}`));
      };
      waiters.push(check);
      check();
    }),
    kill: (signal) => child.kill(signal),
    done,
  };
}

interface AddressEvent {
  time: string;
  event: 'initial' | 'change';
  backend: string;
  family: 'IPv4' | 'IPv6';
  addresses: Array<{ family: string; address: string; scopeId?: number }>;
}

describe('wsaioctl watch: arguments', () => {
  test('--help exits 0 and describes the options', async () => {
    const r = await runCli('watch', '--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /^usage: wsaioctl watch /);
    for (const option of ['--route', '--family', '--count', '--json']) assert.ok(r.out.includes(option), option);
    assert.match((await runCli('--help')).out, /^ {2}watch +Stream/m, 'listed in the overview');
  });

  test('usage errors exit 2 with nothing on stdout', async () => {
    for (const argv of [
      ['watch', 'extra'],
      ['watch', '--family', '5'],
      ['watch', '--family', '4', '-6'],
      ['watch', '-4', '-6'],
      ['watch', '--count', '0'],
      ['watch', '--count', 'many'],
      ['watch', '--count', '-1'],
      ['watch', '--route', 'nowhere'],
      ['watch', '--route', '::1', '--family', '4'],
      ['watch', '--route', 'fe80::1%no-such-interface-here'],
      ['watch', '--route'],
      ['watch', '--bogus'],
    ]) {
      const r = await runCli(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '', argv.join(' '));
      assert.match(r.err, /usage: wsaioctl watch/, argv.join(' '));
    }
  });
});

describe('wsaioctl watch: the built command as a child', () => {
  const cases: Array<[NodeJS.Signals, string[]]> = [['SIGINT', ['--json']], ['SIGTERM', ['--route', '127.0.0.1', '--json']], ['SIGINT', ['-4']]];
  for (const [signal, args] of cases) {
    test(`${signal} ends 'watch ${args.join(' ')}' cleanly with exit 0`, { timeout: 60_000 }, async () => {
      const child = start(process.execPath, [CLI, 'watch', ...args]);
      const expected = args[0] === '--json' ? 2 : 1; // both families' initial lines, else one
      const lines = await child.lines(expected);
      if (args.includes('--json')) {
        for (const line of lines) assert.equal((JSON.parse(line) as { event: string }).event, 'initial');
      }
      if (args.length === 1 && args[0] === '--json') {
        // The same default as `addresses`: both families (issue 19, CLI consistency).
        const addresses = JSON.parse((await runCli('addresses', '--json')).out) as { families: string[] };
        assert.deepEqual(lines.map((l) => (JSON.parse(l) as AddressEvent).family), addresses.families);
      }
      child.kill(signal);
      const end = await child.done;
      assert.equal(end.signal, null, end.stderr);
      assert.equal(end.code, 0, end.stderr);
      assert.equal(end.stderr, '');
    });
  }
});

describe('wsaioctl watch in a network namespace', () => {
  const skip = netnsSkip();
  // A veth pair with carrier, IPv6 off on it (no link-local address whose DAD ends mid-test).
  const setup = [
    'set -e',
    'ip link set lo up',
    'ip link add va type veth peer name vb',
    'echo 1 > /proc/sys/net/ipv6/conf/va/disable_ipv6',
    'echo 1 > /proc/sys/net/ipv6/conf/vb/disable_ipv6',
    'ip link set va up',
    'ip link set vb up',
    'exec "$NODE" "$@"',
  ].join('\n');
  const inNetns = (...args: string[]): Watcher =>
    start('unshare', ['-n', 'sh', '-c', setup, 'netns', CLI, 'watch', ...args], 30_000, { ...process.env, NODE: process.execPath });
  // unshare and sh exec, so the child's pid is the CLI's, inside the namespace.
  const addAddress = (pid: number): void => {
    execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', 'addr', 'add', '192.0.2.9/24', 'dev', 'va'], { timeout: 10_000 });
  };

  test('--json --count 1: the initial lists, then the IPv4 list with the added address; exit 0', { skip, timeout: 60_000 }, async () => {
    const child = inNetns('--json', '--count', '1');
    const initial = (await child.lines(2)).map((l) => JSON.parse(l) as AddressEvent);
    assert.deepEqual(initial.map((e) => [e.event, e.family, e.addresses]), [['initial', 'IPv4', []], ['initial', 'IPv6', []]]);
    addAddress(child.pid);
    const end = await child.done;
    assert.equal(end.code, 0, end.stderr);
    const lines = end.stdout.trim().split('\n');
    assert.equal(lines.length, 3, end.stdout);
    const change = JSON.parse(lines[2]!) as AddressEvent;
    assert.equal(change.event, 'change');
    assert.equal(change.backend, 'linux-emulation');
    assert.equal(change.family, 'IPv4');
    assert.deepEqual(change.addresses, [{ family: 'IPv4', address: '192.0.2.9' }]);
    assert.ok(!Number.isNaN(Date.parse(change.time)));
  });

  test('--route: no route first, then the new address as the source', { skip, timeout: 60_000 }, async () => {
    const child = inNetns('--route', '192.0.2.55', '--count', '1');
    const [first] = await child.lines(1);
    assert.match(first!, /route to 192\.0\.2\.55: no route$/);
    addAddress(child.pid);
    const end = await child.done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout.trim().split('\n').pop()!, /route to 192\.0\.2\.55 changed: 192\.0\.2\.9$/);
  });

  test('--family 6 is not woken by an IPv4 change (SIGTERM ends it)', { skip, timeout: 60_000 }, async () => {
    const child = inNetns('--family', '6', '--json', '--count', '1');
    await child.lines(1);
    addAddress(child.pid);
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    const end = await child.done;
    assert.equal(end.code, 0, end.stderr);
    const lines = end.stdout.trim().split('\n').map((l) => JSON.parse(l) as AddressEvent);
    assert.deepEqual(lines.map((e) => [e.event, e.family]), [['initial', 'IPv6']]);
  });
});
