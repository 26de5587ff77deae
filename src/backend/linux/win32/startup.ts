/** WSAStartup / WSACleanup: a reference count (the backend closes what is left at the last WSACleanup). */
import * as W from '../../../errors/index.js';
import type { WSADATA } from '../../../winsock/types.js';

let startups = 0;

export const isStarted = (): boolean => startups > 0;

export function WSAStartup(wVersionRequested: number, lpWSAData: WSADATA | null): number {
  // Windows needs somewhere to write WSADATA: a null pointer is WSAEFAULT, and nothing starts.
  if (lpWSAData === null || typeof lpWSAData !== 'object') return W.WSAEFAULT;
  const major = wVersionRequested & 0xff;
  const minor = (wVersionRequested >> 8) & 0xff;
  const supported = major > 1 || (major === 1 && minor >= 1);
  // Windows negotiates down to the highest version it has (2.2); when it cannot serve the request
  // it still fills WSADATA with what it offers.
  const negotiated = !supported || major > 2 || (major === 2 && minor >= 2) ? 0x0202 : (major | (minor << 8));
  lpWSAData.wVersion = negotiated;
  lpWSAData.wHighVersion = 0x0202;
  lpWSAData.szDescription = 'WinSock 2.0';
  lpWSAData.szSystemStatus = 'Running'; // Windows' text (Wine protocol.c test_startup); backendName tells the emulation apart
  lpWSAData.iMaxSockets = major === 1 ? 32767 : 0;
  lpWSAData.iMaxUdpDg = major === 1 ? 65467 : 0;
  if (!supported) return W.WSAVERNOTSUPPORTED;
  startups++;
  return 0;
}

export function WSACleanup(): number {
  if (startups === 0) return W.WSANOTINITIALISED;
  startups--;
  return 0;
}
