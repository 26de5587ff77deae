/**
 * The conformance suite (conformance/): the same scenarios on the Linux emulation and on the Windows
 * backend under Wine, each judged against what Windows returns. Asserts that
 * - every Linux result is the Windows result, except for codes / calling modes the emulation does
 *   not implement yet (their own verdict, never a pass);
 * - every Wine result is the Windows result or the difference listed in
 *   conformance/wine-differences.json, and no listed difference is stale;
 * - every code the emulation implements has scenarios.
 * The Windows half is skipped, with the reason, when scripts/wine/setup.sh cannot prepare Wine
 * (or WSAIOCTL_SKIP_WINE=1). `npm run conformance` runs the same and rewrites conformance/REPORT.md.
 * Network use: loopback only. Wine runs once for all scenarios, bounded by a time-out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { namesHandledOnLinux } from 'wsaioctl/codes';

// This file runs from dist-test/ (and type-checks from test/): both sit in the repository root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_TIMEOUT_MS = 300_000;

/** The parts of conformance/ this test uses (its sources are compiled by their own tsconfig). */
type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
interface Side { status: string; observed?: Record<string, Value>; note?: string }
interface Scenario { id: string; code?: string; mode: string; expected: Record<string, Value> }
interface Verdict { scenario: Scenario; linux: Side; windows: Side; failed: boolean; failures: string[] }
interface RunReport { results: Array<{ id: string; crashed?: string }> }
interface WineDifference { id: string; windows: Record<string, Value>; wine: Record<string, Value>; reason: string }
interface Differential {
  runLinuxHalf(): Promise<RunReport>;
  runWindowsHalf(): Promise<{ report: RunReport | null; unavailable?: string }>;
  loadDifferences(): WineDifference[];
  linuxImplements(code: string): boolean;
}
interface VerdictModule {
  judge(inputs: {
    scenarios: readonly Scenario[]; linux: RunReport; windows: RunReport | null; windowsUnavailable?: string;
    differences: readonly WineDifference[]; linuxImplements: (code: string) => boolean;
  }): Verdict[];
}

function buildConformance(): Promise<void> {
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((done, fail) => {
    execFile(process.execPath, [tsc, '-p', join(repoRoot, 'conformance', 'tsconfig.json')], { cwd: repoRoot, timeout: BUILD_TIMEOUT_MS },
      (error, stdout, stderr) => (error ? fail(new Error(`building conformance/ failed:\n${stdout}${stderr}`)) : done()));
  });
}

const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(repoRoot, 'dist-conformance', path)).href) as Promise<T>;

await buildConformance();
const differential = await load<Differential>('differential.js');
const { judge } = await load<VerdictModule>('lib/verdict.js');
const { scenarios } = await load<{ scenarios: Scenario[] }>('scenarios/index.js');

const [linux, windowsHalf] = await Promise.all([differential.runLinuxHalf(), differential.runWindowsHalf()]);
const differences = differential.loadDifferences();
const verdicts = judge({
  scenarios, linux, windows: windowsHalf.report, windowsUnavailable: windowsHalf.unavailable, differences,
  linuxImplements: differential.linuxImplements,
});
const unavailable = windowsHalf.unavailable;
if (unavailable !== undefined) console.log(`skipping the Windows half of the conformance suite: ${unavailable}`);

/** One line per scenario in `list`, for assertion messages. */
function explain(list: Verdict[], side: 'linux' | 'windows'): string {
  return list.map((v) => `\n  ${v.scenario.id}: got ${JSON.stringify(v[side].observed ?? v[side].note)}\n  ${' '.repeat(v.scenario.id.length)}  expected ${JSON.stringify(v.scenario.expected)}`).join('');
}

describe('conformance: the Linux emulation against Windows', () => {
  test('every scenario ran to the end on Linux', () => {
    const broken = verdicts.filter((v) => v.linux.status === 'crashed' || v.linux.status === 'missing');
    assert.deepEqual(broken.map((v) => v.scenario.id), [], explain(broken, 'linux'));
  });

  test('every Linux result is the Windows result (codes not implemented on Linux yet excepted)', () => {
    const wrong = verdicts.filter((v) => v.linux.status === 'differs');
    assert.deepEqual(wrong.map((v) => v.scenario.id), [], `the emulation differs from Windows:${explain(wrong, 'linux')}`);
  });

  test('every code the emulation implements has scenarios, in every calling mode the emulation offers', () => {
    const covered = new Map<string, Set<string>>();
    for (const s of scenarios) if (s.code) covered.set(s.code, (covered.get(s.code) ?? new Set()).add(s.mode));
    const uncovered = namesHandledOnLinux().filter((name) => !covered.has(name));
    assert.deepEqual(uncovered, [], 'implemented or approximated codes without a scenario');
    const modes = ['plain', 'overlapped+port', 'overlapped+event', 'completion-routine'];
    const partial = namesHandledOnLinux().filter((name) => !modes.every((m) => covered.get(name)?.has(m)));
    assert.deepEqual(partial, [], 'implemented or approximated codes without a scenario in some calling mode');
  });
});

describe('conformance: the Windows backend under Wine against Windows', { skip: unavailable ?? false }, () => {
  test('every scenario ran to the end under Wine', () => {
    const broken = verdicts.filter((v) => v.windows.status === 'crashed' || v.windows.status === 'missing');
    assert.deepEqual(broken.map((v) => v.scenario.id), [], explain(broken, 'windows'));
  });

  test('every Wine result is the Windows result or a listed Wine difference', () => {
    const wrong = verdicts.filter((v) => v.windows.status === 'differs' || v.windows.status === 'listed-other');
    assert.deepEqual(wrong.map((v) => v.scenario.id), [], `Wine differs from Windows, not as listed in conformance/wine-differences.json:${explain(wrong, 'windows')}`);
  });

  test('no listed Wine difference is stale', () => {
    const stale = verdicts.filter((v) => v.windows.status === 'stale');
    assert.deepEqual(stale.map((v) => v.scenario.id), [], 'Wine now gives the Windows result: remove these entries from conformance/wine-differences.json');
  });

  test('every listed difference names a scenario run under Wine, with its current expected result', () => {
    const byId = new Map(verdicts.map((v) => [v.scenario.id, v]));
    const problems = differences.flatMap((d) => {
      const v = byId.get(d.id);
      if (!v) return [`${d.id}: no such scenario`];
      if (!['listed', 'stale', 'listed-other'].includes(v.windows.status)) return [`${d.id}: not compared under Wine (${v.windows.status})`];
      if (JSON.stringify(Object.entries(d.windows).sort()) !== JSON.stringify(Object.entries(v.scenario.expected).sort())) return [`${d.id}: the expected result changed`];
      return [];
    });
    assert.deepEqual(problems, []);
  });
});
