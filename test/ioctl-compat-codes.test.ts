/**
 * Seven small control codes on the Linux emulation, on real loopback sockets: SIO_LOOPBACK_FAST_PATH,
 * SIO_SET_COMPATIBILITY_MODE, SIO_ENABLE_CIRCULAR_QUEUEING, SIO_MULTICAST_SCOPE,
 * SIO_MULTIPOINT_LOOPBACK, SIO_SET_PRIORITY_HINT and SIO_CPU_AFFINITY. Each: its validation errors,
 * *lpcbBytesReturned, and the Linux effect read back from the socket where there is one.
 * Network use: 127.0.0.1 and ::1 only; no multicast datagram is sent.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import * as ws from 'wsaioctl/winsock';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { kernelInt } from '../dist/backend/linux/host/socket-facts.js';
import { L } from '../dist/backend/linux/host/libc.js';

const UNTOUCHED = 0xdead;

function ioctl(s: number, code: number, input: Uint8Array | null, cbIn = input?.length ?? 0, output: Uint8Array | null = null, cbOut = output?.length ?? 0) {
  const bytes = { value: UNTOUCHED };
  ws.WSASetLastError(0xbeef);
  const rc = ws.WSAIoctl(s, code, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: ws.WSAGetLastError(), bytes: bytes.value };
}

const ok = (r: { rc: number; error: number; bytes: number }) => {
  assert.equal(r.rc, 0, `failed with ${r.error}`);
  assert.equal(r.error, 0, 'a successful call clears the last error');
  assert.equal(r.bytes, 0);
};
const fails = (r: { rc: number; error: number; bytes: number }, error: number, bytes = 0) => {
  assert.equal(r.rc, ws.SOCKET_ERROR);
  assert.equal(r.error, error);
  assert.equal(r.bytes, bytes);
};

const u32 = (...values: number[]) => {
  const b = new Uint8Array(4 * values.length);
  values.forEach((v, i) => new DataView(b.buffer).setUint32(4 * i, v >>> 0, true));
  return b;
};
const u16 = (v: number) => new Uint8Array([v & 0xff, v >> 8]);

/** getsockopt through the Winsock surface, as an int. */
function optInt(s: number, level: number, name: number): number {
  const val = new Uint8Array(4);
  const len = { value: 4 };
  assert.equal(ws.getsockopt(s, level, name, val, len), 0, `getsockopt(${level}, ${name}): ${ws.WSAGetLastError()}`);
  return len.value === 1 ? val[0]! : new DataView(val.buffer).getInt32(0, true);
}

/** A Linux option of the host fd (for effects the Winsock surface has no name for). */
function hostOpt(s: number, level: number, name: number): number | null {
  return kernelInt(lookupSocket(s)!.fd, level, name);
}

const open: number[] = [];
function sock(af: number, type: number): number {
  const s = ws.socket(af, type, 0);
  assert.notEqual(s, ws.INVALID_SOCKET, `socket: ${ws.WSAGetLastError()}`);
  open.push(s);
  return s;
}

/** A connected loopback TCP pair plus its listener. */
function tcpPair(af = ws.AF_INET, prepare?: (s: number) => void) {
  const any = af === ws.AF_INET ? '127.0.0.1' : '::1';
  const listener = sock(af, ws.SOCK_STREAM);
  prepare?.(listener);
  assert.equal(ws.bind(listener, ws.sockaddr(any, 0), af === ws.AF_INET ? 16 : 28), 0);
  assert.equal(ws.listen(listener, 4), 0);
  const name = new Uint8Array(28);
  const len = { value: name.length };
  assert.equal(ws.getsockname(listener, name, len), 0);
  const client = sock(af, ws.SOCK_STREAM);
  prepare?.(client);
  assert.equal(ws.connect(client, name, len.value), 0, `connect: ${ws.WSAGetLastError()}`);
  const server = ws.accept(listener, null, null);
  assert.notEqual(server, ws.INVALID_SOCKET);
  open.push(server);
  return { listener, client, server };
}

before(() => assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0));
after(() => {
  for (const s of open) ws.closesocket(s);
  ws.WSACleanup();
});

