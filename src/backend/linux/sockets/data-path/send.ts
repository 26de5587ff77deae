/**
 * WSASend and WSASendTo in every calling mode.
 *
 * Windows facts (extension-functions.md §4 and §12; Wine's dlls/ws2_32/tests/sock.c):
 * - the socket is checked before the byte-count pointer; without a WSAOVERLAPPED a NULL byte count
 *   is WSAEFAULT; WSASendTo to a port nobody listens on succeeds and binds the socket
 *   (test_WSASendTo);
 * - an overlapped send on a connected socket usually completes at once and still delivers
 *   (test_completion_port); it completes only when every byte is taken, pending while the send
 *   buffer is full (test_send); sends go out in issue order;
 * - after an RST, WSAECONNRESET at once (test_tcp_reset); after shutdown(SD_SEND), WSAESHUTDOWN;
 * - closesocket with a send pending: it ends with STATUS_CONNECTION_ABORTED, as receives do.
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, WSABUF, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { fail, ok } from '../../win32/last-error.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { complete, startPending } from '../../win32/operations.js';
import { reenable } from '../../win32/event-select.js';
import { L } from '../../host/libc.js';
import { AGAIN, KNOWN_SEND_FLAGS, sendAttempt, sendBlocking, sendDestination } from '../sockets.js';
import { socketFor } from '../lookup.js';
import { callerBuffers, gather, sendChunk, type BufferList } from './buffers.js';
import { checkMode, deliverAtOnce, store, type Mode } from './completion.js';
import { enqueue, hasPending } from './pending.js';

/** MSG_PARTIAL / MSG_PUSH_IMMEDIATE change nothing for TCP / UDP. */
const ACCEPTED_FLAGS = KNOWN_SEND_FLAGS | C.MSG_PARTIAL | C.MSG_PUSH_IMMEDIATE;

type Destination = { addr: Uint8Array; len: number } | null;

export function WSASend(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  return send(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, null, 0, lpOverlapped, lpCompletionRoutine);
}

export function WSASendTo(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpTo: Uint8Array | null, iTolen: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  return send(s, lpBuffers, dwBufferCount, lpNumberOfBytesSent, dwFlags, lpTo, iTolen, lpOverlapped, lpCompletionRoutine);
}

/**
 * What WSASendMsg adds to a send (message.ts): its check once the common ones passed (the socket
 * type, the control records as Linux cmsgs: a Winsock error, or the cmsg bytes, null for none).
 */
export type MessageIn = (sock: LinuxSocket, total: number) => Uint8Array | null | number;

/** The one send: WSASend, WSASendTo (with `lpTo`), and WSASendMsg (with `message`). */
export function send(s: SOCKET, lpBuffers: unknown, dwBufferCount: unknown, bytesRef: Ref<number> | null, dwFlags: number, lpTo: Uint8Array | null, iTolen: number, ov: unknown, routine: unknown, message: MessageIn | null = null): number {
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  const mode = checkMode(sock, bytesRef, ov, routine);
  if (typeof mode === 'number') return fail(mode);
  const list = callerBuffers(lpBuffers, dwBufferCount);
  if (typeof list === 'number') return fail(list);
  const control = message === null ? null : message(sock, list.total);
  if (typeof control === 'number') return fail(control);
  if (typeof dwFlags !== 'number' || !Number.isInteger(dwFlags)) return fail(W.WSAEINVAL);
  if (typeof iTolen !== 'number' || !Number.isInteger(iTolen)) return fail(W.WSAEFAULT);
  const dest = sendDestination(sock, lpTo, iTolen);
  if (typeof dest === 'number') return fail(dest);
  const flags = dwFlags >>> 0;
  if (flags & ~ACCEPTED_FLAGS) return fail(W.WSAEOPNOTSUPP);
  const linuxFlags = flags & KNOWN_SEND_FLAGS;
  if (sock.connectionReset) return fail(W.WSAECONNRESET);
  if (mode.ov !== null && sock.overlapped) return sendOverlapped(sock, list, linuxFlags, dest, mode, bytesRef, control);
  const rc = sendBlocking(sock, gather(list), linuxFlags, dest, control);
  if (rc < 0) return rc;
  store(bytesRef, rc);
  deliverAtOnce(sock, mode, W.STATUS_SUCCESS, rc);
  return ok(0);
}

/**
 * The caller's buffers are read at each try, never copied at issue: a pending send holds them
 * until it completes, and the kernel takes the bytes when the socket is writable (as on Windows).
 * A stream goes out WSABUF by WSABUF from where the last try stopped; a datagram must leave in
 * one piece, so several WSABUFs are gathered at the try that sends it.
 */
function sendOverlapped(sock: LinuxSocket, list: BufferList, flags: number, dest: Destination, mode: Mode, bytesRef: Ref<number> | null, control: Uint8Array | null): number {
  const stream = sock.type === C.SOCK_STREAM;
  let sent = 0;
  // One try now, unless earlier sends wait (they go first); the rest at readiness edges.
  const attempt = (): number | typeof AGAIN => {
    for (;;) {
      const got = sendAttempt(sock, stream ? sendChunk(list, sent) : gather(list), flags, dest, control);
      if (got === AGAIN) return AGAIN;
      if ('error' in got) return -got.error;
      sent += got.bytes;
      if (sent >= list.total || !stream) return sent;
    }
  };
  if (!hasPending(sock, 'send')) {
    const now = attempt();
    if (now !== AGAIN && now < 0) return fail(-now);
    if (now !== AGAIN && (sent >= list.total || !stream)) {
      store(bytesRef, now);
      deliverAtOnce(sock, mode, W.STATUS_SUCCESS, now);
      return ok(0);
    }
    if (now === AGAIN && sent === 0) reenable(sock, C.FD_WRITE);
  }
  const op = startPending(sock, mode.ov!, mode.routine);
  op.closeStatus = W.STATUS_CONNECTION_ABORTED;
  enqueue(sock, 'send', {
    op,
    events: L.POLLOUT,
    attempt: () => {
      const got = attempt();
      if (got === AGAIN) return false;
      if (got < 0) complete(op, W.wsaErrorToNtStatus(-got), sent);
      else if (sent >= list.total || !stream) complete(op, W.STATUS_SUCCESS, sent);
      else return false;
      return true;
    },
  });
  return fail(W.WSA_IO_PENDING);
}
