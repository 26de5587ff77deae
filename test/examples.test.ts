/**
 * Every example in examples/ (each `*.mjs`, also one directory down) runs with the built package
 * and exits 0 within its time-out; they use loopback only and start their own servers.
 *
 * The C port (examples/winsock-c-port): when a MinGW-w64 compiler and the prepared Wine are here,
 * example.c is compiled and run under Wine, and its output is compared with example.mjs run by the
 * Windows node under Wine: the port must print the same lines (only the listening port differs).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import net from 'node:net';
import { readWineConfig, runUnderWine, toWindowsPath, wineCacheDir, wineEnv } from '../scripts/wine/run.mjs';
import { startServer, type EchoServer } from '../bench/echo-run.mjs';
import { ROOT } from './helpers/netns.js';

const EXAMPLES = join(ROOT, 'examples');

function examples(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(EXAMPLES, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.mjs')) found.push(join(EXAMPLES, entry.name));
    if (entry.isDirectory()) {
      for (const inner of readdirSync(join(EXAMPLES, entry.name))) {
        if (inner.endsWith('.mjs')) found.push(join(EXAMPLES, entry.name, inner));
      }
    }
  }
  return found.sort();
}

describe('examples/ run and exit 0', () => {
  const all = examples();
  test('there are examples, the C port among them', () => {
    assert.ok(all.some((f) => f.endsWith(join('winsock-c-port', 'example.mjs'))), all.join(', '));
  });
  for (const file of all) {
    test(relative(ROOT, file), { timeout: 60_000 }, () => {
      const run = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
      assert.equal(run.signal, null, `killed (${run.signal}) after the time-out:\n${run.stdout}\n${run.stderr}`);
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      assert.equal(run.stderr, '');
    });
  }

  test('winsock-c-port: the port prints what the C program prints, step by step', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, [join(EXAMPLES, 'winsock-c-port', 'example.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Winsock 2\.2: /m);
    assert.match(run.stdout, /^\d+ IPv4 interface\(s\):\n {2}127\.0\.0\.1 +mask 255\.0\.0\.0 +up loopback$/m);
    assert.match(run.stdout, /^\d+ address\(es\) to bind to \(\d+ bytes\):$/m);
    assert.match(run.stdout, /^listening on 127\.0\.0\.1:\d+$/m);
    assert.match(run.stdout, /^SIO_KEEPALIVE_VALS done: SO_KEEPALIVE is on$/m);
    assert.match(run.stdout, /^FIONREAD: 5 byte\(s\) to read$/m);
  });
});

describe('examples/winsock-c-port: example.c compiled (MinGW-w64) and example.mjs, both under Wine', () => {
  const compiler = 'x86_64-w64-mingw32-gcc';
  const haveCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const skip = process.env.WSAIOCTL_SKIP_WINE
    ? 'WSAIOCTL_SKIP_WINE is set'
    : !existsSync(join(wineCacheDir(), 'ready.json'))
      ? 'Wine is not prepared (run sh scripts/wine/setup.sh)'
      : !haveCompiler && `${compiler} is not installed (Debian: apt-get install gcc-mingw-w64-x86-64-win32); the C reference is not compiled`;
  test('same output from the C program and its port', { skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-cport-'));
    try {
      const exe = join(dir, 'example.exe');
      const cc = spawnSync(compiler, ['-Wall', '-Wextra', '-Werror', '-o', exe, join(EXAMPLES, 'winsock-c-port', 'example.c'), '-lws2_32'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(cc.status, 0, `example.c does not compile:\n${cc.stderr}`);
      // Files, not pipes, for the Windows process's output (as scripts/wine/run.mjs does).
      const config = readWineConfig() as { wine: string; prefix: string };
      const outPath = join(dir, 'out.txt');
      const outFd = openSync(outPath, 'w');
      const c = spawnSync(config.wine, [exe], {
        stdio: ['ignore', outFd, 'ignore'], timeout: 120_000, killSignal: 'SIGKILL',
        env: { ...process.env, WINEPREFIX: config.prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' },
      });
      closeSync(outFd);
      const cOut = readFileSync(outPath, 'utf8').replace(/\r\n/g, '\n');
      assert.equal(c.status, 0, `example.exe under Wine: status ${c.status}, signal ${c.signal}\n${cOut}`);
      const port = await runUnderWine(join(EXAMPLES, 'winsock-c-port', 'example.mjs'), [], { timeoutMs: 120_000, cwd: ROOT });
      assert.equal(port.code, 0, port.stderr);
      const normal = (text: string) => text.replace(/\r\n/g, '\n').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>').trimEnd();
      assert.equal(normal(port.stdout), normal(cOut));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The lines examples/async-select-client prints, the port number made neutral, in a stable order. */
