/**
 * The data path of the Windows backend (WSARecv, WSASend, WSARecvFrom, WSASendTo, select,
 * WSAPoll, SetFileCompletionNotificationModes) run for real: a probe script runs under the
 * Windows node.exe in Wine, calls the backend, and prints what it sees as JSON. Skipped, with the
 * reason, when scripts/wine/setup.sh cannot prepare Wine on this machine.
 *
 * What the backend itself must get right is checked here: the native WSABUF lists, the bytes
 * copied back into the caller's buffers at completion (also for a receive that pended), the
 * byte count and flags written only as Windows writes them, the bookkeeping that frees every
 * native block (also with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, where no packet comes), the
 * fd_set / WSAPOLLFD conversions, and the refusals of what C cannot express. Each Windows rule
 * cites its source; Windows itself (here Wine's ws2_32) decides every result.
 * Network use: loopback only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WinsockCore } from '../dist/winsock/api.js';
import {
  ERROR_MORE_DATA, ERROR_OPERATION_ABORTED, WAIT_TIMEOUT, WSA_IO_PENDING, WSAEFAULT, WSAEMSGSIZE, WSAENOTSOCK, WSAETIMEDOUT,
} from '../dist/errors/index.js';
import { prepareWine, runProbeSource } from './helpers/wine.js';
import type { Packet } from './helpers/wine-probe.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendModule = join(repoRoot, 'dist', 'backend', 'windows', 'index.js');
const nativeModule = join(repoRoot, 'dist', 'backend', 'windows', 'native-overlapped.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');

const PROBE_TIMEOUT_MS = 120_000;
const WAIT_IO_COMPLETION = 0xc0;
const POLLRDNORM = 0x100;
const POLLWRNORM = 0x10;

interface Stats { blocks: number; inFlight: number; routinesExpected: number; callbackRegistered: boolean }

/** Observations made under Wine; see the tests for what each field means. */
interface Probe {
  scatter: { send: [number, number]; recv: [number, number, number]; text: string };
  pendingEvent: { result: number; error: number; bytes: number; before: string; wait: number; gor: [boolean, number]; text: string; Internal: number; InternalHigh: number };
  shared: { send: number; recv: number; pending: [number, number]; wait: number; InternalHigh: number; text: string };
  immediatePort: { result: number; bytes: number; text: string; packet: Packet; none: Packet };
  routine: { result: number; error: number; beforeSleep: number; sleep: number; calls: Array<[number, number, boolean, number, string]> };
  order: { results: number[]; packets: Packet[]; first: string; second: string };
  zeroLength: { result: number; error: number; packet: Packet; queued: number; text: string };
  udp: {
    sendTo: [number, number]; from: [number, number, number, string]; truncated: [number, number, string];
    overlappedTruncated: { result: number; error: number; packet: Packet; text: string };
  };
  send: { result: number; bytes: number; packet: Packet; received: string };
  select: { ready: [number, number, number[]]; writable: [number, number]; none: [number, number]; async: [number, number] };
  poll: { result: number; revents: number[]; async: [number, number] };
  skip: { set: boolean; result: number; bytes: number; text: string; packet: Packet; pended: [number, number]; pendedPacket: Packet };
  closed: { result: number; error: number; packet: Packet };
  cancelOne: { cancelled: boolean; first: Packet; second: Packet; text: string };
  blocking: { beforeBlocking: number; result: number; error: number; bytes: number; apcCalls: number[] };
  refused: {
    countPastArray: [number, number]; lenPastBuffer: [number, number]; badSocket: [number, number];
    frozenBytes: [number, number]; bigSet: [number, number]; shortPoll: [number, number]; untouched: boolean;
  };
  final: Stats;
}

