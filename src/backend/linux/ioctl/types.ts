/**
 * The contract between the WSAIoctl dispatcher and the handler modules (one per control code).
 * A handler is the whole description of its code: its checks (in Windows' order for that code),
 * how it behaves in overlapped mode, and its body. The dispatcher (dispatch.ts) and the overlapped
 * delivery (overlapped.ts) read these declarations and know nothing about any particular code.
 */
import type { LinuxSocket } from '../win32/socket-state.js';

/**
 * The one way to say "leave *lpcbBytesReturned as the caller had it". A number that no byte count
 * can be, so that every `bytes` is a number and the dispatcher's test of it stays a number compare
 * (a string here made V8 call its generic equality builtin on every WSAIoctl).
 */
export const UNTOUCHED = -1;
/** What `*lpcbBytesReturned` becomes: a byte count, or the caller's value kept. */
export type BytesReturned = number | typeof UNTOUCHED;

/** One WSAIoctl call as a handler sees it, with buffers already checked and cut to size. */
export interface IoctlCall {
  readonly sock: LinuxSocket;
  readonly code: number;
  /** Exactly `cbInBuffer` bytes of the caller's input (empty when the pointer was null). Read only. */
  readonly input: Uint8Array;
  readonly inputIsNull: boolean;
  /** Exactly `cbOutBuffer` bytes of the caller's output: a handler cannot write past it. */
  readonly output: Uint8Array;
  readonly outputIsNull: boolean;
  /** True when the call runs in overlapped mode (overlapped socket and WSAOVERLAPPED or routine given). */
  readonly overlapped: boolean;
}

/** A finished call: `error` 0 for success, else the Winsock error, and what *lpcbBytesReturned becomes. */
export interface IoctlDone {
  readonly error: number;
  readonly bytes: BytesReturned;
  /** Set when the failure came from one of the handler's declared checks: that check's kind. */
  readonly byCheck?: IoctlCheck['kind'];
}

/**
 * A call that cannot finish now (a change notification, a query that always completes later).
 * `check` is asked again whenever something it waits for may have happened; it returns the result
 * once there is one. `subscribe` arranges that `wake` is called on such events and returns the
 * function that stops it.
 */
export interface IoctlWait {
  readonly wait: {
    check(): IoctlDone | null;
    subscribe(wake: () => void): () => void;
    /** The FD_* bit a non-blocking caller should wait for instead (notifications only). */
    readonly networkEvent?: number;
    /** Waits even on a non-blocking socket (SIO_IDEAL_SEND_BACKLOG_CHANGE). */
    readonly blocksAnyway?: boolean;
  };
}

export type IoctlOutcome = IoctlDone | IoctlWait;

/** How a failed check answers: the Winsock error and what *lpcbBytesReturned becomes. */
interface CheckFailure {
  readonly error: number;
  readonly bytes: BytesReturned;
}

/**
 * One declarative check (build them with checks.ts). The dispatcher runs a handler's checks in
 * the order it lists them, because Windows' order differs between codes.
 */
export type IoctlCheck =
  /** The buffer's size is at least (or exactly) `min`; a null pointer fails too. */
  | (CheckFailure & { readonly kind: 'size'; readonly buffer: 'input' | 'output'; readonly min: number; readonly exact: boolean })
  /** The buffer's size is 0 (and, with `nullPointer`, its pointer is null too). */
  | (CheckFailure & { readonly kind: 'empty'; readonly buffer: 'input' | 'output'; readonly nullPointer: boolean })
  /** The socket's Windows type (SOCK_STREAM, SOCK_DGRAM, ...) is one of these. */
  | (CheckFailure & { readonly kind: 'socketType'; readonly types: readonly number[] })
  /** The socket's Windows address family is one of these. */
  | (CheckFailure & { readonly kind: 'family'; readonly families: readonly number[] });

/**
 * What the code does in overlapped mode (an overlapped socket with a WSAOVERLAPPED):
 * - `as-run` (the default): the body's outcome decides: a result completes at once (0 returned,
 *   the completion carries 0 bytes), a wait pends until it is over;
 * - `always-pends`: the call returns WSA_IO_PENDING even when the result is known, and completes
 *   on the next turn with the byte count as the information (a too-small output completes with
 *   STATUS_BUFFER_TOO_SMALL);
 * - `not-supported`: the provider does not serve it overlapped: it pends and completes with
 *   STATUS_NOT_SUPPORTED and the body never runs (output untouched); with a completion routine
 *   and no WSAOVERLAPPED it fails WSAEOPNOTSUPP after the checks;
 * - `refused`: with the overlapped arguments the call fails at once with `error` after the checks.
 */
export type OverlappedBehaviour =
  | {
    readonly kind: 'as-run';
    /**
     * Windows checks this code's buffer sizes only after the request has started: a size-check
     * failure then returns the error with Internal = STATUS_PENDING and *lpcbBytesReturned untouched.
     */
    readonly sizeChecksAfterStart?: boolean;
    /** An overlapped success without a completion routine leaves *lpcbBytesReturned untouched. */
    readonly successLeavesBytes?: boolean;
  }
  | { readonly kind: 'always-pends' }
  | { readonly kind: 'not-supported' }
  | (CheckFailure & { readonly kind: 'refused' });

export interface IoctlHandler {
  /** Catalogue name (the first, when a value has several). */
  readonly name: string;
  readonly code: number;
  /** Run in this order before the body; the first that fails is the call's answer. */
  readonly checks: readonly IoctlCheck[];
  /** Default `{ kind: 'as-run' }`. */
  readonly overlapped?: OverlappedBehaviour;
  /**
   * Buffers for which a null pointer with a non-zero size reaches the checks and the body (as an
   * empty view with `inputIsNull` / `outputIsNull` set) instead of failing WSAEFAULT in the
   * dispatcher, because Windows answers that case per code (SIO_ROUTING_INTERFACE_QUERY: WSAEINVAL
   * for a null input; SIO_ADDRESS_LIST_QUERY: WSAEFAULT with the required size for a null output).
   */
  readonly nullBuffers?: { readonly input?: boolean; readonly output?: boolean };
  run(call: IoctlCall): IoctlOutcome;
}

export const done = (bytes = 0): IoctlDone => ({ error: 0, bytes });
/** A failure; `bytes` is what *lpcbBytesReturned becomes (UNTOUCHED keeps the caller's value). */
export const failed = (error: number, bytes: BytesReturned = 0): IoctlDone => ({ error, bytes });
