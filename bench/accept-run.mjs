// Connection-rate benchmark: AcceptEx + ConnectEx on a completion port, connections per second,
// each side in one process and one thread (accept, then close; connect, then close), measured for
//   - the wsaioctl program (bench/accept-conn.mjs) on the Linux emulation,
//   - Node's own `net` (bench/accept-node-net.mjs),
//   - the same program in C (bench/c/accept-conn.c), built with MinGW-w64 and run under Wine,
//   - and, for information, bench/accept-conn.mjs on the Windows backend (node.exe under Wine).
// Part of the echo benchmark's section of RESULTS.md: bench/echo-run.mjs (`npm run bench:echo`) and
// bench/run.mjs (`npm run bench`) call runAccept / acceptMarkdown. Run alone, it prints the section.
// Loopback only; every run bounded.
//
//   npm run build && node bench/accept-run.mjs          ACCEPT_SECONDS (default 2, at most 30)
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readWineConfig, runUnderWine, wineEnv } from '../scripts/wine/run.mjs';
import { keptBlock } from './kept-notes.mjs';

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

/** Runs the four programs in turn; resolves with the numbers for acceptMarkdown(). */
export async function runAccept() {
  const emulation = runNode('./accept-conn.mjs');
  const node = runNode('./accept-node-net.mjs');
  const wine = wineReady();
  const wineC = wine ? { error: wine } : runC();
  const wineJs = wine ? { error: wine } : await runJsUnderWine();
  return { seconds: SECONDS, emulation, node, wineC, wineJs };
}

/** The hand-written notes under the table (between the markers) survive a new run. */
const STEPS_START = '<!-- accept-steps: kept by bench/accept-run.mjs -->';
const STEPS_END = '<!-- /accept-steps -->';
function keptSteps() {
  const block = keptBlock(STEPS_START, STEPS_END);
  return block === null ? [] : ['', block, ''];
}

const show = (r) => (r?.error ? `— (${r.error})` : typeof r?.perSecond === 'number' ? Math.round(r.perSecond).toLocaleString('en-US') : '—');
const over = (a, b) => (a?.perSecond && b?.perSecond ? `${(a.perSecond / b.perSecond).toFixed(2)}×` : '—');

/** The connection-rate part of the echo section of RESULTS.md, for a result of runAccept(). */
export function acceptMarkdown({ seconds, emulation, node, wineC, wineJs }) {
  return [
    '### Connection rate (AcceptEx / ConnectEx)',
    '',
    'AcceptEx and ConnectEx on one completion port, one thread (bench/accept-conn.mjs): 8 AcceptEx posted on a loopback',
    'listener, 8 clients connecting with ConnectEx; each completed accept closes its socket and posts the next AcceptEx,',
    'each completed connect closes its socket and connects again. Against Node\'s own `net` doing the same',
    '(bench/accept-node-net.mjs) and the same program in C (bench/c/accept-conn.c) built with MinGW-w64 and run under Wine;',
    `the JS program on the Windows backend under Wine for information. ${seconds} s each, connections accepted per second.`,
    'Produced by `npm run bench:echo` (also part of `npm run bench`); no target. The machine is shared: compare ratios',
    'from one run, not across runs.',
    '',
    '| program | connections/s | over Node net | over C under Wine |',
    '| --- | ---: | ---: | ---: |',
    `| wsaioctl, Linux emulation | ${show(emulation)} | ${over(emulation, node)} | ${over(emulation, wineC)} |`,
    `| Node's net | ${show(node)} | 1.00× | ${over(node, wineC)} |`,
    `| C on ws2_32 under Wine | ${show(wineC)} | ${over(wineC, node)} | ${wineC?.perSecond ? '1.00×' : '—'} |`,
    `| wsaioctl, Windows backend under Wine | ${show(wineJs)} | ${over(wineJs, node)} | ${over(wineJs, wineC)} |`,
    ...keptSteps(),
    '',
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(acceptMarkdown(await runAccept()).join('\n'));
}
