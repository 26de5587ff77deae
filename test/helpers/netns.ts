/**
 * Run a built node script inside a fresh network namespace (`unshare -n`; the tests run as root),
 * after shell setup lines (`ip link ...`, `ip addr ...`, `ip route ...`) that run in the same
 * namespace first. The namespace dies with the child, so nothing it changes reaches the host.
 * Setups use loopback and documentation ranges only (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32); traffic, if any, stays inside the namespace. Every child is
 * bounded by a time-out (SIGKILL).
 *
 *   const skip = netnsSkip();                      // false, or the reason to skip
 *   const run = runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify(requests)]);
 *   const answer = lastJson(run);                  // the last line printed, as JSON
 *
 * `LAB` is a ready topology with several interfaces, IPv4 and IPv6 addresses (one tentative, one
 * deprecated, one DAD-failed), a point-to-point link and more than one route; `LAB_FACTS` names
 * what it holds.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface NetnsResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

let skipReason: string | false | undefined;

/**
 * false when a namespace with a veth pair can be made here, else why not (for `{ skip }`).
 * Probed once per process.
 */
export function netnsSkip(): string | false {
  if (skipReason !== undefined) return skipReason;
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && ip link add va type veth peer name vb'], {
    encoding: 'utf8', timeout: 10_000,
  });
  skipReason = probe.status === 0
    ? false
    : `unshare -n with a veth pair is not permitted here (${(probe.error?.message ?? probe.stderr ?? '').trim() || `exit ${probe.status}`})`;
  return skipReason;
}

/** The path of a built helper script next to this one (dist-test/helpers/<name>). */
export function script(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}

/** What a namespaced child left behind, in the shape the tests read. */
function resultOf(child: SpawnSyncReturns<string>): NetnsResult {
  return {
    status: child.status,
    signal: child.signal,
    stdout: child.stdout ?? '',
    stderr: child.stderr ?? '',
    timedOut: (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
  };
}

/**
 * In a fresh network namespace: run `setup` (shell lines, `set -e`: the first failure stops and
 * fails the child), then `node <scriptPath> <args...>`. Synchronous; killed after `timeoutMs`.
 */
export function runInNetns(setup: readonly string[], scriptPath: string, args: readonly string[] = [], timeoutMs = 30_000): NetnsResult {
  const shell = ['set -e', ...setup, 'exec "$NODE" "$@"'].join('\n');
  const child = spawnSync('unshare', ['-n', 'sh', '-c', shell, 'netns', scriptPath, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, NODE: process.execPath },
    maxBuffer: 16 * 1024 * 1024,
  });
  return resultOf(child);
}

/** Setup lines only (`ip` commands) and then a shell command: for facts read with `ip` itself. */
export function shellInNetns(setup: readonly string[], command: string, timeoutMs = 30_000): NetnsResult {
  const child = spawnSync('unshare', ['-n', 'sh', '-c', ['set -e', ...setup, command].join('\n')], {
    cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL',
  });
  return resultOf(child);
}

