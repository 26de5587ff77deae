/** A new TCP socket carries Windows' keep-alive timing (1 s between probes, 10 probes, 2 h idle). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';

function intOption(s: number, level: number, name: number): number {
  const val = new Uint8Array(4);
  const len = { value: 4 };
  assert.equal(ws.getsockopt(s, level, name, val, len), 0, ws.errorName(ws.WSAGetLastError()));
  return new DataView(val.buffer).getInt32(0, true);
}

test('fresh TCP sockets start with the Windows keep-alive defaults', () => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  try {
    for (const af of [ws.AF_INET, ws.AF_INET6]) {
      const s = ws.socket(af, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      assert.notEqual(s, ws.INVALID_SOCKET);
      assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL), 1);
      assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10);
      assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 7200);
      assert.equal(intOption(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0);
      ws.closesocket(s);
    }
  } finally {
    ws.WSACleanup();
  }
});
