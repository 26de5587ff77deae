/**
 * The overlapped part of the Windows backend (events, waits, completion routines, completion ports,
 * cancellation, WSAEventSelect, overlapped WSAIoctl and the async twins) run for real: probe
 * scripts run under the Windows node.exe in Wine, call the backend, and print what they see as
 * JSON. Skipped, with the reason, when scripts/wine/setup.sh cannot prepare Wine on this machine.
 *
 * Where Wine 8 answers differently from Windows (Wine's own dlls/ws2_32/tests/sock.c and the
 * reference pages), the test pins what Wine does and says so; the Linux emulation's tests
 * (overlapped-*.test.ts) hold the Windows answers.
 * Network use: loopback only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnderWine } from '../scripts/wine/run.mjs';
import type { WinsockCore } from '../dist/winsock/api.js';
import { prepareWine } from './helpers/wine.js';
import type { Packet } from './helpers/wine-probe.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendModule = join(repoRoot, 'dist', 'backend', 'windows', 'index.js');
const nativeModule = join(repoRoot, 'dist', 'backend', 'windows', 'native-overlapped.js');
const pollerModule = join(repoRoot, 'dist', 'backend', 'windows', 'poller.js');
const ws2Module = join(repoRoot, 'dist', 'backend', 'windows', 'ws2_32.js');
const koffiModule = join(repoRoot, 'node_modules', 'koffi', 'index.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');

const PROBE_TIMEOUT_MS = 90_000;

const WAIT_TIMEOUT = 258;
const WAIT_IO_COMPLETION = 0xc0;
const WSA_IO_INCOMPLETE = 996;
const WSA_IO_PENDING = 997;
const ERROR_OPERATION_ABORTED = 995;
const ERROR_NOT_FOUND = 1168;
const ERROR_NOT_SUPPORTED = 50;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_INVALID_HANDLE = 6;
const ERROR_ABANDONED_WAIT_0 = 735;
const WSAEFAULT = 10014;
const WSAENOTSOCK = 10038;
const WSAEOPNOTSUPP = 10045;
const STATUS_PENDING = 0x103;
const STATUS_CANCELLED = 0xc0000120;
const STATUS_NOT_SUPPORTED = 0xc00000bb;
const STATUS_BUFFER_TOO_SMALL = 0xc0000023;
const FD_READ = 1;
const INTERFACE_INFO_SIZE = 76;


interface Stats { blocks: number; inFlight: number; routinesExpected: number; callbackRegistered: boolean }

/** Observations made under Wine; see the tests for what each field means. */
interface Probe {
  fionreadEvent: {
    result: number; bytesReturned: number; value: number; Internal: number; InternalHigh: number; hEvent: boolean;
    wait: number; gor: [boolean, number]; waitAfterReset: number;
  };
  routine: { result: number; afterPlainSleep: number; sleep: number; calls: Array<[number, number, boolean, number]>; again: number; stats: Stats };
  port: { result: number; packet: Packet; timedOut: Packet };
  interfaceList: {
    syncSize: number; result: number; error: number; bytesReturned: number; packet: Packet; Internal: number;
    InternalHigh: number; sameOutput: boolean; event: { result: number; error: number; gor: [boolean, number]; signalled: number };
    small: { result: number; error: number; packet: Packet; Internal: number; InternalHigh: number; untouched: boolean };
  };
  addressList: { result: number; count: number; inside: boolean; signalled: number };
  unknownCode: {
    result: number; error: number; bytesReturned: number; packet: Packet; Internal: number; InternalHigh: number;
    untouched: boolean; gor: [boolean, number]; routine: { result: number; error: number; sleep: number; calls: Array<[number, number]> };
  };
  failsAtOnce: { nullBytesReturned: [number, number, number, number]; shortInput: [number, number, number, number]; packet: number; routineCalls: number };
  cancel: {
    pendA: [number, number]; pendB: [number, number]; InternalA: number; InternalHighA: number; inFlight: number;
    none: Packet; cancelA: boolean; InternalAAfter: number; InternalBAfter: number; packetA: Packet;
    cancelAAgain: [boolean, number]; cancelOther: [boolean, number]; gorA: [boolean, number]; gorB: [boolean, number];
    cancelAll: boolean; packetB: Packet; cancelNothing: [boolean, number]; stats: Stats;
    routines: { cancelIo: boolean; before: number; sleep: number; calls: Array<[number, number, number]>; stats: Stats };
    closed: Packet & { Internal: number };
  };
  eventSelect: {
    select: number; before: number; wait: number; enumResult: number; events: number; readError: number; after: number;
    asyncWait: number; asyncEnum: number;
  };
  posted: { withObject: Packet; withNull: Packet; asyncPosted: Packet & { result: boolean }; stats: Stats };
  overlappedIds: { positive: boolean; stable: boolean; distinct: boolean; afterPacket: boolean; nullId: number; nullError: number };
  async: {
    sleepRoutine: [number, number]; sleepNothing: number; sleepZero: number; waitTimeout: number;
    gqcsTimeout: { result: boolean; error: number; overlappedNull: boolean; bytes: number };
    gorWait: [boolean, number, number];
  };
  routineWithPort: { result: number; packet: Packet; fionbio: [number, number]; sleep: number; calls: number };
  guards: { wait: [number, number]; sleep: number; gqcsNull: [boolean, number]; gqcsNullBadPort: [boolean, number]; enumNull: [number, number]; gorBadSocket: [boolean, number] };
  final: Stats;
}

/**
 * The main probe, run by the Windows node. Serialised with toString(): self-contained.
 */
