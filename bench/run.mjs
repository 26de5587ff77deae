// `npm run bench`: per-call cost of WSAIoctl against two baselines measured in the same run —
// the same system calls in C (built here with the system compiler) and the same benchmark on the
// Windows backend (the real ws2_32.dll under Wine). Prints a table, writes bench/RESULTS.md and
// the charts bench/ratios.svg and bench/wine-speedup.svg. Run after `npm run build`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runUnderWine } from '../scripts/wine/run.mjs';
import { barChartSvg } from './chart.mjs';
import { runNotify, notifyMarkdown } from './notify.mjs';
import { runEcho, echoMarkdown } from './echo-run.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const OUT = here('./out/');
mkdirSync(OUT, { recursive: true });

/** Targets from the benchmark issue: the emulation's time over the C syscall time, at most. */
const C_TARGETS = {
  FIONREAD: 2,
  FIONBIO: 1,
  SIO_KEEPALIVE_VALS: null,
  SIO_TCP_INFO: null,
  SIO_ADDRESS_LIST_QUERY: 3,
  SIO_ROUTING_INTERFACE_QUERY: 3,
};
/** Every code at least this many times faster than Wine's WSAIoctl. */
const WINE_SPEEDUP_TARGET = 50;

function runC() {
  const exe = `${OUT}syscalls`;
  execFileSync('cc', ['-O2', '-o', exe, here('./c/syscalls.c')], { stdio: 'inherit' });
  return JSON.parse(execFileSync(exe, { encoding: 'utf8' }));
}

function runLinux() {
  const r = spawnSync(process.execPath, [here('./calls.mjs')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`calls.mjs failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function runWine() {
  const setup = spawnSync('sh', [here('../scripts/wine/setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (setup.status !== 0) return { unavailable: 'Wine setup failed (see above)' };
  // Wine calls cost ~100 us: fewer, shorter rounds keep the run short.
  process.env.BENCH_ROUNDS = '7';
  const r = await runUnderWine(here('./calls.mjs'), [], { timeoutMs: 600_000 });
  if (r.code !== 0) return { unavailable: `calls.mjs under Wine exited ${r.code}: ${r.stderr.slice(-500)}` };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const fmt = (ns) => (typeof ns !== 'number' ? '—' : ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(0)} ns`);
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' ? a / b : null);

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, Linux ${release()}, Node ${process.version}`;
}

const c = runC();
const linux = runLinux();
const wine = await runWine();
const rows = Object.keys(C_TARGETS).map((name) => {
  const vsC = ratio(linux[name], c[name]);
  const speedup = ratio(wine[name], linux[name]);
  const cTarget = C_TARGETS[name];
  const meets = [
    cTarget === null || vsC === null ? null : vsC <= cTarget,
    speedup === null ? null : speedup >= WINE_SPEEDUP_TARGET,
  ].filter((x) => x !== null);
  return {
    name, c: c[name], linux: linux[name], wine: wine[name], vsC, speedup, cTarget,
    verdict: typeof linux[name] !== 'number' ? `not measured (${linux[name]?.error ?? 'missing'})`
      : meets.length === 0 ? 'no target applies' : meets.every(Boolean) ? 'meets targets' : 'misses a target',
  };
});

const lines = [
  '# Benchmark results',
  '',
  `Machine: ${machine()}. Date: ${new Date().toISOString().slice(0, 10)}. Produced by \`npm run bench\`.`,
  '',
  'Median time per call (median over rounds of the mean per round). "vs C" is the emulation over the',
  'same system calls in C; "Wine / emulation" is how many times faster the emulation is than the same',
  `benchmark on the Windows backend (the real ws2_32.dll under Wine). Targets: FIONREAD ≤ 2× C, FIONBIO ≤ 1× C,`,
  `address and route queries ≤ 3× C, every code ≥ ${WINE_SPEEDUP_TARGET}× faster than Wine.`,
  '',
  wine.unavailable ? `Wine half not measured: ${wine.unavailable}` : '',
  '',
  '| code | C syscalls | emulation | vs C (target) | Windows backend under Wine | Wine / emulation | verdict |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.name} | ${fmt(r.c)} | ${fmt(r.linux)} | ${r.vsC === null ? '—' : r.vsC.toFixed(2) + '×'}${r.cTarget ? ` (≤ ${r.cTarget}×)` : ''} | ${typeof r.wine === 'number' ? fmt(r.wine) : r.wine?.error ?? '—'} | ${r.speedup === null ? '—' : r.speedup.toFixed(0) + '×'} | ${r.verdict} |`),
  '',
  typeof c.getifaddrs === 'number' && typeof linux.SIO_ADDRESS_LIST_QUERY === 'number'
    ? `For reference (not a baseline): glibc's getifaddrs(), what a C program would usually call for the address list (a link dump and an address dump), takes ${fmt(c.getifaddrs)} here; the emulation's SIO_ADDRESS_LIST_QUERY takes ${(linux.SIO_ADDRESS_LIST_QUERY / c.getifaddrs).toFixed(2)}× that.`
    : '',
  '',
  wine.SIO_TCP_INFO?.error ? `SIO_TCP_INFO has no Wine time: Wine's ws2_32 refuses the code (${wine.SIO_TCP_INFO.error}), so there is nothing to compare with.` : '',
  '',
  '![emulation time over C](ratios.svg)',
  '',
  '![Wine time over emulation](wine-speedup.svg)',
  '',
];
// Change-notification latency and scale (bench/notify.mjs, in its own network namespace).
lines.push(...notifyMarkdown(runNotify()));
// The completion-port echo server against its baselines (bench/echo-run.mjs).
lines.push(...echoMarkdown(await runEcho()));
writeFileSync(here('./RESULTS.md'), lines.join('\n'));
writeFileSync(here('./ratios.svg'), barChartSvg(rows.filter((r) => r.vsC !== null).map((r) => ({ label: r.name, value: r.vsC, target: r.cTarget })), 'emulation time / C syscall time (lower is better)'));
writeFileSync(here('./wine-speedup.svg'), barChartSvg(rows.filter((r) => r.speedup !== null).map((r) => ({ label: r.name, value: r.speedup, target: WINE_SPEEDUP_TARGET })), 'Windows backend under Wine / emulation (higher is better)', { log: true }));
console.log(lines.filter((l) => l.startsWith('|')).join('\n'));
console.log('\nwritten: bench/RESULTS.md, bench/ratios.svg, bench/wine-speedup.svg');
