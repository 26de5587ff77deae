/**
 * WSAEventSelect helpers for tests: select with an assertion, and "wait (bounded) for the event,
 * then what WSAEnumNetworkEvents reports", as bits plus the non-zero error of each reported event.
 */
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup } from './sockets.js';

export interface Reported {
  bits: number;
  errors: Record<number, number>;
}

export const none: Reported = { bits: 0, errors: {} };

/** What a report with `bits` (and `error` for a single event) looks like. */
export const only = (bits: number, error = 0): Reported => ({ bits, errors: error ? { [bits]: error } : {} });

export function selectEvents(s: number, event: number, mask: number): void {
  assert.equal(ws.WSAEventSelect(s, event, mask), 0, `WSAEventSelect error ${ws.WSAGetLastError()}`);
}

/** Wait up to `timeoutMs` for `event`, then what WSAEnumNetworkEvents(s, event) reports. */
export function networkEvents(s: number, event: number, timeoutMs = 500): Reported {
  ws.WSAWaitForMultipleEvents(1, [event], false, timeoutMs, false);
  const ne = ws.newWSANETWORKEVENTS();
  assert.equal(ws.WSAEnumNetworkEvents(s, event, ne), 0, `WSAEnumNetworkEvents error ${ws.WSAGetLastError()}`);
  const errors: Record<number, number> = {};
  for (let i = 0; i < ws.FD_MAX_EVENTS; i++) if (ne.lNetworkEvents & (1 << i) && ne.iErrorCode[i]) errors[1 << i] = ne.iErrorCode[i]!;
  return { bits: ne.lNetworkEvents, errors };
}

/**
 * For a test file: WSAStartup and one event object made in `before`, closed in `after`, and
 * `select` / `events` bound to that event object.
 */
export function selectFixture(): { event(): number; select(s: number, mask: number): void; events(s: number, timeoutMs?: number): Reported } {
  let event = 0;
  before(() => {
    startup();
    event = ws.WSACreateEvent();
  });
  after(() => {
    ws.WSACloseEvent(event);
    cleanup();
  });
  return {
    event: () => event,
    select: (s, mask) => selectEvents(s, event, mask),
    events: (s, timeoutMs = 500) => networkEvents(s, event, timeoutMs),
  };
}
