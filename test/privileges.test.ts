/**
 * Operations that need a privilege fail with Windows' error, WSAEACCES, when the process does not
 * have it. The probe (helpers/privilege-probe.ts) runs as a child with every capability dropped
 * (util-linux `setpriv`), once as root without capabilities and once as the unprivileged user
 * 65534 (nobody); the same probe run with this process's capabilities is the control.
 *
 * On Windows a raw socket needs administrator rights (else WSAEACCES); on Linux it needs
 * CAP_NET_RAW (EPERM, which the emulation reports as WSAEACCES): the SIO_RCVALL sockets (AF_INET /
 * IPPROTO_IP, AF_INET6 / IPPROTO_IPV6) included, as Windows checks at creation (Wine sock.c
 * test_WSASocket; Microsoft tcp-ip-raw-sockets-2). No IOCTL implemented on Linux
 * needs CAP_NET_ADMIN: SIO_SET_PRIORITY_HINT maps its hints to SO_PRIORITY 0-2, which any process
 * may set (only values above 6 need CAP_NET_ADMIN); the probe checks that it keeps working without
 * privileges, as it does on Windows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import * as ws from 'wsaioctl/winsock';

interface Outcome { rc: number; error: number }
interface Probe {
  uid: number;
  capEff: string;
  capPrm: string;
  rawIcmp: Outcome;
  rawIcmpOverlapped: Outcome;
  rawIpprotoRaw: Outcome;
  rawUdp: Outcome;
  rawIp: Outcome;
  rawIpv6: Outcome;
  rawIcmp6: Outcome;
  udp: Outcome;
  priorityHints: Outcome[];
}

const PROBE = fileURLToPath(new URL('./helpers/privilege-probe.js', import.meta.url));
const PACKAGE_ROOT = dirname(dirname(PROBE)).replace(/\/dist-test$/, '');
const CAP_NET_RAW = 13;

function hasCapability(bit: number): boolean {
  const eff = readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\s*([0-9a-f]+)$/m)?.[1] ?? '0';
  return (BigInt(`0x${eff}`) >> BigInt(bit)) & 1n ? true : false;
}

function setprivAvailable(): boolean {
  return spawnSync('setpriv', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Run the probe, through `prefix` (a setpriv command line) when given. */
function runProbe(prefix: string[]): Probe {
  const [cmd, ...args] = [...prefix, process.execPath, PROBE];
  const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 30_000, cwd: PACKAGE_ROOT });
  assert.equal(r.status, 0, `probe via ${prefix.join(' ') || 'node'} exited ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
}

const DROP_ALL = ['setpriv', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];

/** Why the capability-dropping runs cannot happen here, or false. */
function cannotDrop(): string | false {
  if (process.platform !== 'linux') return 'Linux only';
  if (!setprivAvailable()) return 'util-linux setpriv is not installed';
  if (process.getuid?.() !== 0) return 'dropping the bounding set needs root (CAP_SETPCAP)';
  return false;
}

/** Why the run as user 65534 cannot happen here, or false. */
function cannotRunAsNobody(): string | false {
  const reason = cannotDrop();
  if (reason) return reason;
  // The child must be able to read the built package and koffi as "other".
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', PROBE]);
  if (probe.status !== 0) return `user 65534 cannot read ${PROBE}`;
  return false;
}

function expectAccessDenied(probe: Probe, who: string): void {
  for (const key of ['rawIcmp', 'rawIcmpOverlapped', 'rawIpprotoRaw', 'rawUdp', 'rawIp'] as const) {
    assert.equal(probe[key].rc, ws.INVALID_SOCKET, `${who}: ${key} must fail`);
    assert.equal(probe[key].error, ws.WSAEACCES, `${who}: ${key} error ${ws.errorName(probe[key].error)}`);
  }
  // IPv6 may be absent from this kernel: then the address family is what fails.
  if (probe.rawIcmp6.error !== ws.WSAEAFNOSUPPORT) {
    assert.equal(probe.rawIcmp6.rc, ws.INVALID_SOCKET, `${who}: raw ICMPv6 must fail`);
    assert.equal(probe.rawIcmp6.error, ws.WSAEACCES, `${who}: raw ICMPv6 error ${ws.errorName(probe.rawIcmp6.error)}`);
    assert.deepEqual(probe.rawIpv6, { rc: ws.INVALID_SOCKET, error: ws.WSAEACCES }, `${who}: AF_INET6 / IPPROTO_IPV6 raw socket`);
  }
  // Unprivileged work still works: the failures above are about the privilege, nothing else.
  assert.deepEqual(probe.udp, { rc: 0, error: 0 }, `${who}: an ordinary UDP socket`);
  assert.deepEqual(probe.priorityHints, [0, 1, 2].map(() => ({ rc: 0, error: 0 })), `${who}: SIO_SET_PRIORITY_HINT needs no privilege`);
}

describe('privileged operations without the privilege', () => {
  test('control: with CAP_NET_RAW the same probe opens raw sockets', { skip: hasCapability(CAP_NET_RAW) ? false : 'this process has no CAP_NET_RAW' }, () => {
    accessSync(PROBE, constants.R_OK);
    const probe = runProbe([]);
    assert.deepEqual(probe.rawIcmp, { rc: 0, error: 0 });
    assert.deepEqual(probe.rawIpprotoRaw, { rc: 0, error: 0 });
    assert.deepEqual(probe.rawIp, { rc: 0, error: 0 }, 'AF_INET / SOCK_RAW / IPPROTO_IP (SIO_RCVALL\'s socket)');
    assert.deepEqual(probe.rawIpv6, { rc: 0, error: 0 }, 'AF_INET6 / SOCK_RAW / IPPROTO_IPV6');
    assert.deepEqual(probe.udp, { rc: 0, error: 0 });
  });

  test('root with every capability dropped: raw sockets fail with WSAEACCES', { skip: cannotDrop() }, () => {
    const probe = runProbe(DROP_ALL);
    assert.equal(probe.uid, 0);
    assert.equal(BigInt(`0x${probe.capEff}`), 0n, 'no effective capability left');
    assert.equal(BigInt(`0x${probe.capPrm}`), 0n, 'no permitted capability left');
    expectAccessDenied(probe, 'root without capabilities');
  });

  test('user 65534 without capabilities: raw sockets fail with WSAEACCES', { skip: cannotRunAsNobody() }, () => {
    const probe = runProbe(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...DROP_ALL.slice(1)]);
    assert.equal(probe.uid, 65534);
    assert.equal(BigInt(`0x${probe.capEff}`), 0n);
    expectAccessDenied(probe, 'nobody');
  });

  test('a process without capabilities and without setpriv: its own probe agrees', { skip: hasCapability(CAP_NET_RAW) ? 'this process has CAP_NET_RAW (covered by the setpriv runs)' : false }, () => {
    expectAccessDenied(runProbe([]), 'this process');
  });
});
