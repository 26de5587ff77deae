// @ts-check
// The completion-port echo server with a pool of worker threads, ported to `wsaioctl/winsock`: the
// main thread accepts connections (a blocking accept(), as C's accept thread does) and associates
// each with one completion port; a pool of Worker threads, each blocked in
// GetQueuedCompletionStatus on that port, serves them: the Worker that takes a completion issues the
// connection's next overlapped WSARecv or WSASend. Sockets, the port and the "done" event are made
// on the main thread and used by every Worker with the same numbers, as Windows threads use them.
// Loopback only.
//
//   npm run build && node examples/iocp-thread-pool.mjs
//       a demonstration: the pool on an ephemeral port, a Worker thread as the client (three
//       connections, Node's net), and the server ends once those three have closed
//   node examples/iocp-thread-pool.mjs [--workers N] --port 5150           serves until killed
//   node examples/iocp-thread-pool.mjs [--workers N] --port-file <file>    an ephemeral port, written to <file>
//
// What C keeps in a per-connection struct found from the OVERLAPPED (CONTAINING_RECORD) is here a
// slot in memory every thread shares (a SharedArrayBuffer): its buffer and its state. The slot's
// number is the completion key and the OVERLAPPED's numeric `context`, so a Worker that dequeues a
// completion another Worker issued (it gets a stand-in WSAOVERLAPPED carrying the same `context`)
// finds the connection. Only one operation is in flight per connection, so only the thread that
// took its completion touches a slot; the port hands it over.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as ws from 'wsaioctl/winsock';
import { CLIENT } from './iocp-echo-server.mjs';

const BUFFER_SIZE = 64 * 1024;
/** Connections served at once; each has a slot (its buffer lives in one SharedArrayBuffer). */
const SLOTS = 256;
/** Completion key that tells a Worker to leave its loop. */
const QUIT = 0xffffffff;
// winsock2.h: the provider picks a reasonable maximum backlog.
const SOMAXCONN = 0x7fffffff;

/** Per-slot words in the shared state: the socket (0: slot free), bytes to echo, bytes sent, a send in flight. */
const SLOT_WORDS = 4;
const [SOCKET, LENGTH, SENT, SENDING] = [0, 1, 2, 3];
/** Counters after the slots: connections served, errors. */
const SERVED = SLOTS * SLOT_WORDS;
const ERRORS = SERVED + 1;

/** @param {string} what */
function fail(what) {
  throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
}

/**
 * The shared memory of a pool: slot state and counters, and the buffers.
 * @param {{ state: SharedArrayBuffer, buffers: SharedArrayBuffer }} memory
 */
function views(memory) {
  return { state: new Int32Array(memory.state), buffers: new Uint8Array(memory.buffers) };
}

// ---- a pool Worker ---------------------------------------------------------------------------

/**
 * A Worker's loop: take a completion, issue the connection's next operation, until QUIT.
 * @param {{ iocp: number, done: number, maxConnections: number, memory: { state: SharedArrayBuffer, buffers: SharedArrayBuffer } }} data
 */
