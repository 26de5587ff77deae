/*
 * The classic AcceptEx + completion-port server, in C, for Windows (examples/acceptex-server.mjs
 * is its port to wsaioctl/winsock; test/examples.test.ts compiles this with MinGW-w64 and compares
 * the two outputs under Wine). The extension functions come from
 * SIO_GET_EXTENSION_FUNCTION_POINTER. AcceptEx calls are posted before any client exists, each
 * with an accept socket made beforehand and room for the first data; clients in the same thread
 * connect with ConnectEx (sending their greeting in the same call) and wait for the answer with
 * WSARecv. One GetQueuedCompletionStatus loop drives everything. Loopback only.
 *
 *   x86_64-w64-mingw32-gcc -Wall -Wextra -o acceptex-server.exe acceptex-server.c -lws2_32
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENTS 3
#define GREETING "hello from client "
#define MESSAGE_LENGTH ((DWORD)sizeof(GREETING)) /* the greeting + one digit */
#define ADDRESS_AREA ((DWORD)(sizeof(SOCKADDR_IN) + 16))
#define KEY_LISTENER 1
#define KEY_SERVER 2
#define KEY_CLIENT 3

enum kind { ACCEPT, SEND, CONNECT, REPLY };

/* An OVERLAPPED that says which operation it belongs to. */
struct operation {
  OVERLAPPED ov;
  enum kind kind;
  int i;
};

static void fail(const char *what) {
  printf("%s failed: %d\n", what, WSAGetLastError());
  exit(1);
}

/* An overlapped call that must have started: TRUE / 0 at once, or pending. */
static void started(BOOL ok, const char *what) {
  if (!ok && WSAGetLastError() != WSA_IO_PENDING) fail(what);
}

static void *extension(SOCKET s, GUID guid) {
  void *pointer = NULL;
  DWORD bytes = 0;
  if (WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &pointer, sizeof pointer, &bytes, NULL, NULL) != 0) {
    fail("WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER)");
  }
  return pointer;
}

static SOCKET tcp(void) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) fail("socket");
  return s;
}

static void bind_loopback(SOCKET s) {
  SOCKADDR_IN sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (SOCKADDR *)&sin, sizeof sin) != 0) fail("bind");
}

static void operation(struct operation *op, enum kind kind, int i) {
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->i = i;
}

