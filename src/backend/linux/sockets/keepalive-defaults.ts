/**
 * Windows' keep-alive defaults on the sockets the emulation makes: a socket that turns on
 * SO_KEEPALIVE without SIO_KEEPALIVE_VALS probes every second, 10 times (Linux: every 75 s, 9
 * times); the 2-hour idle time is the same on both. Accepted sockets inherit their listener's
 * values, as on both systems. Called from the socket lifecycle (lifecycle.ts).
 */
import * as C from '../../../winsock/constants.js';
import { L } from '../host/libc.js';
import { setKernelInt } from '../host/socket-facts.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** Windows' probe count: fixed from Vista, the TCP_KEEPCNT default since Windows 10 1703. */
export const WINDOWS_KEEPALIVE_PROBES = 10;

/** Sockets accepted from a listener that never had Windows' defaults (one borrowed from Node). */
const withoutWindowsDefaults = new WeakSet<LinuxSocket>();

/** A TCP socket made by socket() / WSASocketW gets Windows' probe interval and count. */
export function applyWindowsKeepAliveDefaults(sock: LinuxSocket): void {
  if (sock.type !== C.SOCK_STREAM) return;
  setKernelInt(sock.fd, L.IPPROTO_TCP, L.TCP_KEEPINTVL, 1);
  setKernelInt(sock.fd, L.IPPROTO_TCP, L.TCP_KEEPCNT, WINDOWS_KEEPALIVE_PROBES);
}

/** The kernel copies the listener's values into `child`; remember when those are not Windows'. */
export function inheritKeepAliveDefaults(listener: LinuxSocket, child: LinuxSocket): void {
  if (lacksWindowsKeepAliveDefaults(listener)) withoutWindowsDefaults.add(child);
}

/** The socket never had Windows' keep-alive defaults (SIO_KEEPALIVE_VALS then sets the count). */
export const lacksWindowsKeepAliveDefaults = (sock: LinuxSocket): boolean => sock.borrowed || withoutWindowsDefaults.has(sock);
