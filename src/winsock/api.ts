/**
 * The contract both backends implement: the Winsock functions with their C names, argument order
 * and return conventions. `winsock/index.ts` picks the backend for the platform.
 */
import type {
  SOCKET, HANDLE, WSAEVENT, Ref, WSAOVERLAPPED, LPWSAOVERLAPPED_COMPLETION_ROUTINE, WSADATA,
  WSANETWORKEVENTS, WSABUF, fd_set, TIMEVAL, WSAPOLLFD, NodeSocketView, DefaultGateway,
} from './types.js';

/**
 * Events, waits, overlapped results, completion ports, cancellation and event selection
 * (winsock2.h / kernel32). BOOL results are JS booleans; BOOL arguments accept true/false or 1/0.
 * Failures set the last error (GetLastError / WSAGetLastError share one slot, as on Windows).
 * Each `...Async` twin takes the same arguments, fills the same out-parameters and resolves with
 * the same value, without blocking the event loop.
 */
export interface WinsockOverlapped {
  WSACreateEvent(): WSAEVENT;
  WSACloseEvent(hEvent: WSAEVENT): boolean;
  WSASetEvent(hEvent: WSAEVENT): boolean;
  WSAResetEvent(hEvent: WSAEVENT): boolean;
  WSAWaitForMultipleEvents(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): number;
  WSAWaitForMultipleEventsAsync(cEvents: number, lphEvents: readonly WSAEVENT[] | null, fWaitAll: boolean | number, dwTimeout: number, fAlertable: boolean | number): Promise<number>;
  SleepEx(dwMilliseconds: number, bAlertable: boolean | number): number;
  SleepExAsync(dwMilliseconds: number, bAlertable: boolean | number): Promise<number>;
  WSAGetOverlappedResult(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): boolean;
  WSAGetOverlappedResultAsync(s: SOCKET, lpOverlapped: WSAOVERLAPPED | null, lpcbTransfer: Ref<number> | null, fWait: boolean | number, lpdwFlags: Ref<number> | null): Promise<boolean>;
  CreateIoCompletionPort(FileHandle: HANDLE, ExistingCompletionPort: HANDLE, CompletionKey: number, NumberOfConcurrentThreads: number): HANDLE;
  GetQueuedCompletionStatus(CompletionPort: HANDLE, lpNumberOfBytesTransferred: Ref<number> | null, lpCompletionKey: Ref<number> | null, lpOverlapped: Ref<WSAOVERLAPPED | null> | null, dwMilliseconds: number): boolean;
  GetQueuedCompletionStatusAsync(CompletionPort: HANDLE, lpNumberOfBytesTransferred: Ref<number> | null, lpCompletionKey: Ref<number> | null, lpOverlapped: Ref<WSAOVERLAPPED | null> | null, dwMilliseconds: number): Promise<boolean>;
  PostQueuedCompletionStatus(CompletionPort: HANDLE, dwNumberOfBytesTransferred: number, dwCompletionKey: number, lpOverlapped: WSAOVERLAPPED | null): boolean;
  CloseHandle(hObject: HANDLE): boolean;
  CancelIo(hFile: HANDLE): boolean;
  CancelIoEx(hFile: HANDLE, lpOverlapped: WSAOVERLAPPED | null): boolean;
  WSAEventSelect(s: SOCKET, hEventObject: WSAEVENT, lNetworkEvents: number): number;
  WSAEnumNetworkEvents(s: SOCKET, hEventObject: WSAEVENT, lpNetworkEvents: WSANETWORKEVENTS | null): number;
}

/**
 * The data path (winsock2.h / kernel32): scatter / gather receive and send in every calling mode
 * (blocking, non-blocking, overlapped with an event, a completion routine or a completion port),
 * readiness (select, WSAPoll) and the completion notification modes.
 *
 * - `lpBuffers` is an array of WSABUF; its first `dwBufferCount` entries count. The buffers are
 *   the caller's memory: an overlapped receive writes into them when it completes, so they must
 *   be kept (and not reused) until then, as in C.
 * - A call that completes at once returns 0 and writes the byte count (and, for a receive, the
 *   flags); one that pends returns SOCKET_ERROR with WSA_IO_PENDING and writes neither (the
 *   byte count Ref may then be null); either way an overlapped call is delivered once, by its
 *   event, routine or completion port.
 * - `lpFrom` / `lpTo` are sockaddr bytes (SOCKADDR_IN / SOCKADDR_IN6); `lpFromlen` holds the size
 *   of `lpFrom` and receives the address length.
 * - select() keeps in each fd_set only the sockets that are ready and returns how many entries
 *   remain in all three; `timeout` null waits forever. WSAPoll() writes each WSAPOLLFD's
 *   `revents` and returns how many have any; `timeout` < 0 waits forever. Their `...Async` twins
 *   take the same arguments and resolve with the same value, without blocking the event loop.
 */
