#!/usr/bin/env node
/**
 * Runs a script with the Windows node.exe under Wine (prepared by scripts/wine/setup.sh).
 *
 *   node scripts/wine/run.mjs [--timeout=<ms>] <script.js> [args...]
 *
 * Prints the child's stdout and stderr, exits with its exit code (124 on timeout).
 * Also usable as a module: `runUnderWine(script, args, { timeoutMs })`.
 *
 * The child's stdout and stderr go to temporary files, not pipes: the Windows node under Wine
 * fails with EBADF when writing to a Unix pipe.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DEFAULT_TIMEOUT_MS = 120_000;
const TIMEOUT_EXIT_CODE = 124;

/** Where setup.sh keeps its downloads and its ready.json (same rule as setup.sh). */
export function wineCacheDir() {
  if (process.env.WSAIOCTL_WINE_CACHE) return process.env.WSAIOCTL_WINE_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'wsaioctl', 'wine');
}

/** The paths setup.sh recorded; throws when setup has not run (or did not finish). */
export function readWineConfig() {
  const file = join(wineCacheDir(), 'ready.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`Wine is not set up (${file} missing): run sh scripts/wine/setup.sh`);
  }
}

/** The environment a Windows program runs with: our prefix, quiet Wine, no platform check. */
export function wineEnv(config = readWineConfig()) {
  return {
    ...process.env,
    WINEPREFIX: config.prefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    NODE_SKIP_PLATFORM_CHECK: '1',
  };
}

/** A Linux path as the Windows process sees it: Wine maps `/` to drive Z:. */
export function toWindowsPath(linuxPath) {
  return 'Z:' + resolve(linuxPath).replaceAll('/', '\\');
}

/**
 * Runs `script` (a Linux path) with the Windows node.exe under Wine.
 * Resolves to `{ code, stdout, stderr, timedOut }` whatever the child does (`code` is its exit
 * code, 124 when it was killed at the timeout); rejects only when setup.sh has not run.
 */
export async function runUnderWine(script, args = [], { timeoutMs = DEFAULT_TIMEOUT_MS, cwd } = {}) {
  const config = readWineConfig();
  const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-wine-'));
  const outPath = join(dir, 'stdout.txt');
  const errPath = join(dir, 'stderr.txt');
  const outFd = openSync(outPath, 'w');
  const errFd = openSync(errPath, 'w');
  try {
    const child = spawn(config.wine, [config.nodeExe, toWindowsPath(script), ...args], {
      cwd: cwd ?? process.cwd(),
      stdio: ['ignore', outFd, errFd],
      env: wineEnv(config),
    });
    const { code, timedOut } = await waitForExit(child, timeoutMs);
    return {
      code,
      stdout: readFileSync(outPath, 'utf8'),
      stderr: readFileSync(errPath, 'utf8'),
      timedOut,
    };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(dir, { recursive: true, force: true });
  }
}

function waitForExit(child, timeoutMs) {
  return new Promise((resolvePromise) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: 127, timedOut, error });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: timedOut ? TIMEOUT_EXIT_CODE : (code ?? (signal ? 128 : 1)), timedOut });
    });
  });
}

async function main(argv) {
  let timeoutMs = Number(process.env.WSAIOCTL_WINE_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  if (argv[0]?.startsWith('--timeout=')) timeoutMs = Number(argv.shift().slice('--timeout='.length));
  const [script, ...args] = argv;
  if (!script || !(timeoutMs > 0)) {
    process.stderr.write('usage: node scripts/wine/run.mjs [--timeout=<ms>] <script.js> [args...]\n');
    return 2;
  }
  const result = await runUnderWine(script, args, { timeoutMs });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.timedOut) process.stderr.write(`run.mjs: killed after ${timeoutMs} ms\n`);
  return result.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (error) => { process.stderr.write(`run.mjs: ${error.message}\n`); process.exitCode = 1; },
  );
}
