/**
 * The libc calls the Linux backend makes, bound once through koffi (the only `koffi.load` of the
 * Linux backend). Buffers are passed as pointers for the duration of one call (koffi's transient
 * pointers); nothing here keeps one. The Linux constant values (constants.ts) are re-exported here,
 * so they never leak above the backend.
 */
import koffi from 'koffi';
import { nativeLibrary } from '../../native-library.js';

/**
 * glibc's name, then musl's (Alpine: the dynamic loader is libc there, under this name too).
 * Opened and bound at import on Linux only: this module is imported on Windows as well
 * (../../native-library.ts).
 */
const libc = nativeLibrary('linux', 'libc.so.6', `libc.musl-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}.so.1`);

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
export const sendmsg = libc.func('intptr_t sendmsg(int fd, uint8_t *msghdr, int flags)') as (fd: number, msghdr: Uint8Array, flags: number) => number;
export const shutdown = libc.func('int shutdown(int fd, int how)') as (fd: number, how: number) => number;
export const getsockname = libc.func('int getsockname(int fd, uint8_t *addr, uint32_t *len)') as (fd: number, addr: Uint8Array, len: Uint32Array) => number;
export const getpeername = libc.func('int getpeername(int fd, uint8_t *addr, uint32_t *len)') as (fd: number, addr: Uint8Array, len: Uint32Array) => number;
export const getsockopt = libc.func('int getsockopt(int fd, int level, int name, uint8_t *val, uint32_t *len)') as (fd: number, level: number, name: number, val: Uint8Array, len: Uint32Array) => number;
export const setsockopt = libc.func('int setsockopt(int fd, int level, int name, const uint8_t *val, uint32_t len)') as (fd: number, level: number, name: number, val: Uint8Array, len: number) => number;
/** ioctl whose argument is a struct. */
export const ioctlBuf = libc.func('int ioctl(int fd, unsigned long request, uint8_t *arg)') as (fd: number, request: number, arg: Uint8Array) => number;
export const poll = libc.func('int poll(uint8_t *fds, unsigned long nfds, int timeout)') as (fds: Uint8Array, nfds: number, timeout: number) => number;
/** poll() on a libuv pool thread: the callback gets (error, result) on this JS thread. */
export const pollAsync = (poll as unknown as { async(fds: Uint8Array, nfds: number, timeout: number, cb: (err: unknown, n: number) => void): void }).async;
/** timerfd (the sampler's periodic tick, loop/sampler.ts); `new_value` / `old_value` are struct itimerspec (32 bytes). */
export const timerfd_create = libc.func('int timerfd_create(int clockid, int flags)') as (clockid: number, flags: number) => number;
export const timerfd_settime = libc.func('int timerfd_settime(int fd, int flags, const uint8_t *new_value, uint8_t *old_value)') as (fd: number, flags: number, value: Uint8Array, old: Uint8Array | null) => number;
/** epoll (loop/readiness.ts): `event` is one struct epoll_event, `events` an array of them (see readiness.ts for the layout). */
export const epoll_create1 = libc.func('int epoll_create1(int flags)') as (flags: number) => number;
export const epoll_ctl = libc.func('int epoll_ctl(int epfd, int op, int fd, uint8_t *event)') as (epfd: number, op: number, fd: number, event: Uint8Array | null) => number;
export const epoll_wait = libc.func('int epoll_wait(int epfd, uint8_t *events, int maxevents, int timeout)') as (epfd: number, events: Uint8Array, maxevents: number, timeout: number) => number;
export const eventfd = libc.func('int eventfd(unsigned int initval, int flags)') as (initval: number, flags: number) => number;
export const write = libc.func('intptr_t write(int fd, const uint8_t *buf, size_t len)') as (fd: number, buf: Uint8Array, len: number) => number;
export const read = libc.func('intptr_t read(int fd, uint8_t *buf, size_t len)') as (fd: number, buf: Uint8Array, len: number) => number;
/** dup3: moves a file under another fd number (AcceptEx's accept into an existing socket). */
export const dup3 = libc.func('int dup3(int oldfd, int newfd, int flags)') as (oldfd: number, newfd: number, flags: number) => number;
export const fcntl = libc.func('int fcntl(int fd, int cmd, int arg)') as (fd: number, cmd: number, arg: number) => number;
export const if_nametoindex = libc.func('unsigned int if_nametoindex(const char *name)') as (name: string) => number;
export const getpid = libc.func('int getpid()') as () => number;
export const sched_getcpu = libc.func('int sched_getcpu()') as () => number;
// Files (win32/files.ts, sockets/transmit/): open is variadic (the mode follows as 'uint32_t', mode).
export const open = libc.func('int open(const char *path, int flags, ...)') as (path: string, flags: number, modeType: 'uint32_t', mode: number) => number;
export const lseek = libc.func('int64_t lseek(int fd, int64_t offset, int whence)') as (fd: number, offset: number, whence: number) => number;
export const sendfile = libc.func('intptr_t sendfile(int out_fd, int in_fd, _Inout_ int64_t *offset, size_t count)') as (outFd: number, inFd: number, offset: BigInt64Array, count: number) => number;
// The process-wide region (shared/region.ts): its address is published in the C environment,
// which every thread shares (process.env is a per-thread copy in Workers). Addresses are numbers
// (user space is below 2^47), so no koffi pointer object is kept.
export const getenv = libc.func('const char *getenv(const char *name)') as (name: string) => string | null;
export const setenv = libc.func('int setenv(const char *name, const char *value, int overwrite)') as (name: string, value: string, overwrite: number) => number;
export const callocAt = libc.func('uintptr_t calloc(size_t count, size_t size)') as (count: number, size: number) => number;
export const freeAt = libc.func('void free(uintptr_t address)') as (address: number) => void;
const syscall0 = libc.func('long syscall(long number)') as (number: number) => number;
const SYS_gettid = process.arch === 'arm64' ? 178 : 186;
/** The calling OS thread's id (a Worker is one OS thread). */
export const gettid = (): number => syscall0(SYS_gettid);
export const clock_gettime = libc.func('int clock_gettime(int clockid, uint8_t *tp)') as (clockid: number, tp: Uint8Array) => number;

