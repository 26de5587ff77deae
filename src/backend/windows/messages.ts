/**
 * WSAAsyncSelect, windows and the message queue, and the kernel32 / user32 waits on the Windows
 * backend: each passes through to the real ws2_32.dll / user32.dll / kernel32.dll function, so
 * Windows decides every result and error.
 *
 * Window procedures. A class registered with RegisterClassExW gets, as its native procedure, one
 * koffi-registered trampoline shared by every class and registered once for the life of the
 * process: it can never be called after being unregistered, whatever Windows still sends (a
 * window destroyed late, a message dispatched from C). The trampoline finds the JS procedure by
 * the window's class atom (GetClassLongPtrW(GCW_ATOM)), so creation messages (WM_NCCREATE,
 * WM_CREATE, sent before CreateWindowExW returns) reach it too; a class without a JS procedure
 * (unregistered meanwhile) gets DefWindowProcW. An exception from a JS procedure is rethrown on a
 * later turn, never into user32 (as with a completion routine).
 *
 * The async twins poll from this thread (poller.ts): a message queue belongs to its thread, so
 * GetMessageWAsync polls PeekMessageW(PM_REMOVE), MsgWaitForMultipleObjectsExAsync and the
 * object waits poll the real call with a 0 time-out (alertable ones must run this thread's
 * completion routines, which only this thread can).
 *
 * MSG is laid out as on x64 (48 bytes): hwnd @0, message @8, wParam @16, lParam @24, time @32,
 * pt @36 (remaining-codes.md §4.2, measured).
 */
import koffi from 'koffi';
import * as W from '../../errors/index.js';
import * as C from '../../winsock/constants.js';
import type { WinsockMessages } from '../../winsock/api.js';
import type { HANDLE, HWND, MSG, SOCKET, WNDCLASSEXW, WNDPROC } from '../../winsock/types.js';
import { makeGuard } from '../../winsock/guard.js';
import { nativeLibrary } from '../native-library.js';
import { nativeSocket } from './arguments.js';
import { afterWait, nativeHandle } from './overlapped.js';
import { deadlineOf, kick, wait } from './poller.js';
import { needsStartup } from './startup.js';
import { win32 } from './ws2_32.js';

const HWND_T = 'intptr_t';
const user32Lib = nativeLibrary('win32', 'user32.dll');
const kernel32Lib = nativeLibrary('win32', 'kernel32.dll');
const ws2Lib = nativeLibrary('win32', 'ws2_32.dll');

const WndProcType = koffi.proto(`intptr_t __stdcall WndProcType(${HWND_T} hWnd, uint32_t uMsg, uintptr_t wParam, intptr_t lParam)`);

// Named, so the RegisterClassExW declaration below can refer to it (x64 layout, 80 bytes).
koffi.struct('WSAIOCTL_WNDCLASSEXW', {
  cbSize: 'uint32_t',
  style: 'uint32_t',
  lpfnWndProc: 'void *',
  cbClsExtra: 'int',
  cbWndExtra: 'int',
  hInstance: 'void *',
  hIcon: 'void *',
  hCursor: 'void *',
  hbrBackground: 'void *',
  lpszMenuName: 'str16',
  lpszClassName: 'str16',
  hIconSm: 'void *',
});