/** The probe, run by the Windows node. Serialised with toString(): self-contained. */
async function probe(backendPath: string, nativePath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const { nativeStats } = (await import(nativePath)) as { nativeStats: () => Stats };
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSA_FLAG_OVERLAPPED } = kit;
  const { loopback, portOf, fresh, sleep, packet, pair, queued } = kit.probeKit(ws);
  const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 1;
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
  const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  const sendText = (s: number, text: string): number => ws.send(s, encode(text), text.length, 0);

  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });

  // Scatter / gather without OVERLAPPED: "dead" + "beefs" from 9 bytes.
  const [client, server] = pair();
  const sent = { value: 0xdeadbeef };
  const sendResult = ws.WSASend(server, [{ len: 4, buf: encode('dead') }, { len: 5, buf: encode('beefs') }], 2, sent, 0, null, null);
  queued(client, 9);
  const a4 = new Uint8Array(4);
  const b5 = new Uint8Array(5);
  const got = { value: 0xdeadbeef };
  const flags = { value: 0 };
  const recvResult = ws.WSARecv(client, [{ len: 4, buf: a4 }, { len: 5, buf: b5 }], 2, got, flags, null, null);
  const scatter = { send: [sendResult, sent.value] as [number, number], recv: [recvResult, got.value, flags.value] as [number, number, number], text: `${decode(a4)}+${decode(b5)}` };

  // Overlapped with an event: pends (byte count untouched), completes when data comes; the bytes
  // are in the caller's buffer once the completion is seen.
  const event = ws.WSACreateEvent();
  const ovEvent = fresh(event);
  const eventBuffer = new Uint8Array(16);
  const eventBytes = { value: 0xdeadbeef };
  const eventResult = ws.WSARecv(client, [{ len: 16, buf: eventBuffer }], 1, eventBytes, { value: 0 }, ovEvent, null);
  const eventError = ws.WSAGetLastError();
  const before = decode(eventBuffer.subarray(0, 5));
  sendText(server, 'hello');
  const eventWait = ws.WSAWaitForMultipleEvents(1, [event], true, 5000, false);
  const eventTransfer = { value: 0 };
  const eventGor = ws.WSAGetOverlappedResult(client, ovEvent, eventTransfer, false, { value: 0 });
  const pendingEvent = {
    result: eventResult, error: eventError, bytes: eventBytes.value, before, wait: eventWait,
    gor: [eventGor, eventTransfer.value] as [boolean, number], text: decode(eventBuffer.subarray(0, eventTransfer.value)),
    Internal: ovEvent.Internal, InternalHigh: ovEvent.InternalHigh,
  };

  // A transfer's bytes in a SharedArrayBuffer (memory a thread pool shares): a send from one, an
  // overlapped receive into one that pends and is filled at completion, a plain recv into one.
  const memory = new Uint8Array(new SharedArrayBuffer(32));
  memory.set(encode('shared'), 0);
  const sharedSent = ws.send(server, memory.subarray(0, 6), 6, 0);
  queued(client, 6);
  const sharedRecv = ws.recv(client, memory.subarray(8, 14), 6, 0);
  const ovShared = fresh(event);
  ws.WSAResetEvent(event);
  const sharedPending = ws.WSARecv(client, [{ len: 8, buf: memory.subarray(16, 24) }], 1, null, { value: 0 }, ovShared, null);
  const sharedPendingError = ws.WSAGetLastError();
  sendText(server, 'pooled');
  const sharedWait = ws.WSAWaitForMultipleEvents(1, [event], true, 5000, false);
  const shared = {
    send: sharedSent, recv: sharedRecv, pending: [sharedPending, sharedPendingError] as [number, number], wait: sharedWait,
    InternalHigh: ovShared.InternalHigh, text: `${decode(memory.slice(8, 14))}+${decode(memory.slice(16, 16 + Number(ovShared.InternalHigh)))}`,
  };

  // Through a completion port, data already queued: 0 at once, and still a packet.
  const [portClient, portServer] = pair();
  const port = ws.CreateIoCompletionPort(portClient, 0, 42, 0);
  sendText(portServer, 'queued');
  queued(portClient, 6);
  const ovPort = fresh();
  const portBuffer = new Uint8Array(16);
  const portBytes = { value: 0xdeadbeef };
  const portResult = ws.WSARecv(portClient, [{ len: 16, buf: portBuffer }], 1, portBytes, { value: 0 }, ovPort, null);
  const immediatePort = {
    result: portResult, bytes: portBytes.value, text: decode(portBuffer.subarray(0, 6)),
    packet: packet(port, 1000, { ovPort }), none: packet(port, 0, { ovPort }),
  };

  // A completion routine: runs in an alertable wait; the data is in the buffer when it runs.
  const ovRoutine = fresh();
  const routineBuffer = new Uint8Array(16);
  const calls: Array<[number, number, boolean, number, string]> = [];
  const routineResult = ws.WSARecv(client, [{ len: 16, buf: routineBuffer }], 1, null, { value: 0 }, ovRoutine,
    (e, n, o, f) => calls.push([e, n, o === ovRoutine, f, decode(routineBuffer.subarray(0, n))]));
  const routineError = ws.WSAGetLastError();
  sendText(server, 'routine');
  queued(server, 0);
  sleep(100);
  const beforeSleep = calls.length;
  const routineSleep = ws.SleepEx(5000, true);
  const routine = { result: routineResult, error: routineError, beforeSleep, sleep: routineSleep, calls: [...calls] };

  // Two pending receives of 16 bytes, one 32-byte send: filled in issue order.
  const first = new Uint8Array(16);
  const second = new Uint8Array(16);
  const ovFirst = fresh();
  const ovSecond = fresh();
  const orderResults = [
    ws.WSARecv(portClient, [{ len: 16, buf: first }], 1, null, { value: 0 }, ovFirst, null),
    ws.WSARecv(portClient, [{ len: 16, buf: second }], 1, null, { value: 0 }, ovSecond, null),
  ];
  sendText(portServer, 'abcdefghijklmnopqrstuvwxyz012345');
  const order = {
    results: orderResults,
    packets: [packet(port, 5000, { ovFirst, ovSecond }), packet(port, 5000, { ovFirst, ovSecond })],
    first: decode(first), second: decode(second),
  };

  // A zero-length overlapped receive completes when data arrives and takes none of it.
  const ovZero = fresh();
  const zeroResult = ws.WSARecv(portClient, [{ len: 0, buf: new Uint8Array(0) }], 1, null, { value: 0 }, ovZero, null);
  const zeroError = ws.WSAGetLastError();
  sendText(portServer, 'zero');
  const zeroPacket = packet(port, 5000, { ovZero });
  const zeroQueued = queued(portClient, 4);
  const zeroText = new Uint8Array(4);
  ws.recv(portClient, zeroText, 4, 0);
  const zeroLength = { result: zeroResult, error: zeroError, packet: zeroPacket, queued: zeroQueued, text: decode(zeroText) };

  // UDP: WSASendTo, WSARecvFrom with its address, a datagram cut to the buffer.
  const udpIn = ws.WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, null, 0, WSA_FLAG_OVERLAPPED);
  ws.bind(udpIn, loopback(0), 16);
  const udpOut = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  ws.bind(udpOut, loopback(0), 16);
  const udpSent = { value: 0 };
  const sendToResult = ws.WSASendTo(udpOut, [{ len: 5, buf: encode('dgram') }], 1, udpSent, 0, loopback(portOf(udpIn)), 16, null, null);
  queued(udpIn, 5);
  const fromBuffer = new Uint8Array(16);
  const from = new Uint8Array(16);
  const fromlen = { value: 16 };
  const fromResult = ws.WSARecvFrom(udpIn, [{ len: 16, buf: fromBuffer }], 1, udpSent, { value: 0 }, from, fromlen, null, null);
  const fromPort = new DataView(from.buffer).getUint16(2, false);
  ws.sendto(udpOut, encode('0123456789'), 10, 0, loopback(portOf(udpIn)), 16);
  queued(udpIn, 10);
  const cut = new Uint8Array(4);
  const cutResult = ws.WSARecvFrom(udpIn, [{ len: 4, buf: cut }], 1, { value: 0 }, { value: 0 }, null, null, null, null);
  const cutError = ws.WSAGetLastError();
  const udpPort = ws.CreateIoCompletionPort(udpIn, 0, 9, 0);
  const ovCut = fresh();
  const cut2 = new Uint8Array(4);
  const cut2Result = ws.WSARecvFrom(udpIn, [{ len: 4, buf: cut2 }], 1, null, { value: 0 }, null, null, ovCut, null);
  const cut2Error = ws.WSAGetLastError();
  ws.sendto(udpOut, encode('abcdefghij'), 10, 0, loopback(portOf(udpIn)), 16);
  const cut2Packet = packet(udpPort, 5000, { ovCut });
  const udp = {
    sendTo: [sendToResult, 5] as [number, number],
    from: [fromResult, udpSent.value, fromPort === portOf(udpOut) ? 1 : 0, decode(fromBuffer.subarray(0, udpSent.value))] as [number, number, number, string],
    truncated: [cutResult, cutError, decode(cut)] as [number, number, string],
    overlappedTruncated: { result: cut2Result, error: cut2Error, packet: cut2Packet, text: decode(cut2) },
  };
  ws.closesocket(udpIn);
  ws.closesocket(udpOut);
  ws.CloseHandle(udpPort);

  // An overlapped WSASend on a port-associated socket: completes, its packet comes, the bytes arrive.
  const ovSend = fresh();
  const sendBytes = { value: 0xdeadbeef };
  const sendOvResult = ws.WSASend(portClient, [{ len: 3, buf: encode('one') }, { len: 3, buf: encode('two') }], 2, sendBytes, 0, ovSend, null);
  const sendPacket = packet(port, 5000, { ovSend });
  queued(portServer, 6);
  const sendReceived = new Uint8Array(6);
  ws.recv(portServer, sendReceived, 6, 0);
  const sendObs = { result: sendOvResult, bytes: sendBytes.value, packet: sendPacket, received: decode(sendReceived) };

  // select: a socket with data is readable (the set keeps it); every socket is writable; a 0
  // time-out with nothing ready empties the set.
  sendText(server, 'select');
  queued(client, 6);
  const readSet = { fd_count: 2, fd_array: [client, portServer] };
  const readyResult = ws.select(0, readSet, null, null, { tv_sec: 1, tv_usec: 0 });
  const writeSet = { fd_count: 1, fd_array: [client] };
  const writableResult = ws.select(0, null, writeSet, null, { tv_sec: 0, tv_usec: 0 });
  const noneSet = { fd_count: 1, fd_array: [portServer] };
  const noneResult = ws.select(0, noneSet, null, null, { tv_sec: 0, tv_usec: 0 });
  const asyncSet = { fd_count: 1, fd_array: [portServer] };
  const asyncSelect = ws.selectAsync(0, asyncSet, null, null, { tv_sec: 5, tv_usec: 0 });
  setTimeout(() => sendText(portClient, 'late'), 50);
  const asyncSelectResult = await asyncSelect;
  const selectObs = {
    ready: [readyResult, readSet.fd_count, readSet.fd_array.map((s) => (s === client ? 1 : 2))] as [number, number, number[]],
    writable: [writableResult, writeSet.fd_count] as [number, number],
    none: [noneResult, noneSet.fd_count] as [number, number],
    async: [asyncSelectResult, asyncSet.fd_count] as [number, number],
  };
  ws.recv(portServer, new Uint8Array(4), 4, 0);

  // WSAPoll: readable with data, writable always.
  const fds = [{ fd: client, events: POLLRDNORM_, revents: 0 }, { fd: portServer, events: POLLRDNORM_ | POLLWRNORM_, revents: 0 }];
  const pollResult = ws.WSAPoll(fds, 2, 1000);
  const asyncFds = [{ fd: portServer, events: POLLRDNORM_, revents: 0 }];
  const asyncPoll = ws.WSAPollAsync(asyncFds, 1, 5000);
  setTimeout(() => sendText(portClient, 'poll'), 50);
  const asyncPollResult = await asyncPoll;
  const poll = { result: pollResult, revents: fds.map((f) => f.revents), async: [asyncPollResult, asyncFds[0]!.revents] as [number, number] };
  ws.recv(portServer, new Uint8Array(4), 4, 0);
  ws.recv(client, new Uint8Array(6), 6, 0);

  // FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an immediate success queues no packet; one that pended does.
  const [skipClient, skipServer] = pair();
  const skipPort = ws.CreateIoCompletionPort(skipClient, 0, 5, 0);
  const skipSet = ws.SetFileCompletionNotificationModes(skipClient, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
  sendText(skipServer, 'skip');
  queued(skipClient, 4);
  const ovSkip = fresh();
  const skipBuffer = new Uint8Array(8);
  const skipBytes = { value: 0 };
  const skipResult = ws.WSARecv(skipClient, [{ len: 8, buf: skipBuffer }], 1, skipBytes, { value: 0 }, ovSkip, null);
  const skipPacket = packet(skipPort, 200, { ovSkip });
  const ovSkip2 = fresh();
  const pended: [number, number] = [ws.WSARecv(skipClient, [{ len: 8, buf: new Uint8Array(8) }], 1, null, { value: 0 }, ovSkip2, null), ws.WSAGetLastError()];
  sendText(skipServer, 'late');
  const skip = {
    set: skipSet, result: skipResult, bytes: skipBytes.value, text: decode(skipBuffer.subarray(0, skipBytes.value)),
    packet: skipPacket, pended, pendedPacket: packet(skipPort, 5000, { ovSkip2 }),
  };
  ws.closesocket(skipClient);
  ws.closesocket(skipServer);
  ws.CloseHandle(skipPort);

  // closesocket with a receive pending on a port.
  const ovClosed = fresh();
  const closedResult = ws.WSARecv(portClient, [{ len: 8, buf: new Uint8Array(8) }], 1, null, { value: 0 }, ovClosed, null);
  const closedError = ws.WSAGetLastError();
  ws.closesocket(portClient);
  const closed = { result: closedResult, error: closedError, packet: packet(port, 5000, { ovClosed }) };

  // CancelIoEx of one receive among two: that one ends aborted, the other still gets the data.
  const [cancelClient, cancelServer] = pair();
  const cancelPort = ws.CreateIoCompletionPort(cancelClient, 0, 6, 0);
  const ovKeep = fresh();
  const ovCancel = fresh();
  const keptBuffer = new Uint8Array(8);
  ws.WSARecv(cancelClient, [{ len: 8, buf: new Uint8Array(8) }], 1, null, { value: 0 }, ovCancel, null);
  ws.WSARecv(cancelClient, [{ len: 8, buf: keptBuffer }], 1, null, { value: 0 }, ovKeep, null);
  const cancelled = ws.CancelIoEx(cancelClient, ovCancel);
  const cancelPacket = packet(cancelPort, 5000, { ovCancel, ovKeep });
  sendText(cancelServer, 'kept');
  const cancelOne = { cancelled, first: cancelPacket, second: packet(cancelPort, 5000, { ovCancel, ovKeep }), text: decode(keptBuffer.subarray(0, 4)) };
  ws.closesocket(cancelClient);
  ws.closesocket(cancelServer);
  ws.CloseHandle(cancelPort);

  // A blocking WSARecv that has to wait runs due completion routines (it waits alertably); here
  // nothing comes, and SO_RCVTIMEO (500 ms) ends the wait.
  const [blockClient, blockServer] = pair();
  const apcCalls: number[] = [];
  ws.WSARecv(client, [{ len: 4, buf: new Uint8Array(4) }], 1, null, { value: 0 }, fresh(), (_error, n) => apcCalls.push(n));
  sendText(server, 'apc!');
  sleep(100);
  const beforeBlocking = apcCalls.length;
  ws.setsockopt(blockClient, 0xffff, 0x1006, new Uint8Array(new Uint32Array([500]).buffer), 4);
  const blockBytes = { value: 0xdeadbeef };
  const blockResult = ws.WSARecv(blockClient, [{ len: 8, buf: new Uint8Array(8) }], 1, blockBytes, { value: 0 }, null, null);
  const blocking = { beforeBlocking, result: blockResult, error: ws.WSAGetLastError(), bytes: blockBytes.value, apcCalls: [...apcCalls] };
  ws.closesocket(blockClient);
  ws.closesocket(blockServer);

  // What C cannot express: refused before the call, nothing written.
  const keep = new Uint8Array(4).fill(7);
  const countPastArray: [number, number] = [ws.WSARecv(client, [{ len: 4, buf: keep }], 2, { value: 0 }, { value: 0 }, null, null), ws.WSAGetLastError()];
  const lenPastBuffer: [number, number] = [ws.WSASend(client, [{ len: 5, buf: keep }], 1, { value: 0 }, 0, null, null), ws.WSAGetLastError()];
  const badSocket: [number, number] = [ws.WSARecv(0x7ffffff0, [{ len: 5, buf: keep }], 1, { value: 0 }, { value: 0 }, null, null), ws.WSAGetLastError()];
  const frozenBytes: [number, number] = [ws.WSARecv(client, [{ len: 4, buf: keep }], 1, Object.freeze({ value: 0 }), { value: 0 }, null, null), ws.WSAGetLastError()];
  const bigSet: [number, number] = [ws.select(0, { fd_count: 65, fd_array: new Array<number>(65).fill(client) }, null, null, { tv_sec: 0, tv_usec: 0 }), ws.WSAGetLastError()];
  const shortPoll: [number, number] = [ws.WSAPoll([{ fd: client, events: POLLRDNORM_, revents: 0 }], 2, 0), ws.WSAGetLastError()];
  const refused = { countPastArray, lenPastBuffer, badSocket, frozenBytes, bigSet, shortPoll, untouched: keep.every((b) => b === 7) };

  ws.closesocket(client);
  ws.closesocket(server);
  ws.closesocket(portServer);
  ws.CloseHandle(port);
  ws.WSACloseEvent(event);
  ws.WSACleanup();
  await new Promise((done) => setTimeout(done, 0));
  const result: Probe = {
    scatter, pendingEvent, shared, immediatePort, routine, order, zeroLength, udp, send: sendObs, select: selectObs, poll, skip,
    closed, cancelOne, blocking, refused, final: nativeStats(),
  };
  console.log(JSON.stringify(result));
}

