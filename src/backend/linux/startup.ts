/** WSAStartup / WSACleanup: a reference count; the last WSACleanup closes every socket left open. */
import * as W from '../../errors/index.js';
import type { WSADATA } from '../../winsock/types.js';

let startups = 0;
const cleanupHooks: Array<() => void> = [];

export const isStarted = (): boolean => startups > 0;

/** Run `hook` when the last WSACleanup happens (used to close what is still open). */
export function onCleanup(hook: () => void): void {
  cleanupHooks.push(hook);
}

export function WSAStartup(wVersionRequested: number, lpWSAData: WSADATA | null): number {
  const major = wVersionRequested & 0xff;
  const minor = (wVersionRequested >> 8) & 0xff;
  if (major < 1 || (major === 1 && minor < 1)) return W.WSAVERNOTSUPPORTED;
  // Windows negotiates down to the highest version it has (2.2) and fills WSADATA with it.
  const negotiated = major > 2 || (major === 2 && minor >= 2) ? 0x0202 : (major | (minor << 8));
  if (lpWSAData) {
    lpWSAData.wVersion = negotiated;
    lpWSAData.wHighVersion = 0x0202;
    lpWSAData.szDescription = 'WinSock 2.0';
    lpWSAData.szSystemStatus = 'Running (wsaioctl Linux emulation)';
    lpWSAData.iMaxSockets = 0;
    lpWSAData.iMaxUdpDg = 0;
  }
  startups++;
  return 0;
}

export function WSACleanup(): number {
  if (startups === 0) return W.WSANOTINITIALISED;
  startups--;
  if (startups === 0) for (const hook of cleanupHooks) hook();
  return 0;
}
