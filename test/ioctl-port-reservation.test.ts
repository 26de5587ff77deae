/**
 * Runtime port reservations on real loopback sockets: SIO_ACQUIRE_PORT_RESERVATION,
 * SIO_ASSOCIATE_PORT_RESERVATION (a bind to port 0 takes its port from the block; an exhausted
 * block fails), SIO_RELEASE_PORT_RESERVATION, and the reservation's life (the acquiring socket's).
 * Facts: Microsoft's three control-code pages and the INET_PORT_RANGE /
 * INET_PORT_RESERVATION_INSTANCE pages (handlers/port-reservation.ts lists them); the Linux
 * mapping: sockets/port-reservations.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { check, cleanup, closeAll, ioctl, localPort, startup } from './helpers/sockets.js';

before(startup);
after(cleanup);

const tcp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
const udp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');

function acquire(s: number, start: number, count: number): { rc: number; error: number; bytes: number; instance?: ws.PortReservationInstance } {
  const out = new Uint8Array(16);
  const input = ws.encodeInetPortRange(start, count);
  const r = ioctl(s, ws.SIO_ACQUIRE_PORT_RESERVATION, input, input.length, out, out.length);
  return r.rc === 0 ? { ...r, instance: ws.decodePortReservationInstance(out) } : r;
}
const token = (t: bigint): Buffer => ws.encodePortReservationToken(t);
const associate = (s: number, t: bigint) => ioctl(s, ws.SIO_ASSOCIATE_PORT_RESERVATION, token(t), 8, null, 0);
const release = (s: number, t: bigint) => ioctl(s, ws.SIO_RELEASE_PORT_RESERVATION, token(t), 8, null, 0);

/** bind(s, 127.0.0.1:port): 0 or the Winsock error. */
function bindTo(s: number, port: number): number {
  const name = ws.sockaddr('127.0.0.1', port);
  return ws.bind(s, name, name.length) === 0 ? 0 : ws.WSAGetLastError();
}