const runProbe = (source: string) => runProbeSource(source, PROBE_TIMEOUT_MS);

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows data-path tests: ${unavailable}`);

describe('Windows backend, data path, under Wine', { skip: unavailable ?? false }, () => {
  let o: Probe;

  before(async () => {
    const constants = `const POLLRDNORM_ = ${POLLRDNORM}, POLLWRNORM_ = ${POLLWRNORM};\n`;
    const run = await runProbe(`${constants}(${probe.toString()})(${JSON.stringify(backendModule)}, ${JSON.stringify(nativeModule)}, ${JSON.stringify(kitModule)});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    o = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
  });

  test('scatter / gather without OVERLAPPED: "dead" + "beefs" from 9 bytes, counts written (Wine sock.c test_WSARecv)', () => {
    assert.deepEqual(o.scatter, { send: [0, 9], recv: [0, 9, 0], text: 'dead+beefs' });
  });

  test('overlapped with an event: pends, byte count untouched; the bytes reach the caller\'s buffer at completion (Wine sock.c iocp_async_read, test_WSARecv)', () => {
    assert.deepEqual(o.pendingEvent, {
      result: -1, error: WSA_IO_PENDING, bytes: 0xdeadbeef, before: '\u0000'.repeat(5), wait: 0, gor: [true, 5], text: 'hello',
      Internal: 0, InternalHigh: 5,
    });
  });

  test('a view of a SharedArrayBuffer carries a send, a recv and an overlapped receive that pends (the bytes copied in at completion)', () => {
    assert.deepEqual(o.shared, { send: 6, recv: 6, pending: [-1, WSA_IO_PENDING], wait: 0, InternalHigh: 6, text: 'shared+pooled' });
  });

  test('data already queued: 0 at once with the bytes, and the packet still comes, once (Wine sock.c test_completion_port)', () => {
    assert.deepEqual(o.immediatePort, {
      result: 0, bytes: 6, text: 'queued',
      packet: { ok: true, error: 0xdead, bytes: 6, key: 42, overlapped: 'ovPort' },
      none: { ok: false, error: WAIT_TIMEOUT, bytes: 0xbad, key: 0xbad, overlapped: null },
    });
  });

  test('a completion routine runs only in an alertable wait, once, with the data already in the buffer (Wine sock.c test_WSARecv)', () => {
    assert.deepEqual(o.routine, { result: -1, error: WSA_IO_PENDING, beforeSleep: 0, sleep: WAIT_IO_COMPLETION, calls: [[0, 7, true, 0, 'routine']] });
  });

  test('two pending receives are filled in issue order (Wine sock.c test_simultaneous_async_recv)', () => {
    assert.deepEqual(o.order, {
      results: [-1, -1],
      packets: [
        { ok: true, error: 0xdead, bytes: 16, key: 42, overlapped: 'ovFirst' },
        { ok: true, error: 0xdead, bytes: 16, key: 42, overlapped: 'ovSecond' },
      ],
      first: 'abcdefghijklmnop', second: 'qrstuvwxyz012345',
    });
  });

  test('a zero-length overlapped receive completes when data arrives and consumes none (Wine sock.c test_WSARecv)', () => {
    assert.deepEqual(o.zeroLength, {
      result: -1, error: WSA_IO_PENDING, packet: { ok: true, error: 0xdead, bytes: 0, key: 42, overlapped: 'ovZero' }, queued: 4, text: 'zero',
    });
  });

  test('UDP: WSASendTo, WSARecvFrom with the sender\'s address; a cut datagram: WSAEMSGSIZE / ERROR_MORE_DATA with the first bytes (spec extension-functions.md 1.4; Wine sock.c test_WSASendTo)', () => {
    assert.deepEqual(o.udp, {
      sendTo: [0, 5], from: [0, 5, 1, 'dgram'], truncated: [-1, WSAEMSGSIZE, '0123'],
      overlappedTruncated: { result: -1, error: WSA_IO_PENDING, packet: { ok: false, error: ERROR_MORE_DATA, bytes: 4, key: 9, overlapped: 'ovCut' }, text: 'abcd' },
    });
  });

  test('an overlapped gather send completes with its packet and the bytes arrive in order (Wine sock.c test_completion_port)', () => {
    assert.deepEqual(o.send, { result: 0, bytes: 6, packet: { ok: true, error: 0xdead, bytes: 6, key: 42, overlapped: 'ovSend' }, received: 'onetwo' });
  });

  test('select keeps only the ready sockets in each fd_set; a 0 time-out with none ready empties it; selectAsync waits (Microsoft select reference)', () => {
    assert.deepEqual(o.select, { ready: [1, 1, [1]], writable: [1, 1], none: [0, 0], async: [1, 1] });
  });

  test('WSAPoll writes revents (POLLRDNORM with data, POLLWRNORM); WSAPollAsync waits (Microsoft WSAPoll reference)', () => {
    assert.deepEqual(o.poll, { result: 2, revents: [POLLRDNORM, POLLWRNORM], async: [1, POLLRDNORM] });
  });

  test('FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an immediate success queues no packet, one that pended does (Microsoft SetFileCompletionNotificationModes; Wine sock.c test_connect_completion_port)', () => {
    assert.deepEqual(o.skip, {
      set: true, result: 0, bytes: 4, text: 'skip', packet: { ok: false, error: WAIT_TIMEOUT, bytes: 0xbad, key: 0xbad, overlapped: null },
      pended: [-1, WSA_IO_PENDING], pendedPacket: { ok: true, error: 0xdead, bytes: 4, key: 5, overlapped: 'ovSkip2' },
    });
  });

  test('closesocket with a receive pending: a failed packet with 0 bytes and the caller\'s object (Windows: ERROR_CONNECTION_ABORTED, Wine sock.c iocp_async_read_closesocket is todo_wine)', () => {
    assert.equal(o.closed.result, -1);
    assert.equal(o.closed.error, WSA_IO_PENDING);
    assert.equal(o.closed.packet.ok, false);
    assert.equal(o.closed.packet.bytes, 0);
    assert.equal(o.closed.packet.overlapped, 'ovClosed');
    assert.notEqual(o.closed.packet.error, 0);
  });

  test('CancelIoEx of one receive among two: it ends aborted, the other still takes the data (Wine sock.c test_send_buffering; spec extension-functions.md 4.11)', () => {
    assert.deepEqual(o.cancelOne, {
      cancelled: true, first: { ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0, key: 6, overlapped: 'ovCancel' },
      second: { ok: true, error: 0xdead, bytes: 4, key: 6, overlapped: 'ovKeep' }, text: 'kept',
    });
  });

  test('a blocking WSARecv waits alertably: a due routine runs inside it; SO_RCVTIMEO ends it with WSAETIMEDOUT, byte count untouched (Wine sock.c test_WSARecv, test_timeout)', () => {
    assert.deepEqual(o.blocking, { beforeBlocking: 0, result: -1, error: WSAETIMEDOUT, bytes: 0xdeadbeef, apcCalls: [4] });
  });

  test('what C cannot express is refused before the call: WSAEFAULT (the socket\'s own error first), nothing written', () => {
    assert.deepEqual(o.refused, {
      countPastArray: [-1, WSAEFAULT], lenPastBuffer: [-1, WSAEFAULT], badSocket: [-1, WSAENOTSOCK], frozenBytes: [-1, WSAEFAULT],
      bigSet: [-1, WSAEFAULT], shortPoll: [-1, WSAEFAULT], untouched: true,
    });
  });

  test('everything is released: no native block left, the routine callback unregistered', () => {
    assert.deepEqual(o.final, { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false });
  });
});

// The probe refers to these two by name (it is serialised without its module).
declare const POLLRDNORM_: number;
declare const POLLWRNORM_: number;
