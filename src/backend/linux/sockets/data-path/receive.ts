/**
 * WSARecv and WSARecvFrom in every calling mode.
 *
 * Windows facts (extension-functions.md §4 and §12; Wine's dlls/ws2_32/tests/sock.c, ReactOS'
 * apitests/ws2_32/WSARecv.c):
 * - no buffers (NULL list or a count of 0): WSAEINVAL (test_empty_recv); the socket is checked first;
 * - blocking: waits alertably, honours SO_RCVTIMEO (WSAETIMEDOUT, byte count untouched: test_timeout);
 *   non-blocking: WSAEWOULDBLOCK; overlapped: never WSAEWOULDBLOCK, SO_RCVTIMEO ignored
 *   (test_nonblocking_async_recv, test_timeout); a socket made without WSA_FLAG_OVERLAPPED blocks
 *   even when given a WSAOVERLAPPED;
 * - data already there: returns 0 with the count, and still delivers (test_completion_port); none:
 *   SOCKET_ERROR + WSA_IO_PENDING, count untouched (iocp_async_read);
 * - receives complete in issue order (test_simultaneous_async_recv); a zero-length receive
 *   completes with 0 bytes when data arrives and takes none (test_empty_recv);
 * - graceful close: 0 bytes; RST: STATUS_CONNECTION_RESET (ERROR_NETNAME_DELETED on the port) for
 *   a pending one, WSAECONNRESET at once for every later call (test_tcp_reset);
 * - a datagram longer than the buffers: the buffers are filled, the rest is gone, WSAEMSGSIZE
 *   (overlapped: STATUS_BUFFER_OVERFLOW with the byte count, delivered as a completion: test_ip_pktinfo);
 * - shutdown(SD_RECEIVE): new receives fail WSAESHUTDOWN, pending ones go on (test_shutdown);
 * - closesocket with a receive pending: STATUS_CONNECTION_ABORTED (iocp_async_read_closesocket).
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, WSABUF, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { callerBuffer, inOutLength } from '../../../../winsock/arguments.js';
import { L } from '../../host/libc.js';
import { pollOne } from '../../host/poll.js';
import { LINUX_SOCKADDR_MAX, socketNameSize, writeWindowsSockaddr } from '../../host/sockaddr.js';
import { fail, ok } from '../../win32/last-error.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { complete, startPending, type OverlappedOp } from '../../win32/operations.js';
import { reenable, reenableAfterFault } from '../../win32/event-select.js';
import { AGAIN, KNOWN_RECV_FLAGS, receiveAttempt, receiveRefusal, waitIfBlocking } from '../sockets.js';
import { socketFor } from '../lookup.js';
import { callerBuffers, receiveTarget, scatter, type BufferList } from './buffers.js';
import { checkMode, deliverAtOnce, store, type Mode } from './completion.js';
import { enqueue, hasPending, type Transfer } from './pending.js';
import { linuxControl } from '../../host/msghdr.js';
import { writeWindowsControl } from '../control-messages.js';

/** Flags a receive accepts: MSG_PARTIAL and MSG_PUSH_IMMEDIATE mean nothing to TCP / UDP on input. */
const ACCEPTED_FLAGS = KNOWN_RECV_FLAGS | C.MSG_PARTIAL | C.MSG_PUSH_IMMEDIATE;

type Attempt = typeof AGAIN | { error: number } | { bytes: number; truncated: boolean };

// The source address of the receive being made (one at a time on this thread; a pending request
// keeps none, so it costs less memory), and its Linux control data (WSARecvMsg).
const peer = new Uint8Array(LINUX_SOCKADDR_MAX);
const peerLen = new Uint32Array(1);
const linuxControlData = linuxControl();

/**
 * What WSARecvMsg adds to a receive: the caller's control buffer, and where the WSAMSG's output
 * fields go. They are written when the data is taken (at completion, for one that pends), as
 * Windows writes the WSAMSG then.
 */
export interface MessageOut {
  /** Control.buf cut to Control.len. */
  readonly control: Uint8Array;
  /** Write Control.len and dwFlags. */
  finish(controlLength: number, flags: number): void;
}

/**
 * One receive request: the caller's buffers and address, and what has been taken so far; once it
 * pends, also the pending transfer itself (its operation in `op`), so a pending receive is this one
 * object besides its OverlappedOp.
 */
class ReceiveRequest implements Transfer {
  filled = 0;
  op!: OverlappedOp;
  /** WSARecvMsg's MSG_TRUNC / MSG_CTRUNC, once the data is taken. */
  messageFlags = 0;
  constructor(
    readonly sock: LinuxSocket,
    readonly list: BufferList,
    readonly flags: number,
    readonly source: { name: Uint8Array; size: number; lenRef: Ref<number> } | null,
    /** Overlapped: an urgent-data receive waits for urgent data instead of failing now. */
    readonly waits: boolean,
    readonly message: MessageOut | null,
  ) {}

