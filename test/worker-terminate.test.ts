/**
 * Host fds of Workers (host/thread-fds.ts): a Worker stopped with worker.terminate() runs no JS,
 * so the thread that created it closes what it left open when its 'exit' event fires; a Worker
 * that ends by itself closes its own; nothing is closed twice, a number the Worker closed and
 * someone else got since is never closed, and a socket borrowed from Node is never closed. A
 * SOCKET the Worker made is the process's (docs/process-wide-handles.md §15): its fd is not the
 * thread's, stays open after the Worker ends, and is closed here with closesocket. The fd
 * counts come from /proc/self/fd and count sockets and anon_inode fds (eventfd, timerfd, epoll)
 * only: Node itself leaks the module files its ESM loader was still reading when a Worker is
 * terminated during its start-up, which is not the library's doing. Loopback only; every loop is
 * bounded in count and time; no timing assertion.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { workersLookedAfter } from '../dist/backend/linux/host/thread-fds.js';
import { region } from '../dist/backend/linux/shared/region.js';
import { socketHandlesInUse } from '../dist/backend/linux/shared/sockets.js';
import { startup, cleanup, check, closeAll } from './helpers/sockets.js';
import { tcpTrio, fdOf, fdTarget } from './helpers/node-sockets.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKER = new URL('./helpers/fd-worker.js', import.meta.url);
const skip = process.platform !== 'linux' ? 'Linux emulation only' : false;

/** This process's sockets and anon_inode fds (see the header for why not its files). */
const fdSet = (): Set<number> => new Set(readdirSync('/proc/self/fd').map(Number).filter((fd) => {
  try {
    return /^(socket|anon_inode):/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}));
const openFds = (): number => fdSet().size;
const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The fd count once it is back at `limit` or below, re-read for at most ~2 s. */
async function settledCount(limit: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const n = openFds();
    if (n <= limit) return n;
    await tick(20);
  }
  return openFds();
}

/** The fd count once two readings 50 ms apart agree (at most ~1 s): a baseline. */
async function steadyCount(): Promise<number> {
  let last = openFds();
  for (let i = 0; i < 20; i++) {
    await tick(50);
    const n = openFds();
    if (n === last) return n;
    last = n;
  }
  return last;
}

/** Every SOCKET open in the process now (any thread's). */
const socketsNow = (): Set<number> => {
  const r = region();
  return new Set(r === null ? [] : socketHandlesInUse(r));
};

/**
 * A SOCKET is the process's, not its thread's (docs/process-wide-handles.md §15): what Workers made
 * stays open after they end, and is closed here. Returns how many there were.
 */
function closeSocketsMadeSince(before: Set<number>): number {
  const left = [...socketsNow()].filter((h) => !before.has(h));
  for (const h of left) ws.closesocket(h);
  return left.length;
}

/** Resolve once `predicate` holds, re-checked for at most ~2 s; returns whether it did. */
async function eventually(predicate: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (predicate()) return true;
    await tick(20);
  }
  return predicate();
}

interface Ready {
  ready?: true;
  openedFds: number[];
  closedFds: number[];
  recorded: number[];
  grew?: { held: boolean; cleared: boolean };
  failure?: string;
}

/** Every Worker a test made, terminated after the tests whatever happened. */
const workers = new Set<Worker>();

/**
 * A Worker of helpers/fd-worker.ts and its first message (it must report success). `onExit` is
 * registered at once, so it runs before the library's own 'exit' listener (added on the next tick).
 */
async function spawn(workerData: Record<string, unknown>, onExit?: () => void): Promise<{ worker: Worker; ready: Ready; exited: Promise<unknown[]> }> {
  const worker = new Worker(WORKER, { workerData });
  workers.add(worker);
  if (onExit) worker.once('exit', onExit);
  const exited = once(worker, 'exit');
  // once() rejects on the Worker's 'error' event.
  const [ready] = (await once(worker, 'message')) as [Ready];
  assert.equal(ready.failure, undefined, ready.failure);
  return { worker, ready, exited };
}

