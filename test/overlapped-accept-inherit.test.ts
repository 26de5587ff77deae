/** An accepted socket inherits its listener's WSAEventSelect registration, as on Windows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';

test('accept() copies the listening socket\'s event selection to the new socket', () => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  const event = ws.WSACreateEvent();
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  try {
    assert.equal(ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16), 0);
    assert.equal(ws.listen(listener, 1), 0);
    const mask = ws.FD_ACCEPT | ws.FD_READ | ws.FD_WRITE | ws.FD_CLOSE;
    assert.equal(ws.WSAEventSelect(listener, event, mask), 0);
    const name = new Uint8Array(16);
    ws.getsockname(listener, name, { value: 16 });
    assert.equal(ws.connect(client, ws.sockaddr('127.0.0.1', ws.parseSockaddr(name).port), 16), 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 2000, false), ws.WSA_WAIT_EVENT_0);
    const seen = ws.newWSANETWORKEVENTS();
    assert.equal(ws.WSAEnumNetworkEvents(listener, event, seen), 0);
    assert.ok(seen.lNetworkEvents & ws.FD_ACCEPT);

    const child = ws.accept(listener, null, null);
    assert.notEqual(child, ws.INVALID_SOCKET);
    // Selected, so non-blocking: FIONBIO back to blocking is refused.
    assert.equal(ws.ioctlsocket(child, ws.FIONBIO, { value: 0 }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    // The new connection can be written to at once: FD_WRITE is recorded on the child.
    const childEvents = ws.newWSANETWORKEVENTS();
    assert.equal(ws.WSAEnumNetworkEvents(child, event, childEvents), 0);
    assert.ok(childEvents.lNetworkEvents & ws.FD_WRITE, `events 0x${childEvents.lNetworkEvents.toString(16)}`);
    // Data from the peer signals the same event with FD_READ for the child.
    assert.equal(ws.send(client, Uint8Array.from([1, 2, 3]), 3, 0), 3);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 2000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.WSAEnumNetworkEvents(child, event, childEvents), 0);
    assert.ok(childEvents.lNetworkEvents & ws.FD_READ);
    ws.closesocket(child);
  } finally {
    ws.closesocket(client);
    ws.closesocket(listener);
    ws.WSACloseEvent(event);
    ws.WSACleanup();
  }
});
