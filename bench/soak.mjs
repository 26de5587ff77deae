// `npm run soak` (not part of CI): a long run of create / query / notify / close cycles on
// loopback through the public `wsaioctl/winsock` surface, printing RSS, heap and open fds once a
// minute; exits 1 when they grow beyond the bounds below (or a call fails unexpectedly). The
// transcript and verdict are also written to bench/SOAK.md (machine, date, duration).
//
//   node --expose-gc bench/soak.mjs [--minutes 10] [--every 60] [--warmup 30]
//
// One cycle: a TCP pair (connect to a listener kept for the whole run, accept) and a UDP socket;
// FIONREAD, SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY, SIO_TCP_INFO and
// SIO_KEEPALIVE_VALS on them; one overlapped SIO_ADDRESS_LIST_CHANGE, cancelled with CancelIoEx
// and collected through an event, a completion routine (SleepEx) or a completion port in turn
// (when the overlapped API is there); then everything is closed. Run after `npm run build`.
//
// Bounds, end of run against the first sample after the warm-up (memory after a full GC):
//   open fds: no growth at all; heap used: at most HEAP_BOUND_MIB; RSS (median of the last three
//   samples): at most RSS_BOUND_MIB.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import * as ws from '../dist/winsock/index.js';

const HEAP_BOUND_MIB = 4;
const RSS_BOUND_MIB = 32;
/** An upper bound on cycles whatever the time (every loop is bounded in count and time). */
const MAX_CYCLES = 1e9;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

const minutes = option('minutes', 10);
const everyMs = option('every', 60) * 1000;
const durationMs = minutes * 60_000;
const warmupMs = Math.min(option('warmup', 30) * 1000, durationMs / 4);

const MiB = 1024 * 1024;
/** Everything printed, for bench/SOAK.md. */
const transcript = [];
const log = (line = '') => {
  transcript.push(line);
  console.log(line);
};
const fds = () => readdirSync('/proc/self/fd').length;
const gc = globalThis.gc ?? (() => {});
if (!globalThis.gc) log('(no --expose-gc: memory is sampled without a full GC first, expect noise)');

function sample() {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, fds: fds() };
}

// ---- what this backend has -----------------------------------------------------------------

const overlappedApi = ['WSACreateEvent', 'WSACloseEvent', 'WSAWaitForMultipleEvents', 'SleepEx', 'CreateIoCompletionPort',
  'GetQueuedCompletionStatus', 'CloseHandle', 'CancelIoEx'].filter((name) => typeof ws[name] !== 'function');
const notifyEnabled = overlappedApi.length === 0;

// ---- counters ------------------------------------------------------------------------------

const errors = new Map(); // "what: error name" -> count
const unsupported = new Set();
function failed(what, error = ws.WSAGetLastError()) {
  if (error === ws.WSAEOPNOTSUPP && what.startsWith('WSAIoctl')) {
    unsupported.add(what);
    return;
  }
  const key = `${what}: ${ws.errorName(error)}`;
  errors.set(key, (errors.get(key) ?? 0) + 1);
}
const errorCount = () => [...errors.values()].reduce((a, b) => a + b, 0);

// ---- one cycle -----------------------------------------------------------------------------

ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
if (ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16) || ws.listen(listener, 64)) {
  console.error(`listener: ${ws.errorName(ws.WSAGetLastError())}`);
  process.exit(1);
}
const listenerName = new Uint8Array(16);
ws.getsockname(listener, listenerName, { value: 16 });
const target = ws.sockaddr('127.0.0.1', ws.parseSockaddr(listenerName).port);

const bytes = { value: 0 };
const u32 = new Uint8Array(4);
const list = new Uint8Array(8192);
const route = new Uint8Array(128);
const loopback = ws.sockaddr('127.0.0.1', 0);
const tcpInfoV0 = Uint8Array.of(0, 0, 0, 0);
const tcpInfo = new Uint8Array(256);
const keepalive = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 60_000, keepaliveinterval: 1_000 });

