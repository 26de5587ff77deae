/*
 * The floor of bench/echo-run.mjs: an echo server in C on Linux epoll (edge triggered, one thread,
 * non-blocking sockets). What was received is written back before more is read from that
 * connection; only when the send buffer is full does the connection also wait for EPOLLOUT.
 *
 *   echo-epoll <port-file>
 *
 * Listens on 127.0.0.1 (an ephemeral port, written in decimal to <port-file>) until killed.
 *
 * Built with -DLOOK_BEFORE_SLEEP_US=N it is the reference the echo table sets beside the floor: before
 * it sleeps in epoll_wait, it looks (epoll_wait without a time-out, yielding the CPU in between) for up
 * to N microseconds, which spares the cost of being woken when the next request comes that soon. The
 * library's waits never do this (docs/principles.md, principle 5): the column shows what that cost is.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef LOOK_BEFORE_SLEEP_US
#include <sched.h>
#include <time.h>
#endif

#define BUFFER_SIZE 65536

typedef struct {
  int fd;
  int waiting_out; /* EPOLLOUT is in the interest set */
  size_t length; /* bytes received and not yet written back */
  size_t sent;
  char buffer[BUFFER_SIZE];
} Connection;

static void close_connection(Connection *c) {
  close(c->fd);
  free(c);
}

static int watch(int ep, Connection *c, int out) {
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0), .data.ptr = c };
  c->waiting_out = out;
  return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == 0;
}

/* Echoes until the socket has nothing more to read or cannot take more; 0 when it was closed. */
static int serve(int ep, Connection *c) {
  for (;;) {
    while (c->sent < c->length) {
      ssize_t n = send(c->fd, c->buffer + c->sent, c->length - c->sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN ? watch(ep, c, 1) : 0;
      c->sent += (size_t)n;
    }
    if (c->waiting_out && !watch(ep, c, 0)) return 0;
    ssize_t n = recv(c->fd, c->buffer, BUFFER_SIZE, 0);
    if (n == 0) return 0;
    if (n < 0) return errno == EAGAIN ? 1 : 0;
    c->length = (size_t)n;
    c->sent = 0;
  }
}

/* epoll_wait without a time-out limit; with LOOK_BEFORE_SLEEP_US, looks that long before it sleeps. */
static int wait_for_events(int ep, struct epoll_event *events, int max) {
#ifdef LOOK_BEFORE_SLEEP_US
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int n = epoll_wait(ep, events, max, 0);
    if (n != 0) return n;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000 >= LOOK_BEFORE_SLEEP_US) break;
    sched_yield();
  }
#endif
  return epoll_wait(ep, events, max, -1);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: echo-epoll <port-file>\n");
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t length = sizeof addr;
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
  if (listener < 0 || ep < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(listener, SOMAXCONN) != 0 || getsockname(listener, (struct sockaddr *)&addr, &length) != 0 ||
      epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) {
    perror("echo-epoll: set-up");
    return 1;
  }
  FILE *f = fopen(argv[1], "w");
  if (f == NULL) return 1;
  fprintf(f, "%u\n", ntohs(addr.sin_port));
  fclose(f);
  struct epoll_event events[64];
  for (;;) {
    int n = wait_for_events(ep, events, 64);
    if (n < 0 && errno != EINTR) return 1;
    for (int i = 0; i < n; i++) {
      Connection *c = events[i].data.ptr;
      if (c != NULL) {
        if (!serve(ep, c)) close_connection(c); /* close() also removes it from the epoll set */
        continue;
      }
      int fd;
      while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        c = calloc(1, sizeof *c);
        struct epoll_event cev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = c };
        if (c == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) {
          close(fd);
          free(c);
          continue;
        }
        c->fd = fd;
        if (!serve(ep, c)) close_connection(c);
      }
    }
  }
}
