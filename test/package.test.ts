/**
 * What the package says about itself and what `npm pack --dry-run` would ship:
 * - the tarball holds dist/, README.md, LICENSE and package.json only; no source maps (they would
 *   point at src/, which is not shipped) and no sourceMappingURL comment left in a shipped file;
 * - LICENSE is the MIT licence package.json names; keywords, engines (require(esm) needs Node
 *   20.19+ / 22.12+), and `os` / `cpu` equal to the platforms winsock/platform.ts accepts;
 * - on a platform it does not support, importing `wsaioctl/winsock` or `wsaioctl` (and requiring
 *   them) fails with UnsupportedPlatformError naming the platform, before koffi is loaded, while the
 *   pure `wsaioctl/codes` still loads. The other system is simulated in a child process by
 *   redefining `process.platform` / `process.arch` before the package is loaded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPORTED_PLATFORMS } from '../dist/winsock/platform.js';
import { ROOT } from './helpers/netns.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  license: string; keywords?: string[]; engines?: { node?: string }; os?: string[]; cpu?: string[]; files?: string[];
};

/** This process's environment without what `npm test` adds about this package's own run. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^INIT_CWD$/.test(k)));

describe('npm pack --dry-run', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, env, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL',
  });
  const files = packed.status === 0
    ? (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
    : [];

  test('it runs', () => assert.equal(packed.status, 0, `${packed.error?.message ?? ''}\n${packed.stderr}`));

  test('the package holds dist/, README.md, LICENSE and package.json, nothing else', () => {
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/winsock/index.js',
      'dist/winsock/index.d.ts', 'dist/codes/index.js', 'dist/codes/index.d.ts', 'dist/cli/main.js']) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    const stray = files.filter((f) => !(f.startsWith('dist/') || ['README.md', 'LICENSE', 'package.json'].includes(f)));
    assert.deepEqual(stray, []);
  });

  test('no source map, and no shipped file refers to one (src/ is not shipped)', () => {
    assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
    const referring = files.filter((f) => /\.(js|d\.ts)$/.test(f) && readFileSync(join(ROOT, f), 'utf8').includes('sourceMappingURL'));
    assert.deepEqual(referring, []);
  });
});

describe('package.json', () => {
  test('LICENSE is the MIT licence package.json names', () => {
    assert.equal(pkg.license, 'MIT');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    assert.match(text, /^MIT License\n/);
    assert.match(text, /Permission is hereby granted, free of charge/);
  });

  test('keywords and engines are set; engines asks for a Node that can require() an ES module', () => {
    assert.ok((pkg.keywords ?? []).includes('winsock'));
    assert.equal(pkg.engines?.node, '^20.19.0 || >=22.12.0');
  });

  test('os and cpu are the platforms winsock/platform.ts accepts', () => {
    assert.deepEqual([...(pkg.os ?? [])].sort(), [...new Set(SUPPORTED_PLATFORMS.map((p) => p.platform))].sort());
    assert.deepEqual([...(pkg.cpu ?? [])].sort(), [...new Set(SUPPORTED_PLATFORMS.flatMap((p) => p.arch))].sort());
  });
});

describe('an unsupported platform fails the import with a message naming it', () => {
  /** Runs `code` as an ES module in a child whose process.platform / process.arch say `platform` / `arch`. */
  function simulated(platform: string, arch: string, code: string) {
    const pretend = `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });` +
      `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });`;
    return spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(pretend)}`, '--input-type=module', '-e', code], {
      cwd: ROOT, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL',
    });
  }
  const REPORT = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const out = {};
    for (const [how, load] of [['import', (s) => import(s)], ['require', async (s) => require(s)]]) {
      for (const entry of ['wsaioctl', 'wsaioctl/winsock', 'wsaioctl/codes']) {
        try { out[how + ' ' + entry] = 'loaded ' + typeof (await load(entry)).FIONREAD; }
        catch (e) { out[how + ' ' + entry] = [e.name, e.code, e.errno, e.message]; }
      }
    }
    console.log(JSON.stringify(out));`;

  for (const [platform, arch] of [['darwin', 'arm64'], ['linux', 'arm64'], ['freebsd', 'x64']] as const) {
    test(`${platform} ${arch}`, () => {
      const run = simulated(platform, arch, REPORT);
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout) as Record<string, unknown>;
      const message = `import wsaioctl/winsock failed: WSASYSNOTREADY (10091): wsaioctl has no Winsock for ${platform} ${arch}; ` +
        'it runs on linux x64, win32 x64';
      for (const how of ['import', 'require']) {
        for (const entry of ['wsaioctl', 'wsaioctl/winsock']) {
          assert.deepEqual(out[`${how} ${entry}`], ['UnsupportedPlatformError', 'WSASYSNOTREADY', 10091, message], `${how} ${entry}`);
        }
        assert.equal(out[`${how} wsaioctl/codes`], 'loaded number', `${how} wsaioctl/codes: pure, loads anywhere`);
      }
    });
  }

  test('the simulation itself is sound: this platform loads', () => {
    const run = simulated(process.platform, process.arch, REPORT);
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.ok(Object.values(out).every((v) => v === 'loaded number'), run.stdout);
  });
});
