/**
 * For child scripts run by netns-run.ts (inside a fresh network namespace, never on the host): two
 * hosts on one wire. This namespace keeps veth v0 (192.0.2.1/24, 2001:db8:1::1/64); its peer v1
 * moves into a second namespace (a `sleep` started with `unshare -n`, killed by `closeCaptureLab`
 * or after 90 s) holding 192.0.2.2/24 and 2001:db8:1::2/64. Traffic between the two crosses the
 * veth pair, so a capture on v0 sees it leave and arrive; the peer's kernel answers pings and
 * sends ICMP "port unreachable" for UDP to a closed port. Documentation ranges only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { sh } from './netns-run.js';

export const LOCAL4 = '192.0.2.1';
export const PEER4 = '192.0.2.2';
export const LOCAL6 = '2001:db8:1::1';
export const PEER6 = '2001:db8:1::2';

let peer: ChildProcess | null = null;

/** Run `command` in the peer's namespace. */
export function inPeer(...command: string[]): string {
  if (!peer?.pid) throw new Error('no peer namespace');
  return sh('nsenter', '-t', String(peer.pid), '-n', ...command);
}

export function openCaptureLab(): void {
  sh('ip', 'link', 'set', 'lo', 'up');
  sh('sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
  sh('ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  peer = spawn('unshare', ['-n', 'sleep', '90'], { stdio: 'ignore' });
  const own = readlinkSync('/proc/self/ns/net');
  // unshare execs sleep once its namespace exists: wait (bounded) until the pid shows a new one.
  for (let i = 0; i < 100; i++) {
    let theirs = own;
    try {
      theirs = readlinkSync(`/proc/${peer.pid}/ns/net`);
    } catch {
      // not started yet
    }
    if (theirs !== own) break;
    sh('sleep', '0.02');
  }
  sh('ip', 'link', 'set', 'v1', 'netns', String(peer.pid));
  sh('ip', 'link', 'set', 'v0', 'up');
  sh('ip', 'addr', 'add', `${LOCAL4}/24`, 'dev', 'v0');
  sh('ip', '-6', 'addr', 'add', `${LOCAL6}/64`, 'dev', 'v0', 'nodad');
  inPeer('ip', 'link', 'set', 'lo', 'up');
  inPeer('sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0');
  inPeer('ip', 'link', 'set', 'v1', 'up');
  inPeer('ip', 'addr', 'add', `${PEER4}/24`, 'dev', 'v1');
  inPeer('ip', '-6', 'addr', 'add', `${PEER6}/64`, 'dev', 'v1', 'nodad');
  // Neighbours known in advance: the first packet leaves at once, and no ARP / ND clutters a capture.
  const peerMac = /link\/ether ([0-9a-f:]+)/.exec(inPeer('ip', '-o', 'link', 'show', 'v1'))![1]!;
  const ownMac = /link\/ether ([0-9a-f:]+)/.exec(sh('ip', '-o', 'link', 'show', 'v0'))![1]!;
  sh('ip', 'neigh', 'replace', PEER4, 'lladdr', peerMac, 'dev', 'v0', 'nud', 'permanent');
  sh('ip', '-6', 'neigh', 'replace', PEER6, 'lladdr', peerMac, 'dev', 'v0', 'nud', 'permanent');
  inPeer('ip', 'neigh', 'replace', LOCAL4, 'lladdr', ownMac, 'dev', 'v1', 'nud', 'permanent');
  inPeer('ip', '-6', 'neigh', 'replace', LOCAL6, 'lladdr', ownMac, 'dev', 'v1', 'nud', 'permanent');
}

export function closeCaptureLab(): void {
  peer?.kill('SIGKILL');
  peer = null;
}

/**
 * v0's promiscuous and all-multicast reference counts (`ip -d link`: packet-socket memberships count
 * there, while the IFF_ flags `ip link` prints show only what was set by hand, and sysfs would show
 * the host's namespace).
 */
export function nicModes(): { promiscuity: number; allmulti: number } {
  const text = sh('ip', '-d', 'link', 'show', 'v0');
  return {
    promiscuity: Number(/promiscuity (\d+)/.exec(text)?.[1] ?? -1),
    allmulti: Number(/allmulti (\d+)/.exec(text)?.[1] ?? -1),
  };
}
