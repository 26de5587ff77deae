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
  /** What the pointer points at: read on the way in, written on the way out. */
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
  /** The operation's NTSTATUS (STATUS_PENDING while it is in flight). */
  Internal = STATUS_SUCCESS;
  /** Bytes transferred. */
  InternalHigh = 0;
  /** File offset (low half); unused by sockets. */
  Offset = 0;
  /** File offset (high half); unused by sockets. */
  OffsetHigh = 0;
  /** The event signalled at completion, or the caller's own value with a completion routine. */
  hEvent: HANDLE = 0;
  /** A caller-chosen value, never touched by Winsock (convenient with completion routines). */
  context?: unknown;
  /** A zeroed WSAOVERLAPPED, with `hEvent` set. */
  constructor(hEvent: HANDLE = 0) {
    this.hEvent = hEvent;
  }
}
/** kernel32's name for WSAOVERLAPPED (the same layout). */
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
  /** The version the caller should use (MAKEWORD form: low byte major). */
  wVersion: number;
  /** The highest version this implementation supports. */
  wHighVersion: number;
  /** A description of the implementation. */
  szDescription: string;
  /** Status or configuration text. */
  szSystemStatus: string;
  /** Obsolete since Winsock 2 (0 for version 2 and later). */
  iMaxSockets: number;
  /** Obsolete since Winsock 2 (0 for version 2 and later). */
  iMaxUdpDg: number;
}

/** A fresh WSADATA to pass to WSAStartup. @group Struct codecs */
export function newWSADATA(): WSADATA {
  return { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 };
}

/** WSANETWORKEVENTS as WSAEnumNetworkEvents fills it: the FD_* bits seen and one error per bit. */
export interface WSANETWORKEVENTS {
  /** The FD_* bits of the events recorded since the last call. */
  lNetworkEvents: number;
  /** FD_MAX_EVENTS (10) entries, indexed by FD_*_BIT. */
  iErrorCode: number[];
}

/** A fresh WSANETWORKEVENTS to pass to WSAEnumNetworkEvents. @group Struct codecs */
export function newWSANETWORKEVENTS(): WSANETWORKEVENTS {
  return { lNetworkEvents: 0, iErrorCode: new Array<number>(10).fill(0) };
}

/**
 * WSABUF (16 bytes on x64: `len` ULONG, `buf` CHAR *): one piece of a scatter / gather list. `buf`
 * is the caller's memory itself: a receive writes into it (at completion, for an overlapped one),
 * a send reads from it; `len` bytes of it count. NULL is allowed with `len` 0, as in C.
 */
export interface WSABUF {
  /** How many bytes of `buf` count. */
  len: number;
  /** The caller's memory. */
  buf: Uint8Array | null;
}

/**
 * WSAMSG (56 bytes on x64), what WSARecvMsg fills and WSASendMsg sends: `name` is a sockaddr
 * (SOCKADDR_IN / SOCKADDR_IN6 bytes) or null, `namelen` its size (a receive writes back the
 * sender's address length); `lpBuffers` / `dwBufferCount` the data, as WSARecv / WSASend take them;
 * `Control` the control-data buffer (a receive writes back `Control.len`, the bytes of records it
 * produced: walk them with the WSA_CMSG_* helpers); `dwFlags` the flags (a receive writes back
 * MSG_TRUNC / MSG_CTRUNC / MSG_BCAST / MSG_MCAST). An overlapped WSARecvMsg writes these fields
 * when it completes, so the object must be kept until then, as in C.
 */
export interface WSAMSG {
  /** The peer's address: the destination of a send, the sender of a receive (null: none). */
  name: Uint8Array | null;
  /** Bytes of `name`; a receive writes back the length of the address it stored. */
  namelen: number;
  /** The data buffers. */
  lpBuffers: WSABUF[] | null;
  /** How many entries of `lpBuffers` count. */
  dwBufferCount: number;
  /** Control data (ancillary records); a receive writes back `len`. */
  Control: WSABUF;
  /** Flags: MSG_PEEK on a receive's way in, MSG_TRUNC / MSG_CTRUNC ... on its way out. */
  dwFlags: number;
}

/**
 * Windows' fd_set: a count and an array of SOCKETs (not a bit mask, as on Unix), at most FD_SETSIZE (64). Start with
 * `{ fd_count: 0, fd_array: [] }` and change it with FD_SET / FD_CLR / FD_ZERO (fd-set.ts), as C
 * does with the macros; select() keeps only the ready sockets in it.
 */
export interface fd_set {
  /** How many entries of `fd_array` count. */
  fd_count: number;
  /** The sockets. */
  fd_array: SOCKET[];
}

/** struct timeval as select() takes it; null waits forever. */
export interface TIMEVAL {
  /** Seconds. */
  tv_sec: number;
  /** Microseconds. */
  tv_usec: number;
}

/** WSAPOLLFD: the socket, the POLL* events asked for, the POLL* events WSAPoll found. */
export interface WSAPOLLFD {
  /** The socket (a negative value is skipped). */
  fd: SOCKET;
  /** The POLL* events asked for. */
  events: number;
  /** The POLL* events found, written by WSAPoll. */
  revents: number;
}

/** An IP endpoint as Node reports it (`socket.address()`, `remoteAddress` / `remotePort`). */
export interface NodeEndpoint {
  /** Address text. */
  address: string;
  /** Port, host order. */
  port: number;
}

/**
 * What a Node socket says about itself, for `adoptNodeHandle` on a backend where Node does not
 * expose the socket's handle (Windows): the backend finds the one SOCKET of the process with these
 * addresses. `remote` is null when the socket is not connected; `listening` marks a net.Server.
 */