describe('SIO_LOOPBACK_FAST_PATH', () => {
  test('a new TCP socket (IPv4, IPv6) accepts TRUE and FALSE; 0 bytes returned', () => {
    for (const af of [ws.AF_INET, ws.AF_INET6]) {
      const s = sock(af, ws.SOCK_STREAM);
      ok(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, u32(1)));
      ok(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, u32(0)));
    }
  });

  test('set on both ends before connect / accept: the connection works as usual', () => {
    const pair = tcpPair(ws.AF_INET, (s) => ok(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, u32(1))));
    assert.equal(ws.send(pair.client, new Uint8Array([1, 2, 3]), 3, 0), 3);
    const buf = new Uint8Array(8);
    assert.equal(ws.recv(pair.server, buf, 8, 0), 3);
  });

  test('a bound, a listening socket still accept it; connected and accepted sockets: WSAEINVAL', () => {
    const pair = tcpPair(ws.AF_INET);
    ok(ioctl(pair.listener, ws.SIO_LOOPBACK_FAST_PATH, u32(1)));
    fails(ioctl(pair.client, ws.SIO_LOOPBACK_FAST_PATH, u32(1)), ws.WSAEINVAL);
    fails(ioctl(pair.server, ws.SIO_LOOPBACK_FAST_PATH, u32(1)), ws.WSAEINVAL);
    const bound = sock(ws.AF_INET, ws.SOCK_STREAM);
    assert.equal(ws.bind(bound, ws.sockaddr('127.0.0.1', 0), 16), 0);
    ok(ioctl(bound, ws.SIO_LOOPBACK_FAST_PATH, u32(1)));
  });

  test('TCP only: UDP gets WSAEOPNOTSUPP', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_DGRAM), ws.SIO_LOOPBACK_FAST_PATH, u32(1)), ws.WSAEOPNOTSUPP);
  });

  test('a BOOL input: shorter or missing is WSAEFAULT, longer is fine', () => {
    const s = sock(ws.AF_INET, ws.SOCK_STREAM);
    fails(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, new Uint8Array(3)), ws.WSAEFAULT);
    fails(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, null, 0), ws.WSAEFAULT);
    // A null buffer with a size is "not valid memory": the dispatcher's WSAEFAULT, bytes untouched.
    fails(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, null, 4), ws.WSAEFAULT, UNTOUCHED);
    ok(ioctl(s, ws.SIO_LOOPBACK_FAST_PATH, u32(1, 0)));
  });
});

describe('SIO_SET_COMPATIBILITY_MODE', () => {
  const WsaBehaviorAutoTuning = 2;
  const NTDDI_LONGHORN = 0x06000000;

  test('a TCP socket accepts a WSA_COMPATIBILITY_MODE; 0 bytes returned', () => {
    const s = sock(ws.AF_INET, ws.SOCK_STREAM);
    ok(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, u32(WsaBehaviorAutoTuning, NTDDI_LONGHORN)));
    ok(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, u32(0, 0x05010000)));
    ok(ioctl(sock(ws.AF_INET6, ws.SOCK_STREAM), ws.SIO_SET_COMPATIBILITY_MODE, u32(1, NTDDI_LONGHORN, 0)));
  });

  test('cbInBuffer under 8 is WSAEINVAL; an unknown BehaviorId too', () => {
    const s = sock(ws.AF_INET, ws.SOCK_STREAM);
    const input = u32(WsaBehaviorAutoTuning, NTDDI_LONGHORN);
    fails(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, input, 7), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, input, 4), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, null, 0), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_COMPATIBILITY_MODE, u32(3, NTDDI_LONGHORN)), ws.WSAEINVAL);
  });

  test('datagram sockets: WSAEOPNOTSUPP, whatever the input', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    fails(ioctl(u, ws.SIO_SET_COMPATIBILITY_MODE, u32(WsaBehaviorAutoTuning, NTDDI_LONGHORN)), ws.WSAEOPNOTSUPP);
    fails(ioctl(u, ws.SIO_SET_COMPATIBILITY_MODE, new Uint8Array(2)), ws.WSAEOPNOTSUPP);
  });
});

describe('SIO_ENABLE_CIRCULAR_QUEUEING', () => {
  test('UDP (IPv4, IPv6): success, no buffers, 0 bytes', () => {
    ok(ioctl(sock(ws.AF_INET, ws.SOCK_DGRAM), ws.SIO_ENABLE_CIRCULAR_QUEUEING, null));
    ok(ioctl(sock(ws.AF_INET6, ws.SOCK_DGRAM), ws.SIO_ENABLE_CIRCULAR_QUEUEING, null));
  });

  test('TCP: WSAEINVAL (not an unreliable message socket)', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_STREAM), ws.SIO_ENABLE_CIRCULAR_QUEUEING, null), ws.WSAEINVAL);
  });

  test('the UDP socket still receives afterwards', () => {
    const rx = sock(ws.AF_INET, ws.SOCK_DGRAM);
    ok(ioctl(rx, ws.SIO_ENABLE_CIRCULAR_QUEUEING, null));
    assert.equal(ws.bind(rx, ws.sockaddr('127.0.0.1', 0), 16), 0);
    const name = new Uint8Array(16);
    assert.equal(ws.getsockname(rx, name, { value: 16 }), 0);
    assert.equal(ws.sendto(sock(ws.AF_INET, ws.SOCK_DGRAM), new Uint8Array([7]), 1, 0, name, 16), 1);
    const buf = new Uint8Array(4);
    assert.equal(ws.recv(rx, buf, 4, 0), 1);
    assert.equal(buf[0], 7);
  });
});

