/**
 * What the emulation knows about one socket beyond the kernel: its Windows identity, the
 * Winsock blocking mode (the host fd itself is always non-blocking), and per-socket settings
 * Linux has no place for.
 */
import { lookup, type HandleObject } from './handles.js';
import type { OverlappedOp } from './operations.js';

/** optionMirrors an accepted socket takes over from its listener, as Windows' accept does. */
export const INHERITED_OPTION_MIRRORS = [
  'SO_SNDBUF', 'SO_RCVBUF', 'SO_LINGER_ONOFF', 'SO_LINGER_SECONDS', 'SO_EXCLUSIVEADDRUSE', 'SO_PORT_SCALABILITY',
  'SO_RANDOMIZE_PORT', 'TCP_MAXRT_MS', 'TCP_TIMESTAMPS', 'TCP_CONGESTION_ALGORITHM', 'TCP_FAIL_CONNECT_ON_ICMP_ERROR',
] as const;

export class LinuxSocket implements HandleObject {
  readonly kind = 'socket' as const;
  handle = 0;
  /** Winsock blocking mode: sockets start blocking; FIONBIO and WSAEventSelect change it. */
  nonBlocking = false;
  /** Receive / send time-outs in ms (SO_RCVTIMEO / SO_SNDTIMEO); 0 = wait forever. */
  receiveTimeoutMs = 0;
  sendTimeoutMs = 0;
  /**
   * WSAEventSelect (an event) or WSAAsyncSelect (a window and message) registration, when active:
   * what FIONBIO checks and an accepted socket inherits.
   */
  eventSelect: { event: number; mask: number; window: { hwnd: number; msg: number } | null } | null = null;
  /** SIO_UDP_CONNRESET / SIO_UDP_NETRESET: on by default, as on Windows. */
  udpConnReset = true;
  udpNetReset = true;
  /** An urgent byte was read with MSG_OOB; Linux keeps its slot in the stream until it is passed. */
  urgentConsumed = false;
  /** An urgent byte was pending when SO_OOBINLINE was switched on: Windows still calls it urgent. */
  urgentBeforeInline = false;
  /**
   * Option values Windows reports differently from Linux, kept here and keyed by option name:
   * SO_SNDBUF / SO_RCVBUF as set (Linux doubles and clamps them), SO_ERROR (settable and sticky
   * on Windows, cleared by reading on Linux), SO_LINGER's l_onoff as set, and the options Linux
   * has no per-socket place for (sockets/sockopts.ts).
   */
  readonly optionMirrors = new Map<string, number>();
  /**
   * SetFileCompletionNotificationModes flags (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
   * FILE_SKIP_SET_EVENT_ON_HANDLE); they only ever get added, as on Windows.
   */
  completionModes = 0;
  /**
   * The socket handle as a waitable object (WaitForSingleObjectEx and the other waits): reset when
   * an overlapped operation on it starts, set when one completes, unless
   * FILE_SKIP_SET_EVENT_ON_HANDLE (extension-functions.md §4 fact 5, Wine sock.c
   * test_nonblocking_async_recv). A notification event: a wait does not reset it. It starts reset,
   * as NT makes a file object's event (inferred, not measured).
   */
  signalled = false;
  readonly manualReset = true;
  /**
   * The peer reset the connection (a receive saw ECONNRESET): Windows fails every later receive and
   * send with WSAECONNRESET, where Linux would report end of file.
   */
  connectionReset = false;
  /** Overlapped receives waiting for data (data-path/pending.ts): they take the data event. */
  pendingReceives = 0;
  /** shutdown(SD_RECEIVE / SD_BOTH) happened: Windows fails every later receive with WSAESHUTDOWN. */
  receiveShutdown = false;
  /** shutdown(SD_SEND / SD_BOTH) happened: a later send is WSAESHUTDOWN, whatever the TCP state. */
  sendShutdown = false;
  /**
   * The peer of a stream connection, as the kernel last named it (Linux sockaddr bytes): Windows
   * keeps answering getpeername after both sides shut down, when Linux already says ENOTCONN.
   */
  peerName: Uint8Array | null = null;
  /** The peer reset after its FIN: Windows fails every later receive with WSAECONNABORTED. */
  resetAfterFin = false;
  /**
   * A connect returned EINPROGRESS and has not been seen to finish: while the kernel still says
   * SYN_SENT, receives fail with WSAENOTCONN (sockets.ts, receiveRefusal). Kept so that sockets
   * that never connected this way pay no TCP_INFO read per receive.
   */
  connectInProgress = false;
  /**
   * Change notifications asked for without overlapped I/O on a non-blocking socket, by control
   * code: each value drops its request. At most one per code (ioctl/outcome.ts).
   */
  readonly notificationRequests = new Map<number, () => void>();
  /**
   * The extension functions' state (sockets/extension/): the pending AcceptEx this socket is the
   * accept socket of (its operation belongs to the listener); the listener an AcceptEx accepted a
   * connection from (SO_UPDATE_ACCEPT_CONTEXT names it); ConnectEx's progress, and whether
   * SO_UPDATE_CONNECT_CONTEXT followed; a socket DisconnectEx(TF_REUSE_SOCKET) made reusable.
   */
  acceptInto: OverlappedOp | null = null;
  acceptedFrom: LinuxSocket | null = null;
  connectEx: 'pending' | 'connected' | null = null;
  connectContextUpdated = false;
  reused = false;
  /** SIO_ASSOCIATE_PORT_RESERVATION's token: a bind to port 0 takes its port from that block. */
  portReservation: bigint | null = null;
  /**
   * A code of the SIO_RCVALL family is on: the packet socket the captured
   * packets come from (sockets/capture.ts). While it is set, receives and readiness use its fd
   * (`receiveFd`); sends, names and options keep using `fd`.
   */
  capture: { readonly fd: number } | null = null;
  /**
   * The control records WSARecvMsg returns on this socket (sockets/control-messages.ts RECORD
   * bits), set by their enabling options (IP_PKTINFO, IP_RECVTTL, IP_ECN ...).
   */
  controlRecords = 0;
  closed = false;

  constructor(
    private readonly ownFd: number,
    /** Windows address family, type and protocol as the caller gave them. */
    readonly af: number,
    readonly type: number,
    readonly protocol: number,
    /** Created with WSA_FLAG_OVERLAPPED (socket() always sets it, as on Windows). */
    readonly overlapped: boolean,
    /** For sockets borrowed from Node: resolves the current fd on every call (docs/principles.md, principle 3). */
    private readonly resolveFd: (() => number) | null = null,
  ) {}

  /** The host fd, or -1 when a borrowed socket's owner has closed it. */
  get fd(): number {
    return this.resolveFd ? this.resolveFd() : this.ownFd;
  }

  /**
   * The fd receives, FIONREAD and readiness (select, WSAPoll, event select, pending receives) use:
   * the packet socket of an active capture, else the host fd.
   */
  get receiveFd(): number {
    return this.capture !== null ? this.capture.fd : this.fd;
  }

  get borrowed(): boolean {
    return this.resolveFd !== null;
  }
}

/** The socket behind a handle, if it is one (closed or not: callers check). */
export function lookupSocket(handle: number): LinuxSocket | undefined {
  const object = lookup(handle);
  return object?.kind === 'socket' ? (object as LinuxSocket) : undefined;
}
