/**
 * What the emulation knows about one socket beyond the kernel: its Windows identity, the
 * Winsock blocking mode (the host fd itself is always non-blocking), and per-socket settings
 * Linux has no place for.
 *
 * A SOCKET is the process's, as on Windows (docs/process-wide-handles.md §15): the state other
 * operations depend on lives in a socket record in the shared region (shared/sockets.ts), and each
 * JS thread that uses the socket has its own LinuxSocket over that record (the creator's, or a
 * stand-in made at its first lookup: `adoptSocket`). The accessors below read and write the
 * record's words with plain typed-array access: each is one aligned 32-bit word, written by
 * whichever thread last set it, as a Windows socket's settings are; only the reference count, the
 * closed flag and the holder bits (shared/sockets.ts) need Atomics.
 *
 * What stays with the thread, and why:
 * - the extension functions' state (`acceptInto`, `acceptedFrom`, `connectEx`, ...) and
 *   `notificationRequests`: each names a pending operation or a function of the thread that issued
 *   it (its objects live in that thread's isolate);
 * - message mode's window (WSAAsyncSelect): a window belongs to its thread on Windows too;
 * - `capture` (SIO_RCVALL): its packet socket is the capturing thread's fd, with that thread's
 *   readiness registration; another thread's receives keep using the socket's own fd;
 * - `portReservation`: the reservation block's placeholder sockets are the reserving thread's fds;
 * - sockets borrowed from Node: Node's handle belongs to one thread, so they are never shared (their
 *   LinuxSocket keeps its words in JS memory, like every socket when the region cannot be had).
 */
import { lookup, sweepClosed, type HandleObject } from './handles.js';
import { socketsClosedElsewhere } from '../shared/threads.js';
import type { OverlappedOp } from './operations.js';
import { PEER_BYTES, RECORD_WORDS, SW } from '../shared/sockets.js';

/** optionMirrors an accepted socket takes over from its listener, as Windows' accept does. */
export const INHERITED_OPTION_MIRRORS = [
  'SO_SNDBUF', 'SO_RCVBUF', 'SO_LINGER_ONOFF', 'SO_LINGER_SECONDS', 'SO_EXCLUSIVEADDRUSE', 'SO_PORT_SCALABILITY',
  'SO_RANDOMIZE_PORT', 'TCP_MAXRT_MS', 'TCP_TIMESTAMPS', 'TCP_CONGESTION_ALGORITHM', 'TCP_FAIL_CONNECT_ON_ICMP_ERROR',
] as const;

export class LinuxSocket implements HandleObject {
  readonly kind = 'socket' as const;
  handle = 0;
  /**
   * The words of this socket's state: its record in the shared region (`w` the record's chunk,
   * `at` its first word), or a private copy (a borrowed socket, no region, or this thread has let
   * go of the record after a close).
   */
  w: Int32Array = new Int32Array(RECORD_WORDS);
  at = 0;
  /** The shared record's index (-1: the words are private). */
  record = -1;
  /** This thread made the socket (rather than adopting another thread's). */
  created = true;
  readonly manualReset = true;
  /**
   * Option values Windows reports differently from Linux, kept here and keyed by option name:
   * SO_SNDBUF / SO_RCVBUF as set (Linux doubles and clamps them), SO_ERROR (settable and sticky
   * on Windows, cleared by reading on Linux), SO_LINGER's l_onoff as set, and the options Linux
   * has no per-socket place for (sockets/sockopts.ts). One word per name in the record.
   */
  readonly optionMirrors = new OptionMirrors(this);
  /**
   * WSAAsyncSelect's window and message while message mode is selected: a window belongs to its
   * thread (the event and mask are in the record).
   */
  selectWindow: { hwnd: number; msg: number } | null = null;
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
  /** Windows address family, type and protocol as the caller gave them. */
  readonly af: number;
  readonly type: number;
  readonly protocol: number;
  /** Created with WSA_FLAG_OVERLAPPED (socket() always sets it, as on Windows). */
  readonly overlapped: boolean;

