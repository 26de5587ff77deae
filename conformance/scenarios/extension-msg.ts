/**
 * WSARecvMsg / WSASendMsg and their control records (IP_PKTINFO and friends) on both backends.
 * The Windows backend reaches WSARecvMsg through SIO_GET_EXTENSION_FUNCTION_POINTER, as C does;
 * the Linux emulation translates Linux's records. Expected results: Wine's dlls/ws2_32/tests/sock.c
 * lines that run on Windows (test_ip_pktinfo, test_ipv4_cmsg, test_ipv6_cmsg, test_WSASendMsg,
 * test_sockopt_validity) and the LPFN_WSARECVMSG / WSASendMsg reference pages.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { SENTINEL, errName, infoOf, overlapped, portOf, refValue, sleep, statusOf, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);
const ON = new Uint8Array([1, 0, 0, 0]);

/** Waits (1 s at most) until a datagram is readable on `s`, without taking it. */
function readable(s: number): boolean {
  for (let i = 0; i < 100; i++) {
    const fds = [{ fd: s, events: ws.POLLRDNORM, revents: 0 }];
    if (ws.WSAPoll(fds, 1, 0) > 0) return true;
    sleep(10);
  }
  return false;
}

/** A WSAMSG with `control` bytes of control buffer and a 10-byte data buffer. */
function message(control: number, nameSize = 16): ws.WSAMSG {
  return {
    name: new Uint8Array(nameSize), namelen: nameSize, lpBuffers: [{ len: 10, buf: new Uint8Array(10) }], dwBufferCount: 1,
    Control: { len: control, buf: new Uint8Array(Math.max(control, 1)) }, dwFlags: 0,
  };
}

/** The control records of a received WSAMSG, as the WSA_CMSG_* walk finds them. */
function records(msg: ws.WSAMSG): Observation[] {
  const out: Observation[] = [];
  const buf = msg.Control.buf!;
  for (let c = ws.WSA_CMSG_FIRSTHDR(msg); c !== null && out.length < 8; c = ws.WSA_CMSG_NXTHDR(msg, c)) {
    const h = ws.decodeWSACMSGHDR(buf, c);
    const at = ws.WSA_CMSG_DATA(c);
    let value: string | number;
    if (h.cmsg_level === ws.IPPROTO_IP && h.cmsg_type === ws.IP_PKTINFO) value = ws.decodeIN_PKTINFO(buf, at).ipi_addr;
    else if (h.cmsg_level === ws.IPPROTO_IPV6 && h.cmsg_type === ws.IPV6_PKTINFO) value = ws.decodeIN6_PKTINFO(buf, at).ipi6_addr;
    else if (h.cmsg_type === ws.IP_TTL || h.cmsg_type === ws.IPV6_HOPLIMIT) value = ws.decodeControlInt(buf, at) >= 32 ? '>= 32' : 'under 32';
    else value = ws.decodeControlInt(buf, at);
    out.push({ len: h.cmsg_len, level: h.cmsg_level, type: h.cmsg_type, value });
  }
  return out;
}

/** A UDP socket bound to `address` with `options` (IPPROTO_IP / IPPROTO_IPV6 names) set to 1. */
function receiver(ctx: Parameters<Scenario['run']>[0], address: string, options: Array<[number, number]>): { s: number; to: (addr: string) => Uint8Array } {
  const s = ctx.udpBound(address);
  for (const [level, name] of options) ws.setsockopt(s, level, name, ON, 4);
  const port = portOf(s);
  return { s, to: (addr) => ws.sockaddr(addr, port) };
}

function sendDatagram(ctx: Parameters<Scenario['run']>[0], to: Uint8Array, data = 'HELLO\0'): void {
  const tx = to.length === 16 ? ctx.udp() : ctx.udp6();
  ws.sendto(tx, bytesOf(data), data.length, 0, to, to.length);
}

/** One plain WSARecvMsg of what is queued, reported. */
function receiveNow(s: number, control = 512, nameSize = 16): Observation {
  readable(s);
  const msg = message(control, nameSize);
  const bytes = { value: SENTINEL };
  const rc = ws.WSARecvMsg(s, msg, bytes, null, null);
  const error = rc === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError());
  return { rc, error, bytes: refValue(bytes), controlLen: msg.Control.len, flags: msg.dwFlags, namelen: msg.namelen, records: records(msg) };
}

