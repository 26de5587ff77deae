/**
 * Process-wide handles (issue 16, first slice; docs/process-wide-handles.md): WSAEVENTs and
 * completion ports made in one JS thread work in every other one by the same number, with Windows'
 * threading rules, using real Workers (helpers/shared-handles-worker.ts). No network traffic; every
 * wait and loop is bounded in count and time; no timing assertion (the CPU check compares CPU time
 * with the wall time of a wait, as overlapped-waits does).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { region } from '../dist/backend/linux/shared/region.js';
import { queuedPackets, readHandle, recordGeneration, runningThreads, waitingThreads } from '../dist/backend/linux/shared/objects.js';
import { overlappedIdWith } from '../dist/backend/windows/overlapped-id.js';
import { udpPair } from './helpers/sockets.js';

const skip = process.platform !== 'linux' ? 'Linux emulation only' : false;
const WORKER = new URL('./helpers/shared-handles-worker.js', import.meta.url);
const workers = new Set<Worker>();
ws.WSAStartup(0x202, ws.newWSADATA());

after(async () => {
  await Promise.all([...workers].map((w) => w.terminate()));
});

interface Spawned {
  worker: Worker;
  /** The next message (at most 20 s). */
  next(): Promise<Record<string, unknown>>;
  exited: Promise<unknown>;
}

