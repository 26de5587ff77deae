// `npm run bench`: per-call cost of WSAIoctl against the same system calls made from C in the same
// run (built here with the system compiler), split into what each layer adds: the system calls
// (C), koffi (the same calls through the library's bindings and nothing else, bench/native-calls.mjs)
// and the emulation's own JS (the rest). The C and Node halves alternate RUNS times and each case
// takes the median, so a change in machine load falls on both. The same benchmark on the Windows
// backend (the real ws2_32.dll under Wine) is reported for comparison, without a target: how fast
// Wine is depends on the machine in other ways than the emulation. Prints the tables, writes
// bench/RESULTS.md and the charts bench/ratios.svg, bench/split.svg and bench/wine-speedup.svg.
// Run after `npm run build`. BENCH_SKIP_WINE=1 / BENCH_SKIP_NOTIFY=1 leave those halves out.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runUnderWine } from '../scripts/wine/run.mjs';
import { barChartSvg, stackedBarChartSvg } from './chart.mjs';
import { runNotify, notifyMarkdown } from './notify.mjs';
import { runEcho, echoMarkdown } from './echo-run.mjs';
import { runAccept, acceptMarkdown } from './accept-run.mjs';
import { keptBlock } from './kept-notes.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const OUT = here('./out/');
mkdirSync(OUT, { recursive: true });

/**
 * Targets (issue 20): the emulation's time over the time of the same system calls in C, at most.
 * Machine-independent: what the emulation adds is judged against what it has to call anyway.
 * FIONBIO makes no system call at all (Winsock's blocking mode is a flag the emulation keeps), so
 * it must not cost more than C's one ioctl.
 */
const C_TARGETS = {
  FIONREAD: 1.5,
  FIONBIO: 1,
  SIO_KEEPALIVE_VALS: 2,
  SIO_TCP_INFO: 2,
  SIO_ADDRESS_LIST_QUERY: 2,
  SIO_ROUTING_INTERFACE_QUERY: 2,
};
/**
 * The process-wide completion ports and events (issue 16), timed by calls.mjs on the emulation alone:
 * there is no C counterpart, so each run is shown next to what the in-thread implementation cost
 * before they became process-wide (docs/process-wide-handles.md §14: ranges of three runs on this
 * machine kind, measured then, not in this run).
 */
const SHARED_OBJECT_CASES = {
  'PostQueuedCompletionStatus+GetQueuedCompletionStatus': '154–221 ns',
  'GetQueuedCompletionStatus(0) empty': '2.29–2.52 µs',
  'WSASetEvent+WSAResetEvent': '19–22 ns',
};
/** C and Node halves alternate this many times; each case takes the median of the runs. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function buildC() {
  const exe = `${OUT}syscalls`;
  execFileSync('cc', ['-O2', '-o', exe, here('./c/syscalls.c')], { stdio: 'inherit' });
  return exe;
}

function runLinux() {
  const r = spawnSync(process.execPath, [here('./calls.mjs')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`calls.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function runWine() {
  if (process.env.BENCH_SKIP_WINE) return { unavailable: 'BENCH_SKIP_WINE set' };
  const setup = spawnSync('sh', [here('../scripts/wine/setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (setup.status !== 0) return { unavailable: 'Wine setup failed (see above)' };
  // Wine calls cost ~100 us: fewer, shorter rounds keep the run short.
  process.env.BENCH_ROUNDS = '7';
  const r = await runUnderWine(here('./calls.mjs'), [], { timeoutMs: 600_000 });
  delete process.env.BENCH_ROUNDS;
  if (r.code !== 0) return { unavailable: `calls.mjs under Wine exited ${r.code}: ${r.stderr.slice(-500)}` };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Per key, the median of the runs' numbers (a key whose value is not a number keeps the first run's). */
function medianOfRuns(runs) {
  const out = {};
  for (const key of Object.keys(runs[0])) {
    const values = runs.map((r) => r[key]).filter((v) => typeof v === 'number').sort((a, b) => a - b);
    out[key] = values.length === runs.length ? values[Math.floor(values.length / 2)] : runs[0][key];
  }
  return out;
}