// ---- the calls made on every control code, with native addresses -------------------------------
// koffi converts a call whose arguments are all integers on its fast path: no buffer lookup per
// pointer and no clean-up pass after the call. A typed array argument rules that path out, and
// costs more than the rest of koffi's work for these short calls. So the int / struct arguments of
// the per-call hot helpers (socket-facts.ts, poll.ts, tcp-info.ts, the routing probe of
// address-selection/kernel-source.ts, the netlink query client) live in native memory of their
// own (`nativeBlock`), passed by address. Everything else passes typed arrays (above).

/** Native memory a module keeps for its call arguments: its address, and JS views of its bytes. */
export interface NativeBlock {
  /** The first byte's address, as the `...At` functions take it. */
  readonly address: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/**
 * `size` bytes of native memory for the calling module's arguments, for the life of this JS
 * thread (module state is per thread). Each user has its own block, so nested calls never share one.
 */
export function nativeBlock(size: number): NativeBlock {
  const memory: unknown = koffi.alloc('uint8_t', size);
  const buffer = koffi.view(memory, size);
  // `memory` stays referenced by the block, so the allocation lives as long as its views.
  return Object.defineProperty({ address: Number(koffi.address(memory)), bytes: new Uint8Array(buffer), view: new DataView(buffer) }, 'memory', { value: memory });
}

/** Give back a block's memory (koffi.alloc memory is not collected); its views must not be used after. */
export function freeNativeBlock(block: NativeBlock): void {
  koffi.free((block as NativeBlock & { memory: unknown }).memory);
}

export const getsockoptAt = libc.func('int getsockopt(int fd, int level, int name, intptr_t val, intptr_t len)') as (fd: number, level: number, name: number, val: number, len: number) => number;
export const setsockoptAt = libc.func('int setsockopt(int fd, int level, int name, intptr_t val, uint32_t len)') as (fd: number, level: number, name: number, val: number, len: number) => number;
export const ioctlAt = libc.func('int ioctl(int fd, unsigned long request, intptr_t arg)') as (fd: number, request: number, arg: number) => number;
export const pollAt = libc.func('int poll(intptr_t fds, unsigned long nfds, int timeout)') as (fds: number, nfds: number, timeout: number) => number;
export const connectAt = libc.func('int connect(int fd, intptr_t addr, uint32_t len)') as (fd: number, addr: number, len: number) => number;
export const getsocknameAt = libc.func('int getsockname(int fd, intptr_t addr, intptr_t len)') as (fd: number, addr: number, len: number) => number;
export const sendtoAt = libc.func('intptr_t sendto(int fd, intptr_t buf, size_t len, int flags, intptr_t to, uint32_t tolen)') as (fd: number, buf: number, len: number, flags: number, to: number, tolen: number) => number;
export const recvAt = libc.func('intptr_t recv(int fd, intptr_t buf, size_t len, int flags)') as (fd: number, buf: number, len: number, flags: number) => number;

/** Linux constant values (one definition, kept apart so pure modules can read them without koffi). */
export { L, E } from './constants.js';
