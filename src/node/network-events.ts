/**
 * Network events without a message loop: `onNetworkEvents(sock, events, callback)` and the async
 * iterable `networkEvents(sock, events)`, on WSAAsyncSelect itself. Each subscription owns a
 * message-only window of one class this module registers (its procedure hands the message to the
 * subscriber) and a pump that awaits GetMessageWAsync for that window and dispatches what comes, so
 * the events arrive with Windows' WSAAsyncSelect rules (one per event, re-enabled by the matching
 * call, level-triggered FD_READ / FD_OOB / FD_ACCEPT) without blocking the event loop.
 *
 * FD_ADDRESS_LIST_CHANGE is armed with SIO_ADDRESS_LIST_CHANGE at once and again after each
 * change, as a C program does. Stopping (the function returned, `break`, the signal, or the Node
 * socket's 'close') cancels the selection (WSAAsyncSelect(s, hWnd, 0, 0)) and destroys the window.
 */
import * as ws from '../winsock/index.js';
import { WinsockError } from './errors.js';
import { ensureStarted } from './core.js';
import { socketOf, type SocketLike } from './adopt.js';

/** One network event, as WSAAsyncSelect's message carries it. */
export interface NetworkEvent {
  /** The FD_* bit (WSAGETSELECTEVENT of lParam). */
  event: number;
  /** Its name: 'FD_READ', 'FD_WRITE', 'FD_OOB', 'FD_ACCEPT', 'FD_CONNECT', 'FD_CLOSE', 'FD_ADDRESS_LIST_CHANGE', ... */
  name: string;
  /** The Winsock error of the event (WSAGETSELECTERROR), 0 for none: WSAECONNREFUSED on FD_CONNECT, WSAECONNABORTED on FD_CLOSE after a reset ... */
  error: number;
}

/** Options of `networkEvents`. */
export interface NetworkEventsOptions {
  /** Stops the subscription: the loop ends with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
}

const EVENT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ws.FD_READ, 'FD_READ'], [ws.FD_WRITE, 'FD_WRITE'], [ws.FD_OOB, 'FD_OOB'], [ws.FD_ACCEPT, 'FD_ACCEPT'],
  [ws.FD_CONNECT, 'FD_CONNECT'], [ws.FD_CLOSE, 'FD_CLOSE'], [ws.FD_QOS, 'FD_QOS'], [ws.FD_GROUP_QOS, 'FD_GROUP_QOS'],
  [ws.FD_ROUTING_INTERFACE_CHANGE, 'FD_ROUTING_INTERFACE_CHANGE'], [ws.FD_ADDRESS_LIST_CHANGE, 'FD_ADDRESS_LIST_CHANGE'],
];
const CLASS_NAME = 'wsaioctl-network-events';
const WM_NETWORK_EVENT = ws.WM_APP + 0x57;

/** The subscriber of each window of this module's class. */
const subscribers = new Map<number, (lParam: number) => void>();
let registered = false;

function registerClass(): void {
  if (registered) return;
  const atom = ws.RegisterClassExW({
    cbSize: ws.WNDCLASSEXW_SIZE,
    lpszClassName: CLASS_NAME,
    lpfnWndProc: (hWnd, uMsg, wParam, lParam) => {
      if (uMsg !== WM_NETWORK_EVENT) return ws.DefWindowProcW(hWnd, uMsg, wParam, lParam);
      subscribers.get(hWnd)?.(lParam);
      return 0;
    },
  });
  if (atom === 0 && ws.GetLastError() !== ws.ERROR_CLASS_ALREADY_EXISTS) throw new WinsockError(ws.GetLastError(), 'RegisterClassExW');
  registered = true;
}

function armAddressList(s: ws.SOCKET): void {
  const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, null, null);
  if (rc !== 0 && ws.WSAGetLastError() !== ws.WSAEWOULDBLOCK) throw new WinsockError(ws.WSAGetLastError(), 'WSAIoctl(SIO_ADDRESS_LIST_CHANGE)');
}

