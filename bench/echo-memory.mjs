// Memory per pending overlapped receive (bench/echo-run.mjs reports it): RECEIVES loopback TCP
// connections, each server side associated with one completion port and given one overlapped
// WSARecv of 64 bytes that stays pending (the client never sends): a server's shape. Then, for the
// cost of the receive alone, RECEIVES more receives pending on one socket. Each is measured
// between "sockets, buffers, WSAOVERLAPPEDs and WSABUF arrays ready" and "every receive pending",
// after a full GC: what the library holds per pending receive beyond the caller's own buffer and
// objects.
//
//   node --expose-gc bench/echo-memory.mjs      prints one JSON object
import * as ws from '../dist/winsock/index.js';

const RECEIVES = Math.min(Number(process.env.ECHO_MEMORY_RECEIVES) || 1000, 5000);
const BUFFER_BYTES = 64;

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
const check = (ok, what) => {
  if (!ok) throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
};
const used = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
};

check(ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) === 0, 'WSAStartup');
const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
check(port !== 0, 'CreateIoCompletionPort');
const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
check(ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16) === 0, 'bind');
check(ws.listen(listener, 1024) === 0, 'listen');
const name = new Uint8Array(16);
check(ws.getsockname(listener, name, { value: 16 }) === 0, 'getsockname');
const address = ws.sockaddr('127.0.0.1', ws.parseSockaddr(name).port);

const clients = [];
const servers = [];
const calls = [];
for (let i = 0; i < RECEIVES; i++) {
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  check(client !== ws.INVALID_SOCKET && ws.connect(client, address, 16) === 0, 'connect');
  const server = ws.accept(listener, null, null);
  check(server !== ws.INVALID_SOCKET, 'accept');
  check(ws.CreateIoCompletionPort(server, port, i, 0) !== 0, 'CreateIoCompletionPort(socket)');
  clients.push(client);
  servers.push(server);
  const buf = new Uint8Array(BUFFER_BYTES);
  calls.push({ buffers: [{ len: BUFFER_BYTES, buf }], flags: { value: 0 }, ov: new ws.WSAOVERLAPPED() });
}

const newCall = () => ({ buffers: [{ len: BUFFER_BYTES, buf: new Uint8Array(BUFFER_BYTES) }], flags: { value: 0 }, ov: new ws.WSAOVERLAPPED() });
const sameSocket = Array.from({ length: RECEIVES }, newCall);

/** Heap and RSS growth per receive while `count` receives are issued (each must pend). */
function pendAll(count, socketOf, callOf) {
  const before = used();
  for (let i = 0; i < count; i++) {
    const { buffers, flags, ov } = callOf(i);
    const rc = ws.WSARecv(socketOf(i), buffers, 1, null, flags, ov, null);
    check(rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSA_IO_PENDING, `WSARecv ${i} (expected to pend)`);
  }
  const after = used();
  return { heap: (after.heap - before.heap) / count, rss: (after.rss - before.rss) / count };
}
const perConnection = pendAll(RECEIVES, (i) => servers[i], (i) => calls[i]);
const perReceive = pendAll(RECEIVES, () => servers[0], (i) => sameSocket[i]);

// Nothing was sent: no packet may be queued yet.
const bytes = { value: 0 };
const key = { value: 0 };
const overlapped = { value: null };
let completedEarly = 0;
while (ws.GetQueuedCompletionStatus(port, bytes, key, overlapped, 0) || overlapped.value !== null) completedEarly++;

// Closing a socket with its receive pending completes it (aborted); then the port is drained.
for (const s of [...servers, ...clients]) ws.closesocket(s);
for (let i = 0; i < RECEIVES * 3 && (ws.GetQueuedCompletionStatus(port, bytes, key, overlapped, 0) || overlapped.value !== null); i++);
ws.closesocket(listener);
ws.CloseHandle(port);
ws.WSACleanup();

console.log(JSON.stringify({
  receives: RECEIVES,
  bufferBytes: BUFFER_BYTES,
  perReceiveBytes: perConnection.heap,
  rssPerReceiveBytes: perConnection.rss,
  sameSocketPerReceiveBytes: perReceive.heap,
  completedEarly,
}));
