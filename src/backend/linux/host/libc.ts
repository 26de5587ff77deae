/**
 * The libc calls the Linux backend makes, bound once through koffi. Buffers are passed as
 * pointers for the duration of one call (koffi's transient pointers); nothing here keeps one.
 * Linux constant values live here too, so they never leak above the backend.
 */
import koffi from 'koffi';

const libc = koffi.load('libc.so.6');

/** The errno of the libc call that just returned (read it before any other libc call). */
export const errno = (): number => koffi.errno();

/** Address of a buffer's first byte as native code sees it during a call (one definition: winsock/address.ts). */
export { bufferAddress as addressOf } from '../../../winsock/address.js';

export const socket = libc.func('int socket(int domain, int type, int protocol)') as (d: number, t: number, p: number) => number;
export const close = libc.func('int close(int fd)') as (fd: number) => number;
export const bind = libc.func('int bind(int fd, const uint8_t *addr, uint32_t len)') as (fd: number, addr: Uint8Array, len: number) => number;
export const listen = libc.func('int listen(int fd, int backlog)') as (fd: number, backlog: number) => number;
export const accept4 = libc.func('int accept4(int fd, uint8_t *addr, uint32_t *len, int flags)') as (fd: number, addr: Uint8Array | null, len: Uint32Array | null, flags: number) => number;
export const connect = libc.func('int connect(int fd, const uint8_t *addr, uint32_t len)') as (fd: number, addr: Uint8Array, len: number) => number;
export const send = libc.func('intptr_t send(int fd, const uint8_t *buf, size_t len, int flags)') as (fd: number, buf: Uint8Array | null, len: number, flags: number) => number;
export const recv = libc.func('intptr_t recv(int fd, uint8_t *buf, size_t len, int flags)') as (fd: number, buf: Uint8Array | null, len: number, flags: number) => number;
export const sendto = libc.func('intptr_t sendto(int fd, const uint8_t *buf, size_t len, int flags, const uint8_t *to, uint32_t tolen)') as (fd: number, buf: Uint8Array | null, len: number, flags: number, to: Uint8Array | null, tolen: number) => number;
export const recvfrom = libc.func('intptr_t recvfrom(int fd, uint8_t *buf, size_t len, int flags, uint8_t *from, uint32_t *fromlen)') as (fd: number, buf: Uint8Array | null, len: number, flags: number, from: Uint8Array | null, fromlen: Uint32Array | null) => number;
export const recvmsg = libc.func('intptr_t recvmsg(int fd, uint8_t *msghdr, int flags)') as (fd: number, msghdr: Uint8Array, flags: number) => number;
export const shutdown = libc.func('int shutdown(int fd, int how)') as (fd: number, how: number) => number;
export const getsockname = libc.func('int getsockname(int fd, uint8_t *addr, uint32_t *len)') as (fd: number, addr: Uint8Array, len: Uint32Array) => number;
export const getpeername = libc.func('int getpeername(int fd, uint8_t *addr, uint32_t *len)') as (fd: number, addr: Uint8Array, len: Uint32Array) => number;
export const getsockopt = libc.func('int getsockopt(int fd, int level, int name, uint8_t *val, uint32_t *len)') as (fd: number, level: number, name: number, val: Uint8Array, len: Uint32Array) => number;
export const setsockopt = libc.func('int setsockopt(int fd, int level, int name, const uint8_t *val, uint32_t len)') as (fd: number, level: number, name: number, val: Uint8Array, len: number) => number;
/** ioctl whose argument is an int-sized value the kernel reads or writes. */
export const ioctlInt = libc.func('int ioctl(int fd, unsigned long request, int32_t *arg)') as (fd: number, request: number, arg: Int32Array) => number;
/** ioctl whose argument is a struct. */
export const ioctlBuf = libc.func('int ioctl(int fd, unsigned long request, uint8_t *arg)') as (fd: number, request: number, arg: Uint8Array) => number;
export const poll = libc.func('int poll(uint8_t *fds, unsigned long nfds, int timeout)') as (fds: Uint8Array, nfds: number, timeout: number) => number;
/** poll() on a libuv pool thread: the callback gets (error, result) on this JS thread. */
export const pollAsync = (poll as unknown as { async(fds: Uint8Array, nfds: number, timeout: number, cb: (err: unknown, n: number) => void): void }).async;
export const eventfd = libc.func('int eventfd(unsigned int initval, int flags)') as (initval: number, flags: number) => number;
export const write = libc.func('intptr_t write(int fd, const uint8_t *buf, size_t len)') as (fd: number, buf: Uint8Array, len: number) => number;
export const read = libc.func('intptr_t read(int fd, uint8_t *buf, size_t len)') as (fd: number, buf: Uint8Array, len: number) => number;
export const fcntl = libc.func('int fcntl(int fd, int cmd, int arg)') as (fd: number, cmd: number, arg: number) => number;
export const if_nametoindex = libc.func('unsigned int if_nametoindex(const char *name)') as (name: string) => number;
export const getpid = libc.func('int getpid()') as () => number;