int main(void) {
  WSADATA wsa;
  SOCKET listener, accepted[CLIENTS], clients[CLIENTS];
  char accept_buffers[CLIENTS][MESSAGE_LENGTH + 2 * ADDRESS_AREA];
  char reply_buffers[CLIENTS][64];
  char replies[CLIENTS][64];
  struct operation accept_ops[CLIENTS], send_ops[CLIENTS], connect_ops[CLIENTS], reply_ops[CLIENTS];
  SOCKADDR_IN listener_name;
  int name_length = sizeof listener_name;
  GUID acceptex_id = WSAID_ACCEPTEX, sockaddrs_id = WSAID_GETACCEPTEXSOCKADDRS, connectex_id = WSAID_CONNECTEX;
  LPFN_ACCEPTEX accept_ex;
  LPFN_GETACCEPTEXSOCKADDRS get_accept_ex_sockaddrs;
  LPFN_CONNECTEX connect_ex;
  HANDLE port;
  int accepted_count = 0, first_data_bytes = 0, loopback_peers = 0, sends = 0, answered = 0;
  int i;

  setvbuf(stdout, NULL, _IONBF, 0);
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;

  listener = tcp();
  bind_loopback(listener);
  if (listen(listener, CLIENTS) != 0) fail("listen");
  if (getsockname(listener, (SOCKADDR *)&listener_name, &name_length) != 0) fail("getsockname");
  printf("listening on 127.0.0.1 (an ephemeral port)\n");

  accept_ex = (LPFN_ACCEPTEX)extension(listener, acceptex_id);
  get_accept_ex_sockaddrs = (LPFN_GETACCEPTEXSOCKADDRS)extension(listener, sockaddrs_id);
  connect_ex = (LPFN_CONNECTEX)extension(listener, connectex_id);
  printf("AcceptEx, GetAcceptExSockaddrs and ConnectEx from SIO_GET_EXTENSION_FUNCTION_POINTER\n");

  port = CreateIoCompletionPort((HANDLE)listener, NULL, KEY_LISTENER, 0);
  if (port == NULL) fail("CreateIoCompletionPort");

  /* The server side: one AcceptEx per expected client, posted before any client exists. */
  for (i = 0; i < CLIENTS; i++) {
    DWORD received = 0;
    accepted[i] = tcp();
    operation(&accept_ops[i], ACCEPT, i);
    operation(&send_ops[i], SEND, i);
    started(accept_ex(listener, accepted[i], accept_buffers[i], MESSAGE_LENGTH, ADDRESS_AREA, ADDRESS_AREA, &received, &accept_ops[i].ov), "AcceptEx");
  }

  /* The clients: bound (ConnectEx needs it), on the same port, greeting in the ConnectEx call. */
  for (i = 0; i < CLIENTS; i++) {
    char greeting[64];
    int length = snprintf(greeting, sizeof greeting, "%s%d", GREETING, i + 1);
    clients[i] = tcp();
    bind_loopback(clients[i]);
    if (CreateIoCompletionPort((HANDLE)clients[i], port, KEY_CLIENT, 0) != port) fail("CreateIoCompletionPort");
    replies[i][0] = 0;
    operation(&connect_ops[i], CONNECT, i);
    operation(&reply_ops[i], REPLY, i);
    started(connect_ex(clients[i], (SOCKADDR *)&listener_name, sizeof listener_name, greeting, (DWORD)length, NULL, &connect_ops[i].ov), "ConnectEx");
  }

  while (answered < CLIENTS || sends < CLIENTS) {
    DWORD bytes = 0;
    ULONG_PTR key = 0;
    OVERLAPPED *done = NULL;
    struct operation *op;
    if (!GetQueuedCompletionStatus(port, &bytes, &key, &done, 5000)) fail("GetQueuedCompletionStatus");
    op = (struct operation *)done;
    i = op->i;
    if (op->kind == ACCEPT) {
      /* A connection with its first data: make the accept socket a full socket, find the peer. */
      SOCKADDR *local = NULL, *remote = NULL;
      int local_length = 0, remote_length = 0;
      WSABUF answer;
      DWORD k;
      accepted_count++;
      first_data_bytes += (int)bytes;
      if (setsockopt(accepted[i], SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (char *)&listener, sizeof listener) != 0) {
        fail("setsockopt(SO_UPDATE_ACCEPT_CONTEXT)");
      }
      get_accept_ex_sockaddrs(accept_buffers[i], MESSAGE_LENGTH, ADDRESS_AREA, ADDRESS_AREA, &local, &local_length, &remote, &remote_length);
      if (remote != NULL && remote->sa_family == AF_INET && ((SOCKADDR_IN *)remote)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) loopback_peers++;
      for (k = 0; k < bytes; k++) accept_buffers[i][k] = (char)toupper((unsigned char)accept_buffers[i][k]);
      if (CreateIoCompletionPort((HANDLE)accepted[i], port, KEY_SERVER, 0) != port) fail("CreateIoCompletionPort");
      answer.len = bytes;
      answer.buf = accept_buffers[i];
      started(WSASend(accepted[i], &answer, 1, NULL, 0, &send_ops[i].ov, NULL) == 0, "WSASend");
    } else if (op->kind == SEND) {
      sends++;
    } else if (op->kind == CONNECT) {
      WSABUF into;
      DWORD flags = 0;
      if (setsockopt(clients[i], SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, NULL, 0) != 0) fail("setsockopt(SO_UPDATE_CONNECT_CONTEXT)");
      into.len = sizeof reply_buffers[i];
      into.buf = reply_buffers[i];
      started(WSARecv(clients[i], &into, 1, NULL, &flags, &reply_ops[i].ov, NULL) == 0, "WSARecv");
    } else {
      memcpy(replies[i], reply_buffers[i], bytes);
      replies[i][bytes] = 0;
      answered++;
    }
  }

  for (i = 0; i < CLIENTS; i++) printf("client %d: \"%s\"\n", i + 1, replies[i]);
  printf("server: %d connections accepted, %d bytes of first data, %d peers on 127.0.0.1\n", accepted_count, first_data_bytes, loopback_peers);

  for (i = 0; i < CLIENTS; i++) {
    closesocket(clients[i]);
    closesocket(accepted[i]);
  }
  closesocket(listener);
  CloseHandle(port);
  WSACleanup();
  return 0;
}
