/**
 * The generated catalogue is current: src/codes/catalogue.ts and src/codes/names.ts are exactly
 * what scripts/gen-catalogue.mjs makes from the in-repo data/ioctl-codes.json today. A data change
 * without regenerating, or a hand edit of a generated file, fails here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: the nearest directory above this file whose package.json is wsaioctl's. */
function findRepoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'wsaioctl') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no wsaioctl package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

interface GeneratedFile {
  path: string;
  text: string;
}

/** What scripts/gen-catalogue.mjs exports (it is plain JS; these are the parts the test uses). */
interface Generator {
  DEFAULT_SPEC_PATH: string;
  OUTPUT_PATHS: string[];
  readSpec(path?: string): Array<Record<string, unknown>>;
  generate(spec: Array<Record<string, unknown>>): GeneratedFile[];
  staleFiles(files: GeneratedFile[]): string[];
}

const root = findRepoRoot();
const script = join(root, 'scripts', 'gen-catalogue.mjs');
const generator = (await import(pathToFileURL(script).href)) as Generator;

describe('generated catalogue is current', () => {
  test('the generator reads the data inside the repository', () => {
    const fromRoot = relative(root, generator.DEFAULT_SPEC_PATH);
    assert.equal(fromRoot.split(sep).join('/'), 'data/ioctl-codes.json');
    assert.ok(existsSync(generator.DEFAULT_SPEC_PATH), `${generator.DEFAULT_SPEC_PATH} exists`);
  });

  test('src/codes/catalogue.ts and src/codes/names.ts are byte-identical to a fresh generation', () => {
    const files = generator.generate(generator.readSpec());
    assert.deepEqual(files.map((f) => f.path), ['src/codes/catalogue.ts', 'src/codes/names.ts']);
    assert.deepEqual(generator.OUTPUT_PATHS, files.map((f) => f.path));
    for (const { path, text } of files) {
      const committed = readFileSync(join(root, path));
      assert.ok(committed.equals(Buffer.from(text, 'utf8')), `${path} is stale: run node scripts/gen-catalogue.mjs and commit it`);
    }
    assert.deepEqual(generator.staleFiles(files), []);
  });

  test('a changed record changes the output (the comparison is not vacuous)', () => {
    const spec = generator.readSpec();
    const changed = spec.map((r, i) => (i === 0 ? { ...r, summary: `${String(r.summary)} (changed)` } : r));
    const files = generator.generate(changed);
    assert.deepEqual(generator.staleFiles(files), ['src/codes/catalogue.ts']);
    const renamed = spec.map((r, i) => (i === 0 ? { ...r, name: 'NOT_A_REAL_CODE' } : r));
    assert.deepEqual(generator.staleFiles(generator.generate(renamed)), ['src/codes/catalogue.ts', 'src/codes/names.ts']);
  });

  test('node scripts/gen-catalogue.mjs --check agrees (exit 0)', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [script, '--check'], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
    assert.equal(code, 0, `gen-catalogue --check failed: ${stderr}`);
    assert.match(stdout, /are current/);
  });
});
