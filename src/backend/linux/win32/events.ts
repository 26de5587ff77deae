/**
 * Event objects: WSACreateEvent / WSACloseEvent / WSASetEvent / WSAResetEvent. A WSAEVENT is a
 * manual-reset event, created non-signalled (as WSACreateEvent documents), registered in the
 * handle table with kind 'event'. Setting one wakes this thread's async waiters at once.
 */
import { WSA_INVALID_HANDLE, WSA_NOT_ENOUGH_MEMORY } from '../../../errors/index.js';
import { WSA_INVALID_EVENT } from '../../../winsock/constants.js';
import type { WSAEVENT } from '../../../winsock/types.js';
import { register, unregister, lookup, type HandleObject } from './handles.js';
import { fail, ok, setLastError } from './last-error.js';
import { kick } from '../loop/scheduler.js';
import { drainReadiness } from '../loop/readiness.js';

export class WinEvent implements HandleObject {
  readonly kind = 'event' as const;
  handle = 0;
  signalled = false;
  closed = false;
  constructor(readonly manualReset: boolean) {}
}

/** The open event behind a handle value (the low bit, used by overlapped hEvent, is not masked here). */
export function eventFor(handle: unknown): WinEvent | undefined {
  if (typeof handle !== 'number') return undefined;
  const object = lookup(handle);
  return object?.kind === 'event' ? (object as WinEvent) : undefined;
}

export function signal(event: WinEvent): void {
  if (event.closed || event.signalled) return;
  event.signalled = true;
  kick();
}

export function unsignal(event: WinEvent): void {
  event.signalled = false;
}

/** What a wait can wait on: an event, or a socket handle (LinuxSocket.signalled). */
export interface Waitable {
  signalled: boolean;
  readonly manualReset: boolean;
  readonly closed: boolean;
}

/** A wait on the object is satisfied: an auto-reset event goes back to non-signalled. */
export function consume(event: Waitable): void {
  if (!event.manualReset) event.signalled = false;
}

export function WSACreateEvent(): WSAEVENT {
  try {
    return ok(register(new WinEvent(true)).handle);
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
  event.closed = true;
  unregister(event.handle);
}

export function WSASetEvent(hEvent: WSAEVENT): boolean {
  return withEvent(hEvent, signal);
}

export function WSAResetEvent(hEvent: WSAEVENT): boolean {
  // A network event that happened before this call signals first (win32/event-select.ts), then the reset.
  drainReadiness();
  return withEvent(hEvent, unsignal);
}
