/*
 * The classic Winsock completion-port echo server, the Wine baseline of bench/echo.mjs (built with
 * x86_64-w64-mingw32-gcc, run under Wine). The main thread accepts with accept() and associates
 * each connection with the port; one worker thread calls GetQueuedCompletionStatus and keeps one
 * overlapped WSARecv or WSASend in flight per connection: what was received is sent back whole,
 * then the next receive is issued.
 *
 *   echo-iocp.exe <port-file>
 *
 * Listens on 127.0.0.1 (an ephemeral port, written in decimal to <port-file>) until killed.
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define BUFFER_SIZE 65536

typedef struct {
  WSAOVERLAPPED ov; /* first: the OVERLAPPED a packet carries is the connection */
  SOCKET s;
  int sending;
  DWORD length; /* bytes received, being echoed */
  DWORD sent;
  char buffer[BUFFER_SIZE];
} Connection;

static void close_connection(Connection *c) {
  closesocket(c->s);
  free(c);
}

static void post_receive(Connection *c) {
  WSABUF buf = { BUFFER_SIZE, c->buffer };
  DWORD flags = 0;
  c->sending = 0;
  memset(&c->ov, 0, sizeof c->ov);
  if (WSARecv(c->s, &buf, 1, NULL, &flags, &c->ov, NULL) == SOCKET_ERROR && WSAGetLastError() != WSA_IO_PENDING)
    close_connection(c);
}

static void post_send(Connection *c) {
  WSABUF buf = { c->length - c->sent, c->buffer + c->sent };
  c->sending = 1;
  memset(&c->ov, 0, sizeof c->ov);
  if (WSASend(c->s, &buf, 1, NULL, 0, &c->ov, NULL) == SOCKET_ERROR && WSAGetLastError() != WSA_IO_PENDING)
    close_connection(c);
}

static DWORD WINAPI worker(LPVOID port) {
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *ov = NULL;
    BOOL ok = GetQueuedCompletionStatus((HANDLE)port, &bytes, &key, &ov, INFINITE);
    if (ov == NULL) return 1; /* the port itself failed */
    Connection *c = (Connection *)ov;
    if (!ok || (!c->sending && bytes == 0)) { /* reset, abort, or the peer's graceful close */
      close_connection(c);
      continue;
    }
    if (!c->sending) {
      c->length = bytes;
      c->sent = 0;
      post_send(c);
    } else if ((c->sent += bytes) < c->length) {
      post_send(c);
    } else {
      post_receive(c);
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: echo-iocp.exe <port-file>\n");
    return 2;
  }
  WSADATA data;
  if (WSAStartup(MAKEWORD(2, 2), &data) != 0) return 1;
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  struct sockaddr_in addr = { 0 };
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = sizeof addr;
  if (port == NULL || listener == INVALID_SOCKET || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(listener, SOMAXCONN) != 0 || getsockname(listener, (struct sockaddr *)&addr, &length) != 0) {
    fprintf(stderr, "echo-iocp: set-up failed: %d\n", WSAGetLastError());
    return 1;
  }
  FILE *f = fopen(argv[1], "w");
  if (f == NULL) return 1;
  fprintf(f, "%u\n", ntohs(addr.sin_port));
  fclose(f);
  if (CreateThread(NULL, 0, worker, port, 0, NULL) == NULL) return 1;
  for (;;) {
    SOCKET s = accept(listener, NULL, NULL);
    if (s == INVALID_SOCKET) continue;
    BOOL on = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&on, sizeof on);
    Connection *c = calloc(1, sizeof *c);
    if (c == NULL || CreateIoCompletionPort((HANDLE)s, port, 0, 0) == NULL) {
      closesocket(s);
      free(c);
      continue;
    }
    c->s = s;
    post_receive(c);
  }
}
