/**
 * Types shared by the `winsock` surface and both backends: handles, out-parameters, WSAOVERLAPPED,
 * WSADATA, and the completion-routine signature. Names follow the Windows SDK.
 */
import { STATUS_SUCCESS } from '../errors/index.js';

/** A socket handle (`SOCKET` is `UINT_PTR` on Windows; here a number). */
export type SOCKET = number;
/** A kernel handle: an event, a completion port. */
export type HANDLE = number;
/** `WSAEVENT` is a HANDLE. */
export type WSAEVENT = HANDLE;

/** An out-parameter (`LPDWORD`, `int *`, `u_long *`): the callee reads and writes `.value`. */
export interface Ref<T> {
  value: T;
}

/** A caller-owned buffer; its usable size is given separately, as in C. */
export type Buffer_ = Uint8Array | null;

/**
 * WSAOVERLAPPED (32 bytes on x64). `Internal` holds the NTSTATUS (`STATUS_PENDING` = 0x103 while the
 * operation is in flight), `InternalHigh` the bytes transferred. `hEvent` is an event handle or,
 * when a completion routine is used, free for the caller.
 */
export class WSAOVERLAPPED {
  Internal = STATUS_SUCCESS;
  InternalHigh = 0;
  Offset = 0;
  OffsetHigh = 0;
  hEvent: HANDLE = 0;
  /** A caller-chosen value, never touched by Winsock (convenient with completion routines). */
  context?: unknown;
  constructor(hEvent: HANDLE = 0) {
    this.hEvent = hEvent;
  }
}
export type OVERLAPPED = WSAOVERLAPPED;

/** `void CALLBACK CompletionRoutine(DWORD dwError, DWORD cbTransferred, LPWSAOVERLAPPED, DWORD dwFlags)` */
export type LPWSAOVERLAPPED_COMPLETION_ROUTINE = (
  dwError: number,
  cbTransferred: number,
  lpOverlapped: WSAOVERLAPPED,
  dwFlags: number,
) => void;

/** WSADATA as WSAStartup fills it. */
export interface WSADATA {
  wVersion: number;
  wHighVersion: number;
  szDescription: string;
  szSystemStatus: string;
  iMaxSockets: number;
  iMaxUdpDg: number;
}

/** A fresh WSADATA to pass to WSAStartup. */
export function newWSADATA(): WSADATA {
  return { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 };
}

/** WSANETWORKEVENTS as WSAEnumNetworkEvents fills it: the FD_* bits seen and one error per bit. */
export interface WSANETWORKEVENTS {
  lNetworkEvents: number;
  /** FD_MAX_EVENTS (10) entries, indexed by FD_*_BIT. */
  iErrorCode: number[];
}

/** A fresh WSANETWORKEVENTS to pass to WSAEnumNetworkEvents. */
export function newWSANETWORKEVENTS(): WSANETWORKEVENTS {
  return { lNetworkEvents: 0, iErrorCode: new Array<number>(10).fill(0) };
}

/**
 * WSABUF (16 bytes on x64: `len` ULONG, `buf` CHAR *): one piece of a scatter / gather list. `buf`
 * is the caller's memory itself: a receive writes into it (at completion, for an overlapped one),
 * a send reads from it; `len` bytes of it count. NULL is allowed with `len` 0, as in C.
 */
export interface WSABUF {
  len: number;
  buf: Uint8Array | null;
}

/**
 * Windows' fd_set: a count and an array of SOCKETs (not a bit mask, as on Unix), at most FD_SETSIZE (64). Start with
 * `{ fd_count: 0, fd_array: [] }` and change it with FD_SET / FD_CLR / FD_ZERO (fd-set.ts), as C
 * does with the macros; select() keeps only the ready sockets in it.
 */
export interface fd_set {
  fd_count: number;
  fd_array: SOCKET[];
}

/** struct timeval as select() takes it; null waits forever. */
export interface TIMEVAL {
  tv_sec: number;
  tv_usec: number;
}

/** WSAPOLLFD: the socket, the POLL* events asked for, the POLL* events WSAPoll found. */
export interface WSAPOLLFD {
  fd: SOCKET;
  events: number;
  revents: number;
}

/** An IP endpoint as Node reports it (`socket.address()`, `remoteAddress` / `remotePort`). */
export interface NodeEndpoint {
  address: string;
  port: number;
}

/**
 * What a Node socket says about itself, for `adoptNodeHandle` on a backend where Node does not
 * expose the socket's handle (Windows): the backend finds the one SOCKET of the process with these
 * addresses. `remote` is null when the socket is not connected; `listening` marks a net.Server.
 */
export interface NodeSocketView {
  local: NodeEndpoint;
  remote: NodeEndpoint | null;
  listening: boolean;
}

/** What `queryDefaultGateway` answers: the next hop as a Windows sockaddr and the interface to it. */
export interface DefaultGateway {
  sockaddr: Uint8Array;
  interfaceIndex: number;
}
