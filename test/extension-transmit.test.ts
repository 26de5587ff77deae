/**
 * TransmitFile, TransmitPackets, CreateFileW / CloseHandle on files and `_get_osfhandle`, on real
 * loopback sockets, with files in os.tmpdir(). Each rule cites its source: Wine's
 * dlls/ws2_32/tests/sock.c test_TransmitFile (checks without todo_wine: what Windows does), the
 * reference pages (TransmitFile, LPFN_TRANSMITPACKETS, TRANSMIT_PACKETS_ELEMENT, CreateFileW), or
 * extension-functions.md (§8, §9, §16.4, §17 rows 41-44).
 *
 * The peer that reads everything is a net.Server in a Worker: a blocking TransmitFile of several
 * MiB blocks this thread, so the reading has to happen elsewhere.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, tcpPair, udpPair, loopbackName, waitUntil } from './helpers/sockets.js';
import { packet } from './helpers/completion.js';

before(startup);
after(cleanup);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsaioctl-transmit-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file of `size` pseudo-random bytes (a fixed sequence: every offset is checkable). */
function makeFile(name: string, size: number): { file: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  let x = 0x12345678;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

function openRead(file: string, flags = ws.FILE_ATTRIBUTE_NORMAL): number {
  const h = ws.CreateFileW(file, ws.GENERIC_READ, ws.FILE_SHARE_READ, null, ws.OPEN_EXISTING, flags, 0);
  assert.notEqual(h, ws.INVALID_HANDLE_VALUE, `CreateFileW failed with ${ws.GetLastError()}`);
  return h;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/**
 * A reader in a Worker: a net.Server on 127.0.0.1 that reads one connection to its end and reports
 * every byte; it ends its side when the peer's FIN comes (allowHalfOpen false).
 */
class Reader {
  private constructor(private readonly worker: Worker, readonly port: number, private readonly done: Promise<Uint8Array>) {}

  static async start(): Promise<Reader> {
    const worker = new Worker(`
      const net = require('node:net');
      const { parentPort } = require('node:worker_threads');
      const server = net.createServer((socket) => {
        const chunks = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('end', () => { parentPort.postMessage({ data: Buffer.concat(chunks) }); server.close(); });
        socket.on('error', () => { parentPort.postMessage({ data: Buffer.concat(chunks) }); server.close(); });
      });
      server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
    `, { eval: true });
    let resolveData!: (d: Uint8Array) => void;
    const done = new Promise<Uint8Array>((resolve) => (resolveData = resolve));
    const port = await new Promise<number>((resolve, reject) => {
      worker.on('message', (m: { port?: number; data?: Uint8Array }) => {
        if (m.port !== undefined) resolve(m.port);
        if (m.data !== undefined) resolveData(new Uint8Array(m.data));
      });
      worker.on('error', reject);
    });
    return new Reader(worker, port, done);
  }

  /** A Winsock TCP socket connected to the reader. */
  connect(): number {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const to = loopbackName('ipv4', this.port);
    check(ws.connect(s, to, to.length), 'connect');
    return s;
  }

  /** Everything the reader received, once the connection ended (bounded: 60 s). */
  async received(): Promise<Uint8Array> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('reader: no end in 60 s')), 60_000).unref());
    try {
      return await Promise.race([this.done, timeout]);
    } finally {
      await this.worker.terminate();
    }
  }
}

