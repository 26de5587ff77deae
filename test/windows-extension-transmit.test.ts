/**
 * TransmitFile, TransmitPackets, CreateFileW / CloseHandle and `_get_osfhandle` on the Windows
 * backend, run for real: a probe runs under the Windows node.exe in Wine, calls the backend, and
 * prints what it sees as JSON. Skipped, with the reason, when scripts/wine/setup.sh cannot prepare
 * Wine on this machine.
 *
 * What the backend itself must get right is checked here: the native TRANSMIT_FILE_BUFFERS and
 * its head / tail bytes kept until completion, mswsock's TransmitFile reached by its export, the
 * HANDLE behind a Node fd (node.exe's uv_get_osfhandle) that CloseHandle leaves open, and
 * TransmitPackets through SIO_GET_EXTENSION_FUNCTION_POINTER (Wine has none: WSAEOPNOTSUPP, see
 * conformance/wine-differences.json). Windows (here Wine's ws2_32) decides every result; each
 * rule cites its source (Wine's dlls/ws2_32/tests/sock.c test_TransmitFile).
 * Network use: loopback only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WinsockCore } from '../dist/winsock/api.js';
import {
  ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, WSA_IO_PENDING, WSAENOTCONN, WSAENOTSOCK, WSAEOPNOTSUPP,
} from '../dist/errors/index.js';
import { prepareWine, runProbeSource } from './helpers/wine.js';
import type { Packet } from './helpers/wine-probe.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendModule = join(repoRoot, 'dist', 'backend', 'windows', 'index.js');
const nativeModule = join(repoRoot, 'dist', 'backend', 'windows', 'native-overlapped.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');

const PROBE_TIMEOUT_MS = 120_000;

interface Stats { blocks: number; inFlight: number; routinesExpected: number; callbackRegistered: boolean }

/** Observations made under Wine; see the tests for what each field means. */
interface Probe {
  notFound: [number, number];
  notSocket: [boolean, number];
  unconnectedReuse: [boolean, number];
  udp: [boolean, number];
  buffersOnly: { result: boolean; text: string };
  overlapped: { result: boolean; error: number; gor: [boolean, number]; equal: boolean; received: number };
  port: { result: boolean; error: number; packet: Packet; equal: boolean };
  fromFd: { handle: number; same: boolean; result: boolean; equal: boolean; closed: boolean; fdStillOpen: boolean; badFd: [number, number] };
  packets: [boolean, number];
  final: Stats;
}