const scenarios: Scenario[] = [
  {
    id: 'WSARecvMsg.null-msg',
    title: 'a NULL WSAMSG: WSAEFAULT',
    mode: 'other', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'WSARecvMsg(s, NULL, NULL, NULL, NULL)',
    expected: { rc: -1, error: 'WSAEFAULT' },
    basis: 'measured', source: `${SOCK_C} test_ip_pktinfo`,
    run(ctx) {
      const s = ctx.udpBound();
      const rc = ws.WSARecvMsg(s, null, null, null, null);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  },
  {
    id: 'WSARecvMsg.null-pointers',
    title: 'name NULL with a namelen, Control.buf NULL with a Control.len: WSAEFAULT; Control.buf NULL with 0: fine',
    mode: 'other', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'FIONBIO 1; a datagram queued before each: WSARecvMsg(s, &msg{name NULL, namelen 16}); (&msg{Control {512, NULL}}); (&msg{Control {0, NULL}})',
    expected: { nameNull: 'WSAEFAULT', controlNull: 'WSAEFAULT', controlEmpty: 'NO_ERROR' },
    basis: 'documented', source: 'LPFN_WSARECVMSG page (WSAEFAULT); Control {0, NULL}: Wine dlls/ws2_32/tests/sock.c test_ip_pktinfo',
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', []);
      ws.ioctlsocket(r.s, ws.FIONBIO, { value: 1 });
      const attempt = (change: (m: ws.WSAMSG) => void): string => {
        sendDatagram(ctx, r.to('127.0.0.1'));
        readable(r.s);
        const msg = message(512);
        change(msg);
        return ws.WSARecvMsg(r.s, msg, { value: 0 }, null, null) === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError());
      };
      return {
        nameNull: attempt((m) => { m.name = null; }),
        controlNull: attempt((m) => { m.Control.buf = null; }),
        controlEmpty: attempt((m) => { m.Control = { len: 0, buf: null }; }),
      };
    },
  },
  {
    id: 'WSARecvMsg.pktinfo.destination',
    title: 'IP_PKTINFO on a socket bound to 0.0.0.0: the record names the address each datagram was sent to',
    mode: 'other', sockets: ['udp-fresh'], needs: ['data-path'],
    call: 'setsockopt(IP_PKTINFO, 1); datagrams to 127.0.0.1 and 127.0.0.2; WSARecvMsg(s, &msg{Control 512}, &bytes, NULL, NULL) twice',
    expected: {
      first: { rc: 0, error: 'NO_ERROR', bytes: 6, controlLen: 24, flags: 0, namelen: 16, records: [{ len: 24, level: 0, type: 19, value: '127.0.0.1' }] },
      second: { rc: 0, error: 'NO_ERROR', bytes: 6, controlLen: 24, flags: 0, namelen: 16, records: [{ len: 24, level: 0, type: 19, value: '127.0.0.2' }] },
    },
    basis: 'measured', source: `${SOCK_C} test_ip_pktinfo, test_ipv4_cmsg (127.0.0.2: the same rule on a second loopback address)`,
    run(ctx) {
      const r = receiver(ctx, '0.0.0.0', [[ws.IPPROTO_IP, ws.IP_PKTINFO]]);
      sendDatagram(ctx, r.to('127.0.0.1'));
      const first = receiveNow(r.s);
      sendDatagram(ctx, r.to('127.0.0.2'));
      return { first, second: receiveNow(r.s) };
    },
  },
  {
    id: 'WSARecvMsg.ctrunc.plain',
    title: 'a control buffer of 1 byte: WSAEMSGSIZE, MSG_CTRUNC, the byte count written',
    mode: 'plain', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'setsockopt(IP_PKTINFO, 1); one datagram queued; WSARecvMsg(s, &msg{Control.len 1}, &bytes, NULL, NULL)',
    expected: { rc: -1, error: 'WSAEMSGSIZE', bytes: 6, ctrunc: true },
    basis: 'measured', source: `${SOCK_C} test_ip_pktinfo (the byte count: todo_wine)`,
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', [[ws.IPPROTO_IP, ws.IP_PKTINFO]]);
      sendDatagram(ctx, r.to('127.0.0.1'));
      const o = receiveNow(r.s, 1);
      return { rc: o.rc!, error: o.error!, bytes: o.bytes!, ctrunc: ((o.flags as number) & ws.MSG_CTRUNC) !== 0 };
    },
  },
  {
    id: 'WSARecvMsg.ctrunc.overlapped+event',
    title: 'a control buffer of 1 byte, overlapped: pends, completes with STATUS_BUFFER_OVERFLOW and 6 bytes; flags left alone',
    mode: 'overlapped+event', sockets: ['udp-bound'], needs: ['events'],
    call: 'WSARecvMsg(s, &msg{Control.len 1}, NULL, &ov{hEvent}, NULL); datagram sent; wait; WSAGetOverlappedResult(&n, &flags)',
    expected: {
      rc: -1, error: 'WSA_IO_PENDING', controlLenPending: 1, wait: 0, internal: 'STATUS_BUFFER_OVERFLOW', information: 6,
      result: { ok: false, error: 'WSAEMSGSIZE', transferred: 6, flags: 'untouched' }, dwFlags: ws.MSG_CTRUNC,
    },
    basis: 'measured', source: `${SOCK_C} test_ip_pktinfo (flags untouched: todo_wine)`,
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', [[ws.IPPROTO_IP, ws.IP_PKTINFO]]);
      const event = ctx.event();
      const ov = overlapped(event);
      const msg = message(1);
      const rc = ws.WSARecvMsg(r.s, msg, null, ov, null);
      const error = errName(ws.WSAGetLastError());
      const controlLenPending = msg.Control.len;
      sendDatagram(ctx, r.to('127.0.0.1'));
      const wait = ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false);
      const transferred = { value: SENTINEL };
      const flags = { value: SENTINEL };
      const ok = ws.WSAGetOverlappedResult(r.s, ov, transferred, false, flags);
      return {
        rc, error, controlLenPending, wait, internal: statusOf(ov.Internal), information: infoOf(ov.InternalHigh),
        result: { ok, error: errName(ws.WSAGetLastError()), transferred: refValue(transferred), flags: refValue(flags) }, dwFlags: msg.dwFlags,
      };
    },
  },
  {
    id: 'WSARecvMsg.ctrunc.completion-routine',
    title: 'a control buffer of 1 byte, datagram queued, completion routine: pends; the routine gets WSAEMSGSIZE, 6 bytes, flags 0',
    mode: 'completion-routine', sockets: ['udp-bound'], needs: ['apc'],
    call: 'one datagram queued; WSARecvMsg(s, &msg{Control.len 1}, NULL, &ov, routine); SleepEx(1000, TRUE)',
    expected: { rc: -1, error: 'WSA_IO_PENDING', sleep: ws.WAIT_IO_COMPLETION, calls: [['WSAEMSGSIZE', 6, 0]] },
    basis: 'measured', source: `${SOCK_C} test_ip_pktinfo (the return value: todo_wine)`,
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', [[ws.IPPROTO_IP, ws.IP_PKTINFO]]);
      sendDatagram(ctx, r.to('127.0.0.1'));
      readable(r.s);
      // Routines an earlier scenario left queued run now, so the SleepEx below reports only this one.
      for (let i = 0; i < 16 && ws.SleepEx(0, true) === ws.WAIT_IO_COMPLETION; i++) { /* drain */ }
      const calls: Array<[string, number, number]> = [];
      const rc = ws.WSARecvMsg(r.s, message(1), null, overlapped(), (error, n, _ov, flags) => void calls.push([errName(error), n, flags]));
      const error = errName(ws.WSAGetLastError());
      const slept = ws.SleepEx(1000, true);
      return { rc, error, sleep: slept, calls };
    },
  },
  {
    id: 'WSARecvMsg.data-truncated',
    title: 'a datagram larger than the buffers: WSAEMSGSIZE with MSG_TRUNC',
    mode: 'plain', sockets: ['udp-bound'], needs: ['data-path'],
    call: '20-byte datagram; WSARecvMsg(s, &msg{10-byte buffer}, &bytes, NULL, NULL)',
    expected: { rc: -1, error: 'WSAEMSGSIZE', trunc: true },
    basis: 'documented', source: 'LPFN_WSARECVMSG page (dwFlags MSG_TRUNC; WSAEMSGSIZE)',
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', []);
      sendDatagram(ctx, r.to('127.0.0.1'), '0123456789abcdefghij');
      const o = receiveNow(r.s);
      return { rc: o.rc!, error: o.error!, trunc: ((o.flags as number) & ws.MSG_TRUNC) !== 0 };
    },
  },
  {
    id: 'WSARecvMsg.ttl-tos',
    title: 'IP_RECVTTL and IP_RECVTOS: IP_TTL (4) and IP_TOS (3) INT records',
    mode: 'other', sockets: ['udp-bound'], needs: ['data-path'],
    call: 'setsockopt(IP_RECVTTL, 1); setsockopt(IP_RECVTOS, 1); datagram; WSARecvMsg',
    expected: { types: [3, 4], ttl: { len: 20, level: 0, type: 4, value: '>= 32' }, tos: { len: 20, level: 0, type: 3, value: 0 } },
    basis: 'measured', source: `${SOCK_C} test_ipv4_cmsg`,
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', [[ws.IPPROTO_IP, ws.IP_RECVTTL], [ws.IPPROTO_IP, ws.IP_RECVTOS]]);
      sendDatagram(ctx, r.to('127.0.0.1'));
      const seen = receiveNow(r.s).records as Observation[];
      const find = (type: number): Observation | null => seen.find((x) => x.type === type) ?? null;
      return { types: seen.map((x) => x.type!).sort(), ttl: find(ws.IP_TTL), tos: find(ws.IP_TOS) };
    },
  },
  {
    id: 'WSARecvMsg.ipv6-records',
    title: 'IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_RECVTCLASS: ::1 (19, cmsg_len 36), hop limit (21), traffic class 0 (39)',
    mode: 'other', sockets: ['udp6-fresh'], needs: ['data-path'],
    call: 'bound to [::1]; the three options 1; datagram from ::1; WSARecvMsg',
    expected: {
      rc: 0, namelen: 28,
      pktinfo: { len: 36, level: 41, type: 19, value: '::1' }, hoplimit: { len: 20, level: 41, type: 21, value: '>= 32' },
      tclass: { len: 20, level: 41, type: 39, value: 0 },
    },
    basis: 'measured', source: `${SOCK_C} test_ipv6_cmsg`,
    run(ctx) {
      const r = receiver(ctx, '::1', [[ws.IPPROTO_IPV6, ws.IPV6_PKTINFO], [ws.IPPROTO_IPV6, ws.IPV6_HOPLIMIT], [ws.IPPROTO_IPV6, ws.IPV6_RECVTCLASS]]);
      sendDatagram(ctx, r.to('::1'));
      const o = receiveNow(r.s, 512, 28);
      const seen = o.records as Observation[];
      const find = (type: number): Observation | null => seen.find((x) => x.type === type) ?? null;
      return { rc: o.rc!, namelen: o.namelen!, pktinfo: find(ws.IPV6_PKTINFO), hoplimit: find(ws.IPV6_HOPLIMIT), tclass: find(ws.IPV6_TCLASS) };
    },
  },
  {
    id: 'WSARecvMsg.dual-stack.ip-pktinfo',
    title: 'a dual-stack IPv6 socket with IP_PKTINFO: an IN_PKTINFO record for an IPv4 datagram',
    mode: 'other', sockets: ['udp6-fresh'], needs: ['data-path'],
    call: 'AF_INET6 UDP, IPV6_V6ONLY 0, bound to [::]; setsockopt(IPPROTO_IP, IP_PKTINFO, 1); datagram to 127.0.0.1; WSARecvMsg',
    expected: { set: 0, rc: 0, record: { len: 24, level: 0, type: 19, value: '127.0.0.1' } },
    basis: 'documented', source: 'LPFN_WSARECVMSG page (a dual-stack socket needs IP_PKTINFO for IPv4 datagrams)',
    run(ctx) {
      const s = ctx.udp6();
      ws.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, new Uint8Array(4), 4);
      const any = ws.sockaddr('::', 0);
      ws.bind(s, any, any.length);
      const set = ws.setsockopt(s, ws.IPPROTO_IP, ws.IP_PKTINFO, ON, 4);
      sendDatagram(ctx, ws.sockaddr('127.0.0.1', portOf(s)));
      const o = receiveNow(s, 512, 28);
      const seen = o.records as Observation[];
      return { set, rc: o.rc!, record: seen.find((x) => x.type === ws.IP_PKTINFO && x.level === ws.IPPROTO_IP) ?? null };
    },
  },
  {
    id: 'WSARecvMsg.immediate.overlapped+port',
    title: 'datagram queued, completion port: 0 at once with the count and the record, and a packet all the same',
    mode: 'overlapped+port', sockets: ['udp-bound'], needs: ['ports'],
    call: 'IP_PKTINFO; datagram queued; WSARecvMsg(s, &msg, &bytes, &ov, NULL); GetQueuedCompletionStatus',
    expected: { rc: 0, bytes: 6, controlLen: 24, packet: { ok: true, bytes: 6, key: 'KEY', overlapped: 'ov' } },
    basis: 'measured', source: `${SOCK_C} test_completion_port (WSARecv's rule: an immediate success still queues its packet)`,
    run(ctx) {
      const r = receiver(ctx, '127.0.0.1', [[ws.IPPROTO_IP, ws.IP_PKTINFO]]);
      const port = ctx.port(r.s, 123);
      sendDatagram(ctx, r.to('127.0.0.1'));
      readable(r.s);
      const ov = overlapped();
      const msg = message(512);
      const bytes = { value: SENTINEL };
      const rc = ws.WSARecvMsg(r.s, msg, bytes, ov, null);
      const n = { value: 0 };
      const key = { value: 0 };
      const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
      const ok = ws.GetQueuedCompletionStatus(port, n, key, got, 2000);
      return {
        rc, bytes: refValue(bytes), controlLen: msg.Control.len,
        packet: { ok, bytes: n.value, key: key.value === 123 ? 'KEY' : key.value, overlapped: got.value === ov ? 'ov' : String(got.value) },
      };
    },
  },
  {
    id: 'IP_PKTINFO.tcp',
    title: 'getsockopt(IP_PKTINFO) on a TCP socket: WSAEINVAL',
    mode: 'other', sockets: ['tcp-fresh'],
    call: 'getsockopt(tcp, IPPROTO_IP, IP_PKTINFO, buf[4], &len)',
    expected: { rc: -1, error: 'WSAEINVAL' },
    basis: 'measured', source: `${SOCK_C} test_sockopt_validity`,
    run(ctx) {
      const rc = ws.getsockopt(ctx.tcp(), ws.IPPROTO_IP, ws.IP_PKTINFO, new Uint8Array(4), { value: 4 });
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  },
  {
    id: 'WSASendMsg.checks',
    title: 'NULL WSAMSG: WSAEFAULT; not a socket: WSAENOTSOCK; NULL byte count without OVERLAPPED: WSAEFAULT',
    mode: 'other', sockets: ['udp-fresh', 'bogus-handle'], needs: ['data-path'],
    call: 'WSASendMsg(s, NULL, 0, &n, NULL, NULL); WSASendMsg(bogus, &msg, ...); WSASendMsg(s, &msg, 0, NULL, NULL, NULL)',
    expected: { nullMsg: 'WSAEFAULT', notSocket: 'WSAENOTSOCK', nullBytes: 'WSAEFAULT' },
    basis: 'measured', source: `${SOCK_C} test_WSASendMsg`,
    run(ctx) {
      const sink = ctx.udpBound();
      const msg = (): ws.WSAMSG => ({ name: ws.sockaddr('127.0.0.1', portOf(sink)), namelen: 16, lpBuffers: [{ len: 1, buf: bytesOf('x') }], dwBufferCount: 1, Control: { len: 0, buf: null }, dwFlags: 0 });
      const s = ctx.udp();
      const err = (rc: number): string => (rc === 0 ? 'NO_ERROR' : errName(ws.WSAGetLastError()));
      return {
        nullMsg: err(ws.WSASendMsg(s, null, 0, { value: 0 }, null, null)),
        notSocket: err(ws.WSASendMsg(ctx.bogusHandle(), msg(), 0, { value: 0 }, null, null)),
        nullBytes: err(ws.WSASendMsg(s, msg(), 0, null, null, null)),
      };
    },
  },
  {
    id: 'WSASendMsg.unbound',
    title: 'an unbound UDP socket: 12 bytes sent, last error 0, the socket bound to 0.0.0.0; 12 + 6 bytes leave as one datagram',
    mode: 'other', sockets: ['udp-fresh'], needs: ['data-path'],
    call: 'WSASendMsg(s, &msg{1 buffer of 12}, 0, &n, NULL, NULL); getsockname; WSASendMsg(s, &msg{12 + 6}, ...); recv',
    expected: { rc: 0, error: 'NO_ERROR', sent: 12, bound: '0.0.0.0', portSet: true, gathered: 18, received: 18 },
    basis: 'measured', source: `${SOCK_C} test_WSASendMsg`,
    run(ctx) {
      const sink = ctx.udpBound();
      const to = ws.sockaddr('127.0.0.1', portOf(sink));
      const msg = (parts: string[]): ws.WSAMSG => ({
        name: to, namelen: 16, lpBuffers: parts.map((p) => ({ len: p.length, buf: bytesOf(p) })), dwBufferCount: parts.length, Control: { len: 0, buf: null }, dwFlags: 0,
      });
      const s = ctx.udp();
      ws.WSASetLastError(SENTINEL);
      const n = { value: SENTINEL };
      const rc = ws.WSASendMsg(s, msg(['hello world!']), 0, n, null, null);
      const error = errName(ws.WSAGetLastError());
      const name = new Uint8Array(16);
      ws.getsockname(s, name, { value: 16 });
      const info = ws.parseSockaddr(name);
      readable(sink);
      ws.recv(sink, new Uint8Array(64), 64, 0);
      const n2 = { value: SENTINEL };
      ws.WSASendMsg(s, msg(['hello world!', 'again!']), 0, n2, null, null);
      readable(sink);
      const received = ws.recv(sink, new Uint8Array(64), 64, 0);
      return { rc, error, sent: refValue(n), bound: info.address, portSet: info.port !== 0, gathered: refValue(n2), received };
    },
  },
  {
    id: 'WSASendMsg.tcp',
    title: 'a stream socket: WSAEINVAL',
    mode: 'other', sockets: ['tcp-pair'], needs: ['data-path'],
    call: 'WSASendMsg(connected TCP socket, &msg, 0, &n, NULL, NULL)',
    expected: { rc: -1, error: 'WSAEINVAL' },
    basis: 'measured', source: `${SOCK_C} test_WSASendMsg (todo_wine)`,
    run(ctx) {
      const { client } = ctx.tcpPair();
      const rc = ws.WSASendMsg(client, { name: null, namelen: 0, lpBuffers: [{ len: 1, buf: bytesOf('x') }], dwBufferCount: 1, Control: { len: 0, buf: null }, dwFlags: 0 }, 0, { value: 0 }, null, null);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  },
  {
    id: 'WSASendMsg.pktinfo-source',
    title: 'an IN_PKTINFO record naming 127.0.0.2: the datagram leaves from 127.0.0.2',
    mode: 'other', sockets: ['udp-fresh'], needs: ['data-path'],
    call: 'WSASendMsg(s, &msg{Control: IN_PKTINFO{127.0.0.2, 0}}, 0, &n, NULL, NULL); recvfrom on the receiver',
    expected: { rc: 0, from: '127.0.0.2' },
    basis: 'documented', source: 'WSASendMsg page (IN_PKTINFO selects the source address)',
    run(ctx) {
      const sink = ctx.udpBound();
      const control = ws.encodeControlRecord(ws.IPPROTO_IP, ws.IP_PKTINFO, ws.encodeIN_PKTINFO({ ipi_addr: '127.0.0.2', ipi_ifindex: 0 }));
      const s = ctx.udp();
      const rc = ws.WSASendMsg(s, {
        name: ws.sockaddr('127.0.0.1', portOf(sink)), namelen: 16, lpBuffers: [{ len: 2, buf: bytesOf('hi') }], dwBufferCount: 1,
        Control: { len: control.length, buf: control }, dwFlags: 0,
      }, 0, { value: 0 }, null, null);
      readable(sink);
      const from = new Uint8Array(16);
      ws.recvfrom(sink, new Uint8Array(8), 8, 0, from, { value: 16 });
      return { rc, from: ws.parseSockaddr(from).address };
    },
  },
];

export const extensionMsg: Scenario[] = scenarios;
