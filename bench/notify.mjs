// Change-notification benchmark: latency of SIO_ADDRESS_LIST_CHANGE from an address change to the
// completion the caller sees, through each delivery path, and scale (10,000 pending requests, one
// change). Runs inside a network namespace it creates (`unshare -n`, needs root), on a veth pair
// with addresses from 192.0.2.0/24 (documentation range) only.
//
//   node bench/notify.mjs            run, print the table (bench/run.mjs appends it to RESULTS.md)
//   node bench/notify.mjs --json     the raw numbers
//
// Paths, each over CHANGES address changes (alternately add and delete 192.0.2.1/32):
//   event            WSAIoctl(..., WSAOVERLAPPED{hEvent}) then WSAWaitForMultipleEvents
//   routine          WSAIoctl(..., completion routine) then SleepEx(INFINITE-ish, TRUE)
//   port             socket associated with a completion port, then GetQueuedCompletionStatus
//   *Async           the same three waits through their async twins (event loop not blocked)
// The clock starts right before the netlink request that changes the address (sent from this
// process, so the change is in the kernel when sendmsg returns) and stops when the wait returns.
//
// Scale: 10,000 UDP sockets on one completion port, each with a pending overlapped
// SIO_ADDRESS_LIST_CHANGE; one address change; time until the 10,000th packet is dequeued. Memory
// per pending request = (heap delta, RSS delta) / 10,000 between "sockets and WSAOVERLAPPEDs
// ready" and "requests pending". rtnetlink sockets in the process are counted while they are
// pending (NETLINK_ROUTE inodes from /proc/self/net/netlink against /proc/self/fd; the benchmark's
// own change-making socket excluded).
import { spawnSync, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const SELF = fileURLToPath(import.meta.url);
const CHANGES = Number(process.env.NOTIFY_CHANGES ?? 200);
const SCALE = Number(process.env.NOTIFY_SCALE ?? 10_000);
/**
 * How long after the request the change maker acts: at least 2 ms, so the caller is inside its
 * wait by then, plus a random part so that changes do not phase-lock with any periodic poll.
 */
const WAITING_DELAY_MS = [2, 25];
const waitingDelay = () => WAITING_DELAY_MS[0] + Math.random() * (WAITING_DELAY_MS[1] - WAITING_DELAY_MS[0]);
const TARGETS = { medianMs: 1, p99Ms: 5, scaleLastMs: 100, perRequestBytes: 4096, rtnetlinkSockets: 1 };

// ---------------------------------------------------------------------------------------------
// Parent side: run the measurement in a fresh network namespace, format the result.
// ---------------------------------------------------------------------------------------------

/** Run the benchmark in its own network namespace; resolves with its JSON or { unavailable }. */
export function runNotify() {
  if (process.platform !== 'linux') return { unavailable: 'Linux only' };
  const probe = spawnSync('unshare', ['-n', 'true']);
  if (probe.status !== 0) return { unavailable: `cannot create a network namespace (unshare -n: ${probe.stderr?.toString().trim() || probe.error?.message})` };
  // 10,000 sockets need more than the common 1024 fds: raise the soft limit for the child.
  const script = `ulimit -n $(ulimit -Hn) 2>/dev/null; exec "$0" --expose-gc "$1" --inside`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script, process.execPath, SELF], { encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20 });
  if (r.status !== 0) return { unavailable: `notify.mjs --inside exited ${r.status ?? r.signal}: ${(r.stderr || r.stdout).slice(-800)}` };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const ms = (v) => (typeof v !== 'number' ? '—' : v < 1 ? `${(v * 1000).toFixed(0)} µs` : `${v.toFixed(2)} ms`);
const kib = (bytes) => (typeof bytes !== 'number' ? '—' : `${(bytes / 1024).toFixed(2)} KiB`);
const verdict = (ok) => (ok === null ? '—' : ok ? 'meets target' : 'misses target');

