/**
 * TransmitPackets (mswsock.dll, through SIO_GET_EXTENSION_FUNCTION_POINTER with
 * WSAID_TRANSMITPACKETS; extension-functions.md §9, §16.4). No test anywhere records what Windows
 * does, so these rules are the reference pages' [D] (LPFN_TRANSMITPACKETS,
 * TRANSMIT_PACKETS_ELEMENT):
 * - connected sockets only, datagram sockets included (their default peer): WSAENOTCONN;
 * - an element is TP_ELEMENT_MEMORY (`pBuffer`, `cLength` bytes) or TP_ELEMENT_FILE (`hFile` from
 *   `nFileOffset`, -1 meaning the file pointer; `cLength` 0: to the end of the file); the two are
 *   mutually exclusive (both: WSAEINVAL); TP_ELEMENT_EOP ends a send: on a datagram socket, each
 *   group of elements up to one with TP_ELEMENT_EOP (or the last) is one datagram;
 * - TP_DISCONNECT / TP_REUSE_SOCKET on a datagram socket, TP_REUSE_SOCKET without TP_DISCONNECT,
 *   more than 2 147 483 646 bytes in all: WSAEINVAL;
 * - the array must hold `nElementCount` elements (else WSAEFAULT); a memory element's buffer must
 *   cover its length (WSAEFAULT); a file element's handle must be a file (as STATUS_INVALID_HANDLE:
 *   WSAENOTSOCK), its offset inside the file (WSAEINVAL).
 * Flags and the overlapped model are TransmitFile's (checks.ts, transmission.ts).
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { SOCKET, TRANSMIT_PACKETS_ELEMENT, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { callerBuffer } from '../../../../winsock/arguments.js';
import { setLastError } from '../../win32/last-error.js';
import { filePointer, fileSize, lookupFile } from '../../win32/files.js';
import { MAX_TRANSMIT, transmitChecks } from './checks.js';
import { run, type PieceSpec } from './transmission.js';

const failed = (error: number): boolean => {
  setLastError(error);
  return false;
};

const ELEMENT_FLAGS = C.TP_ELEMENT_MEMORY | C.TP_ELEMENT_FILE | C.TP_ELEMENT_EOP;

/** A file element's offset: a number or bigint, -1 for the file pointer; NaN when it is neither. */
function offsetOf(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value === 'bigint') return value >= -1n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : NaN;
  return typeof value === 'number' && Number.isInteger(value) && value >= -1 ? value : NaN;
}

/** One element as a piece (null: nothing to send), or the Winsock error. */
function pieceOf(entry: unknown): { piece: PieceSpec | null; eop: boolean } | number {
  if (entry === null || typeof entry !== 'object') return W.WSAEFAULT;
  const { dwElFlags, cLength, nFileOffset, hFile, pBuffer } = entry as TRANSMIT_PACKETS_ELEMENT;
  if (typeof dwElFlags !== 'number' || typeof cLength !== 'number' || !Number.isInteger(cLength)) return W.WSAEINVAL;
  const elFlags = dwElFlags >>> 0;
  const length = cLength >>> 0;
  const eop = (elFlags & C.TP_ELEMENT_EOP) !== 0;
  if (elFlags & ~ELEMENT_FLAGS) return W.WSAEINVAL;
  const memory = (elFlags & C.TP_ELEMENT_MEMORY) !== 0;
  if (memory && elFlags & C.TP_ELEMENT_FILE) return W.WSAEINVAL;
  if (memory) {
    const bytes = callerBuffer(pBuffer, length);
    if (bytes === null) return W.WSAEFAULT;
    return { piece: length === 0 ? null : { kind: 'memory', bytes }, eop };
  }
  // TP_ELEMENT_FILE is the default kind.
  const file = lookupFile(hFile);
  if (file === undefined) return W.WSAENOTSOCK;
  const size = fileSize(file);
  const given = offsetOf(nFileOffset);
  if (size < 0 || Number.isNaN(given)) return W.WSAEINVAL;
  const usePointer = given === -1;
  const offset = usePointer ? filePointer(file) : given;
  if (offset < 0 || offset > size) return W.WSAEINVAL;
  const bytes = length === 0 ? size - offset : Math.min(length, size - offset);
  return { piece: { kind: 'file', file, offset, length: bytes, usePointer }, eop };
}

export function TransmitPackets(hSocket: SOCKET, lpPacketArray: readonly TRANSMIT_PACKETS_ELEMENT[] | null, nElementCount: number,
  nSendSize: number, lpOverlapped: WSAOVERLAPPED | null, dwFlags: number): boolean {
  const checked = transmitChecks(hSocket, lpOverlapped, dwFlags, true);
  if (typeof checked === 'number') return failed(checked);
  const { sock, ov, flags } = checked;
  const count = typeof nElementCount === 'number' && Number.isInteger(nElementCount) ? nElementCount >>> 0 : -1;
  if (count < 0) return failed(W.WSAEINVAL);
  if (count > 0 && (!Array.isArray(lpPacketArray) || lpPacketArray.length < count)) return failed(W.WSAEFAULT);
  const datagram = sock.type !== C.SOCK_STREAM;
  const groups: PieceSpec[][] = [[]];
  let total = 0;
  try {
    for (let i = 0; i < count; i++) {
      const got = pieceOf(lpPacketArray![i]);
      if (typeof got === 'number') return failed(got);
      const group = groups[groups.length - 1]!;
      if (got.piece) {
        group.push(got.piece);
        total += got.piece.kind === 'memory' ? got.piece.bytes.length : got.piece.length;
      }
      if (datagram && got.eop && i < count - 1) groups.push([]);
    }
  } catch {
    // A throwing getter: C's unreadable memory.
    return failed(W.WSAEFAULT);
  }
  if (total > MAX_TRANSMIT) return failed(W.WSAEINVAL);
  // A stream's elements are one byte stream; a datagram group with no bytes sends nothing.
  const sendGroups = datagram ? groups.filter((group) => group.length > 0) : groups;
  const perSend = typeof nSendSize === 'number' && nSendSize >>> 0 !== 0xffffffff ? nSendSize >>> 0 : 0;
  return run(sock, sendGroups, flags, datagram ? 0 : perSend, ov);
}
