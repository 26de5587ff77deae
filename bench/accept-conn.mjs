// Connection-rate benchmark, the wsaioctl side: AcceptEx and ConnectEx on one completion port, in
// one thread, as a C program would write it (bench/c/accept-conn.c is that program). INFLIGHT
// AcceptEx calls stay posted on a loopback listener, each with an accept socket made beforehand;
// INFLIGHT clients connect with ConnectEx from sockets bound to 127.0.0.1:0. Each completed accept
// closes its socket and posts the next AcceptEx; each completed connect closes its socket and
// starts the next ConnectEx. Prints one JSON line: connections accepted, seconds, per second.
// Loopback only; at most MAX_CONNECTIONS connections (bounded ephemeral-port use), every wait bounded.
//
//   npm run build && node bench/accept-conn.mjs [seconds]      (bench/accept-run.mjs runs it)
import * as ws from 'wsaioctl/winsock';

const SECONDS = Math.min(Number(process.argv[2]) || 2, 30);
const INFLIGHT = 8;
const MAX_CONNECTIONS = 20_000;
const KEY_LISTENER = 1;
const KEY_CLIENT = 2;

const fail = (what) => { throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`); };
const tcp = () => {
  const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  if (s === ws.INVALID_SOCKET) fail('socket');
  return s;
};
const pending = (result, what) => { if (!result && ws.WSAGetLastError() !== ws.WSA_IO_PENDING) fail(what); };
function extension(s, guid) {
  const pointer = new Uint8Array(8);
  if (ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(guid), 16, pointer, 8, { value: 0 }, null, null) !== 0) fail('WSAIoctl');
  return pointer;
}

if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) throw new Error('WSAStartup failed');
const listener = tcp();
if (ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16) !== 0 || ws.listen(listener, 128) !== 0) fail('bind / listen');
const name = new Uint8Array(16);
ws.getsockname(listener, name, { value: 16 });
const AcceptEx = ws.LPFN_ACCEPTEX(extension(listener, ws.WSAID_ACCEPTEX));
const ConnectEx = ws.LPFN_CONNECTEX(extension(listener, ws.WSAID_CONNECTEX));
const port = ws.CreateIoCompletionPort(listener, 0, KEY_LISTENER, 0);
const client = ws.sockaddr('127.0.0.1', 0);

/** One accept slot and one client slot each: the socket in use and the OVERLAPPED of its operation. */
const accepts = Array.from({ length: INFLIGHT }, () => ({ s: 0, ov: new ws.WSAOVERLAPPED(), buf: new Uint8Array(64) }));
const connects = Array.from({ length: INFLIGHT }, () => ({ s: 0, ov: new ws.WSAOVERLAPPED() }));
for (const slot of [...accepts, ...connects]) slot.ov.context = slot;

function postAccept(slot) {
  slot.s = tcp();
  pending(AcceptEx(listener, slot.s, slot.buf, 0, 32, 32, null, slot.ov), 'AcceptEx');
}
let started = 0;
function postConnect(slot) {
  slot.s = tcp();
  if (ws.bind(slot.s, client, 16) !== 0) fail('bind');
  if (ws.CreateIoCompletionPort(slot.s, port, KEY_CLIENT, 0) !== port) fail('CreateIoCompletionPort');
  started++;
  pending(ConnectEx(slot.s, name, 16, null, 0, null, slot.ov), 'ConnectEx');
}

for (const slot of accepts) postAccept(slot);
for (const slot of connects) postConnect(slot);
let accepted = 0;
const begin = performance.now();
const deadline = begin + SECONDS * 1000;
while (performance.now() < deadline && accepted < MAX_CONNECTIONS) {
  const bytes = { value: 0 };
  const key = { value: 0 };
  const done = { value: null };
  const ok = ws.GetQueuedCompletionStatus(port, bytes, key, done, 5000);
  if (done.value === null) fail('GetQueuedCompletionStatus');
  const slot = done.value.context;
  ws.closesocket(slot.s);
  if (key.value === KEY_LISTENER) {
    if (!ok) fail('AcceptEx completion');
    accepted++;
    postAccept(slot);
  } else {
    if (!ok) fail('ConnectEx completion');
    if (started < MAX_CONNECTIONS) postConnect(slot);
    else slot.s = ws.INVALID_SOCKET;
  }
}
const seconds = (performance.now() - begin) / 1000;
for (const slot of [...accepts, ...connects]) if (slot.s !== ws.INVALID_SOCKET) ws.closesocket(slot.s);
ws.closesocket(listener);
ws.CloseHandle(port);
ws.WSACleanup();
console.log(JSON.stringify({ connections: accepted, seconds, perSecond: accepted / seconds }));
