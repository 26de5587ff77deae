// Connection-rate benchmark: AcceptEx + ConnectEx on a completion port, connections per second,
// each side in one process and one thread (accept, then close; connect, then close), measured for
//   - the wsaioctl program (bench/accept-conn.mjs) on the Linux emulation,
//   - Node's own `net` (bench/accept-node-net.mjs),
//   - the same program in C (bench/c/accept-conn.c), built with MinGW-w64 and run under Wine,
//   - and, for information, bench/accept-conn.mjs on the Windows backend (node.exe under Wine).
// Prints a Markdown table (nothing is written to RESULTS.md). Loopback only; every run bounded.
//
//   npm run build && node bench/accept-run.mjs          ACCEPT_SECONDS (default 2, at most 30)
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readWineConfig, runUnderWine, wineEnv } from '../scripts/wine/run.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const OUT = here('./out/');
const SECONDS = Math.min(Number(process.env.ACCEPT_SECONDS) || 2, 30);
const TIMEOUT_MS = (SECONDS + 60) * 1000;

/** The last line of a program's output as its JSON result, or the reason there is none. */
function resultOf(text, status) {
  const line = text.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line);
    return parsed.error ? { error: parsed.error } : parsed;
  } catch {
    return { error: `no result (exit ${status}): ${text.slice(-200)}` };
  }
}

function runNode(script) {
  const run = spawnSync(process.execPath, [here(script), String(SECONDS)], { encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
  return resultOf(run.stdout ?? '', run.status);
}

function wineReady() {
  const setup = spawnSync('sh', [here('../scripts/wine/setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return setup.status === 0 ? null : 'Wine setup failed (see above)';
}

function runC() {
  mkdirSync(OUT, { recursive: true });
  const exe = `${OUT}accept-conn.exe`;
  const cc = spawnSync('x86_64-w64-mingw32-gcc', ['-O2', '-o', exe, here('./c/accept-conn.c'), '-lws2_32'], { encoding: 'utf8' });
  if (cc.status !== 0) return { error: cc.error ? 'x86_64-w64-mingw32-gcc is not installed' : `MinGW build failed: ${cc.stderr.slice(-300)}` };
  const config = readWineConfig();
  const outPath = `${OUT}accept-conn.out`;
  const out = openSync(outPath, 'w'); // a Windows process under Wine writes to files, never to pipes
  const run = spawnSync(config.wine, [exe, String(SECONDS)], { stdio: ['ignore', out, 'ignore'], timeout: TIMEOUT_MS, killSignal: 'SIGKILL', env: wineEnv(config) });
  closeSync(out);
  return resultOf(readFileSync(outPath, 'utf8'), run.status);
}

async function runJsUnderWine() {
  const run = await runUnderWine(here('./accept-conn.mjs'), [String(SECONDS)], { timeoutMs: TIMEOUT_MS });
  return resultOf(run.stdout, run.code);
}

const results = [];
results.push(['wsaioctl, Linux emulation (accept-conn.mjs)', runNode('./accept-conn.mjs')]);
results.push(["Node's net (accept-node-net.mjs)", runNode('./accept-node-net.mjs')]);
const wine = wineReady();
results.push(['C on ws2_32 under Wine (c/accept-conn.c)', wine ? { error: wine } : runC()]);
results.push(['wsaioctl, Windows backend under Wine', wine ? { error: wine } : await runJsUnderWine()]);

const [emulation, node, c] = results.map(([, r]) => r);
const ratio = (a, b) => (a?.perSecond && b?.perSecond ? (a.perSecond / b.perSecond).toFixed(2) : 'n/a');
console.log(`Connections per second, ${SECONDS} s each, 8 connections in flight, loopback:\n`);
console.log('| program | connections/s | connections |');
console.log('| --- | ---: | ---: |');
for (const [name, r] of results) {
  console.log(r.error ? `| ${name} | ${r.error} | |` : `| ${name} | ${Math.round(r.perSecond)} | ${r.connections} |`);
}
console.log(`\nwsaioctl on Linux / Node net: ${ratio(emulation, node)}; wsaioctl on Linux / C under Wine: ${ratio(emulation, c)}`);