/** The RESULTS.md section for a result of runNotify(). */
export function notifyMarkdown(result) {
  const lines = ['', '## Change notifications (SIO_ADDRESS_LIST_CHANGE)', ''];
  if (result.unavailable) return [...lines, `Not measured: ${result.unavailable}`, ''];
  if (result.waiting) return [...lines, `Not measured: ${result.waiting}`, ''];
  lines.push(
    `Inside a fresh network namespace (veth pair, 192.0.2.1/32 added and deleted in turn), ${result.changes} changes per path.`,
    'Time from the netlink request that changes the address (made by another thread of the process, ' +
      `${WAITING_DELAY_MS[0]}–${WAITING_DELAY_MS[1]} ms, at random, after the caller started waiting) to the return of the caller's wait. "Processing only": the`,
    'change is complete before the wait starts, so only the detection and delivery are timed.',
    `Targets (caller waiting): median < ${TARGETS.medianMs} ms, p99 < ${TARGETS.p99Ms} ms.`,
    '',
    '| path | wait | median | p99 | max | processing only: median / p99 | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  );
  const slowAsync = result.paths.some((p) => !p.error && p.wait.endsWith('Async') && p.median >= TARGETS.medianMs);
  for (const p of result.paths) {
    const processing = p.processing ? `${ms(p.processing.median)} / ${ms(p.processing.p99)}` : '—';
    if (p.error) {
      lines.push(`| ${p.name} | ${p.wait} | — | — | — | ${processing} | not measured (${p.error}) |`);
      continue;
    }
    lines.push(`| ${p.name} | ${p.wait} | ${ms(p.median)} | ${ms(p.p99)} | ${ms(p.max)} | ${processing} | ${verdict(p.median < TARGETS.medianMs && p.p99 < TARGETS.p99Ms)} |`);
  }
  if (slowAsync) {
    lines.push('', 'The async twins learn of kernel events (the rtnetlink watcher) from a poll() running on a libuv pool ' +
      'thread (src/backend/linux/loop/scheduler.ts), one thread hop away; "processing only" shows the work itself.');
  }
  const s = result.scale;
  lines.push('', `Scale: ${s.requests} UDP sockets on one completion port, each with a pending overlapped SIO_ADDRESS_LIST_CHANGE, then one address change.`, '');
  if (s.error) {
    lines.push(`Not measured: ${s.error}`, '');
    return lines;
  }
  lines.push(
    '| measure | value | target | verdict |',
    '| --- | ---: | ---: | --- |',
    `| change to the last of ${s.requests} completions | ${ms(s.lastMs)} | < ${TARGETS.scaleLastMs} ms | ${verdict(s.lastMs < TARGETS.scaleLastMs)} |`,
    `| change to the first completion | ${ms(s.firstMs)} | | |`,
    `| heap per pending request | ${kib(s.heapPerRequest)} | < 4 KiB | ${verdict(s.heapPerRequest < TARGETS.perRequestBytes)} |`,
    `| RSS per pending request | ${kib(s.rssPerRequest)} | < 4 KiB | ${verdict(s.rssPerRequest < TARGETS.perRequestBytes)} |`,
    `| rtnetlink sockets in the process while pending | ${s.rtnetlinkSockets} | ${TARGETS.rtnetlinkSockets} | ${verdict(s.rtnetlinkSockets === TARGETS.rtnetlinkSockets)} |`,
    `| completions with a status other than success | ${s.failedCompletions} | 0 | ${verdict(s.failedCompletions === 0)} |`,
    '',
  );
  if (result.notes?.length) lines.push(...result.notes.map((n) => `Note: ${n}`), '');
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Child side (inside the namespace).
// ---------------------------------------------------------------------------------------------

async function inside() {
  const koffi = (await import('koffi')).default;
  const ws = await import('../dist/winsock/index.js');
  const libc = koffi.load('libc.so.6');
  const c = {
    getrlimit: libc.func('int getrlimit(int, uint8_t *)'),
    setrlimit: libc.func('int setrlimit(int, const uint8_t *)'),
  };
  const NETLINK_ROUTE = 0;
  const notes = [];

  // ---- the namespace: lo and a veth pair, both ends up -------------------------------------
  const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'wsa0', 'type', 'veth', 'peer', 'name', 'wsa1');
  ip('link', 'set', 'wsa0', 'up');
  ip('link', 'set', 'wsa1', 'up');
  const ifindex = JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'wsa0'], { encoding: 'utf8' }))[0].ifindex;

  // ---- fds: raise the soft limit to the hard one when it is short ---------------------------
  const RLIMIT_NOFILE = 7;
  const rl = new Uint8Array(16);
  const rlv = new DataView(rl.buffer);
  c.getrlimit(RLIMIT_NOFILE, rl);
  if (rlv.getBigUint64(0, true) < BigInt(SCALE + 512)) {
    rlv.setBigUint64(0, rlv.getBigUint64(8, true), true);
    c.setrlimit(RLIMIT_NOFILE, rl);
    c.getrlimit(RLIMIT_NOFILE, rl);
  }
  const fdLimit = Number(rlv.getBigUint64(0, true));

  // ---- the change maker: a Worker with its own rtnetlink socket -----------------------------
  // It changes the address when asked, after `delayMs`, so that this thread can already be blocked
  // in (or awaiting) its wait; it records the time just before its netlink request (the clock is
  // the process-wide monotonic one, the same in both threads).
  const shared = new SharedArrayBuffer(64);
  const ctrl = new Int32Array(shared, 0, 4); // [0] request number, [1] done number, [2] error
  const stamp = new Float64Array(shared, 16, 2); // [0] time of the change (ms)
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'changer', shared, ifindex } });
  const ready = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const makerInode = ready.inode;
  let requestNo = 0;
  /**
   * Ask for one address-list change (add 192.0.2.1/32 when absent, delete it when present) in
   * `delayMs`; returns a function that waits (bounded) until it is done and gives its time.
   */
  function change(delayMs = 0) {
    const k = ++requestNo;
    stamp[1] = delayMs;
    Atomics.store(ctrl, 0, k);
    Atomics.notify(ctrl, 0);
    return () => {
      for (let i = 0; i < 100 && Atomics.load(ctrl, 1) !== k; i++) Atomics.wait(ctrl, 1, Atomics.load(ctrl, 1), 50);
      if (Atomics.load(ctrl, 1) !== k) throw new Error('the change maker did not answer within 5 s');
      if (ctrl[2]) throw new Error(`netlink address change failed: errno ${-ctrl[2]}`);
      return stamp[0];
    };
  }

  /** NETLINK_ROUTE sockets this process has open, not counting the change maker. */
  function rtnetlinkSockets() {
    const route = new Set();
    for (const line of readFileSync('/proc/self/net/netlink', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10 && f[1] === String(NETLINK_ROUTE)) route.add(f[9]);
    }
    let n = 0;
    for (const fd of readdirSync('/proc/self/fd')) {
      let target;
      try { target = readlinkSync(`/proc/self/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && route.has(m[1]) && m[1] !== makerInode) n++;
    }
    return n;
  }

  // ---- Winsock ---------------------------------------------------------------------------
  ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  const probeEvent = ws.WSACreateEvent?.() ?? 0;
  if (!probeEvent) {
    return { waiting: `the overlapped API is not there yet (WSACreateEvent: error ${ws.GetLastError()})` };
  }
  ws.WSACloseEvent(probeEvent);

  const WAIT_IO_COMPLETION = 0xc0;
  const bytes = { value: 0 };
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const udp = () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    if (s === ws.INVALID_SOCKET) throw new Error(`socket: ${ws.errorName(ws.WSAGetLastError())}`);
    return s;
  };
  /** Start one overlapped SIO_ADDRESS_LIST_CHANGE; true when pending (as it should be). */
  function start(s, ov, routine) {
    const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, bytes, ov, routine);
    if (rc === 0) return false;
    const error = ws.WSAGetLastError();
    if (error !== ws.WSA_IO_PENDING) throw new Error(`WSAIoctl(SIO_ADDRESS_LIST_CHANGE): ${ws.errorName(error)}`);
    return true;
  }

  /**
   * One path: `setup()` gives { s, arm(), wait(), done() }. arm() starts a request (returns the
   * WSAOVERLAPPED); wait() waits for it (sync or async) and returns true when it completed.
   */
  async function measurePath(name, waitName, setup, waiting) {
    const times = [];
    let immediate = 0;
    let ctx;
    try {
      ctx = setup();
      for (let i = 0; i < CHANGES; i++) {
        const ov = ctx.arm();
        if (!ov) {
          // Completed at once: a change was already reported. Count it and go on (bounded).
          if (++immediate > CHANGES) throw new Error('requests keep completing at once');
          i--;
          continue;
        }
        let changed;
        if (waiting) {
          // The caller is blocked in (or awaiting) its wait when the change happens.
          changed = change(waitingDelay());
        } else {
          // The change is complete before the wait starts: only the processing is timed.
          changed = change(0);
          changed();
        }
        const completed = await ctx.wait(ov);
        const t1 = now();
        const t0 = changed();
        if (!completed) throw new Error(`no completion within 5 s (change ${i})`);
        if ((ov.Internal >>> 0) !== 0) throw new Error(`completed with status 0x${(ov.Internal >>> 0).toString(16)}`);
        times.push(t1 - t0);
      }
    } catch (error) {
      return { name, wait: waitName, waiting, error: String(error.message ?? error) };
    } finally {
      ctx?.done();
    }
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
    return { name, wait: waitName, waiting, median: q(0.5), p99: q(0.99), max: times[times.length - 1], immediate };
  }

  const eventPath = (async_) => () => {
    const s = udp();
    const event = ws.WSACreateEvent();
    return {
      arm() {
        const ov = new ws.WSAOVERLAPPED(event);
        return start(s, ov, null) ? ov : null;
      },
      async wait() {
        const r = async_
          ? await ws.WSAWaitForMultipleEventsAsync(1, [event], true, 5000, false)
          : ws.WSAWaitForMultipleEvents(1, [event], true, 5000, false);
        return r === 0;
      },
      done() { ws.closesocket(s); ws.WSACloseEvent(event); },
    };
  };
  const routinePath = (async_) => () => {
    const s = udp();
    let calls = 0;
    const routine = () => { calls++; };
    return {
      arm() {
        calls = 0;
        const ov = new ws.WSAOVERLAPPED();
        return start(s, ov, routine) ? ov : null;
      },
      async wait() {
        const r = async_ ? await ws.SleepExAsync(5000, true) : ws.SleepEx(5000, true);
        return r === WAIT_IO_COMPLETION && calls === 1;
      },
      done() { ws.closesocket(s); ws.SleepEx(0, true); },
    };
  };
  const portPath = (async_) => () => {
    const s = udp();
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE ?? -1, 0, 0, 0);
    if (!port || ws.CreateIoCompletionPort(s, port, 1, 0) !== port) throw new Error(`CreateIoCompletionPort: ${ws.GetLastError()}`);
    const n = { value: 0 };
    const key = { value: 0 };
    const got = { value: null };
    return {
      arm() {
        const ov = new ws.WSAOVERLAPPED();
        return start(s, ov, null) ? ov : null;
      },
      async wait(ov) {
        const ok = async_
          ? await ws.GetQueuedCompletionStatusAsync(port, n, key, got, 5000)
          : ws.GetQueuedCompletionStatus(port, n, key, got, 5000);
        return ok && got.value === ov;
      },
      done() { ws.closesocket(s); ws.CloseHandle(port); },
    };
  };

  const kinds = [
    ['event', 'WSAWaitForMultipleEvents', eventPath(false)],
    ['completion routine', 'SleepEx(alertable)', routinePath(false)],
    ['completion port', 'GetQueuedCompletionStatus', portPath(false)],
    ['event, async twin', 'WSAWaitForMultipleEventsAsync', eventPath(true)],
    ['completion routine, async twin', 'SleepExAsync(alertable)', routinePath(true)],
    ['completion port, async twin', 'GetQueuedCompletionStatusAsync', portPath(true)],
  ];
  const paths = [];
  for (const [name, waitName, setup] of kinds) {
    const waiting = await measurePath(name, waitName, setup, true);
    const before = await measurePath(name, waitName, setup, false);
    paths.push({ ...waiting, processing: before.error ? null : { median: before.median, p99: before.p99 } });
  }

  // ---- scale -------------------------------------------------------------------------------
  const scale = { requests: SCALE, fdLimit };
  const sockets = [];
  const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE ?? -1, 0, 0, 0);
  try {
    if (fdLimit < SCALE + 64) throw new Error(`fd limit ${fdLimit} is below ${SCALE} sockets`);
    for (let i = 0; i < SCALE; i++) {
      const s = udp();
      sockets.push(s);
      if (ws.CreateIoCompletionPort(s, port, i, 0) !== port) throw new Error(`CreateIoCompletionPort: ${ws.GetLastError()}`);
    }
    const overlapped = sockets.map(() => new ws.WSAOVERLAPPED());
    const mem = () => {
      globalThis.gc?.();
      globalThis.gc?.();
      const m = process.memoryUsage();
      return { heap: m.heapUsed, rss: m.rss };
    };
    const before = mem();
    for (let i = 0; i < SCALE; i++) {
      if (!start(sockets[i], overlapped[i], null)) throw new Error(`request ${i} completed at once`);
    }
    const after = mem();
    scale.heapPerRequest = (after.heap - before.heap) / SCALE;
    scale.rssPerRequest = (after.rss - before.rss) / SCALE;
    scale.rtnetlinkSockets = rtnetlinkSockets();
    const n = { value: 0 };
    const key = { value: 0 };
    const got = { value: null };
    const seen = new Set();
    let failedCompletions = 0;
    const changed = change(waitingDelay());
    let first = 0;
    for (let k = 0; k < SCALE; k++) {
      const ok = ws.GetQueuedCompletionStatus(port, n, key, got, 5000);
      if (!got.value) throw new Error(`only ${k} of ${SCALE} completions within 5 s`);
      if (k === 0) first = now();
      if (!ok || (got.value.Internal >>> 0) !== 0) failedCompletions++;
      seen.add(key.value);
    }
    const t1 = now();
    const t0 = changed();
    scale.firstMs = first - t0;
    scale.lastMs = t1 - t0;
    scale.failedCompletions = failedCompletions;
    scale.distinct = seen.size;
    if (seen.size !== SCALE) notes.push(`scale: ${seen.size} distinct sockets completed, expected ${SCALE}`);
  } catch (error) {
    scale.error = String(error.message ?? error);
  } finally {
    for (const s of sockets) ws.closesocket(s);
    ws.CloseHandle(port);
  }
  scale.rtnetlinkSocketsAfterClose = rtnetlinkSockets();
  if (scale.rtnetlinkSocketsAfterClose !== 0) notes.push(`${scale.rtnetlinkSocketsAfterClose} rtnetlink socket(s) still open after every request ended`);
  for (const p of paths) if (p.immediate) notes.push(`${p.name}: ${p.immediate} request(s) completed at once (a change reported before the request?)`);

  ws.WSACleanup();
  Atomics.store(ctrl, 0, -1);
  Atomics.notify(ctrl, 0);
  await worker.terminate();
  return { changes: CHANGES, paths, scale, notes, machine: `Node ${process.version}` };
}


// ---------------------------------------------------------------------------------------------
// The change maker (a Worker inside the namespace).
// ---------------------------------------------------------------------------------------------

async function changer({ shared, ifindex }) {
  const koffi = (await import('koffi')).default;
  const libc = koffi.load('libc.so.6');
  const socket = libc.func('int socket(int, int, int)');
  const bind = libc.func('int bind(int, const uint8_t *, uint32_t)');
  const send = libc.func('intptr_t send(int, const uint8_t *, size_t, int)');
  const recv = libc.func('intptr_t recv(int, uint8_t *, size_t, int)');
  const close = libc.func('int close(int)');
  const ctrl = new Int32Array(shared, 0, 4);
  const stamp = new Float64Array(shared, 16, 2);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));

  const AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0o2000000, NETLINK_ROUTE = 0;
  const RTM_NEWADDR = 20, RTM_DELADDR = 21, NLM_F_REQUEST = 1, NLM_F_ACK = 4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
  const nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  const local = new Uint8Array(12);
  new DataView(local.buffer).setUint16(0, AF_NETLINK, true);
  if (nl < 0 || bind(nl, local, 12) < 0) throw new Error('no rtnetlink socket for the change maker');
  const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${nl}`))?.[1] ?? null;

  // Sequence numbers far from small ones: the library's watcher matches its own dump replies by
  // sequence number, and a notification carries the sequence number of the request that caused it.
  let seq = 0x5eed0000;
  let present = false;
  const request = new Uint8Array(16 + 8 + 8 + 8);
  const rq = new DataView(request.buffer);
  const ack = new Uint8Array(4096);
  /** Add 192.0.2.1/32 to the veth when absent, delete it when present: 0 or -errno. */
  function toggle() {
    request.fill(0);
    rq.setUint32(0, request.length, true);
    rq.setUint16(4, present ? RTM_DELADDR : RTM_NEWADDR, true);
    rq.setUint16(6, NLM_F_REQUEST | NLM_F_ACK | (present ? 0 : NLM_F_CREATE | NLM_F_EXCL), true);
    rq.setUint32(8, seq++, true);
    request[16] = 2; // ifa_family AF_INET
    request[17] = 32; // ifa_prefixlen
    request[19] = 0; // ifa_scope RT_SCOPE_UNIVERSE
    rq.setUint32(20, ifindex, true);
    for (const [at, type] of [[24, 2 /* IFA_LOCAL */], [32, 1 /* IFA_ADDRESS */]]) {
      rq.setUint16(at, 8, true);
      rq.setUint16(at + 2, type, true);
      request.set([192, 0, 2, 1], at + 4);
    }
    stamp[0] = Number(process.hrtime.bigint()) / 1e6;
    if (send(nl, request, request.length, 0) !== request.length) return -1;
    const n = recv(nl, ack, ack.length, 0);
    const error = n >= 20 ? new DataView(ack.buffer).getInt32(16, true) : -1;
    if (error === 0) present = !present;
    return error;
  }

  parentPort.postMessage({ inode });
  // Serve requests until told to stop (-1); bounded by count, and each wait by time.
  let served = 0;
  for (let idle = 0; served < 1_000_000 && idle < 1200; ) {
    const k = Atomics.load(ctrl, 0);
    if (k < 0) break;
    if (k === served) {
      idle = Atomics.wait(ctrl, 0, k, 500) === 'timed-out' ? idle + 1 : 0;
      continue;
    }
    if (stamp[1] > 0) Atomics.wait(sleeper, 0, 0, stamp[1]);
    ctrl[2] = toggle();
    served = k;
    Atomics.store(ctrl, 1, k);
    Atomics.notify(ctrl, 1);
  }
  close(nl);
}

// ---------------------------------------------------------------------------------------------

const isMain = isMainThread && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (!isMainThread && workerData?.role === 'changer') {
  await changer(workerData);
} else if (isMain && process.argv.includes('--inside')) {
  const result = await inside();
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
} else if (isMain) {
  const result = runNotify();
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  else console.log(notifyMarkdown(result).join('\n'));
}
