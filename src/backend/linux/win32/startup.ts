/**
 * WSAStartup / WSACleanup: version negotiation and a reference count (the backend closes what is
 * left at the last WSACleanup).
 *
 * Windows facts (ReactOS modules/rostests/apitests/ws2_32/WSAStartup.c, run on Windows):
 * - the version is checked before the WSADATA pointer: WSAStartup(0, NULL) is WSAVERNOTSUPPORTED,
 *   WSAStartup(2.2, NULL) is WSAEFAULT; neither starts anything nor touches the last error;
 * - 0.x fails with WSAVERNOTSUPPORTED but still fills WSADATA (wVersion 2.2);
 * - 1.0, 1.1, 2.0, 2.1, 2.2 are granted as asked; 1.2 .. 1.255 get 1.1; 2.3 and up, and 3.x and
 *   up, get 2.2; wHighVersion is always 2.2;
 * - iMaxSockets / iMaxUdpDg are 32767 / 65467 when the granted major version is 1, else 0;
 * - a success sets the last error to 0; each success counts, and a second call re-negotiates
 *   (its WSADATA describes the version it asked for).
 */
import * as W from '../../../errors/index.js';
import type { WSADATA } from '../../../winsock/types.js';
import { setLastError } from './last-error.js';

let startups = 0;

export const isStarted = (): boolean => startups > 0;

const HIGHEST = 0x0202;

/** The version Windows grants for a request, or null for a major version of 0. */
function negotiate(wVersionRequested: number): number | null {
  const major = wVersionRequested & 0xff;
  const minor = (wVersionRequested >> 8) & 0xff;
  if (major === 0) return null;
  if (major === 1) return minor <= 1 ? major | (minor << 8) : 0x0101;
  if (major === 2 && minor <= 2) return major | (minor << 8);
  return HIGHEST;
}

export function WSAStartup(wVersionRequested: number, lpWSAData: WSADATA | null): number {
  // A WORD: `&` also refuses (throws on) a BigInt or Symbol, which the surface guard turns into WSAEFAULT.
  const granted = negotiate(wVersionRequested & 0xffff);
  const data = lpWSAData !== null && typeof lpWSAData === 'object' ? lpWSAData : null;
  if (data !== null) {
    const version = granted ?? HIGHEST;
    const legacy = (version & 0xff) === 1;
    data.wVersion = version;
    data.wHighVersion = HIGHEST;
    data.szDescription = 'WinSock 2.0';
    data.szSystemStatus = 'Running'; // Windows' text; backendName tells the emulation apart
    data.iMaxSockets = legacy ? 32767 : 0;
    data.iMaxUdpDg = legacy ? 65467 : 0;
  }
  if (granted === null) return W.WSAVERNOTSUPPORTED;
  if (data === null) return W.WSAEFAULT;
  startups++;
  setLastError(0);
  return 0;
}

export function WSACleanup(): number {
  if (startups === 0) return W.WSANOTINITIALISED;
  startups--;
  return 0;
}
