/**
 * Winsock timestamping (issue 18 §2): SIO_TIMESTAMPING and SIO_GET_TX_TIMESTAMP on loopback UDP
 * sockets, and the SO_TIMESTAMP / SO_TIMESTAMP_ID records of WSARecvMsg / WSASendMsg.
 *
 * Sources: Microsoft's "Winsock timestamping" page (receive stamps as an SO_TIMESTAMP record,
 * SOL_SOCKET 0x300A, a UINT64; transmit stamps by the SO_TIMESTAMP_ID a WSASendMsg carried,
 * removed by SIO_GET_TX_TIMESTAMP, WSAEWOULDBLOCK when there is none, new stamps dropped while the
 * buffer is full), the TIMESTAMPING_CONFIG page, the Winsock IOCTLs page (UDP only). WSAEOPNOTSUPP
 * before transmit stamps were switched on is a published Windows 11 measurement (not Wine's). The
 * errors for TCP and short buffers are inferred. Both codes need Windows Server 2022 / Windows 11
 * (build 20348): Wine 8.0 has neither (conformance/wine-differences.json).
 */
import type { Context, Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { errName, portOf, sleep, ws } from '../lib/winsock.js';

const PAGE = 'Microsoft: Winsock timestamping page; TIMESTAMPING_CONFIG page';
const MEASURED_11 = 'a public Windows 11 measurement of SIO_GET_TX_TIMESTAMP before SIO_TIMESTAMPING (WSAEOPNOTSUPP)';

const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

const config = (flags: number, buffered = 0): Buffer => ws.encodeTimestampingConfig(flags, buffered);
const id = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

/** A UDP socket bound to 127.0.0.1 with transmit stamps on (a buffer of 4). */
function txOn(ctx: Context): number {
  const s = ctx.udpBound();
  const c = config(ws.TIMESTAMPING_FLAG_TX, 4);
  ws.WSAIoctl(s, ws.SIO_TIMESTAMPING, c, c.length, null, 0, { value: 0 }, null, null);
  return s;
}

const cases: CodeCase[] = [
  {
    id: 'SIO_TIMESTAMPING.rx', code: 'SIO_TIMESTAMPING', socket: 'udp-bound',
    title: 'TIMESTAMPING_CONFIG {RX, 0}: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_TIMESTAMPING, input: config(ws.TIMESTAMPING_FLAG_RX) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: PAGE,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_TIMESTAMPING.rx-tx', code: 'SIO_TIMESTAMPING', socket: 'udp-bound',
    title: 'TIMESTAMPING_CONFIG {RX | TX, 16}: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_TIMESTAMPING, input: config(ws.TIMESTAMPING_FLAG_RX | ws.TIMESTAMPING_FLAG_TX, 16) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: PAGE,
  },
  {
    id: 'SIO_TIMESTAMPING.tcp', code: 'SIO_TIMESTAMPING', socket: 'tcp-fresh',
    title: 'a TCP socket (timestamping is for UDP): WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_TIMESTAMPING, input: config(ws.TIMESTAMPING_FLAG_RX) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'inferred', source: `${PAGE} (UDP only); the error is inferred (a code the provider does not serve)`,
  },
  {
    id: 'SIO_TIMESTAMPING.short-input', code: 'SIO_TIMESTAMPING', socket: 'udp-bound',
    title: 'an input shorter than TIMESTAMPING_CONFIG (7 bytes): WSAEFAULT',
    spec: () => ({ code: ws.SIO_TIMESTAMPING, input: config(ws.TIMESTAMPING_FLAG_RX).subarray(0, 7) }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 0 },
    basis: 'inferred', source: 'the size rule of the fixed-size inputs (SIO_KEEPALIVE_VALS: Wine sock.c test_keepalive_vals)',
  },
  {
    id: 'SIO_GET_TX_TIMESTAMP.unconfigured', code: 'SIO_GET_TX_TIMESTAMP', socket: 'udp-bound',
    title: 'before SIO_TIMESTAMPING switched transmit stamps on: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_GET_TX_TIMESTAMP, input: id(1), output: 8 }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0, out: 'untouched' },
    basis: 'inferred', source: MEASURED_11,
  },
  {
    id: 'SIO_GET_TX_TIMESTAMP.no-stamp', code: 'SIO_GET_TX_TIMESTAMP', socket: 'udp-bound', make: txOn,
    title: 'transmit stamps on, nothing sent with that id: WSAEWOULDBLOCK',
    spec: () => ({ code: ws.SIO_GET_TX_TIMESTAMP, input: id(1), output: 8 }),
    expected: { rc: -1, error: 'WSAEWOULDBLOCK', bytes: 0, out: 'untouched' },
    basis: 'documented', source: PAGE,
    overlapped: { kind: 'fails-early', basis: 'documented', source: `${PAGE} (the stamp is polled for: WSAEWOULDBLOCK whatever the mode)`, internal: 'untouched' },
  },
];

/** WSASendMsg of one datagram to `to` with an SO_TIMESTAMP_ID record `tag`. */
function sendTagged(s: number, to: Uint8Array, tag: number): string {
  const control = ws.encodeControlRecord(ws.SOL_SOCKET, ws.SO_TIMESTAMP_ID, id(tag));
  const data = new TextEncoder().encode('stamp');
  const msg = { name: to, namelen: to.length, lpBuffers: [{ len: data.length, buf: data }], dwBufferCount: 1, Control: { len: control.length, buf: control }, dwFlags: 0 };
  return ws.WSASendMsg(s, msg, 0, { value: 0 }, null, null) === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError());
}

