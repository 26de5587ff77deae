// @ts-check
// The classic AcceptEx + completion-port server, ported to `wsaioctl/winsock` (acceptex-server.c
// beside it is the C program it ports). The extension functions come from
// SIO_GET_EXTENSION_FUNCTION_POINTER, cast to their types as C does. The server posts its
// AcceptEx calls before any client exists, each with an accept socket made beforehand and room
// for the first data; an AcceptEx completes when its connection has sent that data. The server
// then updates the accept socket's context, reads the peer's address with GetAcceptExSockaddrs
// and sends the data back in capitals. In the same thread and on the same port, clients connect
// with ConnectEx (sending their greeting in the same call) and wait for the answer with WSARecv.
// One GetQueuedCompletionStatus loop drives everything. Loopback only.
//
//   npm run build && node examples/acceptex-server.mjs
import * as ws from 'wsaioctl/winsock';

const CLIENTS = 3;
const GREETING = 'hello from client '; // + the client's number: 19 bytes
const MESSAGE_LENGTH = GREETING.length + 1;
const ADDRESS_AREA = 16 + 16; // sizeof(SOCKADDR_IN) + 16, as AcceptEx asks
const KEY_LISTENER = 1;
const KEY_SERVER = 2;
const KEY_CLIENT = 3;

/** @param {string} what */
function fail(what) {
  throw new Error(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
}

/** @param {number} rc @param {string} what */
function check(rc, what) {
  if (rc === ws.SOCKET_ERROR || rc === ws.INVALID_SOCKET) fail(what);
  return rc;
}

/** An overlapped call that must have started: TRUE / 0 at once, or pending. @param {boolean | number} started @param {string} what */
function started(started, what) {
  if (started === true || started === 0) return;
  if (ws.WSAGetLastError() !== ws.WSA_IO_PENDING) fail(what);
}

/** The pointer of an extension function, as C asks for it. @param {number} s @param {string} guid */
function extension(s, guid) {
  const pointer = new Uint8Array(8);
  const bytes = { value: 0 };
  check(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(guid), 16, pointer, 8, bytes, null, null), 'WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)');
  return pointer;
}

/** An OVERLAPPED that says which operation it belongs to (C puts it first in a struct). @param {string} kind @param {number} i */
function overlapped(kind, i) {
  const ov = new ws.WSAOVERLAPPED();
  ov.context = { kind, i };
  return ov;
}

const tcp = () => check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');

if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) throw new Error('WSAStartup failed');

const listener = tcp();
check(ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16), 'bind');
check(ws.listen(listener, CLIENTS), 'listen');
const listenerName = new Uint8Array(16);
check(ws.getsockname(listener, listenerName, { value: 16 }), 'getsockname');
console.log('listening on 127.0.0.1 (an ephemeral port)');

const AcceptEx = ws.LPFN_ACCEPTEX(extension(listener, ws.WSAID_ACCEPTEX));
const GetAcceptExSockaddrs = ws.LPFN_GETACCEPTEXSOCKADDRS(extension(listener, ws.WSAID_GETACCEPTEXSOCKADDRS));
const ConnectEx = ws.LPFN_CONNECTEX(extension(listener, ws.WSAID_CONNECTEX));
console.log('AcceptEx, GetAcceptExSockaddrs and ConnectEx from SIO_GET_EXTENSION_FUNCTION_POINTER');

const port = ws.CreateIoCompletionPort(listener, 0, KEY_LISTENER, 0);
if (port === 0) fail('CreateIoCompletionPort');

// The server side: one AcceptEx per expected client, posted before any client exists.
const accepted = [];
const acceptBuffers = [];
const acceptOverlapped = [];
const sendOverlapped = [];
for (let i = 0; i < CLIENTS; i++) {
  accepted.push(tcp());
  acceptBuffers.push(new Uint8Array(MESSAGE_LENGTH + 2 * ADDRESS_AREA));
  acceptOverlapped.push(overlapped('accept', i));
  sendOverlapped.push(overlapped('send', i));
  started(AcceptEx(listener, accepted[i], acceptBuffers[i], MESSAGE_LENGTH, ADDRESS_AREA, ADDRESS_AREA, { value: 0 }, acceptOverlapped[i]), 'AcceptEx');
}

