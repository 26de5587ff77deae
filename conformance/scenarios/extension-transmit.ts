/**
 * TransmitFile, TransmitPackets and the file HANDLEs they send from (CreateFileW, CloseHandle), on
 * both backends (issue 15). Files are written to the backend's own temp directory; sockets are
 * loopback pairs. The expectations are Wine's dlls/ws2_32/tests/sock.c test_TransmitFile lines that
 * run on Windows, or the reference pages (TransmitFile, LPFN_TRANSMITPACKETS, CreateFileW).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Observation, Scenario } from '../lib/types.js';
import { KEY, SENTINEL, errName, overlapped, waitForData, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const TRANSMIT_FILE = `${SOCK_C} test_TransmitFile`;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const scenario = (s: Omit<Scenario, 'mode' | 'basis' | 'needs'> & { basis?: Scenario['basis']; needs?: Scenario['needs'] }): Scenario => ({
  mode: 'other', basis: 'measured', ...s, needs: ['data-path', ...(s.needs ?? [])],
});

/** A file of `size` bytes (byte i is i mod 251) in a fresh temp directory, opened for reading. */
function tempFile(size: number): { handle: number; bytes: Uint8Array; done: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsaioctl-conf-'));
  const bytes = new Uint8Array(size).map((_, i) => i % 251);
  const name = path.join(dir, 'data.bin');
  fs.writeFileSync(name, bytes);
  const handle = ws.CreateFileW(name, ws.GENERIC_READ, ws.FILE_SHARE_READ, null, ws.OPEN_EXISTING, ws.FILE_ATTRIBUTE_NORMAL | ws.FILE_FLAG_OVERLAPPED, 0);
  return {
    handle, bytes,
    done: () => {
      ws.CloseHandle(handle);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Up to `n` bytes from `s`, each wait bounded. */
function readUpTo(s: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let got = 0;
  for (let i = 0; i < 200 && got < n && waitForData(s, 2000); i++) {
    const r = ws.recv(s, out.subarray(got), n - got, 0);
    if (r <= 0) break;
    got += r;
  }
  return out.subarray(0, got);
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export const extensionTransmit: Scenario[] = [
  scenario({
    id: 'TransmitFile.not-a-socket',
    title: 'TransmitFile on a handle that is no socket: FALSE, WSAENOTSOCK',
    sockets: ['bogus-handle'], call: 'TransmitFile(bogus, NULL, 0, 0, NULL, NULL, 0)',
    expected: { rc: false, error: 'WSAENOTSOCK' },
    source: TRANSMIT_FILE,
    run(ctx) {
      const rc = ws.TransmitFile(ctx.bogusHandle(), 0, 0, 0, null, null, 0);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'TransmitFile.unconnected-reuse',
    title: 'TransmitFile on an unconnected TCP socket with TF_REUSE_SOCKET alone: WSAENOTCONN (the connection is checked before the flags)',
    sockets: ['tcp-fresh'], call: 'TransmitFile(s, NULL, 0, 0, NULL, NULL, TF_REUSE_SOCKET)',
    expected: { rc: false, error: 'WSAENOTCONN' },
    source: TRANSMIT_FILE,
    run(ctx) {
      const rc = ws.TransmitFile(ctx.tcp(), 0, 0, 0, null, null, ws.TF_REUSE_SOCKET);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'TransmitFile.udp',
    title: 'TransmitFile on an unconnected UDP socket: WSAENOTCONN (the page says WSAEINVAL)',
    sockets: ['udp-fresh'], call: 'TransmitFile(udp, NULL, 0, 0, NULL, NULL, 0)',
    expected: { rc: false, error: 'WSAENOTCONN' },
    source: TRANSMIT_FILE,
    run(ctx) {
      const rc = ws.TransmitFile(ctx.udp(), 0, 0, 0, null, null, 0);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'TransmitFile.buffers-only',
    title: 'TransmitFile without a file, head 12 and tail 11 bytes: TRUE, the peer reads head then tail',
    sockets: ['tcp-pair'], call: 'TransmitFile(client, NULL, 0, 0, NULL, &{head 12, tail 11}, 0); recv(server)',
    expected: { rc: true, data: 'hello world!goodbye now' },
    source: TRANSMIT_FILE,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const head = enc('hello world!');
      const tail = enc('goodbye now');
      const rc = ws.TransmitFile(client, 0, 0, 0, null, { Head: head, HeadLength: 12, Tail: tail, TailLength: 11 }, 0);
      return { rc, data: text(readUpTo(server, 23)) };
    },
  }),
  scenario({
    id: 'TransmitFile.offset.overlapped+event',
    title: 'TransmitFile overlapped from Offset 10 of a 30000-byte file: pending, then size - 10 bytes, the file from offset 10',
    sockets: ['tcp-pair'], needs: ['events'],
    call: 'TransmitFile(client, file, 0, 0, &ov{Offset 10, hEvent}, NULL, 0); recv(server); WSAGetOverlappedResult(TRUE)',
    expected: { rc: false, error: 'WSA_IO_PENDING', result: true, bytes: 29990, internal: 0, data: true },
    source: TRANSMIT_FILE,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const file = tempFile(30000);
      try {
        const ov = overlapped(ctx.event());
        ov.Offset = 10;
        const rc = ws.TransmitFile(client, file.handle, 0, 0, ov, null, 0);
        const error = errName(ws.WSAGetLastError());
        const data = readUpTo(server, 29990);
        const bytes = { value: SENTINEL };
        const result = ws.WSAGetOverlappedResult(client, ov, bytes, true, { value: 0 });
        return { rc, error, result, bytes: bytes.value, internal: ov.Internal, data: equal(data, file.bytes.subarray(10)) };
      } finally {
        file.done();
      }
    },
  }),
  scenario({
    id: 'TransmitFile.head-file-tail.overlapped+port',
    title: 'TransmitFile through a completion port with head and tail: one packet counting head + file + tail, the bytes in that order',
    sockets: ['tcp-pair'], needs: ['ports'],
    call: 'CreateIoCompletionPort(client, KEY); TransmitFile(client, file, 0, 0, &ov, &{head 3, tail 3}, 0); recv(server); GetQueuedCompletionStatus',
    expected: { rc: false, error: 'WSA_IO_PENDING', packet: { ok: true, bytes: 1006, key: 'KEY', overlapped: 'ov' }, data: true },
    source: `${TRANSMIT_FILE} (bytes = file + head + tail); extension-functions.md §4 (completion through the port)`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(client, KEY);
      const file = tempFile(1000);
      try {
        const ov = overlapped();
        const rc = ws.TransmitFile(client, file.handle, 0, 0, ov, { Head: enc('<<<'), HeadLength: 3, Tail: enc('>>>'), TailLength: 3 }, 0);
        const error = errName(ws.WSAGetLastError());
        const data = readUpTo(server, 1006);
        const bytes = { value: SENTINEL };
        const key = { value: SENTINEL };
        const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
        const ok = ws.GetQueuedCompletionStatus(port, bytes, key, got, 2000);
        const packet: Observation = { ok, bytes: bytes.value, key: key.value === KEY ? 'KEY' : key.value, overlapped: got.value === ov ? 'ov' : String(got.value) };
        const expected = new Uint8Array([...enc('<<<'), ...file.bytes, ...enc('>>>')]);
        return { rc, error, packet, data: equal(data, expected) };
      } finally {
        file.done();
      }
    },
  }),
  scenario({
    id: 'TransmitFile.disconnect',
    title: 'TransmitFile with TF_DISCONNECT: TRUE; the peer reads the data then end of file; a later send fails with WSAESHUTDOWN',
    sockets: ['tcp-pair'], basis: 'documented',
    call: 'TransmitFile(client, NULL, 0, 0, NULL, &{head "bye"}, TF_DISCONNECT); recv(server) x2; send(client)',
    expected: { rc: true, data: 'bye', eof: 0, send: -1, error: 'WSAESHUTDOWN' },
    source: `TransmitFile reference page (TF_DISCONNECT: a transport-level disconnect after the data is queued); ${SOCK_C} test_DisconnectEx (after the half close, send fails with WSAESHUTDOWN)`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const rc = ws.TransmitFile(client, 0, 0, 0, null, { Head: enc('bye'), HeadLength: 3, Tail: null, TailLength: 0 }, ws.TF_DISCONNECT);
      const data = text(readUpTo(server, 3));
      // End of file: a receive that returns 0 at once (bounded: SO_RCVTIMEO 2 s, WSAETIMEDOUT when none).
      ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, new Uint8Array([0xd0, 0x07, 0, 0]), 4);
      const eofRc = ws.recv(server, new Uint8Array(8), 8, 0);
      const eof = eofRc === ws.SOCKET_ERROR ? errName(ws.WSAGetLastError()) : eofRc;
      const send = ws.send(client, enc('x'), 1, 0);
      return { rc, data, eof, send, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'TransmitFile.offset-past-end.overlapped+event',
    title: 'TransmitFile with an Offset past the end of the file: FALSE, WSAEINVAL, nothing pends',
    sockets: ['tcp-pair'], needs: ['events'], basis: 'documented',
    call: 'TransmitFile(client, file(100 bytes), 0, 0, &ov{Offset 101}, NULL, 0)',
    expected: { rc: false, error: 'WSAEINVAL' },
    source: 'TransmitFile reference page: WSAEINVAL when the file offset is beyond the end of the file',
    run(ctx): Observation {
      const { client } = ctx.tcpPair();
      const file = tempFile(100);
      try {
        const ov = overlapped(ctx.event());
        ov.Offset = 101;
        const rc = ws.TransmitFile(client, file.handle, 0, 0, ov, null, 0);
        const error = errName(ws.WSAGetLastError());
        if (error !== 'WSA_IO_PENDING') return { rc, error };
        // Started anyway: how it ends.
        const bytes = { value: SENTINEL };
        const ok = ws.WSAGetOverlappedResult(client, ov, bytes, true, { value: 0 });
        return { rc, error, result: ok, resultError: ok ? 'NO_ERROR' : errName(ws.WSAGetLastError()), bytes: bytes.value };
      } finally {
        file.done();
      }
    },
  }),
  scenario({
    id: 'TransmitFile.node-fd',
    title: '_get_osfhandle of a Node fd: a HANDLE TransmitFile sends from (at the file pointer); CloseHandle on it leaves the fd to Node',
    sockets: ['tcp-pair'], basis: 'inferred',
    call: 'fd = fs.openSync(file); h = _get_osfhandle(fd); TransmitFile(client, h, 100, 0, NULL, NULL, 0); CloseHandle(h); fs.fstatSync(fd)',
    expected: { rc: true, data: true, closed: true, fdOpen: true },
    source: 'the C runtime\'s _get_osfhandle (the HANDLE behind a CRT fd); TransmitFile reference page (without an OVERLAPPED, from the current file position); docs/principles.md principle 3 (what Node owns stays Node\'s)',
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsaioctl-conf-'));
      const bytes = new Uint8Array(300).map((_, i) => (i * 3) & 0xff);
      fs.writeFileSync(path.join(dir, 'fd.bin'), bytes);
      const fd = fs.openSync(path.join(dir, 'fd.bin'), 'r');
      try {
        const h = ws._get_osfhandle(fd);
        const rc = ws.TransmitFile(client, h, 100, 0, null, null, 0);
        const data = equal(readUpTo(server, 100), bytes.subarray(0, 100));
        const closed = ws.CloseHandle(h);
        let fdOpen = true;
        try {
          fs.fstatSync(fd);
        } catch {
          fdOpen = false;
        }
        return { rc, data, closed, fdOpen };
      } finally {
        fs.closeSync(fd);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  }),
  scenario({
    id: 'TransmitPackets.memory-and-file.overlapped+event',
    title: 'TransmitPackets with a memory and a file element: pending, then both in order, bytes counted',
    sockets: ['tcp-pair'], needs: ['events'], basis: 'documented',
    call: 'TransmitPackets(client, [{MEMORY "ab"}, {FILE, 100 bytes from 0}], 2, 0, &ov, 0)',
    expected: { rc: false, error: 'WSA_IO_PENDING', result: true, bytes: 102, data: true },
    source: 'LPFN_TRANSMITPACKETS and TRANSMIT_PACKETS_ELEMENT reference pages (no test exists: extension-functions.md §9)',
    run(ctx): Observation {
      const { client, server } = ctx.tcpPair();
      const file = tempFile(500);
      try {
        const ov = overlapped(ctx.event());
        const elements: ws.TRANSMIT_PACKETS_ELEMENT[] = [
          { dwElFlags: ws.TP_ELEMENT_MEMORY, cLength: 2, pBuffer: enc('ab') },
          { dwElFlags: ws.TP_ELEMENT_FILE, cLength: 100, nFileOffset: 0, hFile: file.handle },
        ];
        const rc = ws.TransmitPackets(client, elements, 2, 0, ov, 0);
        const error = errName(ws.WSAGetLastError());
        if (rc || error !== 'WSA_IO_PENDING') return { rc, error };
        const data = readUpTo(server, 102);
        const bytes = { value: SENTINEL };
        const result = ws.WSAGetOverlappedResult(client, ov, bytes, true, { value: 0 });
        return { rc, error, result, bytes: bytes.value, data: equal(data, new Uint8Array([...enc('ab'), ...file.bytes.subarray(0, 100)])) };
      } finally {
        file.done();
      }
    },
  }),
  scenario({
    id: 'CreateFileW.not-found',
    title: 'CreateFileW(OPEN_EXISTING) of a missing file: INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND',
    sockets: ['none'], basis: 'documented',
    call: 'CreateFileW(L"<tmp>\\\\missing.bin", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL)',
    expected: { handle: -1, error: 'ERROR_FILE_NOT_FOUND' },
    source: 'CreateFileW reference page (fileapi.h): OPEN_EXISTING fails with ERROR_FILE_NOT_FOUND when the file does not exist',
    run() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsaioctl-conf-'));
      try {
        const handle = ws.CreateFileW(path.join(dir, 'missing.bin'), ws.GENERIC_READ, ws.FILE_SHARE_READ, null, ws.OPEN_EXISTING, 0, 0);
        const error = ws.GetLastError();
        return { handle, error: error === ws.ERROR_FILE_NOT_FOUND ? 'ERROR_FILE_NOT_FOUND' : errName(error) };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  }),
];
