/**
 * Runs inside a network namespace made by netns-run.ts (never on the host): WSAAsyncSelect of the
 * change notifications, one scenario per run (argv[2]); prints one JSON object per line. Address
 * and route changes use documentation ranges only, on a veth pair that exists only in the
 * namespace, and are made by a background shell (shLater) while this thread is blocked in
 * GetMessageW. Every wait is bounded (MsgWaitForMultipleObjectsEx time-outs; the parent kills this
 * process after its time-out).
 */
import * as ws from 'wsaioctl/winsock';
import { sh, shLater, setupLinks } from './netns-run.js';

const out = (result: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(result) + '\n'); };
const WM_NETWORK = ws.WM_APP + 1;
const WAIT_MS = 5000;

/** A window whose procedure records what DispatchMessageW hands it. */
function recordingWindow(seen: Array<{ hwnd: number; msg: number; wParam: number; event: number; error: number }>): number {
  ws.RegisterClassExW({
    cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: 'netns-recorder',
    lpfnWndProc: (hwnd, msg, wParam, lParam) => {
      if (msg !== WM_NETWORK) return ws.DefWindowProcW(hwnd, msg, wParam, lParam);
      seen.push({ hwnd, msg, wParam, event: ws.WSAGETSELECTEVENT(lParam), error: ws.WSAGETSELECTERROR(lParam) });
      return 0;
    },
  });
  return ws.CreateWindowExW(0, 'netns-recorder', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
}

/** The change ioctl without OVERLAPPED on the (non-blocking) selected socket: [rc, error]. */
function arm(s: number, code: number, input: Uint8Array | null = null): [number, number] {
  const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, null, 0, { value: 0 }, null, null);
  return [rc, ws.WSAGetLastError()];
}

/** Whether a message comes within `ms` (without taking it). */
const messageWithin = (ms: number): boolean => ws.MsgWaitForMultipleObjectsEx(0, null, ms, ws.QS_POSTMESSAGE, ws.MWMO_INPUTAVAILABLE) === ws.WAIT_OBJECT_0;

const scenarios: Record<string, () => void> = {
  /**
   * FD_ADDRESS_LIST_CHANGE: posted once per armed change, to a window procedure through
   * GetMessageW (which blocks until the change) and DispatchMessageW; not again until re-armed.
   */
  'address-list'() {
    const seen: Array<{ hwnd: number; msg: number; wParam: number; event: number; error: number }> = [];
    const hwnd = recordingWindow(seen);
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    const selected = ws.WSAAsyncSelect(s, hwnd, WM_NETWORK, ws.FD_ADDRESS_LIST_CHANGE);
    // Not armed yet: a change now posts nothing.
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const beforeArming = messageWithin(300);
    const armed = arm(s, ws.SIO_ADDRESS_LIST_CHANGE);
    shLater(200, 'ip addr add 198.51.100.1/24 dev v0');
    const msg = ws.newMSG();
    // Nothing queued yet: GetMessageW has to wait for the change.
    const emptyBefore = !ws.PeekMessageW(msg, 0, 0, 0, ws.PM_NOREMOVE);
    const got = ws.GetMessageW(msg, 0, 0, 0);
    const dispatched = ws.DispatchMessageW(msg);
    // A second change without re-arming: nothing.
    sh('ip', 'addr', 'add', '203.0.113.1/24', 'dev', 'v0');
    const unarmed = messageWithin(300);
    // Re-armed: the next change is posted again.
    const rearmed = arm(s, ws.SIO_ADDRESS_LIST_CHANGE);
    sh('ip', 'addr', 'del', '203.0.113.1/24', 'dev', 'v0');
    const again = messageWithin(WAIT_MS);
    const msg2 = ws.newMSG();
    if (again && ws.PeekMessageW(msg2, hwnd, WM_NETWORK, WM_NETWORK, ws.PM_REMOVE)) ws.DispatchMessageW(msg2);
    out({ selected, beforeArming, armed, got, emptyBefore, message: msg.message, hwndMatches: msg.hwnd === hwnd, dispatched, unarmed, rearmed, again, seen, socket: s, window: hwnd });
  },

  /** FD_ROUTING_INTERFACE_CHANGE for a destination, posted when a route to it changes. */
  'routing-interface'() {
    const seen: Array<{ hwnd: number; msg: number; wParam: number; event: number; error: number }> = [];
    const hwnd = recordingWindow(seen);
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    const selected = ws.WSAAsyncSelect(s, hwnd, WM_NETWORK, ws.FD_ROUTING_INTERFACE_CHANGE);
    const armed = arm(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ws.sockaddr('198.51.100.7', 0));
    shLater(200, 'ip route add 198.51.100.0/24 via 192.0.2.2 dev v0');
    const came = messageWithin(WAIT_MS);
    const msg = ws.newMSG();
    if (came && ws.GetMessageW(msg, hwnd, WM_NETWORK, WM_NETWORK) > 0) ws.DispatchMessageW(msg);
    out({ selected, armed, came, seen, socket: s, window: hwnd });
  },
};

async function main(): Promise<void> {
  ws.WSAStartup(0x0202, ws.newWSADATA());
  setupLinks();
  const name = process.argv[2] ?? '';
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  await scenario();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    out({ error: String(error instanceof Error ? error.stack : error) });
    process.exit(1);
  },
);
