/**
 * One TransmitFile / TransmitPackets request: its pieces (memory, or a range of a file) sent in
 * order, then the disconnect its flags ask for (disconnect.ts). A stream sends the pieces one after
 * the other (memory with send(2), file ranges with sendfile(2), never copied through JS); a
 * datagram socket sends each group of pieces (TransmitPackets' TP_ELEMENT_EOP groups) as one
 * datagram, gathered.
 *
 * How it runs is the data path's (data-path/pending.ts, send.ts): without overlapped delivery the
 * caller waits (poll) until everything is sent; an overlapped one is a pending transfer in the
 * socket's send FIFO, tried at each writable edge, partial sends continued where they stopped.
 * Windows facts: extension-functions.md §8 (Wine's dlls/ws2_32/tests/sock.c test_TransmitFile:
 * head, file data, tail in one stream; the byte count is head + file + tail).
 */
import * as fs from 'node:fs';
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { WSAOVERLAPPED } from '../../../../winsock/types.js';
import * as libc from '../../host/libc.js';
import { E, L } from '../../host/libc.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { complete, startPending, type OverlappedOp } from '../../win32/operations.js';
import { setLastError } from '../../win32/last-error.js';
import { AGAIN, sendAttempt, sendErrorFor, waitIfBlocking } from '../sockets.js';
import { deliverAtOnce } from '../data-path/completion.js';
import { enqueue, hasPending, type Transfer } from '../data-path/pending.js';
import { closeOwnedFd } from '../../host/thread-fds.js';
import { holdFile, type WinFile } from '../../win32/files.js';
import { disconnectSending, peerHasClosed } from './disconnect.js';
import { renew } from '../extension/disconnect-ex.js';

/** A piece of a transmission: caller memory, or `length` bytes of a file from `offset`. */
export type Piece =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array }
  | {
    /** `fd`: the transmission's own reference to the file (files.ts holdFile), closed when it ends. */
    readonly kind: 'file'; readonly fd: number; readonly offset: number; readonly length: number;
    /** Read from the file pointer: it moves past what was sent (as Wine reads it, from the pointer). */
    readonly usePointer: boolean;
  };

/** The most one sendfile(2) moves (Linux's own cap per call). */
const SENDFILE_MAX = 0x7ffff000;

/** A piece as the checks make it: a file range names the open file (held at start, `hold`). */
export type PieceSpec =
  | { readonly kind: 'memory'; readonly bytes: Uint8Array }
  | { readonly kind: 'file'; readonly file: WinFile; readonly offset: number; readonly length: number; readonly usePointer: boolean };

/**
 * The pieces with each file held by the transmission itself (files.ts holdFile: closing the HANDLE
 * meanwhile does not stop it), or WSAENOBUFS when no fd is left (what was held is given back).
 */
function hold(groups: readonly (readonly PieceSpec[])[]): Piece[][] | number {
  const held: Piece[][] = [];
  for (const group of groups) {
    const pieces: Piece[] = [];
    held.push(pieces);
    for (const spec of group) {
      if (spec.kind === 'memory') {
        pieces.push(spec);
        continue;
      }
      const fd = holdFile(spec.file);
      if (fd < 0) {
        for (const list of held) for (const piece of list) if (piece.kind === 'file') closeOwnedFd(piece.fd);
        return W.WSAENOBUFS;
      }
      pieces.push({ kind: 'file', fd, offset: spec.offset, length: spec.length, usePointer: spec.usePointer });
    }
  }
  return held;
}

const pieceLength = (piece: Piece | PieceSpec): number => (piece.kind === 'memory' ? piece.bytes.length : piece.length);

type Step = typeof AGAIN | { error: number } | 'done';

export class Transmission implements Transfer {
  op!: OverlappedOp;
  /** Bytes sent so far (what the completion reports). */
  sent = 0;
  private index = 0;
  private doneInPiece = 0;
  private disconnected = false;
  private readonly offset = new BigInt64Array(1);

  constructor(
    readonly sock: LinuxSocket,
    /** Stream: one list of pieces. Datagram: one list per datagram. Emptied by dispose(). */
    private groups: readonly (readonly Piece[])[],
    /** TF_DISCONNECT / TF_REUSE_SOCKET. */
    readonly flags: number,
    /** nNumberOfBytesPerSend / nSendSize: the most one send call moves (0: no limit of ours). */
    readonly perSend: number,
  ) {}

  get events(): number {
    return this.flags & C.TF_REUSE_SOCKET ? L.POLLOUT | L.POLLRDHUP : L.POLLOUT;
  }

  private get datagram(): boolean {
    return this.sock.type !== C.SOCK_STREAM;
  }