const user32 = {
  RegisterClassExW: user32Lib.func('uint16_t __stdcall RegisterClassExW(const WSAIOCTL_WNDCLASSEXW *lpwcx)'),
  UnregisterClassW: user32Lib.func('int __stdcall UnregisterClassW(str16 lpClassName, void *hInstance)'),
  UnregisterClassAtom: user32Lib.func('int __stdcall UnregisterClassW(intptr_t lpClassName, void *hInstance)'),
  CreateWindowExW: user32Lib.func(
    `${HWND_T} __stdcall CreateWindowExW(uint32_t dwExStyle, str16 lpClassName, str16 lpWindowName, uint32_t dwStyle, ` +
      `int X, int Y, int nWidth, int nHeight, ${HWND_T} hWndParent, intptr_t hMenu, void *hInstance, void *lpParam)`,
  ),
  CreateWindowExAtom: user32Lib.func(
    `${HWND_T} __stdcall CreateWindowExW(uint32_t dwExStyle, intptr_t lpClassName, str16 lpWindowName, uint32_t dwStyle, ` +
      `int X, int Y, int nWidth, int nHeight, ${HWND_T} hWndParent, intptr_t hMenu, void *hInstance, void *lpParam)`,
  ),
  DestroyWindow: user32Lib.func(`int __stdcall DestroyWindow(${HWND_T} hWnd)`),
  IsWindow: user32Lib.func(`int __stdcall IsWindow(${HWND_T} hWnd)`),
  DefWindowProcW: user32Lib.func(`intptr_t __stdcall DefWindowProcW(${HWND_T} hWnd, uint32_t Msg, uintptr_t wParam, intptr_t lParam)`),
  GetClassInfoExW: user32Lib.func('uint16_t __stdcall GetClassInfoExW(void *hInstance, str16 lpszClass, void *lpwcx)'),
  GetClassLongPtrW: user32Lib.func(`uintptr_t __stdcall GetClassLongPtrW(${HWND_T} hWnd, int nIndex)`),
  PostMessageW: user32Lib.func(`int __stdcall PostMessageW(${HWND_T} hWnd, uint32_t Msg, uintptr_t wParam, intptr_t lParam)`),
  PostQuitMessage: user32Lib.func('void __stdcall PostQuitMessage(int nExitCode)'),
  PeekMessageW: user32Lib.func(`int __stdcall PeekMessageW(void *lpMsg, ${HWND_T} hWnd, uint32_t wMsgFilterMin, uint32_t wMsgFilterMax, uint32_t wRemoveMsg)`),
  GetMessageW: user32Lib.func(`int __stdcall GetMessageW(void *lpMsg, ${HWND_T} hWnd, uint32_t wMsgFilterMin, uint32_t wMsgFilterMax)`),
  TranslateMessage: user32Lib.func('int __stdcall TranslateMessage(void *lpMsg)'),
  DispatchMessageW: user32Lib.func('intptr_t __stdcall DispatchMessageW(void *lpMsg)'),
  MsgWaitForMultipleObjectsEx: user32Lib.func(
    'uint32_t __stdcall MsgWaitForMultipleObjectsEx(uint32_t nCount, void *pHandles, uint32_t dwMilliseconds, uint32_t dwWakeMask, uint32_t dwFlags)',
  ),
};

const kernel32 = {
  WaitForSingleObjectEx: kernel32Lib.func('uint32_t __stdcall WaitForSingleObjectEx(intptr_t hHandle, uint32_t dwMilliseconds, int bAlertable)'),
  WaitForMultipleObjectsEx: kernel32Lib.func(
    'uint32_t __stdcall WaitForMultipleObjectsEx(uint32_t nCount, void *lpHandles, int bWaitAll, uint32_t dwMilliseconds, int bAlertable)',
  ),
  GetModuleHandleW: kernel32Lib.func('void * __stdcall GetModuleHandleW(str16 lpModuleName)'),
};

const ws2 = {
  WSAAsyncSelect: ws2Lib.func(`int __stdcall WSAAsyncSelect(intptr_t s, ${HWND_T} hWnd, uint32_t wMsg, int32_t lEvent)`),
};

const GCW_ATOM = -32;
const MSG_SIZE = 48;
const dword = (v: unknown): number => (typeof v === 'number' ? v >>> 0 : 0);
const int = (v: unknown): number => (typeof v === 'number' ? v | 0 : 0);
const truthy = (v: unknown): number => (v === true || (typeof v === 'number' && v !== 0) ? 1 : 0);
/** A pointer-sized integer JS holds exactly, else 0 (WPARAM / LPARAM / HWND). */
const pointerSized = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : 0);
const asNumber = (v: unknown): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : Number(v));

