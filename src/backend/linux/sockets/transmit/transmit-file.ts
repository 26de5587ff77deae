/**
 * TransmitFile (mswsock.dll; extension-functions.md §8, §13, §16.4).
 *
 * Windows facts (Wine's dlls/ws2_32/tests/sock.c test_TransmitFile, checks without todo_wine; the
 * TransmitFile reference page marked [D]):
 * - not a socket: WSAENOTSOCK; an unconnected stream socket, even with TF_REUSE_SOCKET alone:
 *   WSAENOTCONN; an unconnected UDP socket: WSAENOTCONN (the page says WSAEINVAL for datagram
 *   sockets [D]: kept for a connected one);
 * - connected, `hFile` NULL, no buffers: TRUE, nothing sent; with TRANSMIT_FILE_BUFFERS: head then
 *   tail in one stream;
 * - `nNumberOfBytesToWrite` 0: the whole file; with a WSAOVERLAPPED: FALSE + ERROR_IO_PENDING, the
 *   file read from Offset / OffsetHigh, the bytes reported = file size − offset (+ head + tail);
 *   without one: from the file pointer [D];
 * - an offset past the end of the file, more than 2 147 483 646 bytes: WSAEINVAL [D]; after
 *   shutdown(SD_SEND): WSAESHUTDOWN [D].
 * A `hFile` that is no file HANDLE fails as STATUS_INVALID_HANDLE does (WSAENOTSOCK).
 */
import * as W from '../../../../errors/index.js';
import type { HANDLE, SOCKET, TRANSMIT_FILE_BUFFERS, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { callerBuffer } from '../../../../winsock/arguments.js';
import { setLastError } from '../../win32/last-error.js';
import { filePointer, fileSize, lookupFile } from '../../win32/files.js';
import { MAX_TRANSMIT, overlappedOffset, transmitChecks } from './checks.js';
import { run, type PieceSpec } from './transmission.js';

const failed = (error: number): boolean => {
  setLastError(error);
  return false;
};

/** Head and tail as views of the caller's memory, or WSAEFAULT. */
function buffersOf(lpTransmitBuffers: unknown): { head: Uint8Array; tail: Uint8Array } | number {
  if (lpTransmitBuffers == null) return { head: new Uint8Array(0), tail: new Uint8Array(0) };
  if (typeof lpTransmitBuffers !== 'object') return W.WSAEFAULT;
  try {
    const { Head, HeadLength, Tail, TailLength } = lpTransmitBuffers as TRANSMIT_FILE_BUFFERS;
    const head = callerBuffer(Head, typeof HeadLength === 'number' ? HeadLength >>> 0 : HeadLength);
    const tail = callerBuffer(Tail, typeof TailLength === 'number' ? TailLength >>> 0 : TailLength);
    if (head === null || tail === null) return W.WSAEFAULT;
    return { head, tail };
  } catch {
    return W.WSAEFAULT;
  }
}

export function TransmitFile(hSocket: SOCKET, hFile: HANDLE, nNumberOfBytesToWrite: number, nNumberOfBytesPerSend: number,
  lpOverlapped: WSAOVERLAPPED | null, lpTransmitBuffers: TRANSMIT_FILE_BUFFERS | null, dwReserved: number): boolean {
  const checked = transmitChecks(hSocket, lpOverlapped, dwReserved, false);
  if (typeof checked === 'number') return failed(checked);
  const { sock, ov, flags } = checked;
  const buffers = buffersOf(lpTransmitBuffers);
  if (typeof buffers === 'number') return failed(buffers);
  const pieces: PieceSpec[] = [];
  if (buffers.head.length > 0) pieces.push({ kind: 'memory', bytes: buffers.head });
  if (hFile !== 0 && hFile != null) {
    const file = lookupFile(hFile);
    if (file === undefined) return failed(W.WSAENOTSOCK);
    const size = fileSize(file);
    if (size < 0) return failed(W.WSAEINVAL);
    const usePointer = ov === null;
    const offset = usePointer ? filePointer(file) : overlappedOffset(ov);
    if (offset < 0 || offset > size) return failed(W.WSAEINVAL);
    const wanted = typeof nNumberOfBytesToWrite === 'number' ? nNumberOfBytesToWrite >>> 0 : 0;
    const length = wanted === 0 ? size - offset : Math.min(wanted, size - offset);
    pieces.push({ kind: 'file', file, offset, length, usePointer });
  }
  if (buffers.tail.length > 0) pieces.push({ kind: 'memory', bytes: buffers.tail });
  let total = 0;
  for (const piece of pieces) total += piece.kind === 'memory' ? piece.bytes.length : piece.length;
  if (total > MAX_TRANSMIT) return failed(W.WSAEINVAL);
  const perSend = typeof nNumberOfBytesPerSend === 'number' ? nNumberOfBytesPerSend >>> 0 : 0;
  return run(sock, [pieces], flags, perSend, ov);
}