export interface NodeSocketView {
  /** The local address and port. */
  local: NodeEndpoint;
  /** The peer's, or null when not connected. */
  remote: NodeEndpoint | null;
  /** True for a listening net.Server. */
  listening: boolean;
}

/** What `queryDefaultGateway` answers: the next hop as a Windows sockaddr and the interface to it. */
export interface DefaultGateway {
  /** The gateway's address: SOCKADDR_IN / SOCKADDR_IN6 bytes. */
  sockaddr: Uint8Array;
  /** Index of the interface the route leaves by. */
  interfaceIndex: number;
}

/**
 * TRANSMIT_FILE_BUFFERS (32 bytes on x64: `Head` @0, `HeadLength` @8, `Tail` @16, `TailLength`
 * @24): data TransmitFile sends before and after the file. A buffer may be null with its length 0.
 */
export interface TRANSMIT_FILE_BUFFERS {
  /** Sent before the file. */
  Head: Uint8Array | null;
  /** How many bytes of `Head` count. */
  HeadLength: number;
  /** Sent after the file. */
  Tail: Uint8Array | null;
  /** How many bytes of `Tail` count. */
  TailLength: number;
}

/**
 * TRANSMIT_PACKETS_ELEMENT (24 bytes on x64: `dwElFlags` @0, `cLength` @4, then a union of
 * `nFileOffset` @8 + `hFile` @16, or `pBuffer` @8): one element of TransmitPackets' array.
 * TP_ELEMENT_MEMORY sends `cLength` bytes of `pBuffer`; TP_ELEMENT_FILE sends `cLength` bytes of
 * `hFile` from `nFileOffset` (-1: the file pointer; `cLength` 0: to the end of the file);
 * TP_ELEMENT_EOP ends a send (a datagram, on a datagram socket).
 */
export interface TRANSMIT_PACKETS_ELEMENT {
  /** TP_ELEMENT_MEMORY or TP_ELEMENT_FILE, with TP_ELEMENT_EOP. */
  dwElFlags: number;
  /** Bytes to send (a file element: 0 sends to the end of the file). */
  cLength: number;
  /** A file element's starting offset (-1: the file pointer). A number or a bigint. */
  nFileOffset?: number | bigint;
  /** A file element's file handle. */
  hFile?: HANDLE;
  /** A memory element's data. */
  pBuffer?: Uint8Array | null;
}

/** A window handle (HWND): a window of this thread's message queue; 0 is NULL. */
export type HWND = number;

/**
 * A window procedure (WNDPROC): `LRESULT CALLBACK WindowProc(HWND, UINT, WPARAM, LPARAM)`. It runs
 * on the thread that owns the window, inside DispatchMessageW (and CreateWindowExW / DestroyWindow
 * for their own messages); what it returns is DispatchMessageW's result.
 */
export type WNDPROC = (hWnd: HWND, uMsg: number, wParam: number, lParam: number) => number;

/** POINT: a screen position. */
export interface POINT {
  /** Horizontal, in pixels. */
  x: number;
  /** Vertical, in pixels. */
  y: number;
}

/**
 * MSG (winuser.h; 48 bytes on x64): a message taken from the queue by GetMessageW / PeekMessageW.
 * For a WSAAsyncSelect message `wParam` is the socket and `lParam` WSAMAKESELECTREPLY(event, error).
 */
export interface MSG {
  /** The window it was posted to; 0 for a thread message. */
  hwnd: HWND;
  /** The message number (WM_*, or the wMsg given to WSAAsyncSelect). */
  message: number;
  /** WPARAM (UINT_PTR): the socket, for a WSAAsyncSelect message. */
  wParam: number;
  /** LPARAM (LONG_PTR): WSAMAKESELECTREPLY(event, error), for a WSAAsyncSelect message. */
  lParam: number;
  /** When it was posted: milliseconds since the system started (GetTickCount), modulo 2^32. */
  time: number;
  /** The cursor position when it was posted. */
  pt: POINT;
}

/** A MSG to fill, all zero. */
export function newMSG(): MSG {
  return { hwnd: 0, message: 0, wParam: 0, lParam: 0, time: 0, pt: { x: 0, y: 0 } };
}

/**
 * WNDCLASSEXW (winuser.h), as far as a message-only window uses it: `cbSize` must be
 * WNDCLASSEXW_SIZE (80, its x64 size) as in C; `lpfnWndProc` the window procedure; `lpszClassName`
 * the class name. The other fields are passed on where there is somewhere to pass them.
 */
export interface WNDCLASSEXW {
  /** sizeof(WNDCLASSEXW): WNDCLASSEXW_SIZE (80). */
  cbSize: number;
  /** Class styles (CS_*). */
  style?: number;
  /** The window procedure of every window of the class. */
  lpfnWndProc: WNDPROC | null;
  /** Extra class bytes (unused here). */
  cbClsExtra?: number;
  /** Extra window bytes (unused here). */
  cbWndExtra?: number;
  /** The module that registers the class (the Windows backend passes the process's own). */
  hInstance?: HANDLE;
  /** Icon (unused by message-only windows). */
  hIcon?: HANDLE;
  /** Cursor (unused by message-only windows). */
  hCursor?: HANDLE;
  /** Background brush (unused by message-only windows). */
  hbrBackground?: HANDLE;
  /** Menu resource name (unused by message-only windows). */
  lpszMenuName?: string | null;
  /** The class name CreateWindowExW names. */
  lpszClassName: string | null;
  /** Small icon (unused by message-only windows). */
  hIconSm?: HANDLE;
}