// ---- window procedures ------------------------------------------------------------------------------

/** JS procedures by class atom. */
const procedures = new Map<number, WNDPROC>();
let trampoline: unknown = null;

function trampolineAddress(): unknown {
  trampoline ??= koffi.register((hWnd: unknown, uMsg: number, wParam: unknown, lParam: unknown): number | bigint => {
    const hwnd = asNumber(hWnd);
    const atom = Number(asNumber(user32.GetClassLongPtrW(hwnd, GCW_ATOM))) & 0xffff;
    const proc = procedures.get(atom);
    if (!proc) return user32.DefWindowProcW(hwnd, uMsg, wParam, lParam);
    try {
      const result = proc(hwnd, uMsg >>> 0, asNumber(wParam), asNumber(lParam));
      return typeof result === 'number' && Number.isSafeInteger(result) ? result : 0;
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
      return 0;
    }
  }, koffi.pointer(WndProcType));
  return trampoline;
}

function RegisterClassExW(lpwcx: WNDCLASSEXW | null): number {
  if (lpwcx === null || typeof lpwcx !== 'object' || typeof lpwcx.lpfnWndProc !== 'function' || typeof lpwcx.lpszClassName !== 'string') {
    win32.SetLastError(W.ERROR_INVALID_PARAMETER);
    return 0;
  }
  const atom: number = user32.RegisterClassExW({
    cbSize: dword(lpwcx.cbSize), style: dword(lpwcx.style), lpfnWndProc: trampolineAddress(),
    cbClsExtra: int(lpwcx.cbClsExtra), cbWndExtra: int(lpwcx.cbWndExtra), hInstance: kernel32.GetModuleHandleW(null),
    hIcon: null, hCursor: null, hbrBackground: null, lpszMenuName: null, lpszClassName: lpwcx.lpszClassName, hIconSm: null,
  });
  if (atom !== 0) procedures.set(atom, lpwcx.lpfnWndProc);
  return atom;
}

function UnregisterClassW(lpClassName: string | number | null, _hInstance: HANDLE): boolean {
  const module = kernel32.GetModuleHandleW(null);
  if (typeof lpClassName === 'number') {
    const done = user32.UnregisterClassAtom(lpClassName, module) !== 0;
    if (done) procedures.delete(lpClassName & 0xffff);
    return done;
  }
  if (typeof lpClassName !== 'string') {
    win32.SetLastError(W.ERROR_CLASS_DOES_NOT_EXIST);
    return false;
  }
  // The class's atom, looked up before it goes (GetClassInfoExW returns it).
  const info = new Uint8Array(C.WNDCLASSEXW_SIZE);
  new DataView(info.buffer).setUint32(0, C.WNDCLASSEXW_SIZE, true);
  const atom: number = user32.GetClassInfoExW(module, lpClassName, info);
  const done = user32.UnregisterClassW(lpClassName, module) !== 0;
  if (done && atom !== 0) procedures.delete(atom);
  return done;
}

function CreateWindowExW(
  dwExStyle: number, lpClassName: string | number | null, lpWindowName: string | null, dwStyle: number,
  X: number, Y: number, nWidth: number, nHeight: number, hWndParent: HWND, hMenu: HANDLE, _hInstance: HANDLE, _lpParam: null,
): HWND {
  const args = [dword(dwStyle), int(X), int(Y), int(nWidth), int(nHeight), pointerSized(hWndParent), pointerSized(hMenu), kernel32.GetModuleHandleW(null), null] as const;
  const title = typeof lpWindowName === 'string' ? lpWindowName : null;
  if (typeof lpClassName === 'number') return asNumber(user32.CreateWindowExAtom(dword(dwExStyle), lpClassName & 0xffff, title, ...args));
  if (typeof lpClassName !== 'string') {
    win32.SetLastError(W.ERROR_CANNOT_FIND_WND_CLASS);
    return 0;
  }
  return asNumber(user32.CreateWindowExW(dword(dwExStyle), lpClassName, title, ...args));
}

