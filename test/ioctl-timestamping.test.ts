/**
 * SIO_TIMESTAMPING and SIO_GET_TX_TIMESTAMP on real loopback UDP sockets (Linux emulation).
 *
 * Windows facts: Microsoft's "Winsock timestamping" page (receive stamps as an SO_TIMESTAMP
 * (0x300A) record at level SOL_SOCKET holding a UINT64, in WSARecvMsg's control data; a
 * WSASendMsg tags its datagram with an SO_TIMESTAMP_ID (0x300B) UINT32 record; SIO_GET_TX_TIMESTAMP
 * removes the stamp with that id or fails with WSAEWOULDBLOCK; a stamp generated while the buffer
 * of TxTimestampsBuffered entries is full is discarded; software stamps in QPC units), the
 * TIMESTAMPING_CONFIG page (Flags RX 1 / TX 2, USHORT TxTimestampsBuffered), the Winsock IOCTLs
 * page (UDP only). Polling before transmit stamps were switched on: WSAEOPNOTSUPP (a public
 * Windows 11 measurement; handlers/timestamping.ts). The errors for a TCP socket and short
 * buffers are inferred (handlers/timestamping.ts says which). The emulation's QPC is
 * CLOCK_MONOTONIC in 100 ns units: process.hrtime.bigint() / 100n reads the same counter.
 * Network use: loopback only (127.0.0.1).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { check, cleanup, closeAll, ioctl, ipv6Available, sleepSync, startup, udpPair, waitUntil, withSocket } from './helpers/sockets.js';

before(startup);
after(cleanup);

const qpc = (): bigint => process.hrtime.bigint() / 100n;

function configure(s: number, flags: number, buffered = 0): { rc: number; error: number; bytes: number } {
  const config = ws.encodeTimestampingConfig(flags, buffered);
  return ioctl(s, ws.SIO_TIMESTAMPING, config, config.length, null, 0);
}

function txStamp(s: number, id: number): { rc: number; error: number; bytes: number; stamp: bigint } {
  const input = new Uint8Array(4);
  new DataView(input.buffer).setUint32(0, id, true);
  const out = new Uint8Array(8);
  const r = ioctl(s, ws.SIO_GET_TX_TIMESTAMP, input, 4, out, 8);
  return { ...r, stamp: new DataView(out.buffer).getBigUint64(0, true) };
}

/** Polls (1 s at most) until the stamp for `id` is there; the last answer. */
function txStampSoon(s: number, id: number): ReturnType<typeof txStamp> {
  let last = txStamp(s, id);
  if (last.error === ws.WSAEWOULDBLOCK) waitUntil(() => (last = txStamp(s, id)).error !== ws.WSAEWOULDBLOCK, 200, 5);
  return last;
}

/** WSASendMsg of `text` to `to`, with an SO_TIMESTAMP_ID record when `id` is given. */
function sendTagged(s: number, to: Uint8Array, text: string, id?: number): number {
  const data = new TextEncoder().encode(text);
  const control = id === undefined ? new Uint8Array(0) : ws.encodeControlRecord(ws.SOL_SOCKET, ws.SO_TIMESTAMP_ID, new Uint8Array(new Uint32Array([id]).buffer));
  const msg = {
    name: to, namelen: to.length, lpBuffers: [{ len: data.length, buf: data }], dwBufferCount: 1,
    Control: { len: control.length, buf: control.length ? control : null }, dwFlags: 0,
  };
  const sent = { value: 0 };
  check(ws.WSASendMsg(s, msg, 0, sent, null, null), 'WSASendMsg');
  return sent.value;
}

interface Received { text: string; controlLen: number; records: { len: number; level: number; type: number; data: Uint8Array }[] }