/**
 * Calls `callback` for each network event of `events` (FD_READ | FD_WRITE | ... |
 * FD_ADDRESS_LIST_CHANGE) on `sock`, through **WSAAsyncSelect**; returns the function that stops.
 * The socket becomes non-blocking for Winsock while subscribed (a Node socket's own mode is not
 * touched). One subscription per socket: a new one replaces the previous one, as WSAAsyncSelect
 * does. A Node socket's 'close' stops it. Keeps the process alive while subscribed.
 *
 * ```js
 * const stop = onNetworkEvents(socket, FD_READ | FD_CLOSE, ({ name, error }) => console.log(name, error));
 * ```
 * Throws WinsockError (WSAENOTSOCK, WSAEINVAL ...) when the selection fails.
 */
export function onNetworkEvents(sock: SocketLike, events: number, callback: (event: NetworkEvent) => void): () => void {
  ensureStarted();
  registerClass();
  const s = socketOf(sock);
  const hwnd = ws.CreateWindowExW(0, CLASS_NAME, null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
  if (hwnd === 0) throw new WinsockError(ws.GetLastError(), 'CreateWindowExW');
  const addressList = (events & ws.FD_ADDRESS_LIST_CHANGE) !== 0;
  let stopped = false;
  subscribers.set(hwnd, (lParam) => {
    if (stopped) return;
    const event = ws.WSAGETSELECTEVENT(lParam);
    // The next address change is armed before the callback runs, so none is missed.
    if (event === ws.FD_ADDRESS_LIST_CHANGE) armAddressList(s);
    callback({ event, name: EVENT_NAMES.find(([bit]) => bit === event)?.[1] ?? `0x${event.toString(16)}`, error: ws.WSAGETSELECTERROR(lParam) });
  });
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (typeof sock === 'object') sock.off('close', stop);
    ws.WSAAsyncSelect(s, hwnd, 0, 0);
    subscribers.delete(hwnd);
    // The pump's GetMessageWAsync for this window ends with -1 once it is gone.
    ws.DestroyWindow(hwnd);
  };
  if (ws.WSAAsyncSelect(s, hwnd, WM_NETWORK_EVENT, events) !== 0) {
    const error = ws.WSAGetLastError();
    stop();
    throw new WinsockError(error, 'WSAAsyncSelect');
  }
  try {
    if (addressList) armAddressList(s);
  } catch (error) {
    stop();
    throw error;
  }
  if (typeof sock === 'object') sock.once('close', stop);
  void pump(hwnd);
  return stop;
}

/** Take this window's messages as they come and dispatch them to its procedure, until it is destroyed. */
async function pump(hwnd: number): Promise<void> {
  const msg = ws.newMSG();
  // A callback that throws does not end the subscription: its exception is reported as uncaught
  // on a later turn, as an exception from any window procedure is (DispatchMessageW never throws).
  while ((await ws.GetMessageWAsync(msg, hwnd, WM_NETWORK_EVENT, WM_NETWORK_EVENT)) > 0) ws.DispatchMessageW(msg);
}

/**
 * The network events of `sock` as an async iterable of `{ event, name, error }` (see
 * onNetworkEvents): events that come while the loop body runs are queued, none is lost. `break`
 * or the signal stops the subscription.
 *
 * ```js
 * for await (const { name, error } of networkEvents(socket, FD_READ | FD_CLOSE, { signal })) {
 *   if (name === 'FD_CLOSE') break;
 * }
 * ```
 */
export function networkEvents(sock: SocketLike, events: number, options: NetworkEventsOptions = {}): AsyncGenerator<NetworkEvent, void, undefined> {
  const { signal } = options;
  return (async function* () {
    signal?.throwIfAborted();
    const queue: NetworkEvent[] = [];
    let wake: (() => void) | null = null;
    const stop = onNetworkEvents(sock, events, (event) => {
      queue.push(event);
      wake?.();
    });
    const aborted = (): void => wake?.();
    signal?.addEventListener('abort', aborted);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        signal?.throwIfAborted();
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = null;
      }
    } finally {
      signal?.removeEventListener('abort', aborted);
      stop();
    }
  })();
}