// ---- MSG ----------------------------------------------------------------------------------------------

function encodeMsg(msg: MSG): Uint8Array {
  const raw = new Uint8Array(MSG_SIZE);
  const view = new DataView(raw.buffer);
  view.setBigInt64(0, BigInt(pointerSized(msg.hwnd)), true);
  view.setUint32(8, dword(msg.message), true);
  view.setBigInt64(16, BigInt(pointerSized(msg.wParam)), true);
  view.setBigInt64(24, BigInt(pointerSized(msg.lParam)), true);
  view.setUint32(32, dword(msg.time), true);
  view.setInt32(36, int(msg.pt?.x), true);
  view.setInt32(40, int(msg.pt?.y), true);
  return raw;
}

function decodeMsg(raw: Uint8Array, out: MSG): void {
  const view = new DataView(raw.buffer, raw.byteOffset, MSG_SIZE);
  out.hwnd = Number(view.getBigInt64(0, true));
  out.message = view.getUint32(8, true);
  out.wParam = Number(view.getBigUint64(16, true));
  out.lParam = Number(view.getBigInt64(24, true));
  out.time = view.getUint32(32, true);
  out.pt = { x: view.getInt32(36, true), y: view.getInt32(40, true) };
}

const isMsg = (v: unknown): v is MSG => v !== null && typeof v === 'object';

function PeekMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number, wRemoveMsg: number): boolean {
  if (!isMsg(lpMsg)) {
    win32.SetLastError(W.ERROR_INVALID_PARAMETER);
    return false;
  }
  const raw = new Uint8Array(MSG_SIZE);
  const got = user32.PeekMessageW(raw, pointerSized(hWnd), dword(wMsgFilterMin), dword(wMsgFilterMax), dword(wRemoveMsg)) !== 0;
  if (got) decodeMsg(raw, lpMsg);
  return got;
}

function GetMessageW(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): number {
  if (!isMsg(lpMsg)) {
    win32.SetLastError(W.ERROR_INVALID_PARAMETER);
    return -1;
  }
  const raw = new Uint8Array(MSG_SIZE);
  const result: number = user32.GetMessageW(raw, pointerSized(hWnd), dword(wMsgFilterMin), dword(wMsgFilterMax));
  if (result !== -1) decodeMsg(raw, lpMsg);
  return result;
}

/** Polls PeekMessageW(PM_REMOVE) on this thread (its queue is this thread's). */
function GetMessageWAsync(lpMsg: MSG | null, hWnd: HWND, wMsgFilterMin: number, wMsgFilterMax: number): Promise<number> {
  if (!isMsg(lpMsg)) {
    win32.SetLastError(W.ERROR_INVALID_PARAMETER);
    return Promise.resolve(-1);
  }
  return new Promise((resolve) => {
    wait({
      deadline: Infinity,
      poll() {
        const raw = new Uint8Array(MSG_SIZE);
        const got = user32.PeekMessageW(raw, pointerSized(hWnd), dword(wMsgFilterMin), dword(wMsgFilterMax), C.PM_REMOVE) !== 0;
        if (!got) {
          // A bad window is GetMessageW's -1 (asked with IsWindow: an empty queue leaves the last
          // error as it was); an empty queue keeps polling.
          const h = pointerSized(hWnd);
          if (h !== 0 && h !== -1 && user32.IsWindow(h) === 0) {
            win32.SetLastError(W.ERROR_INVALID_WINDOW_HANDLE);
            resolve(-1);
            return true;
          }
          return false;
        }
        try {
          decodeMsg(raw, lpMsg);
          resolve(lpMsg.message === C.WM_QUIT ? 0 : 1);
        } catch {
          // A MSG that cannot be written (frozen, a throwing Proxy): the guard's answer.
          win32.SetLastError(W.ERROR_INVALID_PARAMETER);
          resolve(-1);
        }
        return true;
      },
      expire: () => resolve(-1),
    });
  });
}

