/**
 * fromNodeSocket: a Winsock SOCKET for a socket that Node owns (net.Socket, tls.TLSSocket,
 * net.Server, dgram.Socket). The SOCKET is *borrowed* (docs/principles.md, principle 3): its fd is looked up
 * again through the Node object on every call, FIONBIO on it is a Winsock flag only, closesocket
 * only detaches it, and nothing reads its data.
 */
import type { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as ws from '../winsock/index.js';
import { WinsockError } from './errors.js';
import { ensureStarted, restart } from './core.js';

/** The Node sockets fromNodeSocket accepts (tls.TLSSocket is a net.Socket). */
export type NodeSocket = net.Socket | net.Server | dgram.Socket;
/** A Node socket or a Winsock SOCKET (from `fromNodeSocket`, `socket`, `accept`, ...). */
export type SocketLike = NodeSocket | ws.SOCKET;

/** The libuv handle wrapper Node keeps in `_handle` / the dgram state: `fd` is its host fd. */
interface UvHandle {
  fd?: unknown;
  constructor?: { name?: string };
}

type Kind = 'stream' | 'server' | 'dgram';

interface Located {
  kind: Kind;
  /** The handle the Node object holds now (null once it is closed or before it has one). */
  current(): UvHandle | null;
}

const SYSCALL = 'fromNodeSocket';

function invalidArgument(value: unknown): TypeError {
  const what = value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  return Object.assign(
    new TypeError(`expected a net.Socket, tls.TLSSocket, net.Server, dgram.Socket or SOCKET number, got ${what}`),
    { code: 'ERR_INVALID_ARG_TYPE' },
  );
}

/**
 * The symbol-keyed state object of a dgram.Socket that holds its `handle` (Node 12+ keep it
 * behind `Symbol('state symbol')`); older versions kept `_handle` on the socket itself.
 */
function dgramState(sock: dgram.Socket): { readonly handle: unknown } | null {
  const record = sock as unknown as Record<symbol | string, unknown>;
  const candidates: Array<{ handle: unknown }> = [];
  for (const symbol of Object.getOwnPropertySymbols(sock)) {
    const value = record[symbol];
    if (value !== null && typeof value === 'object' && 'handle' in value) {
      // Prefer the one Node names; any other object holding `handle` will do.
      if (symbol.description === 'state symbol') return value as { handle: unknown };
      candidates.push(value as { handle: unknown });
    }
  }
  if (candidates.length > 0) return candidates[0]!;
  // Older Node: `_handle` on the socket itself. In newer ones `_handle` is a deprecated accessor
  // into the state object, which throws when that is missing: probe it once, guarded.
  try {
    if (own(sock, '_handle') || asHandle(record._handle)) return { get handle() { return guardedRead(() => record._handle); } };
  } catch {
    // fall through: the handle is hidden
  }
  return null;
}

const asHandle = (value: unknown): UvHandle | null => (value !== null && typeof value === 'object' ? value as UvHandle : null);
const own = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** Read a Node internal that may be an accessor; anything thrown means "no handle". */
function guardedRead(read: () => unknown): UvHandle | null {
  try {
    return asHandle(read());
  } catch {
    return null;
  }
}

function locate(sock: unknown): Located {
  if (sock instanceof net.Socket) {
    return { kind: 'stream', current: () => guardedRead(() => (sock as unknown as { _handle: unknown })._handle) };
  }
  if (sock instanceof net.Server) {
    return { kind: 'server', current: () => guardedRead(() => (sock as unknown as { _handle: unknown })._handle) };
  }
  if (sock instanceof dgram.Socket) {
    const state = dgramState(sock);
    if (!state) {
      throw new WinsockError(ws.WSAEOPNOTSUPP, SYSCALL,
        `this Node version (${process.version}) hides the dgram.Socket handle: no symbol-keyed state object holding 'handle' was found`);
    }
    return { kind: 'dgram', current: () => guardedRead(() => state.handle) };
  }
  throw invalidArgument(sock);
}

/** Why a Node socket has no host fd right now. */
function noFdReason(sock: NodeSocket, kind: Kind, handle: UvHandle | null): string {
  if (kind === 'dgram') {
    return handle
      ? 'the dgram.Socket has no OS socket before bind() has completed (wait for \'listening\')'
      : 'the dgram.Socket is closed';
  }
  if (kind === 'server') {
    return handle ? 'the net.Server has no OS socket yet' : 'the net.Server is not listening (wait for \'listening\') or is closed';
  }
  const stream = sock as net.Socket;
  if (stream.destroyed) return 'the net.Socket is closed';
  return 'the net.Socket is not connected yet (wait for \'connect\')';
}

/** The host fd of a handle (Node's `fd` getter), or -1; a getter that throws counts as closed. */
function fdOf(handle: UvHandle | null): number {
  let fd: unknown;
  try {
    fd = handle?.fd;
  } catch {
    return -1;
  }
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}

/** SOCKETs made for each Node object, detached when it emits 'close'. */
const adopted = new WeakMap<object, Set<ws.SOCKET>>();

function detachAll(set: Set<ws.SOCKET>): void {
  // closesocket here runs inside Node's 'close' event: keep the caller's last error as it was.
  const saved = ws.WSAGetLastError();
  for (const s of set) ws.closesocket(s);
  set.clear();
  ws.WSASetLastError(saved);
}

function track(sock: NodeSocket, s: ws.SOCKET): void {
  let set = adopted.get(sock);
  if (!set) {
    const fresh = new Set<ws.SOCKET>();
    adopted.set(sock, fresh);
    (sock as EventEmitter).once('close', () => detachAll(fresh));
    set = fresh;
  }
  set.add(s);
}

/** Node reports fd -1 for its sockets on Windows: there they are found by their addresses. */
const BY_ADDRESS = ws.backendName === 'windows-ws2_32';

const endpoint = (address: unknown, port: unknown): ws.NodeEndpoint | null =>
  typeof address === 'string' && typeof port === 'number' ? { address, port } : null;

/** What the Node object reports about its socket now (addresses), or null when it has none. */
function viewOf(sock: NodeSocket, kind: Kind): ws.NodeSocketView | null {
  if (kind === 'server') {
    const local = (sock as net.Server).address();
    return local !== null && typeof local === 'object' ? { local: endpoint(local.address, local.port)!, remote: null, listening: true } : null;
  }
  if (kind === 'stream') {
    const stream = sock as net.Socket;
    const local = stream.address() as Partial<net.AddressInfo>;
    const remote = endpoint(stream.remoteAddress, stream.remotePort);
    const here = endpoint(local.address, local.port);
    return here && remote ? { local: here, remote, listening: false } : null;
  }
  const datagram = sock as dgram.Socket;
  let local: net.AddressInfo;
  try {
    local = datagram.address();
  } catch {
    return null; // not bound (ERR_SOCKET_DGRAM_NOT_RUNNING)
  }
  let remote: ws.NodeEndpoint | null = null;
  try {
    const peer = datagram.remoteAddress();
    remote = endpoint(peer.address, peer.port);
  } catch {
    // not connected (ERR_SOCKET_DGRAM_NOT_CONNECTED)
  }
  return { local: { address: local.address, port: local.port }, remote, listening: false };
}

/** Why the Windows backend found no single socket for the Node object. */
function notFoundReason(error: number): string | undefined {
  if (error === ws.WSAENOTSOCK) return 'no socket handle of this process has the addresses the Node socket reports';
  if (error === ws.WSAETOOMANYREFS) {
    return 'more than one socket handle of this process has the addresses the Node socket reports '
      + '(e.g. sockets sharing an address with reuseAddr): refusing to guess';
  }
  if (error === ws.WSAEOPNOTSUPP) return 'the process\'s handle list (NtQuerySystemInformation) is not available';
  return undefined;
}

function adopt(sock: NodeSocket): { s: ws.SOCKET; handle: UvHandle } {
  const { kind, current } = locate(sock);
  ensureStarted();
  const handle = current();
  const usable = BY_ADDRESS ? handle !== null && viewOf(sock, kind) !== null : fdOf(handle) >= 0;
  if (!usable) throw new WinsockError(ws.WSAENOTSOCK, SYSCALL, noFdReason(sock, kind, handle));
  // The fd is resolved through the Node object on every call: once Node closes the socket (or
  // gives the object another handle) the SOCKET answers WSAENOTSOCK, whatever reuses the number.
  const resolveFd = (): number => {
    const now = current();
    return now === handle ? fdOf(now) : -1;
  };
  // Windows: the same check through what the Node object reports (the backend compares it with
  // the socket handle's own addresses before each use).
  const identify = (): ws.NodeSocketView | null => (current() === handle ? viewOf(sock, kind) : null);
  const type = kind === 'dgram' ? ws.SOCK_DGRAM : ws.SOCK_STREAM;
  const protocol = kind === 'dgram' ? ws.IPPROTO_UDP : ws.IPPROTO_TCP;
  let s = ws.adoptNodeHandle(resolveFd, ws.AF_UNSPEC, type, protocol, identify);
  if (s === ws.INVALID_SOCKET && ws.WSAGetLastError() === ws.WSANOTINITIALISED) {
    restart();
    s = ws.adoptNodeHandle(resolveFd, ws.AF_UNSPEC, type, protocol, identify);
  }
  if (s === ws.INVALID_SOCKET) {
    const error = ws.WSAGetLastError();
    const name = handle?.constructor?.name;
    throw new WinsockError(error, SYSCALL,
      error === ws.WSAEAFNOSUPPORT ? `only IPv4 / IPv6 sockets can be adopted${name ? ` (this one is a ${name})` : ''}`
        : BY_ADDRESS ? notFoundReason(error) : undefined);
  }
  track(sock, s);
  return { s, handle: handle! };
}

/**
 * A Winsock SOCKET for a Node socket, usable with every `wsaioctl/winsock` function.
 *
 * Accepts a connected `net.Socket` or `tls.TLSSocket`, a listening `net.Server`, or a bound
 * `dgram.Socket`. The SOCKET is borrowed from Node (docs/principles.md, principle 3):
 * - its fd is looked up again through the Node object on every call, so once Node closes the
 *   socket every call fails with WSAENOTSOCK, even if a new socket reuses the fd number;
 * - its Winsock mode starts non-blocking (as libuv sets it on Windows), and FIONBIO only changes
 *   that Winsock flag: the host fd's O_NONBLOCK is never touched;
 * - `closesocket` detaches it and leaves Node's socket open; it is detached by itself when the
 *   Node socket emits 'close';
 * - no friendly function reads its data (recv on it would take bytes away from Node: avoid it).
 *
 * Each call returns a new SOCKET. Throws WinsockError: WSAENOTSOCK when the Node socket has no OS
 * socket (a dgram.Socket before bind, a net.Socket not yet connected, anything closed),
 * WSAEAFNOSUPPORT for a Node pipe, WSAEOPNOTSUPP when this Node version hides a dgram handle.
 * TypeError for anything else.
 *
 * On Windows Node reports no handle (fd -1): the SOCKET is the one socket handle of the process
 * whose type and addresses (getsockname / getpeername, listening or not) are those the Node object
 * reports; it is checked again before every use. WSAETOOMANYREFS when more than one handle has
 * them (sockets sharing an address with `reuseAddr`): it never acts on a socket it cannot tell apart.
 */
export function fromNodeSocket(sock: NodeSocket): ws.SOCKET {
  return adopt(sock).s;
}

/** One SOCKET per Node object for the friendly functions; the caller never sees it. */
const internal = new WeakMap<object, { handle: UvHandle; s: ws.SOCKET }>();

/**
 * The SOCKET the friendly functions use for `sock`: a SOCKET number as it is, else a cached
 * borrowed SOCKET for the Node object (made again if Node gave the object a new handle).
 */
export function socketOf(sock: SocketLike): ws.SOCKET {
  if (typeof sock === 'number') {
    ensureStarted();
    return sock;
  }
  const cached = internal.get(sock);
  if (cached && locate(sock).current() === cached.handle) return cached.s;
  const made = adopt(sock);
  internal.set(sock, made);
  return made.s;
}

/** Drop the cached SOCKET of `sock` (after WSACleanup closed it behind our back). */
export function forgetSocket(sock: SocketLike): void {
  if (typeof sock !== 'number') internal.delete(sock);
}
