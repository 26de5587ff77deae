// @ts-check
// client.mjs: client.c (next to this file), the classic WSAAsyncSelect client, ported line by line
// to `wsaioctl/winsock`. Each C line is quoted above its port (`// C: ...`). The rules of the port:
//
//   - the window procedure is a JS function given in WNDCLASSEXW.lpfnWndProc;
//   - MSG is a plain object (newMSG()), passed where C passes &msg;
//   - buffers are Uint8Array with their size passed separately, as in C;
//   - constants and return conventions are Windows': SOCKET_ERROR, HWND_MESSAGE, WM_USER, FD_*.
//
// The GetMessageW loop blocks this thread between messages, as in C: the emulation fills the queue
// itself (no return to Node's event loop is needed). The same code runs on the Linux emulation and
// on Windows' user32.dll / ws2_32.dll. Loopback only.
//
//   npm run build && node examples/async-select-client/client.mjs
import * as ws from 'wsaioctl/winsock';

// C: #define WM_SOCKET (WM_USER + 1)
const WM_SOCKET = ws.WM_USER + 1;

// C: static SOCKET listener = INVALID_SOCKET, client = INVALID_SOCKET, served = INVALID_SOCKET;
let listener = ws.INVALID_SOCKET, client = ws.INVALID_SOCKET, served = ws.INVALID_SOCKET;
// C: static int closed;
let closed = 0;

const text = new TextDecoder();

// C: static LRESULT CALLBACK WndProc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
/** @type {ws.WNDPROC} */
function WndProc(hwnd, msg, wParam, lParam) {
  // C: SOCKET s = (SOCKET)wParam;
  const s = wParam;
  // C: char buf[64];
  const buf = new Uint8Array(64);

  // C: if (msg != WM_SOCKET) return DefWindowProcW(hwnd, msg, wParam, lParam);
  if (msg !== WM_SOCKET) return ws.DefWindowProcW(hwnd, msg, wParam, lParam);
  // C: if (WSAGETSELECTERROR(lParam))
  if (ws.WSAGETSELECTERROR(lParam)) {
    // C: printf("event %d on %s failed: %d\n", ...); PostQuitMessage(1); return 0;
    console.log(`event ${ws.WSAGETSELECTEVENT(lParam)} on ${s === client ? 'client' : 'server'} failed: ${ws.WSAGETSELECTERROR(lParam)}`);
    ws.PostQuitMessage(1);
    return 0;
  }
  // C: switch (WSAGETSELECTEVENT(lParam))
  switch (ws.WSAGETSELECTEVENT(lParam)) {
    // C: case FD_ACCEPT:
    case ws.FD_ACCEPT:
      // C: served = accept(s, NULL, NULL);
      served = ws.accept(s, null, null);
      // C: WSAAsyncSelect(served, hwnd, WM_SOCKET, FD_READ | FD_CLOSE);
      ws.WSAAsyncSelect(served, hwnd, WM_SOCKET, ws.FD_READ | ws.FD_CLOSE);
      // C: printf("server: accepted a connection\n");
      console.log('server: accepted a connection');
      break;
    // C: case FD_CONNECT:
    case ws.FD_CONNECT:
      // C: printf("client: connected\n");
      console.log('client: connected');
      // C: send(s, "hello, server", 13, 0);
      ws.send(s, new TextEncoder().encode('hello, server'), 13, 0);
      break;
    // C: case FD_READ:
    case ws.FD_READ: {
      // C: n = recv(s, buf, sizeof(buf) - 1, 0);
      const n = ws.recv(s, buf, buf.length - 1, 0);
      // C: if (n <= 0) break;
      if (n <= 0) break;
      // C: buf[n] = 0;   (a string instead)
      const line = text.decode(buf.subarray(0, n));
      // C: if (s == served)
      if (s === served) {
        // C: printf("server: got \"%s\"\n", buf);
        console.log(`server: got "${line}"`);
        // C: for (i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 'a' - 'A';
        const upper = new TextEncoder().encode(line.toUpperCase());
        // C: send(s, buf, n, 0);
        ws.send(s, upper, n, 0);
        // C: shutdown(s, SD_SEND);
        ws.shutdown(s, ws.SD_SEND);
      } else {
        // C: else printf("client: got \"%s\"\n", buf);
        console.log(`client: got "${line}"`);
      }
      break;
    }
    // C: case FD_CLOSE:
    case ws.FD_CLOSE:
      // C: printf("%s: the peer closed\n", s == client ? "client" : "server");
      console.log(`${s === client ? 'client' : 'server'}: the peer closed`);
      // C: closesocket(s);
      ws.closesocket(s);
      // C: if (++closed == 2) PostQuitMessage(0);   (both ends have seen the other close)
      if (++closed === 2) ws.PostQuitMessage(0);
      break;
  }
  // C: return 0;
  return 0;
}

