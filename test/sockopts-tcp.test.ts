/**
 * Socket options a Windows program sets, each with its source: IPV6_V6ONLY, IP_HDRINCL,
 * SO_EXCLUSIVEADDRUSE, Windows' default buffer sizes, SO_CONNECT_TIME and the TCP options.
 * On real loopback sockets; the Linux setting each maps to is read back from the kernel where
 * there is one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, closeAll, ioctl, ipv6Available, loopbackName, startup, tcpPair } from './helpers/sockets.js';

before(startup);
after(cleanup);

function dword(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

function get(s: number, level: number, name: number): { error: number; value: number } {
  const b = dword(0xdeadbeef);
  const rc = ws.getsockopt(s, level, name, b, { value: 4 });
  return { error: rc === 0 ? 0 : ws.WSAGetLastError(), value: new DataView(b.buffer).getUint32(0, true) };
}

function set(s: number, level: number, name: number, value: number): number {
  return ws.setsockopt(s, level, name, dword(value), 4) === 0 ? 0 : ws.WSAGetLastError();
}

function withSocket(af: number, type: number, f: (s: number) => void): void {
  const s = ws.socket(af, type, 0);
  assert.notEqual(s, ws.INVALID_SOCKET);
  try { f(s); } finally { closeAll(s); }
}

describe('IPV6_V6ONLY', () => {
  test('on by default on AF_INET6 sockets, as on Windows (issue 13; Wine sock.c test_ipv6only)', () => {
    for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
      withSocket(ws.AF_INET6, type, (s) => {
        assert.deepEqual(get(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY), { error: 0, value: 0xdeadbe01 }, 'a BOOLEAN: one byte, 1');
        assert.equal(set(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 0), 0);
        assert.equal(get(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY).value & 0xff, 0);
      });
    }
  });

  test('a v6-only socket bound to :: leaves the IPv4 port free; with V6ONLY off it takes it (test_ipv6only)', { skip: !ipv6Available() }, () => {
    withSocket(ws.AF_INET6, ws.SOCK_STREAM, (v6) => {
      const any6 = ws.sockaddr('::', 0);
      assert.equal(ws.bind(v6, any6, any6.length), 0);
      const name = new Uint8Array(28);
      assert.equal(ws.getsockname(v6, name, { value: 28 }), 0);
      const port = ws.parseSockaddr(name).port;
      withSocket(ws.AF_INET, ws.SOCK_STREAM, (v4) => {
        const any4 = ws.sockaddr('0.0.0.0', port);
        assert.equal(ws.bind(v4, any4, any4.length), 0, `IPv4 bind: ${ws.WSAGetLastError()}`);
      });
      assert.equal(set(v6, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 0), ws.WSAEINVAL, 'no change once bound');
    });
  });

  test('accepted on an unbound AF_INET socket (issue 13, item 4)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(set(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 1), 0);
      assert.equal(set(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 0), 0);
    });
  });
});

describe('IP_HDRINCL', () => {
  test('on TCP and UDP sockets: WSAEINVAL for set and get, the value untouched (test_set_getsockopt, prottest loop)', () => {
    for (const [af, type] of [[ws.AF_INET, ws.SOCK_STREAM], [ws.AF_INET, ws.SOCK_DGRAM]] as const) {
      withSocket(af, type, (s) => {
        for (const value of [1, 0]) assert.equal(set(s, ws.IPPROTO_IP, ws.IP_HDRINCL, value), ws.WSAEINVAL);
        const b = dword(99);
        assert.equal(ws.getsockopt(s, ws.IPPROTO_IP, ws.IP_HDRINCL, b, { value: 4 }), ws.SOCKET_ERROR);
        assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
        assert.equal(new DataView(b.buffer).getUint32(0, true), 99);
      });
    }
  });
});

describe('SO_EXCLUSIVEADDRUSE', () => {
  test('SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other with WSAEINVAL (test_reuseaddr)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(get(s, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE).value, 0);
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1), 0);
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE, 1), ws.WSAEINVAL);
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_REUSEADDR, 0), 0);
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE, 1), 0);
      assert.equal(get(s, ws.SOL_SOCKET, ws.SO_EXCLUSIVEADDRUSE).value, 1);
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_REUSEADDR, 1), ws.WSAEINVAL);
    });
  });
});

describe('buffer sizes', () => {
  test("SO_SNDBUF / SO_RCVBUF report Windows' default, 65536, until set (README approximation)", () => {
    for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
      withSocket(ws.AF_INET, type, (s) => {
        assert.deepEqual(get(s, ws.SOL_SOCKET, ws.SO_SNDBUF), { error: 0, value: 65536 });
        assert.deepEqual(get(s, ws.SOL_SOCKET, ws.SO_RCVBUF), { error: 0, value: 65536 });
        assert.equal(set(s, ws.SOL_SOCKET, ws.SO_RCVBUF, 4096), 0);
        assert.equal(get(s, ws.SOL_SOCKET, ws.SO_RCVBUF).value, 4096);
      });
    }
  });
});

describe('SO_CONNECT_TIME', () => {
  test('0xFFFFFFFF before a connection, whole seconds after; read-only (Microsoft, SOL_SOCKET socket options)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.deepEqual(get(s, ws.SOL_SOCKET, ws.SO_CONNECT_TIME), { error: 0, value: 0xffffffff });
      assert.equal(set(s, ws.SOL_SOCKET, ws.SO_CONNECT_TIME, 5), ws.WSAENOPROTOOPT);
    });
    const { client, server } = tcpPair();
    try {
      for (const s of [client, server]) {
        const { error, value } = get(s, ws.SOL_SOCKET, ws.SO_CONNECT_TIME);
        assert.equal(error, 0);
        assert.ok(value < 60, `seconds connected, got ${value}`);
      }
    } finally {
      closeAll(client, server);
    }
  });
});

describe('TCP options', () => {
  test('TCP_MAXRT (s) and TCP_MAXRTMS (ms) are one setting, Linux TCP_USER_TIMEOUT (Microsoft, IPPROTO_TCP socket options)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(set(s, ws.IPPROTO_TCP, ws.TCP_MAXRT, 7), 0);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_MAXRT).value, 7);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_MAXRTMS).value, 7000);
      assert.equal(set(s, ws.IPPROTO_TCP, ws.TCP_MAXRTMS, 2500), 0);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_MAXRTMS).value, 2500);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_MAXRT).value, 2);
      assert.equal(set(s, ws.IPPROTO_TCP, ws.TCP_MAXRT, 0xffffffff), 0, '-1: never give up');
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_MAXRT).value, 0xffffffff);
    });
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (u) => assert.equal(get(u, ws.IPPROTO_TCP, ws.TCP_MAXRT).error, ws.WSAENOPROTOOPT));
  });

  test("keep-alive options agree with SIO_KEEPALIVE_VALS and Windows' defaults (2 h idle, 1 s interval, 10 probes)", () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_KEEPIDLE).value, 7200);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL).value, 1);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT).value, 10);
      const vals = new Uint8Array(12);
      const v = new DataView(vals.buffer);
      v.setUint32(0, 1, true);
      v.setUint32(4, 30000, true);
      v.setUint32(8, 5000, true);
      assert.equal(ioctl(s, ws.SIO_KEEPALIVE_VALS, vals, 12, null, 0).rc, 0);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_KEEPIDLE).value, 30);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL).value, 5);
      assert.equal(get(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE).value & 0xff, 1);
    });
  });

  test('TCP_NOSYNRETRIES, TCP_FASTOPEN, TCP_TIMESTAMPS, TCP_FAIL_CONNECT_ON_ICMP_ERROR, TCP_CONGESTION_ALGORITHM read back what was set (Microsoft, IPPROTO_TCP socket options)', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      for (const name of [ws.TCP_NOSYNRETRIES, ws.TCP_FASTOPEN, ws.TCP_TIMESTAMPS, ws.TCP_FAIL_CONNECT_ON_ICMP_ERROR]) {
        assert.deepEqual(get(s, ws.IPPROTO_TCP, name), { error: 0, value: 0 }, `option ${name} starts off`);
        assert.equal(set(s, ws.IPPROTO_TCP, name, 1), 0, `set ${name}`);
        assert.equal(get(s, ws.IPPROTO_TCP, name).value, 1, `option ${name} on`);
        assert.equal(set(s, ws.IPPROTO_TCP, name, 0), 0);
        assert.equal(get(s, ws.IPPROTO_TCP, name).value, 0, `option ${name} off again`);
      }
      assert.equal(set(s, ws.IPPROTO_TCP, ws.TCP_CONGESTION_ALGORITHM, 2), 0);
      assert.equal(get(s, ws.IPPROTO_TCP, ws.TCP_CONGESTION_ALGORITHM).value, 2);
    });
  });

  test('SO_PORT_SCALABILITY and SO_RANDOMIZE_PORT read back what was set', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      for (const name of [ws.SO_PORT_SCALABILITY, ws.SO_RANDOMIZE_PORT]) {
        assert.equal(get(s, ws.SOL_SOCKET, name).value, 0);
        assert.equal(set(s, ws.SOL_SOCKET, name, 1), 0);
        assert.equal(get(s, ws.SOL_SOCKET, name).value, 1);
      }
    });
  });

  test('IP_DONTFRAGMENT: on for TCP, off for UDP by default, settable (test_set_getsockopt)', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (u) => {
      assert.equal(get(u, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT).value, 0);
      assert.equal(set(u, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT, 1), 0);
      assert.equal(get(u, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT).value, 1);
      assert.equal(set(u, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT, 0xdead), 0);
      assert.equal(get(u, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT).value, 1);
    });
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (t) => {
      assert.equal(get(t, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT).value, 1);
      assert.equal(set(t, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT, 0), 0);
      assert.equal(get(t, ws.IPPROTO_IP, ws.IP_DONTFRAGMENT).value, 0);
    });
  });

  test('a connect to a closed port still fails with WSAECONNREFUSED with TCP_FAIL_CONNECT_ON_ICMP_ERROR on', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (probe) => {
      const any = loopbackName('ipv4', 0);
      assert.equal(ws.bind(probe, any, any.length), 0);
      const name = new Uint8Array(16);
      assert.equal(ws.getsockname(probe, name, { value: 16 }), 0);
      withSocket(ws.AF_INET, ws.SOCK_STREAM, (c) => {
        assert.equal(set(c, ws.IPPROTO_TCP, ws.TCP_FAIL_CONNECT_ON_ICMP_ERROR, 1), 0);
        assert.equal(ws.connect(c, name, 16), ws.SOCKET_ERROR);
        assert.equal(ws.WSAGetLastError(), ws.WSAECONNREFUSED);
      });
    });
  });
});