/** WSARecvMsg of one datagram (waits for it, 1 s at most). */
function receive(s: number): Received {
  waitUntil(() => ws.WSAPoll([{ fd: s, events: ws.POLLRDNORM, revents: 0 }], 1, 0) > 0, 200, 5);
  const data = new Uint8Array(64);
  const control = new Uint8Array(128);
  const msg = {
    name: new Uint8Array(28) as Uint8Array | null, namelen: 28, lpBuffers: [{ len: data.length, buf: data }], dwBufferCount: 1,
    Control: { len: control.length, buf: control as Uint8Array | null }, dwFlags: 0,
  };
  const got = { value: 0 };
  check(ws.WSARecvMsg(s, msg, got, null, null), 'WSARecvMsg');
  const records: Received['records'] = [];
  for (let c = ws.WSA_CMSG_FIRSTHDR(msg); c !== null && records.length < 8; c = ws.WSA_CMSG_NXTHDR(msg, c)) {
    const h = ws.decodeWSACMSGHDR(control, c);
    const at = ws.WSA_CMSG_DATA(c);
    records.push({ len: h.cmsg_len, level: h.cmsg_level, type: h.cmsg_type, data: control.slice(at, c + h.cmsg_len) });
  }
  return { text: new TextDecoder().decode(data.subarray(0, got.value)), controlLen: msg.Control.len, records };
}

/**
 * Linux switches its packet stamping on asynchronously (a deferred static key) when the first
 * socket asks: until then a datagram arrives unstamped, which the Winsock page allows ("its
 * timestamp, if available"). Sends datagrams (100 at most, 10 ms apart) until one comes stamped.
 */
function warmUp(receiver: number, sender: number, to: Uint8Array): void {
  for (let i = 0; i < 100; i++) {
    if (i > 0) sleepSync(10);
    check(ws.sendto(sender, new Uint8Array(1), 1, 0, to, to.length), 'sendto');
    if (receive(receiver).records.length > 0) return;
  }
}

const stampOf = (r: Received): bigint => {
  const rec = r.records.find((x) => x.level === ws.SOL_SOCKET && x.type === ws.SO_TIMESTAMP);
  assert.ok(rec, `an SO_TIMESTAMP record in ${JSON.stringify(r.records.map((x) => [x.level, x.type]))}`);
  return new DataView(rec.data.buffer, rec.data.byteOffset, 8).getBigUint64(0, true);
};

