/**
 * The Windows backend (a pass-through to ws2_32.dll) run for real: a probe script runs under the
 * Windows node.exe in Wine, calls the backend, and prints its observations as JSON. Skipped,
 * with the reason, when scripts/wine/setup.sh cannot prepare Wine on this machine.
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

// This file runs from dist-test/ (and type-checks from test/): both sit in the repository root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendModule = join(repoRoot, 'dist', 'backend', 'windows', 'index.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');

const PROBE_TIMEOUT_MS = 90_000;

const WSAEFAULT = 10014;
const WSAEINVAL = 10022;
const WSAEWOULDBLOCK = 10035;
const WSAENOTSOCK = 10038;
const WSAEOPNOTSUPP = 10045;
const WSANOTINITIALISED = 10093;


/** Observations made under Wine; one field per check. */
interface Probe {
  beforeStartup: { socket: number; error: number; cleanup: number; cleanupError: number };
  /** [result, last error] of more functions called before WSAStartup (the one startup check). */
  refusedBeforeStartup: Record<string, [number | boolean, number]>;
  adopt: { result: number; error: number };
  startup: { result: number; wVersion: number; szDescription: string };
  socket: number;
  fionread: { result: number; value: number; bytesReturned: number };
  nullBytesReturned: { result: number; error: number };
  shortOutBuffer: { result: number; error: number; bufferUntouched: boolean };
  unknownCode: { result: number; error: number };
  overlapped: { result: number; error: number };
  pair: { accepted: number; sent: number; fionread: number };
  /** Hostile arguments, each refused before the native call (no overrun, nothing consumed). */
  hardening: {
    frozenAddrlen: { result: number; error: number };
    arrayBufferRecv: { result: number; error: number };
    lyingLength: { result: number; error: number };
    frozenBytesReturned: { result: number; error: number };
    dataStillThere: number;
  };
  fionbio: { result: number; recv: number; recvError: number };
  closesocket: number;
  closedHandle: { result: number; error: number };
  cleanup: number;
}

/**
 * The probe, run by the Windows node. Serialised with toString(), so it must be self-contained:
 * no references to anything outside its own body; shared probe helpers come from the kit module
 * it imports at run time (helpers/wine-probe.ts).
 */