  constructor(
    private readonly ownFd: number,
    af: number,
    type: number,
    protocol: number,
    overlapped: boolean,
    /** For sockets borrowed from Node: resolves the current fd on every call (docs/principles.md, principle 3). */
    private readonly resolveFd: (() => number) | null = null,
    /** Another thread's socket record this LinuxSocket stands on (adoptSocket). */
    shared: { record: number; w: Int32Array; at: number } | null = null,
  ) {
    this.af = af;
    this.type = type;
    this.protocol = protocol;
    this.overlapped = overlapped;
    if (shared !== null) {
      this.record = shared.record;
      this.w = shared.w;
      this.at = shared.at;
      this.created = false;
      return;
    }
    const w = this.w;
    w[SW.fd] = ownFd;
    w[SW.af] = af;
    w[SW.type] = type;
    w[SW.protocol] = protocol;
    w[SW.overlapped] = overlapped ? 1 : 0;
    // SIO_UDP_CONNRESET / SIO_UDP_NETRESET: on by default, as on Windows.
    w[SW.udpConnReset] = 1;
    w[SW.udpNetReset] = 1;
    w[SW.peerLength] = -1;
  }

  /** Move this socket's words into shared record `record` (its first registration). */
  share(record: number, w: Int32Array, at: number): void {
    const own = this.w;
    for (let i = SW.fd; i < SW.holders; i++) w[at + i] = own[this.at + i]!;
    this.record = record;
    this.w = w;
    this.at = at;
  }

  /** Stop using the shared record (this thread lets go of it): the words become a private copy, closed. */
  detach(): void {
    const copy = this.w.slice(this.at, this.at + RECORD_WORDS);
    copy[SW.closed] = 1;
    this.w = copy;
    this.at = 0;
    this.record = -1;
  }

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

  /** Closed, by this thread or any other (closesocket anywhere is WSAENOTSOCK everywhere at once). */
  get closed(): boolean {
    return this.w[this.at + SW.closed] !== 0;
  }

  set closed(value: boolean) {
    this.w[this.at + SW.closed] = value ? 1 : 0;
  }

  /** Winsock blocking mode: sockets start blocking; FIONBIO and WSAEventSelect change it. */
  declare nonBlocking: boolean;

  /** Receive / send time-outs in ms (SO_RCVTIMEO / SO_SNDTIMEO); 0 = wait forever. */
  declare receiveTimeoutMs: number;

  declare sendTimeoutMs: number;

  /**
   * WSAEventSelect (an event) or WSAAsyncSelect (a window and message) registration, when active:
   * what FIONBIO checks and an accepted socket inherits. The event and mask are the socket's (any
   * thread sees them); the window is this thread's.
   */
  get eventSelect(): { event: number; mask: number; window: { hwnd: number; msg: number } | null } | null {
    const w = this.w;
    const at = this.at;
    if (w[at + SW.selected] === 0) return null;
    return { event: w[at + SW.selectEvent]!, mask: w[at + SW.selectMask]!, window: this.selectWindow };
  }

  set eventSelect(value: { event: number; mask: number; window: { hwnd: number; msg: number } | null } | null) {
    const w = this.w;
    const at = this.at;
    this.selectWindow = value?.window ?? null;
    w[at + SW.selectEvent] = value?.event ?? 0;
    w[at + SW.selectMask] = value?.mask ?? 0;
    w[at + SW.selected] = value === null ? 0 : value.window !== null ? SELECTED_WINDOW : SELECTED_EVENT;
  }

  /** The selection is WSAAsyncSelect's (its window is the selecting thread's: only that thread records). */
  get selectedByWindow(): boolean {
    return this.w[this.at + SW.selected] === SELECTED_WINDOW;
  }

  /** The selection's mask (0: none): FIONBIO's check, without making the registration object. */
  get selectMask(): number {
    return this.w[this.at + SW.selected] === 0 ? 0 : this.w[this.at + SW.selectMask]!;
  }