const asyncSelectLines = (text: string): string[] =>
  text.replace(/\r\n/g, '\n').replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>').trimEnd().split('\n').sort();

const ASYNC_SELECT_LINES = [
  'client: connected', 'client: got "HELLO, SERVER"', 'client: the peer closed', 'connect: WSAEWOULDBLOCK (under way)',
  'listening on 127.0.0.1:<port>', 'server: accepted a connection', 'server: got "hello, server"', 'server: the peer closed',
  'WM_QUIT: exit code 0',
].sort();

describe('examples/async-select-client: the classic WSAAsyncSelect client (client.c) and its port (client.mjs)', () => {
  test('the port runs its message loop to WM_QUIT: connect, a line each way, both ends closed', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, [join(EXAMPLES, 'async-select-client', 'client.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.deepEqual(asyncSelectLines(run.stdout), ASYNC_SELECT_LINES);
  });

  const compiler = 'x86_64-w64-mingw32-gcc';
  const haveCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const skip = process.env.WSAIOCTL_SKIP_WINE
    ? 'WSAIOCTL_SKIP_WINE is set'
    : !existsSync(join(wineCacheDir(), 'ready.json'))
      ? 'Wine is not prepared (run sh scripts/wine/setup.sh)'
      : !haveCompiler && `${compiler} is not installed; the C reference is not compiled`;
  test('client.c compiled with MinGW-w64 and client.mjs on the Windows node print the same lines under Wine', { skip, timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-async-select-'));
    try {
      const exe = join(dir, 'client.exe');
      const cc = spawnSync(compiler, ['-Wall', '-Wextra', '-Werror', '-o', exe, join(EXAMPLES, 'async-select-client', 'client.c'), '-lws2_32'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(cc.status, 0, `client.c does not compile:\n${cc.stderr}`);
      const config = readWineConfig();
      const outPath = join(dir, 'out.txt');
      const outFd = openSync(outPath, 'w');
      const c = spawnSync(config.wine, [exe], { stdio: ['ignore', outFd, 'ignore'], timeout: 120_000, killSignal: 'SIGKILL', env: wineEnv(config) });
      closeSync(outFd);
      const cOut = readFileSync(outPath, 'utf8');
      assert.equal(c.status, 0, `client.exe under Wine: status ${c.status}, signal ${c.signal}\n${cOut}`);
      assert.deepEqual(asyncSelectLines(cOut), ASYNC_SELECT_LINES);
      const port = await runUnderWine(join(EXAMPLES, 'async-select-client', 'client.mjs'), [], { timeoutMs: 120_000, cwd: ROOT });
      assert.equal(port.code, 0, port.stderr);
      assert.deepEqual(asyncSelectLines(port.stdout), asyncSelectLines(cOut));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * examples/acceptex-server.mjs, the port of the classic AcceptEx + completion-port server, and the
 * C program it ports (examples/acceptex-server.c): the same lines on the Linux emulation, and,
 * under Wine, from the C program and from the port on the Windows backend (the real AcceptEx /
 * ConnectEx pointers called through koffi).
 */
const ACCEPTEX_EXAMPLE = join(EXAMPLES, 'acceptex-server.mjs');
const ACCEPTEX_LINES = [
  'listening on 127.0.0.1 (an ephemeral port)',
  'AcceptEx, GetAcceptExSockaddrs and ConnectEx from SIO_GET_EXTENSION_FUNCTION_POINTER',
  ...[1, 2, 3].map((id) => `client ${id}: "HELLO FROM CLIENT ${id}"`),
  'server: 3 connections accepted, 57 bytes of first data, 3 peers on 127.0.0.1',
  '',
].join('\n');

describe('examples/acceptex-server.mjs and acceptex-server.c', () => {
  const compiler = 'x86_64-w64-mingw32-gcc';
  const haveCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const wineMissing = process.env.WSAIOCTL_SKIP_WINE
    ? 'WSAIOCTL_SKIP_WINE is set'
    : !existsSync(join(wineCacheDir(), 'ready.json')) && 'Wine is not prepared (run sh scripts/wine/setup.sh)';

  test('the port prints its lines on the Linux emulation', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, [ACCEPTEX_EXAMPLE], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(run.stdout, ACCEPTEX_LINES);
  });

  test('the C program (MinGW-w64, under Wine) and the port on the Windows backend print the same lines', {
    skip: wineMissing || (!haveCompiler && `${compiler} is not installed; the C program is not compiled`), timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-acceptex-'));
    try {
      const exe = join(dir, 'acceptex-server.exe');
      const cc = spawnSync(compiler, ['-Wall', '-Wextra', '-Werror', '-o', exe, join(EXAMPLES, 'acceptex-server.c'), '-lws2_32'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(cc.status, 0, `acceptex-server.c does not compile:\n${cc.stderr}`);
      const config = readWineConfig() as { wine: string; prefix: string };
      const outPath = join(dir, 'out.txt');
      const outFd = openSync(outPath, 'w');
      const c = spawnSync(config.wine, [exe], { stdio: ['ignore', outFd, 'ignore'], timeout: 120_000, killSignal: 'SIGKILL', env: wineEnv(readWineConfig()) });
      closeSync(outFd);
      const cOut = readFileSync(outPath, 'utf8').replace(/\r\n/g, '\n');
      assert.equal(c.status, 0, `acceptex-server.exe under Wine: status ${c.status}, signal ${c.signal}\n${cOut}`);
      assert.equal(cOut, ACCEPTEX_LINES);
      const port = await runUnderWine(ACCEPTEX_EXAMPLE, [], { timeoutMs: 120_000, cwd: ROOT });
      assert.equal(port.code, 0, port.stderr);
      assert.equal(port.stdout.replace(/\r\n/g, '\n'), cOut);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * examples/iocp-echo-server.mjs, the port of the classic completion-port echo server, and the C
 * program it ports (bench/c/echo-iocp.c): the same conversation with each must come back
 * byte for byte. A conversation: three connections at once, each sending messages of 1 byte to
 * 200 KB (more than the servers' 64 KiB buffer, so echoed in pieces) and waiting for each echo.
 */
const ECHO_EXAMPLE = join(EXAMPLES, 'iocp-echo-server.mjs');
const MESSAGE_SIZES = [1, 64, 1000, 70_000, 200_000];

/** One connection's messages, echoed; resolves with what came back per message (a digest). */
async function converse(port: number, id: number): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let received = 0;
  let wake = (): void => {};
  let failure: Error | null = null;
  socket.on('data', (data: Buffer) => { chunks.push(data); received += data.length; wake(); });
  socket.on('error', (error) => { failure = error; wake(); });
  await once(socket, 'connect');
  const echoes: string[] = [];
  for (const size of MESSAGE_SIZES) {
    const message = Buffer.alloc(size, `${id}:${size};`);
    socket.write(message);
    await new Promise<void>((resolve, reject) => {
      const check = (): void => (failure ? reject(failure) : received >= size ? resolve() : undefined);
      wake = check;
      check();
    });
    const echo = Buffer.concat(chunks);
    chunks.length = 0;
    received = 0;
    echoes.push(`${echo.length} bytes, ${echo.equals(message) ? 'the same' : 'different'}`);
  }
  socket.end();
  await once(socket, 'close');
  return echoes;
}

/** The conversation with a started server (stopped afterwards), bounded in time. */
async function conversation(server: Promise<EchoServer>): Promise<string[][]> {
  const started = await server;
  try {
    const talk = Promise.all([1, 2, 3].map((id) => converse(started.port, id)));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no echo within 60 s')), 60_000).unref());
    return await Promise.race([talk, timeout]);
  } finally {
    await started.stop();
  }
}

/**
 * An echo example run without arguments (its demonstration: a Worker client, three connections of
 * three messages): it exits 0 and prints exactly its listening line, then what was served.
 */
function demonstrates(example: string, listening: string): void {
  const run = spawnSync(process.execPath, [example], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.stdout, [
    listening,
    'served 3 connections, 0 errors',
    ...[1, 2, 3].map((id) => `client: connection ${id}: 3 messages, 3075 bytes echoed`),
    '',
  ].join('\n'));
}

const EXPECTED_CONVERSATION = [1, 2, 3].map(() => MESSAGE_SIZES.map((size) => `${size} bytes, the same`));

describe('examples/iocp-echo-server.mjs', () => {
  test('the demonstration serves its three connections and reports them (Linux emulation)', { timeout: 60_000 }, () => {
    demonstrates(ECHO_EXAMPLE, 'listening on 127.0.0.1 (an ephemeral port)');
  });

  test('serving: every message comes back whole, also those larger than its buffer (Linux emulation)', { timeout: 120_000 }, async () => {
    assert.deepEqual(await conversation(startServer(process.execPath, [ECHO_EXAMPLE, '--port-file'])), EXPECTED_CONVERSATION);
  });
});

/**
 * examples/iocp-thread-pool.mjs: the same server, its connections made on the main thread and served
 * by a pool of Workers (issue 16): the same conversation must come back byte for byte, with one
 * Worker and with four.
 */
const POOL_EXAMPLE = join(EXAMPLES, 'iocp-thread-pool.mjs');

describe('examples/iocp-thread-pool.mjs', () => {
  test('the demonstration serves its three connections with four pool threads and reports them (Linux emulation)', { timeout: 60_000 }, () => {
    demonstrates(POOL_EXAMPLE, 'listening on 127.0.0.1 (an ephemeral port), 4 pool threads');
  });

  for (const workers of [1, 4]) {
    test(`serving with ${workers} pool thread${workers > 1 ? 's' : ''}: every message comes back whole, also those larger than its buffer (Linux emulation)`, { timeout: 120_000 }, async () => {
      assert.deepEqual(await conversation(startServer(process.execPath, [POOL_EXAMPLE, '--workers', String(workers), '--port-file'])), EXPECTED_CONVERSATION);
    });
  }

  test('a bad command line is refused with the usage and exit code 2', () => {
    const run = spawnSync(process.execPath, [POOL_EXAMPLE, '--workers', '0'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^usage: node examples\/iocp-thread-pool\.mjs/);
  });
});

describe('examples/iocp-echo-server.mjs and bench/c/echo-iocp.c under Wine', () => {
  const compiler = 'x86_64-w64-mingw32-gcc';
  const haveCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  const wineMissing = process.env.WSAIOCTL_SKIP_WINE
    ? 'WSAIOCTL_SKIP_WINE is set'
    : !existsSync(join(wineCacheDir(), 'ready.json')) && 'Wine is not prepared (run sh scripts/wine/setup.sh)';

  test('the demonstration prints the same lines on the Windows backend', { skip: wineMissing, timeout: 300_000 }, async () => {
    const run = await runUnderWine(ECHO_EXAMPLE, [], { timeoutMs: 120_000, cwd: ROOT });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.replace(/\r\n/g, '\n'), [
      'listening on 127.0.0.1 (an ephemeral port)',
      'served 3 connections, 0 errors',
      ...[1, 2, 3].map((id) => `client: connection ${id}: 3 messages, 3075 bytes echoed`),
      '',
    ].join('\n'));
  });

  test('the C program and its port (on ws2_32) hold the same conversation', {
    skip: wineMissing || (!haveCompiler && `${compiler} is not installed; the C program is not compiled`), timeout: 300_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-echo-'));
    try {
      const exe = join(dir, 'echo-iocp.exe');
      const cc = spawnSync(compiler, ['-Wall', '-Wextra', '-Werror', '-O2', '-o', exe, join(ROOT, 'bench', 'c', 'echo-iocp.c'), '-lws2_32'], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(cc.status, 0, `echo-iocp.c does not compile:\n${cc.stderr}`);
      const config = readWineConfig() as { wine: string; nodeExe: string };
      const options = { env: wineEnv(readWineConfig()), windowsPaths: true };
      const c = await conversation(startServer(config.wine, [exe], options));
      const port = await conversation(startServer(config.wine, [config.nodeExe, toWindowsPath(ECHO_EXAMPLE), '--port-file'], options));
      assert.deepEqual(c, EXPECTED_CONVERSATION);
      assert.deepEqual(port, c);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
