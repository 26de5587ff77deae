/**
 * Hardening: arguments JS can pass but C cannot end the way Windows ends a bad pointer
 * (SOCKET_ERROR + WSAEFAULT), with nothing read, written, sent or consumed before the failure
 * (docs/principles.md, principle 2). Buffers of the wrong kind or size, completion routines that
 * are not functions, out-parameters that cannot be written; and the messages of the CLI and the
 * Node API for bad arguments. Real sockets on loopback only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { spawnSync } from 'node:child_process';
import { routeTo, setKeepAlive, sortDestinations } from 'wsaioctl';
import { startup, cleanup, closeAll, tcpPair, udpPair, listener, loopbackName, check } from './helpers/sockets.js';
import { ROOT } from './helpers/netns.js';

before(startup);
after(cleanup);

const GUARD = 0xa5;

/**
 * The kinds of "buffer" a C caller could not have passed, each claiming at least `len` bytes. With
 * `transfer` (the bytes a send or receive moves), a view of a SharedArrayBuffer is not among them:
 * that is memory the process's threads share, as a C program's buffers are (winsock/arguments.ts).
 */
function badBuffers(len: number, transfer = false): Array<[string, unknown, () => boolean]> {
  const guarded = new Uint8Array(len + 32).fill(GUARD);
  const intact = (): boolean => guarded.every((b) => b === GUARD);
  const shared = new Uint8Array(new SharedArrayBuffer(len + 16)).fill(GUARD);
  const always = (): boolean => true;
  return [
    ['ArrayBuffer', new ArrayBuffer(Math.max(1, len >> 2)), always],
    ['ArrayBuffer (large enough)', new ArrayBuffer(len + 16), always],
    ['DataView', new DataView(new ArrayBuffer(len + 16)), always],
    ...(transfer ? [] : [['SharedArrayBuffer-backed Uint8Array', shared, () => shared.every((b) => b === GUARD)] as [string, unknown, () => boolean]]),
    ['Uint16Array', new Uint16Array(len + 16), always],
    ['subarray one byte short, guards on both sides', guarded.subarray(16, 16 + len - 1), intact],
    ['plain object with a length', { length: len + 16, byteLength: len + 16 }, always],
  ];
}

/**
 * A receive time-out on `s`, so that a receive which should find data but does not (the bug
 * these tests look for) fails instead of blocking the test forever.
 */
function bounded<T extends number[]>(...sockets: T): T {
  const timeout = new Uint8Array(4);
  new DataView(timeout.buffer).setInt32(0, 5000, true);
  for (const s of sockets) check(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, timeout, 4), 'SO_RCVTIMEO');
  return sockets;
}

/** FIONBIO on: a receive that finds nothing fails at once (the data is queued before). */
function nonBlocking(s: number): void {
  check(ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }), 'FIONBIO');
}

/** Expect SOCKET_ERROR (or INVALID_SOCKET) and WSAEFAULT from `call`. */
function expectFault(rc: number, what: string): void {
  assert.equal(rc, ws.SOCKET_ERROR, `${what}: SOCKET_ERROR`);
  assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT, `${what}: WSAEFAULT`);
}

/** Everything queued on a (blocking) stream socket once `marker` arrived last. */
function receiveUpTo(s: number, marker: number): number[] {
  const got: number[] = [];
  const buf = new Uint8Array(65536);
  for (let i = 0; i < 100 && got.at(-1) !== marker; i++) {
    const n = check(ws.recv(s, buf, buf.length, 0), 'recv');
    if (n === 0) break;
    got.push(...buf.subarray(0, n));
  }
  return got;
}