function spawn(role: string, data: Record<string, unknown> = {}): Spawned {
  const worker = new Worker(WORKER, { workerData: { role, ...data } });
  workers.add(worker);
  const queue: Array<Record<string, unknown>> = [];
  const takers: Array<(m: Record<string, unknown>) => void> = [];
  worker.on('message', (message: Record<string, unknown>) => {
    if (message.failure) queue.push(message);
    const taker = takers.shift();
    if (taker) taker(message);
    else queue.push(message);
  });
  const exited = once(worker, 'exit').finally(() => workers.delete(worker));
  return {
    worker,
    exited,
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no message from the ${role} Worker within 20 s`)), 20_000);
        takers.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
  };
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure after 10 s (a terminate() that never returns). */
function bounded<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('did not finish within 10 s')), 10_000);
    timer.unref();
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** The shared record of a handle (to see its waiters from here). */
function refOf(handle: number): { record: number; generation: number } {
  const r = region()!;
  const entry = readHandle(r, handle)!;
  return { record: entry.record, generation: recordGeneration(r, entry.record) };
}

/** Resolve once `count` threads wait on `handle` (re-checked for at most ~10 s). */
async function waiters(handle: number, count: number): Promise<void> {
  const ref = refOf(handle);
  for (let i = 0; i < 1000; i++) {
    if (waitingThreads(region()!, ref) >= count) return;
    await tick(10);
  }
  assert.fail(`${count} waiters on ${handle} never came`);
}

/** This process's sockets and anon_inode fds (eventfd, epoll...). */
const anonFds = (): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return /^(socket|anon_inode):/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}).length;

/** The fd count once two readings 50 ms apart agree (at most ~1 s; Workers of earlier tests may still be ending). */
async function steadyFds(): Promise<number> {
  let last = anonFds();
  for (let i = 0; i < 20; i++) {
    await tick(50);
    const n = anonFds();
    if (n === last) return n;
    last = n;
  }
  return last;
}

describe('events across Workers', { skip }, () => {
  test('an event made here is set by a Worker: the sync wait here returns WSA_WAIT_EVENT_0, without CPU while idle', async () => {
    const event = ws.WSACreateEvent();
    const other = ws.WSACreateEvent();
    // The Worker waits (sync) on `other`; meanwhile this thread's sync wait on `event` times out:
    // both threads blocked, the process must be idle.
    const waiter = spawn('wait-event', { event: other, timeout: 10_000 });
    assert.deepEqual(await waiter.next(), { waiting: true });
    await waiters(other, 1);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 300, false), ws.WSA_WAIT_TIMEOUT);
    const wallUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < wallUs / 4, `CPU ${used.user + used.system} us for ${wallUs} us`);
    // Now a Worker sets `event` (by its number) while this thread is blocked on it.
    const setter = spawn('set-event', { event });
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 10_000, false), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(await setter.next(), { ok: true, error: 0 });
    // And this thread releases the Worker's sync wait.
    assert.equal(ws.WSASetEvent(other), true);
    assert.deepEqual(await waiter.next(), { result: ws.WSA_WAIT_EVENT_0, error: 0 });
    ws.WSACloseEvent(event);
    ws.WSACloseEvent(other);
  });

  test('a Worker made just before a sync wait (no return to the event loop in between) can release it', () => {
    // Node announces a new Worker to the 'worker' event on the next tick, which a thread that
    // blocks at once never reaches: without counting the Worker as a peer at construction, this
    // thread's wait does not listen to its doorbell and the set never ends it (killed by the limit).
    const source = `
      import { Worker } from 'node:worker_threads';
      import * as ws from 'wsaioctl/winsock';
      ws.WSAStartup(0x202, ws.newWSADATA());
      const event = ws.WSACreateEvent();
      new Worker(new URL(${JSON.stringify(WORKER.href)}), { workerData: { role: 'set-event', event }, execArgv: [] });
      console.log(ws.WSAWaitForMultipleEvents(1, [event], false, ws.WSA_INFINITE, false));
      process.exit(0);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: new URL('..', import.meta.url), timeout: 15_000, encoding: 'utf8' });
    assert.equal(r.signal, null, 'the wait ended, not the time limit');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), String(ws.WSA_WAIT_EVENT_0));
  });

  test("a Worker's event releases this thread's async wait; the handle works here by its number", async () => {
    const maker = spawn('create-event');
    const { handle } = (await maker.next()) as { handle: number };
    assert.ok(handle > 0 && handle % 4 === 0);
    const waiting = ws.WSAWaitForMultipleEventsAsync(1, [handle], false, 10_000, false);
    await waiters(handle, 1);
    maker.worker.postMessage('set');
    assert.equal(await waiting, ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(await maker.next(), { done: 'set', ok: true, error: 0 });
    // Manual reset: it stays signalled for everyone until reset, here too.
    assert.equal(ws.WSAWaitForMultipleEvents(1, [handle], false, 0, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.WSAResetEvent(handle), true);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [handle], false, 0, false), ws.WSA_WAIT_TIMEOUT);
    maker.worker.postMessage('close');
    assert.deepEqual(await maker.next(), { done: 'close', ok: true, error: 0 });
    // Closed there: invalid here at once.
    assert.equal(ws.WSASetEvent(handle), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_INVALID_HANDLE);
    maker.worker.postMessage('end');
    await maker.exited;
  });

  test('manual reset across threads: one set releases every waiting Worker (sync and async waits)', async () => {
    const event = ws.WSACreateEvent();
    const waiting = [spawn('wait-event', { event, timeout: 10_000 }), spawn('wait-event', { event, timeout: 10_000, async: true }), spawn('wait-event', { event, timeout: 10_000 })];
    for (const w of waiting) assert.deepEqual(await w.next(), { waiting: true });
    await waiters(event, 3);
    assert.equal(ws.WSASetEvent(event), true);
    for (const w of waiting) assert.deepEqual(await w.next(), { result: ws.WSA_WAIT_EVENT_0, error: 0 });
    ws.WSACloseEvent(event);
  });

  test('closed in one thread, closed everywhere: a waiting Worker fails, and no fresh handle is the closed one', async () => {
    const event = ws.WSACreateEvent();
    const waiter = spawn('wait-event', { event, timeout: 10_000 });
    assert.deepEqual(await waiter.next(), { waiting: true });
    await waiters(event, 1);
    const closer = spawn('close-event', { event });
    assert.deepEqual(await closer.next(), { ok: true, error: 0 });
    assert.deepEqual(await waiter.next(), { result: ws.WSA_WAIT_FAILED, error: ws.WSA_INVALID_HANDLE });
    assert.equal(ws.WSAResetEvent(event), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_INVALID_HANDLE);
    const fresh = [ws.WSACreateEvent(), ws.WSACreateEvent()];
    assert.ok(!fresh.includes(event));
    for (const e of fresh) ws.WSACloseEvent(e);
  });
});

