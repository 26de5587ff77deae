// @ts-check
// The classic Winsock completion-port echo server, ported to `wsaioctl/winsock`: accept() hands
// each connection to a completion port; one overlapped WSARecv or WSASend is in flight per
// connection; GetQueuedCompletionStatus tells which one finished. What a connection sends comes
// back whole, then its next receive is issued. The same code runs on the Linux emulation and on
// Windows' ws2_32.dll (bench/c/echo-iocp.c is the C program it ports). Loopback only.
//
//   npm run build && node examples/iocp-echo-server.mjs
//       a demonstration: the server on an ephemeral port, a Worker thread as the client (three
//       connections, Node's net), and the server ends once those three have closed
//   node examples/iocp-echo-server.mjs --port 5150             serves 127.0.0.1:5150 until killed
//   node examples/iocp-echo-server.mjs --port-file <file>      an ephemeral port, written to <file>
//
// C's single thread in GetQueuedCompletionStatus has no accept() thread beside it here (this
// example keeps to one JS thread): the listening socket is non-blocking, and what is waiting is
// accepted whenever the port is idle for ACCEPT_POLL_MS, and every ACCEPT_EVERY completions.
import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ws from 'wsaioctl/winsock';

const BUFFER_SIZE = 64 * 1024;
const ACCEPT_POLL_MS = 10;
const ACCEPT_EVERY = 64;
// winsock2.h: the provider picks a reasonable maximum backlog (not among the module's constants yet).
const SOMAXCONN = 0x7fffffff;

/** One accepted socket: its OVERLAPPED, its buffer, and whether the operation in flight is a send. */
class Connection {
  /** @param {number} s */
  constructor(s) {
    this.s = s;
    this.ov = new ws.WSAOVERLAPPED();
    this.ov.context = this; // what C gets by putting the OVERLAPPED first in its struct
    this.buffer = new Uint8Array(BUFFER_SIZE);
    this.flags = { value: 0 };
    this.sending = false;
    this.length = 0; // bytes received, being echoed
    this.sent = 0;
  }
}

/** @param {string} what */
function fail(what) {
  throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
}

/**
 * Issues the connection's next receive. False when the socket refused it at once (then no
 * completion will come: the caller closes it).
 * @param {Connection} c
 */
function postReceive(c) {
  c.sending = false;
  c.flags.value = 0;
  const rc = ws.WSARecv(c.s, [{ len: BUFFER_SIZE, buf: c.buffer }], 1, null, c.flags, c.ov, null);
  return rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING;
}

/** Sends what is left of the bytes received. @param {Connection} c */
function postSend(c) {
  c.sending = true;
  const rest = c.buffer.subarray(c.sent, c.length);
  const rc = ws.WSASend(c.s, [{ len: rest.length, buf: rest }], 1, null, 0, c.ov, null);
  return rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING;
}

/**
 * Serves 127.0.0.1:`port` (0: an ephemeral one). `onListening` gets the port; with
 * `maxConnections`, returns once that many connections have been served and closed; with
 * `deadline` (a Date.now() value), returns then at the latest.
 * @param {{ port: number, onListening: (port: number) => void, maxConnections?: number, deadline?: number }} options
 * @returns {{ served: number, errors: number }}
 */