/** SIO_GET_TX_TIMESTAMP for `tag`, polled (1 s at most) while WSAEWOULDBLOCK. */
function pollStamp(s: number, tag: number): Observation {
  let last: Observation = {};
  for (let i = 0; i < 100; i++) {
    const out = new Uint8Array(8);
    const bytes = { value: 0 };
    const rc = ws.WSAIoctl(s, ws.SIO_GET_TX_TIMESTAMP, id(tag), 4, out, 8, bytes, null, null);
    last = { rc, error: rc === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError()), bytes: bytes.value, stamp: new DataView(out.buffer).getBigUint64(0, true) > 0n ? 'non-zero' : 'zero' };
    if (last.error !== 'WSAEWOULDBLOCK') return last;
    sleep(10);
  }
  return last;
}

const scenarios: Scenario[] = [
  {
    id: 'SIO_GET_TX_TIMESTAMP.by-id', code: 'SIO_GET_TX_TIMESTAMP',
    title: 'a datagram sent with SO_TIMESTAMP_ID 7: its stamp once (8 bytes), then WSAEWOULDBLOCK; a full buffer (1) drops the next one',
    mode: 'other', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'SIO_TIMESTAMPING {TX, 1}; WSASendMsg(tx, {SO_TIMESTAMP_ID 7}); WSASendMsg(tx, {SO_TIMESTAMP_ID 8}); SIO_GET_TX_TIMESTAMP(7) (polled), (7), (8)',
    expected: {
      sends: ['NO_ERROR', 'NO_ERROR'],
      first: { rc: 0, error: 'NO_ERROR', bytes: 8, stamp: 'non-zero' },
      again: 'WSAEWOULDBLOCK', dropped: 'WSAEWOULDBLOCK',
    },
    basis: 'documented', source: PAGE,
    run(ctx) {
      const rx = ctx.udpBound();
      const to = ws.sockaddr('127.0.0.1', portOf(rx));
      const tx = ctx.udpBound();
      const c = config(ws.TIMESTAMPING_FLAG_TX, 1);
      ws.WSAIoctl(tx, ws.SIO_TIMESTAMPING, c, c.length, null, 0, { value: 0 }, null, null);
      const sends = [sendTagged(tx, to, 7), sendTagged(tx, to, 8)];
      sleep(20);
      const first = pollStamp(tx, 7);
      const once = (tag: number): string => {
        const rc = ws.WSAIoctl(tx, ws.SIO_GET_TX_TIMESTAMP, id(tag), 4, new Uint8Array(8), 8, { value: 0 }, null, null);
        return rc === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError());
      };
      return { sends, first, again: once(7), dropped: once(8) };
    },
  },
  {
    id: 'WSARecvMsg.so-timestamp',
    title: 'receive stamps on: a datagram comes with one SO_TIMESTAMP record (level SOL_SOCKET, type 0x300A, 24 bytes, a non-zero UINT64)',
    mode: 'other', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'SIO_TIMESTAMPING {RX, 0}; datagrams from another socket, 20 ms apart; WSARecvMsg(s, &msg{Control 128}) until one carries a record (50 at most)',
    expected: { rc: 0, error: 'NO_ERROR', controlLen: 24, records: [{ len: 24, level: 0xffff, type: 0x300a, value: 'non-zero' }] },
    basis: 'documented', source: `${PAGE} (a stamp "if available": the first datagrams after switching may come without)`,
    run(ctx) {
      const s = ctx.udpBound();
      const c = config(ws.TIMESTAMPING_FLAG_RX);
      ws.WSAIoctl(s, ws.SIO_TIMESTAMPING, c, c.length, null, 0, { value: 0 }, null, null);
      const to = ws.sockaddr('127.0.0.1', portOf(s));
      const tx = ctx.udp();
      let seen: Observation = {};
      for (let i = 0; i < 50; i++) {
        if (i > 0) sleep(20);
        ws.sendto(tx, new Uint8Array(4), 4, 0, to, to.length);
        for (let w = 0; w < 100 && ws.WSAPoll([{ fd: s, events: ws.POLLRDNORM, revents: 0 }], 1, 0) === 0; w++) sleep(10);
        const control = new Uint8Array(128);
        const msg = { name: new Uint8Array(16), namelen: 16, lpBuffers: [{ len: 16, buf: new Uint8Array(16) }], dwBufferCount: 1, Control: { len: 128, buf: control }, dwFlags: 0 };
        const rc = ws.WSARecvMsg(s, msg, { value: 0 }, null, null);
        const records: Observation[] = [];
        for (let h = ws.WSA_CMSG_FIRSTHDR(msg); h !== null && records.length < 4; h = ws.WSA_CMSG_NXTHDR(msg, h)) {
          const head = ws.decodeWSACMSGHDR(control, h);
          const value = new DataView(control.buffer, ws.WSA_CMSG_DATA(h), 8).getBigUint64(0, true) > 0n ? 'non-zero' : 'zero';
          records.push({ len: head.cmsg_len, level: head.cmsg_level, type: head.cmsg_type, value });
        }
        seen = { rc, error: rc === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError()), controlLen: msg.Control.len, records };
        if (records.length > 0 || rc !== 0) break;
      }
      return seen;
    },
  },
];

export const timestamping: Scenario[] = [...cases.flatMap(expand), ...scenarios];
