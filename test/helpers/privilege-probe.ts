/**
 * Child process for test/privileges.test.ts: runs the operations that need a privilege on Linux
 * and prints one JSON object with what the Winsock surface answered (return value and last error)
 * and this process's capability sets. Loopback only; nothing is sent.
 */
import { readFileSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';

interface Outcome { rc: number; error: number }

const status = readFileSync('/proc/self/status', 'utf8');
const cap = (name: string): string => status.match(new RegExp(`^Cap${name}:\\s*([0-9a-f]+)$`, 'm'))?.[1] ?? '?';

ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());

function open(af: number, type: number, protocol: number, overlappedFlag = false): Outcome {
  ws.WSASetLastError(0);
  const s = overlappedFlag
    ? ws.WSASocketW(af, type, protocol, null, 0, ws.WSA_FLAG_OVERLAPPED)
    : ws.socket(af, type, protocol);
  const error = ws.WSAGetLastError();
  if (s !== ws.INVALID_SOCKET) ws.closesocket(s);
  return { rc: s === ws.INVALID_SOCKET ? ws.INVALID_SOCKET : 0, error };
}

/** SIO_SET_PRIORITY_HINT with each defined hint on a TCP socket: the results in order. */
function priorityHints(): Outcome[] {
  const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  const results: Outcome[] = [];
  for (const hint of [0, 1, 2]) {
    const input = Uint8Array.of(hint, 0, 0, 0);
    ws.WSASetLastError(0);
    const rc = ws.WSAIoctl(s, ws.SIO_SET_PRIORITY_HINT, input, 4, null, 0, { value: 0 }, null, null);
    results.push({ rc, error: rc === 0 ? 0 : ws.WSAGetLastError() });
  }
  ws.closesocket(s);
  return results;
}

const result = {
  uid: process.getuid?.() ?? -1,
  capEff: cap('Eff'),
  capPrm: cap('Prm'),
  rawIcmp: open(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP),
  rawIcmpOverlapped: open(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, true),
  rawIpprotoRaw: open(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_RAW),
  rawUdp: open(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP),
  // The SIO_RCVALL sockets (a protocol-0 raw socket, and its IPv6 form).
  rawIp: open(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP),
  rawIpv6: open(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6),
  rawIcmp6: open(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_ICMPV6),
  udp: open(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP),
  priorityHints: priorityHints(),
};
ws.WSACleanup();
process.stdout.write(JSON.stringify(result) + '\n');
