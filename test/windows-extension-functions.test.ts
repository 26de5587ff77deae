/**
 * The extension functions on the Windows backend, run for real: a probe script runs under the
 * Windows node.exe in Wine, gets the pointers with SIO_GET_EXTENSION_FUNCTION_POINTER, calls them
 * through the LPFN_* casts (koffi calling the real pointer) and by name, and prints what it sees as
 * JSON. Skipped, with the reason, when scripts/wine/setup.sh cannot prepare Wine on this machine.
 *
 * What the backend itself must get right is checked here: the real pointer called with the C
 * argument order, AcceptEx's output buffer in native memory copied back into the caller's array
 * at completion, GetAcceptExSockaddrs' pointers turned into views of the caller's buffer,
 * ConnectEx's send data kept until completion, the listener's port and key for AcceptEx, BOOL
 * results as booleans, the casts refusing another function's pointer, refusals of what C cannot
 * express, and every native block released. Windows (here Wine's ws2_32) decides every result;
 * each rule cites Wine's dlls/ws2_32/tests/sock.c. Network use: loopback only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATUS_PENDING, WSA_IO_PENDING, WSAEFAULT, WSAENOTSOCK } from '../dist/errors/index.js';
import { prepareWine, runProbeSource } from './helpers/wine.js';
import type { Packet } from './helpers/wine-probe.js';
import type { WSAOVERLAPPED } from 'wsaioctl/winsock';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const winsockModule = join(repoRoot, 'dist', 'winsock', 'index.js');
const nativeModule = join(repoRoot, 'dist', 'backend', 'windows', 'native-overlapped.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');

const PROBE_TIMEOUT_MS = 120_000;

interface Stats { blocks: number; inFlight: number; routinesExpected: number; callbackRegistered: boolean }

interface Probe {
  pointers: { nonZero: boolean; castable: boolean; wrongCast: string; zeroCast: string };
  messageCasts: { sent: number; sentBytes: number; received: number; data: string; transmitFile: boolean; transmitted: string };
  accept: {
    result: boolean; error: number; received: number; wait: number; gor: [boolean, number]; data: string;
    local: boolean; remote: boolean; remoteLength: number; view: boolean; update: number; peer: boolean;
  };
  acceptPort: { result: boolean; error: number; packet: Packet };
  connect: { result: boolean; error: number; sent: number; packet: Packet; received: string };
  disconnect: { result: boolean; error: number; wait: number; gor: [boolean, number]; sync: [boolean, boolean] };
  refused: { shortBuffer: [boolean, number]; shortConnectData: [boolean, number]; notSocket: [boolean, number, number] };
  final: Stats;
}

/** The probe, run by the Windows node. Serialised with toString(): self-contained. */
async function probe(winsockPath: string, nativePath: string, kitPath: string): Promise<void> {
  const ws = (await import(winsockPath)) as typeof import('wsaioctl/winsock');
  const { nativeStats } = (await import(nativePath)) as { nativeStats: () => Stats };
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { loopback, portOf, fresh, sleep, packet, pair, tcp } = kit.probeKit(ws as unknown as Parameters<typeof kit.probeKit>[0]);
  const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  const same = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && a.length >= 16 && b.every((x, i) => a[i] === x);
  const nameOf = (s: number): Uint8Array => {
    const name = new Uint8Array(16);
    ws.getsockname(s, name, { value: 16 });
    return name;
  };
  const pointer = (s: number, guid: string): Uint8Array => {
    const out = new Uint8Array(8);
    ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(guid), 16, out, 8, { value: 0 }, null, null);
    return out;
  };
  const listening = (): number => {
    const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    ws.bind(l, loopback(0), 16);
    ws.listen(l, 4);
    return l;
  };
  const typeErrorOf = (fn: () => unknown): string => {
    try {
      fn();
      return 'no error';
    } catch (error) {
      return error instanceof TypeError ? 'TypeError' : String(error);
    }
  };
  const gor = (s: number, ov: unknown): [boolean, number] => {
    const n = { value: 0xbad };
    return [ws.WSAGetOverlappedResult(s, ov as WSAOVERLAPPED, n, true, { value: 0 }), n.value];
  };

  ws.WSAStartup(0x0202, ws.newWSADATA());
  const out: Partial<Probe> = {};

  // The pointers and the casts.
  {
    const s = tcp();
    const accept = pointer(s, ws.WSAID_ACCEPTEX);
    const connect = pointer(s, ws.WSAID_CONNECTEX);
    let castable = true;
    try {
      ws.LPFN_ACCEPTEX(accept);
      ws.LPFN_CONNECTEX(connect);
      ws.LPFN_DISCONNECTEX(pointer(s, ws.WSAID_DISCONNECTEX));
      ws.LPFN_GETACCEPTEXSOCKADDRS(pointer(s, ws.WSAID_GETACCEPTEXSOCKADDRS));
    } catch {
      castable = false;
    }
    out.pointers = {
      nonZero: new DataView(accept.buffer).getBigUint64(0, true) !== 0n, castable,
      wrongCast: typeErrorOf(() => ws.LPFN_ACCEPTEX(connect)), zeroCast: typeErrorOf(() => ws.LPFN_CONNECTEX(0n)),
    };
    ws.closesocket(s);
  }

  // WSASendMsg / WSARecvMsg / TransmitFile through the casts of their real pointers (koffi.call).
  {
    const rx = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    ws.bind(rx, loopback(0), 16);
    const tx = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    const sendMsg = ws.LPFN_WSASENDMSG(pointer(tx, ws.WSAID_WSASENDMSG));
    const recvMsg = ws.LPFN_WSARECVMSG(pointer(rx, ws.WSAID_WSARECVMSG));
    const hello = new TextEncoder().encode('cast');
    const sentBytes = { value: 0 };
    const sent = sendMsg(tx, { name: nameOf(rx), namelen: 16, lpBuffers: [{ len: 4, buf: hello }], dwBufferCount: 1, Control: { len: 0, buf: null }, dwFlags: 0 }, 0, sentBytes, null, null);
    const data = new Uint8Array(16);
    const got = { value: 0 };
    const received = recvMsg(rx, { name: new Uint8Array(16), namelen: 16, lpBuffers: [{ len: 16, buf: data }], dwBufferCount: 1, Control: { len: 0, buf: null }, dwFlags: 0 }, got, null, null);
    ws.closesocket(rx);
    ws.closesocket(tx);
    const l = listening();
    const c = tcp();
    ws.connect(c, loopback(portOf(l)), 16);
    const a = ws.accept(l, null, null);
    const transmitFile = ws.LPFN_TRANSMITFILE(pointer(c, ws.WSAID_TRANSMITFILE));
    const head = new TextEncoder().encode('head');
    const transmitted = transmitFile(c, 0, 0, 0, null, { Head: head, HeadLength: 4, Tail: null, TailLength: 0 }, 0);
    const tbuf = new Uint8Array(8);
    const n = ws.recv(a, tbuf, 8, 0);
    for (const s of [a, c, l]) ws.closesocket(s);
    out.messageCasts = {
      sent, sentBytes: sentBytes.value, received, data: new TextDecoder().decode(data.subarray(0, got.value)),
      transmitFile: transmitted, transmitted: new TextDecoder().decode(tbuf.subarray(0, Math.max(0, n))),
    };
  }

  // AcceptEx by name with a receive length of 4, an event; GetAcceptExSockaddrs by name.
  {
    const l = listening();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buf = new Uint8Array(4 + 32 + 32);
    const received = { value: 0xdeadbeef };
    const result = ws.AcceptEx(l, a, buf, 4, 32, 32, received, ov as WSAOVERLAPPED);
    const error = ws.WSAGetLastError();
    const c = tcp();
    ws.connect(c, loopback(portOf(l)), 16);
    ws.send(c, new TextEncoder().encode('abcd'), 4, 0);
    const wait = ws.WSAWaitForMultipleEvents(1, [event], false, 5000, false);
    const done = gor(l, ov);
    const local: { value: Uint8Array | null } = { value: null };
    const remote: { value: Uint8Array | null } = { value: null };
    const localLen = { value: 0 };
    const remoteLen = { value: 0 };
    ws.GetAcceptExSockaddrs(buf, 4, 32, 32, local, localLen, remote, remoteLen);
    const listenerBytes = new Uint8Array(8);
    new DataView(listenerBytes.buffer).setBigUint64(0, BigInt(l), true);
    const update = ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes, 8);
    const peer = new Uint8Array(16);
    ws.getpeername(a, peer, { value: 16 });
    out.accept = {
      result, error, received: received.value, wait, gor: done, data: decode(buf.subarray(0, 4)),
      local: same(local.value, nameOf(l)), remote: same(remote.value, nameOf(c)), remoteLength: remoteLen.value,
      view: remote.value !== null && remote.value.buffer === buf.buffer, update, peer: same(peer, nameOf(c)),
    };
    for (const s of [a, c, l]) ws.closesocket(s);
    ws.WSACloseEvent(event);
  }

  // AcceptEx through the cast: the packet goes to the listener's port with the listener's key.
  {
    const l = listening();
    const a = tcp();
    const AcceptEx = ws.LPFN_ACCEPTEX(pointer(l, ws.WSAID_ACCEPTEX));
    const port = ws.CreateIoCompletionPort(l, 0, 125, 0);
    ws.CreateIoCompletionPort(a, port, 236, 0);
    const ov = fresh();
    const result = AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, null, ov as WSAOVERLAPPED);
    const error = ws.WSAGetLastError();
    const c = tcp();
    ws.connect(c, loopback(portOf(l)), 16);
    out.acceptPort = { result, error, packet: packet(port, 5000, { ov }) };
    for (const s of [a, c, l]) ws.closesocket(s);
    ws.CloseHandle(port);
  }

  // ConnectEx through the cast, with data, on a port.
  {
    const l = listening();
    const s = tcp();
    ws.bind(s, loopback(0), 16);
    const ConnectEx = ws.LPFN_CONNECTEX(pointer(s, ws.WSAID_CONNECTEX));
    const port = ws.CreateIoCompletionPort(s, 0, 7, 0);
    const ov = fresh();
    const sent = { value: 0xdeadbeef };
    const data = new TextEncoder().encode('xyz');
    const result = ConnectEx(s, loopback(portOf(l)), 16, data, 3, sent, ov as WSAOVERLAPPED);
    const error = ws.WSAGetLastError();
    data.fill(0); // Windows works from what it was given at the call
    const p = packet(port, 5000, { ov });
    const server = ws.accept(l, null, null);
    const got = new Uint8Array(8);
    let n = 0;
    for (let i = 0; i < 100 && n < 3; i++) {
      const r = ws.recv(server, got.subarray(n), 8 - n, 0);
      if (r > 0) n += r;
      else sleep(10);
    }
    out.connect = { result, error, sent: sent.value, packet: p, received: decode(got.subarray(0, n)) };
    for (const x of [server, s, l]) ws.closesocket(x);
    ws.CloseHandle(port);
  }

  // DisconnectEx through the cast: with an event (pends, 0 bytes), and without an OVERLAPPED.
  {
    const [client, server] = pair();
    const DisconnectEx = ws.LPFN_DISCONNECTEX(pointer(client, ws.WSAID_DISCONNECTEX));
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const result = DisconnectEx(client, ov as WSAOVERLAPPED, 0, 0);
    const error = ws.WSAGetLastError();
    const wait = ws.WSAWaitForMultipleEvents(1, [event], false, 5000, false);
    const done = gor(client, ov);
    const [c2, s2] = pair();
    const sync: [boolean, boolean] = [DisconnectEx(c2, null, 0, 0), DisconnectEx(c2, null, 0, 0)];
    out.disconnect = { result, error, wait, gor: done, sync };
    for (const x of [client, server, c2, s2]) ws.closesocket(x);
    ws.WSACloseEvent(event);
  }

  // What C cannot express: refused before the call.
  {
    const l = listening();
    const s = tcp();
    const short = ws.AcceptEx(l, s, new Uint8Array(10), 0, 32, 32, null, fresh() as WSAOVERLAPPED);
    const shortError = ws.WSAGetLastError();
    const b = tcp();
    ws.bind(b, loopback(0), 16);
    const shortData = ws.ConnectEx(b, loopback(portOf(l)), 16, new Uint8Array(2), 8, null, fresh() as WSAOVERLAPPED);
    const shortDataError = ws.WSAGetLastError();
    // By name, with a listener that is no socket: the function's own answer (the pointer comes from elsewhere).
    const badOv = fresh();
    const bad = ws.AcceptEx(0x1234, s, new Uint8Array(64), 0, 32, 32, null, badOv as WSAOVERLAPPED);
    out.refused = {
      shortBuffer: [short, shortError], shortConnectData: [shortData, shortDataError],
      notSocket: [bad, ws.WSAGetLastError(), badOv.Internal],
    };
    for (const x of [l, s, b]) ws.closesocket(x);
  }

  sleep(50);
  ws.SleepEx(0, true);
  out.final = nativeStats();
  ws.WSACleanup();
  console.log(JSON.stringify(out));
}