describe('SIO_MULTICAST_SCOPE', () => {
  test('IPv4 UDP: the scope becomes IP_MULTICAST_TTL', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 1, 'default scope: the local link');
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(5)));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 5);
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(0)));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 0, '0 = this host only');
  });

  test('IPv6 UDP: the scope becomes IPV6_MULTICAST_HOPS', () => {
    const u = sock(ws.AF_INET6, ws.SOCK_DGRAM);
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(7)));
    assert.equal(optInt(u, ws.IPPROTO_IPV6, ws.IPV6_MULTICAST_HOPS), 7);
  });

  test('input as the option reads it: 1 to 4 bytes little-endian; none is WSAEFAULT', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, new Uint8Array([9, 0xff, 0xff, 0xff]), 1));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 9);
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, new Uint8Array([12, 0]), 2));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 12);
    fails(ioctl(u, ws.SIO_MULTICAST_SCOPE, null, 0), ws.WSAEFAULT);
  });

  test('a scope above 255 is WSAEINVAL and changes nothing', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    ok(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(3)));
    fails(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(256)), ws.WSAEINVAL);
    fails(ioctl(u, ws.SIO_MULTICAST_SCOPE, u32(-1)), ws.WSAEINVAL);
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL), 3);
  });

  test('TCP: WSAEINVAL (the multicast options do not apply)', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_STREAM), ws.SIO_MULTICAST_SCOPE, u32(2)), ws.WSAEINVAL);
  });
});

describe('SIO_MULTIPOINT_LOOPBACK', () => {
  test('IPv4 UDP: the BOOL becomes IP_MULTICAST_LOOP (on by default)', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_LOOP), 1);
    ok(ioctl(u, ws.SIO_MULTIPOINT_LOOPBACK, u32(0)));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_LOOP), 0);
    ok(ioctl(u, ws.SIO_MULTIPOINT_LOOPBACK, u32(0x100)));
    assert.equal(optInt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_LOOP), 1, 'any non-zero BOOL is TRUE');
  });

  test('IPv6 UDP: IPV6_MULTICAST_LOOP', () => {
    const u = sock(ws.AF_INET6, ws.SOCK_DGRAM);
    ok(ioctl(u, ws.SIO_MULTIPOINT_LOOPBACK, new Uint8Array([0]), 1));
    assert.equal(optInt(u, ws.IPPROTO_IPV6, ws.IPV6_MULTICAST_LOOP), 0);
    ok(ioctl(u, ws.SIO_MULTIPOINT_LOOPBACK, u32(1)));
    assert.equal(optInt(u, ws.IPPROTO_IPV6, ws.IPV6_MULTICAST_LOOP), 1);
  });

  test('no input: WSAEFAULT; TCP: WSAEINVAL', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_DGRAM), ws.SIO_MULTIPOINT_LOOPBACK, null, 0), ws.WSAEFAULT);
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_STREAM), ws.SIO_MULTIPOINT_LOOPBACK, u32(1)), ws.WSAEINVAL);
  });
});

