/**
 * The package as its consumers load it: `npm pack` of this repository (the built dist/), installed
 * offline into a new project together with the koffi packages this checkout already has (packed
 * from node_modules), then:
 * - `require()` and `import` of the three entry points in one process give one module instance: a
 *   SOCKET made through `require('wsaioctl/winsock')` works through `import('wsaioctl/winsock')`
 *   and closing it through one is seen by the other (one handle table). Node >= 20.19 loads an ES
 *   module with require() when its graph has no top-level await (ERR_REQUIRE_ASYNC_MODULE else).
 * - TypeScript consumers compiled with this repository's tsc under `module` node16, nodenext
 *   (ES module and CommonJS output), bundler, and commonjs output: each type-checks (no
 *   skipLibCheck: the package's .d.ts files are checked too) and its output runs.
 * Every child is bounded by a time-out; the sockets are loopback only.
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/netns.js';

const work = mkdtempSync(join(tmpdir(), 'wsaioctl-consumers-'));
const app = join(work, 'app');
after(() => rmSync(work, { recursive: true, force: true }));

/** This process's environment without what `npm test` adds about this package's own run. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^INIT_CWD$/.test(k)));

function run(command: string, args: string[], cwd: string, timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 });
}
const npm = (args: string[], cwd: string) => run('npm', args, cwd, 180_000);
const node = (args: string[], cwd: string) => run(process.execPath, args, cwd, 60_000);
const explain = (r: SpawnSyncReturns<string>) => `${r.error?.message ?? `exit ${r.status}`}\n${r.stdout}\n${r.stderr}`;

/** Packs the package directory `dir` into `work`; returns the tarball's path. */
function pack(dir: string): string {
  // --ignore-scripts: dist/ is already built (prepack would build it again).
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], dir);
  assert.equal(packed.status, 0, `npm pack in ${dir}: ${explain(packed)}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  return join(work, info!.filename);
}

/** Writes `files` (name -> text) into a new directory `dir` under the installed project. */
function project(dir: string, files: Record<string, string>): string {
  const path = join(app, dir);
  mkdirSync(path, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return path;
}

before(() => {
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  // koffi's prebuilt binary lives in its per-platform package; offline, both come from this checkout.
  const binary = join(ROOT, 'node_modules', '@koromix', `koffi-${process.platform}-${process.arch}`);
  const tarballs = [pack(ROOT), pack(join(ROOT, 'node_modules', 'koffi')), pack(binary)];
  const install = npm(['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
  assert.equal(install.status, 0, `npm install --offline: ${explain(install)}`);
});

/**
 * The checks both module systems run, given `req` (require) and `imp` (import): one instance, one
 * handle table. Prints 'shared' when all hold.
 */
const SHARED_CHECKS = `
  const viaRequire = req('wsaioctl/winsock');
  const viaImport = await imp('wsaioctl/winsock');
  const check = (ok, what) => { if (!ok) { console.error('failed: ' + what); process.exit(1); } };
  check(viaRequire === viaImport, 'wsaioctl/winsock is one instance (one namespace object)');
  check(req('wsaioctl').fromNodeSocket === (await imp('wsaioctl')).fromNodeSocket, 'wsaioctl is one instance');
  check(req('wsaioctl/codes').decodeControlCode === (await imp('wsaioctl/codes')).decodeControlCode, 'wsaioctl/codes is one instance');

  check(viaRequire.WSAStartup(viaRequire.MAKEWORD(2, 2), viaRequire.newWSADATA()) === 0, 'WSAStartup through require');
  const s = viaRequire.socket(viaRequire.AF_INET, viaRequire.SOCK_STREAM, viaRequire.IPPROTO_TCP);
  check(s !== viaRequire.INVALID_SOCKET, 'socket through require');
  const ws = viaImport;
  check(ws.bind(s, ws.sockaddr('127.0.0.1', 0), 16) === 0, 'bind through import, on the SOCKET made through require');
  const name = new Uint8Array(16);
  const len = { value: 16 };
  check(ws.getsockname(s, name, len) === 0 && ws.parseSockaddr(name).port > 0, 'getsockname through import');
  check(ws.closesocket(s) === 0, 'closesocket through import');
  check(viaRequire.closesocket(s) === viaRequire.SOCKET_ERROR && viaRequire.WSAGetLastError() === viaRequire.WSAENOTSOCK,
    'the close is seen through require: WSAENOTSOCK');
  check(viaRequire.WSACleanup() === 0 && ws.WSACleanup() === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSANOTINITIALISED,
    'one WSAStartup count: the second WSACleanup is WSANOTINITIALISED');
  console.log('shared');
`;

describe('the packed package, installed offline', () => {
  test('an ES module: createRequire and import share one instance and one handle table', () => {
    const dir = project('esm', {
      'package.json': JSON.stringify({ type: 'module' }),
      'main.js': `import { createRequire } from 'node:module';\nconst req = createRequire(import.meta.url);\nconst imp = (s) => import(s);\n${SHARED_CHECKS}`,
    });
    const result = node(['main.js'], dir);
    assert.equal(result.status, 0, explain(result));
    assert.equal(result.stdout.trim(), 'shared');
  });

  test('a CommonJS module: require and import() share one instance and one handle table', () => {
    const dir = project('cjs', {
      'package.json': JSON.stringify({ type: 'commonjs' }),
      'main.js': `const req = require;\nconst imp = (s) => import(s);\n(async () => {\n${SHARED_CHECKS}\n})().catch((e) => { console.error(e); process.exit(1); });`,
    });
    const result = node(['main.js'], dir);
    assert.equal(result.status, 0, explain(result));
    assert.equal(result.stdout.trim(), 'shared');
    assert.doesNotMatch(result.stderr, /ERR_REQUIRE|ExperimentalWarning/);
  });

  // One TypeScript program, compiled under each module setting a consumer may use.
  const PROGRAM = `import * as ws from 'wsaioctl/winsock';
import { decodeControlCode, FIONREAD } from 'wsaioctl/codes';
import { bytesAvailable, WinsockError } from 'wsaioctl';

const data: ws.WSADATA = ws.newWSADATA();
const started: number = ws.WSAStartup(ws.MAKEWORD(2, 2), data);
const s: ws.SOCKET = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
const avail = new Uint8Array(4);
const bytes = { value: 0 };
const result: number = ws.WSAIoctl(s, FIONREAD, null, 0, avail, avail.length, bytes, null, null);
const names: readonly string[] = decodeControlCode(FIONREAD).names;
console.log(JSON.stringify({ started, version: data.wVersion, result, bytes: bytes.value, names, friendly: typeof bytesAvailable, error: WinsockError.name }));
ws.closesocket(s);
ws.WSACleanup();
`;
  const EXPECTED = { started: 0, version: 0x0202, result: 0, bytes: 4, names: ['FIONREAD'], friendly: 'function', error: 'WinsockError' };

  const variants: Array<{ name: string; type: 'module' | 'commonjs'; options: Record<string, string> }> = [
    { name: 'node16', type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
    { name: 'nodenext', type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { name: 'nodenext, CommonJS output', type: 'commonjs', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { name: 'bundler', type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
    { name: 'commonjs', type: 'commonjs', options: { module: 'commonjs', moduleResolution: 'bundler' } },
  ];
  for (const variant of variants) {
    test(`TypeScript, module ${variant.name}: type-checks and runs`, () => {
      const dir = project(`ts-${variant.name.replace(/\W+/g, '-')}`, {
        'package.json': JSON.stringify({ type: variant.type }),
        'tsconfig.json': JSON.stringify({
          compilerOptions: {
            ...variant.options,
            target: 'es2022',
            strict: true,
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(ROOT, 'node_modules', '@types')],
            outDir: 'out',
          },
          files: ['main.ts'],
        }),
        'main.ts': PROGRAM,
      });
      const tsc = node([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], dir);
      assert.equal(tsc.status, 0, `tsc: ${explain(tsc)}`);
      const result = node([join('out', 'main.js')], dir);
      assert.equal(result.status, 0, explain(result));
      assert.deepEqual(JSON.parse(result.stdout), EXPECTED);
    });
  }
});
