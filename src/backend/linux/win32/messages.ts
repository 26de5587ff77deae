/**
 * Windows and the thread's message queue, as far as WSAAsyncSelect needs them: window classes
 * (RegisterClassExW / UnregisterClassW, plus the predefined "Message" class), message-only windows
 * (CreateWindowExW with HWND_MESSAGE, DestroyWindow, DefWindowProcW), and the queue
 * (PostMessageW, PostQuitMessage, PeekMessageW, GetMessageW and its async twin, TranslateMessage,
 * DispatchMessageW). A window is a handle-table object of kind 'window'; the queue is this JS
 * thread's own (a module instance per thread), so messages go to the thread that created the
 * window, as on Windows (PostMessageW's page).
 *
 * Windows facts kept (Microsoft's pages nf-winuser-postmessagew, -getmessagew, -peekmessagew,
 * -dispatchmessagew, -postquitmessage, -createwindowexw, -destroywindow, -registerclassexw; Wine's
 * dlls/ws2_32/tests/sock.c drives WSAAsyncSelect through exactly this: a "Message" window with
 * parent HWND_MESSAGE, PeekMessage(PM_REMOVE) in a loop, MsgWaitForMultipleObjects between looks,
 * check_events_ / test_accept_events):
 * - PostMessageW: hWnd NULL posts a thread message (hwnd 0 in the MSG); a handle that names no
 *   window: FALSE with ERROR_INVALID_WINDOW_HANDLE; a queue already holding 10,000 messages: FALSE
 *   with ERROR_NOT_ENOUGH_QUOTA (the documented per-queue limit).
 * - GetMessageW / PeekMessageW: hWnd NULL takes any message of the thread, hWnd -1 only thread
 *   messages, a window only its own; a bad window: -1 (GetMessageW) / FALSE with
 *   ERROR_INVALID_WINDOW_HANDLE. wMsgFilterMin = wMsgFilterMax = 0: no filter. Posted messages come
 *   out first in, first out; WM_QUIT (PostQuitMessage's, wParam = the exit code) only once no
 *   posted message matches. GetMessageW returns 0 for WM_QUIT, else non-zero, and blocks (in the
 *   thread's one blocking wait, no CPU) until a message comes; it is not alertable.
 * - DispatchMessageW calls the window procedure and returns what it returns; a thread message
 *   (hwnd 0) is not dispatched (0). TranslateMessage translates key messages only: FALSE for every
 *   message here.
 * - CreateWindowExW sends WM_NCCREATE (FALSE from the procedure: creation fails) and WM_CREATE (-1:
 *   creation fails, the window is destroyed); DestroyWindow sends WM_DESTROY then WM_NCDESTROY.
 *   DefWindowProcW answers TRUE to WM_NCCREATE, destroys the window on WM_CLOSE, else 0.
 * - An unknown class: 0 with ERROR_CANNOT_FIND_WND_CLASS; registering a name twice:
 *   ERROR_CLASS_ALREADY_EXISTS; cbSize other than sizeof(WNDCLASSEXW): ERROR_INVALID_PARAMETER;
 *   unregistering a class that still has windows: ERROR_CLASS_HAS_WINDOWS.
 *
 * Linux approximations (README, "Where the Linux emulation approximates Windows"): there is no
 * display, so every window is message-only whatever its parent; CREATESTRUCT is not built (lParam
 * of WM_NCCREATE / WM_CREATE is 0); MSG.pt is (0, 0); messages posted to a window are dropped when
 * it is destroyed.
 */
import { uptime } from 'node:os';
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { HWND, MSG, WNDCLASSEXW, WNDPROC } from '../../../winsock/types.js';
import { allHandles, register, unregister, lookup, type HandleObject } from './handles.js';
import { setLastError } from './last-error.js';
import { kick } from '../loop/scheduler.js';
import { INFINITE, waitSync, type WaitSpec } from '../loop/wait.js';
import { waitAsync } from '../loop/scheduler.js';
import { pollOnce } from '../loop/reactor.js';
import { runDeferred } from '../loop/deferred.js';

/** Messages one queue holds at most (PostMessageW's documented limit). */
export const MAX_POSTED_MESSAGES = 10_000;
/** The thread-messages-only hWnd of GetMessageW / PeekMessageW. */
const THREAD_ONLY = -1;
const FIRST_ATOM = 0xc000;
const LAST_ATOM = 0xffff;

interface WindowClass {
  atom: number;
  name: string;
  proc: WNDPROC | null;
  windows: number;
  predefined: boolean;
}

export class WinWindow implements HandleObject {
  readonly kind = 'window' as const;
  handle = 0;
  destroyed = false;
  constructor(readonly windowClass: WindowClass) {}
}