// C: int main(void)
function main() {
  // C: WSADATA wsaData; WNDCLASSEXW wc; HWND hwnd; MSG msg; struct sockaddr_in addr; int len = sizeof(addr), rc;
  const wsaData = ws.newWSADATA();
  const msg = ws.newMSG();
  const addr = new Uint8Array(16);
  const len = { value: addr.length };
  let rc;

  // C: if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0) return 1;
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), wsaData) !== 0) return 1;
  // C: memset(&wc, 0, sizeof(wc)); wc.cbSize = sizeof(wc); wc.lpfnWndProc = WndProc; ...
  //    wc.lpszClassName = L"AsyncSelectClient";
  /** @type {ws.WNDCLASSEXW} */
  const wc = { cbSize: ws.WNDCLASSEXW_SIZE, lpfnWndProc: WndProc, lpszClassName: 'AsyncSelectClient' };
  // C: if (!RegisterClassExW(&wc)) return 1;
  if (!ws.RegisterClassExW(wc)) return 1;
  // C: hwnd = CreateWindowExW(0, L"AsyncSelectClient", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, wc.hInstance, NULL);
  const hwnd = ws.CreateWindowExW(0, 'AsyncSelectClient', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
  // C: if (!hwnd) return 1;
  if (!hwnd) return 1;

  // C: listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  // C: addr.sin_family = AF_INET; addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.set(ws.sockaddr('127.0.0.1', 0));
  // C: bind(listener, (struct sockaddr *)&addr, sizeof(addr));
  ws.bind(listener, addr, addr.length);
  // C: getsockname(listener, (struct sockaddr *)&addr, &len);
  ws.getsockname(listener, addr, len);
  // C: listen(listener, 1);
  ws.listen(listener, 1);
  // C: WSAAsyncSelect(listener, hwnd, WM_SOCKET, FD_ACCEPT);
  ws.WSAAsyncSelect(listener, hwnd, WM_SOCKET, ws.FD_ACCEPT);
  // C: printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
  console.log(`listening on 127.0.0.1:${ws.parseSockaddr(addr).port}`);

  // C: client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  // C: WSAAsyncSelect(client, hwnd, WM_SOCKET, FD_CONNECT | FD_READ | FD_CLOSE);
  ws.WSAAsyncSelect(client, hwnd, WM_SOCKET, ws.FD_CONNECT | ws.FD_READ | ws.FD_CLOSE);
  // C: rc = connect(client, (struct sockaddr *)&addr, sizeof(addr));
  rc = ws.connect(client, addr, addr.length);
  // C: printf("connect: %s\n", rc == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK ? ... : "unexpected");
  console.log(`connect: ${rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSAEWOULDBLOCK ? 'WSAEWOULDBLOCK (under way)' : 'unexpected'}`);

  // C: for (;;)
  for (;;) {
    // C: if (MsgWaitForMultipleObjectsEx(0, NULL, 10000, QS_ALLINPUT, MWMO_INPUTAVAILABLE) == WAIT_TIMEOUT)
    if (ws.MsgWaitForMultipleObjectsEx(0, null, 10000, ws.QS_ALLINPUT, ws.MWMO_INPUTAVAILABLE) === ws.WAIT_TIMEOUT) {
      // C: printf("no message for 10 s\n"); return 1;
      console.log('no message for 10 s');
      return 1;
    }
    // C: rc = GetMessageW(&msg, NULL, 0, 0);
    rc = ws.GetMessageW(msg, 0, 0, 0);
    // C: if (rc <= 0) break;
    if (rc <= 0) break;
    // C: TranslateMessage(&msg);
    ws.TranslateMessage(msg);
    // C: DispatchMessageW(&msg);
    ws.DispatchMessageW(msg);
  }
  // C: printf("WM_QUIT: exit code %d\n", (int)msg.wParam);
  console.log(`WM_QUIT: exit code ${msg.wParam}`);
  // C: closesocket(listener);
  ws.closesocket(listener);
  // C: DestroyWindow(hwnd);
  ws.DestroyWindow(hwnd);
  // C: WSACleanup();
  ws.WSACleanup();
  // C: return (int)msg.wParam;
  return msg.wParam;
}

process.exitCode = main();
