// Per-call cost of WSAIoctl for the benchmarked control codes, through the public
// `wsaioctl/winsock` surface of whichever backend this process gets (the Linux emulation, or the
// real ws2_32.dll when run by the Windows node under Wine). On Linux it also times, for each code,
// the same system calls the emulation makes (bench/c/syscalls.c makes them from C), made through
// koffi with the library's own bindings (dist/backend/linux/host/libc.js) and nothing else: the
// "native" cases, which tell koffi's cost apart from the emulation's own JS. Each native case is
// timed in the same rounds as its code, interleaved, so both see the same machine load.
// Prints one JSON object: { backend, "<case>": ns per call (median of rounds), "native:<case>": ns }.
// Loopback only.
import * as ws from '../dist/winsock/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 40);

/** Iterations of `fn` that take about ROUND_MS. */
function calibrate(fn) {
  for (let iterations = 1; ; iterations *= 4) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= ROUND_MS / 4 || iterations >= 1 << 22) return Math.max(1, Math.round((iterations * ROUND_MS) / Math.max(ms, 0.001)));
  }
}

/**
 * Median over rounds of the mean time per call, for each function of `fns` (name -> fn); the
 * rounds of the functions alternate, so a change in machine load falls on all of them alike.
 */
function measure(fns) {
  const entries = Object.entries(fns).map(([name, fn]) => ({ name, fn, iterations: calibrate(fn), rounds: [] }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const e of entries) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < e.iterations; i++) e.fn();
      e.rounds.push(Number(process.hrtime.bigint() - start) / e.iterations);
    }
  }
  return Object.fromEntries(entries.map((e) => {
    e.rounds.sort((a, b) => a - b);
    return [e.name, Math.round(e.rounds[Math.floor(e.rounds.length / 2)] * 10) / 10];
  }));
}

function check(rc, what) {
  if (rc !== 0) throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
}

ws.WSAStartup(0x0202, ws.newWSADATA());
const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
check(ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16), 'bind');
check(ws.listen(listener, 1), 'listen');
const name = new Uint8Array(16);
ws.getsockname(listener, name, { value: 16 });
const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
check(ws.connect(client, ws.sockaddr('127.0.0.1', ws.parseSockaddr(name).port), 16), 'connect');
const server = ws.accept(listener, null, null);
ws.send(client, new TextEncoder().encode('hello'), 5, 0);
const udp = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);

const bytes = { value: 0 };
const u32 = new Uint8Array(4);
const arg = { value: 1 };
const keepalive = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 30000, keepaliveinterval: 1000 });
const version1 = Uint8Array.from([1, 0, 0, 0]);
const tcpInfo = new Uint8Array(136);
const list = new Uint8Array(8192);
const destination = ws.sockaddr('127.0.0.1', 0);
const source = new Uint8Array(16);

const cases = {
  FIONREAD: () => ws.WSAIoctl(server, ws.FIONREAD, null, 0, u32, 4, bytes, null, null),
  FIONBIO: () => ws.ioctlsocket(server, ws.FIONBIO, arg),
  SIO_KEEPALIVE_VALS: () => ws.WSAIoctl(server, ws.SIO_KEEPALIVE_VALS, keepalive, 12, null, 0, bytes, null, null),
  SIO_TCP_INFO: () => ws.WSAIoctl(server, ws.SIO_TCP_INFO, version1, 4, tcpInfo, 136, bytes, null, null),
  SIO_ADDRESS_LIST_QUERY: () => ws.WSAIoctl(udp, ws.SIO_ADDRESS_LIST_QUERY, null, 0, list, list.length, bytes, null, null),
  SIO_ROUTING_INTERFACE_QUERY: () => ws.WSAIoctl(udp, ws.SIO_ROUTING_INTERFACE_QUERY, destination, 16, source, 16, bytes, null, null),
};

// Completion ports and events (the emulation only: the process-wide objects of
// docs/process-wide-handles.md, whose per-call cost issue 16 bounds). A case returns 0 when its
// calls did what they should.
const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
const event = ws.WSACreateEvent();
const overlapped = new ws.WSAOVERLAPPED();
const got = { value: null };
const key = { value: 0 };
if (ws.backendName === 'linux-emulation') {
  Object.assign(cases, {
    'PostQueuedCompletionStatus+GetQueuedCompletionStatus': () =>
      (ws.PostQueuedCompletionStatus(port, 64, 7, overlapped) && ws.GetQueuedCompletionStatus(port, bytes, key, got, 0) && got.value === overlapped ? 0 : 1),
    'GetQueuedCompletionStatus(0) empty': () => (!ws.GetQueuedCompletionStatus(port, bytes, key, got, 0) && ws.GetLastError() === ws.WAIT_TIMEOUT ? 0 : 1),
    'WSASetEvent+WSAResetEvent': () => (ws.WSASetEvent(event) && ws.WSAResetEvent(event) ? 0 : 1),
  });
}

const natives = ws.backendName === 'linux-emulation'
  ? (await import('./native-calls.mjs')).nativeCalls((await import('../dist/backend/linux/win32/socket-state.js')).lookupSocket(server).fd)
  : {};

const only = process.argv.slice(2);
const results = { backend: ws.backendName };
for (const [caseName, fn] of Object.entries(cases)) {
  if (only.length && !only.includes(caseName)) continue;
  // A code this backend does not serve is reported, not timed.
  if (fn() !== 0) { results[caseName] = { error: ws.errorName(ws.WSAGetLastError()) }; continue; }
  const native = natives[caseName];
  const timed = measure(native ? { [caseName]: fn, [`native:${caseName}`]: native } : { [caseName]: fn });
  Object.assign(results, timed);
}
// What one system call costs the JS that runs after it (the emulation only): FIONBIO makes none,
// timed alone and right after a getpid() made through koffi, in the same rounds.
if (ws.backendName === 'linux-emulation' && (only.length === 0 || only.includes('after a system call'))) {
  const { getpid } = await import('../dist/backend/linux/host/libc.js');
  const fionbio = cases.FIONBIO;
  Object.assign(results, measure({
    'after a system call:getpid': () => getpid(),
    'after a system call:FIONBIO': fionbio,
    'after a system call:getpid, then FIONBIO': () => (getpid(), fionbio()),
  }));
}
for (const s of [client, server, listener, udp]) ws.closesocket(s);
ws.CloseHandle(port);
ws.WSACloseEvent(event);
ws.WSACleanup();
process.stdout.write(JSON.stringify(results) + '\n');
