/*
 * Connection-rate benchmark, the C side (bench/accept-conn.mjs is its port to wsaioctl/winsock):
 * AcceptEx and ConnectEx on one completion port, in one thread. INFLIGHT AcceptEx calls stay
 * posted on a loopback listener, each with an accept socket made beforehand; INFLIGHT clients
 * connect with ConnectEx from sockets bound to 127.0.0.1:0. Each completed accept closes its
 * socket and posts the next AcceptEx; each completed connect closes its socket and starts the next
 * ConnectEx. Prints one JSON line. Loopback only; at most MAX_CONNECTIONS connections.
 *
 *   x86_64-w64-mingw32-gcc -O2 -o accept-conn.exe accept-conn.c -lws2_32; wine accept-conn.exe [seconds]
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INFLIGHT 8
#define MAX_CONNECTIONS 20000
#define KEY_LISTENER 1
#define KEY_CLIENT 2

struct slot {
  OVERLAPPED ov;
  SOCKET s;
  char buf[64];
};

static LPFN_ACCEPTEX accept_ex;
static LPFN_CONNECTEX connect_ex;
static SOCKET listener;
static HANDLE port;
static SOCKADDR_IN name, client;
static int started;

static void fail(const char *what) {
  printf("{\"error\":\"%s failed: %d\"}\n", what, WSAGetLastError());
  exit(1);
}

static SOCKET tcp(void) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) fail("socket");
  return s;
}

static void pending(BOOL result, const char *what) {
  if (!result && WSAGetLastError() != WSA_IO_PENDING) fail(what);
}

static void *extension(SOCKET s, GUID guid) {
  void *pointer = NULL;
  DWORD bytes = 0;
  if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &pointer, sizeof pointer, &bytes, NULL, NULL) != 0) fail("WSAIoctl");
  return pointer;
}

static void post_accept(struct slot *slot) {
  memset(&slot->ov, 0, sizeof slot->ov);
  slot->s = tcp();
  pending(accept_ex(listener, slot->s, slot->buf, 0, 32, 32, NULL, &slot->ov), "AcceptEx");
}

static void post_connect(struct slot *slot) {
  memset(&slot->ov, 0, sizeof slot->ov);
  slot->s = tcp();
  if (bind(slot->s, (SOCKADDR *)&client, sizeof client) != 0) fail("bind");
  if (CreateIoCompletionPort((HANDLE)slot->s, port, KEY_CLIENT, 0) != port) fail("CreateIoCompletionPort");
  started++;
  pending(connect_ex(slot->s, (SOCKADDR *)&name, sizeof name, NULL, 0, NULL, &slot->ov), "ConnectEx");
}

int main(int argc, char **argv) {
  WSADATA wsa;
  struct slot accepts[INFLIGHT], connects[INFLIGHT];
  GUID acceptex_id = WSAID_ACCEPTEX, connectex_id = WSAID_CONNECTEX;
  int name_length = sizeof name, accepted = 0, i;
  double seconds = argc > 1 ? atof(argv[1]) : 2;
  LARGE_INTEGER frequency, begin, now;

  if (seconds <= 0 || seconds > 30) seconds = 2;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;
  listener = tcp();
  memset(&client, 0, sizeof client);
  client.sin_family = AF_INET;
  client.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (SOCKADDR *)&client, sizeof client) != 0 || listen(listener, 128) != 0) fail("bind / listen");
  getsockname(listener, (SOCKADDR *)&name, &name_length);
  accept_ex = (LPFN_ACCEPTEX)extension(listener, acceptex_id);
  connect_ex = (LPFN_CONNECTEX)extension(listener, connectex_id);
  port = CreateIoCompletionPort((HANDLE)listener, NULL, KEY_LISTENER, 0);
  if (port == NULL) fail("CreateIoCompletionPort");

  for (i = 0; i < INFLIGHT; i++) post_accept(&accepts[i]);
  for (i = 0; i < INFLIGHT; i++) post_connect(&connects[i]);
  QueryPerformanceFrequency(&frequency);
  QueryPerformanceCounter(&begin);
  for (;;) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *done = NULL;
    struct slot *slot;
    BOOL ok;
    QueryPerformanceCounter(&now);
    if ((double)(now.QuadPart - begin.QuadPart) / (double)frequency.QuadPart >= seconds || accepted >= MAX_CONNECTIONS) break;
    ok = GetQueuedCompletionStatus(port, &bytes, &key, &done, 5000);
    if (done == NULL) fail("GetQueuedCompletionStatus");
    slot = (struct slot *)done;
    closesocket(slot->s);
    if (key == KEY_LISTENER) {
      if (!ok) fail("AcceptEx completion");
      accepted++;
      post_accept(slot);
    } else {
      if (!ok) fail("ConnectEx completion");
      if (started < MAX_CONNECTIONS) post_connect(slot);
      else slot->s = INVALID_SOCKET;
    }
  }
  QueryPerformanceCounter(&now);
  seconds = (double)(now.QuadPart - begin.QuadPart) / (double)frequency.QuadPart;
  for (i = 0; i < INFLIGHT; i++) {
    closesocket(accepts[i].s);
    if (connects[i].s != INVALID_SOCKET) closesocket(connects[i].s);
  }
  closesocket(listener);
  CloseHandle(port);
  WSACleanup();
  printf("{\"connections\":%d,\"seconds\":%.6f,\"perSecond\":%.1f}\n", accepted, seconds, accepted / seconds);
  return 0;
}
