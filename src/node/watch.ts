/**
 * Change notifications as async iterables: an overlapped WSAIoctl for the change code, awaited
 * with WSAGetOverlappedResultAsync (never blocks the event loop), then the fresh value. The next
 * request is issued *before* the value is read, so a change between two reads is never missed.
 * Breaking out of the loop, or aborting the signal, cancels the pending request (CancelIoEx) and
 * closes what the watcher opened.
 */
import * as ws from '../winsock/index.js';
import { WinsockError } from './errors.js';
import { ensureStarted, familyOf, ioctlSyscall, lastError, restart } from './core.js';
import { fromNodeSocket, type NodeSocket } from './adopt.js';
import { addressesOn, routeOn, sockaddrFor, type NetAddress } from './host.js';
import { idealSendBacklog } from './controls.js';

/** Options of the watch* async iterators. */
export interface WatchOptions {
  /** Stops the watcher: the loop ends with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
  /** Yield the current value first, before any change (default true). */
  initial?: boolean;
}

/** Errors that mean "the route is gone" rather than "the query failed". */
const NO_ROUTE = new Set<number>([ws.WSAENETUNREACH, ws.WSAEHOSTUNREACH, ws.WSAENETDOWN]);

/**
 * The watcher loop over one SOCKET. `read` gives the value to yield; `release` closes the SOCKET
 * (or detaches it) when the loop ends, however it ends.
 */
async function* watchLoop<T>(
  s: ws.SOCKET,
  code: number,
  input: Uint8Array | null,
  read: () => T,
  release: () => void,
  options: WatchOptions,
): AsyncGenerator<T, void, undefined> {
  const { signal, initial = true } = options;
  const event = ws.WSACreateEvent();
  if (event === ws.WSA_INVALID_EVENT) {
    release();
    throw lastError('WSACreateEvent');
  }
  let pending: ws.WSAOVERLAPPED | null = null;
  const cancel = () => { if (pending) ws.CancelIoEx(s, pending); };
  signal?.addEventListener('abort', cancel);
  try {
    for (let first = true; ; first = false) {
      signal?.throwIfAborted();
      ws.WSAResetEvent(event);
      const overlapped = new ws.WSAOVERLAPPED(event);
      const bytes: ws.Ref<number> = { value: 0 };
      const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, null, 0, bytes, overlapped, null);
      if (rc !== 0 && ws.WSAGetLastError() !== ws.WSA_IO_PENDING) throw lastError(ioctlSyscall(code));
      pending = overlapped;
      if (first && initial) yield read();
      signal?.throwIfAborted();
      const transferred: ws.Ref<number> = { value: 0 };
      const flags: ws.Ref<number> = { value: 0 };
      const completed = await ws.WSAGetOverlappedResultAsync(s, overlapped, transferred, true, flags);
      pending = null;
      if (!completed) {
        const error = ws.WSAGetLastError();
        signal?.throwIfAborted();
        throw new WinsockError(error, ioctlSyscall(code));
      }
      yield read();
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (pending) {
      // The loop was left with a request in flight: cancel it and let it complete before closing.
      ws.CancelIoEx(s, pending);
      await ws.WSAGetOverlappedResultAsync(s, pending, { value: 0 }, true, { value: 0 });
    }
    ws.WSACloseEvent(event);
    release();
  }
}

/** A temporary UDP socket of `af` (socket() makes it overlapped-capable); the caller closes it. */
function openTemporary(af: number): ws.SOCKET {
  ensureStarted();
  let s = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  if (s === ws.INVALID_SOCKET && ws.WSAGetLastError() === ws.WSANOTINITIALISED) {
    restart();
    s = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  }
  if (s === ws.INVALID_SOCKET) throw lastError('socket');
  return s;
}

/**
 * The host's address list of one family, again after every change: **SIO_ADDRESS_LIST_CHANGE**
 * (overlapped, on a temporary UDP socket), each change answered with the list from
 * **SIO_ADDRESS_LIST_QUERY**.
 *
 * - Windows: ws2_32 (needs the Windows backend's overlapped support).
 * - Linux: one shared rtnetlink watcher for every pending request (RTM_NEWADDR / RTM_DELADDR).
 *
 * ```js
 * for await (const list of watchAddresses('IPv4', { signal })) console.log(list);
 * ```
 * Yields the current list first unless `initial: false`. Keeps the process alive while it waits.
 */
export function watchAddresses(family: 'IPv4' | 'IPv6' | 4 | 6 = 'IPv4', options: WatchOptions = {}): AsyncGenerator<NetAddress[], void, undefined> {
  const af = familyOf(family);
  return (async function* () {
    const s = openTemporary(af);
    yield* watchLoop(s, ws.SIO_ADDRESS_LIST_CHANGE, null, () => addressesOn(s), () => ws.closesocket(s), options);
  })();
}

/**
 * The local address used to reach `destination`, again after every routing change:
 * **SIO_ROUTING_INTERFACE_CHANGE** (overlapped, on a temporary UDP socket of the destination's
 * family), each change answered with **SIO_ROUTING_INTERFACE_QUERY**. Yields `null` while no route
 * leads there (WSAENETUNREACH / WSAEHOSTUNREACH / WSAENETDOWN).
 *
 * - Windows: ws2_32 (needs the Windows backend's overlapped support).
 * - Linux: the shared rtnetlink watcher (RTM_NEWROUTE / RTM_DELROUTE and address changes).
 *
 * Yields the current answer first unless `initial: false`.
 */
export function watchRoute(destination: string, options: WatchOptions = {}): AsyncGenerator<NetAddress | null, void, undefined> {
  const sa = sockaddrFor(destination, 0);
  const af = new DataView(sa.buffer, sa.byteOffset, 2).getUint16(0, true);
  return (async function* () {
    const s = openTemporary(af);
    const read = (): NetAddress | null => {
      try {
        return routeOn(s, sa);
      } catch (error) {
        if (error instanceof WinsockError && NO_ROUTE.has(error.errno)) return null;
        throw error;
      }
    };
    yield* watchLoop(s, ws.SIO_ROUTING_INTERFACE_CHANGE, sa, read, () => ws.closesocket(s), options);
  })();
}

/**
 * A connection's ideal send backlog, again after every change: **SIO_IDEAL_SEND_BACKLOG_CHANGE**
 * (overlapped, on a SOCKET borrowed from the Node socket), each change answered with
 * **SIO_IDEAL_SEND_BACKLOG_QUERY**. The loop ends (without error) when the connection's send side
 * shuts down or the socket closes.
 *
 * - Windows: ws2_32 (not reachable from Node there: fromNodeSocket is not available on Windows).
 * - Linux: the emulation, from tcp_info changes.
 *
 * Yields the current value first unless `initial: false`.
 */
export function watchSendBacklog(sock: NodeSocket, options: WatchOptions = {}): AsyncGenerator<number, void, undefined> {
  return (async function* () {
    const s = fromNodeSocket(sock);
    try {
      yield* watchLoop(s, ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, null, () => idealSendBacklog(s), () => ws.closesocket(s), options);
    } catch (error) {
      // Windows ends a pending change request this way when the connection goes away.
      if (error instanceof WinsockError && ENDED.has(error.errno)) return;
      throw error;
    }
  })();
}

const ENDED = new Set<number>([ws.WSAEINTR, ws.WSA_OPERATION_ABORTED, ws.WSAENOTSOCK, ws.WSAECONNRESET, ws.WSAECONNABORTED, ws.WSAENOTCONN, ws.WSAESHUTDOWN]);