/** The probe, run by the Windows node. Serialised with toString(): self-contained. */
async function probe(backendPath: string, nativePath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const { nativeStats } = (await import(nativePath)) as { nativeStats: () => Stats };
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { AF_INET, SOCK_STREAM, SOCK_DGRAM, IPPROTO_TCP, IPPROTO_UDP } = kit;
  const { fresh, packet, pair, queued } = kit.probeKit(ws);
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const GENERIC_READ = 0x80000000, FILE_SHARE_READ = 1, OPEN_EXISTING = 3, FILE_ATTRIBUTE_NORMAL = 0x80;
  const FILE_FLAG_OVERLAPPED = 0x40000000, TF_REUSE_SOCKET = 2, TP_ELEMENT_MEMORY = 1;
  const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsaioctl-transmit-'));
  const bytes = new Uint8Array(100000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  const file = path.join(dir, 'data.bin');
  fs.writeFileSync(file, bytes);
  /** Everything `s` can read within a bound, until `n` bytes came. */
  const readAll = (s: number, n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let got = 0;
    for (let i = 0; i < 400 && got < n; i++) {
      if (queued(s, 1) === 0) continue;
      const r = ws.recv(s, out.subarray(got), n - got, 0);
      if (r <= 0) break;
      got += r;
    }
    return out.subarray(0, got);
  };
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

  const notFound: [number, number] = [ws.CreateFileW(path.join(dir, 'missing.bin'), GENERIC_READ, FILE_SHARE_READ, null, OPEN_EXISTING, 0, 0), ws.GetLastError()];
  const h = ws.CreateFileW(file, GENERIC_READ, FILE_SHARE_READ, null, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED, 0);

  const notSocket: [boolean, number] = [ws.TransmitFile(0xfff0, 0, 0, 0, null, null, 0), ws.WSAGetLastError()];
  const lone = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const unconnectedReuse: [boolean, number] = [ws.TransmitFile(lone, 0, 0, 0, null, null, TF_REUSE_SOCKET), ws.WSAGetLastError()];
  ws.closesocket(lone);
  const u = ws.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  const udp: [boolean, number] = [ws.TransmitFile(u, 0, 0, 0, null, null, 0), ws.WSAGetLastError()];
  ws.closesocket(u);

  const [c1, s1] = pair();
  const head = encode('hello world!');
  const tail = encode('goodbye now');
  const buffersResult = ws.TransmitFile(c1, 0, 0, 0, null, { Head: head, HeadLength: 12, Tail: tail, TailLength: 11 }, 0);
  const buffersOnly = { result: buffersResult, text: new TextDecoder().decode(readAll(s1, 23)) };

  const ev = ws.WSACreateEvent();
  const ov = { ...fresh(ev), Offset: 10 };
  const ovResult = ws.TransmitFile(c1, h, 0, 0, ov, null, 0);
  const ovError = ws.WSAGetLastError();
  const received = readAll(s1, bytes.length - 10);
  const count = { value: 0 };
  const gorOk = ws.WSAGetOverlappedResult(c1, ov, count, true, { value: 0 });
  const overlapped = { result: ovResult, error: ovError, gor: [gorOk, count.value] as [boolean, number], equal: same(received, bytes.subarray(10)), received: received.length };
  ws.WSACloseEvent(ev);

  const [c2, s2] = pair();
  const port = ws.CreateIoCompletionPort(c2, 0, 99, 0);
  const ovPort = fresh(0);
  const portResult = ws.TransmitFile(c2, h, 5000, 0, ovPort, null, 0);
  const portError = ws.WSAGetLastError();
  const portData = readAll(s2, 5000);
  const portObs = { result: portResult, error: portError, packet: packet(port, 5000, { ovPort }), equal: same(portData, bytes.subarray(0, 5000)) };

  const fd = fs.openSync(file, 'r');
  const fh = ws._get_osfhandle(fd);
  const fdResult = ws.TransmitFile(c1, fh, 1000, 0, null, null, 0);
  const fdData = readAll(s1, 1000);
  const fromFd = {
    handle: fh, same: ws._get_osfhandle(fd) === fh, result: fdResult, equal: same(fdData, bytes.subarray(0, 1000)),
    closed: ws.CloseHandle(fh), fdStillOpen: ((): boolean => { try { fs.fstatSync(fd); return true; } catch { return false; } })(),
    badFd: [ws._get_osfhandle(12345), ws.GetLastError()] as [number, number],
  };
  fs.closeSync(fd);

  const packets: [boolean, number] = [ws.TransmitPackets(c1, [{ dwElFlags: TP_ELEMENT_MEMORY, cLength: 2, pBuffer: encode('hi') }], 1, 0, null, 0), ws.WSAGetLastError()];

  for (const s of [c1, s1, c2, s2]) ws.closesocket(s);
  ws.CloseHandle(port);
  ws.CloseHandle(h);
  fs.rmSync(dir, { recursive: true, force: true });
  const out: Probe = { notFound, notSocket, unconnectedReuse, udp, buffersOnly, overlapped, port: portObs, fromFd, packets, final: nativeStats() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  ws.WSACleanup();
}

const runProbe = (source: string) => runProbeSource(source, PROBE_TIMEOUT_MS);

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows transmit tests: ${unavailable}`);

describe('Windows backend, TransmitFile / TransmitPackets / file handles, under Wine', { skip: unavailable ?? false }, () => {
  let o: Probe;

  before(async () => {
    const run = await runProbe(`(${probe.toString()})(${JSON.stringify(backendModule)}, ${JSON.stringify(nativeModule)}, ${JSON.stringify(kitModule)});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    o = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
  });

  test('CreateFileW of a missing file: INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND (CreateFileW page)', () => {
    assert.deepEqual(o.notFound, [-1, ERROR_FILE_NOT_FOUND]);
  });

  test('validation: not a socket WSAENOTSOCK; unconnected TCP with TF_REUSE_SOCKET WSAENOTCONN; UDP WSAENOTCONN (Wine sock.c test_TransmitFile)', () => {
    assert.deepEqual(o.notSocket, [false, WSAENOTSOCK]);
    assert.deepEqual(o.unconnectedReuse, [false, WSAENOTCONN]);
    assert.deepEqual(o.udp, [false, WSAENOTCONN]);
  });

  test('head 12 and tail 11 bytes, no file: TRUE, the peer reads them in order (Wine sock.c test_TransmitFile)', () => {
    assert.deepEqual(o.buffersOnly, { result: true, text: 'hello world!goodbye now' });
  });

  test('overlapped with an event from Offset 10: pending, then size - 10 bytes, the file from offset 10 (Wine sock.c test_TransmitFile)', () => {
    assert.equal(o.overlapped.result, false);
    assert.equal(o.overlapped.error, WSA_IO_PENDING);
    assert.deepEqual(o.overlapped.gor, [true, 100000 - 10]);
    assert.equal(o.overlapped.received, 100000 - 10);
    assert.equal(o.overlapped.equal, true);
  });

  test('completion port: one packet with the bytes and the key; nNumberOfBytesToWrite honoured', () => {
    assert.equal(o.port.result, false);
    assert.equal(o.port.error, WSA_IO_PENDING);
    assert.deepEqual(o.port.packet, { ok: true, error: 0xdead, bytes: 5000, key: 99, overlapped: 'ovPort' });
    assert.equal(o.port.equal, true);
  });

  test('_get_osfhandle: libuv\'s HANDLE for a Node fd, the same each time; TransmitFile sends from it; CloseHandle leaves the fd open; a closed fd: ERROR_INVALID_HANDLE', () => {
    assert.ok(o.fromFd.handle > 0);
    assert.equal(o.fromFd.same, true);
    assert.equal(o.fromFd.result, true);
    assert.equal(o.fromFd.equal, true);
    assert.equal(o.fromFd.closed, true);
    assert.equal(o.fromFd.fdStillOpen, true);
    assert.deepEqual(o.fromFd.badFd, [-1, ERROR_INVALID_HANDLE]);
  });

  test('TransmitPackets: Wine hands out no pointer for WSAID_TRANSMITPACKETS, so FALSE with WSAEOPNOTSUPP (conformance/wine-differences.json)', () => {
    assert.deepEqual(o.packets, [false, WSAEOPNOTSUPP]);
  });

  test('every native block is freed once the operations are over', () => {
    assert.equal(o.final.inFlight, 0);
    assert.equal(o.final.blocks, 0);
  });
});