const fmt = (ns) => (typeof ns !== 'number' ? '—' : Math.abs(ns) >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a / b : null);
const times = (r, digits = 2) => (r === null ? '—' : `${r.toFixed(digits)}×`);

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}`;
}
const load = () => loadavg().map((l) => l.toFixed(1)).join(' / ');

/** The hand-written part of RESULTS.md (between the markers) survives a new run. */
const STEPS_START = '<!-- steps: kept by bench/run.mjs -->';
const STEPS_END = '<!-- /steps -->';
function keptSteps() {
  const block = keptBlock(STEPS_START, STEPS_END);
  return block === null ? [] : [block, ''];
}

/** This kernel empties the TLB at every system call: page-table isolation on a CPU without PCID. */
function tlbEmptiedBySystemCalls() {
  try {
    const pti = readFileSync('/sys/devices/system/cpu/vulnerabilities/meltdown', 'utf8').includes('PTI');
    return pti && !/\bpcid\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** The paragraph on what one system call costs the JS after it (calls.mjs, "after a system call"). */
function afterSystemCall(r) {
  const alone = r['after a system call:FIONBIO'];
  const call = r['after a system call:getpid'];
  const both = r['after a system call:getpid, then FIONBIO'];
  if (![alone, call, both].every((v) => typeof v === 'number')) return [];
  return [
    `What a system call costs the JS that runs after it: FIONBIO (which makes none) takes ${fmt(alone)} alone and`,
    `${fmt(both - call)} right after a getpid() made through koffi (the getpid's own ${fmt(call)} taken out), in the same rounds.`,
    tlbEmptiedBySystemCalls()
      ? 'This kernel isolates page tables (PTI) on a CPU without PCID, so every system call empties the TLB, and the code and data'
        + ' the JS touches next are looked up again. That time is part of the "emulation JS" column once per system call a code'
        + ' makes (FIONREAD two, SIO_TCP_INFO three); a kernel without page-table isolation, or a CPU with PCID, does not charge it.'
      : 'This kernel does not empty the TLB at every system call (no page-table isolation, or a CPU with PCID).',
    '',
  ];
}

const loadBefore = load();
const exe = buildC();
const cRuns = [];
const linuxRuns = [];
for (let run = 0; run < RUNS; run++) {
  cRuns.push(JSON.parse(execFileSync(exe, { encoding: 'utf8' })));
  linuxRuns.push(runLinux());
}
const loadAfter = load();
const c = medianOfRuns(cRuns);
const linux = medianOfRuns(linuxRuns);
const wine = await runWine();
const rows = Object.keys(C_TARGETS).map((name) => {
  const emulation = linux[name];
  const native = linux[`native:${name}`];
  const vsC = ratio(emulation, c[name]);
  const cTarget = C_TARGETS[name];
  return {
    name, c: c[name], native, emulation, wine: wine[name], vsC, cTarget,
    // FIONBIO makes no system call: its time is all the emulation's own.
    koffi: name === 'FIONBIO' ? null : typeof native === 'number' ? native - c[name] : null,
    js: name === 'FIONBIO' ? emulation : typeof native === 'number' && typeof emulation === 'number' ? emulation - native : null,
    speedup: ratio(wine[name], emulation),
    verdict: typeof emulation !== 'number' ? `not measured (${emulation?.error ?? 'missing'})`
      : vsC <= cTarget ? 'meets target' : 'misses target',
  };
});