function TranslateMessage(lpMsg: MSG | null): boolean {
  return isMsg(lpMsg) && user32.TranslateMessage(encodeMsg(lpMsg)) !== 0;
}

function DispatchMessageW(lpMsg: MSG | null): number {
  if (!isMsg(lpMsg)) {
    win32.SetLastError(W.ERROR_INVALID_PARAMETER);
    return 0;
  }
  return asNumber(user32.DispatchMessageW(encodeMsg(lpMsg)));
}

function PostMessageW(hWnd: HWND, Msg: number, wParam: number, lParam: number): boolean {
  const ok = user32.PostMessageW(pointerSized(hWnd), dword(Msg), pointerSized(wParam), pointerSized(lParam)) !== 0;
  if (ok) kick();
  return ok;
}

// ---- waits --------------------------------------------------------------------------------------------

/** The native handle list, or null when the count asks for more entries than the list has (C would read past it). */
function handles(nCount: number, list: readonly HANDLE[] | null, maximum: number): BigInt64Array | null {
  const count = dword(nCount);
  const length = Array.isArray(list) ? list.length : 0;
  if (count >= 1 && count <= maximum && length < count) return null;
  const out = new BigInt64Array(Math.max(1, Math.min(count, maximum)));
  for (let i = 0; i < Math.min(out.length, length); i++) out[i] = BigInt(nativeHandle(list![i]));
  return out;
}

function waited(call: () => number): number {
  try {
    return call();
  } finally {
    afterWait();
  }
}

/** The async form of a wait: its real call with a 0 time-out, polled from this thread. */
function polled(ms: number, look: () => number): Promise<number> {
  return new Promise((resolve) => {
    wait({
      deadline: deadlineOf(ms),
      poll() {
        const result = waited(look);
        if (result === W.WAIT_TIMEOUT) return false;
        resolve(result);
        return true;
      },
      expire: () => resolve(W.WAIT_TIMEOUT),
    });
  });
}

function WaitForSingleObjectEx(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): number {
  return waited(() => kernel32.WaitForSingleObjectEx(nativeHandle(hHandle), dword(dwMilliseconds), truthy(bAlertable)));
}

function WaitForSingleObjectExAsync(hHandle: HANDLE, dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  return polled(dword(dwMilliseconds), () => kernel32.WaitForSingleObjectEx(nativeHandle(hHandle), 0, truthy(bAlertable)));
}

function multiple(nCount: number, lpHandles: readonly HANDLE[] | null, maximum: number): BigInt64Array | number {
  const list = handles(nCount, lpHandles, maximum);
  if (list !== null) return list;
  win32.SetLastError(W.ERROR_INVALID_PARAMETER);
  return C.WAIT_FAILED;
}

function WaitForMultipleObjectsEx(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): number {
  const list = multiple(nCount, lpHandles, C.MAXIMUM_WAIT_OBJECTS);
  if (typeof list === 'number') return list;
  return waited(() => kernel32.WaitForMultipleObjectsEx(dword(nCount), list, truthy(bWaitAll), dword(dwMilliseconds), truthy(bAlertable)));
}

function WaitForMultipleObjectsExAsync(nCount: number, lpHandles: readonly HANDLE[] | null, bWaitAll: boolean | number, dwMilliseconds: number, bAlertable: boolean | number): Promise<number> {
  const list = multiple(nCount, lpHandles, C.MAXIMUM_WAIT_OBJECTS);
  if (typeof list === 'number') return Promise.resolve(list);
  return polled(dword(dwMilliseconds), () => kernel32.WaitForMultipleObjectsEx(dword(nCount), list, truthy(bWaitAll), 0, truthy(bAlertable)));
}

