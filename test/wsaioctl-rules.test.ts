/**
 * The rules every WSAIoctl call follows on the Linux emulation, whatever the code (facts from Wine's
 * conformance tests, which pass on Windows): the order of the shared checks, what
 * *lpcbBytesReturned becomes, unknown codes, FIONBIO's buffer rules, and ioctlsocket.
 * Network use: 127.0.0.1 only.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';

const GUARD = 0xa5;
const UNTOUCHED = 0xdeadbeef;
/** FIOASYNC (_IOW('f', 125, u_long)): a BSD code Winsock never had. */
const FIOASYNC = 0x8004667d;

/** `v` as a little-endian u32 in a buffer of `size` bytes (cut short, or zero-padded). */
const u32 = (v: number, size = 4) => {
  const b = new Uint8Array(Math.max(size, 4));
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b.subarray(0, size);
};

interface Result { rc: number; error: number; bytes: number }

function ioctl(s: number, code: number, input: Uint8Array | null, cbIn: number, output: Uint8Array | null, cbOut: number, withBytes = true): Result {
  const bytes = withBytes ? { value: UNTOUCHED } : null;
  ws.WSASetLastError(0x1234);
  const rc = ws.WSAIoctl(s, code, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: ws.WSAGetLastError(), bytes: bytes ? bytes.value : UNTOUCHED };
}

const open: number[] = [];
function sock(type = ws.SOCK_STREAM): number {
  const s = ws.socket(ws.AF_INET, type, 0);
  assert.notEqual(s, ws.INVALID_SOCKET);
  open.push(s);
  return s;
}

function tcpPair(): { client: number; server: number } {
  const l = sock();
  assert.equal(ws.bind(l, ws.sockaddr('127.0.0.1', 0), 16), 0);
  assert.equal(ws.listen(l, 1), 0);
  const name = new Uint8Array(16);
  assert.equal(ws.getsockname(l, name, { value: 16 }), 0);
  const client = sock();
  assert.equal(ws.connect(client, name, 16), 0);
  const server = ws.accept(l, null, null);
  assert.notEqual(server, ws.INVALID_SOCKET);
  open.push(server);
  return { client, server };
}

function wouldBlock(s: number): boolean {
  ws.WSASetLastError(0);
  const rc = ws.recv(s, new Uint8Array(1), 1, 0);
  return rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSAEWOULDBLOCK;
}

after(() => {
  for (const s of open) ws.closesocket(s);
  while (ws.WSACleanup() === 0) { /* release every reference */ }
});