describe('SIO_TIMESTAMPING: receive stamps (the Winsock timestamping page)', () => {
  test('each datagram comes with one SO_TIMESTAMP record (SOL_SOCKET, 0x300A, UINT64): between the send and the receive on the QPC clock, never decreasing', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      const r = configure(receiver, ws.TIMESTAMPING_FLAG_RX);
      assert.deepEqual([r.rc, r.error], [0, 0]);
      warmUp(receiver, sender, receiverName);
      const stamps: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const before = qpc();
        check(ws.sendto(sender, new TextEncoder().encode(`d${i}`), 2, 0, receiverName, receiverName.length), 'sendto');
        const got = receive(receiver);
        const afterwards = qpc();
        assert.equal(got.text, `d${i}`);
        assert.equal(got.records.length, 1);
        assert.equal(got.records[0]!.len, ws.WSA_CMSG_LEN(8));
        assert.equal(got.controlLen, ws.WSA_CMSG_SPACE(8));
        const stamp = stampOf(got);
        // Sane distance: the realtime -> monotonic move may be off by the clock reads (well under 10 ms).
        assert.ok(stamp >= before - 100_000n && stamp <= afterwards + 100_000n, `stamp ${stamp} outside [${before}, ${afterwards}]`);
        stamps.push(stamp);
      }
      assert.ok(stamps[0]! <= stamps[1]! && stamps[1]! <= stamps[2]!, `monotonic: ${stamps.join(', ')}`);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('without it, or after switching RX off (Flags without the bit), a datagram carries no record', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      const send = (t: string): void => void check(ws.sendto(sender, new TextEncoder().encode(t), t.length, 0, receiverName, receiverName.length), 'sendto');
      send('plain');
      let got = receive(receiver);
      assert.deepEqual([got.text, got.controlLen, got.records.length], ['plain', 0, 0]);
      assert.equal(configure(receiver, ws.TIMESTAMPING_FLAG_RX).rc, 0);
      warmUp(receiver, sender, receiverName);
      send('stamped');
      got = receive(receiver);
      assert.equal(got.records.length, 1);
      assert.equal(configure(receiver, 0).rc, 0);
      send('off');
      got = receive(receiver);
      assert.deepEqual([got.text, got.controlLen, got.records.length], ['off', 0, 0]);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('the record comes after other records the socket asked for (IP_PKTINFO), each in its own place', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      const one = new Uint8Array([1, 0, 0, 0]);
      check(ws.setsockopt(receiver, ws.IPPROTO_IP, ws.IP_PKTINFO, one, 4), 'IP_PKTINFO');
      assert.equal(configure(receiver, ws.TIMESTAMPING_FLAG_RX | ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      warmUp(receiver, sender, receiverName);
      check(ws.sendto(sender, new TextEncoder().encode('both'), 4, 0, receiverName, receiverName.length), 'sendto');
      const got = receive(receiver);
      assert.deepEqual(got.records.map((r) => [r.level, r.type]).sort(), [[ws.IPPROTO_IP, ws.IP_PKTINFO], [ws.SOL_SOCKET, ws.SO_TIMESTAMP]].sort());
      assert.equal(got.controlLen, ws.WSA_CMSG_SPACE(8) + ws.WSA_CMSG_SPACE(8));
    } finally {
      closeAll(receiver, sender);
    }
  });
});

describe('SIO_GET_TX_TIMESTAMP: transmit stamps by SO_TIMESTAMP_ID', () => {
  test('no stamp yet: WSAEWOULDBLOCK; the stamp of a tagged datagram once, 8 bytes, between send and poll; then WSAEWOULDBLOCK again', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 8).rc, 0);
      let r = txStamp(sender, 7);
      assert.deepEqual([r.rc, r.error], [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK]);
      const before = qpc();
      assert.equal(sendTagged(sender, receiverName, 'tagged', 7), 6);
      r = txStampSoon(sender, 7);
      const afterwards = qpc();
      assert.deepEqual([r.rc, r.error, r.bytes], [0, 0, 8]);
      assert.ok(r.stamp >= before - 100_000n && r.stamp <= afterwards + 100_000n, `stamp ${r.stamp} outside [${before}, ${afterwards}]`);
      r = txStamp(sender, 7);
      assert.deepEqual([r.rc, r.error], [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK], 'taken once');
      r = txStamp(sender, 999);
      assert.deepEqual([r.rc, r.error], [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK], 'never sent');
      assert.equal(receive(receiver).text, 'tagged');
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('ids are the caller\'s, whatever the order: untagged datagrams take no stamp, each tagged one its own, stamps in send order', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 8).rc, 0);
      sendTagged(sender, receiverName, 'plain');
      sendTagged(sender, receiverName, 'a', 0xfffffffe);
      sendTagged(sender, receiverName, 'plain');
      sendTagged(sender, receiverName, 'b', 42);
      const b = txStampSoon(sender, 42);
      const a = txStampSoon(sender, 0xfffffffe);
      assert.deepEqual([a.rc, b.rc], [0, 0]);
      assert.ok(a.stamp <= b.stamp, `${a.stamp} <= ${b.stamp}`);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('a full buffer drops the new stamp (TIMESTAMPING_CONFIG page); taking one makes room for later ones', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 1).rc, 0);
      sendTagged(sender, receiverName, 'first', 1);
      sendTagged(sender, receiverName, 'second', 2);
      // Both stamps exist once the first has arrived (loopback stamps as the packet leaves).
      waitUntil(() => ws.WSAPoll([{ fd: receiver, events: ws.POLLRDNORM, revents: 0 }], 1, 0) > 0, 200, 5);
      let r = txStamp(sender, 2);
      assert.deepEqual([r.rc, r.error], [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK], 'discarded: buffer full');
      r = txStampSoon(sender, 1);
      assert.deepEqual([r.rc, r.bytes], [0, 8]);
      r = txStamp(sender, 2);
      assert.equal(r.error, ws.WSAEWOULDBLOCK, 'a dropped stamp never comes back');
      sendTagged(sender, receiverName, 'third', 3);
      assert.equal(txStampSoon(sender, 3).rc, 0);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('TxTimestampsBuffered 0 buffers nothing; switching TX off empties the buffer and polling is WSAEOPNOTSUPP again', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 0).rc, 0);
      sendTagged(sender, receiverName, 'x', 5);
      waitUntil(() => ws.WSAPoll([{ fd: receiver, events: ws.POLLRDNORM, revents: 0 }], 1, 0) > 0, 200, 5);
      assert.equal(txStamp(sender, 5).error, ws.WSAEWOULDBLOCK);
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      sendTagged(sender, receiverName, 'y', 6);
      assert.equal(txStampSoon(sender, 6).rc, 0);
      sendTagged(sender, receiverName, 'z', 8);
      assert.equal(configure(sender, 0).rc, 0);
      assert.equal(txStamp(sender, 8).error, ws.WSAEOPNOTSUPP);
      // Back on: the kernel's counter restarts, and the mapping with it.
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      sendTagged(sender, receiverName, 'w', 9);
      assert.equal(txStampSoon(sender, 9).rc, 0);
      assert.equal(txStamp(sender, 8).error, ws.WSAEWOULDBLOCK);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('WSAEWOULDBLOCK even overlapped: no pending operation, the event is not set', () => {
    const { receiver, sender } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      const event = ws.WSACreateEvent();
      const ov = { Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: event };
      const input = new Uint8Array(4);
      const bytes = { value: 0 };
      const rc = ws.WSAIoctl(sender, ws.SIO_GET_TX_TIMESTAMP, input, 4, new Uint8Array(8), 8, bytes, ov, null);
      assert.deepEqual([rc, ws.WSAGetLastError()], [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK]);
      assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 0, false), ws.WSA_WAIT_TIMEOUT);
      ws.WSACloseEvent(event);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('one reader of the error queue: a stamp and an ICMP port-unreachable report both reach their owner, in either order', () => {
    for (const pollFirst of [true, false]) {
      const { receiver, sender } = udpPair();
      // A port with nobody behind it on loopback: the kernel answers with ICMP port unreachable.
      const closed = withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
        const name = ws.sockaddr('127.0.0.1', 0);
        check(ws.bind(s, name, name.length), 'bind');
        const out = new Uint8Array(16);
        check(ws.getsockname(s, out, { value: 16 }), 'getsockname');
        return out;
      });
      try {
        assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
        sendTagged(sender, closed, 'nobody', 11);
        waitUntil(() => ws.WSAPoll([{ fd: sender, events: ws.POLLRDNORM, revents: 0 }], 1, 0) > 0, 200, 5);
        const recvReset = (): number => {
          ws.WSASetLastError(0);
          const rc = ws.recv(sender, new Uint8Array(8), 8, 0);
          return rc === ws.SOCKET_ERROR ? ws.WSAGetLastError() : 0;
        };
        if (pollFirst) {
          assert.equal(txStampSoon(sender, 11).rc, 0, 'the stamp, with the ICMP report behind it');
          assert.equal(recvReset(), ws.WSAECONNRESET, 'the ICMP report kept for the receive');
        } else {
          assert.equal(recvReset(), ws.WSAECONNRESET, 'the receive reads past the stamp');
          assert.equal(txStampSoon(sender, 11).rc, 0, 'the stamp kept for SIO_GET_TX_TIMESTAMP');
        }
      } finally {
        closeAll(receiver, sender);
      }
    }
  });
});

