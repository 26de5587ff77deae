/**
 * Windows, the thread's message queue and the kernel32 / user32 waits, on the surface both
 * backends share: RegisterClassExW / CreateWindowExW (HWND_MESSAGE) / DestroyWindow,
 * PostMessageW / PostQuitMessage / PeekMessageW / GetMessageW (+ async) / TranslateMessage /
 * DispatchMessageW, WaitForSingleObjectEx / WaitForMultipleObjectsEx / MsgWaitForMultipleObjectsEx
 * (+ async). Facts: Microsoft's pages (nf-winuser-postmessagew, -getmessagew, -peekmessagew,
 * -dispatchmessagew, -postquitmessage, -createwindowexw, -destroywindow, -registerclassexw,
 * -msgwaitformultipleobjectsex; nf-synchapi-waitforsingleobjectex, -waitformultipleobjectsex),
 * Wine's dlls/ws2_32/tests/sock.c harness (check_events_: PeekMessage in a loop,
 * MsgWaitForMultipleObjects(QS_POSTMESSAGE) between looks) and remaining-codes.md §4.2 and §5.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, closeAll, check } from './helpers/sockets.js';

before(startup);
after(cleanup);

const CLASS = 'wsaioctl-messages-test';
const ONE = Uint8Array.of(1, 0, 0, 0);

/** Queue one completion routine on this thread (an overlapped FIONBIO completes at once; its routine waits for an alertable wait). */
function queueRoutine(s: number, onRun: () => void): void {
  assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(), () => onRun()), 0);
}

/** Take every message left in the queue (bounded). */
function drainQueue(): void {
  const m = ws.newMSG();
  for (let i = 0; i < 20_000 && ws.PeekMessageW(m, 0, 0, 0, ws.PM_REMOVE); i++) { /* empty it */ }
}

