/**
 * In CI the Windows half always runs: the Wine-backed tests skip (with their reason) when Wine
 * cannot be prepared, which is right on a developer's machine but would hide a broken set-up in
 * CI. This test turns that skip into a failure when CI=true (unless WSAIOCTL_SKIP_WINE=1 asks
 * for the Linux half only, on purpose).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const setup = fileURLToPath(new URL('../scripts/wine/setup.sh', import.meta.url));
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const skip = !inCi ? 'not in CI (CI is not set)' : process.env.WSAIOCTL_SKIP_WINE === '1' ? 'WSAIOCTL_SKIP_WINE=1' : false;

test('CI can run the Windows backend under Wine', { skip }, () => {
  const run = spawnSync('sh', [setup], { encoding: 'utf8', timeout: 900_000 });
  assert.equal(run.status, 0, `scripts/wine/setup.sh failed: ${(run.stderr ?? '').trim().split('\n').pop()}`);
});