describe('order of the shared checks', () => {
  test('before WSAStartup: WSANOTINITIALISED, even with a null lpcbBytesReturned', () => {
    assert.equal(ioctl(0x104, ws.FIONBIO, u32(1), 4, null, 0).error, ws.WSANOTINITIALISED);
    assert.equal(ioctl(0x104, ws.FIONBIO, u32(1), 4, null, 0, false).error, ws.WSANOTINITIALISED);
    assert.equal(ws.ioctlsocket(0x104, ws.FIONBIO, { value: 1 }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSANOTINITIALISED);
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  });

  test('a null lpcbBytesReturned is WSAEFAULT before anything else', () => {
    const s = sock();
    const closed = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(closed);
    for (const [target, code, input, cbIn, output, cbOut] of [
      [s, ws.FIONBIO, u32(1), 4, null, 0],
      [s, 0xdeadbeef, null, 0, null, 0],
      [s, ws.FIONREAD, null, 0, new Uint8Array(4), 4],
      [s, ws.FIONBIO, null, 4, null, 0],
      [s, ws.FIONBIO, new Uint8Array(2), 4, null, 0],
      [closed, ws.FIONBIO, u32(1), 4, null, 0],
      [0xdeadbeef, 0xdeadbeef, null, 0, null, 0],
    ] as Array<[number, number, Uint8Array | null, number, Uint8Array | null, number]>) {
      const r = ioctl(target, code, input, cbIn, output, cbOut, false);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAEFAULT, `code ${code.toString(16)} on ${target}`);
    }
  });

  test('then the socket: closed or unknown handles are WSAENOTSOCK', () => {
    const closed = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(closed);
    for (const bad of [closed, 0, 0xdeadbeef, ws.INVALID_SOCKET]) {
      const r = ioctl(bad, ws.FIONBIO, u32(1), 4, null, 0);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAENOTSOCK);
    }
  });

  test('buffers that are not wholly valid memory: WSAEFAULT', () => {
    const s = sock();
    const out = new Uint8Array(8).fill(GUARD);
    for (const [input, cbIn, output, cbOut] of [
      [null, 4, null, 0], // null input with a size
      [u32(1), 5, null, 0], // input size beyond the buffer
      [u32(1), -1, null, 0], // a DWORD of 0xFFFFFFFF
      [u32(1), 4, null, 4], // null output with a size
      [u32(1), 4, out, 9], // output size beyond the buffer
    ] as Array<[Uint8Array | null, number, Uint8Array | null, number]>) {
      const r = ioctl(s, ws.FIONBIO, input, cbIn, output, cbOut);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAEFAULT, `in ${cbIn}, out ${cbOut}`);
    }
    assert.ok(out.every((b) => b === GUARD), 'nothing written');
    assert.ok(!wouldBlock(sock()), 'and FIONBIO did nothing');
  });

  test('a Uint8Array whose length lies (a subclass or an own property) covers only its real bytes: WSAEFAULT', () => {
    const s = sock();
    class Claims extends Uint8Array {
      override get length(): number {
        return 64;
      }
    }
    const subclass = new Claims(2).fill(GUARD);
    const ownProperty = new Uint8Array(2).fill(GUARD);
    Object.defineProperty(ownProperty, 'length', { value: 64 });
    for (const liar of [subclass, ownProperty]) {
      // As the input (4 bytes claimed, 2 real) and as the output of FIONREAD (4 claimed, 2 real).
      assert.equal(ioctl(s, ws.FIONBIO, liar, 4, null, 0).error, ws.WSAEFAULT);
      assert.equal(ioctl(s, ws.FIONREAD, null, 0, liar, 4).error, ws.WSAEFAULT);
      assert.equal(ioctl(s, ws.FIONREAD, null, 0, liar, 64).error, ws.WSAEFAULT, 'the very length it claims');
      assert.ok(liar.every((b) => b === GUARD), 'nothing written');
    }
    assert.ok(!wouldBlock(s), 'and FIONBIO did nothing');
  });
});

describe('unknown codes', () => {
  test('SOCKET_ERROR, WSAEOPNOTSUPP, *lpcbBytesReturned 0, on TCP and UDP', () => {
    for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
      const s = sock(type);
      for (const code of [0xdeadbeef, FIOASYNC, 0x667e, ws.SIO_FLUSH, 0]) {
        const r = ioctl(s, code, null, 0, null, 0);
        assert.deepEqual(r, { rc: ws.SOCKET_ERROR, error: ws.WSAEOPNOTSUPP, bytes: 0 }, `code ${code.toString(16)}`);
      }
    }
  });

  test('with buffers: nothing read changes, nothing written', () => {
    const s = sock();
    const input = u32(0x01020304, 16);
    const copy = input.slice();
    const out = new Uint8Array(16).fill(GUARD);
    const r = ioctl(s, 0xdeadbeef, input, 16, out, 16);
    assert.deepEqual(r, { rc: ws.SOCKET_ERROR, error: ws.WSAEOPNOTSUPP, bytes: 0 });
    assert.deepEqual(input, copy);
    assert.ok(out.every((b) => b === GUARD));
  });
});