  get datagram(): boolean {
    return this.sock.type !== C.SOCK_STREAM;
  }

  /**
   * Receive flags reported back (lpFlags, WSAMSG.dwFlags): urgent data says MSG_OOB; WSARecvMsg
   * adds MSG_TRUNC / MSG_CTRUNC.
   */
  get outFlags(): number {
    return (this.flags & C.MSG_OOB) | this.messageFlags;
  }

  /** The poll() bits a pending one waits for. */
  get events(): number {
    return this.flags & C.MSG_OOB ? L.POLLPRI : L.POLLIN;
  }

  /** As a pending transfer: take what is there and complete, or report that it still waits. */
  attempt(): boolean {
    const { op } = this;
    const got = this.take();
    if (got === AGAIN) return false;
    if ('error' in got) {
      // ICMP "port unreachable" on UDP completes as STATUS_PORT_UNREACHABLE (WSAECONNRESET).
      const status = got.error === W.WSAECONNRESET && this.datagram ? W.STATUS_PORT_UNREACHABLE : W.wsaErrorToNtStatus(got.error);
      complete(op, status, 0);
      return true;
    }
    op.receiveFlags = this.flags & C.MSG_OOB;
    complete(op, got.truncated ? W.STATUS_BUFFER_OVERFLOW : W.STATUS_SUCCESS, got.bytes);
    return true;
  }

  /** Take what the kernel has now, without waiting. */
  take(): Attempt {
    const { sock, list } = this;
    // After an RST every receive on the connection fails, where Linux would report end of file.
    if (sock.connectionReset) return { error: W.WSAECONNRESET };
    if (list.total === 0 && !this.datagram) {
      // The zero-length receive libuv and Go use: done as soon as data is there, none taken.
      const revents = sock.fd < 0 ? -1 : pollOne(sock.fd, this.events, 0);
      return revents > 0 ? { bytes: 0, truncated: false } : AGAIN;
    }
    for (;;) {
      const target = receiveTarget(list, this.filled);
      const control = this.message === null ? null : linuxControlData;
      const got = receiveAttempt(sock, target, target.length, this.flags & ~C.MSG_WAITALL, peer, peerLen, control);
      if (got === AGAIN) return AGAIN;
      // Linux says EINVAL when no urgent byte is there yet; a pending receive waits for one.
      if ('error' in got && got.error === W.WSAEINVAL && this.flags & C.MSG_OOB && this.waits) return AGAIN;
      if ('error' in got) {
        if (got.error === W.WSAECONNRESET && !this.datagram) sock.connectionReset = true;
        return got;
      }
      const n = Math.min(got.bytes, target.length);
      scatter(list, target, this.filled, n);
      this.filled += n;
      const more = (this.flags & C.MSG_WAITALL) !== 0 && !this.datagram && n > 0 && this.filled < list.total;
      if (!more) {
        this.writeSource();
        const truncated = this.datagram && got.bytes > target.length;
        if (this.message === null) return { bytes: this.filled, truncated };
        return { bytes: this.filled, truncated: this.finishMessage(truncated) };
      }
    }
  }

  /**
   * WSARecvMsg: the control records into the caller's buffer, Control.len and dwFlags written;
   * whether the receive fails with WSAEMSGSIZE (data or control cut: MSG_TRUNC / MSG_CTRUNC).
   */
  private finishMessage(dataTruncated: boolean): boolean {
    const message = this.message!;
    const written = writeWindowsControl(this.sock, linuxControlData, message.control);
    this.messageFlags = (dataTruncated ? C.MSG_TRUNC : 0) | (written.truncated ? C.MSG_CTRUNC : 0);
    message.finish(written.length, this.outFlags);
    return dataTruncated || written.truncated;
  }

  private writeSource(): void {
    const { source } = this;
    if (source === null || peerLen[0]! === 0) return;
    writeWindowsSockaddr(peer, source.name, source.size);
    source.lenRef.value = socketNameSize(this.sock.af);
  }
}

export function WSARecv(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  return receive(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, null, null, lpOverlapped, lpCompletionRoutine);
}

export function WSARecvFrom(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  return receive(s, lpBuffers, dwBufferCount, lpNumberOfBytesRecvd, lpFlags, lpFrom, lpFromlen, lpOverlapped, lpCompletionRoutine);
}

/**
 * The one receive: WSARecv, WSARecvFrom (with `lpFrom`), and WSARecvMsg (with `message`, the
 * WSAMSG's fields given as these same arguments: message.ts).
 */
