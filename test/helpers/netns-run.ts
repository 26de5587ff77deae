/**
 * Run a node script inside a fresh network namespace (`unshare -n`, we are root), bounded in time,
 * and collect the JSON lines it prints. The namespace dies with the process, so nothing it changes
 * (addresses, routes, veth pairs) reaches the host. Scripts use only documentation ranges.
 *
 *   const run = await runInNetns(new URL('./helpers/overlapped-netns-child.js', import.meta.url), ['address-v4']);
 *   run.results  // every line the script printed that parsed as JSON
 *
 * Also: `netnsAvailable()` (skip reason when unshare is not permitted) and, for child scripts,
 * `sh()` (an `ip` / `sysctl` command with a time limit) and `shLater()` (the same after a delay, in
 * the background, for changes that must happen while the script's thread is blocked).
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { netnsSkip } from './netns.js';

export interface NetnsRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  results: unknown[];
}

/** null when `unshare -n` (with a veth pair) works here, else why not: netns.ts makes the one probe. */
export function netnsAvailable(): string | null {
  return netnsSkip() || null;
}

/** Run `script` (a compiled .js file) with node inside a new network namespace. */
export function runInNetns(script: URL, args: string[] = [], timeoutMs = 20_000): Promise<NetnsRun> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-n', process.execPath, fileURLToPath(script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const results: unknown[] = [];
      for (const line of stdout.split('\n')) {
        const text = line.trim();
        if (!text.startsWith('{')) continue;
        try {
          results.push(JSON.parse(text));
        } catch {
          // not a result line
        }
      }
      resolve({ code, signal, stdout, stderr, results });
    });
  });
}

/** For child scripts: run a command (`ip ...`) with a time limit; throws when it fails. */
export function sh(command: string, ...args: string[]): string {
  return execFileSync(command, args, { timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * For child scripts: run a shell command after `delayMs` in a detached background process (for a
 * change that must happen while this thread is blocked in a Winsock call). The process is killed
 * after `delayMs + 5000` ms whatever happens.
 */
export function shLater(delayMs: number, command: string): void {
  const seconds = (delayMs / 1000).toFixed(3);
  const child = spawn('timeout', [String(Math.ceil(delayMs / 1000) + 5), 'sh', '-c', `sleep ${seconds}; ${command}`], {
    stdio: 'ignore',
    detached: false,
  });
  child.unref();
}

/** For child scripts: the namespace's lo up and a veth pair (v0, v1) up, DAD off so addresses are usable at once. */
export function setupLinks(): void {
  sh('ip', 'link', 'set', 'lo', 'up');
  sh('sysctl', '-q', '-w', 'net.ipv6.conf.all.accept_dad=0');
  sh('sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0');
  sh('ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  sh('ip', 'link', 'set', 'v0', 'up');
  sh('ip', 'link', 'set', 'v1', 'up');
}
