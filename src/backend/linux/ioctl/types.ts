/**
 * The contract between the WSAIoctl dispatcher and the handler modules (one per control code).
 * The dispatcher does the common part once; a handler states its buffer rules and does its work.
 */
import type { LinuxSocket } from '../sockets/socket-state.js';

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
  /** True when the call runs in overlapped mode (overlapped socket and WSAOVERLAPPED given). */
  readonly overlapped: boolean;
}

/**
 * A finished call: `error` 0 for success, else the Winsock error. `bytes` is what goes into
 * `*lpcbBytesReturned`; leave it undefined to keep the caller's value untouched.
 */
export interface IoctlDone {
  error: number;
  bytes?: number;
  /** Set when the failure came from the handler's declared size or socket-type rules. */
  byRule?: true;
}

/**
 * A call that cannot finish now (a change notification, a query that always completes later).
 * `check` is asked again whenever something it waits for may have happened; it returns the result
 * once there is one. `subscribe` arranges that `wake` is called on such events and returns the
 * function that stops it. `cancel` releases whatever the wait holds.
 */
export interface IoctlWait {
  wait: {
    check(): IoctlDone | null;
    subscribe(wake: () => void): () => void;
    /** The FD_* bit a non-blocking caller should wait for instead (notifications only). */
    networkEvent?: number;
    /** Waits even on a non-blocking socket (SIO_IDEAL_SEND_BACKLOG_CHANGE, port reservations). */
    blocksAnyway?: boolean;
  };
}

export type IoctlOutcome = IoctlDone | IoctlWait;

/** A size rule for one buffer: smaller than `min` (or null) fails with `error`. */
export interface SizeRule {
  min: number;
  /** Also fail when larger than `min`. */
  exact?: boolean;
  error: number;
  /** What `*lpcbBytesReturned` becomes on that failure (default: left untouched). */
  bytes?: 'zero' | 'untouched';
}

/**
 * A socket-type rule: on a socket of any other Windows type (SOCK_STREAM, SOCK_DGRAM, ...) the call
 * fails with `error`. Checked before the size rules, as the provider rejects the code first.
 */
export interface SocketTypeRule {
  types: readonly number[];
  error: number;
  /** What `*lpcbBytesReturned` becomes on that failure (default: left untouched). */
  bytes?: 'zero' | 'untouched';
}

export interface IoctlHandler {
  /** Catalogue name (the first, when a value has several). */
  readonly name: string;
  readonly code: number;
  readonly sockets?: SocketTypeRule;
  readonly input?: SizeRule;
  readonly output?: SizeRule;
  /**
   * Buffers for which a null pointer with a non-zero size reaches `run` (as an empty view with
   * `inputIsNull` / `outputIsNull` set) instead of failing WSAEFAULT in the dispatcher, because
   * Windows answers that case per code (SIO_ROUTING_INTERFACE_QUERY: WSAEINVAL for a null input;
   * SIO_ADDRESS_LIST_QUERY: WSAEFAULT with the required size for a null output).
   */
  readonly nullBuffers?: { readonly input?: boolean; readonly output?: boolean };
  /**
   * Windows checks this code's buffers only after an overlapped request has started: a rule
   * failure then returns the error with Internal = STATUS_PENDING and *lpcbBytesReturned untouched.
   */
  readonly overlappedRulesAfterStart?: boolean;
  /**
   * An overlapped success without a completion routine leaves *lpcbBytesReturned untouched
   * (with a routine it is written as usual).
   */
  readonly overlappedSuccessLeavesBytes?: boolean;
  run(call: IoctlCall): IoctlOutcome;
}

export const done = (bytes = 0): IoctlDone => ({ error: 0, bytes });
/** A failure; `bytes` is what *lpcbBytesReturned becomes ('untouched' leaves the caller's value). */
export const failed = (error: number, bytes: number | 'untouched' = 0): IoctlDone => (bytes === 'untouched' ? { error } : { error, bytes });
