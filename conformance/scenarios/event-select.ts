/**
 * WSAEventSelect / WSAEnumNetworkEvents recording and re-enabling in event mode (issue 13 item 3):
 * the same rules as test/event-select-recording.test.ts, held on both backends. Each scenario
 * reports the sequence of what WSAEnumNetworkEvents returned (event names, with the error of an
 * event that carries one) and of the event object's state where that matters. Loopback only;
 * every wait is bounded (an expected event gets up to 1 s, an expected silence 200 ms).
 */
import type { Basis, Context, Observation, Scenario } from '../lib/types.js';
import { errName, portOf, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const ALL_BUT_WRITE = ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ;
const LISTENER_EVENTS = ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT;
const NAMES: Array<[number, string]> = [
  [ws.FD_READ, 'FD_READ'], [ws.FD_WRITE, 'FD_WRITE'], [ws.FD_OOB, 'FD_OOB'], [ws.FD_ACCEPT, 'FD_ACCEPT'],
  [ws.FD_CONNECT, 'FD_CONNECT'], [ws.FD_CLOSE, 'FD_CLOSE'],
];
const EXPECT_EVENT_MS = 1000;
const EXPECT_NOTHING_MS = 200;

/** Wait (bounded) for the event, then what WSAEnumNetworkEvents reports: 'none', or 'FD_A|FD_B(error)'. */
function enumerate(s: number, ev: number, waitMs: number): string {
  ws.WSAWaitForMultipleEvents(1, [ev], false, waitMs, false);
  const ne = ws.newWSANETWORKEVENTS();
  if (ws.WSAEnumNetworkEvents(s, ev, ne) !== 0) return `failed ${errName(ws.WSAGetLastError())}`;
  const names: string[] = [];
  for (const [bit, name] of NAMES) {
    if (!(ne.lNetworkEvents & bit)) continue;
    const error = ne.iErrorCode[31 - Math.clz32(bit)] ?? 0;
    names.push(error ? `${name}(${errName(error)})` : name);
  }
  return names.length ? names.join('|') : 'none';
}

const expectEvent = (s: number, ev: number): string => enumerate(s, ev, EXPECT_EVENT_MS);
const expectNothing = (s: number, ev: number): string => enumerate(s, ev, EXPECT_NOTHING_MS);
const now = (s: number, ev: number): string => enumerate(s, ev, 0);
const signalled = (ev: number): boolean => ws.WSAWaitForMultipleEvents(1, [ev], false, 0, false) === ws.WSA_WAIT_EVENT_0;

function connectTo(ctx: Context, listener: number): number {
  const c = ctx.tcp();
  ws.connect(c, ws.sockaddr('127.0.0.1', portOf(listener)), 16);
  return c;
}

function send(s: number, n: number): number {
  return ws.send(s, new Uint8Array(n), n, 0);
}

function scenario(
  id: string, title: string, call: string, expected: Observation, source: string, run: (ctx: Context) => Observation, basis: Basis = 'measured',
): Scenario {
  return {
    id: `event-select.${id}`, title, mode: 'other', sockets: [id.startsWith('accept') ? 'tcp-listening' : 'tcp-pair'],
    needs: ['events', 'event-select'], call, expected, basis, source, run,
  };
}

export const eventSelect: Scenario[] = [
  scenario('read-new-data', 'FD_READ again for new data after FD_READ was reported, before any recv',
    'select(server, all but FD_WRITE); send 5 from client; enum; enum; send 5; enum; enum',
    { steps: ['FD_READ', 'none', 'FD_READ', 'none'] },
    `${SOCK_C} test_read_events (the new-data check is todo_wine in event mode)`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      send(client, 5);
      const steps = [expectEvent(server, ev), now(server, ev)];
      send(client, 5);
      steps.push(expectEvent(server, ev), now(server, ev));
      return { steps };
    }),

  scenario('read-reenabled-by-recv', 'a recv that leaves data records FD_READ again; one that fails with WSAEFAULT or empties the queue does not',
    'send 10; enum; recv 2; enum; recv(len > buffer) WSAEFAULT; enum; recv 8; enum',
    { steps: ['FD_READ', 'FD_READ', 'WSAEFAULT', 'none', 'none'] },
    `${SOCK_C} test_read_events`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      send(client, 10);
      const buf = new Uint8Array(8);
      const steps = [expectEvent(server, ev)];
      ws.recv(server, buf, 2, 0);
      steps.push(expectEvent(server, ev));
      const rc = ws.recv(server, buf, buf.length + 1, 0);
      steps.push(rc === ws.SOCKET_ERROR ? errName(ws.WSAGetLastError()) : `rc ${rc}`);
      steps.push(expectNothing(server, ev));
      ws.recv(server, buf, 8, 0);
      steps.push(expectNothing(server, ev));
      return { steps };
    }),

  scenario('enum-keeps-unselected', 'WSAEnumNetworkEvents does not clear events not selected; data sent while not selected is reported by the next selection',
    'select(server, 0); send 5; enum; select(server, FD_READ|FD_WRITE|...); enum; enum',
    { steps: ['none', 'FD_READ|FD_WRITE', 'none'] },
    `${SOCK_C} test_read_events`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, 0);
      send(client, 5);
      ctx.sleep(50);
      const steps = [now(server, ev)];
      ws.WSAEventSelect(server, ev, LISTENER_EVENTS | ws.FD_WRITE);
      steps.push(expectEvent(server, ev), now(server, ev));
      return { steps };
    }),

  scenario('accept-second-connection', 'a second pending connection records FD_ACCEPT again; accept() re-enables it while one is left',
    'select(listener, FD_CONNECT|FD_READ|FD_OOB|FD_ACCEPT); connect; enum; enum; connect; enum; enum; accept; enum; accept; enum',
    { steps: ['FD_ACCEPT', 'none', 'FD_ACCEPT', 'none', 'FD_ACCEPT', 'none'] },
    `${SOCK_C} test_accept_events (the second connection's FD_ACCEPT is todo_wine in event mode)`,
    (ctx) => {
      const l = ctx.tcpListening();
      const ev = ctx.event();
      ws.WSAEventSelect(l, ev, LISTENER_EVENTS);
      connectTo(ctx, l);
      const steps = [expectEvent(l, ev), now(l, ev)];
      connectTo(ctx, l);
      steps.push(expectEvent(l, ev), now(l, ev));
      ctx.track(ws.accept(l, null, null));
      steps.push(expectEvent(l, ev));
      ctx.track(ws.accept(l, null, null));
      steps.push(expectNothing(l, ev));
      return { steps };
    }),

  scenario('accept-survives-reselect', 'an FD_ACCEPT recorded and not enumerated survives a selection without FD_ACCEPT, and signals when selected again',
    'select(l, with FD_ACCEPT); connect; wait; select(l, without); signalled?; WSAResetEvent; select(l, without); signalled?; select(l, with); signalled?; enum',
    { afterReselect: true, afterResetAndReselect: false, selectedAgain: true, enumerated: 'FD_ACCEPT' },
    `${SOCK_C} test_accept_events`,
    (ctx) => {
      const l = ctx.tcpListening();
      const ev = ctx.event();
      ws.WSAEventSelect(l, ev, LISTENER_EVENTS);
      connectTo(ctx, l);
      ws.WSAWaitForMultipleEvents(1, [ev], false, EXPECT_EVENT_MS, false);
      ws.WSAEventSelect(l, ev, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
      const afterReselect = signalled(ev);
      ws.WSAResetEvent(ev);
      ws.WSAEventSelect(l, ev, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
      const afterResetAndReselect = signalled(ev);
      ws.WSAEventSelect(l, ev, LISTENER_EVENTS);
      const selectedAgain = signalled(ev);
      return { afterReselect, afterResetAndReselect, selectedAgain, enumerated: now(l, ev) };
    }),

  scenario('accept-selected-late', 'a connection made while FD_ACCEPT was not selected is reported when it is; one accepted before is not',
    'select(l, without FD_ACCEPT); connect; select(l, with); enum; accept; select(l, without); connect; accept; select(l, with); enum',
    { steps: ['FD_ACCEPT', 'none'] },
    `${SOCK_C} test_accept_events`,
    (ctx) => {
      const l = ctx.tcpListening();
      const ev = ctx.event();
      ws.WSAEventSelect(l, ev, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
      connectTo(ctx, l);
      ws.WSAEventSelect(l, ev, LISTENER_EVENTS);
      const steps = [expectEvent(l, ev)];
      ctx.track(ws.accept(l, null, null));
      ws.WSAEventSelect(l, ev, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
      connectTo(ctx, l);
      ctx.sleep(100);
      ctx.track(ws.accept(l, null, null));
      ws.WSAEventSelect(l, ev, LISTENER_EVENTS);
      steps.push(expectNothing(l, ev));
      return { steps };
    }),

  scenario('write-not-cleared-by-send', 'a successful send does not clear a recorded FD_WRITE',
    'select(server, ... | FD_WRITE); send 5; enum',
    { steps: ['FD_WRITE'] },
    `${SOCK_C} test_write_events`,
    (ctx) => {
      const { server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, LISTENER_EVENTS | ws.FD_WRITE);
      send(server, 5);
      return { steps: [expectEvent(server, ev)] };
    }),

  scenario('close-after-local-shutdowns', 'no FD_CLOSE for shutdown(client, SD_RECEIVE) + shutdown(server, SD_BOTH); the peer\'s shutdown(SD_SEND) then gives it',
    'select(server); shutdown(client, SD_RECEIVE); shutdown(server, SD_BOTH); enum; shutdown(client, SD_SEND); enum; enum',
    { steps: ['none', 'FD_CLOSE', 'none'] },
    `${SOCK_C} test_close_events (the FD_CLOSE after SD_SEND is todo_wine)`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      ws.shutdown(client, ws.SD_RECEIVE);
      ws.shutdown(server, ws.SD_BOTH);
      const steps = [expectNothing(server, ev)];
      ws.shutdown(client, ws.SD_SEND);
      steps.push(expectEvent(server, ev), now(server, ev));
      return { steps };
    }),

  scenario('close-once-after-peer-shutdown', 'the peer\'s shutdown(SD_SEND) gives FD_CLOSE; its closesocket afterwards gives nothing more',
    'select(server); shutdown(client, SD_SEND); enum; enum; closesocket(client); enum',
    { steps: ['FD_CLOSE', 'none', 'none'] },
    `${SOCK_C} test_close_events`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      ws.shutdown(client, ws.SD_SEND);
      const steps = [expectEvent(server, ev), now(server, ev)];
      ctx.closeNow(client);
      steps.push(expectNothing(server, ev));
      return { steps };
    }),

  scenario('close-with-unread-data', 'FD_CLOSE while data is still unread; FD_READ again for what a recv left; nothing once all is read',
    'select(server); send 5; enum; closesocket(client); enum; recv 3; enum; recv 5 (2); enum',
    { steps: ['FD_READ', 'FD_CLOSE', 'FD_READ', 'none'] },
    `${SOCK_C} test_close_events (the FD_CLOSE with data unread and the final silence are todo_wine)`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      send(client, 5);
      const steps = [expectEvent(server, ev)];
      ctx.closeNow(client);
      steps.push(expectEvent(server, ev));
      const buf = new Uint8Array(5);
      ws.recv(server, buf, 3, 0);
      steps.push(expectEvent(server, ev));
      ws.recv(server, buf, 5, 0);
      steps.push(expectNothing(server, ev));
      return { steps };
    }),

  scenario('close-selected-late', 'a close that happened while FD_CLOSE was not selected is reported when it is',
    'select(server, without FD_CLOSE); closesocket(client); enum; select(server, with FD_CLOSE); enum',
    { steps: ['none', 'FD_CLOSE'] },
    `${SOCK_C} test_close_events`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, LISTENER_EVENTS);
      ctx.closeNow(client);
      const steps = [expectNothing(server, ev)];
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      steps.push(expectEvent(server, ev));
      return { steps };
    }),

  scenario('close-aborted', 'an aborted connection: FD_CLOSE with WSAECONNABORTED, once, not again after re-selecting',
    'select(server); send 4 to client; closesocket(client) with data unread (RST); enum; enum; select(server) again; enum',
    { steps: ['FD_CLOSE(WSAECONNABORTED)', 'none', 'none'] },
    `${SOCK_C} test_close_events measures it for the RST of SO_LINGER {1, 0} (close_with_rst); here the RST comes from closing a socket with unread data, which TCP turns into the same reset`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      send(server, 4);
      ctx.sleep(50);
      ctx.closeNow(client);
      const steps = [expectEvent(server, ev), now(server, ev)];
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE);
      steps.push(now(server, ev));
      return { steps };
    }, 'inferred'),

  scenario('enum-error-codes-untouched', 'WSAEnumNetworkEvents writes iErrorCode only for the events it reports',
    'select(server, ... | FD_WRITE); wait; WSAEnumNetworkEvents(server, ev, &ne) with every iErrorCode 0x7eadbeef',
    { lNetworkEvents: 'FD_WRITE', untouched: [0, 2, 3, 4, 5, 6, 7, 8, 9], written: { 1: 0 } },
    `${SOCK_C} test_WSAEnumNetworkEvents`,
    (ctx) => {
      const { server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ALL_BUT_WRITE | ws.FD_WRITE);
      ws.WSAWaitForMultipleEvents(1, [ev], false, EXPECT_EVENT_MS, false);
      const ne = { lNetworkEvents: 0, iErrorCode: new Array<number>(10).fill(0x7eadbeef) };
      ws.WSAEnumNetworkEvents(server, ev, ne);
      const untouched: number[] = [];
      const written: Record<string, number> = {};
      ne.iErrorCode.forEach((value, i) => {
        if (value === 0x7eadbeef) untouched.push(i);
        else written[i] = value;
      });
      const names = NAMES.filter(([bit]) => ne.lNetworkEvents & bit).map(([, name]) => name).join('|') || 'none';
      return { lNetworkEvents: names, untouched, written };
    }),
];