describe('SIO_SET_PRIORITY_HINT', () => {
  test('each SOCKET_PRIORITY_HINT lands in SO_PRIORITY: VeryLow 1, Low 2, Normal 0', () => {
    const { client, server } = tcpPair(ws.AF_INET);
    assert.equal(hostOpt(client, L.SOL_SOCKET, L.SO_PRIORITY), 0);
    for (const [hint, priority] of [[0, 1], [1, 2], [2, 0]] as const) {
      ok(ioctl(client, ws.SIO_SET_PRIORITY_HINT, u32(hint)));
      assert.equal(hostOpt(client, L.SOL_SOCKET, L.SO_PRIORITY), priority, `hint ${hint}`);
    }
    ok(ioctl(sock(ws.AF_INET6, ws.SOCK_STREAM), ws.SIO_SET_PRIORITY_HINT, u32(0)));
    assert.equal(ws.send(client, new Uint8Array([1]), 1, 0), 1, 'the connection still works');
    assert.equal(ws.recv(server, new Uint8Array(1), 1, 0), 1);
  });

  test('input exactly 4 bytes, output NULL / 0, hint below 3; else WSAEINVAL', () => {
    const s = sock(ws.AF_INET, ws.SOCK_STREAM);
    fails(ioctl(s, ws.SIO_SET_PRIORITY_HINT, u32(0, 0)), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_PRIORITY_HINT, u32(0), 2), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_PRIORITY_HINT, null, 0), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_PRIORITY_HINT, u32(3)), ws.WSAEINVAL);
    fails(ioctl(s, ws.SIO_SET_PRIORITY_HINT, u32(0), 4, new Uint8Array(4)), ws.WSAEINVAL);
    assert.equal(hostOpt(s, L.SOL_SOCKET, L.SO_PRIORITY), 0, 'nothing changed');
  });

  test('non-TCP sockets: WSAEOPNOTSUPP', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_DGRAM), ws.SIO_SET_PRIORITY_HINT, u32(0)), ws.WSAEOPNOTSUPP);
  });
});

describe('SIO_CPU_AFFINITY', () => {
  const processors = Math.max(1, cpus().length);

  test('an unbound UDP socket takes a processor index: SO_INCOMING_CPU reads it back', () => {
    for (const index of new Set([0, processors - 1])) {
      const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
      ok(ioctl(u, ws.SIO_CPU_AFFINITY, u16(index)));
      const incoming = hostOpt(u, L.SOL_SOCKET, L.SO_INCOMING_CPU);
      if (incoming !== null) assert.equal(incoming, index);
    }
    ok(ioctl(sock(ws.AF_INET6, ws.SOCK_DGRAM), ws.SIO_CPU_AFFINITY, u16(0)));
  });

  test('after bind (explicit, or implicit by sendto): WSAEINVAL', () => {
    const bound = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.bind(bound, ws.sockaddr('127.0.0.1', 0), 16), 0);
    fails(ioctl(bound, ws.SIO_CPU_AFFINITY, u16(0)), ws.WSAEINVAL);
    const name = new Uint8Array(16);
    assert.equal(ws.getsockname(bound, name, { value: 16 }), 0);
    const sender = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.sendto(sender, new Uint8Array([1]), 1, 0, name, 16), 1);
    fails(ioctl(sender, ws.SIO_CPU_AFFINITY, u16(0)), ws.WSAEINVAL);
  });

  test('with SO_REUSEADDR: WSAEINVAL', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.setsockopt(u, ws.SOL_SOCKET, ws.SO_REUSEADDR, u32(1), 4), 0);
    fails(ioctl(u, ws.SIO_CPU_AFFINITY, u16(0)), ws.WSAEINVAL);
  });

  test('a processor this machine does not have: WSAEINVAL; a short input: WSAEFAULT', () => {
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    fails(ioctl(u, ws.SIO_CPU_AFFINITY, u16(processors)), ws.WSAEINVAL);
    fails(ioctl(u, ws.SIO_CPU_AFFINITY, new Uint8Array([0]), 1), ws.WSAEFAULT);
    fails(ioctl(u, ws.SIO_CPU_AFFINITY, null, 0), ws.WSAEFAULT);
  });

  test('UDP only: TCP gets WSAEOPNOTSUPP', () => {
    fails(ioctl(sock(ws.AF_INET, ws.SOCK_STREAM), ws.SIO_CPU_AFFINITY, u16(0)), ws.WSAEOPNOTSUPP);
  });
});

describe('all seven', () => {
  const codes = [
    ws.SIO_LOOPBACK_FAST_PATH, ws.SIO_SET_COMPATIBILITY_MODE, ws.SIO_ENABLE_CIRCULAR_QUEUEING,
    ws.SIO_MULTICAST_SCOPE, ws.SIO_MULTIPOINT_LOOPBACK, ws.SIO_SET_PRIORITY_HINT, ws.SIO_CPU_AFFINITY,
  ];

  test('never modify the input buffer', () => {
    for (const code of codes) {
      for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
        const input = u32(1, 0x06000000);
        const copy = input.slice();
        ioctl(sock(ws.AF_INET, type), code, input, 8);
        assert.deepEqual(input, copy);
      }
    }
  });

  test('closed handle: WSAENOTSOCK', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    assert.equal(ws.closesocket(s), 0);
    for (const code of codes) assert.equal(ioctl(s, code, u32(1, 0)).error, ws.WSAENOTSOCK);
  });
});
