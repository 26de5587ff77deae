/**
 * Windows' option defaults on a socket socket() / WSASocketW made (not on sockets borrowed from
 * Node, principle 3): IPV6_V6ONLY is on for AF_INET6 sockets, where Linux's default is off (Wine
 * dlls/ws2_32/tests/sock.c test_ipv6only). Called from the socket lifecycle (lifecycle.ts); the
 * defaults getsockopt reports for values the emulation keeps are in sockopts.ts.
 */
import * as C from '../../../winsock/constants.js';
import { L } from '../host/libc.js';
import { setKernelInt } from '../host/socket-facts.js';
import type { LinuxSocket } from '../win32/socket-state.js';

export function applyWindowsOptionDefaults(sock: LinuxSocket): void {
  if (sock.af === C.AF_INET6) setKernelInt(sock.fd, L.IPPROTO_IPV6, L.IPV6_V6ONLY, 1);
}
