/**
 * AF_UNIX stream sockets (Windows 10 1803 and later: SOCK_STREAM only, protocol 0, SOCKADDR_UN =
 * family 1 + a 108-byte path, afunix.h) and SIO_AF_UNIX_GETPEERPID (the peer's process id,
 * remaining-codes.md #58), on real sockets under a temporary directory. The peer whose pid is
 * asked is another process (a Node child that connects with net.connect).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ws from 'wsaioctl/winsock';
import { check, cleanup, closeAll, ioctl, startup, waitUntil, withSocket } from './helpers/sockets.js';

const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-unix-'));
before(startup);
after(() => {
  cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** A Windows SOCKADDR_UN (110 bytes) for `path`. */
function sockaddrUn(path: string): Uint8Array {
  const name = new Uint8Array(110);
  name[0] = ws.AF_UNIX;
  name.set(new TextEncoder().encode(path), 2);
  return name;
}
const pathOf = (name: Uint8Array): string => new TextDecoder().decode(name.subarray(2, name.indexOf(0, 2)));

function listenAt(path: string): number {
  const s = check(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0), 'socket(AF_UNIX)');
  const name = sockaddrUn(path);
  check(ws.bind(s, name, name.length), 'bind');
  check(ws.listen(s, 4), 'listen');
  return s;
}

const peerPid = (s: number) => {
  const out = new Uint8Array(4);
  const r = ioctl(s, ws.SIO_AF_UNIX_GETPEERPID, null, 0, out, 4);
  return { ...r, pid: new DataView(out.buffer).getUint32(0, true) };
};

describe('AF_UNIX stream sockets', () => {
  test('socket: SOCK_STREAM with protocol 0 only (SOCK_DGRAM: WSAESOCKTNOSUPPORT; a protocol: WSAEPROTONOSUPPORT)', () => {
    const s = ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0);
    assert.notEqual(s, ws.INVALID_SOCKET);
    closeAll(s);
    assert.equal(ws.socket(ws.AF_UNIX, ws.SOCK_DGRAM, 0), ws.INVALID_SOCKET);
    assert.equal(ws.WSAGetLastError(), ws.WSAESOCKTNOSUPPORT);
    assert.equal(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, ws.IPPROTO_TCP), ws.INVALID_SOCKET);
    assert.equal(ws.WSAGetLastError(), ws.WSAEPROTONOSUPPORT);
  });

  test('bind, listen, connect, accept, send and recv; names are SOCKADDR_UNs of 110 bytes', () => {
    const path = join(dir, 'a.sock');
    const listener = listenAt(path);
    const client = check(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0), 'socket');
    let server = ws.INVALID_SOCKET;
    try {
      const name = sockaddrUn(path);
      check(ws.connect(client, name, name.length), 'connect');
      const from = new Uint8Array(110).fill(0xcc);
      const fromLen = { value: 110 };
      server = check(ws.accept(listener, from, fromLen), 'accept');
      assert.equal(fromLen.value, 110);
      assert.equal(from[0], ws.AF_UNIX);
      assert.ok(from.subarray(2).every((b) => b === 0), 'an unnamed client: its family alone');
      const local = new Uint8Array(110);
      const localLen = { value: 110 };
      check(ws.getsockname(listener, local, localLen), 'getsockname');
      assert.equal(localLen.value, 110);
      assert.equal(pathOf(local), path);
      const peer = new Uint8Array(110);
      check(ws.getpeername(client, peer, { value: 110 }), 'getpeername');
      assert.equal(pathOf(peer), path);
      const data = new TextEncoder().encode('over a unix socket');
      assert.equal(ws.send(client, data, data.length, 0), data.length);
      const buf = new Uint8Array(64);
      const n = check(ws.recv(server, buf, buf.length, 0), 'recv');
      assert.equal(new TextDecoder().decode(buf.subarray(0, n)), 'over a unix socket');
    } finally {
      closeAll(client, server, listener);
    }
  });
});

describe('SIO_AF_UNIX_GETPEERPID', () => {
  test('the accepted socket of another process\'s connection: that process\'s id, 4 bytes; the client side: ours', async () => {
    const path = join(dir, 'pid.sock');
    const listener = listenAt(path);
    check(ws.ioctlsocket(listener, ws.FIONBIO, { value: 1 }), 'FIONBIO');
    const child = spawn(process.execPath, ['-e', `const c = require('net').connect(${JSON.stringify(path)}, () => console.log('connected')); process.stdin.on('end', () => c.end()); process.stdin.resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let server = ws.INVALID_SOCKET;
    let client = ws.INVALID_SOCKET;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the child did not connect')), 20_000);
        child.stdout.on('data', () => { clearTimeout(timer); resolve(); });
        child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited ${code}`)); });
      });
      assert.ok(waitUntil(() => (server = ws.accept(listener, null, null)) !== ws.INVALID_SOCKET, 400, 5), 'accept');
      const r = peerPid(server);
      assert.deepEqual([r.rc, r.error, r.bytes], [0, 0, 4]);
      assert.equal(r.pid, child.pid);
      assert.notEqual(r.pid, process.pid);
      // Our own connection to the same listener: the peer is this process.
      client = check(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0), 'socket');
      const name = sockaddrUn(path);
      check(ws.connect(client, name, name.length), 'connect');
      assert.equal(peerPid(client).pid, process.pid);
    } finally {
      child.stdin.end();
      closeAll(server, client, listener);
      await new Promise((resolve) => { if (child.exitCode !== null) resolve(null); else child.on('exit', resolve); });
    }
  });

  test('no peer: WSAENOTCONN; an output under 4 bytes: WSAEFAULT; a TCP socket: WSAEOPNOTSUPP', () => {
    withSocket(ws.AF_UNIX, ws.SOCK_STREAM, (s) => {
      assert.deepEqual(ioctl(s, ws.SIO_AF_UNIX_GETPEERPID, null, 0, new Uint8Array(4), 4), { rc: ws.SOCKET_ERROR, error: ws.WSAENOTCONN, bytes: 0 });
      assert.equal(ioctl(s, ws.SIO_AF_UNIX_GETPEERPID, null, 0, new Uint8Array(3), 3).error, ws.WSAEFAULT);
    });
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(ioctl(s, ws.SIO_AF_UNIX_GETPEERPID, null, 0, new Uint8Array(4), 4).error, ws.WSAEOPNOTSUPP);
    });
  });
});
