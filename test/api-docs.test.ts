/**
 * The API reference (issue 19 item 6): TypeDoc, with the repository's typedoc.json, documents every
 * export of the three entry points (`wsaioctl`, `wsaioctl/winsock`, `wsaioctl/codes`). A new
 * export without a doc comment fails here, naming it; so does a Winsock function that the
 * reference would show as a bare variable (its export needs the `@function` tag). And the
 * `wsaioctl` page lists the friendly functions first, the control codes after them.
 *
 * The first test runs the same check on a two-file fixture, so the check is shown to fail on an
 * undocumented export (and the block rule of scripts/typedoc-constant-blocks.mjs to hold).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Application, Logger, LogLevel, ReflectionKind, TSConfigReader, TypeDocReader, type DeclarationReflection, type OptionsReader,
  type ProjectReflection,
} from 'typedoc';
import * as winsock from 'wsaioctl/winsock';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PLUGIN = join(ROOT, 'scripts', 'typedoc-constant-blocks.mjs');

/** Keeps every warning and error TypeDoc reports, instead of printing it. */
class CollectingLogger extends Logger {
  readonly problems: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.problems.push(message);
  }
}

/**
 * Converts and validates as `npm run docs` does (nothing is written); returns the project and what
 * TypeDoc reported. Options come from `options` and the given readers only (never from argv).
 */
async function runTypedoc(options: Record<string, unknown>, readers: OptionsReader[]): Promise<{ project: ProjectReflection; problems: string[] }> {
  const app = await Application.bootstrapWithPlugins({ emit: 'none', ...options }, readers);
  const logger = new CollectingLogger();
  app.logger = logger;
  const project = await app.convert();
  assert.ok(project, `TypeDoc could not convert: ${logger.problems.join('\n')}`);
  app.validate(project);
  return { project, problems: logger.problems };
}

function moduleNamed(project: ProjectReflection, name: string): DeclarationReflection {
  const found = project.children?.find((m) => m.name === name);
  assert.ok(found, `no module ${name} in the reference`);
  return found;
}

describe('API reference (typedoc --validation.notDocumented)', () => {
  test('the check fails on an undocumented export; a commented block of constants is documented', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-api-docs-'));
    try {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', skipLibCheck: true }, include: ['index.ts'] }));
      writeFileSync(join(dir, 'index.ts'), [
        '/** The fixture. @module fixture */',
        '/** Documented. */',
        'export function documented(): number { return 1; }',
        'export function forgotten(): number { return 2; }',
        '/** A block of flags. @group Flags */',
        'export const FLAG_A = 1;',
        'export const FLAG_B = 2;',
        '',
        'export const AFTER_BLANK_LINE = 3;',
        '',
      ].join('\n'));
      const { project, problems } = await runTypedoc({
        entryPoints: [join(dir, 'index.ts')],
        tsconfig: join(dir, 'tsconfig.json'),
        plugin: [PLUGIN],
        validation: { notDocumented: true },
        readme: 'none',
      }, []);
      const undocumented = problems.filter((p) => p.includes('does not have any documentation'));
      assert.equal(undocumented.length, 2, problems.join('\n'));
      assert.ok(undocumented.some((p) => p.includes('forgotten')), problems.join('\n'));
      assert.ok(undocumented.some((p) => p.includes('AFTER_BLANK_LINE')), problems.join('\n'));
      const flagB = project.getChildByName('FLAG_B') as DeclarationReflection | undefined;
      assert.match(flagB?.comment?.summary.map((part) => part.text).join('') ?? '', /A block of flags/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every export of the three entry points is documented; Winsock functions are functions', async () => {
    const { project, problems } = await runTypedoc({ options: join(ROOT, 'typedoc.json') }, [new TypeDocReader(), new TSConfigReader()]);
    assert.deepEqual(problems, [], `TypeDoc reported:\n${problems.join('\n')}`);

    // Every function that wsaioctl/winsock exports at run time is a function page with a comment
    // (a `guarded('X')` export without @function would be a bare variable).
    const winsockModule = moduleNamed(project, 'wsaioctl/winsock');
    const notFunctions: string[] = [];
    for (const [name, value] of Object.entries(winsock)) {
      if (typeof value !== 'function') continue;
      let reflection = winsockModule.getChildByName(name);
      if (reflection?.isReference()) reflection = reflection.getTargetReflectionDeep();
      if (!reflection?.isDeclaration() || !reflection.kindOf(ReflectionKind.Function | ReflectionKind.Class)) notFunctions.push(name);
    }
    assert.deepEqual(notFunctions, [], 'exported functions the reference does not show as functions');

    // WSAIoctl's page: its C signature and its Windows errors.
    const wsaIoctl = winsockModule.getChildByName('WSAIoctl') as DeclarationReflection;
    const text = wsaIoctl.signatures?.[0]?.comment?.summary.map((part) => part.text).join('') ?? '';
    assert.match(text, /int WSAIoctl\(SOCKET s, DWORD dwIoControlCode/);
    assert.match(text, /Windows errors: WSANOTINITIALISED/);

    // The wsaioctl page: the friendly functions first, the control codes grouped after them.
    const groups = moduleNamed(project, 'wsaioctl').groups ?? [];
    const titles = groups.map((g) => g.title);
    assert.equal(titles[0], 'Functions');
    assert.ok(groups[0]?.children.some((c) => c.name === 'fromNodeSocket'), 'fromNodeSocket among the first group');
    const controlCodes = groups.find((g) => g.title === 'Control codes');
    assert.ok(controlCodes?.children.some((c) => c.name === 'SIO_KEEPALIVE_VALS'), titles.join(', '));
  });
});
