/**
 * Windows, the message queue, WSAAsyncSelect and the Ex waits of the Windows backend, run for real:
 * a probe runs under the Windows node.exe in Wine, calls the backend (user32 / kernel32 / ws2_32
 * through koffi) and prints what it sees as JSON. Skipped, with the reason, when
 * scripts/wine/setup.sh cannot prepare Wine on this machine.
 *
 * What the backend itself must get right is checked here: the JS window procedure behind the one
 * registered trampoline (creation and destruction messages reach it before the call returns, its
 * result is DispatchMessageW's, a class registered again gets its new procedure), the x64 MSG
 * conversion both ways, GetMessageWAsync polling this thread's queue, and the handle lists of the
 * waits. Windows (here Wine's user32 / ws2_32) decides every result; the facts checked are Microsoft's
 * pages (nf-winuser-createwindowexw, -destroywindow, -dispatchmessagew, -postquitmessage) and
 * Wine's sock.c test_connect_events (FD_CONNECT then FD_WRITE). Network use: loopback only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WinsockCore } from '../dist/winsock/api.js';
import { prepareWine, runProbeSource } from './helpers/wine.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const backendModule = join(repoRoot, 'dist', 'backend', 'windows', 'index.js');
const kitModule = join(repoRoot, 'dist-test', 'helpers', 'wine-probe.js');
const PROBE_TIMEOUT_MS = 120_000;

interface Probe {
  atom: number;
  created: number[];
  msg: { hwnd: boolean; message: number; wParam: number; lParam: number };
  dispatch: number;
  dispatched: number[][];
  badPost: [boolean, number];
  quit: [number, number, number];
  asyncGot: [number, number];
  reRegistered: { second: number; calls: string[] };
  select: { rc: number; connect: [number, number]; messages: Array<[boolean, number]>; viaProc: Array<[boolean, number]> };
  waits: { single: [number, number]; zero: [number, number]; msgWait: number[] };
  destroyed: number[];
  unregistered: boolean;
}

/** The probe, run by the Windows node. Serialised with toString(): self-contained. */
async function probe(backendPath: string, kitPath: string): Promise<void> {
  const { backend: ws } = (await import(backendPath)) as { backend: Required<WinsockCore> };
  const kit = (await import(kitPath)) as typeof import('./helpers/wine-probe.js');
  const { loopback, portOf } = kit.probeKit(ws);
  const WM_NCCREATE = 0x81, WM_CREATE = 0x01, WM_DESTROY = 0x02, WM_NCDESTROY = 0x82, WM_USER = 0x400;
  const HWND_MESSAGE = -3, PM_REMOVE = 1, QS_POSTMESSAGE = 8, MWMO_INPUTAVAILABLE = 4;
  const newMsg = () => ({ hwnd: 0, message: 0, wParam: 0, lParam: 0, time: 0, pt: { x: 0, y: 0 } });
  ws.WSAStartup(0x0202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });

  const seen: number[][] = [];
  const atom = ws.RegisterClassExW({
    cbSize: 80, lpszClassName: 'wsaioctl-probe',
    lpfnWndProc: (h, m, w, l) => {
      seen.push([m, w, l]);
      return m === WM_USER + 1 ? 42 : ws.DefWindowProcW(h, m, w, l);
    },
  });
  const hwnd = ws.CreateWindowExW(0, 'wsaioctl-probe', null, 0, 0, 0, 0, 0, HWND_MESSAGE, 0, 0, null);
  const created = seen.map(([m]) => m!).filter((m) => m === WM_NCCREATE || m === WM_CREATE);

  ws.PostMessageW(hwnd, WM_USER + 1, 7, -8);
  const m = newMsg();
  ws.PeekMessageW(m, hwnd, 0, 0, PM_REMOVE);
  const msg = { hwnd: m.hwnd === hwnd, message: m.message, wParam: m.wParam, lParam: m.lParam };
  seen.length = 0;
  const dispatch = ws.DispatchMessageW(m);
  const dispatched = seen.slice();
  const badPost: [boolean, number] = [ws.PostMessageW(0x7ffff000, WM_USER, 0, 0), ws.GetLastError()];
  ws.PostQuitMessage(3);
  const quitResult = ws.GetMessageW(m, 0, 0, 0);
  const quit: [number, number, number] = [quitResult, m.message, m.wParam];
  setTimeout(() => ws.PostMessageW(hwnd, WM_USER + 2, 0, 0), 30);
  const asyncResult = await ws.GetMessageWAsync(m, hwnd, 0, 0);
  const asyncGot: [number, number] = [asyncResult, m.message];

  // A class registered again (new atom or the same) calls its new procedure.
  const calls: string[] = [];
  ws.RegisterClassExW({ cbSize: 80, lpszClassName: 'wsaioctl-probe-2', lpfnWndProc: (h, mm, w, l) => { if (mm === WM_USER) calls.push('first'); return ws.DefWindowProcW(h, mm, w, l); } });
  let w2 = ws.CreateWindowExW(0, 'wsaioctl-probe-2', null, 0, 0, 0, 0, 0, HWND_MESSAGE, 0, 0, null);
  ws.PostMessageW(w2, WM_USER, 0, 0);
  ws.PeekMessageW(m, w2, 0, 0, PM_REMOVE);
  ws.DispatchMessageW(m);
  ws.DestroyWindow(w2);
  ws.UnregisterClassW('wsaioctl-probe-2', 0);
  const second = ws.RegisterClassExW({ cbSize: 80, lpszClassName: 'wsaioctl-probe-2', lpfnWndProc: (h, mm, w, l) => { if (mm === WM_USER) calls.push('second'); return ws.DefWindowProcW(h, mm, w, l); } });
  w2 = ws.CreateWindowExW(0, 'wsaioctl-probe-2', null, 0, 0, 0, 0, 0, HWND_MESSAGE, 0, 0, null);
  ws.PostMessageW(w2, WM_USER, 0, 0);
  ws.PeekMessageW(m, w2, 0, 0, PM_REMOVE);
  ws.DispatchMessageW(m);
  ws.DestroyWindow(w2);
  ws.UnregisterClassW('wsaioctl-probe-2', 0);

  // WSAAsyncSelect: a connect while selected, messages taken with PeekMessageW, one dispatched.
  const listener = ws.socket(2, 1, 6);
  ws.bind(listener, loopback(0), 16);
  ws.listen(listener, 2);
  const client = ws.socket(2, 1, 6);
  const rc = ws.WSAAsyncSelect(client, hwnd, WM_USER + 100, 0x3f);
  const connect: [number, number] = [ws.connect(client, loopback(portOf(listener)), 16), ws.WSAGetLastError()];
  const messages: Array<[boolean, number]> = [];
  const deadline = Date.now() + 2000;
  while (messages.length < 2 && Date.now() < deadline) {
    const got = newMsg();
    if (ws.PeekMessageW(got, hwnd, WM_USER + 100, WM_USER + 100, PM_REMOVE)) {
      messages.push([got.wParam === client, got.lParam]);
      if (messages.length === 1) {
        seen.length = 0;
        ws.DispatchMessageW(got);
      }
      continue;
    }
    ws.MsgWaitForMultipleObjectsEx(0, null, Math.max(0, deadline - Date.now()), QS_POSTMESSAGE, 0);
  }
  const viaProc = seen.filter(([mm]) => mm === WM_USER + 100).map(([, w, l]): [boolean, number] => [w === client, l!]);
  ws.closesocket(client);
  ws.closesocket(listener);

  const e = ws.WSACreateEvent();
  const single: [number, number] = [ws.WaitForSingleObjectEx(e, 0, false), (ws.WSASetEvent(e), ws.WaitForSingleObjectEx(e, 0, false))];
  const zero: [number, number] = [ws.WaitForMultipleObjectsEx(0, [e], false, 0, false), ws.GetLastError()];
  ws.WSAResetEvent(e);
  const msgWait = [ws.MsgWaitForMultipleObjectsEx(1, [e], 0, QS_POSTMESSAGE, 0)];
  ws.PostMessageW(hwnd, WM_USER, 0, 0);
  msgWait.push(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, QS_POSTMESSAGE, 0));
  ws.PeekMessageW(m, hwnd, 0, 0, 0);
  msgWait.push(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, QS_POSTMESSAGE, 0), ws.MsgWaitForMultipleObjectsEx(1, [e], 0, QS_POSTMESSAGE, MWMO_INPUTAVAILABLE));
  while (ws.PeekMessageW(m, 0, 0, 0, PM_REMOVE)) { /* empty */ }
  ws.WSACloseEvent(e);

  seen.length = 0;
  ws.DestroyWindow(hwnd);
  const destroyed = seen.map(([mm]) => mm!).filter((mm) => mm === WM_DESTROY || mm === WM_NCDESTROY);
  const unregistered = ws.UnregisterClassW('wsaioctl-probe', 0);
  const result: Probe = {
    atom, created, msg, dispatch, dispatched, badPost, quit, asyncGot, reRegistered: { second, calls },
    select: { rc, connect, messages, viaProc }, waits: { single, zero, msgWait }, destroyed, unregistered,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const runProbe = (source: string) => runProbeSource(source, PROBE_TIMEOUT_MS);

const unavailable = await prepareWine();
if (unavailable !== null) console.log(`skipping the Windows message tests: ${unavailable}`);

const FD_WRITE = 0x02;
const FD_CONNECT = 0x10;
const WM_USER = 0x400;

describe('Windows backend, windows, messages, WSAAsyncSelect and the Ex waits, under Wine', { skip: unavailable ?? false }, () => {
  let o: Probe;

  before(async () => {
    const run = await runProbe(`(${probe.toString()})(${JSON.stringify(backendModule)}, ${JSON.stringify(kitModule)});\n`);
    assert.equal(run.timedOut, false, `probe timed out\n${run.stderr}`);
    assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
    o = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Probe;
  });

  test('the JS window procedure gets WM_NCCREATE then WM_CREATE before CreateWindowExW returns, WM_DESTROY then WM_NCDESTROY in DestroyWindow', () => {
    assert.ok(o.atom >= 0xc000, `atom ${o.atom}`);
    assert.deepEqual(o.created, [0x81, 0x01]);
    assert.deepEqual(o.destroyed, [0x02, 0x82]);
    assert.equal(o.unregistered, true);
  });

  test('the MSG comes back as posted (x64 layout), DispatchMessageW returns the procedure\'s result', () => {
    assert.deepEqual(o.msg, { hwnd: true, message: WM_USER + 1, wParam: 7, lParam: -8 });
    assert.equal(o.dispatch, 42);
    assert.deepEqual(o.dispatched, [[WM_USER + 1, 7, -8]]);
  });

  test('a bad window: ERROR_INVALID_WINDOW_HANDLE; WM_QUIT: GetMessageW 0 with the exit code; GetMessageWAsync waits for a later post', () => {
    assert.deepEqual(o.badPost, [false, 1400]);
    assert.deepEqual(o.quit, [0, 0x12, 3]);
    assert.deepEqual(o.asyncGot, [1, WM_USER + 2]);
  });

  test('a class registered again calls its new procedure (the trampoline finds it by atom)', () => {
    assert.ok(o.reRegistered.second >= 0xc000);
    assert.deepEqual(o.reRegistered.calls, ['first', 'second']);
  });

  test('WSAAsyncSelect: connect while selected posts FD_CONNECT then FD_WRITE, wParam the socket, and DispatchMessageW hands it to the procedure (Wine sock.c test_connect_events)', () => {
    assert.equal(o.select.rc, 0);
    assert.deepEqual(o.select.connect, [-1, 10035]);
    assert.deepEqual(o.select.messages, [[true, FD_CONNECT], [true, FD_WRITE]]);
    assert.deepEqual(o.select.viaProc, [[true, FD_CONNECT]]);
  });

  test('WaitForSingleObjectEx / WaitForMultipleObjectsEx / MsgWaitForMultipleObjectsEx pass through with their handle lists', () => {
    assert.deepEqual(o.waits.single, [0x102, 0]);
    assert.deepEqual(o.waits.zero, [0xffffffff, 87]);
    assert.deepEqual(o.waits.msgWait, [0x102, 1, 0x102, 1]);
  });
});