export interface WinsockDataPath {
  WSARecv(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  WSASend(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  WSARecvFrom(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesRecvd: Ref<number> | null, lpFlags: Ref<number> | null, lpFrom: Uint8Array | null, lpFromlen: Ref<number> | null, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  WSASendTo(s: SOCKET, lpBuffers: readonly WSABUF[] | null, dwBufferCount: number, lpNumberOfBytesSent: Ref<number> | null, dwFlags: number, lpTo: Uint8Array | null, iTolen: number, lpOverlapped: WSAOVERLAPPED | null, lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): number;
  select(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): number;
  selectAsync(nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): Promise<number>;
  WSAPoll(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): number;
  WSAPollAsync(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): Promise<number>;
  /** kernel32: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS / FILE_SKIP_SET_EVENT_ON_HANDLE on a socket (a BOOL). */
  SetFileCompletionNotificationModes(FileHandle: HANDLE, Flags: number): boolean;
}

/**
 * The whole contract: every backend implements every function (`winsock/index.ts` exports each
 * backend function behind the one argument guard, so no exception escapes it).
 */
export interface WinsockCore extends WinsockOverlapped, WinsockDataPath {
  readonly backendName: 'linux-emulation' | 'windows-ws2_32';

  WSAStartup(wVersionRequested: number, lpWSAData: WSADATA | null): number;
  WSACleanup(): number;
  WSAGetLastError(): number;
  WSASetLastError(iError: number): void;
  GetLastError(): number;
  SetLastError(dwErrCode: number): void;

  socket(af: number, type: number, protocol: number): SOCKET;
  WSASocketW(af: number, type: number, protocol: number, lpProtocolInfo: null, g: number, dwFlags: number): SOCKET;
  closesocket(s: SOCKET): number;
  bind(s: SOCKET, name: Uint8Array | null, namelen: number): number;
  listen(s: SOCKET, backlog: number): number;
  accept(s: SOCKET, addr: Uint8Array | null, addrlen: Ref<number> | null): SOCKET;
  connect(s: SOCKET, name: Uint8Array | null, namelen: number): number;
  send(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number;
  recv(s: SOCKET, buf: Uint8Array | null, len: number, flags: number): number;
  sendto(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, to: Uint8Array | null, tolen: number): number;
  recvfrom(s: SOCKET, buf: Uint8Array | null, len: number, flags: number, from: Uint8Array | null, fromlen: Ref<number> | null): number;
  shutdown(s: SOCKET, how: number): number;
  getsockname(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number;
  getpeername(s: SOCKET, name: Uint8Array | null, namelen: Ref<number> | null): number;
  getsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: Ref<number> | null): number;
  setsockopt(s: SOCKET, level: number, optname: number, optval: Uint8Array | null, optlen: number): number;
  ioctlsocket(s: SOCKET, cmd: number, argp: Ref<number> | null): number;
  WSAIoctl(
    s: SOCKET,
    dwIoControlCode: number,
    lpvInBuffer: Uint8Array | null,
    cbInBuffer: number,
    lpvOutBuffer: Uint8Array | null,
    cbOutBuffer: number,
    lpcbBytesReturned: Ref<number> | null,
    lpOverlapped: WSAOVERLAPPED | null,
    lpCompletionRoutine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
  ): number;

  /**
   * Not a Winsock function: registers a socket that Node owns as a *borrowed* SOCKET (docs/principles.md,
   * principle 3). `resolveFd` is called on every use and returns the host fd, or -1 once Node has
   * closed it; the SOCKET then fails with WSAENOTSOCK. `af` / `type` / `protocol` are Windows
   * values, 0 meaning "ask the socket"; values that disagree with the socket fail with WSAEINVAL.
   * FIONBIO on the SOCKET is a Winsock flag only (starts non-blocking, as libuv sets it), the host
   * fd's O_NONBLOCK is never changed, closesocket only detaches. INVALID_SOCKET + last error on
   * failure. A backend that cannot adopt (Windows, where Node does not expose its SOCKET) answers
   * INVALID_SOCKET with WSAEOPNOTSUPP.
   *
   * `identify` is for a backend where Node reports no fd (Windows, where `handle.fd` is -1): it is
   * called on every use and returns what the Node object says about its socket now (its
   * addresses), or null once Node has closed it. That backend finds the one socket handle of the
   * process with those addresses (WSAENOTSOCK when none has them, WSAETOOMANYREFS when more than
   * one does) and checks it again before each use. The Linux backend uses `resolveFd` only.
   */
  adoptNodeHandle(resolveFd: () => number, af: number, type: number, protocol: number,
    identify?: () => NodeSocketView | null): SOCKET;

  /**
   * Not a Winsock function (Winsock has no gateway query): the default gateway of `af` (AF_INET /
   * AF_INET6), the next hop of the host's route to the internet, read from the routing table.
   * Windows: GetIpForwardTable2, the default route (prefix length 0) with a next hop and the lowest
   * metric. Linux: rtnetlink's route dump, the same choice in the main table. Returns the gateway
   * as a Windows sockaddr and the outgoing interface index; null with WSAENETUNREACH when there is
   * no such route, WSAEAFNOSUPPORT for another family.
   */
  queryDefaultGateway(af: number): DefaultGateway | null;

  /**
   * Not a Winsock function (Winsock's interface records are anonymous): the index of the interface
   * `os.networkInterfaces()` calls `name` (the IfIndex Windows uses, the IPv6 scope id of its
   * link-local addresses). Windows: the adapter whose alias (friendly name) it is,
   * ConvertInterfaceAliasToLuid then ConvertInterfaceLuidToIndex (not if_nametoindex, which takes
   * the NDIS name there). Linux: if_nametoindex (an IPv4 label "eth0:1" is eth0's). 0 with
   * WSAEINVAL when no interface has the name or it is not one (empty, too long, holds a NUL).
   */
  queryInterfaceIndex(name: string): number;
}

export type { SOCKET, HANDLE, WSAEVENT };