function ioctl(what, s, code, input, output) {
  const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, output, output?.length ?? 0, bytes, null, null);
  if (rc !== 0) failed(`WSAIoctl ${what}`);
}

/** One overlapped SIO_ADDRESS_LIST_CHANGE, cancelled, collected through `path`. */
function notify(s, path) {
  const ov = new ws.WSAOVERLAPPED();
  let routineCalls = 0;
  let event = 0;
  let port = 0;
  try {
    if (path === 'event') {
      event = ws.WSACreateEvent();
      ov.hEvent = event;
    } else if (path === 'port') {
      port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE ?? -1, 0, 0, 0);
      if (!port || ws.CreateIoCompletionPort(s, port, 7, 0) !== port) return failed('CreateIoCompletionPort', ws.GetLastError());
    }
    const routine = path === 'routine' ? () => { routineCalls++; } : null;
    const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, bytes, ov, routine);
    if (rc === 0) return; // a change happened to be there: nothing to cancel
    if (ws.WSAGetLastError() !== ws.WSA_IO_PENDING) return failed(`WSAIoctl SIO_ADDRESS_LIST_CHANGE (${path})`);
    if (!ws.CancelIoEx(s, ov)) return failed('CancelIoEx', ws.GetLastError());
    if (path === 'event') {
      if (ws.WSAWaitForMultipleEvents(1, [event], true, 1000, false) !== 0) failed('WSAWaitForMultipleEvents');
    } else if (path === 'routine') {
      for (let i = 0; i < 100 && routineCalls === 0; i++) ws.SleepEx(10, true);
      if (routineCalls !== 1) failed('completion routine', 0);
    } else {
      const n = { value: 0 };
      const key = { value: 0 };
      const got = { value: null };
      ws.GetQueuedCompletionStatus(port, n, key, got, 1000);
      if (got.value !== ov || key.value !== 7) failed('GetQueuedCompletionStatus', ws.GetLastError());
    }
    if ((ov.Internal >>> 0) !== ws.STATUS_CANCELLED) failed(`cancelled status (${path})`, 0);
  } finally {
    if (event) ws.WSACloseEvent(event);
    if (port) ws.CloseHandle(port);
  }
}

const PATHS = ['event', 'routine', 'port'];

function cycle(i) {
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  const udp = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  let server = ws.INVALID_SOCKET;
  try {
    if (client === ws.INVALID_SOCKET || udp === ws.INVALID_SOCKET) return failed('socket');
    // Loopback connect to a listening socket completes at once; the accept is then immediate.
    if (ws.connect(client, target, 16) !== 0) return failed('connect');
    server = ws.accept(listener, null, null);
    if (server === ws.INVALID_SOCKET) return failed('accept');
    if (ws.send(client, u32, 4, 0) !== 4) failed('send');
    ioctl('FIONREAD', server, ws.FIONREAD, null, u32);
    ioctl('FIONREAD', udp, ws.FIONREAD, null, u32);
    ioctl('SIO_ADDRESS_LIST_QUERY', udp, ws.SIO_ADDRESS_LIST_QUERY, null, list);
    ioctl('SIO_ROUTING_INTERFACE_QUERY', udp, ws.SIO_ROUTING_INTERFACE_QUERY, loopback, route);
    ioctl('SIO_TCP_INFO', server, ws.SIO_TCP_INFO, tcpInfoV0, tcpInfo);
    ioctl('SIO_KEEPALIVE_VALS', client, ws.SIO_KEEPALIVE_VALS, keepalive, null);
    if (notifyEnabled) notify(udp, PATHS[i % PATHS.length]);
  } finally {
    for (const s of [client, server, udp]) if (s !== ws.INVALID_SOCKET && ws.closesocket(s) !== 0) failed('closesocket');
  }
}

// ---- the run -------------------------------------------------------------------------------

