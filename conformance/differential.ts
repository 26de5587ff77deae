/**
 * The differential run: every scenario on the Linux emulation (node, directly) and on the Windows
 * backend (the Windows node.exe under Wine), judged against the expected Windows results and the
 * reviewed Wine differences; REPORT.md rewritten.
 *
 *   npm run conformance            # build, both halves, REPORT.md; exit 1 on any failure
 *   node dist-conformance/differential.js [--no-report] [--json]
 *
 * WSAIOCTL_SKIP_WINE=1 skips the Windows half (the report says so).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isHandled, supportOf } from 'wsaioctl/codes';
import { readWineConfig, runUnderWine } from '../scripts/wine/run.mjs';
import { scenarios } from './scenarios/index.js';
import type { RunReport } from './lib/types.js';
import { judge, counts, type Verdict, type WineDifference } from './lib/verdict.js';
import { renderReport } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..');
const runScript = join(here, 'run.js');
export const reportPath = join(repoRoot, 'conformance', 'REPORT.md');
export const differencesPath = join(repoRoot, 'conformance', 'wine-differences.json');

const LINUX_TIMEOUT_MS = 120_000;
const WINE_TIMEOUT_MS = 180_000;
const SETUP_TIMEOUT_MS = 15 * 60_000;

function lastJsonLine(stdout: string): RunReport {
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RunReport;
}

/** The scenarios on this machine's Linux emulation, in a fresh process (nothing started yet). */
export function runLinuxHalf(): Promise<RunReport> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [runScript], { timeout: LINUX_TIMEOUT_MS, maxBuffer: 64 << 20, cwd: repoRoot }, (error, stdout, stderr) => {
      if (error) fail(new Error(`the Linux half failed: ${error.message}\n${stderr}`));
      else {
        try { done(lastJsonLine(stdout)); } catch (e) { fail(new Error(`the Linux half printed no report: ${String(e)}\n${stderr}`)); }
      }
    });
  });
}

/** Runs scripts/wine/setup.sh; null when Wine is ready, else the reason it is not. */
export function prepareWine(): Promise<string | null> {
  if (process.env.WSAIOCTL_SKIP_WINE === '1') return Promise.resolve('WSAIOCTL_SKIP_WINE=1');
  return new Promise((done) => {
    execFile('sh', [join(repoRoot, 'scripts', 'wine', 'setup.sh')], { timeout: SETUP_TIMEOUT_MS }, (error, _stdout, stderr) => {
      done(error === null ? null : stderr.trim().split('\n').pop() || error.message);
    });
  });
}

function wineVersion(): Promise<string | undefined> {
  return new Promise((done) => {
    try {
      const config = readWineConfig();
      execFile(config.wine, ['--version'], { timeout: 30_000, env: { ...process.env, WINEPREFIX: config.prefix, WINEDEBUG: '-all' } },
        (error, stdout) => done(error ? undefined : stdout.trim()));
    } catch {
      done(undefined);
    }
  });
}

export interface WindowsHalf {
  report: RunReport | null;
  unavailable?: string;
  wineVersion?: string;
}

/** The scenarios on the Windows backend: one Windows node.exe process under Wine for all of them. */
export async function runWindowsHalf(): Promise<WindowsHalf> {
  const unavailable = await prepareWine();
  if (unavailable !== null) return { report: null, unavailable };
  const run = await runUnderWine(runScript, [], { timeoutMs: WINE_TIMEOUT_MS, cwd: repoRoot });
  if (run.timedOut) throw new Error(`the Windows half timed out after ${WINE_TIMEOUT_MS} ms\n${run.stderr}`);
  if (run.code !== 0) throw new Error(`the Windows half failed (exit ${run.code})\n${run.stderr}`);
  return { report: lastJsonLine(run.stdout), wineVersion: await wineVersion() };
}

export function loadDifferences(): WineDifference[] {
  const data = JSON.parse(readFileSync(differencesPath, 'utf8')) as { differences: WineDifference[] };
  return data.differences;
}

export const linuxImplements = (code: string): boolean => isHandled(supportOf(code)?.linux ?? 'not-implemented');

export interface Outcome {
  verdicts: Verdict[];
  linux: RunReport;
  windows: WindowsHalf;
  differences: WineDifference[];
  report: string;
}

/** Both halves (in parallel), the verdicts and the report text. */
export async function differential(): Promise<Outcome> {
  const [linux, windows] = await Promise.all([runLinuxHalf(), runWindowsHalf()]);
  const differences = loadDifferences();
  const verdicts = judge({
    scenarios, linux, windows: windows.report, windowsUnavailable: windows.unavailable, differences, linuxImplements,
  });
  const report = renderReport(verdicts, {
    linux, windows: windows.report, windowsUnavailable: windows.unavailable, wineVersion: windows.wineVersion, differences, generatedAt: new Date(),
  });
  return { verdicts, linux, windows, differences, report };
}

async function main(argv: string[]): Promise<number> {
  const outcome = await differential();
  if (!argv.includes('--no-report')) writeFileSync(reportPath, outcome.report);
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(outcome.verdicts.map((v) => ({ id: v.scenario.id, verdict: v.verdict, linux: v.linux, windows: v.windows })), null, 1)}\n`);
  }
  const c = counts(outcome.verdicts);
  process.stdout.write(`conformance: ${outcome.verdicts.length} scenarios: ${Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
  if (outcome.windows.unavailable) process.stdout.write(`conformance: Windows half not run: ${outcome.windows.unavailable}\n`);
  for (const v of outcome.verdicts.filter((x) => x.failed)) process.stdout.write(`  FAIL ${v.scenario.id}: ${v.failures.join('; ')}\n`);
  if (!argv.includes('--no-report')) process.stdout.write(`conformance: wrote ${reportPath}\n`);
  return outcome.verdicts.some((v) => v.failed) ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error) => { process.stderr.write(`conformance: ${error instanceof Error ? error.message : String(error)}\n`); process.exitCode = 2; },
  );
}