describe('FIONBIO through WSAIoctl', () => {
  test('input under 4 bytes: WSAEFAULT, and the mode is unchanged', () => {
    const { server } = tcpPair();
    for (const size of [0, 1, 3]) {
      const r = ioctl(server, ws.FIONBIO, size ? u32(1, size) : null, size, null, 0);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAEFAULT, `cbInBuffer ${size}`);
    }
    ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(20), 4);
    ws.WSASetLastError(0);
    assert.equal(ws.recv(server, new Uint8Array(1), 1, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAETIMEDOUT, 'still blocking');
  });

  test('4 bytes or more: success, 0 bytes, last error 0; the output buffer is ignored', () => {
    const { server } = tcpPair();
    const out = new Uint8Array(4).fill(GUARD);
    assert.deepEqual(ioctl(server, ws.FIONBIO, u32(1), 4, null, 0), { rc: 0, error: 0, bytes: 0 });
    assert.ok(wouldBlock(server));
    assert.deepEqual(ioctl(server, ws.FIONBIO, u32(0, 5), 5, out, 4), { rc: 0, error: 0, bytes: 0 });
    assert.ok(out.every((b) => b === GUARD), 'output untouched');
    assert.deepEqual(ioctl(server, ws.FIONBIO, u32(0x100, 8), 8, null, 0), { rc: 0, error: 0, bytes: 0 });
    assert.ok(wouldBlock(server), 'any non-zero value means non-blocking');
  });

  test('the input buffer is never modified', () => {
    const s = sock();
    const input = u32(1, 8);
    const copy = input.slice();
    ioctl(s, ws.FIONBIO, input, 8, input, 8);
    assert.deepEqual(input, copy);
  });
});

describe('ioctlsocket', () => {
  test('FIONBIO: a null argp is WSAEFAULT; a value switches the mode', () => {
    const { server } = tcpPair();
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    ws.WSASetLastError(0x1234);
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 1 }), 0);
    assert.equal(ws.WSAGetLastError(), 0);
    assert.ok(wouldBlock(server));
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), 0);
  });

  test('FIONREAD: the bytes waiting; a null argp is WSAEFAULT', () => {
    const { client, server } = tcpPair();
    const arg = { value: UNTOUCHED };
    assert.equal(ws.ioctlsocket(server, ws.FIONREAD, arg), 0);
    assert.equal(arg.value, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    // Loopback delivery is immediate, but bound the wait anyway.
    for (let i = 0; i < 100 && arg.value === 0; i++) {
      assert.equal(ws.ioctlsocket(server, ws.FIONREAD, arg), 0);
      if (arg.value === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
    assert.equal(arg.value, 5);
    assert.equal(ws.ioctlsocket(server, ws.FIONREAD, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
  });

  test('an unknown command: WSAEOPNOTSUPP, argp unchanged', () => {
    const arg = { value: 42 };
    assert.equal(ws.ioctlsocket(sock(), FIOASYNC, arg), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEOPNOTSUPP);
    assert.equal(arg.value, 42);
  });
});

describe('output bounds', () => {
  test('FIONREAD writes 4 bytes and reports 4, nothing past cbOutBuffer', () => {
    const { server } = tcpPair();
    const out = new Uint8Array(12).fill(GUARD);
    const r = ioctl(server, ws.FIONREAD, null, 0, out, 8);
    assert.deepEqual(r, { rc: 0, error: 0, bytes: 4 });
    assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 0]);
    assert.ok(out.subarray(4).every((b) => b === GUARD));
  });

  test('FIONREAD with cbOutBuffer 3: WSAEFAULT, *lpcbBytesReturned untouched, nothing written', () => {
    const { server } = tcpPair();
    const out = new Uint8Array(4).fill(GUARD);
    const r = ioctl(server, ws.FIONREAD, null, 0, out, 3);
    assert.deepEqual(r, { rc: ws.SOCKET_ERROR, error: ws.WSAEFAULT, bytes: UNTOUCHED });
    assert.ok(out.every((b) => b === GUARD));
  });
});
