/**
 * Verdicts: each backend's observation against the expected Windows result, the reviewed list of
 * Wine differences, and what each backend implements. Pure functions (no I/O).
 */
import type { Backend, Observation, RunReport, RunResult, Scenario, Value } from './types.js';

/** One reviewed entry of wine-differences.json. */
export interface WineDifference {
  id: string;
  /** The expected Windows result, repeated so that a change to the scenario shows here. */
  windows: Observation;
  /** What Wine answers instead. */
  wine: Observation;
  reason: string;
}

export type SideStatus =
  | 'match' // equals the expected Windows result
  | 'differs' // does not (a failure)
  | 'not-implemented' // the backend does not implement this code / calling mode yet
  | 'not-run' // the scenario is for the other backend only
  | 'crashed' // the scenario threw (a failure)
  | 'missing' // no result at all (a failure)
  | 'listed' // Wine gives the listed different answer (accepted)
  | 'listed-other' // listed, but Wine now answers something else again (a failure)
  | 'stale' // listed, but Wine now agrees with Windows (a failure: update the list)
  | 'unavailable'; // the Windows half did not run

export interface Side {
  status: SideStatus;
  observed?: Observation;
  note?: string;
}

export interface Verdict {
  scenario: Scenario;
  linux: Side;
  windows: Side;
  /** The headline for the report. */
  verdict: string;
  failed: boolean;
  failures: string[];
}

/** Deep equality of JSON values, key order ignored. */
export function same(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, Value>)[k], (b as Record<string, Value>)[k]));
}

export interface VerdictInputs {
  scenarios: readonly Scenario[];
  linux: RunReport;
  /** null: the Windows half did not run (`windowsUnavailable` says why). */
  windows: RunReport | null;
  windowsUnavailable?: string;
  differences: readonly WineDifference[];
  /** Whether the Linux emulation implements a catalogue code (support table). */
  linuxImplements: (code: string) => boolean;
}

function baseSide(result: RunResult | undefined, backend: Backend): Side | null {
  if (!result) return { status: 'missing', note: `no ${backend} result` };
  if (result.notRun) return { status: 'not-run', note: result.notRun };
  if (result.missing) return { status: 'not-implemented', note: `the ${backend === 'linux' ? 'Linux emulation' : 'Windows backend'} lacks: ${result.missing.join(', ')}` };
  if (result.crashed) return { status: 'crashed', note: result.crashed };
  return null;
}

export function judge(inputs: VerdictInputs): Verdict[] {
  const linuxById = new Map(inputs.linux.results.map((r) => [r.id, r]));
  const windowsById = new Map((inputs.windows?.results ?? []).map((r) => [r.id, r]));
  const listed = new Map(inputs.differences.map((d) => [d.id, d]));

  return inputs.scenarios.map((scenario): Verdict => {
    const failures: string[] = [];

    // Linux: the emulation must give the Windows result, unless it does not implement the code yet.
    const lr = linuxById.get(scenario.id);
    let linux = baseSide(lr, 'linux');
    if (!linux) {
      const observed = lr!.observed!;
      if (scenario.code && !inputs.linuxImplements(scenario.code)) {
        linux = { status: 'not-implemented', observed, note: `${scenario.code} is not implemented on Linux yet` };
      } else {
        linux = { status: same(observed, scenario.expected) ? 'match' : 'differs', observed };
      }
    }
    if (linux.status === 'differs') failures.push('the Linux emulation differs from Windows');
    if (linux.status === 'crashed' || linux.status === 'missing') failures.push(`Linux: ${linux.note}`);

    // Windows backend under Wine: Windows' result, or the listed Wine difference.
    let windows: Side;
    const entry = listed.get(scenario.id);
    if (!inputs.windows) {
      windows = { status: 'unavailable', note: inputs.windowsUnavailable ?? 'the Windows half did not run' };
    } else {
      const wr = windowsById.get(scenario.id);
      const base = baseSide(wr, 'windows');
      if (base) {
        windows = base;
        if (entry && base.status === 'not-run') failures.push('listed as a Wine difference but not run under Wine');
      } else {
        const observed = wr!.observed!;
        if (same(observed, scenario.expected)) {
          windows = entry ? { status: 'stale', observed, note: 'Wine now gives the Windows result: remove the entry' } : { status: 'match', observed };
        } else if (entry && same(observed, entry.wine)) {
          windows = { status: 'listed', observed, note: entry.reason };
        } else {
          windows = { status: entry ? 'listed-other' : 'differs', observed };
        }
      }
      if (entry && !same(entry.windows, scenario.expected)) failures.push('wine-differences.json repeats an expected result that is no longer the scenario\'s');
    }
    if (windows.status === 'differs') failures.push('Wine differs from Windows and the difference is not listed');
    if (windows.status === 'stale') failures.push('a listed Wine difference is stale');
    if (windows.status === 'listed-other') failures.push('Wine differs from Windows, and not as listed');
    if (windows.status === 'crashed' || windows.status === 'missing') failures.push(`Windows backend: ${windows.note}`);

    return { scenario, linux, windows, verdict: headline(linux, windows, failures), failed: failures.length > 0, failures };
  });
}

function headline(linux: Side, windows: Side, failures: string[]): string {
  if (failures.length > 0) return `FAIL: ${failures.join('; ')}`;
  const parts = [linux.status === 'not-implemented' ? 'not implemented on Linux yet' : linux.status === 'not-run' ? 'Windows backend only' : 'pass'];
  const qualifier: Partial<Record<SideStatus, string>> = {
    listed: 'known Wine difference',
    'not-implemented': 'not implemented on the Windows backend yet',
    unavailable: 'Windows half not run',
    'not-run': 'Linux only',
  };
  if (qualifier[windows.status]) parts.push(qualifier[windows.status]!);
  return parts.join('; ');
}

/** Verdict counts by headline. */
export function counts(verdicts: readonly Verdict[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of verdicts) {
    const key = v.failed ? 'FAIL' : v.verdict;
    c[key] = (c[key] ?? 0) + 1;
  }
  return c;
}