describe('SIO_ACQUIRE_PORT_RESERVATION', () => {
  test('the system picks a block: 16 bytes, the block in the dynamic range, a token; no other socket can bind its ports', () => {
    const owner = tcp();
    const other = tcp();
    const otherUdp = udp();
    try {
      const r = acquire(owner, 0, 4);
      assert.equal(r.rc, 0, `error ${r.error}`);
      assert.equal(r.bytes, 16);
      const { startPort, numberOfPorts, token: t } = r.instance!;
      assert.equal(numberOfPorts, 4);
      assert.ok(startPort >= 49152 && startPort + 3 <= 65535, `start ${startPort}`);
      assert.notEqual(t, 0n);
      assert.equal(bindTo(other, startPort + 2), ws.WSAEADDRINUSE, 'a port of the block is held');
      assert.equal(release(owner, t).rc, 0);
      assert.equal(bindTo(otherUdp, startPort), 0, 'a TCP block leaves UDP alone');
    } finally {
      closeAll(owner, other, otherUdp);
    }
  });

  test('a block named by its start: that block; the same block again: WSAEADDRINUSE', () => {
    const owner = tcp();
    try {
      const first = acquire(owner, 0, 2).instance!;
      assert.equal(release(owner, first.token).rc, 0);
      const named = acquire(owner, first.startPort, 2);
      assert.equal(named.rc, 0, `error ${named.error}`);
      assert.equal(named.instance!.startPort, first.startPort);
      assert.deepEqual(acquire(owner, first.startPort + 1, 1), { rc: ws.SOCKET_ERROR, error: ws.WSAEADDRINUSE, bytes: 0 });
    } finally {
      closeAll(owner);
    }
  });

  test('bad arguments: no ports, a block past 65535, a short input or output: WSAEINVAL, 0 bytes', () => {
    const s = tcp();
    try {
      assert.deepEqual(acquire(s, 0, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      assert.equal(acquire(s, 65535, 2).error, ws.WSAEINVAL);
      const input = ws.encodeInetPortRange(0, 1);
      assert.deepEqual(ioctl(s, ws.SIO_ACQUIRE_PORT_RESERVATION, input, 3, new Uint8Array(16), 16), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      const out = new Uint8Array(15).fill(0xcc);
      assert.deepEqual(ioctl(s, ws.SIO_ACQUIRE_PORT_RESERVATION, input, 4, out, 15), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      assert.ok(out.every((b) => b === 0xcc));
    } finally {
      closeAll(s);
    }
  });
});

describe('SIO_ASSOCIATE_PORT_RESERVATION and bind', () => {
  test('each associated socket binding port 0 takes the next port of the block; the block exhausted, bind fails (WSAENOBUFS)', () => {
    const owner = tcp();
    const users = [tcp(), tcp(), tcp(), tcp()];
    try {
      const { startPort, token: t } = acquire(owner, 0, 3).instance!;
      const ports: number[] = [];
      for (const u of users) assert.deepEqual(associate(u, t), { rc: 0, error: 0, bytes: 0 });
      for (const u of users.slice(0, 3)) {
        assert.equal(bindTo(u, 0), 0);
        ports.push(localPort(u));
      }
      assert.deepEqual(ports, [startPort, startPort + 1, startPort + 2]);
      assert.equal(bindTo(users[3]!, 0), ws.WSAENOBUFS);
      // A port of its own choice is not the reservation's business.
      const free = tcp();
      try {
        assert.equal(bindTo(free, 0), 0);
        assert.ok(localPort(free) < startPort || localPort(free) > startPort + 2);
      } finally {
        closeAll(free);
      }
      // A user gone: its port goes back to the block, held from other binders, free for the next associated bind.
      closeAll(users[1]!);
      users[1] = ws.INVALID_SOCKET;
      const outsider = tcp();
      try {
        assert.equal(bindTo(outsider, startPort + 1), ws.WSAEADDRINUSE);
      } finally {
        closeAll(outsider);
      }
      assert.equal(bindTo(users[3]!, 0), 0);
      assert.equal(localPort(users[3]!), startPort + 1);
    } finally {
      closeAll(owner, ...users);
    }
  });

  test('UDP reservations serve UDP sockets; a TCP socket cannot take a UDP token, a bound socket none (WSAEINVAL)', () => {
    const owner = udp();
    const user = udp();
    const wrong = tcp();
    const bound = udp();
    try {
      const { startPort, token: t } = acquire(owner, 0, 1).instance!;
      assert.equal(associate(wrong, t).error, ws.WSAEINVAL);
      assert.equal(bindTo(bound, 0), 0);
      assert.equal(associate(bound, t).error, ws.WSAEINVAL);
      assert.equal(associate(user, t).rc, 0);
      assert.equal(bindTo(user, 0), 0);
      assert.equal(localPort(user), startPort);
    } finally {
      closeAll(owner, user, wrong, bound);
    }
  });

  test('an unknown token: WSAEINVAL', () => {
    const s = tcp();
    try {
      assert.deepEqual(associate(s, 0x1234n), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      assert.equal(ioctl(s, ws.SIO_ASSOCIATE_PORT_RESERVATION, token(1n), 7, null, 0).error, ws.WSAEINVAL);
    } finally {
      closeAll(s);
    }
  });
});

describe('SIO_RELEASE_PORT_RESERVATION and the reservation\'s life', () => {
  test('release by token from any socket frees the ports; a second release: WSAEINVAL', () => {
    const owner = tcp();
    const other = tcp();
    const binder = tcp();
    try {
      const { startPort, token: t } = acquire(owner, 0, 2).instance!;
      assert.deepEqual(release(other, t), { rc: 0, error: 0, bytes: 0 });
      assert.equal(bindTo(binder, startPort + 1), 0);
      assert.deepEqual(release(other, t), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
    } finally {
      closeAll(owner, other, binder);
    }
  });

  test('closing the acquiring socket ends the reservation: its token is unknown, its ports free', () => {
    const owner = tcp();
    const user = tcp();
    const binder = tcp();
    try {
      const { startPort, token: t } = acquire(owner, 0, 2).instance!;
      closeAll(owner);
      assert.equal(associate(user, t).error, ws.WSAEINVAL);
      assert.equal(bindTo(binder, startPort), 0);
    } finally {
      closeAll(user, binder);
    }
  });
});