interface Posted {
  msg: MSG;
  seq: number;
}

const classes = new Map<string, WindowClass>();
const queue: Posted[] = [];
let nextAtom = FIRST_ATOM;
let postSeq = 0;
/** The newest message (by seq) when GetMessageW / PeekMessageW last looked: later ones are new input. */
let seenSeq = 0;
/** PostQuitMessage was called and WM_QUIT not yet taken (its exit code), or null. */
let quitCode: number | null = null;
let quitIsNew = false;

const className = (name: string): string => name.toLowerCase();

// The system class the Wine tests create their message windows of (its procedure is DefWindowProcW).
classes.set(className('Message'), { atom: 0xc001, name: 'Message', proc: null, windows: 0, predefined: true });
nextAtom = 0xc001;

const bootMs = Date.now() - uptime() * 1000;
/** GetTickCount: milliseconds since the system started, modulo 2^32. */
const tickCount = (): number => Math.floor(Date.now() - bootMs) >>> 0;

const dword = (v: unknown): number => (typeof v === 'number' ? v >>> 0 : 0);
/** WPARAM / LPARAM: an integer JS can hold exactly; anything else reads as 0. */
const pointerSized = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);
const isMsg = (v: unknown): v is MSG => v !== null && typeof v === 'object';

/** The live window behind a handle, if it is one. */
export function windowFor(hWnd: unknown): WinWindow | undefined {
  if (typeof hWnd !== 'number') return undefined;
  const object = lookup(hWnd);
  return object?.kind === 'window' && !(object as WinWindow).destroyed ? (object as WinWindow) : undefined;
}

function callProc(window: WinWindow, message: number, wParam: number, lParam: number): number {
  const proc = window.windowClass.proc;
  if (proc === null) return DefWindowProcW(window.handle, message, wParam, lParam);
  try {
    const result = proc(window.handle, message, wParam, lParam);
    return typeof result === 'number' && Number.isFinite(result) ? result : 0;
  } catch (error) {
    // As with a completion routine (apc.ts): rethrown on a later turn, never out of the call.
    queueMicrotask(() => {
      throw error;
    });
    return 0;
  }
}

// ---- classes --------------------------------------------------------------------------------------