/** Linux values (x86_64 / generic). */
export const L = {
  AF_UNSPEC: 0, AF_UNIX: 1, AF_INET: 2, AF_INET6: 10, AF_NETLINK: 16,
  SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, SOCK_SEQPACKET: 5,
  SOCK_NONBLOCK: 0o4000, SOCK_CLOEXEC: 0o2000000,
  SOL_SOCKET: 1, IPPROTO_IP: 0, IPPROTO_TCP: 6, IPPROTO_UDP: 17, IPPROTO_IPV6: 41, IPPROTO_ICMP: 1, IPPROTO_ICMPV6: 58, IPPROTO_RAW: 255,
  SO_DEBUG: 1, SO_REUSEADDR: 2, SO_TYPE: 3, SO_ERROR: 4, SO_DONTROUTE: 5, SO_BROADCAST: 6,
  SO_SNDBUF: 7, SO_RCVBUF: 8, SO_KEEPALIVE: 9, SO_OOBINLINE: 10, SO_PRIORITY: 12, SO_LINGER: 13,
  SO_RCVLOWAT: 18, SO_SNDLOWAT: 19, SO_RCVTIMEO: 20, SO_SNDTIMEO: 21, SO_ACCEPTCONN: 30,
  SO_PROTOCOL: 38, SO_DOMAIN: 39, SO_INCOMING_CPU: 49,
  TCP_NODELAY: 1, TCP_MAXSEG: 2, TCP_KEEPIDLE: 4, TCP_KEEPINTVL: 5, TCP_KEEPCNT: 6, TCP_INFO: 11,
  IP_TOS: 1, IP_TTL: 2, IP_HDRINCL: 3, IP_OPTIONS: 4, IP_PKTINFO: 8, IP_RECVERR: 11, IP_MTU_DISCOVER: 10,
  IP_MULTICAST_IF: 32, IP_MULTICAST_TTL: 33, IP_MULTICAST_LOOP: 34, IP_ADD_MEMBERSHIP: 35, IP_DROP_MEMBERSHIP: 36,
  IPV6_UNICAST_HOPS: 16, IPV6_MULTICAST_IF: 17, IPV6_MULTICAST_HOPS: 18, IPV6_MULTICAST_LOOP: 19,
  IPV6_RECVERR: 25, IPV6_V6ONLY: 26,
  MSG_OOB: 0x1, MSG_PEEK: 0x2, MSG_DONTROUTE: 0x4, MSG_TRUNC: 0x20, MSG_DONTWAIT: 0x40, MSG_WAITALL: 0x100,
  MSG_ERRQUEUE: 0x2000, MSG_NOSIGNAL: 0x4000,
  FIONREAD: 0x541b, SIOCATMARK: 0x8905, SIOCOUTQ: 0x5411, FIONBIO: 0x5421, SIOCGIFNAME: 0x8910, SIOCGIFFLAGS: 0x8913,
  F_GETFL: 3, F_SETFL: 4, O_NONBLOCK: 0o4000, EFD_NONBLOCK: 0o4000, EFD_CLOEXEC: 0o2000000,
  POLLIN: 0x1, POLLPRI: 0x2, POLLOUT: 0x4, POLLERR: 0x8, POLLHUP: 0x10, POLLNVAL: 0x20, POLLRDHUP: 0x2000,
  SHUT_RD: 0, SHUT_WR: 1, SHUT_RDWR: 2,
} as const;

/** Linux errno values the backend reacts to by name. */
export const E = {
  EPERM: 1, ENOENT: 2, EINTR: 4, ENXIO: 6, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14,
  ENODEV: 19, EINVAL: 22, ENFILE: 23, EMFILE: 24, EPIPE: 32, ENAMETOOLONG: 36, ENOTEMPTY: 39, ELOOP: 40,
  EREMOTE: 66, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90, EPROTOTYPE: 91, ENOPROTOOPT: 92,
  EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EPFNOSUPPORT: 96, EAFNOSUPPORT: 97,
  EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102,
  ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108,
  ETOOMANYREFS: 109, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113,
  EALREADY: 114, EINPROGRESS: 115, ESTALE: 116, EDQUOT: 122,
} as const;
