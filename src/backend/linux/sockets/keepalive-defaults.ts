/**
 * Windows' keep-alive defaults on the sockets the emulation makes: a socket that turns on
 * SO_KEEPALIVE without SIO_KEEPALIVE_VALS probes every second, 10 times (Linux: every 75 s, 9
 * times); the 2-hour idle time is the same on both. Accepted sockets inherit their listener's
 * values, as on both systems. Called from the socket lifecycle (lifecycle.ts).
 *
 * Applied lazily: the probe interval and count matter only once keep-alive is on, so a new socket
 * is only marked (no system call); the two setsockopts are made the first time the socket sets a
 * keep-alive option (setsockopt SO_KEEPALIVE / TCP_KEEPALIVE / TCP_KEEPINTVL / TCP_KEEPCNT,
 * SIO_KEEPALIVE_VALS), and until then getsockopt reads Windows' values from here. Keep-alive can
 * only come on through those calls (an accepted socket takes SO_KEEPALIVE from a listener that set
 * it, and so had its defaults applied), so every probe the kernel sends uses Windows' values.
 */
import * as C from '../../../winsock/constants.js';
import { L } from '../host/libc.js';
import { setKernelInt } from '../host/socket-facts.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** Windows' probe count: fixed from Vista, the TCP_KEEPCNT default since Windows 10 1703. */
export const WINDOWS_KEEPALIVE_PROBES = 10;
/** Windows' probe interval, in seconds (1000 ms). */
const WINDOWS_KEEPALIVE_INTERVAL_SECONDS = 1;

/** Sockets accepted from a listener that never had Windows' defaults (one borrowed from Node). */
const withoutWindowsDefaults = new WeakSet<LinuxSocket>();
/** Sockets whose kernel values are still Linux's, but which read (and will get) Windows'. */
const pendingDefaults = new WeakSet<LinuxSocket>();

/** A TCP socket made by socket() / WSASocketW gets Windows' probe interval and count (lazily). */
export function applyWindowsKeepAliveDefaults(sock: LinuxSocket): void {
  if (sock.type === C.SOCK_STREAM) pendingDefaults.add(sock);
}

/**
 * Before the socket sets a keep-alive option: give the kernel Windows' interval and count if they
 * are still pending. 0, or the errno of the setsockopt that failed (the mark then stays).
 */
export function settleWindowsKeepAliveDefaults(sock: LinuxSocket): number {
  if (!pendingDefaults.has(sock)) return 0;
  const errno = setKernelInt(sock.fd, L.IPPROTO_TCP, L.TCP_KEEPINTVL, WINDOWS_KEEPALIVE_INTERVAL_SECONDS)
    || setKernelInt(sock.fd, L.IPPROTO_TCP, L.TCP_KEEPCNT, WINDOWS_KEEPALIVE_PROBES);
  if (errno === 0) pendingDefaults.delete(sock);
  return errno;
}

/** The Windows value getsockopt reports for a Linux TCP_KEEPINTVL / TCP_KEEPCNT still pending; else undefined. */
export function pendingKeepAliveValue(sock: LinuxSocket, linuxLevel: number, linuxName: number): number | undefined {
  if (linuxLevel !== L.IPPROTO_TCP || !pendingDefaults.has(sock)) return undefined;
  if (linuxName === L.TCP_KEEPINTVL) return WINDOWS_KEEPALIVE_INTERVAL_SECONDS;
  if (linuxName === L.TCP_KEEPCNT) return WINDOWS_KEEPALIVE_PROBES;
  return undefined;
}

/** The Linux options whose setting needs the defaults settled first (keep-alive, its idle time, interval, count). */
export function isKeepAliveOption(linuxLevel: number, linuxName: number): boolean {
  return linuxLevel === L.SOL_SOCKET ? linuxName === L.SO_KEEPALIVE
    : linuxLevel === L.IPPROTO_TCP && (linuxName === L.TCP_KEEPIDLE || linuxName === L.TCP_KEEPINTVL || linuxName === L.TCP_KEEPCNT);
}

/**
 * `child`'s fd came from accept() on `listener`'s: the kernel copied the listener's values into it.
 * The listener's values still pending: the child's are too (Windows' child inherits 1 s / 10).
 */
export function inheritKeepAliveDefaults(listener: LinuxSocket, child: LinuxSocket): void {
  if (lacksWindowsKeepAliveDefaults(listener)) withoutWindowsDefaults.add(child);
  inheritPendingKeepAliveDefaults(listener, child);
}

/** As inheritKeepAliveDefaults, for the pending mark only (AcceptEx moved an accepted fd under `child`). */
export function inheritPendingKeepAliveDefaults(listener: LinuxSocket, child: LinuxSocket): void {
  if (pendingDefaults.has(listener)) pendingDefaults.add(child);
  else pendingDefaults.delete(child);
}

/** The socket never had Windows' keep-alive defaults (SIO_KEEPALIVE_VALS then sets the count). */
export const lacksWindowsKeepAliveDefaults = (sock: LinuxSocket): boolean => sock.borrowed || withoutWindowsDefaults.has(sock);