describe('item 1: buffers must be Uint8Arrays covering the size claimed', () => {
  test('send: refused, nothing sent', () => {
    const { client, server } = tcpPair();
    bounded(client, server);
    try {
      for (const [what, buf, intact] of badBuffers(4096, true)) {
        expectFault(ws.send(client, buf as Uint8Array, 4096, 0), `send(${what})`);
        assert.ok(intact(), `${what}: memory around it untouched`);
      }
      check(ws.send(client, Uint8Array.of(0x7e), 1, 0), 'send marker');
      assert.deepEqual(receiveUpTo(server, 0x7e), [0x7e], 'the peer received only the marker');
    } finally {
      closeAll(client, server);
    }
  });

  test('recv: refused, nothing written, nothing consumed', () => {
    const { client, server } = tcpPair();
    bounded(client, server);
    try {
      check(ws.send(client, Uint8Array.of(1, 2, 3, 4, 5), 5, 0), 'send');
      nonBlocking(server);
      for (const [what, buf, intact] of badBuffers(4096, true)) {
        expectFault(ws.recv(server, buf as Uint8Array, 4096, 0), `recv(${what})`);
        assert.ok(intact(), `${what}: memory around it untouched`);
      }
      for (const len of [-1, 1.5, NaN, '16' as unknown as number]) {
        expectFault(ws.recv(server, new Uint8Array(16), len, 0), `recv(len ${String(len)})`);
      }
      const out = new Uint8Array(16);
      assert.equal(ws.recv(server, out, 16, 0), 5);
      assert.deepEqual([...out.subarray(0, 5)], [1, 2, 3, 4, 5]);
    } finally {
      closeAll(client, server);
    }
  });

  test("a view of a SharedArrayBuffer is a transfer's bytes: send, recv, WSASend and an overlapped WSARecv move data through it", () => {
    const { client, server } = tcpPair();
    bounded(client, server);
    try {
      const shared = new Uint8Array(new SharedArrayBuffer(64)).fill(GUARD);
      shared.set([1, 2, 3], 8);
      assert.equal(ws.send(client, shared.subarray(8, 11), 3, 0), 3);
      const sent = { value: 0 };
      shared.set([4, 5], 16);
      assert.equal(ws.WSASend(client, [{ len: 2, buf: shared.subarray(16, 18) }], 1, sent, 0, null, null), 0);
      assert.equal(sent.value, 2);
      assert.equal(ws.recv(server, shared.subarray(24, 27), 3, 0), 3);
      const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
      const rc = ws.WSARecv(server, [{ len: 2, buf: shared.subarray(32, 34) }], 1, null, { value: 0 }, ov, null);
      assert.ok(rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING);
      assert.equal(ws.WSAWaitForMultipleEvents(1, [ov.hEvent], false, 5000, false), ws.WSA_WAIT_EVENT_0);
      assert.equal(ov.InternalHigh, 2);
      ws.WSACloseEvent(ov.hEvent);
      assert.deepEqual([...shared.subarray(22, 36)], [GUARD, GUARD, 1, 2, 3, GUARD, GUARD, GUARD, GUARD, GUARD, 4, 5, GUARD, GUARD], 'written where asked, nowhere else');
    } finally {
      closeAll(client, server);
    }
  });

  test('sendto / recvfrom: data and addresses refused, nothing sent or consumed', () => {
    const { receiver, sender, receiverName } = udpPair();
    bounded(receiver, sender);
    try {
      for (const [what, buf, intact] of badBuffers(512, true)) {
        expectFault(ws.sendto(sender, buf as Uint8Array, 512, 0, receiverName, 16), `sendto(${what})`);
        assert.ok(intact(), `${what}: untouched`);
      }
      for (const [what, to, intact] of badBuffers(16)) {
        expectFault(ws.sendto(sender, Uint8Array.of(9), 1, 0, to as Uint8Array, 16), `sendto(to ${what})`);
        assert.ok(intact(), `${what}: untouched`);
      }
      check(ws.sendto(sender, Uint8Array.of(0x42, 0x43), 2, 0, receiverName, 16), 'sendto');
      nonBlocking(receiver);
      for (const [what, buf, intact] of badBuffers(512, true)) {
        expectFault(ws.recvfrom(receiver, buf as Uint8Array, 512, 0, null, null), `recvfrom(${what})`);
        assert.ok(intact(), `${what}: untouched`);
      }
      for (const [what, from, intact] of badBuffers(16)) {
        const fromlen = { value: 16 };
        expectFault(ws.recvfrom(receiver, new Uint8Array(64), 64, 0, from as Uint8Array, fromlen), `recvfrom(from ${what})`);
        assert.equal(fromlen.value, 16, `${what}: fromlen untouched`);
        assert.ok(intact(), `${what}: untouched`);
      }
      // Only the one good datagram was sent, and it is still there.
      const out = new Uint8Array(64);
      const from = new Uint8Array(16);
      const fromlen = { value: 16 };
      assert.equal(ws.recvfrom(receiver, out, 64, 0, from, fromlen), 2);
      assert.deepEqual([...out.subarray(0, 2)], [0x42, 0x43]);
      assert.equal(ws.recvfrom(receiver, out, 64, 0, null, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK, 'nothing else was queued');
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('bind / connect: a name that is not a covering Uint8Array is WSAEFAULT', () => {
    const l = listener();
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    try {
      const good = loopbackName('ipv4', 0);
      for (const [what, name] of badBuffers(16)) {
        expectFault(ws.bind(s, name as Uint8Array, 16), `bind(${what})`);
        expectFault(ws.connect(s, name as Uint8Array, 16), `connect(${what})`);
      }
      const wide = new Uint16Array(8);
      new Uint8Array(wide.buffer).set(loopbackName('ipv4', l.port));
      expectFault(ws.connect(s, wide as unknown as Uint8Array, 16), 'connect(Uint16Array holding a sockaddr)');
      assert.equal(ws.bind(s, good, 16), 0, 'the socket is still unbound and usable');
    } finally {
      closeAll(s, l.socket);
    }
  });

  test('getsockname / getpeername / accept: bad name buffers, nothing written, connection kept', () => {
    const l = listener();
    bounded(l.socket);
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    let accepted = ws.INVALID_SOCKET;
    try {
      const to = loopbackName('ipv4', l.port);
      check(ws.connect(c, to, to.length), 'connect');
      nonBlocking(l.socket);
      for (const [what, name, intact] of badBuffers(16)) {
        for (const [fn, call] of [['getsockname', ws.getsockname], ['getpeername', ws.getpeername]] as const) {
          const len = { value: 16 };
          expectFault(call(c, name as Uint8Array, len), `${fn}(${what})`);
          assert.equal(len.value, 16, `${fn}(${what}): namelen untouched`);
        }
        const addrlen = { value: 16 };
        expectFault(ws.accept(l.socket, name as Uint8Array, addrlen), `accept(${what})`);
        assert.equal(addrlen.value, 16);
        assert.ok(intact(), `${what}: untouched`);
      }
      const addr = new Uint8Array(16);
      const addrlen = { value: 16 };
      accepted = ws.accept(l.socket, addr, addrlen);
      assert.notEqual(accepted, ws.INVALID_SOCKET, 'the pending connection is still there');
      assert.equal(addrlen.value, 16);
    } finally {
      closeAll(c, l.socket, accepted);
    }
  });

  test('getsockopt / setsockopt: bad optval buffers, nothing written, option unchanged', () => {
    const { receiver, sender } = udpPair();
    try {
      for (const [what, optval, intact] of badBuffers(4)) {
        const optlen = { value: 4 };
        expectFault(ws.getsockopt(receiver, ws.SOL_SOCKET, ws.SO_RCVBUF, optval as Uint8Array, optlen), `getsockopt(${what})`);
        assert.equal(optlen.value, 4);
        expectFault(ws.setsockopt(receiver, ws.SOL_SOCKET, ws.SO_BROADCAST, optval as Uint8Array, 4), `setsockopt(${what})`);
        expectFault(ws.setsockopt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, optval as Uint8Array, -1), `setsockopt(${what}, -1)`);
        assert.ok(intact(), `${what}: untouched`);
      }
      const out = new Uint8Array(4);
      const optlen = { value: 4 };
      check(ws.getsockopt(receiver, ws.SOL_SOCKET, ws.SO_BROADCAST, out, optlen), 'getsockopt');
      assert.equal(new DataView(out.buffer).getInt32(0, true), 0, 'SO_BROADCAST still off');
      check(ws.getsockopt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, out, optlen), 'getsockopt');
      assert.equal(new DataView(out.buffer).getInt32(0, true), 0, 'SO_RCVTIMEO unchanged');
    } finally {
      closeAll(receiver, sender);
    }
  });
  test('WSAIoctl: bad input buffers (a view of a SharedArrayBuffer among them) and bad output buffers, nothing written, nothing changed; an output over a SharedArrayBuffer is written', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(client, Uint8Array.of(1, 2, 3), 3, 0), 'send');
      const keepalive = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 1234, keepaliveinterval: 1000 });
      const bytes = { value: 99 };
      for (const [what, buf, intact] of badBuffers(12)) {
        expectFault(ws.WSAIoctl(server, ws.SIO_KEEPALIVE_VALS, buf as Uint8Array, 12, null, 0, bytes, null, null), `WSAIoctl(SIO_KEEPALIVE_VALS, ${what})`);
        assert.ok(intact(), `${what}: untouched`);
      }
      // The output is only written, as a receive's buffer is: a view of a SharedArrayBuffer is not among the bad ones.
      for (const [what, buf, intact] of badBuffers(4, true)) {
        expectFault(ws.WSAIoctl(server, ws.FIONREAD, null, 0, buf as Uint8Array, 4, bytes, null, null), `WSAIoctl(FIONREAD, ${what})`);
        assert.ok(intact(), `${what}: untouched`);
      }
      assert.equal(bytes.value, 99, 'lpcbBytesReturned untouched');
      const shared = new Uint8Array(new SharedArrayBuffer(8)).fill(GUARD);
      check(ws.WSAIoctl(server, ws.FIONREAD, null, 0, shared.subarray(2, 6), 4, bytes, null, null), 'FIONREAD into shared memory');
      assert.deepEqual([...shared], [GUARD, GUARD, 3, 0, 0, 0, GUARD, GUARD], 'the count written, nothing around it');
      assert.equal(bytes.value, 4);
      check(ws.WSAIoctl(server, ws.SIO_KEEPALIVE_VALS, keepalive, 12, null, 0, { value: 0 }, null, null), 'SIO_KEEPALIVE_VALS');
      const count = new Uint8Array(4);
      check(ws.WSAIoctl(server, ws.FIONREAD, null, 0, count, 4, { value: 0 }, null, null), 'FIONREAD');
      assert.equal(new DataView(count.buffer).getUint32(0, true), 3, 'the queued bytes are all still there');
    } finally {
      closeAll(client, server);
    }
  });
});

