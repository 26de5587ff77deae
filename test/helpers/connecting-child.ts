/**
 * Child process for test/extension-accept-connect.test.ts (run in a namespace by netns.ts, where
 * 192.0.2.2 is on a link but never answers): a ConnectEx that stays pending, and what the socket
 * says meanwhile; then closesocket ends it. Prints one JSON line of error names.
 */
import * as ws from 'wsaioctl/winsock';

const name = (code: number): string => ws.errorName(code >>> 0);
ws.WSAStartup(0x0202, ws.newWSADATA());
const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
ws.bind(s, ws.sockaddr('192.0.2.1', 0), 16);
const event = ws.WSACreateEvent();
const ov = new ws.WSAOVERLAPPED(event);
const to = ws.sockaddr('192.0.2.2', 80);
const started = ws.ConnectEx(s, to, 16, null, 0, null, ov);
const startError = name(ws.WSAGetLastError());
const stillPending = ws.WSAWaitForMultipleEvents(1, [event], false, 200, false) === ws.WSA_WAIT_TIMEOUT && ov.Internal === ws.STATUS_PENDING;
const peer = ws.getpeername(s, new Uint8Array(16), { value: 16 }) === 0 ? 'ok' : name(ws.WSAGetLastError());
const local = new Uint8Array(16);
const sockname = ws.getsockname(s, local, { value: 16 }) === 0 && ws.parseSockaddr(local).port !== 0 ? 'ok, a port' : name(ws.WSAGetLastError());
// A receive meanwhile is refused at once, as on a socket connect() is connecting (sockets.ts receiveRefusal).
const recv = ws.recv(s, new Uint8Array(4), 4, 0) === ws.SOCKET_ERROR ? name(ws.WSAGetLastError()) : 'ok';
const connect = ws.connect(s, to, 16) === 0 ? 'ok' : name(ws.WSAGetLastError());
const again = ws.ConnectEx(s, to, 16, null, 0, null, new ws.WSAOVERLAPPED()) ? 'TRUE' : name(ws.WSAGetLastError());
ws.closesocket(s);
const ended = ws.WSAWaitForMultipleEvents(1, [event], false, 2000, false) === 0 ? ws.ntStatusName(ov.Internal >>> 0) : 'not ended';
console.log(JSON.stringify({ started, startError, stillPending, peer, sockname, recv, connect, again, ended }));
ws.WSACleanup();