  /** Send what the kernel takes now; 'done' once everything is sent and the disconnect made. */
  step(): Step {
    const { sock } = this;
    if (sock.closed || sock.fd < 0) return { error: W.WSAENOTSOCK };
    if (this.datagram) {
      for (; this.index < this.groups.length; this.index++) {
        const data = gatherGroup(this.groups[this.index]!);
        if (typeof data === 'number') return { error: data };
        const got = sendAttempt(sock, data, 0, null);
        if (got === AGAIN) return AGAIN;
        if ('error' in got) return got;
        this.sent += got.bytes;
      }
      return 'done';
    }
    const pieces = this.groups[0] ?? [];
    while (this.index < pieces.length) {
      const piece = pieces[this.index]!;
      const left = pieceLength(piece) - this.doneInPiece;
      if (left <= 0) {
        this.nextPiece(piece);
        continue;
      }
      const count = this.perSend > 0 ? Math.min(left, this.perSend) : left;
      let n: number;
      if (piece.kind === 'memory') {
        const got = sendAttempt(sock, piece.bytes.subarray(this.doneInPiece, this.doneInPiece + count), 0, null);
        if (got === AGAIN) return AGAIN;
        if ('error' in got) return got;
        n = got.bytes;
      } else {
        this.offset[0] = BigInt(piece.offset + this.doneInPiece);
        n = libc.sendfile(sock.fd, piece.fd, this.offset, Math.min(count, SENDFILE_MAX));
        if (n < 0) {
          const errno = libc.errno();
          if (errno === E.EAGAIN) return AGAIN;
          return { error: sendErrorFor(sock, errno) };
        }
        // The file ended early (cut meanwhile): what it had is what is sent.
        if (n === 0) {
          this.nextPiece(piece);
          continue;
        }
      }
      this.sent += n;
      this.doneInPiece += n;
    }
    if (this.flags & (C.TF_DISCONNECT | C.TF_REUSE_SOCKET)) {
      if (!this.disconnected) {
        this.disconnected = true;
        const error = disconnectSending(sock);
        if (error) return { error };
      }
      // TF_REUSE_SOCKET completes once the peer has closed its side too (TransmitFile page), the
      // socket then ready for AcceptEx / ConnectEx again, as after DisconnectEx(TF_REUSE_SOCKET).
      if (this.flags & C.TF_REUSE_SOCKET) {
        if (!peerHasClosed(sock)) return AGAIN;
        const error = renew(sock);
        if (error) return { error };
      }
    }
    return 'done';
  }

  private nextPiece(piece: Piece): void {
    if (piece.kind === 'file' && piece.usePointer) libc.lseek(piece.fd, piece.offset + this.doneInPiece, L.SEEK_SET);
    this.index++;
    this.doneInPiece = 0;
  }

  /** As a pending transfer: one try from a readiness edge. */
  attempt(): boolean {
    const got = this.step();
    if (got === AGAIN) return false;
    complete(this.op, got === 'done' ? W.STATUS_SUCCESS : W.wsaErrorToNtStatus(got.error), this.sent);
    return true;
  }

  /** The request ended (completed, failed, cancelled, its socket closed): its file references go. */
  dispose(): void {
    for (const group of this.groups) {
      for (const piece of group) if (piece.kind === 'file' && piece.fd >= 0) closeOwnedFd(piece.fd);
    }
    this.groups = [];
  }

  /** Without overlapped delivery: wait (poll) until done. 0, or the Winsock error. */
  runNow(): number {
    for (;;) {
      const got = this.step();
      if (got === 'done') return 0;
      if (got !== AGAIN) return got.error;
      const waited = waitIfBlocking(this.sock, this.disconnected ? L.POLLRDHUP : L.POLLOUT, this.sock.sendTimeoutMs);
      if (waited) return waited;
    }
  }
}

/** One datagram's bytes: its memory pieces and file ranges (pread), in order; or a Winsock error. */
function gatherGroup(group: readonly Piece[]): Uint8Array | number {
  let total = 0;
  for (const piece of group) total += pieceLength(piece);
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of group) {
    if (piece.kind === 'memory') {
      out.set(piece.bytes, at);
      at += piece.bytes.length;
      continue;
    }
    try {
      let done = 0;
      for (let n = 1; done < piece.length && n > 0;) {
        n = fs.readSync(piece.fd, out, at + done, piece.length - done, piece.offset + done);
        done += n;
      }
      at += done;
    } catch {
      return W.WSAEINVAL;
    }
  }
  return at === total ? out : out.subarray(0, at);
}

/**
 * Run a transmission of `specs` as its call asked: overlapped on an overlapped socket, it always pends (Wine's
 * test_TransmitFile: FALSE with ERROR_IO_PENDING even when it could finish at once): tried once at
 * issue, then from the socket's send FIFO; otherwise the caller waits, and a WSAOVERLAPPED given on a socket
 * without WSA_FLAG_OVERLAPPED still gets its completion at once. Returns the BOOL result.
 */
export function run(sock: LinuxSocket, specs: readonly (readonly PieceSpec[])[], flags: number, perSend: number, ov: WSAOVERLAPPED | null): boolean {
  const groups = hold(specs);
  if (typeof groups === 'number') {
    setLastError(groups);
    return false;
  }
  const transmission = new Transmission(sock, groups, flags, perSend);
  if (ov !== null && sock.overlapped) {
    const op = startPending(sock, ov, null);
    op.closeStatus = W.STATUS_CONNECTION_ABORTED;
    transmission.op = op;
    // One try now unless sends wait before it (the kernel reports no new edge for a socket that
    // was writable all along); it still completes as a pended call does, packet included.
    if (!hasPending(sock, 'send') && transmission.attempt()) {
      transmission.dispose();
      setLastError(W.WSA_IO_PENDING);
      return false;
    }
    enqueue(sock, 'send', transmission);
    // However it ends (completed, cancelled, its socket closed), the file references go with it.
    const leaveQueue = op.release;
    op.release = (ended) => {
      try {
        leaveQueue?.(ended);
      } finally {
        transmission.dispose();
      }
    };
    setLastError(W.WSA_IO_PENDING);
    return false;
  }
  let error: number;
  try {
    error = transmission.runNow();
  } finally {
    transmission.dispose();
  }
  if (error) {
    setLastError(error);
    return false;
  }
  deliverAtOnce(sock, { ov, routine: null }, W.STATUS_SUCCESS, transmission.sent);
  setLastError(0);
  return true;
}