const fmtMiB = (b) => `${(b / MiB).toFixed(1)} MiB`;
const clock = (ms) => `${String(Math.floor(ms / 60_000)).padStart(2)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;

log(`soak: ${minutes} min, sample every ${everyMs / 1000} s, baseline after ${(warmupMs / 1000).toFixed(0)} s; ` +
  `bounds: fds +0, heap +${HEAP_BOUND_MIB} MiB, RSS +${RSS_BOUND_MIB} MiB`);
log(notifyEnabled ? 'notify: overlapped SIO_ADDRESS_LIST_CHANGE + CancelIoEx (event / routine / port)' : `notify: skipped, waiting for the overlapped API (missing: ${overlappedApi.join(', ')})`);

const start = Date.now();
let baseline = null;
let nextSample = start + everyMs;
let cycles = 0;
let lastCycles = 0;
let lastTime = start;
const samples = [];

function report(now, label) {
  const s = sample();
  const rate = ((cycles - lastCycles) * 1000) / Math.max(1, now - lastTime);
  lastCycles = cycles;
  lastTime = now;
  samples.push(s);
  log(`[${clock(now - start)}] ${label.padEnd(8)} cycles ${String(cycles).padStart(9)} (${rate.toFixed(0)}/s)  ` +
    `rss ${fmtMiB(s.rss).padStart(10)}  heap ${fmtMiB(s.heap).padStart(9)}  fds ${s.fds}  errors ${errorCount()}`);
  return s;
}

report(start, 'start');
for (; cycles < MAX_CYCLES; cycles++) {
  // Time is looked at every few cycles only (Date.now() is cheap, but not free).
  if ((cycles & 15) === 0) {
    const now = Date.now();
    if (now - start >= durationMs) break;
    if (!baseline && now - start >= warmupMs) baseline = report(now, 'baseline');
    if (now >= nextSample) {
      report(now, 'sample');
      nextSample += everyMs;
    }
  }
  cycle(cycles);
}
const end = report(Date.now(), 'end');
ws.closesocket(listener);
ws.WSACleanup();

baseline ??= samples[0];
// RSS moves by tens of MiB between samples (allocator, GC timing): the end value is the median of
// the last three samples after the baseline, which a steady leak still raises.
const afterBaseline = samples.slice(samples.indexOf(baseline) + 1).slice(-3).map((x) => x.rss).sort((a, b) => a - b);
const endRss = afterBaseline.length ? afterBaseline[Math.floor(afterBaseline.length / 2)] : end.rss;
const growth = { fds: end.fds - baseline.fds, heap: end.heap - baseline.heap, rss: endRss - baseline.rss };
const verdicts = [
  [`fds ${growth.fds >= 0 ? '+' : ''}${growth.fds} (bound +0)`, growth.fds <= 0],
  [`heap ${growth.heap >= 0 ? '+' : ''}${fmtMiB(growth.heap)} (bound +${HEAP_BOUND_MIB} MiB)`, growth.heap <= HEAP_BOUND_MIB * MiB],
  [`RSS ${growth.rss >= 0 ? '+' : ''}${fmtMiB(growth.rss)} (bound +${RSS_BOUND_MIB} MiB)`, growth.rss <= RSS_BOUND_MIB * MiB],
  [`unexpected errors ${errorCount()}`, errorCount() === 0],
];
log(`\n${cycles} cycles in ${((Date.now() - start) / 60_000).toFixed(1)} min; growth since baseline:`);
for (const [text, good] of verdicts) log(`  ${good ? 'ok  ' : 'FAIL'} ${text}`);
for (const [what, n] of errors) log(`  error: ${what} x${n}`);
if (unsupported.size) log(`  not implemented on this backend (skipped, not errors): ${[...unsupported].join(', ')}`);
const passed = verdicts.every(([, good]) => good);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}`;
writeFileSync(new URL('./SOAK.md', import.meta.url), [
  '# Soak run',
  '',
  `Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}. Produced by \`npm run soak\` (${minutes} min): ${passed ? 'flat, within the bounds' : 'FAILED a bound'}.`,
  '',
  '```',
  ...transcript,
  '```',
  '',
].join('\n'));
process.exit(passed ? 0 : 1);