export function RegisterClassExW(lpwcx: WNDCLASSEXW | null): number {
  if (lpwcx === null || typeof lpwcx !== 'object' || lpwcx.cbSize !== C.WNDCLASSEXW_SIZE) {
    setLastError(W.ERROR_INVALID_PARAMETER);
    return 0;
  }
  const { lpszClassName: name, lpfnWndProc: proc } = lpwcx;
  if (typeof name !== 'string' || name.length === 0 || name.length > 255 || name.includes('\0') || typeof proc !== 'function') {
    setLastError(W.ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (classes.has(className(name))) {
    setLastError(W.ERROR_CLASS_ALREADY_EXISTS);
    return 0;
  }
  const used = new Set([...classes.values()].map((c) => c.atom));
  let atom = 0;
  for (let i = FIRST_ATOM; i <= LAST_ATOM && atom === 0; i++) {
    nextAtom = nextAtom >= LAST_ATOM ? FIRST_ATOM : nextAtom + 1;
    if (!used.has(nextAtom)) atom = nextAtom;
  }
  if (atom === 0) {
    setLastError(W.ERROR_NOT_ENOUGH_MEMORY);
    return 0;
  }
  classes.set(className(name), { atom, name, proc, windows: 0, predefined: false });
  return atom;
}

function classFor(lpClassName: unknown): WindowClass | undefined {
  if (typeof lpClassName === 'string') return classes.get(className(lpClassName));
  // MAKEINTATOM(atom)
  if (typeof lpClassName === 'number') for (const c of classes.values()) if (c.atom === lpClassName) return c;
  return undefined;
}

export function UnregisterClassW(lpClassName: string | number | null, _hInstance: number): boolean {
  const wc = classFor(lpClassName);
  if (!wc || wc.predefined) {
    setLastError(W.ERROR_CLASS_DOES_NOT_EXIST);
    return false;
  }
  if (wc.windows > 0) {
    setLastError(W.ERROR_CLASS_HAS_WINDOWS);
    return false;
  }
  classes.delete(className(wc.name));
  return true;
}

// ---- windows --------------------------------------------------------------------------------------

export function CreateWindowExW(
  _dwExStyle: number, lpClassName: string | number | null, _lpWindowName: string | null, _dwStyle: number,
  _X: number, _Y: number, _nWidth: number, _nHeight: number, hWndParent: HWND, _hMenu: number, _hInstance: number, _lpParam: unknown,
): HWND {
  const wc = classFor(lpClassName);
  if (!wc) {
    setLastError(W.ERROR_CANNOT_FIND_WND_CLASS);
    return 0;
  }
  // No display: every window is message-only (HWND_MESSAGE, NULL or a window of this thread).
  if (hWndParent !== C.HWND_MESSAGE && hWndParent !== 0 && !windowFor(hWndParent)) {
    setLastError(W.ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  const window = register(new WinWindow(wc));
  wc.windows++;
  if (callProc(window, C.WM_NCCREATE, 0, 0) === 0) {
    finishDestroy(window, false);
    return 0;
  }
  if (callProc(window, C.WM_CREATE, 0, 0) === -1) {
    DestroyWindow(window.handle);
    return 0;
  }
  return window.destroyed ? 0 : window.handle;
}

function finishDestroy(window: WinWindow, sendDestroy: boolean): void {
  if (sendDestroy) callProc(window, C.WM_DESTROY, 0, 0);
  if (window.destroyed) return;
  window.destroyed = true;
  if (sendDestroy) callProc(window, C.WM_NCDESTROY, 0, 0);
  unregister(window.handle);
  window.windowClass.windows--;
  // Its posted messages go with it.
  for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.msg.hwnd === window.handle) queue.splice(i, 1);
  // A GetMessageWAsync waiting for this window ends now (with -1).
  kick();
}

export function DestroyWindow(hWnd: HWND): boolean {
  const window = windowFor(hWnd);
  if (!window) {
    setLastError(W.ERROR_INVALID_WINDOW_HANDLE);
    return false;
  }
  finishDestroy(window, true);
  return true;
}

export function DefWindowProcW(hWnd: HWND, Msg: number, _wParam: number, _lParam: number): number {
  const message = dword(Msg);
  if (message === C.WM_NCCREATE) return 1;
  if (message === C.WM_CLOSE) DestroyWindow(hWnd);
  return 0;
}

/** Forget every window and message of this thread (thread exit: no procedure runs any more). */
export function destroyAllWindows(): void {
  for (const object of allHandles()) {
    if (object.kind !== 'window') continue;
    (object as WinWindow).destroyed = true;
    unregister(object.handle);
  }
  for (const wc of classes.values()) wc.windows = 0;
  queue.length = 0;
  quitCode = null;
}

// ---- the queue ------------------------------------------------------------------------------------

/** Post without the argument checks (WSAAsyncSelect's delivery); false when the queue is full. */
export function postMessage(hwnd: number, message: number, wParam: number, lParam: number): boolean {
  if (queue.length >= MAX_POSTED_MESSAGES) return false;
  queue.push({ msg: { hwnd, message, wParam, lParam, time: tickCount(), pt: { x: 0, y: 0 } }, seq: ++postSeq });
  kick();
  return true;
}

export function PostMessageW(hWnd: HWND, Msg: number, wParam: number, lParam: number): boolean {
  if (hWnd !== 0 && !windowFor(hWnd)) {
    setLastError(W.ERROR_INVALID_WINDOW_HANDLE);
    return false;
  }
  if (!postMessage(hWnd, dword(Msg), pointerSized(wParam), pointerSized(lParam))) {
    setLastError(W.ERROR_NOT_ENOUGH_QUOTA);
    return false;
  }
  return true;
}

export function PostQuitMessage(nExitCode: number): void {
  quitCode = typeof nExitCode === 'number' ? nExitCode | 0 : 0;
  quitIsNew = true;
  kick();
}

function inRange(message: number, min: number, max: number): boolean {
  if (min === 0 && max === 0) return true;
  return min <= max ? message >= min && message <= max : message >= min || message <= max;
}

interface Filter {
  hWnd: number;
  min: number;
  max: number;
}

/** The filter, or the error for a bad hWnd / filter (the last error to set). */
function filterOf(hWnd: unknown, min: unknown, max: unknown): Filter | number {
  if (typeof min !== 'number' || typeof max !== 'number' || typeof hWnd !== 'number') return W.ERROR_INVALID_PARAMETER;
  if (hWnd !== 0 && hWnd !== THREAD_ONLY && !windowFor(hWnd)) return W.ERROR_INVALID_WINDOW_HANDLE;
  return { hWnd, min: min >>> 0, max: max >>> 0 };
}

/** The queue's next message for `filter` (taken when `remove`), written into `out`; null when none. */
function take(filter: Filter, remove: boolean, out: MSG): boolean | null {
  seenSeq = postSeq;
  quitIsNew = false;
  const index = queue.findIndex(({ msg }) => {
    if (filter.hWnd === THREAD_ONLY ? msg.hwnd !== 0 : filter.hWnd !== 0 && msg.hwnd !== filter.hWnd) return false;
    return inRange(msg.message, filter.min, filter.max);
  });
  // Written first: a MSG that cannot be written (frozen, a throwing Proxy) loses no message.
  if (index >= 0) {
    writeMsg(out, queue[index]!.msg);
    if (remove) queue.splice(index, 1);
    return true;
  }
  if (quitCode !== null && inRange(C.WM_QUIT, filter.min, filter.max)) {
    writeMsg(out, { hwnd: 0, message: C.WM_QUIT, wParam: quitCode, lParam: 0, time: tickCount(), pt: { x: 0, y: 0 } });
    if (remove) quitCode = null;
    return true;
  }
  return null;
}

function writeMsg(out: MSG, msg: MSG): void {
  out.hwnd = msg.hwnd;
  out.message = msg.message;
  out.wParam = msg.wParam;
  out.lParam = msg.lParam;
  out.time = msg.time;
  out.pt = { x: msg.pt.x, y: msg.pt.y };
}

/** What the kernel already reported (socket events, address changes) becomes messages first. */
function lookAtKernel(): void {
  pollOnce(0);
  runDeferred();
}

export function PeekMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number, wRemoveMsg: number): boolean {
  if (!isMsg(lpMsg) || typeof wRemoveMsg !== 'number') {
    setLastError(W.ERROR_INVALID_PARAMETER);
    return false;
  }
  const filter = filterOf(hWnd, wMsgFilterMin, wMsgFilterMax);
  if (typeof filter === 'number') {
    setLastError(filter);
    return false;
  }
  lookAtKernel();
  return take(filter, (wRemoveMsg & C.PM_REMOVE) !== 0, lpMsg) === true;
}

function getSpec(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): WaitSpec<number> | number {
  if (!isMsg(lpMsg)) return W.ERROR_INVALID_PARAMETER;
  const filter = filterOf(hWnd, wMsgFilterMin, wMsgFilterMax);
  if (typeof filter === 'number') return filter;
  return {
    timeoutMs: INFINITE,
    onTimeout: -1,
    ready() {
      // The window being waited for may have been destroyed meanwhile (by a procedure elsewhere).
      if (filter.hWnd !== 0 && filter.hWnd !== THREAD_ONLY && !windowFor(filter.hWnd)) {
        setLastError(W.ERROR_INVALID_WINDOW_HANDLE);
        return -1;
      }
      try {
        if (take(filter, true, lpMsg) === null) return undefined;
        return lpMsg.message === C.WM_QUIT ? 0 : 1;
      } catch {
        // A MSG that cannot be written (frozen, a throwing Proxy): C's access violation, reported
        // the guard's way; the message stays queued (take writes before it removes).
        setLastError(W.ERROR_INVALID_PARAMETER);
        return -1;
      }
    },
  };
}

export function GetMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): number {
  const spec = getSpec(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax);
  if (typeof spec === 'number') {
    setLastError(spec);
    return -1;
  }
  return waitSync(spec);
}

export function GetMessageWAsync(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): Promise<number> {
  const spec = getSpec(lpMsg, hWnd, wMsgFilterMin, wMsgFilterMax);
  if (typeof spec === 'number') {
    setLastError(spec);
    return Promise.resolve(-1);
  }
  return waitAsync(spec);
}

export function TranslateMessage(_lpMsg: MSG | null): boolean {
  // Only key messages are translated (into WM_CHAR); there are none here.
  return false;
}

export function DispatchMessageW(lpMsg: MSG | null): number {
  if (!isMsg(lpMsg)) {
    setLastError(W.ERROR_INVALID_PARAMETER);
    return 0;
  }
  const hwnd = lpMsg.hwnd;
  if (hwnd === 0) return 0;
  const window = windowFor(hwnd);
  if (!window) {
    setLastError(W.ERROR_INVALID_WINDOW_HANDLE);
    return 0;
  }
  return callProc(window, dword(lpMsg.message), pointerSized(lpMsg.wParam), pointerSized(lpMsg.lParam));
}

/**
 * Input of the kinds in `wakeMask` waits (MsgWaitForMultipleObjectsEx): posted messages and
 * WM_QUIT count as QS_POSTMESSAGE / QS_ALLPOSTMESSAGE. Only input that arrived since the last
 * GetMessageW / PeekMessageW counts, unless `available` (MWMO_INPUTAVAILABLE).
 */
export function inputWaiting(wakeMask: number, available: boolean): boolean {
  if (!(wakeMask & (C.QS_POSTMESSAGE | C.QS_ALLPOSTMESSAGE))) return false;
  if (available) return queue.length > 0 || quitCode !== null;
  return queue.some((p) => p.seq > seenSeq) || (quitCode !== null && quitIsNew);
}