describe('IPv6', () => {
  test('on ::1 both directions work as on IPv4 (the stamp comes with IPV6_RECVERR there)', { skip: !ipv6Available() && 'no IPv6 loopback' }, () => {
    const { receiver, sender, receiverName } = udpPair('ipv6');
    try {
      assert.equal(configure(receiver, ws.TIMESTAMPING_FLAG_RX).rc, 0);
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 2).rc, 0);
      warmUp(receiver, sender, receiverName);
      assert.equal(sendTagged(sender, receiverName, 'six', 66), 3);
      const got = receive(receiver);
      assert.equal(got.text, 'six');
      assert.ok(stampOf(got) > 0n);
      const r = txStampSoon(sender, 66);
      assert.deepEqual([r.rc, r.bytes], [0, 8]);
    } finally {
      closeAll(receiver, sender);
    }
  });
});

describe('readiness: a transmit stamp is no event', () => {
  test('select and WSAPoll do not call the socket readable for a stamp; an ICMP report behind it still does, and the stamp stays', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      assert.equal(configure(sender, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      sendTagged(sender, receiverName, 'quiet', 1);
      waitUntil(() => ws.WSAPoll([{ fd: receiver, events: ws.POLLRDNORM, revents: 0 }], 1, 0) > 0, 200, 5);
      const fds = [{ fd: sender, events: ws.POLLRDNORM, revents: 0 }];
      assert.deepEqual([ws.WSAPoll(fds, 1, 0), fds[0]!.revents], [0, 0]);
      assert.equal(ws.select(0, { fd_count: 1, fd_array: [sender] }, null, null, { tv_sec: 0, tv_usec: 0 }), 0);
      assert.equal(txStamp(sender, 1).rc, 0, 'the stamp the look took out of the kernel is buffered');
      // A port with nobody behind it: ICMP port unreachable, reported by the next receive.
      const closed = withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
        const name = ws.sockaddr('127.0.0.1', 0);
        check(ws.bind(s, name, name.length), 'bind');
        const out = new Uint8Array(16);
        check(ws.getsockname(s, out, { value: 16 }), 'getsockname');
        return out;
      });
      sendTagged(sender, closed, 'nobody', 2);
      assert.ok(waitUntil(() => ws.select(0, { fd_count: 1, fd_array: [sender] }, null, null, { tv_sec: 0, tv_usec: 0 }) === 1, 200, 5), 'readable: the ICMP report');
      assert.equal(ws.select(0, { fd_count: 1, fd_array: [sender] }, null, null, { tv_sec: 0, tv_usec: 0 }), 1, 'still readable: the report is kept');
      ws.WSASetLastError(0);
      assert.equal(ws.recv(sender, new Uint8Array(8), 8, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAECONNRESET);
      assert.equal(txStampSoon(sender, 2).rc, 0);
    } finally {
      closeAll(receiver, sender);
    }
  });
});

