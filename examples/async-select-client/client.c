/*
 * client.c: the classic WSAAsyncSelect client, as Winsock programs of the window era wrote it:
 * a non-blocking socket whose events (FD_CONNECT, FD_READ, FD_CLOSE) arrive as a window message,
 * handled in the window procedure, driven by a GetMessage / TranslateMessage / DispatchMessage loop.
 * To run alone it also serves itself: a listening socket selected for FD_ACCEPT on the same window
 * answers the client's line in upper case and closes. client.mjs is its line-by-line port.
 *
 *   x86_64-w64-mingw32-gcc -Wall -Wextra -o client.exe client.c -lws2_32
 *
 * Loopback only. Every wait is bounded: the loop gives up after 10 s without a message.
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

#define WM_SOCKET (WM_USER + 1)

static SOCKET listener = INVALID_SOCKET, client = INVALID_SOCKET, served = INVALID_SOCKET;
static int closed;

static LRESULT CALLBACK WndProc(HWND hwnd, UINT msg, WPARAM wParam, LPARAM lParam)
{
    SOCKET s = (SOCKET)wParam;
    char buf[64];
    int n, i;

    if (msg != WM_SOCKET) return DefWindowProcW(hwnd, msg, wParam, lParam);
    if (WSAGETSELECTERROR(lParam))
    {
        printf("event %d on %s failed: %d\n", WSAGETSELECTEVENT(lParam), s == client ? "client" : "server", WSAGETSELECTERROR(lParam));
        PostQuitMessage(1);
        return 0;
    }
    switch (WSAGETSELECTEVENT(lParam))
    {
    case FD_ACCEPT:
        served = accept(s, NULL, NULL);
        WSAAsyncSelect(served, hwnd, WM_SOCKET, FD_READ | FD_CLOSE);
        printf("server: accepted a connection\n");
        break;
    case FD_CONNECT:
        printf("client: connected\n");
        send(s, "hello, server", 13, 0);
        break;
    case FD_READ:
        n = recv(s, buf, sizeof(buf) - 1, 0);
        if (n <= 0) break;
        buf[n] = 0;
        if (s == served)
        {
            printf("server: got \"%s\"\n", buf);
            for (i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 'a' - 'A';
            send(s, buf, n, 0);
            shutdown(s, SD_SEND);
        }
        else printf("client: got \"%s\"\n", buf);
        break;
    case FD_CLOSE:
        printf("%s: the peer closed\n", s == client ? "client" : "server");
        closesocket(s);
        /* Both ends have seen the other close: the conversation is over. */
        if (++closed == 2) PostQuitMessage(0);
        break;
    }
    return 0;
}

int main(void)
{
    WSADATA wsaData;
    WNDCLASSEXW wc;
    HWND hwnd;
    MSG msg;
    struct sockaddr_in addr;
    int len = sizeof(addr), rc;

    if (WSAStartup(MAKEWORD(2, 2), &wsaData) != 0) return 1;
    memset(&wc, 0, sizeof(wc));
    wc.cbSize = sizeof(wc);
    wc.lpfnWndProc = WndProc;
    wc.hInstance = GetModuleHandleW(NULL);
    wc.lpszClassName = L"AsyncSelectClient";
    if (!RegisterClassExW(&wc)) return 1;
    hwnd = CreateWindowExW(0, L"AsyncSelectClient", NULL, 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, wc.hInstance, NULL);
    if (!hwnd) return 1;

    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(listener, (struct sockaddr *)&addr, &len);
    listen(listener, 1);
    WSAAsyncSelect(listener, hwnd, WM_SOCKET, FD_ACCEPT);
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));

    client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    WSAAsyncSelect(client, hwnd, WM_SOCKET, FD_CONNECT | FD_READ | FD_CLOSE);
    rc = connect(client, (struct sockaddr *)&addr, sizeof(addr));
    printf("connect: %s\n", rc == SOCKET_ERROR && WSAGetLastError() == WSAEWOULDBLOCK ? "WSAEWOULDBLOCK (under way)" : "unexpected");

    for (;;)
    {
        if (MsgWaitForMultipleObjectsEx(0, NULL, 10000, QS_ALLINPUT, MWMO_INPUTAVAILABLE) == WAIT_TIMEOUT)
        {
            printf("no message for 10 s\n");
            return 1;
        }
        rc = GetMessageW(&msg, NULL, 0, 0);
        if (rc <= 0) break;
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
    printf("WM_QUIT: exit code %d\n", (int)msg.wParam);
    closesocket(listener);
    DestroyWindow(hwnd);
    WSACleanup();
    return (int)msg.wParam;
}
