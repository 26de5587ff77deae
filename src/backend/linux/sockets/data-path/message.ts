/**
 * WSARecvMsg and WSASendMsg: the WSAMSG read and checked, then the one receive (receive.ts) and
 * the one send (send.ts) with control data (control-messages.ts), in every calling mode.
 *
 * Windows facts (extension-functions.md §10, §11, §17 items 45-56; Wine's dlls/ws2_32/tests/sock.c
 * test_ip_pktinfo, test_ipv4_cmsg, test_ipv6_cmsg, test_WSASendMsg; Microsoft's LPFN_WSARECVMSG and
 * WSASendMsg pages):
 * - `lpMsg` NULL: WSAEFAULT, for both (test_ip_pktinfo, test_WSASendMsg), before the socket is
 *   looked at; a bad socket with a valid WSAMSG: WSAENOTSOCK (test_WSASendMsg);
 * - `name` NULL with a non-zero `namelen`, `Control.buf` NULL with a non-zero `Control.len`:
 *   WSAEFAULT (the LPFN_WSARECVMSG page); `Control.buf` NULL with `Control.len` 0 is fine
 *   (test_ip_pktinfo);
 * - WSARecvMsg's `dwFlags` is its lpFlags (MSG_PEEK in); on the way out MSG_TRUNC / MSG_CTRUNC;
 *   `Control.len` becomes the bytes of records (24 for one IN_PKTINFO), unchanged while pending;
 *   `namelen` the sender's address length (test_ip_pktinfo);
 * - control data that does not fit: WSAEMSGSIZE with MSG_CTRUNC and the byte count; overlapped,
 *   a completion with STATUS_BUFFER_OVERFLOW (test_ip_pktinfo) — receive.ts's truncation path;
 * - WSASendMsg: a NULL byte count without an OVERLAPPED is WSAEFAULT, and the socket is bound all
 *   the same (todo_wine); a NULL WSAMSG does not bind it; an unbound UDP socket is
 *   bound and the buffers leave as one datagram; a stream socket is WSAEINVAL (test_WSASendMsg);
 *   its `dwFlags` take MSG_DONTROUTE / MSG_PARTIAL / MSG_OOB, WSAMSG.dwFlags is ignored; an
 *   IN_PKTINFO / IN6_PKTINFO record picks the source address (WSASendMsg page).
 * Not from a Windows test: WSARecvMsg on a stream socket fails with WSAEINVAL here (the
 * documentation restricts it to datagram and raw sockets; WSASendMsg's error is WSAEINVAL).
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, SOCKET, WSAMSG, WSAOVERLAPPED } from '../../../../winsock/types.js';
import { callerBuffer } from '../../../../winsock/arguments.js';
import { fail } from '../../win32/last-error.js';
import { MESSAGE_PAYLOAD_MAX } from '../../host/msghdr.js';
import { socketFor } from '../lookup.js';
import { bind } from '../sockets.js';
import { isBound } from '../../host/socket-facts.js';
import { sockaddr } from '../../../../structs/sockaddr.js';
import { linuxControlFor } from '../control-messages.js';
import { receive, type MessageOut } from './receive.js';
import { send } from './send.js';

/** The WSAMSG's fields, read once (a throwing getter is C's unreadable memory: null). */
interface MessageFields {
  readonly msg: WSAMSG;
  readonly name: Uint8Array | null;
  readonly namelen: number;
  readonly lpBuffers: unknown;
  readonly dwBufferCount: unknown;
  /** Control.buf cut to Control.len. */
  readonly control: Uint8Array;
  readonly controlObject: { len: number };
}