function MsgWaitForMultipleObjectsEx(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): number {
  const list = multiple(nCount, pHandles, C.MAXIMUM_WAIT_OBJECTS - 1);
  if (typeof list === 'number') return list;
  return waited(() => user32.MsgWaitForMultipleObjectsEx(dword(nCount), list, dword(dwMilliseconds), dword(dwWakeMask), dword(dwFlags)));
}

function MsgWaitForMultipleObjectsExAsync(nCount: number, pHandles: readonly HANDLE[] | null, dwMilliseconds: number, dwWakeMask: number, dwFlags: number): Promise<number> {
  const list = multiple(nCount, pHandles, C.MAXIMUM_WAIT_OBJECTS - 1);
  if (typeof list === 'number') return Promise.resolve(list);
  return polled(dword(dwMilliseconds), () => user32.MsgWaitForMultipleObjectsEx(dword(nCount), list, 0, dword(dwWakeMask), dword(dwFlags)));
}

function WSAAsyncSelect(s: SOCKET, hWnd: HWND, wMsg: number, lEvent: number): number {
  return ws2.WSAAsyncSelect(nativeSocket(s), pointerSized(hWnd), dword(wMsg), int(lEvent));
}

// ---- the exports --------------------------------------------------------------------------------------

const guard = makeGuard((code) => win32.SetLastError(code));
const PARAM = W.ERROR_INVALID_PARAMETER;

export const messageFunctions: WinsockMessages = {
  WSAAsyncSelect: guard(needsStartup(-1, WSAAsyncSelect), -1, W.WSAEINVAL),
  WaitForSingleObjectEx: guard(WaitForSingleObjectEx, C.WAIT_FAILED, PARAM),
  WaitForSingleObjectExAsync: guard(WaitForSingleObjectExAsync, Promise.resolve(C.WAIT_FAILED), PARAM),
  WaitForMultipleObjectsEx: guard(WaitForMultipleObjectsEx, C.WAIT_FAILED, PARAM),
  WaitForMultipleObjectsExAsync: guard(WaitForMultipleObjectsExAsync, Promise.resolve(C.WAIT_FAILED), PARAM),
  MsgWaitForMultipleObjectsEx: guard(MsgWaitForMultipleObjectsEx, C.WAIT_FAILED, PARAM),
  MsgWaitForMultipleObjectsExAsync: guard(MsgWaitForMultipleObjectsExAsync, Promise.resolve(C.WAIT_FAILED), PARAM),
  RegisterClassExW: guard(RegisterClassExW, 0, PARAM),
  UnregisterClassW: guard(UnregisterClassW, false, PARAM),
  CreateWindowExW: guard(CreateWindowExW, 0, PARAM),
  DestroyWindow: guard((hWnd: HWND) => user32.DestroyWindow(pointerSized(hWnd)) !== 0, false, W.ERROR_INVALID_WINDOW_HANDLE),
  DefWindowProcW: guard((hWnd: HWND, Msg: number, wParam: number, lParam: number) =>
    asNumber(user32.DefWindowProcW(pointerSized(hWnd), dword(Msg), pointerSized(wParam), pointerSized(lParam))), 0, PARAM),
  PostMessageW: guard(PostMessageW, false, PARAM),
  PostQuitMessage: guard((nExitCode: number) => {
    user32.PostQuitMessage(int(nExitCode));
    kick();
  }, undefined, PARAM),
  PeekMessageW: guard(PeekMessageW, false, PARAM),
  GetMessageW: guard(GetMessageW, -1, PARAM),
  GetMessageWAsync: guard(GetMessageWAsync, Promise.resolve(-1), PARAM),
  TranslateMessage: guard(TranslateMessage, false, PARAM),
  DispatchMessageW: guard(DispatchMessageW, 0, PARAM),
};