describe('window classes and windows', () => {
  test('RegisterClassExW: an atom; a name twice: ERROR_CLASS_ALREADY_EXISTS; a wrong cbSize: ERROR_INVALID_PARAMETER', () => {
    const atom = ws.RegisterClassExW({ cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: CLASS, lpfnWndProc: ws.DefWindowProcW });
    assert.ok(atom >= 0xc000 && atom <= 0xffff, `atom ${atom}`);
    assert.equal(ws.RegisterClassExW({ cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: CLASS, lpfnWndProc: ws.DefWindowProcW }), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_CLASS_ALREADY_EXISTS);
    assert.equal(ws.RegisterClassExW({ cbSize: 48, lpszClassName: `${CLASS}-2`, lpfnWndProc: ws.DefWindowProcW }), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    assert.equal(ws.UnregisterClassW(CLASS, 0), true);
    assert.equal(ws.UnregisterClassW(CLASS, 0), false);
    assert.equal(ws.GetLastError(), ws.ERROR_CLASS_DOES_NOT_EXIST);
  });

  test('CreateWindowExW sends WM_NCCREATE then WM_CREATE; DestroyWindow WM_DESTROY then WM_NCDESTROY; a class in use cannot go', () => {
    const seen: number[] = [];
    ws.RegisterClassExW({
      cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: CLASS,
      lpfnWndProc: (h, m, w, l) => { seen.push(m); return ws.DefWindowProcW(h, m, w, l); },
    });
    const hwnd = ws.CreateWindowExW(0, CLASS, 'title', 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
    assert.ok(hwnd > 0);
    assert.deepEqual(seen.filter((m) => m === ws.WM_NCCREATE || m === ws.WM_CREATE), [ws.WM_NCCREATE, ws.WM_CREATE]);
    assert.equal(ws.UnregisterClassW(CLASS, 0), false);
    assert.equal(ws.GetLastError(), ws.ERROR_CLASS_HAS_WINDOWS);
    seen.length = 0;
    assert.equal(ws.DestroyWindow(hwnd), true);
    assert.deepEqual(seen.filter((m) => m === ws.WM_DESTROY || m === ws.WM_NCDESTROY), [ws.WM_DESTROY, ws.WM_NCDESTROY]);
    assert.equal(ws.DestroyWindow(hwnd), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_WINDOW_HANDLE);
    assert.equal(ws.UnregisterClassW(CLASS, 0), true);
  });

  test('a procedure that refuses WM_NCCREATE, or answers -1 to WM_CREATE, fails the creation', () => {
    for (const [refused, answer] of [[ws.WM_NCCREATE, 0], [ws.WM_CREATE, -1]] as const) {
      ws.RegisterClassExW({
        cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: CLASS,
        lpfnWndProc: (h, m, w, l) => (m === refused ? answer : ws.DefWindowProcW(h, m, w, l)),
      });
      assert.equal(ws.CreateWindowExW(0, CLASS, null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null), 0);
      assert.equal(ws.UnregisterClassW(CLASS, 0), true, 'no window was left behind');
    }
  });

  test('an unknown class: ERROR_CANNOT_FIND_WND_CLASS; the system class "Message" exists', () => {
    assert.equal(ws.CreateWindowExW(0, 'no-such-class-here', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_CANNOT_FIND_WND_CLASS);
    const hwnd = ws.CreateWindowExW(0, 'Message', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
    assert.ok(hwnd > 0);
    assert.equal(ws.DestroyWindow(hwnd), true);
  });
});

describe('the message queue', () => {
  let hwnd = 0;
  const calls: number[][] = [];
  before(() => {
    ws.RegisterClassExW({
      cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: `${CLASS}-queue`,
      lpfnWndProc: (h, m, w, l) => {
        if (m >= ws.WM_USER) {
          calls.push([h, m, w, l]);
          return m - ws.WM_USER;
        }
        return ws.DefWindowProcW(h, m, w, l);
      },
    });
    hwnd = ws.CreateWindowExW(0, `${CLASS}-queue`, null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
  });
  after(() => {
    ws.DestroyWindow(hwnd);
    ws.UnregisterClassW(`${CLASS}-queue`, 0);
  });

  test('PostMessageW / PeekMessageW: first in, first out; PM_NOREMOVE leaves it; a filter picks by number; the MSG carries what was posted', () => {
    drainQueue();
    const m = ws.newMSG();
    assert.equal(ws.PeekMessageW(m, 0, 0, 0, ws.PM_REMOVE), false);
    assert.equal(ws.PostMessageW(hwnd, ws.WM_USER + 1, 11, -12), true);
    assert.equal(ws.PostMessageW(hwnd, ws.WM_USER + 2, 21, 22), true);
    assert.equal(ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_NOREMOVE), true);
    assert.equal(m.message, ws.WM_USER + 1);
    assert.equal(ws.PeekMessageW(m, hwnd, ws.WM_USER + 2, ws.WM_USER + 2, ws.PM_REMOVE), true);
    assert.deepEqual([m.hwnd, m.message, m.wParam, m.lParam], [hwnd, ws.WM_USER + 2, 21, 22]);
    assert.equal(ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_REMOVE), true);
    assert.deepEqual([m.hwnd, m.message, m.wParam, m.lParam], [hwnd, ws.WM_USER + 1, 11, -12]);
    assert.ok(Number.isInteger(m.time) && m.time >= 0);
    assert.equal(ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_REMOVE), false);
  });

  test('hWnd NULL posts a thread message: seen with hWnd NULL or -1, not with the window; not dispatched', () => {
    drainQueue();
    const m = ws.newMSG();
    assert.equal(ws.PostMessageW(0, ws.WM_USER + 5, 1, 2), true);
    assert.equal(ws.PeekMessageW(m, hwnd, 0, 0, ws.PM_NOREMOVE), false);
    assert.equal(ws.PeekMessageW(m, -1, 0, 0, ws.PM_NOREMOVE), true);
    assert.equal(m.hwnd, 0);
    assert.equal(ws.PeekMessageW(m, 0, 0, 0, ws.PM_REMOVE), true);
    calls.length = 0;
    assert.equal(ws.DispatchMessageW(m), 0);
    assert.deepEqual(calls, []);
  });

  test('a handle that names no window: ERROR_INVALID_WINDOW_HANDLE (PostMessageW, PeekMessageW, GetMessageW -1)', () => {
    const m = ws.newMSG();
    assert.equal(ws.PostMessageW(0x7ffff000, ws.WM_USER, 0, 0), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_WINDOW_HANDLE);
    assert.equal(ws.PeekMessageW(m, 0x7ffff000, 0, 0, ws.PM_REMOVE), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_WINDOW_HANDLE);
    assert.equal(ws.GetMessageW(m, 0x7ffff000, 0, 0), -1);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_WINDOW_HANDLE);
  });

  test('GetMessageW + DispatchMessageW: the procedure gets (hwnd, msg, wParam, lParam) and its result is returned; TranslateMessage translates nothing', () => {
    drainQueue();
    calls.length = 0;
    ws.PostMessageW(hwnd, ws.WM_USER + 7, 70, 71);
    const m = ws.newMSG();
    assert.equal(ws.GetMessageW(m, 0, 0, 0), 1);
    assert.equal(ws.TranslateMessage(m), false);
    assert.equal(ws.DispatchMessageW(m), 7);
    assert.deepEqual(calls, [[hwnd, ws.WM_USER + 7, 70, 71]]);
  });

  test('PostQuitMessage: WM_QUIT (wParam the exit code) once no posted message is left; GetMessageW returns 0 for it', () => {
    drainQueue();
    ws.PostQuitMessage(3);
    ws.PostMessageW(hwnd, ws.WM_USER + 1, 0, 0);
    const m = ws.newMSG();
    assert.equal(ws.GetMessageW(m, 0, 0, 0), 1);
    assert.equal(m.message, ws.WM_USER + 1);
    assert.equal(ws.GetMessageW(m, 0, 0, 0), 0);
    assert.deepEqual([m.message, m.wParam, m.hwnd], [ws.WM_QUIT, 3, 0]);
    assert.equal(ws.PeekMessageW(m, 0, 0, 0, ws.PM_REMOVE), false, 'taken once');
  });

  test('GetMessageWAsync resolves when a message is posted later, leaving the event loop running', async () => {
    drainQueue();
    const m = ws.newMSG();
    const got = ws.GetMessageWAsync(m, hwnd, 0, 0);
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 1);
    setTimeout(() => ws.PostMessageW(hwnd, ws.WM_USER + 9, 9, 9), 30);
    assert.equal(await got, 1);
    clearInterval(ticker);
    assert.equal(m.message, ws.WM_USER + 9);
    assert.ok(ticks > 0, 'timers ran while it waited');
  });

  test('the queue is the thread\'s: a Worker cannot post to this thread\'s window, and its own messages stay in its own queue (PostMessageW page)', async () => {
    drainQueue();
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const ws = require('wsaioctl/winsock');
       ws.WSAStartup(0x0202, ws.newWSADATA());
       const foreign = [ws.PostMessageW(workerData.hwnd, ws.WM_USER, 0, 0), ws.GetLastError()];
       const own = ws.CreateWindowExW(0, 'Message', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
       ws.PostMessageW(own, ws.WM_USER + 3, 33, 0);
       const m = ws.newMSG();
       const got = ws.GetMessageW(m, 0, 0, 0);
       parentPort.postMessage({ foreign, got, message: m.message, wParam: m.wParam });`,
      { eval: true, workerData: { hwnd } },
    );
    const [answer] = (await once(worker, 'message')) as [{ foreign: [boolean, number]; got: number; message: number; wParam: number }];
    await once(worker, 'exit');
    // The Worker's handle space is its own (empty when it posts): this window's number names nothing there.
    assert.deepEqual(answer.foreign, [false, ws.ERROR_INVALID_WINDOW_HANDLE]);
    assert.deepEqual([answer.got, answer.message, answer.wParam], [1, ws.WM_USER + 3, 33]);
    assert.equal(ws.PeekMessageW(ws.newMSG(), 0, 0, 0, ws.PM_REMOVE), false, 'nothing reached this thread\'s queue');
  });

  test('10,000 queued messages: the next PostMessageW fails with ERROR_NOT_ENOUGH_QUOTA', () => {
    drainQueue();
    let posted = 0;
    for (let i = 0; i < 10_001; i++) if (ws.PostMessageW(hwnd, ws.WM_USER, i, 0)) posted++;
    assert.equal(posted, 10_000);
    assert.equal(ws.GetLastError(), ws.ERROR_NOT_ENOUGH_QUOTA);
    drainQueue();
    assert.equal(ws.PostMessageW(hwnd, ws.WM_USER, 0, 0), true);
    drainQueue();
  });
});

describe('WaitForSingleObjectEx / WaitForMultipleObjectsEx', () => {
  test('an event: WAIT_OBJECT_0 when signalled, WAIT_TIMEOUT when not; a bad handle: WAIT_FAILED with ERROR_INVALID_HANDLE', async () => {
    const e = ws.WSACreateEvent();
    assert.equal(ws.WaitForSingleObjectEx(e, 0, false), ws.WAIT_TIMEOUT);
    ws.WSASetEvent(e);
    assert.equal(ws.WaitForSingleObjectEx(e, 0, false), ws.WAIT_OBJECT_0);
    assert.equal(await ws.WaitForSingleObjectExAsync(e, 0, false), ws.WAIT_OBJECT_0);
    ws.WSACloseEvent(e);
    assert.equal(ws.WaitForSingleObjectEx(e, 0, false), ws.WAIT_FAILED);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
  });

  test('alertable: a signalled object before a queued completion routine before the time-out (NT check order)', async () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const e = ws.WSACreateEvent();
    let ran = 0;
    queueRoutine(s, () => { ran++; });
    ws.WSASetEvent(e);
    assert.equal(ws.WaitForSingleObjectEx(e, 0, true), ws.WAIT_OBJECT_0);
    assert.equal(ran, 0, 'the object won');
    ws.WSAResetEvent(e);
    assert.equal(ws.WaitForSingleObjectEx(e, 50, false), ws.WAIT_TIMEOUT);
    assert.equal(ran, 0, 'not alertable: the routine waits');
    assert.equal(ws.WaitForMultipleObjectsEx(1, [e], false, 1000, true), ws.WAIT_IO_COMPLETION);
    assert.equal(ran, 1);
    queueRoutine(s, () => { ran++; });
    assert.equal(await ws.WaitForSingleObjectExAsync(e, 1000, true), ws.WAIT_IO_COMPLETION);
    assert.equal(ran, 2);
    ws.WSACloseEvent(e);
    closeAll(s);
  });

  test('WaitForMultipleObjectsEx: lowest signalled index; bWaitAll; nCount 0 or 65, a short list, one object twice with bWaitAll: ERROR_INVALID_PARAMETER', async () => {
    const events = Array.from({ length: 64 }, () => ws.WSACreateEvent());
    ws.WSASetEvent(events[40]!);
    ws.WSASetEvent(events[9]!);
    assert.equal(ws.WaitForMultipleObjectsEx(64, events, false, 0, false), ws.WAIT_OBJECT_0 + 9);
    assert.equal(ws.WaitForMultipleObjectsEx(64, events, true, 0, false), ws.WAIT_TIMEOUT);
    for (const e of events) ws.WSASetEvent(e);
    assert.equal(await ws.WaitForMultipleObjectsExAsync(64, events, true, 0, false), ws.WAIT_OBJECT_0);
    for (const [count, list, all] of [[0, events, false], [65, [...events, events[0]!], false], [3, events.slice(0, 2), false], [2, [events[0]!, events[0]!], true]] as const) {
      ws.SetLastError(0);
      assert.equal(ws.WaitForMultipleObjectsEx(count, list, all, 0, false), ws.WAIT_FAILED, `count ${count}`);
      assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    }
    for (const e of events) ws.WSACloseEvent(e);
  });

  test('a socket handle is waitable: reset while an overlapped receive pends, signalled when it completes, not reset by the wait (extension-functions.md §4 fact 5; Wine sock.c test_nonblocking_async_recv)', { skip: ws.backendName !== 'linux-emulation' }, async () => {
    const rx = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    check(ws.bind(rx, ws.sockaddr('127.0.0.1', 0), 16), 'bind');
    const name = new Uint8Array(16);
    check(ws.getsockname(rx, name, { value: 16 }), 'getsockname');
    const tx = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    const ov = new ws.WSAOVERLAPPED(0); // no hEvent: the handle itself is what is signalled
    const buf = new Uint8Array(8);
    assert.equal(ws.WSARecv(rx, [{ len: 8, buf }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.WaitForSingleObjectEx(rx, 0, false), ws.WAIT_TIMEOUT, 'reset while the receive pends');
    assert.equal(ws.sendto(tx, Uint8Array.of(1, 2, 3), 3, 0, name, 16), 3);
    assert.equal(ws.WaitForSingleObjectEx(rx, 5000, false), ws.WAIT_OBJECT_0, 'signalled at completion');
    assert.equal(ov.InternalHigh, 3);
    assert.equal(ws.WaitForMultipleObjectsEx(1, [rx], false, 0, false), ws.WAIT_OBJECT_0, 'a notification object: still signalled');
    // The async twin, on the next receive.
    assert.equal(ws.WSARecv(rx, [{ len: 8, buf }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    const waiting = ws.WaitForSingleObjectExAsync(rx, 5000, false);
    assert.equal(ws.sendto(tx, Uint8Array.of(4), 1, 0, name, 16), 1);
    assert.equal(await waiting, ws.WAIT_OBJECT_0);
    // FILE_SKIP_SET_EVENT_ON_HANDLE: completions leave the handle alone.
    assert.equal(ws.SetFileCompletionNotificationModes(rx, ws.FILE_SKIP_SET_EVENT_ON_HANDLE), true);
    assert.equal(ws.WSARecv(rx, [{ len: 8, buf }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.sendto(tx, Uint8Array.of(5), 1, 0, name, 16), 1);
    for (let i = 0; i < 200 && ov.Internal === ws.STATUS_PENDING; i++) ws.SleepEx(10, false);
    assert.equal(ov.Internal, ws.STATUS_SUCCESS, 'the receive completed');
    assert.equal(ws.WaitForSingleObjectEx(rx, 0, false), ws.WAIT_TIMEOUT, 'not signalled under FILE_SKIP_SET_EVENT_ON_HANDLE');
    closeAll(rx, tx);
    assert.equal(ws.WaitForSingleObjectEx(rx, 0, false), ws.WAIT_FAILED, 'a closed socket is no handle');
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
  });
});

describe('MsgWaitForMultipleObjectsEx', () => {
  test('new posted input: WAIT_OBJECT_0 + nCount; input already looked at counts only with MWMO_INPUTAVAILABLE', async () => {
    drainQueue();
    const e = ws.WSACreateEvent();
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_ALLINPUT, 0), ws.WAIT_TIMEOUT);
    ws.PostMessageW(0, ws.WM_USER, 0, 0);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, 0), ws.WAIT_OBJECT_0 + 1);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_KEY, 0), ws.WAIT_TIMEOUT, 'not a kind the mask asks for');
    const m = ws.newMSG();
    assert.equal(ws.PeekMessageW(m, 0, 0, 0, ws.PM_NOREMOVE), true);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, 0), ws.WAIT_TIMEOUT, 'seen by PeekMessageW: no longer new');
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, ws.MWMO_INPUTAVAILABLE), ws.WAIT_OBJECT_0 + 1);
    ws.WSASetEvent(e);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, ws.MWMO_INPUTAVAILABLE), ws.WAIT_OBJECT_0, 'an object before input');
    ws.WSAResetEvent(e);
    drainQueue();
    setTimeout(() => ws.PostMessageW(0, ws.WM_USER, 0, 0), 20);
    assert.equal(await ws.MsgWaitForMultipleObjectsExAsync(1, [e], 2000, ws.QS_POSTMESSAGE, 0), ws.WAIT_OBJECT_0 + 1);
    drainQueue();
    ws.WSACloseEvent(e);
  });

  test('MWMO_ALERTABLE runs completion routines (WAIT_IO_COMPLETION); MWMO_WAITALL needs every object and input; 64 handles: ERROR_INVALID_PARAMETER', () => {
    drainQueue();
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    let ran = 0;
    queueRoutine(s, () => { ran++; });
    assert.equal(ws.MsgWaitForMultipleObjectsEx(0, null, 0, ws.QS_POSTMESSAGE, 0), ws.WAIT_TIMEOUT);
    assert.equal(ran, 0);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(0, null, 1000, ws.QS_POSTMESSAGE, ws.MWMO_ALERTABLE), ws.WAIT_IO_COMPLETION);
    assert.equal(ran, 1);
    const e = ws.WSACreateEvent();
    ws.WSASetEvent(e);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, ws.MWMO_WAITALL), ws.WAIT_TIMEOUT, 'no input yet');
    ws.PostMessageW(0, ws.WM_USER, 0, 0);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(1, [e], 0, ws.QS_POSTMESSAGE, ws.MWMO_WAITALL), ws.WAIT_OBJECT_0);
    drainQueue();
    const many = Array.from({ length: 64 }, () => e);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(64, many, 0, ws.QS_POSTMESSAGE, 0), ws.WAIT_FAILED);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    ws.WSACloseEvent(e);
    closeAll(s);
  });
});