describe('errors', () => {
  test('before SIO_TIMESTAMPING switched TX on, SIO_GET_TX_TIMESTAMP is WSAEOPNOTSUPP (measured on Windows 11)', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      assert.deepEqual([txStamp(s, 1).rc, txStamp(s, 1).error], [ws.SOCKET_ERROR, ws.WSAEOPNOTSUPP]);
      assert.equal(configure(s, ws.TIMESTAMPING_FLAG_RX).rc, 0);
      assert.equal(txStamp(s, 1).error, ws.WSAEOPNOTSUPP, 'RX alone');
    });
  });

  test('UDP only: a TCP socket is WSAEOPNOTSUPP for both codes', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.deepEqual([configure(s, ws.TIMESTAMPING_FLAG_RX).rc, configure(s, ws.TIMESTAMPING_FLAG_RX).error], [ws.SOCKET_ERROR, ws.WSAEOPNOTSUPP]);
      assert.equal(txStamp(s, 1).error, ws.WSAEOPNOTSUPP);
    });
  });

  test('short buffers are WSAEFAULT, unknown Flags bits WSAEINVAL; nothing changes and nothing is written', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const config = ws.encodeTimestampingConfig(ws.TIMESTAMPING_FLAG_TX, 4);
      assert.equal(ioctl(s, ws.SIO_TIMESTAMPING, config, 7, null, 0).error, ws.WSAEFAULT);
      assert.equal(ioctl(s, ws.SIO_TIMESTAMPING, null, 0, null, 0).error, ws.WSAEFAULT);
      assert.equal(txStamp(s, 1).error, ws.WSAEOPNOTSUPP, 'the failed calls switched nothing on');
      assert.equal(configure(s, 4).error, ws.WSAEINVAL);
      assert.equal(configure(s, ws.TIMESTAMPING_FLAG_TX, 4).rc, 0);
      const id = new Uint8Array(4);
      assert.equal(ioctl(s, ws.SIO_GET_TX_TIMESTAMP, id, 3, new Uint8Array(8), 8).error, ws.WSAEFAULT);
      const out = new Uint8Array(8).fill(0xcc);
      assert.equal(ioctl(s, ws.SIO_GET_TX_TIMESTAMP, id, 4, out, 7).error, ws.WSAEFAULT);
      assert.deepEqual(Array.from(out), new Array(8).fill(0xcc));
      // A malformed SO_TIMESTAMP_ID record (under 4 bytes) fails the send.
      const control = ws.encodeControlRecord(ws.SOL_SOCKET, ws.SO_TIMESTAMP_ID, new Uint8Array(2));
      const to = ws.sockaddr('127.0.0.1', 9);
      const data = new Uint8Array(1);
      const msg = { name: to, namelen: to.length, lpBuffers: [{ len: 1, buf: data }], dwBufferCount: 1, Control: { len: control.length, buf: control }, dwFlags: 0 };
      assert.equal(ws.WSASendMsg(s, msg, 0, { value: 0 }, null, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    });
  });
});