  /** SIO_UDP_CONNRESET / SIO_UDP_NETRESET: on by default, as on Windows. */
  declare udpConnReset: boolean;

  declare udpNetReset: boolean;

  /** An urgent byte was read with MSG_OOB; Linux keeps its slot in the stream until it is passed. */
  declare urgentConsumed: boolean;

  /** An urgent byte was pending when SO_OOBINLINE was switched on: Windows still calls it urgent. */
  declare urgentBeforeInline: boolean;

  /**
   * SetFileCompletionNotificationModes flags (FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
   * FILE_SKIP_SET_EVENT_ON_HANDLE); they only ever get added, as on Windows.
   */
  declare completionModes: number;

  /**
   * The socket handle as a waitable object (WaitForSingleObjectEx and the other waits): reset when
   * an overlapped operation on it starts, set when one completes, unless
   * FILE_SKIP_SET_EVENT_ON_HANDLE (extension-functions.md §4 fact 5, Wine sock.c
   * test_nonblocking_async_recv). A notification event: a wait does not reset it. It starts reset,
   * as NT makes a file object's event (inferred, not measured).
   */
  declare signalled: boolean;

  /**
   * The peer reset the connection (a receive saw ECONNRESET): Windows fails every later receive and
   * send with WSAECONNRESET, where Linux would report end of file.
   */
  declare connectionReset: boolean;

  /** Overlapped receives waiting for data, in every thread (data-path/pending.ts): they take the data event. */
  get pendingReceives(): number {
    return this.w[this.at + SW.pendingReceives]!;
  }

  /** One more (1) or one fewer (-1) overlapped receive waiting (Atomics: two threads may count at once). */
  countPendingReceive(delta: 1 | -1): void {
    Atomics.add(this.w, this.at + SW.pendingReceives, delta);
  }

  /** shutdown(SD_RECEIVE / SD_BOTH) happened: Windows fails every later receive with WSAESHUTDOWN. */
  declare receiveShutdown: boolean;

  /** shutdown(SD_SEND / SD_BOTH) happened: a later send is WSAESHUTDOWN, whatever the TCP state. */
  declare sendShutdown: boolean;

  /**
   * The peer of a stream connection, as the kernel last named it (Linux sockaddr bytes): Windows
   * keeps answering getpeername after both sides shut down, when Linux already says ENOTCONN.
   */
  get peerName(): Uint8Array | null {
    const length = this.w[this.at + SW.peerLength]!;
    if (length < 0) return null;
    const start = (this.w.byteOffset + (this.at + SW.peer) * 4);
    return new Uint8Array(this.w.buffer, start, length).slice();
  }

  set peerName(value: Uint8Array | null) {
    if (value === null || value.length > PEER_BYTES) {
      this.w[this.at + SW.peerLength] = -1;
      return;
    }
    new Uint8Array(this.w.buffer, this.w.byteOffset + (this.at + SW.peer) * 4, value.length).set(value);
    this.w[this.at + SW.peerLength] = value.length;
  }

  /** The peer reset after its FIN: Windows fails every later receive with WSAECONNABORTED. */
  declare resetAfterFin: boolean;

  /**
   * A connect returned EINPROGRESS and has not been seen to finish: while the kernel still says
   * SYN_SENT, receives fail with WSAENOTCONN (sockets.ts, receiveRefusal). Kept so that sockets
   * that never connected this way pay no TCP_INFO read per receive.
   */
  declare connectInProgress: boolean;

  /**
   * The control records WSARecvMsg returns on this socket (sockets/control-messages.ts RECORD
   * bits), set by their enabling options (IP_PKTINFO, IP_RECVTTL, IP_ECN ...).
   */
  declare controlRecords: number;

  /** The completion port this socket is associated with (its handle; 0: none), in any thread (win32/ports.ts). */
  declare readonly portHandle: number;

  /** The association as the record keeps it: the port's record and generation, and the key. */
  declare readonly portRecord: number;