/** A Winsock UDP socket of this thread (bound to loopback), its host fd number and what that fd names ('socket:[inode]'). */
function parentUdp(): { socket: number; fd: number; target: string | null } {
  const beforeFds = fdSet();
  const socket = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const fd = [...fdSet()].find((n) => !beforeFds.has(n)) ?? -1;
  const name = ws.sockaddr('127.0.0.1', 0);
  check(ws.bind(socket, name, name.length), 'bind');
  return { socket, fd, target: fdTarget(fd) };
}

/** The socket's fd was not closed under it: it still names the same kernel socket, and the kernel answers on it. */
function alive({ socket, fd, target }: { socket: number; fd: number; target: string | null }): boolean {
  const name = new Uint8Array(16);
  return target !== null && fdTarget(fd) === target && ws.getsockname(socket, name, { value: 16 }) === 0;
}

before(startup);
after(async () => {
  await Promise.all([...workers].map((worker) => worker.terminate()));
  cleanup();
});

describe('Workers and their host fds', { skip }, () => {
  test('terminate(): 20 Workers with sockets, rtnetlink, timerfd and eventfd open leave no fd behind', async () => {
    // One Worker alone first: whatever Node or koffi opens once per process is not counted, and
    // what it opened can be told apart from other threads' fds.
    const socketsBefore = socketsNow();
    const warm = await spawn({ mode: 'busy' });
    // rtnetlink, timerfd, eventfd where the host has them; the TCP listener, both ends and the UDP
    // socket are not the thread's but the process's (they stay open for other threads).
    const notRecorded = warm.ready.openedFds.filter((fd) => !warm.ready.recorded.includes(fd));
    assert.equal(notRecorded.length, 4, `opened ${warm.ready.openedFds}, recorded ${warm.ready.recorded}`);
    assert.ok(warm.ready.recorded.every((fd) => warm.ready.openedFds.includes(fd)), 'every fd recorded was opened');
    await warm.worker.terminate();
    assert.equal(closeSocketsMadeSince(socketsBefore), 4, 'the Worker\'s 4 sockets are still open after terminate()');
    const baseline = await steadyCount();
    let opened = 0;
    for (let batch = 0; batch < 5; batch++) {
      const spawned = await Promise.all([0, 1, 2, 3].map(() => spawn({ mode: 'busy' })));
      await Promise.all(spawned.map(({ worker }) => worker.terminate()));
      for (const { ready } of spawned) opened += ready.openedFds.length;
    }
    assert.equal(closeSocketsMadeSince(socketsBefore), 20 * 4);
    const count = await settledCount(baseline);
    assert.ok(count - baseline <= 2, `${count - baseline} more fds than before 20 terminated Workers (which had opened ${opened})`);
    assert.ok(await eventually(() => workersLookedAfter() === 0), `${workersLookedAfter()} ended Workers not forgotten`);
  });

  /** An 'on-signal' Worker that has imported the library and waits for flags[0] before opening its fds. */
  async function importedAndWaiting(): Promise<{ flags: Int32Array; worker: Worker; exited: Promise<unknown[]> }> {
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(WORKER, { workerData: { mode: 'on-signal', flags: flags.buffer } });
    workers.add(worker);
    const exited = once(worker, 'exit');
    const [first] = (await once(worker, 'message')) as [{ waiting?: true; failure?: string }];
    assert.equal(first.waiting, true, first.failure);
    return { flags, worker, exited };
  }

  test('terminate() at any point while the Worker opens its fds', async () => {
    // Not while it is still importing the library: koffi aborts the whole process when a Worker is
    // terminated inside its module initialisation (napi_throw in a terminating thread; see the
    // README's approximations), so the Worker says when the import is done.
    const baseline = await steadyCount();
    const socketsBefore = socketsNow();
    for (let i = 0; i < 10; i++) {
      const { flags, worker, exited } = await importedAndWaiting();
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      // A spread of moments, bounded: at once, then later and later into its opening of fds.
      await tick(i * 3);
      await worker.terminate();
      await exited;
    }
    closeSocketsMadeSince(socketsBefore);
    const count = await settledCount(baseline);
    // A Worker stopped between a syscall and its record may keep that one fd (host/thread-fds.ts).
    assert.ok(count - baseline <= 3, `${count - baseline} more fds than before`);
    assert.ok(await eventually(() => workersLookedAfter() === 0), `${workersLookedAfter()} ended Workers not forgotten`);
  });

  test('terminate() while this thread is blocked: the table and the end reach it in either order', async () => {
    const baseline = await steadyCount();
    const socketsBefore = socketsNow();
    for (let i = 0; i < 5; i++) {
      const { flags, worker, exited } = await importedAndWaiting();
      // The Worker opens its fds and posts its table while this thread's event loop stands still;
      // terminate() is called before that loop has looked at the table message.
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
      assert.equal(Atomics.wait(flags, 1, 0, 10_000), 'ok', 'the Worker did not open its fds');
      // Still without turning the loop: terminate, and let its thread go away (bounded), so the
      // 'exit' notification and the table message wait side by side.
      const threads = readdirSync('/proc/self/task').length;
      void worker.terminate();
      for (let j = 0; j < 400 && readdirSync('/proc/self/task').length >= threads; j++) Atomics.wait(flags, 0, 1, 5);
      await exited;
    }
    assert.equal(closeSocketsMadeSince(socketsBefore), 5 * 4);
    const count = await settledCount(baseline);
    assert.ok(count - baseline <= 2, `${count - baseline} more fds than before`);
    assert.ok(await eventually(() => workersLookedAfter() === 0), `${workersLookedAfter()} ended Workers not forgotten`);
  });

  test('a Worker that ends by itself (process.exit, or its script returning) closes its fds; the parent closes none of the numbers again', async () => {
    const baseline = await steadyCount();
    const socketsBefore = socketsNow();
    const mine: Array<ReturnType<typeof parentUdp>> = [];
    for (const mode of ['busy-exit', 'return', 'busy-exit', 'return']) {
      // Before the library's own 'exit' listener runs: the numbers the Worker just closed are free
      // again, and this thread takes more of them than the Worker had.
      const { worker, ready, exited } = await spawn({ mode }, () => {
        for (let i = 0; i < 12; i++) mine.push(parentUdp());
      });
      assert.ok(ready.recorded.length < 12, `recorded ${ready.recorded}`);
      if (mode === 'busy-exit') worker.postMessage('exit');
      const [code] = await exited;
      assert.equal(code, 0);
      await tick(20);
    }
    const dead = mine.filter((m) => !alive(m));
    assert.deepEqual(dead.map(({ fd }) => fd), [], 'sockets of this thread closed by the Workers\' clean-up');
    closeAll(...mine.map(({ socket }) => socket));
    // Each Worker's 4 sockets are the process's: still open, closed here.
    assert.equal(closeSocketsMadeSince(socketsBefore), 4 * 4);
    const count = await settledCount(baseline);
    assert.ok(count - baseline <= 2, `${count - baseline} more fds than before`);
    assert.ok(await eventually(() => workersLookedAfter() === 0), `${workersLookedAfter()} ended Workers not forgotten`);
  });

  test('fds the Worker closed before terminate() are not closed again, even when this thread got their numbers since', async () => {
    const baseline = await steadyCount();
    const socketsBefore = socketsNow();
    const { worker, ready } = await spawn({ mode: 'close-some', count: 8 });
    assert.equal(ready.closedFds.length, 4);
    const mine: Array<ReturnType<typeof parentUdp>> = [];
    const wanted = new Set(ready.closedFds);
    for (let i = 0; i < 32 && [...wanted].some((fd) => !mine.some((m) => m.fd === fd)); i++) mine.push(parentUdp());
    const reused = mine.filter(({ fd }) => wanted.has(fd)).map(({ fd }) => fd);
    assert.ok(reused.length > 0, `no number the Worker closed came back (closed ${ready.closedFds}, got ${mine.map((m) => m.fd)})`);
    await worker.terminate();
    await tick(20);
    const dead = mine.filter((m) => !alive(m)).map(({ fd }) => fd);
    assert.deepEqual(dead, [], `reused numbers ${reused}`);
    closeAll(...mine.map(({ socket }) => socket));
    assert.equal(closeSocketsMadeSince(socketsBefore), 4, 'the Worker\'s 4 open sockets outlive it');
    const count = await settledCount(baseline);
    assert.ok(count - baseline <= 2, `${count - baseline} more fds than before`);
  });

  test('a Worker\'s table grows past its first page (fd numbers from 32768 on)', async () => {
    const { ready, exited } = await spawn({ mode: 'grow' });
    assert.deepEqual(ready.grew, { held: true, cleared: true });
    const [code] = await exited;
    assert.equal(code, 0);
  });

  test('a socket borrowed from Node in a Worker is not closed when the Worker is terminated', async () => {
    const trio = await tcpTrio();
    try {
      const fd = fdOf(trio.client);
      assert.ok(fd >= 0);
      const target = fdTarget(fd);
      for (let i = 0; i < 3; i++) {
        const { worker } = await spawn({ mode: 'borrow', fd });
        await worker.terminate();
        await tick(20);
        assert.equal(fdTarget(fd), target, 'the Node socket\'s fd still names the same socket');
      }
      const received = once(trio.peer, 'data');
      trio.client.write('still here');
      const [data] = (await received) as [Buffer];
      assert.equal(data.toString(), 'still here');
    } finally {
      await trio.close();
    }
  });

  test('nothing keeps the process alive: a process that terminated a busy Worker exits by itself', () => {
    const script = `
      import { Worker } from 'node:worker_threads';
      await import('wsaioctl/winsock');
      const worker = new Worker(new URL(${JSON.stringify(WORKER.href)}), { workerData: { mode: 'busy' }, execArgv: [] });
      worker.once('message', (m) => {
        if (m.failure) { console.error(m.failure); process.exitCode = 1; }
        void worker.terminate();
      });
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.signal, null, `killed after 30 s: something kept it alive (${run.stderr})`);
    assert.equal(run.status, 0, run.stderr);
  });
});

describe('every host fd the Linux backend opens is recorded, every close forgets it first', () => {
  const LINUX = join(ROOT, 'src', 'backend', 'linux');
  const files = readdirSync(LINUX, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(LINUX, f));
  const name = (file: string): string => relative(ROOT, file).split(sep).join('/');
  /**
   * Calls that return a new fd, as the backend binds them. dup3 returns the fd number it was given
   * (AcceptEx and DisconnectEx move a connection under a socket's own fd): recorded all the same.
   */
  const OPENERS = ['socket', 'accept4', 'eventfd', 'timerfd_create', 'epoll_create1', 'dup3', 'open'];
  /** libc functions that make fds: binding one that is not in OPENERS needs this test updated. */
  const FD_MAKERS = /\bfunc\('int (socket|socketpair|accept4?|eventfd|timerfd_create|signalfd|epoll_create1?|inotify_init1?|memfd_create|pipe2?|dup[23]?|open|openat)\(/;

  test('no fd-making libc function is bound beyond the known openers', () => {
    for (const file of files) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const match = FD_MAKERS.exec(line);
        if (match) assert.ok(OPENERS.includes(match[1]!), `${name(file)} binds ${match[1]}(): record its fds with noteOpened`);
      }
    }
  });

  test('each opener call is wrapped in noteOpened(), and close() is only called by host/thread-fds.ts', () => {
    // fcntl with F_DUPFD_CLOEXEC duplicates an fd (win32/files.ts holdFile): an opener too.
    const opener = /\b(?:libc\.(?:socket|accept4|eventfd|epoll_create1|dup3|open)|(?<!int )timerfd_create)\(|\blibc\.fcntl\([^)]*F_DUPFD/;
    let calls = 0;
    for (const file of files) {
      const own = name(file) === 'src/backend/linux/host/thread-fds.ts';
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        if (/^\s*(\*|\/\*|\/\/)/.test(line)) return; // a comment line
        if (!own) assert.doesNotMatch(line, /\blibc\.close\(/, `${name(file)}:${i + 1} closes without closeOwnedFd`);
        if (!opener.test(line)) return;
        calls++;
        // noteOpenedUnless(shared, ...): a dup3 onto a shared socket's number, which stays the socket's.
        assert.match(line, /noteOpened(Unless)?\(/, `${name(file)}:${i + 1} opens an fd without noteOpened`);
      });
    }
    assert.ok(calls >= 7, `found only ${calls} opener calls: the scan no longer sees them`);
  });
});