describe('item 2: WSAIoctl overlapped arguments C could not pass', () => {
  test('a completion routine that is not a function: WSAEFAULT, nothing started', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    // Non-blocking: should the call run as a non-overlapped one, it fails instead of waiting.
    nonBlocking(s);
    try {
      for (const routine of ['x', 42, {}, true]) {
        const ov = new ws.WSAOVERLAPPED();
        const bytes = { value: 0xdead };
        const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, bytes, ov, routine as never);
        expectFault(rc, `routine ${JSON.stringify(routine)}`);
        assert.equal(ov.Internal, 0, 'the overlapped was not started');
        assert.equal(bytes.value, 0xdead);
      }
      // No routine was queued: an alertable wait returns on its time-out, not WAIT_IO_COMPLETION.
      assert.equal(ws.SleepEx(0, true), 0);
    } finally {
      closeAll(s);
    }
  });

  test('an lpOverlapped that is neither null nor an object: WSAEFAULT', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    // Non-blocking: should the call run as a non-overlapped one, it fails instead of waiting.
    nonBlocking(s);
    try {
      for (const ov of ['x', 1, true, () => 0]) {
        const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ov as never, null);
        expectFault(rc, `lpOverlapped ${typeof ov}`);
      }
      assert.equal(ws.SleepEx(0, true), 0);
    } finally {
      closeAll(s);
    }
  });
});