async function probe(backendPath: string, nativePath: string, koffiPath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const { nativeStats } = (await import(nativePath)) as { nativeStats: () => Stats };
  const koffi = ((await import(koffiPath)) as { default: { address(value: unknown): bigint } }).default;
  const FIONREAD = 0x4004667f;
  const FIONBIO = 0x8004667e;
  const SIO_GET_INTERFACE_LIST = 0x4004747f;
  const SIO_ADDRESS_LIST_CHANGE = 0x28000017;
  const SIO_KEEPALIVE_VALS = 0x98000004;
  const FD_READ_EVENT = 1;
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { AF_INET } = kit;
  const { fresh, tcp, name, packet, pair, queued } = kit.probeKit(ws);

  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });

  // FIONREAD with an event, on a pair with 5 bytes queued.
  const [client, server] = pair();
  ws.send(server, new TextEncoder().encode('hello'), 5, 0);
  queued(client, 5);
  const event = ws.WSACreateEvent();
  const ovEvent = fresh(event);
  const value = new Uint8Array(4).fill(0xee);
  const returned = { value: 0xdead };
  const fionreadResult = ws.WSAIoctl(client, FIONREAD, null, 0, value, 4, returned, ovEvent, null);
  const transfer = { value: 0xbad };
  const fionreadEvent = {
    result: fionreadResult,
    bytesReturned: returned.value,
    value: new DataView(value.buffer).getUint32(0, true),
    Internal: ovEvent.Internal,
    InternalHigh: ovEvent.InternalHigh,
    hEvent: ovEvent.hEvent === event,
    wait: ws.WSAWaitForMultipleEvents(1, [event], true, 0, false),
    gor: [ws.WSAGetOverlappedResult(client, ovEvent, transfer, false, { value: 0 }), transfer.value] as [boolean, number],
    waitAfterReset: (ws.WSAResetEvent(event), ws.WSAWaitForMultipleEvents(1, [event], true, 0, false)),
  };

  // A completion routine: runs only in an alertable wait, once, with the caller's object.
  const routineCalls: Array<[number, number, boolean, number]> = [];
  const ovRoutine = fresh();
  const routineResult = ws.WSAIoctl(client, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, ovRoutine,
    (e, n, o, f) => routineCalls.push([e, n, o === ovRoutine, f]));
  ws.SleepEx(0, false);
  const afterPlainSleep = routineCalls.length;
  const routineSleep = ws.SleepEx(0, true);
  const routine = {
    result: routineResult, afterPlainSleep, sleep: routineSleep, calls: [...routineCalls],
    again: ws.SleepEx(0, true), stats: nativeStats(),
  };

  // A completion port.
  const portSocket = tcp();
  const port = ws.CreateIoCompletionPort(portSocket, 0, 123, 0);
  const ovPort = fresh();
  const portResult = ws.WSAIoctl(portSocket, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, ovPort, null);
  const portObs = { result: portResult, packet: packet(port, 0, { ovPort }), timedOut: packet(port, 0, { ovPort }) };

  // SIO_GET_INTERFACE_LIST: pends, completes later with the list size.
  const syncBuffer = new Uint8Array(4096);
  const syncSize = { value: 0 };
  ws.WSAIoctl(portSocket, SIO_GET_INTERFACE_LIST, null, 0, syncBuffer, syncBuffer.length, syncSize, null, null);
  const listBuffer = new Uint8Array(4096);
  const listSize = { value: 0xdeadbeef };
  const ovList = fresh();
  const listResult = ws.WSAIoctl(portSocket, SIO_GET_INTERFACE_LIST, null, 0, listBuffer, listBuffer.length, listSize, ovList, null);
  const listError = ws.WSAGetLastError();
  const listPacket = packet(port, 1000, { ovList });
  const listEvent = ws.WSACreateEvent();
  const ovListEvent = fresh(listEvent);
  const listEventResult = ws.WSAIoctl(client, SIO_GET_INTERFACE_LIST, null, 0, new Uint8Array(4096), 4096, { value: 0 }, ovListEvent, null);
  const listEventError = ws.WSAGetLastError();
  const listTransfer = { value: 0 };
  const listGor = await ws.WSAGetOverlappedResultAsync(client, ovListEvent, listTransfer, true, { value: 0 });
  const smallSocket = tcp();
  const smallPort = ws.CreateIoCompletionPort(smallSocket, 0, 7, 0);
  const small = new Uint8Array(75).fill(0xee);
  const ovSmall = fresh();
  const smallResult = ws.WSAIoctl(smallSocket, SIO_GET_INTERFACE_LIST, null, 0, small, 75, { value: 0 }, ovSmall, null);
  const smallError = ws.WSAGetLastError();
  const interfaceList = {
    syncSize: syncSize.value,
    result: listResult,
    error: listError,
    bytesReturned: listSize.value,
    packet: listPacket,
    Internal: ovList.Internal,
    InternalHigh: ovList.InternalHigh,
    sameOutput: listBuffer.subarray(0, syncSize.value).every((b, i) => b === syncBuffer[i]),
    event: {
      result: listEventResult, error: listEventError, gor: [listGor, listTransfer.value] as [boolean, number],
      signalled: ws.WSAWaitForMultipleEvents(1, [listEvent], true, 0, false),
    },
    small: {
      result: smallResult, error: smallError, packet: packet(smallPort, 1000, { ovSmall }),
      Internal: ovSmall.Internal, InternalHigh: ovSmall.InternalHigh, untouched: small.every((b) => b === 0xee),
    },
  };
  ws.closesocket(smallSocket);
  ws.CloseHandle(smallPort);

  // SIO_ADDRESS_LIST_QUERY: the list's pointers lead into the caller's own buffer, as in C.
  const udp = ws.socket(AF_INET, 2, 17);
  const addressBuffer = new Uint8Array(1024);
  const addressSize = { value: 0 };
  const addressEvent = ws.WSACreateEvent();
  const addressResult = ws.WSAIoctl(udp, 0x48000016, null, 0, addressBuffer, 1024, addressSize, fresh(addressEvent), null);
  const addressView = new DataView(addressBuffer.buffer);
  const base = BigInt(koffi.address(addressBuffer));
  const count = addressView.getInt32(0, true);
  let inside = count > 0;
  for (let i = 0; i < count; i++) {
    const offset = Number(addressView.getBigUint64(8 + 16 * i, true) - base);
    const length = addressView.getInt32(8 + 16 * i + 8, true);
    if (offset < 8 + 16 * count || offset + length > addressSize.value) inside = false;
  }
  const addressList = { result: addressResult, count, inside, signalled: ws.WSAWaitForMultipleEvents(1, [addressEvent], true, 0, false) };
  ws.WSACloseEvent(addressEvent);
  ws.closesocket(udp);

  // An unknown control code.
  const unknownOut = new Uint8Array(8).fill(0xee);
  const unknownSize = { value: 0xdeadbeef };
  const ovUnknown = fresh();
  const unknownResult = ws.WSAIoctl(portSocket, 0xdeadbeef, null, 0, unknownOut, 8, unknownSize, ovUnknown, null);
  const unknownError = ws.WSAGetLastError();
  const unknownPacket = packet(port, 1000, { ovUnknown });
  const unknownTransfer = { value: 0xbad };
  const unknownGor = ws.WSAGetOverlappedResult(portSocket, ovUnknown, unknownTransfer, false, { value: 0 });
  const unknownGorError = ws.WSAGetLastError();
  const unknownRoutineSocket = tcp();
  const unknownCalls: Array<[number, number]> = [];
  const unknownRoutineResult = ws.WSAIoctl(unknownRoutineSocket, 0xdeadbeef, null, 0, null, 0, { value: 0 }, fresh(), (e, n) => unknownCalls.push([e, n]));
  const unknownRoutineError = ws.WSAGetLastError();
  const unknownCode = {
    result: unknownResult, error: unknownError, bytesReturned: unknownSize.value, packet: unknownPacket,
    Internal: ovUnknown.Internal, InternalHigh: ovUnknown.InternalHigh, untouched: unknownOut.every((b) => b === 0xee),
    gor: [unknownGor, unknownGorError] as [boolean, number],
    routine: { result: unknownRoutineResult, error: unknownRoutineError, sleep: ws.SleepEx(0, true), calls: unknownCalls },
  };
  ws.closesocket(unknownRoutineSocket);

  // Calls that fail before they start: nothing written, nothing delivered.
  let failCalls = 0;
  const ovFail = fresh();
  const nullBytes = ws.WSAIoctl(portSocket, FIONREAD, null, 0, new Uint8Array(4), 4, null, ovFail, null);
  const nullBytesReturned: [number, number, number, number] = [nullBytes, ws.WSAGetLastError(), ovFail.Internal, ovFail.InternalHigh];
  const shortIn = ws.WSAIoctl(client, SIO_KEEPALIVE_VALS, new Uint8Array(12), 11, null, 0, { value: 0 }, ovFail, () => failCalls++);
  const shortInput: [number, number, number, number] = [shortIn, ws.WSAGetLastError(), ovFail.Internal, ovFail.InternalHigh];
  ws.SleepEx(0, true);
  const failsAtOnce = { nullBytesReturned, shortInput, packet: packet(port, 0).error, routineCalls: failCalls };

  // Cancellation: SIO_ADDRESS_LIST_CHANGE pends until an address changes (none does here).
  const cancelSocket = tcp();
  const cancelPort = ws.CreateIoCompletionPort(cancelSocket, 0, 3, 0);
  const a = fresh();
  const b = fresh();
  const pendA: [number, number] = [ws.WSAIoctl(cancelSocket, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, a, null), ws.WSAGetLastError()];
  const pendB: [number, number] = [ws.WSAIoctl(cancelSocket, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, b, null), ws.WSAGetLastError()];
  const InternalA = a.Internal;
  const InternalHighA = a.InternalHigh;
  const inFlight = nativeStats().inFlight;
  const none = packet(cancelPort, 0, { a, b });
  const cancelA = ws.CancelIoEx(cancelSocket, a);
  const InternalAAfter = a.Internal;
  const InternalBAfter = b.Internal;
  const packetA = packet(cancelPort, 1000, { a, b });
  const cancelAAgain: [boolean, number] = [ws.CancelIoEx(cancelSocket, a), ws.GetLastError()];
  const cancelOther: [boolean, number] = [ws.CancelIoEx(cancelSocket, fresh()), ws.GetLastError()];
  const gorTransfer = { value: 0xbad };
  const gorA: [boolean, number] = [ws.WSAGetOverlappedResult(cancelSocket, a, gorTransfer, false, { value: 0 }), ws.WSAGetLastError()];
  const gorB: [boolean, number] = [ws.WSAGetOverlappedResult(cancelSocket, b, gorTransfer, false, { value: 0 }), ws.WSAGetLastError()];
  const cancelAll = ws.CancelIoEx(cancelSocket, null);
  const packetB = packet(cancelPort, 1000, { a, b });
  ws.SetLastError(0xdead);
  const cancelNothing: [boolean, number] = [ws.CancelIoEx(cancelSocket, null), ws.GetLastError()];
  ws.closesocket(cancelSocket);
  ws.CloseHandle(cancelPort);
  const cancelStats = nativeStats();

  const routineSocket = tcp();
  const ovs = [fresh(), fresh()];
  const cancelCalls: Array<[number, number, number]> = [];
  for (const ov of ovs) {
    ws.WSAIoctl(routineSocket, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ov, (e, n, o) => cancelCalls.push([e, n, ovs.indexOf(o)]));
  }
  const cancelIo = ws.CancelIo(routineSocket);
  const beforeSleep = cancelCalls.length;
  const cancelSleep = ws.SleepEx(1000, true);
  ws.closesocket(routineSocket);
  const routines = { cancelIo, before: beforeSleep, sleep: cancelSleep, calls: cancelCalls, stats: nativeStats() };

  const closedSocket = tcp();
  const closedPort = ws.CreateIoCompletionPort(closedSocket, 0, 9, 0);
  const ovClosed = fresh();
  ws.WSAIoctl(closedSocket, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ovClosed, null);
  ws.closesocket(closedSocket);
  const closedPacket = packet(closedPort, 1000, { ovClosed });
  ws.CloseHandle(closedPort);

  const cancel = {
    pendA, pendB, InternalA, InternalHighA, inFlight, none, cancelA, InternalAAfter, InternalBAfter, packetA,
    cancelAAgain, cancelOther, gorA, gorB, cancelAll, packetB, cancelNothing, stats: cancelStats, routines,
    closed: { ...closedPacket, Internal: ovClosed.Internal },
  };

  // WSAEventSelect FD_READ on the server side of the pair (its 5 bytes went to the client).
  const selectEvent = ws.WSACreateEvent();
  const select = ws.WSAEventSelect(server, selectEvent, FD_READ_EVENT);
  const selectBefore = ws.WSAWaitForMultipleEvents(1, [selectEvent], false, 0, false);
  ws.send(client, new TextEncoder().encode('ping'), 4, 0);
  const selectWait = ws.WSAWaitForMultipleEvents(1, [selectEvent], false, 1000, false);
  const network = { lNetworkEvents: 0xbad, iErrorCode: new Array<number>(10).fill(0xbad) };
  const enumResult = ws.WSAEnumNetworkEvents(server, selectEvent, network);
  const selectAfter = ws.WSAWaitForMultipleEvents(1, [selectEvent], false, 0, false);
  ws.recv(server, new Uint8Array(16), 16, 0); // drains; FD_READ is re-enabled by recv
  const asyncWait = ws.WSAWaitForMultipleEventsAsync(1, [selectEvent], false, 2000, false);
  setTimeout(() => ws.send(client, new TextEncoder().encode('pong'), 4, 0), 50);
  const asyncWaitResult = await asyncWait;
  const asyncNetwork = { lNetworkEvents: 0, iErrorCode: new Array<number>(10).fill(0) };
  ws.WSAEnumNetworkEvents(server, selectEvent, asyncNetwork);
  const eventSelect = {
    select, before: selectBefore, wait: selectWait, enumResult, events: network.lNetworkEvents,
    readError: network.iErrorCode[0]!, after: selectAfter, asyncWait: asyncWaitResult, asyncEnum: asyncNetwork.lNetworkEvents,
  };
  ws.WSAEventSelect(server, 0, 0);
  ws.WSACloseEvent(selectEvent);

  // PostQueuedCompletionStatus: the caller's object comes back; also through the async twin.
  const postPort = ws.CreateIoCompletionPort(-1, 0, 0, 0);
  const ovPosted = fresh();
  ws.PostQueuedCompletionStatus(postPort, 7, 70, ovPosted);
  const withObject = packet(postPort, 0, { ovPosted });
  ws.PostQueuedCompletionStatus(postPort, 8, 80, null);
  const withNull = packet(postPort, 0, { ovPosted });
  const asyncBytes = { value: 0 };
  const asyncKey = { value: 0 };
  const asyncOv: { value: unknown } = { value: null };
  const ovLater = fresh();
  setTimeout(() => ws.PostQueuedCompletionStatus(postPort, 9, 90, ovLater), 30);
  const asyncResult = await ws.GetQueuedCompletionStatusAsync(postPort, asyncBytes, asyncKey, asyncOv as { value: null }, 2000);
  // overlappedId: the object's native cell, the same before and after its packet, distinct per object.
  const ovId = ws.overlappedId(ovPosted);
  const overlappedIds = {
    positive: Number.isSafeInteger(ovId) && ovId > 0, stable: ws.overlappedId(ovPosted) === ovId, distinct: ws.overlappedId(ovLater) !== ovId,
    afterPacket: false, nullId: ws.overlappedId(null as never), nullError: ws.GetLastError(),
  };
  ws.PostQueuedCompletionStatus(postPort, 1, 1, ovPosted);
  const idPacket = packet(postPort, 0, { ovPosted });
  overlappedIds.afterPacket = idPacket.overlapped === 'ovPosted' && ws.overlappedId(ovPosted) === ovId;
  const posted = {
    withObject, withNull,
    asyncPosted: { result: asyncResult, ok: asyncResult, error: 0, bytes: asyncBytes.value, key: asyncKey.value, overlapped: name(asyncOv.value, { ovLater }) },
    stats: nativeStats(),
  };

  // Async twins.
  let asyncCalls = 0;
  ws.WSAIoctl(client, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, fresh(), () => asyncCalls++);
  const sleepRoutine: [number, number] = [await ws.SleepExAsync(1000, true), asyncCalls];
  const sleepNothing = await ws.SleepExAsync(30, true);
  const sleepZero = await ws.SleepExAsync(0, true);
  const idleEvent = ws.WSACreateEvent();
  const waitTimeout = await ws.WSAWaitForMultipleEventsAsync(1, [idleEvent], false, 30, true);
  ws.WSACloseEvent(idleEvent);
  const timeoutOv: { value: unknown } = { value: 'untouched' };
  const timeoutBytes = { value: 0xbad };
  const gqcsResult = await ws.GetQueuedCompletionStatusAsync(postPort, timeoutBytes, { value: 0 }, timeoutOv as { value: null }, 30);
  const gqcsTimeout = { result: gqcsResult, error: ws.GetLastError(), overlappedNull: timeoutOv.value === null, bytes: timeoutBytes.value };
  ws.CloseHandle(postPort);
  const gorSocket = tcp();
  const ovGor = fresh();
  ws.WSAIoctl(gorSocket, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ovGor, null);
  setTimeout(() => ws.CancelIoEx(gorSocket, ovGor), 30);
  const gorWaitTransfer = { value: 0xbad };
  const gorWaitResult = await ws.WSAGetOverlappedResultAsync(gorSocket, ovGor, gorWaitTransfer, true, { value: 0 });
  const gorWait: [boolean, number, number] = [gorWaitResult, ws.WSAGetLastError(), ovGor.Internal];
  ws.closesocket(gorSocket);
  const asyncObs = { sleepRoutine, sleepNothing, sleepZero, waitTimeout, gqcsTimeout, gorWait };

  // A completion routine on a socket associated with a port.
  let withPortCalls = 0;
  const ovWithPort = fresh();
  const withPortResult = ws.WSAIoctl(portSocket, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, ovWithPort, () => withPortCalls++);
  const withPortPacket = packet(port, 0, { ovWithPort });
  const withPortFionbio: [number, number] = [
    ws.WSAIoctl(portSocket, FIONBIO, new Uint8Array(4), 4, null, 0, { value: 0 }, fresh(), () => withPortCalls++),
    ws.WSAGetLastError(),
  ];
  const routineWithPort = {
    result: withPortResult, packet: withPortPacket, fionbio: withPortFionbio, sleep: ws.SleepEx(0, true), calls: withPortCalls,
  };

  // No exception escapes; NULL out-parameters get errors instead of access violations.
  const sym = Symbol('x') as unknown as number;
  const waitGuard = ws.WSAWaitForMultipleEvents(sym, [event], false, 0, false);
  const waitGuardError = ws.GetLastError();
  const guards = {
    wait: [waitGuard, waitGuardError] as [number, number],
    sleep: ws.SleepEx(sym, false),
    gqcsNull: [ws.GetQueuedCompletionStatus(port, null, { value: 0 }, { value: null }, 0), ws.GetLastError()] as [boolean, number],
    gqcsNullBadPort: [ws.GetQueuedCompletionStatus(0x7ffffff0, null, null, null, 0), ws.GetLastError()] as [boolean, number],
    enumNull: [ws.WSAEnumNetworkEvents(client, 0, null), ws.WSAGetLastError()] as [number, number],
    gorBadSocket: [ws.WSAGetOverlappedResult(0x7ffffff0, fresh(), { value: 0 }, false, { value: 0 }), ws.WSAGetLastError()] as [boolean, number],
  };

  ws.closesocket(portSocket);
  ws.CloseHandle(port);
  ws.closesocket(client);
  ws.closesocket(server);
  ws.WSACloseEvent(event);
  ws.WSACloseEvent(listEvent);
  ws.WSACleanup();
  await new Promise((done) => setTimeout(done, 0)); // lets the idle callback be unregistered
  console.log(JSON.stringify({
    fionreadEvent, routine, port: portObs, interfaceList, addressList, unknownCode, failsAtOnce, cancel, eventSelect, posted, overlappedIds,
    async: asyncObs, routineWithPort, guards, final: nativeStats(),
  }));
}