  declare readonly portGeneration: number;

  /** The SYN retransmissions of the handshake, noted with tcpEstablishedAt. */
  declare tcpSynRetrans: number;

  get portKey(): number {
    return readFloat64(this, SW.portKey);
  }

  /**
   * SIO_TCP_INFO's connection start, in Date.now() ms (0: not noted), kept in the record so that
   * every thread reports the same ConnectionTimeMs (sockets/tcp-info.ts).
   */
  get tcpCreatedAt(): number {
    return readFloat64(this, SW.tcpCreatedAt);
  }

  set tcpCreatedAt(ms: number) {
    writeFloat64(this, SW.tcpCreatedAt, ms);
  }

  get tcpEstablishedAt(): number {
    return readFloat64(this, SW.tcpEstablishedAt);
  }

  set tcpEstablishedAt(ms: number) {
    writeFloat64(this, SW.tcpEstablishedAt, ms);
  }

  /** CreateIoCompletionPort associated the socket (once: the caller checked `portHandle` is 0). */
  associate(port: { handle: number; record: number; generation: number }, key: number): void {
    const { w, at } = this;
    writeFloat64(this, SW.portKey, key);
    w[at + SW.portRecord] = port.record;
    w[at + SW.portGeneration] = port.generation;
    w[at + SW.portHandle] = port.handle;
  }
}

// The plain fields above (`declare`d): each one word of the record, read and written in place.
defineWordFields(LinuxSocket.prototype, {
  nonBlocking: [SW.nonBlocking, 'flag'],
  udpConnReset: [SW.udpConnReset, 'flag'],
  udpNetReset: [SW.udpNetReset, 'flag'],
  urgentConsumed: [SW.urgentConsumed, 'flag'],
  urgentBeforeInline: [SW.urgentBeforeInline, 'flag'],
  signalled: [SW.signalled, 'flag'],
  connectionReset: [SW.connectionReset, 'flag'],
  receiveShutdown: [SW.receiveShutdown, 'flag'],
  sendShutdown: [SW.sendShutdown, 'flag'],
  resetAfterFin: [SW.resetAfterFin, 'flag'],
  connectInProgress: [SW.connectInProgress, 'flag'],
  receiveTimeoutMs: [SW.receiveTimeout, 'uint'],
  sendTimeoutMs: [SW.sendTimeout, 'uint'],
  completionModes: [SW.completionModes, 'int'],
  controlRecords: [SW.controlRecords, 'int'],
  portHandle: [SW.portHandle, 'int'],
  portRecord: [SW.portRecord, 'int'],
  portGeneration: [SW.portGeneration, 'int'],
  tcpSynRetrans: [SW.tcpSynRetrans, 'int'],
});

const SELECTED_EVENT = 1;
const SELECTED_WINDOW = 2;

/** What `defineWordFields` reads and writes: an object's words (a socket record, or a private copy). */
export interface Words {
  readonly w: Int32Array;
  readonly at: number;
}

/**
 * Define accessors on `prototype` for fields that are words of `this.w` from `this.at` ('flag': a
 * boolean kept as 0 / 1; 'uint': an unsigned DWORD; 'int': the word as it is). Plain typed-array
 * reads and writes: each field is one aligned word (see the top of this file).
 */
export function defineWordFields(prototype: object, fields: Record<string, readonly [number, 'flag' | 'uint' | 'int']>): void {
  for (const [name, [word, kind]] of Object.entries(fields)) {
    const get = kind === 'flag'
      ? function (this: Words): boolean { return this.w[this.at + word] !== 0; }
      : kind === 'uint'
        ? function (this: Words): number { return this.w[this.at + word]! >>> 0; }
        : function (this: Words): number { return this.w[this.at + word]!; };
    const set = kind === 'flag'
      ? function (this: Words, value: boolean): void { this.w[this.at + word] = value ? 1 : 0; }
      : function (this: Words, value: number): void { this.w[this.at + word] = value; };
    Object.defineProperty(prototype, name, { get, set, configurable: true });
  }
}