/** Wait (event loop free) until `ov` completed: WSAGetOverlappedResult's answer. */
async function result(s: number, ov: ws.WSAOVERLAPPED): Promise<{ ok: boolean; error: number; bytes: number }> {
  const bytes = { value: 0 };
  const ok = await ws.WSAGetOverlappedResultAsync(s, ov, bytes, true, { value: 0 });
  return { ok, error: ok ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

describe('TransmitFile: validation (Wine sock.c test_TransmitFile; extension-functions.md §8, §13)', () => {
  test('not a socket: WSAENOTSOCK', () => {
    assert.equal(ws.TransmitFile(0xfff0, 0, 0, 0, null, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
  });

  test('unconnected TCP with TF_REUSE_SOCKET alone: WSAENOTCONN, the connection checked before the flags', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    assert.equal(ws.TransmitFile(s, 0, 0, 0, null, null, ws.TF_REUSE_SOCKET), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    closeAll(s);
  });

  test('an unconnected UDP socket: WSAENOTCONN', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    assert.equal(ws.TransmitFile(s, 0, 0, 0, null, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    closeAll(s);
  });

  test('connected, no file, no buffers: TRUE and nothing sent', () => {
    const { client, server } = tcpPair();
    ws.SetLastError(0xdead);
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, null, 0), true);
    const v = { value: 0xbad };
    check(ws.ioctlsocket(server, ws.FIONREAD, v), 'FIONREAD');
    assert.equal(v.value, 0);
    closeAll(client, server);
  });

  test('connected, head 12 and tail 11 bytes only: TRUE, the peer reads 23 bytes, head then tail', () => {
    const { client, server } = tcpPair();
    const head = enc('hello world!');
    const tail = enc('goodbye now');
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, { Head: head, HeadLength: 12, Tail: tail, TailLength: 11 }, 0), true);
    const got = new Uint8Array(64);
    let n = 0;
    assert.ok(waitUntil(() => {
      const r = ws.recv(server, got.subarray(n), 64 - n, 0);
      if (r > 0) n += r;
      return n >= 23;
    }, 200));
    assert.equal(Buffer.from(got.subarray(0, n)).toString(), 'hello world!goodbye now');
    closeAll(client, server);
  });

  test('bad flags, TF_REUSE_SOCKET without TF_DISCONNECT on a connected socket, a shut-down sender (TransmitFile page)', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, null, 0x100), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, null, ws.TF_REUSE_SOCKET), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    check(ws.shutdown(client, ws.SD_SEND), 'shutdown');
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    closeAll(client, server);
  });

  test('hostile arguments: a head shorter than its length, a non-object buffers argument: WSAEFAULT, nothing sent (docs/principles.md, principle 2)', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, { Head: new Uint8Array(2), HeadLength: 3, Tail: null, TailLength: 0 }, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.TransmitFile(client, 0, 0, 0, null, 42 as unknown as ws.TRANSMIT_FILE_BUFFERS, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.TransmitFile(client, 0x7770, 0, 0, null, null, 0), false, 'no file behind the handle');
    const v = { value: 0xbad };
    check(ws.ioctlsocket(server, ws.FIONREAD, v), 'FIONREAD');
    assert.equal(v.value, 0);
    closeAll(client, server);
  });

  test('an offset past the end of the file: WSAEINVAL (TransmitFile page)', () => {
    const { file } = makeFile('small.bin', 100);
    const h = openRead(file);
    const { client, server } = tcpPair();
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    ov.Offset = 101;
    assert.equal(ws.TransmitFile(client, h, 0, 0, ov, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    ws.WSACloseEvent(ov.hEvent);
    assert.equal(ws.CloseHandle(h), true);
    closeAll(client, server);
  });
});

