/**
 * The package as a user gets it: `npm pack` of this repository (the built dist/, as `npm test`
 * leaves it), the tarball installed into a fresh temporary project with
 * `npm install --no-audit --no-fund <tgz>`, then `npx wsaioctl decode FIONREAD` there and the
 * three entry points imported. Checks what the tarball holds (dist/, README.md; no tests, no
 * dist-test, no sources). Skips with the reason when npm pack fails or the registry (koffi) cannot
 * be reached. Every child is bounded by a time-out.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/netns.js';

const work = mkdtempSync(join(tmpdir(), 'wsaioctl-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** This process's environment without what `npm test` adds about this package's own run. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^INIT_CWD$/.test(k)));

function npm(args: string[], cwd: string, timeout = 180_000) {
  const npmCli = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return spawnSync(npmCli, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024 });
}

const NETWORK = /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)|network|ETARGET|offline/i;

test('npm pack, install the tarball in a new project, npx wsaioctl decode FIONREAD', { timeout: 300_000 }, (t) => {
  // dist/ was built by `npm test`; --ignore-scripts: prepack would build it again.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  if (pack.status !== 0) {
    t.skip(`npm pack failed (${pack.error?.message ?? `exit ${pack.status}`}): ${pack.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return;
  }
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = info!.files.map((f) => f.path);
  for (const needed of ['package.json', 'README.md', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/winsock/index.js', 'dist/codes/index.js']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  const stray = files.filter((f) => !(f.startsWith('dist/') || f === 'README.md' || f === 'package.json' || /^LICENSE/i.test(f)));
  assert.deepEqual(stray, [], 'nothing but dist/, README.md, package.json (and a licence)');
  assert.ok(!files.some((f) => /(^|\/)(test|dist-test|src)\//.test(f) || /\.test\.js$/.test(f)), 'no tests, no dist-test, no sources');

  const project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, info!.filename)], project);
  if (install.status !== 0 && NETWORK.test(install.stderr)) {
    t.skip(`npm install could not reach the registry for the dependencies: ${install.stderr.trim().split('\n').slice(-2).join(' / ')}`);
    return;
  }
  assert.equal(install.status, 0, `npm install failed: ${install.error?.message ?? ''}\n${install.stderr}`);

  const bin = join(project, 'node_modules', 'wsaioctl', 'dist', 'cli', 'main.js');
  assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'the bin starts with a shebang');
  if (process.platform !== 'win32') assert.ok((statSync(bin).mode & 0o111) !== 0, 'npm made the bin executable');

  const decode = npm(['exec', '--no', '--', 'wsaioctl', 'decode', 'FIONREAD'], project, 60_000);
  assert.equal(decode.status, 0, decode.stderr);
  assert.match(decode.stdout, /^0x4004667F {2}FIONREAD$/m);

  const json = npm(['exec', '--no', '--', 'wsaioctl', 'decode', 'FIONREAD', '--json'], project, 60_000);
  assert.equal(json.status, 0, json.stderr);
  const decoded = JSON.parse(json.stdout) as { value: number; names: string[] };
  assert.equal(decoded.value, 0x4004667f);
  assert.deepEqual(decoded.names, ['FIONREAD']);

  const usage = npm(['exec', '--no', '--', 'wsaioctl', 'no-such-command'], project, 60_000);
  assert.equal(usage.status, 2);

  // The three entry points resolve from the installed package (exports map, koffi loaded).
  const imports = spawnSync(process.execPath, ['--input-type=module', '-e', `
    const ws = await import('wsaioctl/winsock');
    const codes = await import('wsaioctl/codes');
    const api = await import('wsaioctl');
    console.log(JSON.stringify({ backend: ws.backendName, fionread: codes.FIONREAD, friendly: typeof api.watchAddresses }));
  `], { cwd: project, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
  assert.equal(imports.status, 0, imports.stderr);
  const loaded = JSON.parse(imports.stdout) as { backend: string; fionread: number; friendly: string };
  assert.equal(loaded.fionread, 0x4004667f);
  assert.equal(loaded.friendly, 'function');
  assert.equal(loaded.backend, process.platform === 'win32' ? 'windows-ws2_32' : 'linux-emulation');
});