describe('completion ports across Workers', { skip }, () => {
  test('4 Workers on one port (sync and async takes): 100,000 posted packets, each delivered exactly once; no fd left', async () => {
    const before = await steadyFds();
    const N = 100_000;
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.notEqual(port, 0);
    const counts = new Int32Array(new SharedArrayBuffer(4 * (N + 1)));
    const pool = [0, 1, 2, 3].map((i) => spawn('drain-port', { port, counts, async: i % 2 === 1 }));
    for (let key = 1; key <= N; key++) {
      if (!ws.PostQueuedCompletionStatus(port, key & 0xff, key, null)) assert.fail(`post ${key}: ${ws.GetLastError()}`);
      // Let the pool run now and then (bounded: the posts end).
      if (key % 10_000 === 0) await tick(1);
    }
    for (let i = 0; i < pool.length; i++) assert.equal(ws.PostQueuedCompletionStatus(port, 0, 0, null), true);
    const reports = await Promise.all(pool.map((w) => w.next()));
    for (const report of reports) assert.equal(report.failed, undefined, JSON.stringify(report));
    const taken = reports.reduce((sum, report) => sum + (report.taken as number), 0);
    assert.equal(taken, N);
    const wrong: number[] = [];
    for (let key = 1; key <= N && wrong.length < 5; key++) if (Atomics.load(counts, key) !== 1) wrong.push(key);
    assert.deepEqual(wrong, [], 'keys not delivered exactly once');
    await Promise.all(pool.map((w) => w.exited));
    assert.equal(ws.CloseHandle(port), true);
    // The Workers' doorbells and pollers went with them.
    for (let i = 0; i < 100 && anonFds() > before; i++) await tick(20);
    assert.ok(anonFds() <= before, `${anonFds()} fds, ${before} before`);
  });

  test('closing the port releases every waiting thread with ERROR_ABANDONED_WAIT_0 and lpOverlapped NULL', async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const waiting = [spawn('wait-port', { port }), spawn('wait-port', { port, async: true }), spawn('wait-port', { port })];
    for (const w of waiting) assert.deepEqual(await w.next(), { waiting: true });
    await waiters(port, 3);
    const here = { value: new ws.WSAOVERLAPPED() as ws.WSAOVERLAPPED | null };
    const mine = ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, here, ws.INFINITE);
    await waiters(port, 4);
    assert.equal(ws.CloseHandle(port), true);
    for (const w of waiting) assert.deepEqual(await w.next(), { ok: false, error: ws.ERROR_ABANDONED_WAIT_0, overlappedNull: true });
    assert.equal(await mine, false);
    assert.equal(ws.GetLastError(), ws.ERROR_ABANDONED_WAIT_0);
    assert.equal(here.value, null);
    assert.equal(ws.PostQueuedCompletionStatus(port, 0, 1, null), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
  });

  test('a look with a zero time-out registers no waiter: the next post still releases the Worker that waits', async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const waiting = spawn('wait-port', { port });
    assert.deepEqual(await waiting.next(), { waiting: true });
    await waiters(port, 1);
    // This thread looks (and is the most recent to look): it must not stand in the Worker's place.
    const got: { value: ws.WSAOVERLAPPED | null } = { value: new ws.WSAOVERLAPPED() };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, got, 0), false);
    assert.equal(ws.GetLastError(), ws.WAIT_TIMEOUT);
    assert.equal(waitingThreads(region()!, refOf(port)), 1);
    assert.equal(ws.PostQueuedCompletionStatus(port, 0, 5, null), true);
    assert.deepEqual(await waiting.next(), { ok: true, error: 0, overlappedNull: true });
    await waiting.exited;
    ws.CloseHandle(port);
  });

  for (const concurrency of [1, 2]) {
    test(`NumberOfConcurrentThreads ${concurrency}: a thread that took a packet counts as running until it waits again`, async () => {
      const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, concurrency);
      const hold = new Int32Array(new SharedArrayBuffer(4));
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 1, null), true);
      const holder = spawn('take-and-hold', { port, hold });
      assert.deepEqual(await holder.next(), { took: 1 });
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 2, null), true);
      // The holder runs (blocked where the library does not see it): with room for one running
      // thread, another taker gets nothing; with room for two, it gets the packet.
      const taker = spawn('try-take', { port, timeout: 300 });
      const got = await taker.next();
      if (concurrency === 1) {
        assert.deepEqual(got, { ok: false, key: -1, error: ws.WAIT_TIMEOUT });
        assert.equal(queuedPackets(region()!, refOf(port)), 1);
      } else {
        assert.deepEqual(got, { ok: true, key: 2, error: 0 });
        assert.equal(ws.PostQueuedCompletionStatus(port, 0, 2, null), true);
      }
      // The holder waits again: it stops counting, and takes the packet itself.
      Atomics.store(hold, 0, 1);
      Atomics.notify(hold, 0);
      assert.deepEqual(await holder.next(), { second: 2, error: 0 });
      await Promise.all([holder.exited, taker.exited]);
      // Both ended: nobody counts as running, so this thread gets a packet at once.
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 3, null), true);
      const key = { value: 0 };
      assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, key, { value: null }, 5_000), true);
      assert.equal(key.value, 3);
      ws.CloseHandle(port);
    });
  }

  test("a packet's overlapped: the same object in the thread that posted it, a stand-in with its fields elsewhere", async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const ov = new ws.WSAOVERLAPPED(0x1234);
    ov.Internal = 0;
    ov.InternalHigh = 77;
    ov.context = 42;
    assert.equal(ws.PostQueuedCompletionStatus(port, 77, 9, ov), true);
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, got, 0), true);
    assert.equal(got.value, ov, 'the very object, here');
    assert.equal(ws.PostQueuedCompletionStatus(port, 77, 9, ov), true);
    const other = spawn('dequeue-overlapped', { port });
    assert.deepEqual(await other.next(), {
      ok: true, key: 9, bytes: 77, isOverlapped: true, fields: { Internal: 0, InternalHigh: 77, hEvent: 0x1234, context: 42 },
    });
    ws.CloseHandle(port);
  });

  test('overlappedId: a stand-in dequeued in a Worker, and one made from it after a re-post, have the id of the original', async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const ov = new ws.WSAOVERLAPPED();
    ov.context = { an: 'object, which cannot cross' };
    // Not asked before the post: the post gives the object its id.
    assert.equal(ws.PostQueuedCompletionStatus(port, 3, 9, ov), true);
    const id = ws.overlappedId(ov);
    assert.ok(Number.isSafeInteger(id) && id > 0);
    const other = spawn('dequeue-repost', { port });
    assert.deepEqual(await other.next(), { ok: true, id, idAgain: id });
    // The Worker posted its stand-in back: what arrives here is a stand-in of that stand-in.
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    const key = { value: 0 };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, key, got, 5_000), true);
    assert.equal(key.value, 10);
    assert.notEqual(got.value, ov);
    assert.equal(ws.overlappedId(got.value!), id);
    await other.exited;
    ws.CloseHandle(port);
  });

  test("real completions of a Worker's own sockets reach a port made here, with their overlapped's fields and overlappedId", async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const count = 2000;
    const ids = new Float64Array(new SharedArrayBuffer(8 * count));
    const worker = spawn('udp-completions', { port, count, ids });
    const seen = new Int32Array(count);
    const standInIds = new Float64Array(count);
    const bytes = { value: 0 };
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    for (let i = 0; i < count; i++) {
      if (!ws.GetQueuedCompletionStatus(port, bytes, key, got, 10_000)) assert.fail(`completion ${i}: ${ws.GetLastError()}`);
      assert.equal(key.value, 0x55);
      const ov = got.value!;
      const index = ov.context as number;
      // Receives complete in issue order: receive i took datagram i.
      assert.equal(bytes.value, (index % 50) + 1);
      assert.equal(ov.InternalHigh, bytes.value);
      assert.equal(ov.Internal, ws.STATUS_SUCCESS);
      seen[index]!++;
      standInIds[index] = ws.overlappedId(ov);
    }
    assert.ok(seen.every((n) => n === 1), 'each receive completed once');
    assert.deepEqual(await worker.next(), { sent: count });
    // The stand-in's id is its original's, whether the Worker asked before the completion (even
    // receives) or after it (odd ones); the Worker's objects have distinct ids.
    const wrong: number[] = [];
    for (let i = 0; i < count && wrong.length < 5; i++) if (!(ids[i]! > 0) || standInIds[i] !== ids[i]) wrong.push(i);
    assert.deepEqual(wrong, [], 'receives whose stand-in id differs from the original');
    assert.equal(new Set(ids).size, count);
    assert.ok(!ids.includes(ws.overlappedId(new ws.WSAOVERLAPPED())), "an object of this thread has none of the Worker's ids");
    worker.worker.postMessage('end');
    await worker.exited;
    ws.CloseHandle(port);
  });

  for (const block of ['event', 'recv'] as const) {
    const what = block === 'event' ? 'WSAWaitForMultipleEvents' : 'a blocking recv';
    test(`NumberOfConcurrentThreads 1: a thread that took a packet stops counting while it blocks in ${what}, and counts again when it wakes`, async () => {
      const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
      const event = ws.WSACreateEvent();
      const ref = refOf(port);
      const holdA = new Int32Array(new SharedArrayBuffer(4));
      const holdB = new Int32Array(new SharedArrayBuffer(4));
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 1, null), true);
      const a = spawn('take-then-block', { port, event, hold: holdA, block });
      const took = await a.next();
      assert.equal(took.took, 1);
      // A blocks in a wait that is not GetQueuedCompletionStatus: the port stops counting it.
      for (let i = 0; i < 1000 && runningThreads(region()!, ref) !== 0; i++) await tick(10);
      assert.equal(runningThreads(region()!, ref), 0, 'A still counts as running while it blocks');
      // So a second packet goes to B, although the limit is one running thread.
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 2, null), true);
      const b = spawn('take-and-hold', { port, hold: holdB });
      assert.deepEqual(await b.next(), { took: 2 });
      // A's wait ends: it counts again, beyond the limit, as on Windows.
      if (block === 'event') assert.equal(ws.WSASetEvent(event), true);
      else {
        const { sender, receiver } = udpPair();
        const name = Uint8Array.from(took.name as number[]);
        assert.equal(ws.sendto(sender, Uint8Array.of(1, 2, 3), 3, 0, name, name.length), 3);
        ws.closesocket(sender);
        ws.closesocket(receiver);
      }
      assert.deepEqual(await a.next(), { woke: block === 'event' ? ws.WSA_WAIT_EVENT_0 : 3, error: 0 });
      assert.equal(runningThreads(region()!, ref), 2);
      // A and B both run: a third packet waits.
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 3, null), true);
      assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, { value: null }, 200), false);
      assert.equal(ws.GetLastError(), ws.WAIT_TIMEOUT);
      assert.equal(queuedPackets(region()!, ref), 1);
      // Each takes its next packet (a running thread does, whatever the count).
      Atomics.store(holdB, 0, 1);
      Atomics.notify(holdB, 0);
      assert.deepEqual(await b.next(), { second: 3, error: 0 });
      assert.equal(ws.PostQueuedCompletionStatus(port, 0, 4, null), true);
      Atomics.store(holdA, 0, 1);
      Atomics.notify(holdA, 0);
      assert.deepEqual(await a.next(), { second: 4, error: 0 });
      await Promise.all([a.exited, b.exited]);
      assert.equal(runningThreads(region()!, ref), 0);
      ws.WSACloseEvent(event);
      ws.CloseHandle(port);
    });
  }

  test('terminate() of a Worker blocked in GetQueuedCompletionStatus(INFINITE) completes, and its running count goes with it', async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
    assert.equal(ws.PostQueuedCompletionStatus(port, 0, 1, null), true);
    const hold = new Int32Array(new SharedArrayBuffer(4));
    const holder = spawn('take-and-hold', { port, hold });
    assert.deepEqual(await holder.next(), { took: 1 });
    const blocked = spawn('block-forever', { port });
    assert.deepEqual(await blocked.next(), { waiting: true });
    await waiters(port, 1);
    // Without the doorbell, terminate() would not return while the Worker sits in poll().
    assert.equal(await bounded(blocked.worker.terminate()), 1);
    // The holder is terminated while it counts as running: the port forgets it.
    await holder.worker.terminate();
    assert.equal(ws.PostQueuedCompletionStatus(port, 0, 2, null), true);
    const key = { value: 0 };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, key, { value: null }, 5_000), true);
    assert.equal(key.value, 2);
    ws.CloseHandle(port);
  });

  /** A child process whose Worker blocks as `role` says (`setup`: the main thread's code before it, `data`: its workerData); its main thread then calls process.exit(0), which must end it. */
  function exitsWhileWorkerBlocked(role: string, setup: string, data: string): void {
    const source = `
      import { Worker } from 'node:worker_threads';
      import * as ws from 'wsaioctl/winsock';
      ws.WSAStartup(0x202, ws.newWSADATA());
      ${setup}
      const worker = new Worker(new URL(${JSON.stringify(WORKER.href)}), { workerData: { role: '${role}'${data} }, execArgv: [] });
      worker.on('message', () => {
        // Blocked (or about to be): the exit must still happen.
        setTimeout(() => { console.log('exiting'); process.exit(0); }, 200);
      });
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: new URL('..', import.meta.url), timeout: 15_000, encoding: 'utf8' });
    assert.equal(r.signal, null, 'exited by itself, not killed by the time limit');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'exiting');
  }

  test('process.exit() in the main thread while a Worker is blocked in GetQueuedCompletionStatus(INFINITE) exits', () => {
    exitsWhileWorkerBlocked('block-forever', 'const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);', ', port');
  });

  test('terminate() of a Worker blocked in a blocking recv completes', async () => {
    const blocked = spawn('block-recv');
    assert.deepEqual(await blocked.next(), { waiting: true });
    // Let it reach the poll() (nothing observable tells; the result is the same either way).
    await tick(200);
    assert.equal(await bounded(blocked.worker.terminate()), 1);
  });

  test('process.exit() in the main thread while a Worker is blocked in a blocking recv exits', () => {
    exitsWhileWorkerBlocked('block-recv', '', '');
  });
});


describe('overlappedId', () => {
  test('one thread: non-zero, stable for an object never queued, distinct for distinct objects; not an object is ERROR_INVALID_PARAMETER', { skip }, () => {
    const a = new ws.WSAOVERLAPPED();
    const b = new ws.WSAOVERLAPPED();
    const id = ws.overlappedId(a);
    assert.ok(Number.isSafeInteger(id) && id > 0);
    assert.equal(ws.overlappedId(a), id);
    assert.notEqual(ws.overlappedId(b), id);
    // A plain object in the overlapped's shape is one too (as every overlapped argument accepts).
    assert.ok(ws.overlappedId({ Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: 0 }) > 0);
    // Queued and taken back here: the very object, the same id.
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.equal(ws.PostQueuedCompletionStatus(port, 0, 1, a), true);
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, got, 0), true);
    assert.equal(got.value, a);
    assert.equal(ws.overlappedId(a), id);
    ws.CloseHandle(port);
    for (const bad of [null, undefined, 5, 'ov', Symbol('ov')]) {
      ws.SetLastError(0);
      assert.equal(ws.overlappedId(bad as unknown as ws.WSAOVERLAPPED), 0);
      assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    }
  });

  test("the Windows backend's form (run here: it is koffi only): a native address per object, stable and distinct", () => {
    const errors: number[] = [];
    const overlappedId = overlappedIdWith((code: number) => errors.push(code));
    const a = new ws.WSAOVERLAPPED();
    const b = new ws.WSAOVERLAPPED();
    const id = overlappedId(a);
    assert.ok(Number.isSafeInteger(id) && id > 0);
    assert.equal(overlappedId(a), id);
    assert.notEqual(overlappedId(b), id);
    assert.deepEqual(errors, []);
    assert.equal(overlappedId(null as unknown as ws.WSAOVERLAPPED), 0);
    assert.deepEqual(errors, [ws.ERROR_INVALID_PARAMETER]);
  });
});