function serveCompletions({ iocp, done, maxConnections, memory }) {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) fail('WSAStartup');
  const { state, buffers } = views(memory);
  /** This thread's OVERLAPPED per slot (each operation keeps its own until its completion is taken). */
  /** @type {ws.WSAOVERLAPPED[]} */
  const overlappeds = [];
  const overlappedFor = (/** @type {number} */ slot) => {
    let ov = overlappeds[slot];
    if (ov === undefined) {
      ov = overlappeds[slot] = new ws.WSAOVERLAPPED();
      ov.context = slot; // a number: it reaches the Worker that dequeues the completion
    }
    return ov;
  };
  const buffer = (/** @type {number} */ slot) => buffers.subarray(slot * BUFFER_SIZE, (slot + 1) * BUFFER_SIZE);
  const flags = { value: 0 };

  /** Issues the next receive; false when refused at once (no completion will come). @param {number} slot */
  const postReceive = (slot) => {
    state[slot * SLOT_WORDS + SENDING] = 0;
    flags.value = 0;
    const rc = ws.WSARecv(state[slot * SLOT_WORDS + SOCKET], [{ len: BUFFER_SIZE, buf: buffer(slot) }], 1, null, flags, overlappedFor(slot), null);
    return rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING;
  };
  /** Sends what is left of the bytes received. @param {number} slot */
  const postSend = (slot) => {
    const at = slot * SLOT_WORDS;
    state[at + SENDING] = 1;
    const rest = buffer(slot).subarray(state[at + SENT], state[at + LENGTH]);
    const rc = ws.WSASend(state[at + SOCKET], [{ len: rest.length, buf: rest }], 1, null, 0, overlappedFor(slot), null);
    return rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING;
  };
  /** Closes a connection, frees its slot, and sets `done` after the last one. @param {number} slot */
  const close = (slot) => {
    ws.closesocket(state[slot * SLOT_WORDS + SOCKET]);
    Atomics.store(state, slot * SLOT_WORDS + SOCKET, 0);
    if (Atomics.add(state, SERVED, 1) + 1 === maxConnections) ws.WSASetEvent(done);
  };

  const bytes = { value: 0 };
  const key = { value: 0 };
  /** @type {{ value: ws.WSAOVERLAPPED | null }} */
  const overlapped = { value: null };
  for (;;) {
    const ok = ws.GetQueuedCompletionStatus(iocp, bytes, key, overlapped, ws.INFINITE);
    const slot = key.value;
    if (overlapped.value === null) {
      if (!ok && ws.GetLastError() !== 0) fail('GetQueuedCompletionStatus');
      if (slot === QUIT) break;
      // A new connection, posted by the main thread: its first receive.
      if (!postReceive(slot)) {
        Atomics.add(state, ERRORS, 1);
        close(slot);
      }
      continue;
    }
    const at = slot * SLOT_WORDS;
    const sending = state[at + SENDING] === 1;
    if (!ok || (!sending && bytes.value === 0)) {
      // A reset or abort (ok false), or the peer's graceful close (a 0-byte receive).
      if (!ok) Atomics.add(state, ERRORS, 1);
      close(slot);
      continue;
    }
    let posted;
    if (!sending) {
      state[at + LENGTH] = bytes.value;
      state[at + SENT] = 0;
      posted = postSend(slot);
    } else if ((state[at + SENT] += bytes.value) < state[at + LENGTH]) {
      posted = postSend(slot);
    } else {
      posted = postReceive(slot);
    }
    if (!posted) {
      Atomics.add(state, ERRORS, 1);
      close(slot);
    }
  }
  ws.WSACleanup();
}

// ---- the main thread: the accept loop -----------------------------------------------------------

/**
 * Serves 127.0.0.1:`port` (0: an ephemeral one) with `workers` pool threads. `onListening` gets the
 * port. With `maxConnections`, stops accepting after that many and resolves once they have been
 * served and closed (or at `deadline`, a Date.now() value); without, accepts until the process ends.
 * @param {{ port: number, workers: number, onListening: (port: number) => void, maxConnections?: number, deadline?: number }} options
 * @returns {Promise<{ served: number, errors: number }>}
 */
