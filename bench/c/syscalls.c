/*
 * The C baseline for bench/run.mjs: the same system calls the Linux emulation makes for each
 * control code (as of this writing: see each case), timed in a loop. Prints one JSON object: { "<case>": nanoseconds per call }.
 * Built by the benchmark with the system compiler; loopback only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median over rounds of the mean time per call within a round. */
#define MEASURE(name, iterations, ...)                                     \
  do {                                                                    \
    double rounds[15];                                                    \
    for (int r = 0; r < 15; r++) {                                        \
      double start = now_ns();                                            \
      for (int i = 0; i < (iterations); i++) { __VA_ARGS__; }                 \
      rounds[r] = (now_ns() - start) / (iterations);                      \
    }                                                                     \
    qsort(rounds, 15, sizeof rounds[0], cmp_double);                      \
    printf("%s\"%s\": %.1f", first ? "" : ", ", name, rounds[7]);         \
    first = 0;                                                            \
  } while (0)

/*
 * The kernel's source-address choice for 127.0.0.1, as SIO_ROUTING_INTERFACE_QUERY asks it
 * (address-selection/kernel-source.ts): a dual-stack UDP socket with SO_BROADCAST, connected to
 * the IPv4-mapped destination, getsockname, close.
 */
static void route_query(void) {
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int off = 0, on = 1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
  struct sockaddr_in6 dst;
  memset(&dst, 0, sizeof dst);
  dst.sin6_family = AF_INET6;
  dst.sin6_port = htons(9);
  dst.sin6_addr.s6_addr[10] = 0xff;
  dst.sin6_addr.s6_addr[11] = 0xff;
  dst.sin6_addr.s6_addr[12] = 127;
  dst.sin6_addr.s6_addr[15] = 1;
  connect(fd, (struct sockaddr *)&dst, sizeof dst);
  struct sockaddr_in6 local;
  socklen_t len = sizeof local;
  getsockname(fd, (struct sockaddr *)&local, &len);
  close(fd);
}

/*
 * SIO_ADDRESS_LIST_QUERY as the emulation makes it: on one netlink socket (with a receive
 * time-out), an RTM_GETADDR dump of the family, then SIOCGIFNAME + SIOCGIFFLAGS once for each
 * interface that has addresses.
 */
static void address_list_query(int family) {
  int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct timeval tv = { .tv_sec = 2 };
  setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct { struct nlmsghdr h; struct ifaddrmsg a; } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETADDR;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.a.ifa_family = family;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  sendto(nl, &req, sizeof req, 0, (struct sockaddr *)&kernel, sizeof kernel);
  static char reply[65536];
  int indexes[64], count = 0, done = 0;
  for (int reads = 0; !done && reads < 64; reads++) {
    ssize_t n = recv(nl, reply, sizeof reply, MSG_TRUNC);
    if (n <= 0) break;
    int left = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) { done = 1; break; }
      int index = (int)((struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index, seen = 0;
      for (int i = 0; i < count; i++) seen |= indexes[i] == index;
      if (!seen && count < 64) indexes[count++] = index;
    }
  }
  for (int i = 0; i < count; i++) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = indexes[i];
    if (ioctl(nl, SIOCGIFNAME, &ifr) == 0) ioctl(nl, SIOCGIFFLAGS, &ifr);
  }
  close(nl);
}

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  bind(listener, (struct sockaddr *)&addr, sizeof addr);
  listen(listener, 1);
  getsockname(listener, (struct sockaddr *)&addr, &len);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  connect(client, (struct sockaddr *)&addr, sizeof addr);
  int server = accept(listener, NULL, NULL);
  send(client, "hello", 5, 0);
  int value = 0, first = 1;
  /* The emulation's buffer size (sockets/tcp-info.ts): the kernel copies min(size, its tcp_info). */
  static unsigned char info[512];

  printf("{");
  /* FIONREAD on a stream socket: Linux counts only up to a queued urgent byte, so the emulation
     asks poll() for POLLPRI before SIOCINQ (see urgent.ts); the same two calls here. */
  struct pollfd pfd = { .fd = server, .events = POLLPRI };
  MEASURE("FIONREAD", 200000, { poll(&pfd, 1, 0); ioctl(server, FIONREAD, &value); });
  MEASURE("FIONBIO", 200000, { value = 1; ioctl(server, FIONBIO, &value); });
  /* The probe count is the socket's own (10 since it was made): the times, then keep-alive on. */
  int on = 1, idle = 30, intvl = 1;
  MEASURE("SIO_KEEPALIVE_VALS", 50000, {
    setsockopt(server, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    setsockopt(server, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
    setsockopt(server, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  });
  /* TCP_INFO plus the unsent-bytes count and the receive buffer, as the emulation reads them. */
  MEASURE("SIO_TCP_INFO", 100000, {
    socklen_t l = sizeof info; getsockopt(server, IPPROTO_TCP, TCP_INFO, info, &l);
    ioctl(server, SIOCOUTQ, &value);
    l = sizeof value; getsockopt(server, SOL_SOCKET, SO_RCVBUF, &value, &l);
  });
  MEASURE("SIO_ADDRESS_LIST_QUERY", 5000, { address_list_query(AF_INET); });
  /* For reference, not a baseline: what a C program would usually call for the same list. */
  MEASURE("getifaddrs", 2000, { struct ifaddrs *ifa; if (getifaddrs(&ifa) == 0) freeifaddrs(ifa); });
  MEASURE("SIO_ROUTING_INTERFACE_QUERY", 20000, { route_query(); });
  printf("}\n");
  return 0;
}