async function probe(backendPath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { AF_INET, SOCK_STREAM, IPPROTO_TCP } = kit;
  const { loopback } = kit.probeKit(ws);
  const FIONREAD = 0x4004667f;
  const FIONBIO = 0x8004667e;
  const fionread = (s: number) => {
    const out = new Uint8Array(4);
    const bytesReturned = { value: 0xdead };
    const result = ws.WSAIoctl(s, FIONREAD, null, 0, out, 4, bytesReturned, null, null);
    return { result, value: new DataView(out.buffer).getUint32(0, true), bytesReturned: bytesReturned.value };
  };
  const failure = (result: number) => ({ result, error: ws.WSAGetLastError() });
  const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

  const beforeStartup = {
    socket: ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP),
    error: ws.WSAGetLastError(),
    cleanup: ws.WSACleanup(),
    cleanupError: ws.WSAGetLastError(),
  };
  const refused = (result: number | boolean): [number | boolean, number] => [result, ws.WSAGetLastError()];
  const ov = { Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: 0 };
  const refusedBeforeStartup = {
    WSAIoctl: refused(ws.WSAIoctl(1, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, null, null)),
    getsockopt: refused(ws.getsockopt(1, 0xffff, 0x1008, new Uint8Array(4), { value: 4 })),
    send: refused(ws.send(1, new Uint8Array(1), 1, 0)),
    WSAEventSelect: refused(ws.WSAEventSelect(1, 0, 0)),
    WSAEnumNetworkEvents: refused(ws.WSAEnumNetworkEvents(1, 0, null)),
    WSAGetOverlappedResult: refused(ws.WSAGetOverlappedResult(1, ov, { value: 0 }, false, { value: 0 })),
  };
  const data = { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 };
  const startup = { result: ws.WSAStartup(0x0202, data), wVersion: data.wVersion, szDescription: data.szDescription };

  const s = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const shortOut = new Uint8Array(2).fill(0xab);
  const results = {
    beforeStartup,
    refusedBeforeStartup,
    adopt: failure(ws.adoptNodeHandle(() => 3, 0, 0, 0)),
    startup,
    socket: s,
    fionread: fionread(s),
    nullBytesReturned: failure(ws.WSAIoctl(s, FIONREAD, null, 0, new Uint8Array(4), 4, null, null, null)),
    shortOutBuffer: {
      ...failure(ws.WSAIoctl(s, FIONREAD, null, 0, shortOut, 4, { value: 0 }, null, null)),
      bufferUntouched: shortOut.every((byte) => byte === 0xab),
    },
    unknownCode: failure(ws.WSAIoctl(s, 0x4004ffee, null, 0, new Uint8Array(4), 4, { value: 0 }, null, null)),
    overlapped: failure(ws.WSAIoctl(s, FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, {
      Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: 0,
    }, null)),
  };

  // A connected loopback pair: s connects to a listener, `accepted` is the server side.
  const listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  ws.bind(listener, loopback(0), 16);
  ws.listen(listener, 1);
  const name = new Uint8Array(16);
  ws.getsockname(listener, name, { value: 16 });
  ws.connect(s, loopback(new DataView(name.buffer).getUint16(2, false)), 16);
  const frozenAddrlen = failure(ws.accept(listener, new Uint8Array(16), Object.freeze({ value: 16 })));
  const accepted = ws.accept(listener, null, null); // the connection was not taken by the refusal
  const sent = ws.send(s, new TextEncoder().encode('hello'), 5, 0);
  let queued = fionread(accepted).value;
  for (let tries = 0; queued < sent && tries < 100; tries++) { // bounded: 1 s at most
    sleep(10);
    queued = fionread(accepted).value;
  }
  const pair = { accepted, sent, fionread: queued };
  class Lying extends Uint8Array {
    override get byteLength(): number { return 1 << 20; }
    override get length(): number { return 1 << 20; }
  }
  const hardening = {
    frozenAddrlen,
    arrayBufferRecv: failure(ws.recv(accepted, new ArrayBuffer(16) as unknown as Uint8Array, 4096, 0)),
    lyingLength: failure(ws.recv(accepted, new Lying(16), 4096, 0)),
    frozenBytesReturned: failure(ws.WSAIoctl(accepted, FIONREAD, null, 0, new Uint8Array(4), 4, Object.freeze({ value: 0 }), null, null)),
    dataStillThere: fionread(accepted).value,
  };

  const nonBlocking = { value: 1 };
  const fionbioResult = ws.ioctlsocket(accepted, FIONBIO, nonBlocking);
  ws.recv(accepted, new Uint8Array(16), 16, 0); // drains the 5 bytes
  const recvResult = ws.recv(accepted, new Uint8Array(16), 16, 0); // nothing left: would block
  const fionbio = { result: fionbioResult, recv: recvResult, recvError: ws.WSAGetLastError() };

  ws.closesocket(accepted);
  ws.closesocket(listener);
  const closed = ws.closesocket(s);
  const closedHandle = failure(fionread(s).result);
  const cleanup = ws.WSACleanup();
  console.log(JSON.stringify({ ...results, pair, hardening, fionbio, closesocket: closed, closedHandle, cleanup }));
}

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows backend tests: ${unavailable}`);

describe('Windows backend under Wine', { skip: unavailable ?? false }, () => {
  let observed: Probe;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-probe-'));
    try {
      const script = join(dir, 'probe.mjs');
      writeFileSync(script, `(${probe.toString()})(${JSON.stringify(backendModule)}, ${JSON.stringify(kitModule)});\n`);
      const run = await runUnderWine(script, [], { timeoutMs: PROBE_TIMEOUT_MS });
      assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
      assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
      observed = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('socket functions refuse before our WSAStartup, though libuv started Winsock', () => {
    assert.deepEqual(observed.beforeStartup, {
      socket: -1, error: WSANOTINITIALISED, cleanup: -1, cleanupError: WSANOTINITIALISED,
    });
  });

  test('the other functions refuse too: their failure value and WSANOTINITIALISED', () => {
    assert.deepEqual(observed.refusedBeforeStartup, {
      WSAIoctl: [-1, WSANOTINITIALISED],
      getsockopt: [-1, WSANOTINITIALISED],
      send: [-1, WSANOTINITIALISED],
      WSAEventSelect: [-1, WSANOTINITIALISED],
      WSAEnumNetworkEvents: [-1, WSANOTINITIALISED],
      WSAGetOverlappedResult: [false, WSANOTINITIALISED],
    });
  });

  test('adoptNodeHandle without `identify`: WSAEINVAL (Node reports no fd on Windows; node-api-windows.test.ts adopts with it)', () => {
    assert.deepEqual(observed.adopt, { result: -1, error: WSAEINVAL });
  });

  test('WSAStartup(2.2) fills WSADATA from the x64 layout', () => {
    assert.equal(observed.startup.result, 0);
    assert.equal(observed.startup.wVersion, 0x0202);
    assert.ok(observed.startup.szDescription.length > 0, 'szDescription is empty');
  });

  test('socket returns a handle', () => {
    assert.ok(Number.isSafeInteger(observed.socket) && observed.socket > 0, `socket = ${observed.socket}`);
  });

  test('FIONREAD on a fresh socket: 0 queued, 4 bytes returned', () => {
    assert.deepEqual(observed.fionread, { result: 0, value: 0, bytesReturned: 4 });
  });

  test('lpcbBytesReturned NULL: WSAEFAULT', () => {
    assert.deepEqual(observed.nullBytesReturned, { result: -1, error: WSAEFAULT });
  });

  test('output buffer shorter than cbOutBuffer: WSAEFAULT, buffer untouched', () => {
    assert.deepEqual(observed.shortOutBuffer, { result: -1, error: WSAEFAULT, bufferUntouched: true });
  });

  test('unknown control code fails', () => {
    // The WSAIoctl page documents WSAEINVAL; Wine 8 answers WSAEOPNOTSUPP.
    assert.equal(observed.unknownCode.result, -1);
    assert.ok([WSAEOPNOTSUPP, WSAEINVAL].includes(observed.unknownCode.error), `error ${observed.unknownCode.error}`);
  });

  test('overlapped FIONREAD completes at once (the overlapped part: windows-overlapped.test.ts)', () => {
    assert.deepEqual(observed.overlapped, { result: 0, error: 0 });
  });

  test('FIONREAD on a connected loopback pair counts the bytes sent', () => {
    assert.ok(observed.pair.accepted > 0, `accept = ${observed.pair.accepted}`);
    assert.equal(observed.pair.sent, 5);
    assert.equal(observed.pair.fionread, 5);
  });

  test('hostile arguments are refused before the native call: WSAEFAULT, nothing consumed', () => {
    assert.deepEqual(observed.hardening, {
      frozenAddrlen: { result: -1, error: WSAEFAULT },
      arrayBufferRecv: { result: -1, error: WSAEFAULT },
      lyingLength: { result: -1, error: WSAEFAULT },
      frozenBytesReturned: { result: -1, error: WSAEFAULT },
      dataStillThere: 5,
    });
  });

  test('ioctlsocket(FIONBIO) makes recv fail with WSAEWOULDBLOCK', () => {
    assert.deepEqual(observed.fionbio, { result: 0, recv: -1, recvError: WSAEWOULDBLOCK });
  });

  test('closesocket succeeds; the closed handle then gives WSAENOTSOCK', () => {
    assert.equal(observed.closesocket, 0);
    assert.deepEqual(observed.closedHandle, { result: -1, error: WSAENOTSOCK });
  });

  test('WSACleanup balances our WSAStartup', () => {
    assert.equal(observed.cleanup, 0);
  });
});
