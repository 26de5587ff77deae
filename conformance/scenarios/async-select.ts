/**
 * WSAAsyncSelect (message mode), the message queue and the kernel32 / user32 waits (issue 17): the
 * rules of test/async-select.test.ts and test/messages-waits.test.ts, held on both backends. A
 * WSAAsyncSelect scenario reports, step by step, the messages that came for its window: 'none', or
 * the events in order ('FD_CONNECT,FD_WRITE'; an error in parentheses; '@other' when wParam is not
 * the socket the step is about). Each scenario makes its own message-only window (the system class
 * "Message", parent HWND_MESSAGE) and destroys it. Loopback only; an expected message gets up to
 * 1 s, an expected silence 200 ms.
 */
import type { Basis, Context, Observation, Scenario } from '../lib/types.js';
import { errName, portOf, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const WM_SOCKET = ws.WM_USER + 100;
const ALL = ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE;
const ALL_BUT_WRITE = ALL & ~ws.FD_WRITE;
const LISTENER_EVENTS = ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT;
const NAMES: Array<[number, string]> = [
  [ws.FD_READ, 'FD_READ'], [ws.FD_WRITE, 'FD_WRITE'], [ws.FD_OOB, 'FD_OOB'], [ws.FD_ACCEPT, 'FD_ACCEPT'],
  [ws.FD_CONNECT, 'FD_CONNECT'], [ws.FD_CLOSE, 'FD_CLOSE'], [ws.FD_ROUTING_INTERFACE_CHANGE, 'FD_ROUTING_INTERFACE_CHANGE'],
  [ws.FD_ADDRESS_LIST_CHANGE, 'FD_ADDRESS_LIST_CHANGE'],
];
const EXPECT_MS = 1000;
const NOTHING_MS = 200;

function eventName(lParam: number): string {
  const event = ws.WSAGETSELECTEVENT(lParam);
  const error = ws.WSAGETSELECTERROR(lParam);
  const name = NAMES.find(([bit]) => bit === event)?.[1] ?? `0x${event.toString(16)}`;
  return error ? `${name}(${errName(error)})` : name;
}

/** One WM_SOCKET message for `hwnd`, waiting up to `ms` (Wine's check_events_: PeekMessage, then MsgWait between looks). */
function next(hwnd: number, ms: number): ws.MSG | null {
  const m = ws.newMSG();
  const deadline = Date.now() + ms;
  for (let i = 0; i < 100; i++) {
    if (ws.PeekMessageW(m, hwnd, WM_SOCKET, WM_SOCKET, ws.PM_REMOVE)) return m;
    const left = deadline - Date.now();
    if (left <= 0 || ws.MsgWaitForMultipleObjectsEx(0, null, left, ws.QS_POSTMESSAGE, 0) !== ws.WAIT_OBJECT_0) return null;
  }
  return null;
}

/** The messages of one step: `count` expected ones (each waited for), then whatever else is there at once. */
function messages(hwnd: number, s: number, count: number): string {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const m = next(hwnd, EXPECT_MS);
    if (!m) break;
    seen.push(eventName(m.lParam) + (m.wParam === s ? '' : '@other'));
  }
  for (let i = 0; i < 10; i++) {
    const m = next(hwnd, count === 0 ? NOTHING_MS : 50);
    if (!m) break;
    seen.push(eventName(m.lParam) + (m.wParam === s ? '' : '@other'));
  }
  return seen.length ? seen.join(',') : 'none';
}

function select(s: number, hwnd: number, mask: number): string {
  return ws.WSAAsyncSelect(s, hwnd, WM_SOCKET, mask) === 0 ? 'ok' : `failed ${errName(ws.WSAGetLastError())}`;
}

function send(s: number, n: number): number {
  return ws.send(s, new Uint8Array(n), n, 0);
}

function connectTo(ctx: Context, listener: number): number {
  const c = ctx.tcp();
  ws.connect(c, ws.sockaddr('127.0.0.1', portOf(listener)), 16);
  return c;
}

function closeWithReset(ctx: Context, s: number): void {
  const linger = new Uint8Array(4);
  new DataView(linger.buffer).setUint16(0, 1, true);
  ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, linger, 4);
  ctx.closeNow(s);
}