export function receive(s: SOCKET, lpBuffers: unknown, dwBufferCount: unknown, bytesRef: Ref<number> | null, lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null, ov: unknown, routine: unknown, message: MessageOut | null = null): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  const list = callerBuffers(lpBuffers, dwBufferCount);
  if (typeof list === 'number') {
    // A receive that fails on its buffers still re-enables FD_READ for a window (event-select.ts).
    if (list === W.WSAEFAULT) reenableAfterFault(sock, C.FD_READ);
    return fail(list);
  }
  const flagsIn = inOutLength(lpFlags);
  if (flagsIn === null) return fail(W.WSAEFAULT);
  const mode = checkMode(sock, bytesRef, ov, routine);
  if (typeof mode === 'number') return fail(mode);
  // A datagram socket's lpFrom must cover the length lpFromlen holds, which must be writable; a
  // stream socket leaves both alone (as recvfrom does).
  let source: { name: Uint8Array; size: number; lenRef: Ref<number> } | null = null;
  if (sock.type !== C.SOCK_STREAM && lpFrom != null) {
    const size = inOutLength(lpFromlen);
    const name = size === null || size < socketNameSize(sock.af) ? null : callerBuffer(lpFrom, size);
    if (name === null) return fail(W.WSAEFAULT);
    source = { name, size: size!, lenRef: lpFromlen! };
  }
  const flags = flagsIn >>> 0;
  if (flags & ~ACCEPTED_FLAGS) return fail(W.WSAEOPNOTSUPP);
  const overlapped = mode.ov !== null && sock.overlapped;
  // MSG_WAITALL needs a call that can wait: not on datagrams, not non-blocking without overlapped.
  if (flags & C.MSG_WAITALL && (sock.type !== C.SOCK_STREAM || (sock.nonBlocking && !overlapped))) return fail(W.WSAEOPNOTSUPP);
  reenable(sock, flags & C.MSG_OOB ? C.FD_OOB : C.FD_READ);
  if (sock.receiveShutdown) return fail(W.WSAESHUTDOWN);
  if (sock.connectionReset) return fail(W.WSAECONNRESET);
  const request = new ReceiveRequest(sock, list, flags, source, overlapped, message);
  return overlapped ? receiveOverlapped(request, mode, bytesRef, lpFlags!) : receiveNow(request, mode, bytesRef, lpFlags!);
}

/** Without overlapped delivery (or on a socket made without WSA_FLAG_OVERLAPPED): block or fail. */
function receiveNow(request: ReceiveRequest, mode: Mode, bytesRef: Ref<number> | null, lpFlags: Ref<number>): number {
  const { sock } = request;
  for (;;) {
    const got = request.take();
    if (got !== AGAIN) {
      if ('error' in got) return fail(got.error);
      store(bytesRef, got.bytes);
      lpFlags.value = request.outFlags;
      if (got.truncated) return fail(W.WSAEMSGSIZE);
      deliverAtOnce(sock, mode, W.STATUS_SUCCESS, got.bytes);
      return ok(0);
    }
    const refusal = receiveRefusal(sock);
    if (refusal) return fail(refusal);
    // A WSAOVERLAPPED on a socket without WSA_FLAG_OVERLAPPED: the call blocks whatever FIONBIO says.
    if (sock.nonBlocking && mode.ov === null) return fail(W.WSAEWOULDBLOCK);
    const waited = waitIfBlocking(sock, request.events, mode.ov === null ? sock.receiveTimeoutMs : 0);
    if (waited) return fail(waited);
  }
}

function receiveOverlapped(request: ReceiveRequest, mode: Mode, bytesRef: Ref<number> | null, lpFlags: Ref<number>): number {
  const { sock } = request;
  const ov = mode.ov!;
  // Behind receives already waiting, in issue order; else the kernel may have it now.
  if (!hasPending(sock, 'receive')) {
    const got = request.take();
    if (got !== AGAIN) {
      if ('error' in got) return fail(got.error);
      if (got.truncated) {
        // Windows reports an overflowing datagram as a completion (pending first), not at once.
        const op = startPending(sock, ov, mode.routine);
        complete(op, W.STATUS_BUFFER_OVERFLOW, got.bytes);
        return fail(W.WSA_IO_PENDING);
      }
      store(bytesRef, got.bytes);
      lpFlags.value = request.outFlags;
      deliverAtOnce(sock, mode, W.STATUS_SUCCESS, got.bytes);
      // The last error is left as it was (Wine's test_completion_port).
      return 0;
    }
    const refusal = receiveRefusal(sock);
    if (refusal) return fail(refusal);
  }
  const op = startPending(sock, ov, mode.routine);
  op.closeStatus = W.STATUS_CONNECTION_ABORTED;
  request.op = op;
  enqueue(sock, 'receive', request);
  return fail(W.WSA_IO_PENDING);
}