// The clients: bound (ConnectEx needs it), on the same port, greeting in the ConnectEx call.
const clients = [];
const replies = [];
const replyOverlapped = [];
const replyBuffers = [];
for (let i = 0; i < CLIENTS; i++) {
  const s = tcp();
  check(ws.bind(s, ws.sockaddr('127.0.0.1', 0), 16), 'bind');
  if (ws.CreateIoCompletionPort(s, port, KEY_CLIENT, 0) !== port) fail('CreateIoCompletionPort');
  clients.push(s);
  replies.push('');
  replyOverlapped.push(overlapped('reply', i));
  replyBuffers.push(new Uint8Array(64));
  const greeting = new TextEncoder().encode(`${GREETING}${i + 1}`);
  started(ConnectEx(s, listenerName, 16, greeting, greeting.length, null, overlapped('connect', i)), 'ConnectEx');
}

const listenerBytes = new Uint8Array(8);
new DataView(listenerBytes.buffer).setBigUint64(0, BigInt(listener), true);
let acceptedCount = 0;
let firstDataBytes = 0;
let loopbackPeers = 0;
let sends = 0;
let answered = 0;

while (answered < CLIENTS || sends < CLIENTS) {
  const bytes = { value: 0 };
  const key = { value: 0 };
  /** @type {{ value: ws.WSAOVERLAPPED | null }} */
  const done = { value: null };
  if (!ws.GetQueuedCompletionStatus(port, bytes, key, done, 5000)) fail('GetQueuedCompletionStatus');
  if (done.value === null) fail('GetQueuedCompletionStatus (no OVERLAPPED)');
  const { kind, i } = /** @type {{ kind: string, i: number }} */ (done.value.context);
  if (kind === 'accept') {
    // A connection with its first data: make the accept socket a full socket, find the peer.
    acceptedCount++;
    firstDataBytes += bytes.value;
    check(ws.setsockopt(accepted[i], ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes, 8), 'setsockopt(SO_UPDATE_ACCEPT_CONTEXT)');
    /** @type {{ value: Uint8Array | null }} */
    const local = { value: null };
    /** @type {{ value: Uint8Array | null }} */
    const remote = { value: null };
    GetAcceptExSockaddrs(acceptBuffers[i], MESSAGE_LENGTH, ADDRESS_AREA, ADDRESS_AREA, local, { value: 0 }, remote, { value: 0 });
    if (remote.value && ws.parseSockaddr(remote.value).address === '127.0.0.1') loopbackPeers++;
    const answer = new TextEncoder().encode(new TextDecoder().decode(acceptBuffers[i].subarray(0, bytes.value)).toUpperCase());
    if (ws.CreateIoCompletionPort(accepted[i], port, KEY_SERVER, 0) !== port) fail('CreateIoCompletionPort');
    started(ws.WSASend(accepted[i], [{ len: answer.length, buf: answer }], 1, null, 0, sendOverlapped[i], null), 'WSASend');
  } else if (kind === 'send') {
    sends++;
  } else if (kind === 'connect') {
    check(ws.setsockopt(clients[i], ws.SOL_SOCKET, ws.SO_UPDATE_CONNECT_CONTEXT, null, 0), 'setsockopt(SO_UPDATE_CONNECT_CONTEXT)');
    started(ws.WSARecv(clients[i], [{ len: replyBuffers[i].length, buf: replyBuffers[i] }], 1, null, { value: 0 }, replyOverlapped[i], null), 'WSARecv');
  } else if (kind === 'reply') {
    replies[i] = new TextDecoder().decode(replyBuffers[i].subarray(0, bytes.value));
    answered++;
  }
}

for (let i = 0; i < CLIENTS; i++) console.log(`client ${i + 1}: "${replies[i]}"`);
console.log(`server: ${acceptedCount} connections accepted, ${firstDataBytes} bytes of first data, ${loopbackPeers} peers on 127.0.0.1`);

for (const s of [...clients, ...accepted, listener]) ws.closesocket(s);
ws.CloseHandle(port);
ws.WSACleanup();