/** The WSAMSG, checked: its fields, or the Winsock error (WSAEFAULT). */
function readMessage(lpMsg: unknown): MessageFields | number {
  if (lpMsg === null || typeof lpMsg !== 'object') return W.WSAEFAULT;
  try {
    const msg = lpMsg as WSAMSG;
    const { name, namelen, lpBuffers, dwBufferCount, Control } = msg;
    if (typeof namelen !== 'number' || !Number.isInteger(namelen)) return W.WSAEFAULT;
    if (name === null || name === undefined) {
      if (namelen !== 0) return W.WSAEFAULT;
    } else if (callerBuffer(name, Math.max(0, namelen)) === null) {
      return W.WSAEFAULT;
    }
    if (Control === null || typeof Control !== 'object') return W.WSAEFAULT;
    const { len, buf } = Control;
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 0 || len > 0xffffffff) return W.WSAEFAULT;
    const control = callerBuffer(buf, len);
    if (control === null) return W.WSAEFAULT;
    return { msg, name: name ?? null, namelen, lpBuffers, dwBufferCount, control, controlObject: Control };
  } catch {
    return W.WSAEFAULT;
  }
}

/** A WSAMSG field as an in/out parameter (a Ref), for the receive that writes it. */
function fieldRef(target: object, key: string): Ref<number> {
  const t = target as Record<string, number>;
  return {
    get value(): number {
      return t[key]!;
    },
    set value(v: number) {
      t[key] = v;
    },
  };
}

/** Write a field at completion; a WSAMSG made unwritable meanwhile just loses it. */
function tryStore(target: object, key: string, value: number): void {
  try {
    (target as Record<string, number>)[key] = value;
  } catch {
    // C's caller freed the WSAMSG before completion; there is nothing to write to.
  }
}

export function WSARecvMsg(s: SOCKET, lpMsg: WSAMSG | null, lpdwNumberOfBytesRecvd: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  const fields = readMessage(lpMsg);
  if (typeof fields === 'number') return fail(fields);
  const sock = socketFor(s);
  if (typeof sock === 'number') return fail(sock);
  if (sock.type === C.SOCK_STREAM) return fail(W.WSAEINVAL);
  const { msg, controlObject } = fields;
  // Control.len and dwFlags are written when the data is taken, so both must be writable now.
  const controlLen = fieldRef(controlObject, 'len');
  try {
    controlLen.value = controlObject.len;
  } catch {
    return fail(W.WSAEFAULT);
  }
  const message: MessageOut = {
    control: fields.control,
    finish(length, flags) {
      tryStore(controlObject, 'len', length);
      tryStore(msg, 'dwFlags', flags);
    },
  };
  const namelen = fields.name === null ? null : fieldRef(msg, 'namelen');
  return receive(s, fields.lpBuffers, fields.dwBufferCount, lpdwNumberOfBytesRecvd, fieldRef(msg, 'dwFlags'), fields.name, namelen, lpOverlapped, lpCompletionRoutine, message);
}

/**
 * A WSASendMsg that will fail for its NULL byte count still binds an unbound datagram socket first,
 * as Windows does (test_WSASendMsg: getsockname succeeds afterwards; todo_wine).
 */
function bindBeforeFault(s: SOCKET): void {
  const sock = socketFor(s);
  if (typeof sock === 'number' || sock.type === C.SOCK_STREAM || isBound(sock.fd)) return;
  const any = sockaddr(sock.af === C.AF_INET6 ? '::' : '0.0.0.0', 0);
  bind(s, any, any.length);
}

export function WSASendMsg(Handle: SOCKET, lpMsg: WSAMSG | null, dwFlags: number, lpNumberOfBytesSent: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number {
  const fields = readMessage(lpMsg);
  if (typeof fields === 'number') return fail(fields);
  if (lpNumberOfBytesSent == null && lpOverlapped == null) bindBeforeFault(Handle);
  const to = fields.name;
  return send(Handle, fields.lpBuffers, fields.dwBufferCount, lpNumberOfBytesSent, dwFlags, to, to === null ? 0 : fields.namelen, lpOverlapped, lpCompletionRoutine, (sock, total) => {
    if (sock.type === C.SOCK_STREAM) return W.WSAEINVAL;
    if (fields.control.length === 0) return null;
    const control = linuxControlFor(sock, fields.control);
    if (typeof control === 'number') return control;
    if (control.length === 0) return null;
    // One sendmsg carries at most a whole UDP datagram (host/msghdr.ts).
    return total > MESSAGE_PAYLOAD_MAX ? W.WSAEMSGSIZE : control;
  });
}
