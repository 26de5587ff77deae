/**
 * Every code block in README.md runs as written (issue 19, item 1).
 *
 * The blocks are found anew on every run: each fenced block tagged `js`, `mjs`, `ts` or `sh`, so a
 * section added to the README is tested without touching this file. Blocks run from the repository
 * root against the built package (`npm run build`): there `wsaioctl` resolves to this package and
 * `npx wsaioctl` to its own bin (npm_config_offline is set: nothing is fetched). Loopback only.
 *
 * - js / mjs blocks run as an ES module; ts blocks are transpiled first (TypeScript's
 *   transpileModule, no type check). Each must exit 0 with nothing on stderr.
 * - sh blocks run line by line (`sh -c`); each line must exit 0.
 *
 * A block can carry one marker, an HTML comment on the line right above its opening fence (GitHub
 * does not show it):
 *
 *   <!-- readme-test: port 8080 -->      the block talks to a server on 127.0.0.1:8080. The test
 *                                         starts a loopback TCP server on a free port and runs the
 *                                         block with every 8080 in it replaced by that port.
 *   <!-- readme-test: until-stopped -->  (sh) each line streams until stopped: it must print, then
 *                                         end cleanly on SIGINT sent to its process group (Ctrl-C):
 *                                         exit 0; a line run through npx may also end by SIGINT
 *                                         (or 130), because npm exec itself ends on the SIGINT it
 *                                         received, whatever the command returned.
 *   <!-- readme-test: skip (reason) -->  not run, for the reason given (it is the test's skip note).
 *
 * Every child is bounded by a time-out.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/netns.js';

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: 'js' | 'mjs' | 'ts' | 'sh';
  code: string;
  marker: { kind: 'port'; port: number } | { kind: 'until-stopped' } | { kind: 'skip'; reason: string } | null;
}

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/** The runnable blocks of `markdown`, with their markers; throws on a marker it does not know. */
function readmeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: a code block that never closes`);
    const lang = open[1]!;
    const above = MARKER.exec(lines[i - 1]?.trim() ?? '');
    if (['js', 'mjs', 'ts', 'sh'].includes(lang)) {
      blocks.push({ line: i + 1, lang: lang as Block['lang'], code: lines.slice(i + 1, end).join('\n'), marker: above ? parseMarker(above[1]!, i) : null });
    } else if (above) {
      throw new Error(`README.md:${i}: a readme-test marker on a block this test does not run (\`\`\`${lang})`);
    }
    i = end;
  }
  return blocks;
}

function parseMarker(text: string, index: number): NonNullable<Block['marker']> {
  const port = /^port (\d+)$/.exec(text);
  if (port) return { kind: 'port', port: Number(port[1]) };
  if (text === 'until-stopped') return { kind: 'until-stopped' };
  const skip = /^skip \((.+)\)$/.exec(text);
  if (skip) return { kind: 'skip', reason: skip[1]! };
  throw new Error(`README.md:${index}: unknown readme-test marker '${text}' (port N | until-stopped | skip (reason))`);
}

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(package|lifecycle)_|^INIT_CWD$/.test(k))),
  npm_config_offline: 'true',
};
/** Where js / ts blocks are written: inside the package, so that `wsaioctl` resolves to it. */
const SCRATCH = join(ROOT, 'dist-test', 'readme-blocks');
after(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** A loopback TCP server that takes connections and reads what they send. */
async function loopbackServer(): Promise<Server> {
  const server = createServer((conn) => {
    conn.on('error', () => undefined);
    conn.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function runScript(block: Block, code: string) {
  mkdirSync(SCRATCH, { recursive: true });
  const file = join(SCRATCH, `line-${block.line}.mjs`);
  const source = block.lang === 'ts'
    ? ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
    : code;
  writeFileSync(file, source);
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, env, timeout: 60_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Command lines of an sh block (comment-only and empty lines dropped). */
const commandLines = (code: string) => code.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

/** Runs `line` in its own process group until it prints, then sends SIGINT to the group (Ctrl-C). */
function runUntilStopped(line: string) {
  return new Promise<{ status: number | string | null; printed: string; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: ROOT, env, detached: true });
    let printed = '';
    let stderr = '';
    let stopped = false;
    const stop = () => {
      if (stopped || child.pid === undefined) return;
      stopped = true;
      try { process.kill(-child.pid, 'SIGINT'); } catch { /* already gone */ }
    };
    const deadline = setTimeout(stop, 60_000);
    const hardStop = setTimeout(() => { if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 90_000);
    child.stdout.on('data', (d: Buffer) => { printed += d; stop(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('close', (status, signal) => {
      clearTimeout(deadline);
      clearTimeout(hardStop);
      resolve({ status: status ?? signal, printed, stderr });
    });
  });
}

describe('README.md: every code block runs as written', () => {
  const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  test('the README has runnable blocks (so the tests below mean something)', () => {
    assert.ok(blocks.filter((b) => b.lang === 'js').length >= 3, `${blocks.length} blocks`);
    assert.ok(blocks.some((b) => b.marker?.kind === 'port'));
  });

  for (const block of blocks) {
    const name = `README.md:${block.line} (${block.lang}${block.marker ? `, ${block.marker.kind}` : ''})`;
    if (block.marker?.kind === 'skip') {
      test(name, { skip: block.marker.reason }, () => undefined);
      continue;
    }
    test(name, { timeout: 240_000 }, async () => {
      const server = block.marker?.kind === 'port' ? await loopbackServer() : null;
      try {
        const code = server !== null && block.marker?.kind === 'port'
          ? block.code.replaceAll(new RegExp(`\\b${block.marker.port}\\b`, 'g'), String((server.address() as AddressInfo).port))
          : block.code;
        if (block.lang !== 'sh') {
          const run = await runScript(block, code);
          assert.equal(run.status, 0, `exit ${run.status}\n${run.stdout}\n${run.stderr}`);
          assert.equal(run.stderr, '', 'nothing on stderr');
          return;
        }
        for (const line of commandLines(code)) {
          if (block.marker?.kind === 'until-stopped') {
            const run = await runUntilStopped(line);
            assert.notEqual(run.printed, '', `${line}: printed before it was stopped\n${run.stderr}`);
            const expected = /^npx\b/.test(line) ? [0, 130, 'SIGINT'] : [0];
            assert.ok(expected.includes(run.status ?? -1), `${line}: exit ${run.status} after SIGINT\n${run.stderr}`);
            assert.doesNotMatch(run.stderr, /error/i, line);
          } else {
            const run = spawnSync('sh', ['-c', line], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
            assert.equal(run.status, 0, `${line}: exit ${run.status}\n${run.stdout}\n${run.stderr}`);
          }
        }
      } finally {
        server?.close();
      }
    });
  }
});
