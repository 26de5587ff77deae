/**
 * Runs inside a network namespace made by netns-run.ts (never on the host): a TCP connect that
 * draws a real ICMP "host unreachable", then what TCP_ICMP_ERROR_INFO says about it; prints one
 * JSON line. The ICMP comes from the namespace's own forwarding path: packets to 203.0.113.0/24
 * leave on veth va, come back in on vb (a static neighbour entry points at vb), and a policy rule
 * for traffic arriving on vb finds an "unreachable" route, so the kernel answers with ICMP type 3
 * code 1. Documentation ranges only; nothing leaves the namespace.
 */
import * as ws from 'wsaioctl/winsock';
import { sh } from './netns-run.js';

const out = (result: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(result) + '\n'); };

function setup(): void {
  sh('ip', 'link', 'set', 'lo', 'up');
  sh('ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb');
  sh('ip', 'link', 'set', 'va', 'up');
  sh('ip', 'link', 'set', 'vb', 'up');
  sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'va');
  sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'vb');
  sh('sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
    'net.ipv4.conf.vb.rp_filter=0', 'net.ipv4.conf.vb.accept_local=1');
  sh('ip', 'route', 'add', '203.0.113.0/24', 'dev', 'va');
  const mac = /link\/ether ([0-9a-f:]+)/.exec(sh('ip', '-o', 'link', 'show', 'vb'))![1]!;
  sh('ip', 'neigh', 'add', '203.0.113.5', 'lladdr', mac, 'dev', 'va');
  sh('ip', 'rule', 'add', 'iif', 'vb', 'lookup', '100', 'pref', '100');
  sh('ip', 'route', 'add', 'unreachable', '203.0.113.0/24', 'table', '100');
}

function icmpInfo(s: number): { rc: number; error: number; len: number; info: number[] } {
  const info = new Uint8Array(40).fill(0xcc);
  const len = { value: 40 };
  const rc = ws.getsockopt(s, ws.IPPROTO_TCP, ws.TCP_ICMP_ERROR_INFO, info, len);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), len: len.value, info: [...info] };
}

setup();
ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
const on = new Uint8Array([1, 0, 0, 0]);
const setRc = ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_FAIL_CONNECT_ON_ICMP_ERROR, on, 4);
// SO_SNDTIMEO does not bound connect; the ICMP answer comes at once, and the runner's time-out bounds the rest.
const to = ws.sockaddr('203.0.113.5', 80);
const before = icmpInfo(s);
const connectRc = ws.connect(s, to, to.length);
const connectError = connectRc === 0 ? 0 : ws.WSAGetLastError();
const after = icmpInfo(s);
const again = icmpInfo(s);
// A new connect call forgets the old ICMP error (WSAGetIcmpErrorInfo: "since the last connect call").
const local = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
const any = ws.sockaddr('127.0.0.1', 0);
ws.bind(local, any, any.length);
ws.listen(local, 1);
const name = new Uint8Array(16);
ws.getsockname(local, name, { value: 16 });
const reconnectRc = ws.connect(s, name, name.length);
const afterReconnect = icmpInfo(s);
out({ setRc, before, connectRc, connectError, after, again, reconnectRc, afterReconnect });
ws.closesocket(s);
ws.closesocket(local);
ws.WSACleanup();
