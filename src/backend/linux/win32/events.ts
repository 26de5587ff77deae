/**
 * Event objects: WSACreateEvent / WSACloseEvent / WSASetEvent / WSAResetEvent. A WSAEVENT is a
 * manual-reset event, created non-signalled (as WSACreateEvent documents). Events are process-wide
 * (docs/process-wide-handles.md §5): the state lives in a record of the shared region, so a set in
 * one JS thread releases a wait in another (its doorbell is rung: shared/threads.ts), and a close
 * anywhere makes the handle invalid everywhere at once. Setting one also wakes this thread's async
 * waiters at once.
 */
import { WSA_INVALID_HANDLE, WSA_NOT_ENOUGH_MEMORY } from '../../../errors/index.js';
import { WSA_INVALID_EVENT } from '../../../winsock/constants.js';
import type { WSAEVENT } from '../../../winsock/types.js';
import { register, unregister, lookup, type HandleObject } from './handles.js';
import { fail, ok, setLastError } from './last-error.js';
import { kick } from '../loop/scheduler.js';
import { drainReadiness } from '../loop/readiness.js';
import { region, type Region } from '../shared/region.js';
import {
  closeEventRecord, consumeEvent, enterWait, eventIsManualReset, eventSignalled, leaveWait, newEvent, recordAlive, recordGeneration, resetEvent,
  setEvent, type RecordRef,
} from '../shared/objects.js';

/** This thread's handle on a shared event record (the creator's object, or a stand-in in another thread). */
export class WinEvent implements HandleObject, RecordRef {
  readonly kind = 'event' as const;
  handle = 0;
  constructor(
    private readonly r: Region,
    readonly record: number,
    readonly generation: number,
    readonly manualReset: boolean,
  ) {}

  get signalled(): boolean {
    return eventSignalled(this.r, this);
  }

  set signalled(value: boolean) {
    if (value) setEvent(this.r, this);
    else resetEvent(this.r, this);
  }

  get closed(): boolean {
    return !recordAlive(this.r, this);
  }

  /** Signal it: true when it was open and not signalled (its waiters are then released). */
  set(): boolean {
    return recordAlive(this.r, this) && setEvent(this.r, this);
  }

  stale(): boolean {
    return this.closed;
  }

  /** A wait is satisfied by it: an auto-reset event goes back to non-signalled (one waiter wins). */
  consume(): boolean {
    return consumeEvent(this.r, this);
  }

  /** A wait of this thread on it starts: a set from any thread rings this thread. */
  addWaiter(): void {
    enterWait(this.r, this);
  }

  removeWaiter(): void {
    leaveWait(this.r, this);
  }
}

/** This thread's stand-in for another thread's event (handles.ts asks, once per handle). */
export function adoptEvent(handle: number, record: number): WinEvent | undefined {
  const r = region();
  if (r === null) return undefined;
  const event = new WinEvent(r, record, recordGeneration(r, record), eventIsManualReset(r, record));
  event.handle = handle;
  return event.closed ? undefined : event;
}

/** The open event behind a handle value (the low bit, used by overlapped hEvent, is not masked here). */
export function eventFor(handle: unknown): WinEvent | undefined {
  if (typeof handle !== 'number') return undefined;
  const object = lookup(handle);
  return object?.kind === 'event' ? (object as WinEvent) : undefined;
}

export function signal(event: WinEvent): void {
  if (event.set()) kick();
}

export function unsignal(event: WinEvent): void {
  event.signalled = false;
}

/** What a wait can wait on: an event, or a socket handle (LinuxSocket.signalled). */
export interface Waitable {
  signalled: boolean;
  readonly manualReset: boolean;
  readonly closed: boolean;
  /** Shared objects: satisfy a wait atomically (an auto-reset one is taken by one waiter only). */
  consume?(): boolean;
  /** Shared objects: register / end this thread as a waiter, so another thread's change rings it. */
  addWaiter?(): void;
  removeWaiter?(): void;
}

/** A wait on the object is satisfied: an auto-reset event goes back to non-signalled. */
export function consume(event: Waitable): void {
  if (event.consume) event.consume();
  else if (!event.manualReset) event.signalled = false;
}

export function WSACreateEvent(): WSAEVENT {
  try {
    const r = region();
    const ref = r === null ? null : newEvent(r, true);
    if (r === null || ref === null) throw new RangeError('no event record');
    try {
      return ok(register(new WinEvent(r, ref.record, ref.generation, true), ref.record).handle);
    } catch (error) {
      closeEventRecord(r, ref);
      throw error;
    }
  } catch {
    setLastError(WSA_NOT_ENOUGH_MEMORY);
    return WSA_INVALID_EVENT;
  }
}

function withEvent(hEvent: WSAEVENT, action: (event: WinEvent) => void): boolean {
  const event = eventFor(hEvent);
  if (!event) {
    fail(WSA_INVALID_HANDLE);
    return false;
  }
  action(event);
  // Like SetEvent / ResetEvent / CloseHandle, success leaves the last error alone.
  return true;
}

export function WSACloseEvent(hEvent: WSAEVENT): boolean {
  return withEvent(hEvent, closeEvent);
}

export function closeEvent(event: WinEvent): void {
  unregister(event.handle);
  closeEventRecord(region()!, event);
  // This thread's own async waits on it end now (WSA_INVALID_HANDLE).
  kick();
}

export function WSASetEvent(hEvent: WSAEVENT): boolean {
  return withEvent(hEvent, signal);
}

export function WSAResetEvent(hEvent: WSAEVENT): boolean {
  // A network event that happened before this call signals first (win32/event-select.ts), then the reset.
  drainReadiness();
  return withEvent(hEvent, unsignal);
}