/** The last stdout line as JSON; throws with the child's stderr when it failed. */
export function lastJson<T = unknown>(run: NetnsResult): T {
  if (run.status !== 0) {
    throw new Error(`namespace child failed (status ${run.status}, signal ${run.signal}${run.timedOut ? ', timed out' : ''}):\n${run.stderr}\n${run.stdout}`);
  }
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Wait (bounded, ~5 s) until `ip -6 addr show dev <dev>` mentions `word`. */
const waitForAddressState = (dev: string, word: string): string =>
  `for i in $(seq 1 50); do ip -6 addr show dev ${dev} | grep -q ${word} && break; sleep 0.1; done; ip -6 addr show dev ${dev} | grep -q ${word}`;

/**
 * The lab namespace:
 *
 *   lo     up: 127.0.0.1/8, ::1
 *   v0     veth, up with carrier (peer v1 up):
 *            192.0.2.1/24 brd +, 198.51.100.7/24 brd +
 *            2001:db8:1::1/64, 2001:db8:1::2/64, fe80::1/64 (nodad)
 *            2001:db8:1::d/64 tentative (DAD held for 30 s), 2001:db8:1::e/64 deprecated,
 *            2001:db8:1::f/64 DAD-failed (v1 has it)
 *   v1     veth, up, no IPv4; 2001:db8:1::f/64 (nodad); its own link-local (may still be tentative)
 *   w0     veth, up without carrier (peer w1 down): 203.0.113.5/28
 *   x0     veth, administratively down: 203.0.113.77/28
 *   tn0    tun (point-to-point, no carrier): 198.51.100.65 peer 198.51.100.66/32 (when /dev/net/tun works)
 *
 *   routes: the connected ones, 203.0.113.128/25 via 192.0.2.254 src 198.51.100.7,
 *           unreachable 198.51.100.128/25, 224.0.0.0/4 dev v0,
 *           2001:db8:99::/48 via 2001:db8:1::fe, 2001:db8:77::/48 dev v0 src 2001:db8:1::2
 *   no default route: 203.0.113.50 and 2001:db8:ffff::1 have no route.
 */
export const LAB: { setup: readonly string[] } = {
  setup: [
    'ip link set lo up',
    'ip link add v0 type veth peer name v1',
    'ip link add w0 type veth peer name w1',
    'ip link add x0 type veth peer name x1',
    // DAD on v0 takes 30 s per probe, so an address added without nodad stays tentative meanwhile.
    'echo 30000 > /proc/sys/net/ipv6/neigh/v0/retrans_time_ms',
    'ip link set v1 up',
    'ip -6 addr add 2001:db8:1::f/64 dev v1 nodad',
    'ip link set v0 up',
    'ip addr add 192.0.2.1/24 brd + dev v0',
    'ip addr add 198.51.100.7/24 brd + dev v0',
    'ip -6 addr add 2001:db8:1::1/64 dev v0 nodad',
    'ip -6 addr add 2001:db8:1::2/64 dev v0 nodad',
    'ip -6 addr add fe80::1/64 dev v0 nodad',
    'ip -6 addr add 2001:db8:1::d/64 dev v0',
    'ip -6 addr add 2001:db8:1::e/64 dev v0 nodad preferred_lft 0 valid_lft 3600',
    'ip -6 addr add 2001:db8:1::f/64 dev v0',
    'ip link set w0 up',
    'ip addr add 203.0.113.5/28 brd + dev w0',
    'ip addr add 203.0.113.77/28 brd + dev x0',
    '(ip tuntap add dev tn0 mode tun && ip link set tn0 up && ip addr add 198.51.100.65 peer 198.51.100.66/32 dev tn0) 2>/dev/null || true',
    'ip route add 203.0.113.128/25 via 192.0.2.254 src 198.51.100.7',
    'ip route add unreachable 198.51.100.128/25',
    'ip route add 224.0.0.0/4 dev v0',
    'ip -6 route add 2001:db8:99::/48 via 2001:db8:1::fe dev v0',
    'ip -6 route add 2001:db8:77::/48 dev v0 src 2001:db8:1::2',
    waitForAddressState('v0', 'dadfailed'),
  ],
};

export const LAB_FACTS = {
  v4Listable: ['192.0.2.1', '198.51.100.7'],
  v4NotOperational: ['203.0.113.5'],
  v4AdminDown: ['203.0.113.77'],
  pointToPoint: { address: '198.51.100.65', peer: '198.51.100.66' },
  v6Usable: ['2001:db8:1::1', '2001:db8:1::2', 'fe80::1', '2001:db8:1::f'],
  v6Tentative: '2001:db8:1::d',
  v6Deprecated: '2001:db8:1::e',
  /** On v0 it failed DAD; v1 holds the same address (usable there). */
  v6DadFailed: '2001:db8:1::f',
} as const;