export function serve({ port, onListening, maxConnections = Infinity, deadline = Infinity }) {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) fail('WSAStartup');
  const iocp = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
  if (iocp === 0) fail('CreateIoCompletionPort');
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  if (listener === ws.INVALID_SOCKET) fail('socket');
  if (ws.bind(listener, ws.sockaddr('127.0.0.1', port), 16) !== 0) fail('bind');
  if (ws.listen(listener, SOMAXCONN) !== 0) fail('listen');
  if (ws.ioctlsocket(listener, ws.FIONBIO, { value: 1 }) !== 0) fail('ioctlsocket(FIONBIO)');
  const name = new Uint8Array(16);
  if (ws.getsockname(listener, name, { value: name.length }) !== 0) fail('getsockname');
  onListening(ws.parseSockaddr(name).port);

  const noDelay = new Uint8Array(new Uint32Array([1]).buffer);
  let open = 0;
  let served = 0;
  let errors = 0;
  /** @param {Connection} c */
  const close = (c) => {
    ws.closesocket(c.s);
    open--;
    served++;
  };
  const acceptWaiting = () => {
    for (;;) {
      const s = ws.accept(listener, null, null);
      if (s === ws.INVALID_SOCKET) {
        if (ws.WSAGetLastError() !== ws.WSAEWOULDBLOCK) errors++;
        return;
      }
      open++;
      const c = new Connection(s);
      ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, noDelay, noDelay.length);
      if (ws.CreateIoCompletionPort(s, iocp, s, 0) === 0 || !postReceive(c)) {
        errors++;
        close(c);
      }
    }
  };

  const bytes = { value: 0 };
  const key = { value: 0 };
  /** @type {{ value: ws.WSAOVERLAPPED | null }} */
  const overlapped = { value: null };
  let sinceAccept = 0;
  acceptWaiting();
  while (served < maxConnections && Date.now() < deadline) {
    const ok = ws.GetQueuedCompletionStatus(iocp, bytes, key, overlapped, ACCEPT_POLL_MS);
    if (overlapped.value === null) {
      // The time-out: accept what came meanwhile.
      if (ws.GetLastError() !== ws.WAIT_TIMEOUT) fail('GetQueuedCompletionStatus');
      acceptWaiting();
      sinceAccept = 0;
      continue;
    }
    if (++sinceAccept >= ACCEPT_EVERY) {
      acceptWaiting();
      sinceAccept = 0;
    }
    const c = /** @type {Connection} */ (overlapped.value.context);
    if (!ok || (!c.sending && bytes.value === 0)) {
      // A reset or abort (ok false), or the peer's graceful close (a 0-byte receive).
      if (!ok) errors++;
      close(c);
      continue;
    }
    let posted;
    if (!c.sending) {
      c.length = bytes.value;
      c.sent = 0;
      posted = postSend(c);
    } else if ((c.sent += bytes.value) < c.length) {
      posted = postSend(c);
    } else {
      posted = postReceive(c);
    }
    if (!posted) {
      errors++;
      close(c);
    }
  }
  ws.closesocket(listener);
  ws.CloseHandle(iocp);
  ws.WSACleanup();
  return { served, errors: errors + open };
}

// ---- the demonstration client (a Worker: the main thread is busy in GetQueuedCompletionStatus) ----

/** The demonstration client's source, run as a Worker (examples/iocp-thread-pool.mjs uses it too). */
export const CLIENT = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const { port, connections, messages } = workerData;
async function client(id) {
  const socket = net.connect(port, '127.0.0.1');
  let buffered = '';
  let wake = () => {};
  let failure = null;
  socket.on('data', (data) => { buffered += data; wake(); });
  socket.on('error', (error) => { failure = error; wake(); });
  const until = (ready) => new Promise((resolve, reject) => {
    wake = () => (failure ? reject(failure) : ready() && resolve());
    wake();
  });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let echoed = 0;
  for (let i = 0; i < messages; i++) {
    const text = 'connection ' + id + ', message ' + (i + 1) + ': ' + 'x'.repeat(1000 * i);
    socket.write(text);
    await until(() => buffered.length >= text.length);
    if (buffered !== text) throw new Error('connection ' + id + ': the echo differs');
    echoed += buffered.length;
    buffered = '';
  }
  socket.end();
  await new Promise((resolve) => socket.once('close', resolve));
  return 'connection ' + id + ': ' + messages + ' messages, ' + echoed + ' bytes echoed';
}
Promise.all(Array.from({ length: connections }, (_, i) => client(i + 1))).then(
  (lines) => parentPort.postMessage({ lines }),
  (error) => parentPort.postMessage({ error: String(error) }));
`;

function demonstrate() {
  const connections = 3;
  /** @type {Worker | undefined} */
  let worker;
  /** @type {Promise<{ lines?: string[], error?: string }>} */
  let report = Promise.resolve({ error: 'no client' });
  const result = serve({
    port: 0,
    maxConnections: connections,
    deadline: Date.now() + 20_000,
    onListening(port) {
      console.log('listening on 127.0.0.1 (an ephemeral port)');
      worker = new Worker(CLIENT, { eval: true, workerData: { port, connections, messages: 3 } });
      report = new Promise((resolve) => {
        worker?.once('message', resolve);
        worker?.once('error', (error) => resolve({ error: String(error) }));
      });
    },
  });
  console.log(`served ${result.served} connections, ${result.errors} errors`);
  report.then(({ lines, error }) => {
    for (const line of lines ?? []) console.log(`client: ${line}`);
    if (error !== undefined || result.errors !== 0) {
      console.error(error ?? 'the server saw errors');
      process.exitCode = 1;
    }
  });
}

/** The command line (see the header); nothing runs when the file is imported for serve(). */
function main() {
  const [option, value] = process.argv.slice(2);
  if (option === '--port' && Number(value) > 0) {
    serve({ port: Number(value), onListening: (port) => console.log(`listening on 127.0.0.1:${port}`) });
  } else if (option === '--port-file' && value) {
    serve({ port: 0, onListening: (port) => writeFileSync(value, `${port}\n`) });
  } else if (option === undefined) {
    demonstrate();
  } else {
    console.error('usage: node examples/iocp-echo-server.mjs [--port <port> | --port-file <file>]');
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