const runProbe = (source: string) => runProbeSource(source, PROBE_TIMEOUT_MS);

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows extension-function tests: ${unavailable}`);

describe('Windows backend, extension functions, under Wine', { skip: unavailable ?? false }, () => {
  let o: Probe;

  before(async () => {
    const run = await runProbe(`(${probe.toString()})(${JSON.stringify(winsockModule)}, ${JSON.stringify(nativeModule)}, ${JSON.stringify(kitModule)});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    o = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
  });

  test('the real pointers: non-zero, castable; another function\'s pointer or 0: TypeError (Wine sock.c test_get_extension_func)', () => {
    assert.deepEqual(o.pointers, { nonZero: true, castable: true, wrongCast: 'TypeError', zeroCast: 'TypeError' });
  });

  test('WSASendMsg, WSARecvMsg and TransmitFile through the casts of their real pointers', () => {
    assert.deepEqual(o.messageCasts, { sent: 0, sentBytes: 4, received: 0, data: 'cast', transmitFile: true, transmitted: 'head' });
  });

  test('AcceptEx by name: pends; the first data lands in the caller\'s buffer at completion; GetAcceptExSockaddrs gives views of that buffer; SO_UPDATE_ACCEPT_CONTEXT (Wine sock.c test_AcceptEx)', () => {
    // lpdwBytesReceived is Windows' to write or not while pending (the page: only at a synchronous completion).
    const { received: _received, ...accept } = o.accept;
    assert.deepEqual(accept, {
      result: false, error: WSA_IO_PENDING, wait: 0, gor: [true, 4], data: 'abcd',
      local: true, remote: true, remoteLength: 16, view: true, update: 0, peer: true,
    });
  });

  test('AcceptEx through the cast: the packet has the listener\'s key (Wine sock.c test_completion_port)', () => {
    assert.deepEqual(o.acceptPort, { result: false, error: WSA_IO_PENDING, packet: { ok: true, error: 0xdead, bytes: 0, key: 125, overlapped: 'ov' } });
  });

  test('ConnectEx through the cast with data: pends, the packet has 3 bytes, the server reads what was given at the call (Wine sock.c test_connect)', () => {
    const { sent: _sent, ...connect } = o.connect;
    assert.deepEqual(connect, { result: false, error: WSA_IO_PENDING, packet: { ok: true, error: 0xdead, bytes: 3, key: 7, overlapped: 'ov' }, received: 'xyz' });
  });

  test('DisconnectEx through the cast: pends then 0 bytes; without an OVERLAPPED TRUE twice (Wine sock.c test_DisconnectEx)', () => {
    assert.deepEqual(o.disconnect, { result: false, error: WSA_IO_PENDING, wait: 0, gor: [true, 0], sync: [true, true] });
  });

  test('a buffer shorter than the lengths it is given: WSAEFAULT before the call; a listener that is no socket: AcceptEx\'s own WSAENOTSOCK, Internal = STATUS_PENDING (Wine sock.c test_AcceptEx)', () => {
    assert.deepEqual(o.refused, { shortBuffer: [false, WSAEFAULT], shortConnectData: [false, WSAEFAULT], notSocket: [false, WSAENOTSOCK, STATUS_PENDING] });
  });

  test('everything is released: no native block left', () => {
    assert.deepEqual(o.final, { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false });
  });
});