export async function serve({ port, workers, onListening, maxConnections = Infinity, deadline = Infinity }) {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) fail('WSAStartup');
  // NumberOfConcurrentThreads = the pool's size: every Worker may run at once.
  const iocp = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, workers);
  if (iocp === 0) fail('CreateIoCompletionPort');
  const done = ws.WSACreateEvent();
  if (done === ws.WSA_INVALID_EVENT) fail('WSACreateEvent');
  const memory = { state: new SharedArrayBuffer((SLOTS * SLOT_WORDS + 2) * 4), buffers: new SharedArrayBuffer(SLOTS * BUFFER_SIZE) };
  const { state } = views(memory);
  const limit = Number.isFinite(maxConnections) ? maxConnections : 0;
  const pool = Array.from({ length: workers }, () =>
    new Worker(fileURLToPath(import.meta.url), { workerData: { iocp, done, maxConnections: limit, memory } }));
  const exited = pool.map((worker) => new Promise((resolve) => {
    worker.once('exit', resolve);
    worker.once('error', (error) => {
      console.error(`a pool thread failed: ${error.message}`);
      Atomics.add(state, ERRORS, 1);
    });
  }));

  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  if (listener === ws.INVALID_SOCKET) fail('socket');
  if (ws.bind(listener, ws.sockaddr('127.0.0.1', port), 16) !== 0) fail('bind');
  if (ws.listen(listener, SOMAXCONN) !== 0) fail('listen');
  const name = new Uint8Array(16);
  if (ws.getsockname(listener, name, { value: name.length }) !== 0) fail('getsockname');
  onListening(ws.parseSockaddr(name).port);

  const noDelay = new Uint8Array(new Uint32Array([1]).buffer);
  let accepted = 0;
  while (accepted < maxConnections) {
    const s = ws.accept(listener, null, null); // blocks this thread; the pool serves meanwhile
    if (s === ws.INVALID_SOCKET) fail('accept');
    accepted++;
    let slot = 0;
    while (slot < SLOTS && Atomics.compareExchange(state, slot * SLOT_WORDS + SOCKET, 0, s) !== 0) slot++;
    if (slot === SLOTS) {
      // Every slot is serving a connection: refuse this one.
      ws.closesocket(s);
      Atomics.add(state, ERRORS, 1);
      continue;
    }
    ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, noDelay, noDelay.length);
    // The key is the slot; a posted packet without an OVERLAPPED hands the connection to the pool.
    if (ws.CreateIoCompletionPort(s, iocp, slot, 0) === 0 || !ws.PostQueuedCompletionStatus(iocp, 0, slot, null)) {
      Atomics.add(state, ERRORS, 1);
      ws.closesocket(s);
      Atomics.store(state, slot * SLOT_WORDS + SOCKET, 0);
    }
  }
  ws.closesocket(listener);
  // Wait for the pool to serve the last connection (the event a Worker sets), then stop it.
  const timeout = Number.isFinite(deadline) ? Math.max(0, deadline - Date.now()) : ws.WSA_INFINITE;
  ws.WSAWaitForMultipleEvents(1, [done], false, timeout, false);
  for (let i = 0; i < workers; i++) ws.PostQueuedCompletionStatus(iocp, 0, QUIT, null);
  await Promise.all(exited);
  const result = { served: Atomics.load(state, SERVED), errors: Atomics.load(state, ERRORS) };
  ws.WSACloseEvent(done);
  ws.CloseHandle(iocp);
  ws.WSACleanup();
  return result;
}

// ---- the demonstration: the same client as examples/iocp-echo-server.mjs (a Worker: the main thread is busy in accept()) ----

/** @param {number} workers */
async function demonstrate(workers) {
  const connections = 3;
  /** @type {Promise<{ lines?: string[], error?: string }>} */
  let report = Promise.resolve({ error: 'no client' });
  const result = await serve({
    port: 0,
    workers,
    maxConnections: connections,
    deadline: Date.now() + 20_000,
    onListening(port) {
      console.log(`listening on 127.0.0.1 (an ephemeral port), ${workers} pool threads`);
      const client = new Worker(CLIENT, { eval: true, workerData: { port, connections, messages: 3 } });
      report = new Promise((resolve) => {
        client.once('message', resolve);
        client.once('error', (error) => resolve({ error: String(error) }));
      });
    },
  });
  console.log(`served ${result.served} connections, ${result.errors} errors`);
  const { lines, error } = await report;
  for (const line of lines ?? []) console.log(`client: ${line}`);
  if (error !== undefined || result.errors !== 0 || result.served !== connections) {
    console.error(error ?? 'the server saw errors');
    process.exitCode = 1;
  }
}

/** The command line (see the header); nothing runs when the file is imported for serve(). */
async function main() {
  const usage = 'usage: node examples/iocp-thread-pool.mjs [--workers N] [--port <port> | --port-file <file>]';
  let values;
  try {
    ({ values } = parseArgs({ options: { workers: { type: 'string', default: '4' }, port: { type: 'string' }, 'port-file': { type: 'string' } } }));
  } catch {
    console.error(usage);
    process.exitCode = 2;
    return;
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64 || (values.port !== undefined && !(Number(values.port) > 0))) {
    console.error(usage);
    process.exitCode = 2;
    return;
  }
  const portFile = values['port-file'];
  if (values.port !== undefined) {
    await serve({ port: Number(values.port), workers, onListening: (port) => console.log(`listening on 127.0.0.1:${port}, ${workers} pool threads`) });
  } else if (portFile !== undefined) {
    await serve({ port: 0, workers, onListening: (port) => writeFileSync(portFile, `${port}\n`) });
  } else {
    await demonstrate(workers);
  }
}

if (!isMainThread && workerData?.memory) serveCompletions(workerData);
else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