/**
 * Async waits with nothing that can ever satisfy them must not keep the process alive; one whose
 * operation is in flight must, until it completes.
 */
async function exitProbe(backendPath: string, mode: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });
  const event = ws.WSACreateEvent();
  const port = ws.CreateIoCompletionPort(-1, 0, 0, 0);
  const said = (what: string) => (value: unknown) => console.log(`${what} ${String(value)}`);
  if (mode === 'idle') {
    void ws.WSAWaitForMultipleEventsAsync(1, [event], false, 0xffffffff, true).then(said('event'));
    void ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, { value: null }, 0xffffffff).then(said('port'));
    void ws.SleepExAsync(0xffffffff, true).then(said('sleep'));
    console.log('waiting');
    return;
  }
  // 'pending': an operation in flight keeps the wait (and the process) alive until it completes.
  const s = ws.WSASocketW(2, 1, 6, null, 0, 1);
  ws.CreateIoCompletionPort(s, port, 5, 0);
  const ov = { Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: 0 };
  ws.WSAIoctl(s, 0x28000017, null, 0, null, 0, { value: 0 }, ov, null);
  const timer = setTimeout(() => ws.CancelIoEx(s, ov), 300);
  timer.unref(); // only the pending operation may hold the loop
  const got: { value: unknown } = { value: null };
  void ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, got as { value: null }, 0xffffffff).then((ok) => {
    console.log(`port ${String(ok)} ${ws.GetLastError()} ${got.value === ov}`);
    ws.closesocket(s);
  });
  console.log('waiting');
}

