/**
 * No runtime import cycle in dist/. Every .js file under dist/ is parsed (with the TypeScript parser,
 * so comments and strings that merely look like imports do not count) for its relative module
 * specifiers: `import ... from './x.js'`, `import './x.js'`, `export ... from './x.js'` and
 * `import('./x.js')` with a literal specifier. tsc has already erased type-only imports, so what is
 * left are the imports that run. The test fails listing each cycle, as a chain of dist/ paths.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');

/** The relative specifiers a module loads at run time, in source order. */
function relativeSpecifiers(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found: string[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Module graph: dist/-relative path (with /) of each .js file -> the dist/ files it imports. */
function distGraph(dist: string): Map<string, string[]> {
  const name = (path: string): string => relative(dist, path).split(sep).join('/');
  const graph = new Map<string, string[]>();
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dist, f))
    .sort();
  for (const file of files) {
    const targets = relativeSpecifiers(file, readFileSync(file, 'utf8'))
      .map((spec) => resolve(dirname(file), spec))
      .filter((target) => target.startsWith(dist + sep) && existsSync(target))
      .map(name);
    graph.set(name(file), [...new Set(targets)]);
  }
  return graph;
}

/**
 * The cycles a depth-first walk meets (one per back edge, nodes and edges taken in sorted order),
 * each as a chain that starts and ends at its smallest module name. Every cycle in the graph shares
 * its strongly connected component with at least one of these, so none is empty when any exists.
 */
function findCycles(graph: Map<string, string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const walk = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      const seen = state.get(next);
      if (seen === 'open') {
        const loop = stack.slice(stack.lastIndexOf(next));
        const start = loop.indexOf([...loop].sort()[0] ?? next);
        const chain = [...loop.slice(start), ...loop.slice(0, start)];
        chain.push(chain[0] ?? next);
        cycles.set(chain.join(' -> '), chain);
      } else if (seen === undefined) {
        walk(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) walk(node);
  return [...cycles.keys()].sort().map((key) => cycles.get(key) ?? []);
}

describe('no runtime import cycles in dist/', () => {
  test('the specifier reader sees static, re-export, side-effect and dynamic imports, and only those', () => {
    const source = [
      "import { a } from './a.js';",
      "import * as b from '../b.js';",
      "import './c.js';",
      "export { d } from './d.js';",
      "export * from './e.js';",
      "import koffi from 'koffi';",
      "import { readFileSync } from 'node:fs';",
      "// import { x } from './commented.js';",
      "/* export * from './block-commented.js'; */",
      "const text = \"import('./in-a-string.js')\";",
      "const f = await import('./f.js');",
      "const g = () => import(`./g.js`);",
      "const h = (name) => import(name);",
    ].join('\n');
    assert.deepEqual(relativeSpecifiers('sample.js', source), ['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
  });

  test('the cycle finder reports a self-import, a two-module cycle and a longer one, each once', () => {
    const graph = new Map<string, string[]>([
      ['a.js', ['b.js']],
      ['b.js', ['a.js', 'c.js']],
      ['c.js', ['d.js']],
      ['d.js', ['e.js', 'f.js']],
      ['e.js', ['c.js']],
      ['f.js', ['f.js']],
      ['g.js', ['a.js', 'c.js']],
    ]);
    assert.deepEqual(findCycles(graph).map((chain) => chain.join(' -> ')), [
      'a.js -> b.js -> a.js',
      'c.js -> d.js -> e.js -> c.js',
      'f.js -> f.js',
    ]);
    assert.deepEqual(findCycles(new Map([['a.js', ['b.js']], ['b.js', []]])), []);
  });

  const graph = existsSync(DIST) ? distGraph(DIST) : new Map<string, string[]>();

  test('dist/ is built and its graph has edges (so an empty answer below means something)', () => {
    assert.ok(graph.size > 10, `expected the built package in ${DIST}`);
    assert.ok(graph.get('index.js')?.length, 'dist/index.js imports other modules');
    assert.ok(graph.get('winsock/index.js')?.includes('backend/linux/index.js'), "dist/winsock/index.js's import of the Linux backend is seen");
  });

  test('no module reaches itself through its runtime imports', () => {
    const cycles = findCycles(graph);
    assert.equal(cycles.length, 0, `${cycles.length} import cycle(s) in dist/:\n${cycles.map((chain) => `  ${chain.join(' -> ')}`).join('\n')}`);
  });
});