describe('item 3: out-parameters are checked writable before anything irreversible', () => {
  const unwritable = (): Array<[string, { value: number }]> => [
    ['frozen', Object.freeze({ value: 16 })],
    ['read-only property', Object.defineProperty({} as { value: number }, 'value', { value: 16, writable: false, enumerable: true })],
    ['getter without setter', { get value() { return 16; } } as { value: number }],
    ['throwing setter', { get value() { return 16; }, set value(_v: number) { throw new Error('no'); } }],
  ];

  test('accept with an unwritable addrlen: WSAEFAULT, the connection can still be accepted', () => {
    const l = listener();
    bounded(l.socket);
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    let accepted = ws.INVALID_SOCKET;
    try {
      const to = loopbackName('ipv4', l.port);
      check(ws.connect(c, to, to.length), 'connect');
      nonBlocking(l.socket);
      for (const [what, addrlen] of unwritable()) {
        expectFault(ws.accept(l.socket, new Uint8Array(16), addrlen), `accept(${what})`);
      }
      accepted = ws.accept(l.socket, null, null);
      assert.notEqual(accepted, ws.INVALID_SOCKET, 'the pending connection is still there');
    } finally {
      closeAll(c, l.socket, accepted);
    }
  });

  test('recvfrom with an unwritable fromlen: WSAEFAULT, the datagram can still be received', () => {
    const { receiver, sender, receiverName } = udpPair();
    bounded(receiver, sender);
    try {
      check(ws.sendto(sender, Uint8Array.of(7, 8, 9), 3, 0, receiverName, 16), 'sendto');
      nonBlocking(receiver);
      for (const [what, fromlen] of unwritable()) {
        expectFault(ws.recvfrom(receiver, new Uint8Array(64), 64, 0, new Uint8Array(16), fromlen), `recvfrom(${what})`);
      }
      const out = new Uint8Array(64);
      assert.equal(ws.recvfrom(receiver, out, 64, 0, null, null), 3);
      assert.deepEqual([...out.subarray(0, 3)], [7, 8, 9]);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('getsockname / getpeername / getsockopt with an unwritable length: WSAEFAULT, nothing written', () => {
    const { client, server } = tcpPair();
    bounded(client, server);
    try {
      for (const [what, len] of unwritable()) {
        const name = new Uint8Array(16).fill(GUARD);
        expectFault(ws.getsockname(client, name, len), `getsockname(${what})`);
        expectFault(ws.getpeername(client, name, len), `getpeername(${what})`);
        assert.ok(name.every((b) => b === GUARD), `${what}: name untouched`);
        const optval = new Uint8Array(16).fill(GUARD);
        expectFault(ws.getsockopt(client, ws.SOL_SOCKET, ws.SO_RCVBUF, optval, len), `getsockopt(${what})`);
        assert.ok(optval.every((b) => b === GUARD), `${what}: optval untouched`);
      }
    } finally {
      closeAll(client, server);
    }
  });

  test('ioctlsocket with an unwritable argp: WSAEFAULT, the queued datagram is still received', () => {
    const { receiver, sender, receiverName } = udpPair();
    bounded(receiver, sender);
    try {
      check(ws.sendto(sender, Uint8Array.of(1, 2), 2, 0, receiverName, 16), 'sendto');
      nonBlocking(receiver);
      for (const [what, argp] of unwritable()) {
        expectFault(ws.ioctlsocket(receiver, ws.FIONREAD, argp), `ioctlsocket(FIONREAD, ${what})`);
      }
      const out = new Uint8Array(16);
      assert.equal(ws.recvfrom(receiver, out, 16, 0, null, null), 2);
      assert.deepEqual([...out.subarray(0, 2)], [1, 2]);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('WSAIoctl with an unwritable lpcbBytesReturned: WSAEFAULT before the code runs', () => {
    const { receiver, sender } = udpPair();
    try {
      const arg = Uint8Array.of(1, 0, 0, 0);
      for (const [what, bytes] of unwritable()) {
        expectFault(ws.WSAIoctl(receiver, ws.FIONBIO, arg, 4, null, 0, bytes, null, null), `WSAIoctl(FIONBIO, ${what})`);
      }
      // FIONBIO did not run: the socket still blocks (until its receive time-out) instead of
      // failing at once with WSAEWOULDBLOCK.
      const timeout = new Uint8Array(4);
      new DataView(timeout.buffer).setInt32(0, 50, true);
      check(ws.setsockopt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, timeout, 4), 'SO_RCVTIMEO');
      assert.equal(ws.recv(receiver, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAETIMEDOUT, 'still blocking: FIONBIO did not run');
    } finally {
      closeAll(receiver, sender);
    }
  });
});

describe('item 4: messages show what the user gave', () => {
  /** The built CLI as a child process, bounded by a time-out. */
  function cli(...args: string[]): { status: number | null; stderr: string; stdout: string } {
    const r = spawnSync(process.execPath, [`${ROOT}dist/cli/main.js`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
  }

  for (const args of [
    ['watch', '--count', '-1'],
    ['watch', '--route', '-1'],
    ['watch', '--family', '-1'],
    ['capture', '--count', '-1'],
    ['capture', '--interface', '-1'],
    ['tcpinfo', '--info-version', '-1', '127.0.0.1:1'],
    ['codes', '--type', '-1'],
  ]) {
    test(`CLI: ${args.join(' ')} names -1, not the internal marker`, () => {
      const r = cli(...args);
      assert.notEqual(r.status, 0, 'a usage error');
      assert.ok(!r.stderr.includes('\0') && !r.stderr.includes('negative:'), `no marker in: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, /'-1'|-1\b/, `the user's text in: ${JSON.stringify(r.stderr)}`);
    });
  }

  test('routeTo with a bad port blames the port (ERR_SOCKET_BAD_PORT), not the address', () => {
    for (const port of [65536, -1, 1.5]) {
      assert.throws(() => routeTo('127.0.0.1', port), (e: NodeJS.ErrnoException) => {
        assert.equal(e.name, 'RangeError');
        assert.equal(e.code, 'ERR_SOCKET_BAD_PORT');
        assert.match(e.message, /port/i);
        assert.doesNotMatch(e.message, /address/i);
        return true;
      }, `port ${port}`);
    }
    assert.throws(() => routeTo('127.0.0.1', '80' as unknown as number), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  });

  test('setKeepAlive with options that are not an object: ERR_INVALID_ARG_TYPE', () => {
    const { client, server } = tcpPair();
    try {
      for (const options of [null, 5, 'x']) {
        assert.throws(() => setKeepAlive(client, options as never), (e: NodeJS.ErrnoException) => {
          assert.equal(e.name, 'TypeError');
          assert.equal(e.code, 'ERR_INVALID_ARG_TYPE');
          assert.match(e.message, /options/);
          return true;
        }, String(options));
      }
    } finally {
      closeAll(client, server);
    }
  });

  test('sortDestinations with holes or non-strings: ERR_INVALID_ARG_TYPE naming the entry', () => {
    // eslint-disable-next-line no-sparse-arrays
    for (const [list, index] of [[new Array(3), 0], [['127.0.0.1', , '::1'], 1], [['127.0.0.1', 7], 1]] as Array<[string[], number]>) {
      assert.throws(() => sortDestinations(list), (e: NodeJS.ErrnoException) => {
        assert.equal(e.name, 'TypeError');
        assert.equal(e.code, 'ERR_INVALID_ARG_TYPE');
        assert.match(e.message, new RegExp(`destinations\\[${index}\\]`));
        return true;
      });
    }
  });
});