/** A message-only window for the scenario, destroyed (and its queue emptied) however `run` ends. */
function withWindow(run: (ctx: Context, hwnd: number) => Observation): (ctx: Context) => Observation {
  return (ctx) => {
    const hwnd = ws.CreateWindowExW(0, 'Message', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
    if (!hwnd) return { window: `CreateWindowExW failed ${errName(ws.GetLastError())}` };
    try {
      return run(ctx, hwnd);
    } finally {
      ws.DestroyWindow(hwnd);
      const m = ws.newMSG();
      for (let i = 0; i < 1000 && ws.PeekMessageW(m, 0, 0, 0, ws.PM_REMOVE); i++) { /* empty the queue */ }
    }
  };
}

function scenario(
  id: string, title: string, call: string, expected: Observation, source: string, run: (ctx: Context) => Observation, basis: Basis = 'measured',
): Scenario {
  return {
    id, title, mode: 'other', sockets: [id.includes('accept') ? 'tcp-listening' : 'tcp-pair'],
    needs: ['events', 'event-select'], call, expected, basis, source, run,
  };
}

export const asyncSelect: Scenario[] = [
  scenario('async-select.read-level-triggered',
    'FD_READ: posted for data, again on re-selection, not for more data before a recv, again after each recv that leaves data (also one that fails on its buffer)',
    'select(server, all but FD_WRITE); send 5; select again; send 5; recv 2; recv(len -1); recv 1 x 8',
    { steps: ['FD_READ', 'FD_READ', 'none', 'FD_READ', 'WSAEFAULT', 'FD_READ', 'FD_READ x7, then none'] },
    `${SOCK_C} test_read_events (message mode; the FD_READ after the failed recv is todo_wine in message mode only)`,
    withWindow((ctx, hwnd) => {
      const { client, server } = ctx.tcpPair();
      select(server, hwnd, ALL_BUT_WRITE);
      send(client, 5);
      const steps = [messages(hwnd, server, 1)];
      select(server, hwnd, ALL_BUT_WRITE);
      steps.push(messages(hwnd, server, 1));
      send(client, 5);
      steps.push(messages(hwnd, server, 0));
      const buf = new Uint8Array(8);
      ws.recv(server, buf, 2, 0);
      steps.push(messages(hwnd, server, 1));
      steps.push(ws.recv(server, buf, -1, 0) === ws.SOCKET_ERROR ? errName(ws.WSAGetLastError()) : 'succeeded');
      steps.push(messages(hwnd, server, 1));
      const each: string[] = [];
      for (let i = 0; i < 8; i++) {
        ws.recv(server, buf, 1, 0);
        each.push(messages(hwnd, server, i < 7 ? 1 : 0));
      }
      steps.push(each.slice(0, 7).every((e) => e === 'FD_READ') && each[7] === 'none' ? 'FD_READ x7, then none' : each.join(' / '));
      return { steps };
    })),

  scenario('async-select.accept',
    'FD_ACCEPT: posted for a waiting connection, again on re-selection; a second connection posts nothing new; accept re-posts while one still waits',
    'select(listener); connect; select again; connect again; accept; accept',
    { steps: ['FD_ACCEPT', 'FD_ACCEPT', 'none', 'FD_ACCEPT', 'none'] },
    `${SOCK_C} test_accept_events (message mode)`,
    withWindow((ctx, hwnd) => {
      const l = ctx.tcpListening();
      select(l, hwnd, LISTENER_EVENTS);
      connectTo(ctx, l);
      const steps = [messages(hwnd, l, 1)];
      select(l, hwnd, LISTENER_EVENTS);
      steps.push(messages(hwnd, l, 1));
      connectTo(ctx, l);
      steps.push(messages(hwnd, l, 0));
      ctx.closeNow(ws.accept(l, null, null));
      steps.push(messages(hwnd, l, 1));
      ctx.closeNow(ws.accept(l, null, null));
      steps.push(messages(hwnd, l, 0));
      return { steps };
    })),

  scenario('async-select.accept-inherits',
    'the accepted socket inherits the selection: FD_WRITE for it (wParam the accepted socket), and FIONBIO(0) is refused on it',
    'connect; select(listener, ... | FD_WRITE); accept; FIONBIO(accepted, 0)',
    { steps: ['FD_ACCEPT', 'FD_WRITE', 'WSAEINVAL'] },
    `${SOCK_C} test_accept_events (message mode); WSAAsyncSelect page (accepted sockets, FIONBIO)`,
    withWindow((ctx, hwnd) => {
      const l = ctx.tcpListening();
      connectTo(ctx, l);
      select(l, hwnd, LISTENER_EVENTS | ws.FD_WRITE);
      const steps = [messages(hwnd, l, 1)];
      const server = ctx.track(ws.accept(l, null, null));
      steps.push(messages(hwnd, server, 1));
      steps.push(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }) === 0 ? 'accepted' : errName(ws.WSAGetLastError()));
      return { steps };
    }), 'measured'),

  scenario('async-select.connect',
    'a connect while selected posts FD_CONNECT then FD_WRITE; a selection after the connection exists posts FD_WRITE only',
    'select(client, all); connect (WSAEWOULDBLOCK); select(client, 0); select(client, all)',
    { steps: ['WSAEWOULDBLOCK', 'FD_CONNECT,FD_WRITE', 'FD_WRITE'] },
    `${SOCK_C} test_connect_events (message mode)`,
    withWindow((ctx, hwnd) => {
      const l = ctx.tcpListening();
      const c = ctx.tcp();
      select(c, hwnd, ALL);
      const rc = ws.connect(c, ws.sockaddr('127.0.0.1', portOf(l)), 16);
      const steps = [rc === 0 ? 'connected at once' : errName(ws.WSAGetLastError())];
      steps.push(messages(hwnd, c, 2));
      select(c, hwnd, 0);
      select(c, hwnd, ALL);
      steps.push(messages(hwnd, c, 1));
      return { steps };
    })),

  scenario('async-select.udp-write',
    'UDP: FD_WRITE at once, even unbound; a connect posts FD_WRITE again and no FD_CONNECT',
    'select(udp, ... | FD_CONNECT | FD_WRITE); connect(udp, bound peer)',
    { steps: ['FD_WRITE', 'FD_WRITE'] },
    `${SOCK_C} test_connect_events, UDP part (message mode; the FD_WRITE after connect is todo_wine)`,
    withWindow((ctx, hwnd) => {
      const client = ctx.udp();
      const server = ctx.udpBound();
      select(client, hwnd, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
      const steps = [messages(hwnd, client, 1)];
      ws.connect(client, ws.sockaddr('127.0.0.1', portOf(server)), 16);
      steps.push(messages(hwnd, client, 1));
      return { steps };
    })),

  scenario('async-select.close',
    'the peer\'s close posts FD_CLOSE, again on re-selection; a reset posts FD_CLOSE with WSAECONNABORTED',
    'select(server); closesocket(client); select again | new pair: select; close client with RST',
    { graceful: ['FD_CLOSE', 'FD_CLOSE'], reset: 'FD_CLOSE(WSAECONNABORTED)' },
    `${SOCK_C} test_close_events (message mode)`,
    withWindow((ctx, hwnd) => {
      const a = ctx.tcpPair();
      select(a.server, hwnd, ALL_BUT_WRITE);
      ctx.closeNow(a.client);
      const graceful = [messages(hwnd, a.server, 1)];
      select(a.server, hwnd, ALL_BUT_WRITE);
      graceful.push(messages(hwnd, a.server, 1));
      const b = ctx.tcpPair();
      select(b.server, hwnd, ALL_BUT_WRITE);
      closeWithReset(ctx, b.client);
      return { graceful, reset: messages(hwnd, b.server, 1) };
    })),

  scenario('async-select.close-reset-reselect',
    'after a reset, selecting again posts FD_CLOSE with WSAECONNABORTED again',
    'select(server); close client with RST; take FD_CLOSE; select again',
    { steps: ['FD_CLOSE(WSAECONNABORTED)', 'FD_CLOSE(WSAECONNABORTED)'] },
    `${SOCK_C} test_close_events (message mode; the second FD_CLOSE is todo_wine)`,
    withWindow((ctx, hwnd) => {
      const { client, server } = ctx.tcpPair();
      select(server, hwnd, ALL_BUT_WRITE);
      closeWithReset(ctx, client);
      const steps = [messages(hwnd, server, 1)];
      select(server, hwnd, ALL_BUT_WRITE);
      steps.push(messages(hwnd, server, 1));
      return { steps };
    })),

  scenario('async-select.nonblocking',
    'WSAAsyncSelect makes the socket non-blocking (also with lEvent 0); FIONBIO(0) fails with WSAEINVAL while a mask is selected',
    'select(s, 0); recv; select(s, FD_READ); FIONBIO(0); select(s, 0); FIONBIO(0)',
    { steps: ['WSAEWOULDBLOCK', 'WSAEINVAL', 'ok'] },
    'WSAAsyncSelect page; winsock-ioctls.md FIONBIO',
    withWindow((ctx, hwnd) => {
      const { server } = ctx.tcpPair();
      select(server, hwnd, 0);
      const steps = [ws.recv(server, new Uint8Array(4), 4, 0) === ws.SOCKET_ERROR ? errName(ws.WSAGetLastError()) : 'received'];
      ws.ioctlsocket(server, ws.FIONBIO, { value: 0 });
      select(server, hwnd, ws.FD_READ);
      steps.push(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }) === 0 ? 'ok' : errName(ws.WSAGetLastError()));
      select(server, hwnd, 0);
      steps.push(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }) === 0 ? 'ok' : errName(ws.WSAGetLastError()));
      return { steps };
    }), 'documented'),

  scenario('async-select.replaces-event-select',
    'WSAAsyncSelect cancels WSAEventSelect: the event object is not signalled, the message comes',
    'WSAEventSelect(server, ev, FD_READ); WSAAsyncSelect(server, hwnd, FD_READ); send 1',
    { message: 'FD_READ', signalled: false },
    'WSAAsyncSelect page (cancels any earlier WSAEventSelect)',
    withWindow((ctx, hwnd) => {
      const { client, server } = ctx.tcpPair();
      const ev = ctx.event();
      ws.WSAEventSelect(server, ev, ws.FD_READ);
      select(server, hwnd, ws.FD_READ);
      send(client, 1);
      const message = messages(hwnd, server, 1);
      return { message, signalled: ws.WSAWaitForMultipleEvents(1, [ev], false, 0, false) === ws.WSA_WAIT_EVENT_0 };
    }), 'documented'),

  scenario('async-select.bad-window',
    'a window handle that names no window: WSAEINVAL',
    'WSAAsyncSelect(s, 0x7ffff000, WM_SOCKET, FD_READ)',
    { rc: -1, error: 'WSAEINVAL' },
    'WSAAsyncSelect page (WSAEINVAL for a parameter that is not valid, its example being a window handle that names no window)',
    (ctx) => {
      const s = ctx.tcp();
      const rc = ws.WSAAsyncSelect(s, 0x7ffff000, WM_SOCKET, ws.FD_READ);
      return { rc, error: rc === 0 ? 'none' : errName(ws.WSAGetLastError()) };
    }, 'documented'),

  scenario('messages.queue',
    'PostMessageW / PeekMessageW (PM_NOREMOVE, PM_REMOVE, a filter) / DispatchMessageW to DefWindowProcW / PostQuitMessage / GetMessageW; a bad window',
    'PostMessageW x2; PeekMessageW; PostQuitMessage(3); GetMessageW; PostMessageW(bad hwnd)',
    { peekNoRemove: 1025, peekFiltered: [1026, 21, 22], peekRest: [1025, 11, -12], dispatched: 0, quit: [0, 18, 3], badPost: 'ERROR_INVALID_WINDOW_HANDLE' },
    'nf-winuser-postmessagew, -peekmessagew, -getmessagew, -postquitmessage, -dispatchmessagew',
    withWindow((_ctx, hwnd) => {
      const m = ws.newMSG();
      ws.PostMessageW(hwnd, ws.WM_USER + 1, 11, -12);
      ws.PostMessageW(hwnd, ws.WM_USER + 2, 21, 22);
      ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_NOREMOVE);
      const peekNoRemove = m.message;
      ws.PeekMessageW(m, hwnd, ws.WM_USER + 2, ws.WM_USER + 2, ws.PM_REMOVE);
      const peekFiltered = [m.message, m.wParam, m.lParam];
      ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_REMOVE);
      const peekRest = [m.message, m.wParam, m.lParam];
      const dispatched = ws.DispatchMessageW(m);
      ws.PostQuitMessage(3);
      const got = ws.GetMessageW(m, 0, 0, 0);
      const quit = [got, m.message, m.wParam];
      const badPost = ws.PostMessageW(0x7ffff000, ws.WM_USER, 0, 0) ? 'posted' : errName(ws.GetLastError());
      return { peekNoRemove, peekFiltered, peekRest, dispatched, quit, badPost };
    }), 'documented'),

  scenario('waits.msg-wait',
    'MsgWaitForMultipleObjectsEx: new posted input is WAIT_OBJECT_0 + nCount, input already seen only with MWMO_INPUTAVAILABLE, a signalled object first',
    'MsgWait(1 event, 0 ms, QS_POSTMESSAGE) before and after PostMessageW, after PeekMessageW(PM_NOREMOVE), with MWMO_INPUTAVAILABLE, with the event set',
    { steps: ['WAIT_TIMEOUT', 'WAIT_OBJECT_0+1', 'WAIT_TIMEOUT', 'WAIT_OBJECT_0+1', 'WAIT_OBJECT_0'] },
    'nf-winuser-msgwaitformultipleobjectsex; Wine server/thread.c check_wait order',
    withWindow((ctx, hwnd) => {
      const ev = ctx.event();
      const wait = (flags: number): string => {
        const r = ws.MsgWaitForMultipleObjectsEx(1, [ev], 0, ws.QS_POSTMESSAGE, flags);
        return r === ws.WAIT_TIMEOUT ? 'WAIT_TIMEOUT' : r === ws.WAIT_FAILED ? `WAIT_FAILED ${errName(ws.GetLastError())}` : r === 0 ? 'WAIT_OBJECT_0' : `WAIT_OBJECT_0+${r}`;
      };
      const steps = [wait(0)];
      ws.PostMessageW(hwnd, ws.WM_USER, 0, 0);
      steps.push(wait(0));
      ws.PeekMessageW(ws.newMSG(), hwnd, 0, 0, ws.PM_NOREMOVE);
      steps.push(wait(0), wait(ws.MWMO_INPUTAVAILABLE));
      ws.WSASetEvent(ev);
      steps.push(wait(ws.MWMO_INPUTAVAILABLE));
      return { steps };
    }), 'documented'),

  scenario('waits.objects',
    'WaitForSingleObjectEx / WaitForMultipleObjectsEx: results, the lowest signalled index, and ERROR_INVALID_PARAMETER (87) for nCount 0',
    'WaitForSingleObjectEx(ev, 0) unsignalled / signalled; WaitForMultipleObjectsEx([a, b, c], b and c set); nCount 0',
    { single: [258, 0], lowest: 1, zero: [-1, 'WSA_INVALID_PARAMETER'] },
    'nf-synchapi-waitforsingleobjectex, nf-synchapi-waitformultipleobjectsex',
    (ctx) => {
      const [a, b, c] = [ctx.event(), ctx.event(), ctx.event()];
      const single = [ws.WaitForSingleObjectEx(a, 0, false)];
      ws.WSASetEvent(a);
      single.push(ws.WaitForSingleObjectEx(a, 0, false));
      ws.WSAResetEvent(a);
      ws.WSASetEvent(b);
      ws.WSASetEvent(c);
      const lowest = ws.WaitForMultipleObjectsEx(3, [a, b, c], false, 0, false);
      const r = ws.WaitForMultipleObjectsEx(0, [a], false, 0, false);
      return { single, lowest, zero: [r === ws.WAIT_FAILED ? -1 : r, errName(ws.GetLastError())] };
    }, 'documented'),

  scenario('waits.wait-all-duplicate',
    'WaitForMultipleObjectsEx with bWaitAll and one object twice: WAIT_FAILED with ERROR_INVALID_PARAMETER (87)',
    'WaitForMultipleObjectsEx(2, [a, a], TRUE, 0, FALSE)',
    { rc: -1, error: 'WSA_INVALID_PARAMETER' },
    'nf-synchapi-waitformultipleobjectsex (the array may not hold one handle twice); the error is NT\'s wait-all check (STATUS_INVALID_PARAMETER_MIX, ERROR_INVALID_PARAMETER), the rule WSAWaitForMultipleEvents already follows here',
    (ctx) => {
      const a = ctx.event();
      ws.SetLastError(0);
      const r = ws.WaitForMultipleObjectsEx(2, [a, a], true, 0, false);
      return { rc: r === ws.WAIT_FAILED ? -1 : r, error: errName(ws.GetLastError()) };
    }, 'inferred'),
];
