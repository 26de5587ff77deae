/**
 * WSAAsyncSelect helpers for tests, in the shape of Wine's sock.c harness (check_events_ in message
 * mode): a message-only window of the system class "Message" (parent HWND_MESSAGE), and "the
 * messages that came", taken with PeekMessageW(PM_REMOVE) filtered on the window and WM_SOCKET,
 * waiting between looks with MsgWaitForMultipleObjectsEx(QS_POSTMESSAGE) (bounded).
 */
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';

/** The message number the tests select (Wine's tests use WM_USER; any UINT will do). */
export const WM_SOCKET = ws.WM_USER + 100;

/** A message-only window of the predefined class "Message" (its procedure is DefWindowProcW). */
export function messageWindow(): number {
  const hwnd = ws.CreateWindowExW(0, 'Message', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
  assert.ok(hwnd > 0, `CreateWindowExW error ${ws.GetLastError()}`);
  return hwnd;
}

export function asyncSelect(s: number, hwnd: number, mask: number, msg = WM_SOCKET): void {
  assert.equal(ws.WSAAsyncSelect(s, hwnd, msg, mask), 0, `WSAAsyncSelect error ${ws.WSAGetLastError()}`);
}

/** One WM_SOCKET message for `hwnd`, waiting up to `timeoutMs` for it; null when none came. */
export function nextMessage(hwnd: number, timeoutMs: number, msg = WM_SOCKET): ws.MSG | null {
  const m = ws.newMSG();
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000; i++) {
    if (ws.PeekMessageW(m, hwnd, msg, msg, ws.PM_REMOVE)) return m;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    if (ws.MsgWaitForMultipleObjectsEx(0, null, left, ws.QS_POSTMESSAGE, 0) !== ws.WAIT_OBJECT_0) return null;
  }
  return null;
}

/**
 * The events (lParam values: WSAMAKESELECTREPLY(event, error)) posted for `s`, in order: each
 * expected one waited for up to `timeoutMs`, then a last look that must find nothing more. Every
 * message must name `s` in wParam.
 */
export function posted(hwnd: number, s: number, expected: number, timeoutMs = 500): number[] {
  const seen: number[] = [];
  for (let i = 0; i < expected; i++) {
    const m = nextMessage(hwnd, timeoutMs);
    if (!m) break;
    assert.equal(m.wParam, s, 'wParam is the socket');
    assert.equal(m.hwnd, hwnd);
    seen.push(m.lParam);
  }
  // Nothing more (a short settle so a wrong extra message has the time to show).
  const extra = nextMessage(hwnd, expected === 0 ? timeoutMs : 50);
  if (extra) seen.push(extra.lParam);
  return seen;
}

export const reply = ws.WSAMAKESELECTREPLY;
