/*
 * The load client of bench/echo.mjs (C, so that the client is not what is measured). Connects to
 * an echo server on 127.0.0.1 and prints one JSON object.
 *
 *   echo-client <port> pingpong <connections> <message-bytes> <seconds>
 *     Each connection sends a message and waits for all of it to come back, again and again;
 *     prints { "roundTrips", "seconds", "perSecond" } (round trips over all connections).
 *   echo-client <port> bulk <chunk-bytes> <seconds>
 *     One connection writes chunks as fast as the server takes them while reading the echo;
 *     prints { "bytes", "seconds", "mbPerSecond" } (bytes echoed back, MB = 10^6 bytes).
 *
 * Every phase is bounded in time: a warm-up of WARMUP_S, then the measured <seconds> (at most 60);
 * a server that stops answering for STALL_S ends the run with exit code 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_S 0.3
#define STALL_S 10.0
#define MAX_CONNECTIONS 1024
#define MAX_MESSAGE 65536

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "echo-client: %s: %s\n", what, errno ? strerror(errno) : "failed");
  exit(1);
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  int on = 1;
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die("connect");
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  return fd;
}

static void nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0) die("fcntl");
}

typedef struct {
  int fd;
  size_t received; /* of the current message */
} Peer;

static void pingpong(int port, int connections, size_t size, double seconds) {
  static Peer peers[MAX_CONNECTIONS];
  static char message[MAX_MESSAGE], reply[MAX_MESSAGE];
  memset(message, 'x', size);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  for (int i = 0; i < connections; i++) {
    peers[i].fd = connect_to(port);
    nonblocking(peers[i].fd);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &peers[i] };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, peers[i].fd, &ev) != 0) die("epoll_ctl");
  }
  /* A 64-byte message always fits an empty send buffer: one send() each. */
  for (int i = 0; i < connections; i++)
    if (send(peers[i].fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) die("send");
  double start = now_s(), measuring = start + WARMUP_S, end = measuring + seconds, progress = start;
  long long counted = 0;
  struct epoll_event events[MAX_CONNECTIONS];
  for (;;) {
    double t = now_s();
    if (t >= end) break;
    if (t - progress > STALL_S) die("server stalled");
    int n = epoll_wait(ep, events, MAX_CONNECTIONS, 100);
    if (n < 0 && errno != EINTR) die("epoll_wait");
    for (int i = 0; i < n; i++) {
      Peer *p = events[i].data.ptr;
      ssize_t got = recv(p->fd, reply, size - p->received, 0);
      if (got == 0) die("server closed a connection");
      if (got < 0) {
        if (errno == EAGAIN) continue;
        die("recv");
      }
      progress = now_s();
      if ((p->received += (size_t)got) < size) continue;
      p->received = 0;
      if (progress >= measuring) counted++;
      if (send(p->fd, message, size, MSG_NOSIGNAL) != (ssize_t)size) die("send");
    }
  }
  printf("{ \"roundTrips\": %lld, \"seconds\": %.3f, \"perSecond\": %.1f }\n", counted, seconds, counted / seconds);
  for (int i = 0; i < connections; i++) close(peers[i].fd);
  close(ep);
}

static void bulk(int port, size_t chunk, double seconds) {
  static char out[MAX_MESSAGE], in[MAX_MESSAGE];
  memset(out, 'y', chunk);
  int fd = connect_to(port);
  nonblocking(fd);
  size_t offset = 0; /* into the chunk being written */
  long long counted = 0;
  double start = now_s(), measuring = start + WARMUP_S, end = measuring + seconds, progress = start;
  for (;;) {
    double t = now_s();
    if (t >= end) break;
    if (t - progress > STALL_S) die("server stalled");
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
    if (poll(&p, 1, 100) < 0 && errno != EINTR) die("poll");
    if (p.revents & POLLOUT) {
      ssize_t n = send(fd, out + offset, chunk - offset, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) die("send");
      if (n > 0) offset = (offset + (size_t)n) % chunk;
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = recv(fd, in, sizeof in, 0);
      if (n == 0) die("server closed the connection");
      if (n < 0 && errno != EAGAIN) die("recv");
      if (n > 0) {
        progress = now_s();
        if (progress >= measuring) counted += n;
      }
    }
  }
  printf("{ \"bytes\": %lld, \"seconds\": %.3f, \"mbPerSecond\": %.1f }\n", counted, seconds, counted / seconds / 1e6);
  close(fd);
}

int main(int argc, char **argv) {
  int port = argc > 2 ? atoi(argv[1]) : 0;
  if (port > 0 && argc == 6 && strcmp(argv[2], "pingpong") == 0) {
    int connections = atoi(argv[3]);
    long size = atol(argv[4]);
    double seconds = atof(argv[5]);
    if (connections < 1 || connections > MAX_CONNECTIONS || size < 1 || size > MAX_MESSAGE || !(seconds > 0 && seconds <= 60)) return 2;
    pingpong(port, connections, (size_t)size, seconds);
    return 0;
  }
  if (port > 0 && argc == 5 && strcmp(argv[2], "bulk") == 0) {
    long chunk = atol(argv[3]);
    double seconds = atof(argv[4]);
    if (chunk < 1 || chunk > MAX_MESSAGE || !(seconds > 0 && seconds <= 60)) return 2;
    bulk(port, (size_t)chunk, seconds);
    return 0;
  }
  fprintf(stderr, "usage: echo-client <port> pingpong <connections> <bytes> <seconds> | bulk <chunk> <seconds>\n");
  return 2;
}