const lines = [
  '# Benchmark results',
  '',
  `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Produced by \`npm run bench\`.`,
  `Load average (1 / 5 / 15 min) before the runs: ${loadBefore}; after: ${loadAfter}.`,
  '',
  'Median time per call: each run takes the median over rounds of the mean per round, and each',
  `case the median of ${RUNS} runs, C and Node alternating. "C syscalls" is the same system calls made`,
  'from C (bench/c/syscalls.c); "koffi" the same calls made through the library\'s koffi bindings and',
  'nothing else (bench/native-calls.mjs), less C; "emulation JS" what the emulation adds on top of',
  'those calls. Target (machine-independent, since it is judged against what the emulation has to',
  'call anyway): the emulation within 2× its C syscalls (FIONREAD 1.5×; FIONBIO, which makes no',
  'system call, 1×).',
  '',
  '| code | C syscalls | koffi | emulation JS | emulation | vs C (target) | verdict |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.name} | ${fmt(r.c)} | ${fmt(r.koffi)} | ${fmt(r.js)} | ${fmt(r.emulation)} | ${times(r.vsC)} (≤ ${r.cTarget}×) | ${r.verdict} |`),
  '',
  'FIONBIO makes no system call (its C time is the ioctl it saves): its emulation time is all JS. A',
  'negative difference means the two times it subtracts were within the run\'s noise of each other.',
  '',
  ...afterSystemCall(linux),
  typeof c.getifaddrs === 'number' && typeof linux.SIO_ADDRESS_LIST_QUERY === 'number'
    ? `For reference (not a baseline): glibc's getifaddrs(), what a C program would usually call for the address list (a link dump and an address dump), takes ${fmt(c.getifaddrs)} here; the emulation's SIO_ADDRESS_LIST_QUERY takes ${(linux.SIO_ADDRESS_LIST_QUERY / c.getifaddrs).toFixed(2)}× that.`
    : '',
  '',
  '![emulation time over C](ratios.svg)',
  '',
  '![time split](split.svg)',
  '',
  '### The Windows backend under Wine',
  '',
  'The same benchmark on the Windows backend (the real ws2_32.dll under Wine, the Windows node.exe),',
  'reported without a target: Wine\'s cost depends on the machine differently from the emulation\'s.',
  '',
  wine.unavailable ? `Wine half not measured: ${wine.unavailable}` : '',
  '',
  '| code | Windows backend under Wine | emulation | Wine / emulation |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.name} | ${typeof r.wine === 'number' ? fmt(r.wine) : r.wine?.error ?? '—'} | ${fmt(r.emulation)} | ${times(r.speedup, 0)} |`),
  '',
  wine.SIO_TCP_INFO?.error ? `SIO_TCP_INFO has no Wine time: Wine's ws2_32 refuses the code (${wine.SIO_TCP_INFO.error}), so there is nothing to compare with.` : '',
  '',
  '![Wine time over emulation](wine-speedup.svg)',
  '',
  '### Completion ports and events, per call on one thread',
  '',
  'The emulation\'s completion ports and events are process-wide (issue 16, docs/process-wide-handles.md): their state',
  'lives in native memory every JS thread reaches. What that costs a program with one thread, this run against the',
  'in-thread implementation they replaced (measured before the change, not in this run). The post is followed by a take',
  'of the same packet; the empty take includes one poll() of the kernel.',
  '',
  '| case | emulation, this run | in-thread implementation, before |',
  '| --- | ---: | ---: |',
  ...Object.entries(SHARED_OBJECT_CASES).map(([name, before]) => `| ${name} | ${fmt(linux[name])} | ${before} |`),
  '',
  ...keptSteps(),
];
// Change-notification latency and scale (bench/notify.mjs, in its own network namespace).
if (!process.env.BENCH_SKIP_NOTIFY) lines.push(...notifyMarkdown(runNotify()));
// The completion-port echo server against its baselines (bench/echo-run.mjs), then the connection
// rate with AcceptEx / ConnectEx (bench/accept-run.mjs), a subsection of the same section.
lines.push(...echoMarkdown(await runEcho()), ...acceptMarkdown(await runAccept()));
writeFileSync(here('./RESULTS.md'), lines.join('\n'));
writeFileSync(here('./ratios.svg'), barChartSvg(rows.filter((r) => r.vsC !== null).map((r) => ({ label: r.name, value: r.vsC, target: r.cTarget })), 'emulation time / C syscall time (lower is better)'));
writeFileSync(here('./split.svg'), stackedBarChartSvg(
  rows.filter((r) => r.js !== null && r.name !== 'FIONBIO').map((r) => ({ label: r.name, parts: [1, r.koffi / r.c, r.js / r.c], target: r.cTarget })),
  ['C syscalls', 'koffi', 'emulation JS'], 'emulation time split, in units of its C syscall time'));
writeFileSync(here('./wine-speedup.svg'), barChartSvg(rows.filter((r) => r.speedup !== null).map((r) => ({ label: r.name, value: r.speedup })), 'Windows backend under Wine / emulation (higher is better)', { log: true }));
console.log(lines.filter((l) => l.startsWith('|')).join('\n'));
console.log('\nwritten: bench/RESULTS.md, bench/ratios.svg, bench/split.svg, bench/wine-speedup.svg');