interface WaitStats { polling: number; onPool: number; timerArmed: boolean }

/** Observations of poolProbe; see the test for what each field means. */
interface PoolProbe {
  posted: { during: WaitStats; atPost: WaitStats; result: boolean; bytes: number; key: number; overlapped: string | null; after: WaitStats };
  aborted: { during: WaitStats; result: boolean; error: number; overlapped: string | null };
  event: { during: WaitStats; result: number };
  alertable: { during: WaitStats; result: number };
  idleInfinite: { during: WaitStats; result: boolean; bytes: number };
  busyInfinite: { during: WaitStats; result: boolean; error: number; overlapped: string | null };
  gorEvent: { during: WaitStats; result: boolean; error: number; Internal: number };
  slots: { during: WaitStats; results: boolean[]; keys: number[] };
  closed: { during: WaitStats; result: boolean; error: number; overlapped: null | string };
  final: { waits: WaitStats; stats: Stats };
}

/**
 * Which async waits run the real call on a pool thread, and what they answer. Posts and event sets
 * go through the raw kernel32 / ws2_32 functions where the point is that nothing in this thread
 * tells the backend (no kick): only the native wait on the pool can see them.
 */
async function poolProbe(backendPath: string, pollerPath: string, ws2Path: string, nativePath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const { waitStats } = (await import(pollerPath)) as { waitStats: () => WaitStats };
  const { overlappedApi: raw } = (await import(ws2Path)) as {
    overlappedApi: { PostQueuedCompletionStatus: (port: number, n: number, key: bigint, ov: null) => number; WSASetEvent: (h: number) => number };
  };
  const { nativeStats } = (await import(nativePath)) as { nativeStats: () => Stats };
  const SIO_ADDRESS_LIST_CHANGE = 0x28000017;
  const { fresh, name } = ((await import(kitPath)) as typeof import('./helpers/wine-probe.js')).probeKit(ws);
  const later = (fn: () => void): void => void setTimeout(fn, 20);
  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });

  // A finite dequeue waits on the pool; a raw post (no kick) ends it.
  const port = ws.CreateIoCompletionPort(-1, 0, 0, 0);
  const bytes = { value: 0 };
  const key = { value: 0 };
  const got: { value: unknown } = { value: 'untouched' };
  const postedWait = ws.GetQueuedCompletionStatusAsync(port, bytes, key, got as { value: null }, 60_000);
  const postedDuring = waitStats();
  let atPost = postedDuring;
  later(() => {
    atPost = waitStats();
    raw.PostQueuedCompletionStatus(port, 5, 6n, null);
  });
  const postedResult = await postedWait;
  const posted = {
    during: postedDuring, atPost, result: postedResult, bytes: bytes.value, key: key.value,
    overlapped: name(got.value, {}), after: waitStats(),
  };

  // A failed packet: the pool thread's last error (ERROR_OPERATION_ABORTED) reaches the caller.
  const s = ws.WSASocketW(2, 1, 6, null, 0, 1);
  ws.CreateIoCompletionPort(s, port, 9, 0);
  const ovAborted = fresh();
  ws.WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ovAborted, null);
  const abortedOv: { value: unknown } = { value: null };
  const abortedWait = ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, abortedOv as { value: null }, 60_000);
  const abortedDuring = waitStats();
  later(() => ws.CancelIoEx(s, ovAborted));
  const abortedResult = await abortedWait;
  const aborted = { during: abortedDuring, result: abortedResult, error: ws.GetLastError(), overlapped: name(abortedOv.value, { ovAborted }) };

  // A non-alertable event wait on the pool, ended by a raw set.
  const event = ws.WSACreateEvent();
  const eventWait = ws.WSAWaitForMultipleEventsAsync(1, [event], false, 60_000, false);
  const eventDuring = waitStats();
  later(() => raw.WSASetEvent(event));
  const eventObs = { during: eventDuring, result: await eventWait };

  // An alertable one polls (this thread's routines run only here).
  const event2 = ws.WSACreateEvent();
  const alertableWait = ws.WSAWaitForMultipleEventsAsync(1, [event2], false, 60_000, true);
  const alertableDuring = waitStats();
  later(() => ws.WSASetEvent(event2));
  const alertable = { during: alertableDuring, result: await alertableWait };

  // INFINITE with nothing in flight polls (it must not hold the loop); with an operation in flight, the pool.
  const idleBytes = { value: 0 };
  const idleWait = ws.GetQueuedCompletionStatusAsync(port, idleBytes, { value: 0 }, { value: null }, 0xffffffff);
  const idleDuring = waitStats();
  later(() => ws.PostQueuedCompletionStatus(port, 3, 0, null));
  const idleInfinite = { during: idleDuring, result: await idleWait, bytes: idleBytes.value };

  const ovBusy = fresh();
  ws.WSAIoctl(s, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ovBusy, null);
  const busyOv: { value: unknown } = { value: null };
  const busyWait = ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, busyOv as { value: null }, 0xffffffff);
  const busyDuring = waitStats();
  later(() => ws.CancelIoEx(s, ovBusy));
  const busyResult = await busyWait;
  const busyInfinite = { during: busyDuring, result: busyResult, error: ws.GetLastError(), overlapped: name(busyOv.value, { ovBusy }) };

  // WSAGetOverlappedResultAsync on an operation with an event waits on that event on the pool.
  const s2 = ws.WSASocketW(2, 1, 6, null, 0, 1);
  const gorEvent = ws.WSACreateEvent();
  const ovGor = fresh(gorEvent);
  ws.WSAIoctl(s2, SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ovGor, null);
  const gorWait = ws.WSAGetOverlappedResultAsync(s2, ovGor, { value: 0 }, true, { value: 0 });
  const gorDuring = waitStats();
  later(() => ws.CancelIoEx(s2, ovGor));
  const gorResult = await gorWait;
  const gor = { during: gorDuring, result: gorResult, error: ws.WSAGetLastError(), Internal: ovGor.Internal };

  // At most half of libuv's pool (4 threads here): the third wait polls.
  const ports = [0, 1, 2].map(() => ws.CreateIoCompletionPort(-1, 0, 0, 0));
  const keys = ports.map(() => ({ value: 0 }));
  const slotWaits = ports.map((p, i) => ws.GetQueuedCompletionStatusAsync(p, { value: 0 }, keys[i]!, { value: null }, 60_000));
  const slotsDuring = waitStats();
  later(() => ports.forEach((p, i) => raw.PostQueuedCompletionStatus(p, 0, BigInt(10 + i), null)));
  const slotResults = await Promise.all(slotWaits);
  const slots = { during: slotsDuring, results: slotResults, keys: keys.map((k) => k.value) };

  // Closing the port ends a dequeue waiting on the pool.
  const closingPort = ws.CreateIoCompletionPort(-1, 0, 0, 0);
  const closedOv: { value: unknown } = { value: 'untouched' };
  const closedWait = ws.GetQueuedCompletionStatusAsync(closingPort, { value: 0 }, { value: 0 }, closedOv as { value: null }, 60_000);
  const closedDuring = waitStats();
  later(() => ws.CloseHandle(closingPort));
  const closedResult = await closedWait;
  const closed = { during: closedDuring, result: closedResult, error: ws.GetLastError(), overlapped: name(closedOv.value, {}) };

  for (const p of ports) ws.CloseHandle(p);
  ws.closesocket(s);
  ws.closesocket(s2);
  ws.CloseHandle(port);
  ws.WSACloseEvent(event);
  ws.WSACloseEvent(event2);
  ws.WSACloseEvent(gorEvent);
  ws.WSACleanup();
  await new Promise((done) => setTimeout(done, 0));
  const result: PoolProbe = {
    posted, aborted, event: eventObs, alertable, idleInfinite, busyInfinite, gorEvent: gor, slots, closed,
    final: { waits: waitStats(), stats: nativeStats() },
  };
  console.log(JSON.stringify(result));
}