/** Converts a completion key between a float64 and the record's two words. */
/** Scratch for moving a float64 through two record words. */
const float64Scratch = new Float64Array(1);
const float64Words = new Int32Array(float64Scratch.buffer);

/** A float64 kept in two words of the record (which need not be 8-byte aligned). */
function readFloat64(words: Words, word: number): number {
  float64Words[0] = words.w[words.at + word]!;
  float64Words[1] = words.w[words.at + word + 1]!;
  return float64Scratch[0]!;
}

function writeFloat64(words: Words, word: number, value: number): void {
  float64Scratch[0] = value;
  words.w[words.at + word] = float64Words[0]!;
  words.w[words.at + word + 1] = float64Words[1]!;
}

/** The option names kept in a socket's record, one word each (`mirror` in sockets/sockopts.ts). */
export const MIRROR_NAMES = [
  'SO_SNDBUF', 'SO_RCVBUF', 'SO_ERROR', 'SO_LINGER_ONOFF', 'SO_LINGER_SECONDS', 'SO_EXCLUSIVEADDRUSE', 'SO_PORT_SCALABILITY',
  'SO_RANDOMIZE_PORT', 'IP_DONTFRAGMENT', 'TCP_CONGESTION_ALGORITHM', 'TCP_FAIL_CONNECT_ON_ICMP_ERROR', 'TCP_FASTOPEN',
  'TCP_MAXRT_MS', 'TCP_NOSYNRETRIES', 'TCP_TIMESTAMPS', 'TCP_INITIAL_RTT_MS', 'TCP_SYNCNT_DEFAULT', 'IPV6_DONTFRAG',
] as const;
export type MirrorName = (typeof MIRROR_NAMES)[number];
// The record has words for 21 names (shared/sockets.ts: mirrors .. portGeneration).
if (MIRROR_NAMES.length > SW.portGeneration - SW.mirrors) throw new Error('wsaioctl: more option mirrors than the socket record holds');
const MIRROR_SLOT = new Map<string, number>(MIRROR_NAMES.map((name, i) => [name, i]));

/** A socket's option mirrors, with a Map's get / set / has / delete, over the words of its record. */
class OptionMirrors {
  constructor(private readonly sock: LinuxSocket) {}

  private slot(name: MirrorName): number {
    return MIRROR_SLOT.get(name)!;
  }

  get(name: MirrorName): number | undefined {
    const { w, at } = this.sock;
    const slot = this.slot(name);
    return (w[at + SW.mirrorsPresent]! & (1 << slot)) === 0 ? undefined : w[at + SW.mirrors + slot];
  }

  has(name: MirrorName): boolean {
    const { w, at } = this.sock;
    return (w[at + SW.mirrorsPresent]! & (1 << this.slot(name))) !== 0;
  }

  set(name: MirrorName, value: number): this {
    const { w, at } = this.sock;
    const slot = this.slot(name);
    w[at + SW.mirrors + slot] = value;
    w[at + SW.mirrorsPresent]! |= 1 << slot;
    return this;
  }

  delete(name: MirrorName): boolean {
    const { w, at } = this.sock;
    const had = this.has(name);
    w[at + SW.mirrorsPresent]! &= ~(1 << this.slot(name));
    return had;
  }
}

/** Closed, by any thread: LinuxSocket's `closed` as a plain function (for the per-call path, sockets/lookup.ts). */
export const isClosed = (sock: LinuxSocket): boolean => sock.w[sock.at + SW.closed] !== 0;

/** The socket behind a handle, if it is one (closed or not: callers check). */
export function lookupSocket(handle: number): LinuxSocket | undefined {
  // Sockets this thread holds that another thread closed: let go of them now (their fds and
  // records are released only when every holder has).
  if (socketsClosedElsewhere()) sweepClosed('socket');
  const object = lookup(handle);
  return object?.kind === 'socket' ? (object as LinuxSocket) : undefined;
}