describe('TransmitFile: the data, in every completion mode', () => {
  for (const size of [0, 1, 65537, 3 * 1024 * 1024 + 5]) {
    test(`overlapped with an event, a ${size}-byte file from Offset 10 with head and tail: pends, then bytes = size - 10 + head + tail, data in order (Wine sock.c test_TransmitFile)`, async () => {
      const { file, bytes } = makeFile(`f${size}.bin`, size);
      const h = openRead(file, ws.FILE_FLAG_OVERLAPPED | ws.FILE_FLAG_SEQUENTIAL_SCAN);
      const reader = await Reader.start();
      const s = reader.connect();
      const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
      const offset = Math.min(10, size);
      ov.Offset = offset;
      const head = enc('HEAD:');
      const tail = enc(':TAIL');
      assert.equal(ws.TransmitFile(s, h, 0, 0, ov, { Head: head, HeadLength: head.length, Tail: tail, TailLength: tail.length }, 0), false);
      assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
      const r = await result(s, ov);
      assert.deepEqual(r, { ok: true, error: 0, bytes: size - offset + head.length + tail.length });
      assert.equal(ov.Internal, ws.STATUS_SUCCESS);
      closeAll(s);
      const got = await reader.received();
      assert.ok(Buffer.from(got).equals(Buffer.from(concat(head, bytes.subarray(offset), tail))), 'the peer reads head, file from the offset, tail');
      ws.WSACloseEvent(ov.hEvent);
      ws.CloseHandle(h);
    });
  }

  test('synchronous: from the file pointer, nNumberOfBytesToWrite bytes, blocking until all is sent; the pointer moves past them (TransmitFile page; Wine reads from the pointer)', async () => {
    const { file, bytes } = makeFile('sync.bin', 2 * 1024 * 1024);
    const fd = fs.openSync(file, 'r');
    const h = ws._get_osfhandle(fd);
    assert.notEqual(h, ws.INVALID_HANDLE_VALUE);
    assert.equal(ws._get_osfhandle(fd), h, 'one fd, one HANDLE');
    const reader = await Reader.start();
    const s = reader.connect();
    // Move the file pointer by reading through the fd itself (as SetFilePointer would).
    fs.readSync(fd, new Uint8Array(100), 0, 100, null);
    const count = 1024 * 1024 + 3;
    assert.equal(ws.TransmitFile(s, h, count, 4096, null, null, 0), true);
    // The next piece continues where the first ended.
    assert.equal(ws.TransmitFile(s, h, 7, 0, null, null, 0), true);
    closeAll(s);
    const got = await reader.received();
    assert.ok(Buffer.from(got).equals(Buffer.from(bytes.subarray(100, 100 + count + 7))));
    assert.equal(ws.CloseHandle(h), true);
    fs.fstatSync(fd); // still Node's, still open (docs/principles.md, principle 3)
    fs.closeSync(fd);
  });

  test('the file HANDLE closed while the transmission is pending: it still sends the whole file (the kernel holds the file object, not the handle)', async () => {
    const { file, bytes } = makeFile('closed-early.bin', 2 * 1024 * 1024);
    const h = openRead(file);
    const reader = await Reader.start();
    const s = reader.connect();
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    assert.equal(ws.TransmitFile(s, h, 0, 0, ov, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(ws.CloseHandle(h), true);
    // A file opened now may take the fd number the HANDLE had: it must not be what is sent.
    const other = makeFile('other.bin', 100);
    const h2 = openRead(other.file);
    assert.deepEqual(await result(s, ov), { ok: true, error: 0, bytes: bytes.length });
    closeAll(s);
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(bytes)));
    ws.WSACloseEvent(ov.hEvent);
    ws.CloseHandle(h2);
  });

  test('completion port: the packet carries the bytes, the key and the OVERLAPPED; FILE_SKIP_COMPLETION_PORT_ON_SUCCESS still gets one, as the call pended (extension-functions.md §4)', async () => {
    const { file, bytes } = makeFile('port.bin', 300000);
    const h = openRead(file);
    const reader = await Reader.start();
    const s = reader.connect();
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.equal(ws.CreateIoCompletionPort(s, port, 77, 0), port);
    assert.equal(ws.SetFileCompletionNotificationModes(s, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), true);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.TransmitFile(s, h, 0, 0, ov, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    let seen = packet(port, 0);
    for (let i = 0; i < 600 && !seen.ok && seen.overlapped === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen = packet(port, 0);
    }
    assert.equal(seen.ok, true);
    assert.equal(seen.bytes, bytes.length);
    assert.equal(seen.key, 77);
    assert.equal(seen.overlapped, ov);
    assert.equal(packet(port, 0).overlapped, null, 'exactly one packet');
    closeAll(s);
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(bytes)));
    ws.CloseHandle(port);
    ws.CloseHandle(h);
  });

  test('TF_DISCONNECT: the peer reads everything then end of file; a later send fails with WSAESHUTDOWN (TransmitFile page; Wine sock.c test_DisconnectEx for the half close)', async () => {
    const { file, bytes } = makeFile('disc.bin', 50000);
    const h = openRead(file);
    const reader = await Reader.start();
    const s = reader.connect();
    assert.equal(ws.TransmitFile(s, h, 0, 0, null, null, ws.TF_DISCONNECT), true);
    // The reader sees its end while the socket is still open here.
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(bytes)));
    assert.equal(ws.send(s, enc('x'), 1, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    closeAll(s);
    ws.CloseHandle(h);
  });

  test('TF_DISCONNECT | TF_REUSE_SOCKET overlapped: completes once the peer has closed too (TransmitFile page)', async () => {
    const reader = await Reader.start();
    const s = reader.connect();
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    const head = enc('bye');
    assert.equal(ws.TransmitFile(s, 0, 0, 0, ov, { Head: head, HeadLength: 3, Tail: null, TailLength: 0 }, ws.TF_DISCONNECT | ws.TF_REUSE_SOCKET), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.deepEqual(await result(s, ov), { ok: true, error: 0, bytes: 3 });
    assert.equal(Buffer.from(await reader.received()).toString(), 'bye');
    // Reusable, as after DisconnectEx(TF_REUSE_SOCKET): ConnectEx takes it again (the mswsock page).
    const again = await Reader.start();
    const cov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    const to = loopbackName('ipv4', again.port);
    assert.equal(ws.ConnectEx(s, to, to.length, enc('hi'), 2, null, cov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.deepEqual(await result(s, cov), { ok: true, error: 0, bytes: 2 });
    closeAll(s);
    assert.equal(Buffer.from(await again.received()).toString(), 'hi');
    ws.WSACloseEvent(ov.hEvent);
    ws.WSACloseEvent(cov.hEvent);
  });

  test('a WSAOVERLAPPED on a socket made without WSA_FLAG_OVERLAPPED: the call blocks, returns TRUE, and still completes the OVERLAPPED (extension-functions.md §4 facts 2 and 9)', async () => {
    const { file, bytes } = makeFile('nonov.bin', 100000);
    const h = openRead(file);
    const reader = await Reader.start();
    const s = check(ws.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, null, 0, 0), 'WSASocketW');
    const to = loopbackName('ipv4', reader.port);
    check(ws.connect(s, to, to.length), 'connect');
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    ov.Offset = 4;
    assert.equal(ws.TransmitFile(s, h, 0, 0, ov, null, 0), true);
    assert.equal(ov.Internal, ws.STATUS_SUCCESS);
    assert.equal(ov.InternalHigh, bytes.length - 4);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [ov.hEvent], false, 0, false), ws.WSA_WAIT_EVENT_0);
    closeAll(s);
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(bytes.subarray(4))));
    ws.WSACloseEvent(ov.hEvent);
    ws.CloseHandle(h);
  });

  test('hEvent with its low bit set on a port-associated socket: the event is signalled, no packet is queued (extension-functions.md §4 fact 4)', async () => {
    const reader = await Reader.start();
    const s = reader.connect();
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.equal(ws.CreateIoCompletionPort(s, port, 5, 0), port);
    const event = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(event | 1);
    const head = enc('low-bit');
    assert.equal(ws.TransmitFile(s, 0, 0, 0, ov, { Head: head, HeadLength: head.length, Tail: null, TailLength: 0 }, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [event], false, 5000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ov.InternalHigh, head.length);
    assert.equal(packet(port, 50).overlapped, null);
    closeAll(s);
    assert.equal(Buffer.from(await reader.received()).toString(), 'low-bit');
    ws.WSACloseEvent(event);
    ws.CloseHandle(port);
  });

  test('closesocket with a transmission pending: it ends once, with WSAECONNABORTED (extension-functions.md §4 fact 12, as sends do)', () => {
    const { file } = makeFile('abort.bin', 16 * 1024 * 1024);
    const h = openRead(file);
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.equal(ws.CreateIoCompletionPort(client, port, 9, 0), port);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.TransmitFile(client, h, 0, 0, ov, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(packet(port, 100).overlapped, null, 'still pending: the peer reads nothing');
    closeAll(client);
    const seen = packet(port, 1000);
    assert.equal(seen.ok, false);
    assert.equal(seen.overlapped, ov);
    assert.equal(seen.error, ws.ERROR_CONNECTION_ABORTED);
    assert.equal(packet(port, 50).overlapped, null, 'exactly once');
    ws.CloseHandle(port);
    ws.CloseHandle(h);
    closeAll(server);
  });

  test('CancelIo on a transmission the peer does not read: it ends with ERROR_OPERATION_ABORTED, once', () => {
    const { file } = makeFile('big.bin', 16 * 1024 * 1024);
    const h = openRead(file);
    const { client, server } = tcpPair();
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    assert.equal(ws.TransmitFile(client, h, 0, 0, ov, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    // Let it fill the socket buffers (bounded), then cancel.
    ws.WSAWaitForMultipleEvents(1, [ov.hEvent], false, 100, false);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(ws.CancelIo(client), true);
    const bytes = { value: 0 };
    assert.equal(ws.WSAGetOverlappedResult(client, ov, bytes, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    assert.equal(ws.CancelIoEx(client, ov), false, 'nothing left to cancel');
    ws.WSACloseEvent(ov.hEvent);
    ws.CloseHandle(h);
    closeAll(client, server);
  });
});

describe('TransmitPackets (LPFN_TRANSMITPACKETS and TRANSMIT_PACKETS_ELEMENT pages; extension-functions.md §9)', () => {
  test('memory, file and memory elements on TCP, overlapped: one stream in element order, bytes counted', async () => {
    const { file, bytes } = makeFile('tp.bin', 200000);
    const h = openRead(file);
    const reader = await Reader.start();
    const s = reader.connect();
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    const elements: ws.TRANSMIT_PACKETS_ELEMENT[] = [
      { dwElFlags: ws.TP_ELEMENT_MEMORY, cLength: 4, pBuffer: enc('abcd') },
      { dwElFlags: ws.TP_ELEMENT_FILE, cLength: 1000, nFileOffset: 5, hFile: h },
      { dwElFlags: ws.TP_ELEMENT_FILE | ws.TP_ELEMENT_EOP, cLength: 0, nFileOffset: 199990n, hFile: h },
      { dwElFlags: ws.TP_ELEMENT_MEMORY | ws.TP_ELEMENT_EOP, cLength: 2, pBuffer: enc('yz') },
    ];
    assert.equal(ws.TransmitPackets(s, elements, 4, 0, ov, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.deepEqual(await result(s, ov), { ok: true, error: 0, bytes: 4 + 1000 + 10 + 2 });
    closeAll(s);
    const expected = concat(enc('abcd'), bytes.subarray(5, 1005), bytes.subarray(199990), enc('yz'));
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(expected)));
    ws.WSACloseEvent(ov.hEvent);
    ws.CloseHandle(h);
  });

  test('a connected UDP socket: one datagram per TP_ELEMENT_EOP group', () => {
    const { receiver, sender, receiverName } = udpPair();
    check(ws.connect(sender, receiverName, receiverName.length), 'connect');
    const { file, bytes } = makeFile('dgram.bin', 64);
    const h = openRead(file);
    const elements: ws.TRANSMIT_PACKETS_ELEMENT[] = [
      { dwElFlags: ws.TP_ELEMENT_MEMORY, cLength: 3, pBuffer: enc('one') },
      { dwElFlags: ws.TP_ELEMENT_FILE | ws.TP_ELEMENT_EOP, cLength: 4, nFileOffset: 0, hFile: h },
      { dwElFlags: ws.TP_ELEMENT_MEMORY | ws.TP_ELEMENT_EOP, cLength: 3, pBuffer: enc('two') },
    ];
    assert.equal(ws.TransmitPackets(sender, elements, 3, 0, null, 0), true);
    const b = new Uint8Array(64);
    assert.equal(ws.recv(receiver, b, 64, 0), 7);
    assert.ok(Buffer.from(b.subarray(0, 7)).equals(Buffer.from(concat(enc('one'), bytes.subarray(0, 4)))));
    assert.equal(ws.recv(receiver, b, 64, 0), 3);
    assert.equal(Buffer.from(b.subarray(0, 3)).toString(), 'two');
    ws.CloseHandle(h);
    closeAll(receiver, sender);
  });

  test('nFileOffset -1 reads from the file pointer', async () => {
    const { file, bytes } = makeFile('ptr.bin', 1000);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, new Uint8Array(600), 0, 600, null);
    const h = ws._get_osfhandle(fd);
    const reader = await Reader.start();
    const s = reader.connect();
    assert.equal(ws.TransmitPackets(s, [{ dwElFlags: ws.TP_ELEMENT_FILE, cLength: 0, nFileOffset: -1, hFile: h }], 1, 0, null, 0), true);
    closeAll(s);
    assert.ok(Buffer.from(await reader.received()).equals(Buffer.from(bytes.subarray(600))));
    ws.CloseHandle(h);
    fs.closeSync(fd);
  });

  test('refusals: unconnected (WSAENOTCONN), MEMORY with FILE, TF_DISCONNECT on UDP, REUSE without DISCONNECT (WSAEINVAL), a short array or buffer (WSAEFAULT)', () => {
    const lone = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    assert.equal(ws.TransmitPackets(lone, [], 0, 0, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    const { client, server } = tcpPair();
    const both = { dwElFlags: ws.TP_ELEMENT_MEMORY | ws.TP_ELEMENT_FILE, cLength: 1, pBuffer: enc('a') };
    assert.equal(ws.TransmitPackets(client, [both], 1, 0, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.TransmitPackets(client, [], 0, 0, null, ws.TF_REUSE_SOCKET), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.TransmitPackets(client, [], 2, 0, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.TransmitPackets(client, [{ dwElFlags: ws.TP_ELEMENT_MEMORY, cLength: 9, pBuffer: enc('a') }], 1, 0, null, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    const { receiver, sender, receiverName } = udpPair();
    check(ws.connect(sender, receiverName, receiverName.length), 'connect');
    assert.equal(ws.TransmitPackets(sender, [], 0, 0, null, ws.TF_DISCONNECT), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    closeAll(lone, client, server, receiver, sender);
  });
});

describe('CreateFileW / CloseHandle on files (CreateFileW page)', () => {
  test('a missing file: ERROR_FILE_NOT_FOUND; a missing directory: ERROR_PATH_NOT_FOUND; a directory: ERROR_ACCESS_DENIED', () => {
    const open = (name: string): number => ws.CreateFileW(name, ws.GENERIC_READ, ws.FILE_SHARE_READ, null, ws.OPEN_EXISTING, 0, 0);
    assert.equal(open(path.join(dir, 'nope.bin')), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_FILE_NOT_FOUND);
    assert.equal(open(path.join(dir, 'nodir', 'nope.bin')), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_PATH_NOT_FOUND);
    assert.equal(open(dir), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_ACCESS_DENIED);
  });

  test('dispositions: CREATE_NEW on an existing file fails with ERROR_FILE_EXISTS, OPEN_ALWAYS on it succeeds with ERROR_ALREADY_EXISTS, an unknown one is ERROR_INVALID_PARAMETER', () => {
    const { file } = makeFile('exists.bin', 3);
    assert.equal(ws.CreateFileW(file, ws.GENERIC_READ, 0, null, ws.CREATE_NEW, 0, 0), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_FILE_EXISTS);
    const h = ws.CreateFileW(file, ws.GENERIC_READ, 0, null, ws.OPEN_ALWAYS, 0, 0);
    assert.notEqual(h, ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_ALREADY_EXISTS);
    assert.equal(ws.CloseHandle(h), true);
    assert.equal(ws.CloseHandle(h), false, 'closed once');
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    assert.equal(ws.CreateFileW(file, ws.GENERIC_READ, 0, null, 9, 0, 0), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
  });

  test('_get_osfhandle of an fd that is not open: INVALID_HANDLE_VALUE, ERROR_INVALID_HANDLE', () => {
    assert.equal(ws._get_osfhandle(-1), ws.INVALID_HANDLE_VALUE);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
  });
});