async function runProbe(source: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-overlapped-probe-'));
  try {
    const script = join(dir, 'probe.mjs');
    writeFileSync(script, source);
    const started = Date.now();
    const run = await runUnderWine(script, [], { timeoutMs });
    return { ...run, ms: Date.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows overlapped tests: ${unavailable}`);

describe('Windows backend, overlapped part, under Wine', { skip: unavailable ?? false }, () => {
  let o: Probe;

  before(async () => {
    const run = await runProbe(`(${probe.toString()})(${JSON.stringify(backendModule)}, ${JSON.stringify(nativeModule)}, ${JSON.stringify(koffiModule)}, ${JSON.stringify(kitModule)});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    o = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
  });

  test('FIONREAD with an event completes at once: 0, size 4, Internal/InternalHigh mirrored as 0, event signalled', () => {
    assert.deepEqual(o.fionreadEvent, {
      result: 0, bytesReturned: 4, value: 5, Internal: 0, InternalHigh: 0, hEvent: true,
      wait: 0, gor: [true, 0], waitAfterReset: WAIT_TIMEOUT,
    });
  });

  test('the completion routine runs in SleepEx(0, TRUE) only, once, with (0, 0, the caller\'s object, 0); 0xC0', () => {
    assert.equal(o.routine.result, 0);
    assert.equal(o.routine.afterPlainSleep, 0, 'not run by a non-alertable wait');
    assert.equal(o.routine.sleep, WAIT_IO_COMPLETION);
    assert.deepEqual(o.routine.calls, [[0, 0, true, 0]]);
    assert.equal(o.routine.again, 0, 'exactly once');
    assert.equal(o.routine.stats.callbackRegistered, false, 'the registered callback is released once no routine is due');
    assert.equal(o.routine.stats.routinesExpected, 0);
  });

  test('through a completion port: one packet (TRUE, 0 bytes, key, the caller\'s object), then WAIT_TIMEOUT', () => {
    assert.equal(o.port.result, 0);
    assert.deepEqual(o.port.packet, { ok: true, error: 0xdead, bytes: 0, key: 123, overlapped: 'ovPort' });
    assert.deepEqual(o.port.timedOut, { ok: false, error: WAIT_TIMEOUT, bytes: 0xbad, key: 0xbad, overlapped: null });
  });

  test('SIO_GET_INTERFACE_LIST overlapped pends, then completes with the list size; output copied back', () => {
    const l = o.interfaceList;
    assert.ok(l.syncSize > 0 && l.syncSize % INTERFACE_INFO_SIZE === 0, `list size ${l.syncSize}`);
    assert.equal(l.result, -1);
    assert.equal(l.error, WSA_IO_PENDING);
    assert.equal(l.bytesReturned, 0xdeadbeef, '*lpcbBytesReturned untouched');
    assert.deepEqual(l.packet, { ok: true, error: 0xdead, bytes: l.syncSize, key: 123, overlapped: 'ovList' });
    assert.equal(l.Internal, 0);
    assert.equal(l.InternalHigh, l.syncSize);
    assert.ok(l.sameOutput, 'the list written into native memory reaches the caller\'s buffer');
    assert.deepEqual(l.event, { result: -1, error: WSA_IO_PENDING, gor: [true, l.syncSize], signalled: 0 });
  });

  test('SIO_GET_INTERFACE_LIST with 75 bytes pends, then fails: STATUS_BUFFER_TOO_SMALL, ERROR_INSUFFICIENT_BUFFER', () => {
    assert.deepEqual(o.interfaceList.small, {
      result: -1, error: WSA_IO_PENDING,
      packet: { ok: false, error: ERROR_INSUFFICIENT_BUFFER, bytes: 0, key: 7, overlapped: 'ovSmall' },
      Internal: STATUS_BUFFER_TOO_SMALL, InternalHigh: 0, untouched: true,
    });
  });

  test('SIO_ADDRESS_LIST_QUERY overlapped: the list\'s pointers lead into the caller\'s buffer (rebased from the native copy)', () => {
    assert.deepEqual(o.addressList, { result: 0, count: o.addressList.count, inside: true, signalled: 0 });
    assert.ok(o.addressList.count > 0);
  });

  test('an unknown code pends and completes with STATUS_NOT_SUPPORTED (packet ERROR_NOT_SUPPORTED, routine WSAEOPNOTSUPP)', () => {
    assert.deepEqual(o.unknownCode, {
      result: -1, error: WSA_IO_PENDING, bytesReturned: 0xdeadbeef,
      packet: { ok: false, error: ERROR_NOT_SUPPORTED, bytes: 0, key: 123, overlapped: 'ovUnknown' },
      Internal: STATUS_NOT_SUPPORTED, InternalHigh: 0, untouched: true, gor: [false, WSAEOPNOTSUPP],
      routine: { result: -1, error: WSA_IO_PENDING, sleep: WAIT_IO_COMPLETION, calls: [[WSAEOPNOTSUPP, 0]] },
    });
  });

  test('a call that fails before it starts writes nothing and delivers nothing', () => {
    assert.deepEqual(o.failsAtOnce, {
      nullBytesReturned: [-1, WSAEFAULT, 0xdeadbeef, 0xdeadbeef],
      // SIO_KEEPALIVE_VALS with 11 input bytes: Windows stores STATUS_PENDING in Internal before its
      // size check fails (Wine's test_keepalive_vals, marked todo_wine); Wine leaves Internal alone.
      shortInput: [-1, WSAEFAULT, 0xdeadbeef, 0xdeadbeef],
      packet: WAIT_TIMEOUT,
      routineCalls: 0,
    });
  });

  test('CancelIoEx cancels the one operation: STATUS_CANCELLED, packet ERROR_OPERATION_ABORTED, once', () => {
    const c = o.cancel;
    assert.deepEqual([c.pendA, c.pendB], [[-1, WSA_IO_PENDING], [-1, WSA_IO_PENDING]]);
    assert.equal(c.InternalA, STATUS_PENDING, 'Internal is STATUS_PENDING while in flight');
    assert.equal(c.inFlight, 2);
    assert.equal(c.none.error, WAIT_TIMEOUT);
    assert.equal(c.cancelA, true);
    assert.equal(c.InternalAAfter, STATUS_CANCELLED);
    assert.equal(c.InternalBAfter, STATUS_PENDING);
    assert.deepEqual(c.packetA, { ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0, key: 3, overlapped: 'a' });
    assert.deepEqual(c.cancelAAgain, [false, ERROR_NOT_FOUND]);
    assert.deepEqual(c.cancelOther, [false, ERROR_NOT_FOUND], 'an object with nothing in flight is not found');
    assert.deepEqual(c.gorA, [false, ERROR_OPERATION_ABORTED]);
    assert.deepEqual(c.gorB, [false, WSA_IO_INCOMPLETE]);
    assert.equal(c.cancelAll, true);
    assert.deepEqual(c.packetB, { ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0, key: 3, overlapped: 'b' });
    // Windows: FALSE + ERROR_NOT_FOUND when nothing is left (CancelIoEx page); Wine 8 answers TRUE.
    assert.deepEqual(c.cancelNothing, [true, 0xdead]);
    assert.deepEqual(c.stats, { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false }, 'memory released');
  });

  test('CancelIo: each routine runs once with WSA_OPERATION_ABORTED in the next alertable wait', () => {
    const r = o.cancel.routines;
    assert.equal(r.cancelIo, true);
    assert.equal(r.before, 0);
    assert.equal(r.sleep, WAIT_IO_COMPLETION);
    // Wine 8 runs them newest first; the order on Windows is not documented.
    assert.deepEqual([...r.calls].sort((x, y) => x[2] - y[2]), [[ERROR_OPERATION_ABORTED, 0, 0], [ERROR_OPERATION_ABORTED, 0, 1]]);
    assert.deepEqual(r.stats, { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false });
  });

  test('closesocket completes a pending operation with STATUS_CANCELLED (packet ERROR_OPERATION_ABORTED)', () => {
    assert.deepEqual(o.cancel.closed, {
      ok: false, error: ERROR_OPERATION_ABORTED, bytes: 0, key: 9, overlapped: 'ovClosed', Internal: STATUS_CANCELLED,
    });
  });

  test('WSAEventSelect FD_READ signals the event; WSAEnumNetworkEvents reports and resets; async wait sees new data', () => {
    assert.deepEqual(o.eventSelect, {
      select: 0, before: WAIT_TIMEOUT, wait: 0, enumResult: 0, events: FD_READ, readError: 0, after: WAIT_TIMEOUT,
      asyncWait: 0, asyncEnum: FD_READ,
    });
  });

  test('PostQueuedCompletionStatus carries the caller\'s object (or null) back, also to the async dequeue', () => {
    assert.deepEqual(o.posted.withObject, { ok: true, error: 0xdead, bytes: 7, key: 70, overlapped: 'ovPosted' });
    assert.deepEqual(o.posted.withNull, { ok: true, error: 0xdead, bytes: 8, key: 80, overlapped: null });
    assert.deepEqual(o.posted.asyncPosted, { result: true, ok: true, error: 0, bytes: 9, key: 90, overlapped: 'ovLater' });
    assert.equal(o.posted.stats.blocks, 0, 'posted objects\' blocks are freed at dequeue');
  });

  test('overlappedId: a non-zero number per object, the same before and after its packet; NULL is 0 with ERROR_INVALID_PARAMETER', () => {
    assert.deepEqual(o.overlappedIds, { positive: true, stable: true, distinct: true, afterPacket: true, nullId: 0, nullError: ERROR_INVALID_PARAMETER });
  });

  test('async twins: SleepExAsync runs routines, times out with 0; waits and dequeues time out as the sync ones', () => {
    assert.deepEqual(o.async.sleepRoutine, [WAIT_IO_COMPLETION, 1]);
    assert.equal(o.async.sleepNothing, 0);
    assert.equal(o.async.sleepZero, 0);
    assert.equal(o.async.waitTimeout, WAIT_TIMEOUT);
    assert.deepEqual(o.async.gqcsTimeout, { result: false, error: WAIT_TIMEOUT, overlappedNull: true, bytes: 0xbad });
    assert.deepEqual(o.async.gorWait, [false, ERROR_OPERATION_ABORTED, STATUS_CANCELLED]);
  });

  test('Wine: a routine on a port-associated socket (FIONREAD: an extra packet; FIONBIO: WSAEINVAL)', () => {
    // Wine 8 passes the routine as the completion value: FIONREAD's packet carries the routine's
    // address (ours) as lpOverlapped, which maps to no WSAOVERLAPPED, and the routine runs as well;
    // FIONBIO refuses the APC + port combination with WSAEINVAL (NT's STATUS_INVALID_PARAMETER).
    const WSAEINVAL = 10022;
    assert.deepEqual(o.routineWithPort, {
      result: 0, packet: { ok: true, error: 0xdead, bytes: 0, key: 123, overlapped: null }, fionbio: [-1, WSAEINVAL],
      sleep: WAIT_IO_COMPLETION, calls: 1,
    });
  });

  test('no exception escapes; NULL out-parameters give errors instead of access violations', () => {
    assert.deepEqual(o.guards, {
      wait: [0xffffffff, ERROR_INVALID_PARAMETER],
      sleep: 0,
      gqcsNull: [false, ERROR_INVALID_PARAMETER],
      gqcsNullBadPort: [false, ERROR_INVALID_HANDLE],
      enumNull: [-1, WSAEFAULT],
      gorBadSocket: [false, WSAENOTSOCK],
    });
  });

  test('everything is released: no native block left, the callback unregistered', () => {
    assert.deepEqual(o.final, { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false });
  });

  test('async waits with nothing pending do not keep the process alive', async () => {
    const run = await runProbe(`(${exitProbe.toString()})(${JSON.stringify(backendModule)}, 'idle');\n`, 30_000);
    assert.equal(run.timedOut, false, 'the process did not exit by itself');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'waiting');
  });

  test('an async wait on a port with an operation in flight keeps the process alive until it completes', async () => {
    const run = await runProbe(`(${exitProbe.toString()})(${JSON.stringify(backendModule)}, 'pending');\n`, 30_000);
    assert.equal(run.timedOut, false, 'the process did not exit by itself');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['waiting', `port false ${ERROR_OPERATION_ABORTED} true`]);
  });
});

