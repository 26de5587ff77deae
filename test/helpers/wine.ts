/** Preparing Wine for the tests that run the Windows backend (scripts/wine/setup.sh). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnderWine } from '../../scripts/wine/run.mjs';

const SETUP = fileURLToPath(new URL('../../scripts/wine/setup.sh', import.meta.url));
/** The first run installs wine64 with apt and creates the Wine prefix. */
const SETUP_TIMEOUT_MS = 15 * 60_000;

/** Runs setup.sh; resolves to null when Wine is ready, else to the reason it is not. */
export function prepareWine(): Promise<string | null> {
  return new Promise((done) => {
    execFile('sh', [SETUP], { timeout: SETUP_TIMEOUT_MS }, (error, _stdout, stderr) => {
      // setup.sh ends with one line that says why ("wine setup: ...").
      done(error === null ? null : stderr.trim().split('\n').pop() || error.message);
    });
  });
}

/**
 * Runs `source` (a self-contained ES module) with the Windows node under Wine, from a file in a
 * temporary folder removed afterwards; resolves with what runUnderWine reports.
 */
export async function runProbeSource(source: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-probe-'));
  try {
    const script = join(dir, 'probe.mjs');
    writeFileSync(script, source);
    return await runUnderWine(script, [], { timeoutMs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
