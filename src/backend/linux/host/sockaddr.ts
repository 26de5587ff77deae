/**
 * Windows sockaddr <-> Linux sockaddr. The byte layouts of sockaddr_in (16) and sockaddr_in6 (28)
 * are the same on both systems (the sizes: structs/sockaddr.ts); only the family number differs
 * (AF_INET6 is 23 on Windows, structs/sockaddr.ts; 10 on Linux, host/constants.ts), so
 * translation is a copy with the family rewritten.
 */
import { AF_INET, AF_INET6, sockaddrSize } from '../../../structs/sockaddr.js';
import { WSAEAFNOSUPPORT, WSAEFAULT } from '../../../errors/index.js';
import { L } from './libc.js';

/** sizeof(struct sockaddr_storage) on Linux: room for any address getsockname / recvfrom returns. */
export const LINUX_SOCKADDR_MAX = 128;

/**
 * Windows' SOCKADDR_UN (afunix.h): ADDRESS_FAMILY sun_family (AF_UNIX = 1) and char sun_path[108],
 * 110 bytes; Linux's sockaddr_un has the same layout and family number.
 */
export const SOCKADDR_UN_SIZE = 110;
const WINDOWS_AF_UNIX = 1;

/** The size of a Windows name of a socket of this Windows family (IP sockaddrs, SOCKADDR_UN). */
export function socketNameSize(windowsFamilyValue: number): number {
  return windowsFamilyValue === WINDOWS_AF_UNIX ? SOCKADDR_UN_SIZE : sockaddrSize(windowsFamilyValue);
}

export function linuxFamily(windowsFamily: number): number {
  return windowsFamily === AF_INET ? L.AF_INET : windowsFamily === AF_INET6 ? L.AF_INET6 : -1;
}

export function windowsFamily(linuxFamilyValue: number): number {
  return linuxFamilyValue === L.AF_INET ? AF_INET : linuxFamilyValue === L.AF_INET6 ? AF_INET6 : linuxFamilyValue;
}

/**
 * A Linux copy of the caller's Windows sockaddr, or a Winsock error number: WSAEFAULT when the
 * buffer is missing or shorter than its family needs, WSAEAFNOSUPPORT when the family is not
 * the socket's (`expectFamily`, if given) or not an IP family.
 */
export function toLinuxSockaddr(name: Uint8Array | null, namelen: number, expectFamily?: number): { addr: Uint8Array; len: number } | number {
  if (name === null || !Number.isInteger(namelen) || namelen < 2 || namelen > name.length) return WSAEFAULT;
  const family = name[0]! | (name[1]! << 8);
  if (family === WINDOWS_AF_UNIX && expectFamily === WINDOWS_AF_UNIX) {
    // A path (or Linux's abstract name) of up to 108 bytes; the family number is the same.
    const len = Math.min(namelen, SOCKADDR_UN_SIZE);
    return { addr: name.slice(0, len), len };
  }
  const need = sockaddrSize(family);
  if (need === 0) return WSAEAFNOSUPPORT;
  if (namelen < need) return WSAEFAULT;
  if (expectFamily !== undefined && family !== expectFamily) return WSAEAFNOSUPPORT;
  const addr = new Uint8Array(need);
  addr.set(name.subarray(0, need));
  const lf = linuxFamily(family);
  addr[0] = lf & 0xff;
  addr[1] = lf >> 8;
  return { addr, len: need };
}

/**
 * Write a Linux sockaddr into the caller's buffer in Windows form. Returns 0, or WSAEFAULT when
 * the caller's stated size is too small (nothing is written then).
 */
export function writeWindowsSockaddr(linuxAddr: Uint8Array, out: Uint8Array, outLen: number): number {
  const family = windowsFamily(linuxAddr[0]! | (linuxAddr[1]! << 8));
  const size = socketNameSize(family);
  if (size === 0 || outLen < size || out.length < size) return WSAEFAULT;
  // An unnamed AF_UNIX peer is its family alone: the rest of the SOCKADDR_UN reads as zeros.
  if (family === WINDOWS_AF_UNIX) out.fill(0, 0, size);
  out.set(linuxAddr.subarray(0, size));
  out[0] = family & 0xff;
  out[1] = family >> 8;
  return 0;
}

export function windowsSockaddrFromLinux(linuxAddr: Uint8Array): Uint8Array {
  const family = windowsFamily(linuxAddr[0]! | (linuxAddr[1]! << 8));
  const out = new Uint8Array(sockaddrSize(family) || 16);
  writeWindowsSockaddr(linuxAddr, out, out.length);
  return out;
}