describe('Windows backend, async twins on the real completion (libuv pool), under Wine', { skip: unavailable ?? false }, () => {
  let p: PoolProbe;
  const pool = (onPool: number, polling = 0): WaitStats => ({ polling, onPool, timerArmed: polling > 0 });

  before(async () => {
    const args = [backendModule, pollerModule, ws2Module, nativeModule, kitModule].map((path) => JSON.stringify(path)).join(', ');
    const run = await runProbe(`(${poolProbe.toString()})(${args});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    p = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as PoolProbe;
  });

  test('GetQueuedCompletionStatusAsync waits on the pool, no poll armed, and a post nothing here announced ends it', () => {
    assert.deepEqual(p.posted, {
      during: pool(1), atPost: pool(1), result: true, bytes: 5, key: 6, overlapped: null, after: pool(0),
    });
  });

  test('a failed packet dequeued on the pool: FALSE, the caller\'s object, ERROR_OPERATION_ABORTED as this thread\'s last error', () => {
    assert.deepEqual(p.aborted, { during: pool(1), result: false, error: ERROR_OPERATION_ABORTED, overlapped: 'ovAborted' });
  });

  test('a non-alertable WSAWaitForMultipleEventsAsync waits on the pool; an alertable one polls', () => {
    assert.deepEqual(p.event, { during: pool(1), result: 0 });
    assert.deepEqual(p.alertable, { during: pool(0, 1), result: 0 });
  });

  test('INFINITE with nothing in flight polls (holds nothing); with an operation in flight it waits on the pool', () => {
    assert.deepEqual(p.idleInfinite, { during: pool(0, 1), result: true, bytes: 3 });
    assert.deepEqual(p.busyInfinite, { during: pool(1), result: false, error: ERROR_OPERATION_ABORTED, overlapped: 'ovBusy' });
  });

  test('WSAGetOverlappedResultAsync on an operation with an event waits for that event on the pool', () => {
    assert.deepEqual(p.gorEvent, { during: pool(1), result: false, error: ERROR_OPERATION_ABORTED, Internal: STATUS_CANCELLED });
  });

  const poolSize = process.env.UV_THREADPOOL_SIZE;
  test('at most half of libuv\'s pool is taken: a third wait polls, all three get their packet', {
    skip: poolSize === undefined ? false : `UV_THREADPOOL_SIZE=${poolSize} changes the pool (4 threads: 2 for waits)`,
  }, () => {
    assert.deepEqual(p.slots, { during: pool(2, 1), results: [true, true, true], keys: [10, 11, 12] });
  });

  test('closing the port ends a dequeue on the pool: FALSE, lpOverlapped NULL', () => {
    // Windows ends the wait at once with ERROR_ABANDONED_WAIT_0; Wine 8 lets it run, and the next
    // slice finds the handle closed: ERROR_INVALID_HANDLE.
    const { error, ...rest } = p.closed;
    assert.deepEqual(rest, { during: pool(1), result: false, overlapped: null });
    assert.ok([ERROR_ABANDONED_WAIT_0, ERROR_INVALID_HANDLE].includes(error), `error ${error}`);
  });

  test('nothing left: no wait, no native block', () => {
    assert.deepEqual(p.final, { waits: pool(0), stats: { blocks: 0, inFlight: 0, routinesExpected: 0, callbackRegistered: false } });
  });
});
