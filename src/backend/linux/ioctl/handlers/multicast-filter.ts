/**
 * The full-state multicast source filters (RFC 3678 §4 and §5): SIO_GET_MULTICAST_FILTER /
 * SIO_SET_MULTICAST_FILTER (alias SIOCGIPMSFILTER / SIOCSIPMSFILTER; IPv4 only, `ip_msfilter`)
 * and SIOCGMSFILTER / SIOCSMSFILTER (IPv4 or IPv6, `GROUP_FILTER`). Layouts: structs/multicast-filter.ts.
 *
 * Windows facts, with their sources:
 * - The get forms take the group and interface in the input and return the filter in the output;
 *   the callers Microsoft ships pass one buffer as both, with imsf_numsrc / gf_numsrc saying the
 *   room in the list, and read back the mode, the number of sources the filter has, and as many
 *   sources as there was room for (ws2tcpip.h getipv4sourcefilter / getsourcefilter; the set
 *   forms, setipv4sourcefilter / setsourcefilter, pass an input only).
 * - MCAST_INCLUDE = 0, MCAST_EXCLUDE = 1 (Microsoft, IP_MSFILTER and MULTICAST_MODE_TYPE pages).
 *   Linux numbers them the other way round (MCAST_EXCLUDE 0, MCAST_INCLUDE 1, linux/in.h), so
 *   every mode crossing the boundary is translated; an unknown mode is WSAEINVAL.
 * - imsf_interface is a local IPv4 address, or an interface index written 0.x.x.x (0.0.0.0: the
 *   default multicast interface) (Microsoft, IP_MSFILTER page); gf_interface is an index
 *   (GROUP_FILTER page). The sockaddrs in a GROUP_FILTER carry Windows' family numbers.
 * - The structures and these codes are valid only on SOCK_DGRAM and SOCK_RAW sockets
 *   (Microsoft, GROUP_FILTER page).
 * - Final-state programming uses these codes *instead of* the join / leave socket options
 *   (Microsoft, "Final-State-Based Multicast Programming"): setting a filter other than
 *   INCLUDE{} on a group the socket has not joined joins it, and INCLUDE{} leaves it (RFC 3678
 *   §4.1.2 / §5.2.2). Linux's IP_MSFILTER / MCAST_MSFILTER do only the second (a set on a group
 *   not joined is EINVAL), so the emulation joins first (IP_ADD_MEMBERSHIP / MCAST_JOIN_GROUP),
 *   and answers INCLUDE{} on a group not joined with success (the state asked for is the state).
 *
 * Inferred where no source says (fact sheet remaining-codes.md §7.3 lists them for a Windows run):
 * the error on a stream socket (WSAEINVAL, as the other multicast codes, handlers/multicast.ts),
 * a buffer shorter than the header or than the list it claims (WSAEFAULT: not inside the
 * caller's memory), the bytes a get returns (the header and the sources written), and a get on a
 * group the socket has not joined (the kernel's EADDRNOTAVAIL: WSAEADDRNOTAVAIL).
 */
import { WSAEFAULT, WSAEINVAL } from '../../../../errors/index.js';
import { SIOCGMSFILTER, SIOCSMSFILTER, SIO_GET_MULTICAST_FILTER, SIO_SET_MULTICAST_FILTER } from '../../../../codes/index.js';
import { SOCK_DGRAM, SOCK_RAW } from '../../../../winsock/constants.js';
import {
  AF_INET,
  AF_INET6,
  GROUP_FILTER_HEADER_SIZE,
  IP_MSFILTER_HEADER_SIZE,
  MCAST_EXCLUDE,
  MCAST_INCLUDE,
  SOCKADDR_STORAGE_SIZE,
  groupFilterSize,
  ipMsfilterSize,
} from '../../../../structs/index.js';
import * as libc from '../../host/libc.js';
import { L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { linuxFamily, windowsFamily } from '../../host/sockaddr.js';
import { readU16, readU32, writeU32 } from '../buffers.js';
import { done, failed, type IoctlDone, type IoctlHandler } from '../types.js';
import { inputAtLeast, outputAtLeast, socketType } from '../checks.js';

const toLinuxMode = (mode: number): number => (mode === MCAST_INCLUDE ? L.MCAST_INCLUDE : L.MCAST_EXCLUDE);
const toWindowsMode = (mode: number): number => (mode === L.MCAST_INCLUDE ? MCAST_INCLUDE : MCAST_EXCLUDE);
const validMode = (mode: number): boolean => mode === MCAST_INCLUDE || mode === MCAST_EXCLUDE;

const isMulticast4 = (first: number): boolean => first >= 224 && first <= 239;

/** getsockopt into `buf`; the Linux errno, or 0. */
function getInto(fd: number, level: number, name: number, buf: Uint8Array): number {
  return libc.getsockopt(fd, level, name, buf, new Uint32Array([buf.length])) < 0 ? libc.errno() : 0;
}
function set(fd: number, level: number, name: number, buf: Uint8Array): number {
  return libc.setsockopt(fd, level, name, buf, buf.length) < 0 ? libc.errno() : 0;
}

/**
 * Sets a filter the Windows way: Linux's set, after joining the group when the socket is not a
 * member yet (and leaving it again if the set then fails), INCLUDE{} on a non-member a success.
 */
function setFinalState(apply: () => number, join: () => number, leave: () => void, includeNone: boolean): IoctlDone {
  let errno = apply();
  if (errno === 0) return done(0);
  if (errno !== libc.E.EINVAL && errno !== libc.E.EADDRNOTAVAIL) return failed(wsaFromErrno(errno));
  if (includeNone) return errno === libc.E.EADDRNOTAVAIL ? done(0) : failed(wsaFromErrno(errno));
  const joinErrno = join();
  if (joinErrno !== 0) return failed(wsaFromErrno(joinErrno));
  errno = apply();
  if (errno === 0) return done(0);
  leave();
  return failed(wsaFromErrno(errno));
}

// --- IPv4: ip_msfilter --------------------------------------------------------------------------

/** True when imsf_interface is the 0.x.x.x interface-index form (not 0.0.0.0, the default). */
const isIndexForm = (iface: Uint8Array): boolean => iface[0] === 0 && (iface[1]! | iface[2]! | iface[3]!) !== 0;
const indexOf = (iface: Uint8Array): number => (iface[1]! << 16) | (iface[2]! << 8) | iface[3]!;

/** A Linux sockaddr_in (in a 128-byte sockaddr_storage slot) holding 4 address bytes. */
function linuxSockaddr4Into(out: Uint8Array, at: number, addr: Uint8Array): void {
  out[at] = L.AF_INET;
  out[at + 1] = 0;
  out.set(addr.subarray(0, 4), at + 4);
}

/** A Linux group_filter for an IPv4 ip_msfilter with an interface index. */
function groupFilterOf4(index: number, group: Uint8Array, mode: number, numsrc: number, sources: Uint8Array | null): Uint8Array {
  const gf = new Uint8Array(groupFilterSize(numsrc));
  writeU32(gf, 0, index);
  linuxSockaddr4Into(gf, 8, group);
  writeU32(gf, 136, mode);
  writeU32(gf, 140, numsrc);
  for (let i = 0; sources && i < numsrc; i++) linuxSockaddr4Into(gf, GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i, sources.subarray(4 * i, 4 * i + 4));
  return gf;
}

/** ip_mreq {group, interface address} or group_req {index, group} for a join / leave. */
function membership4(group: Uint8Array, iface: Uint8Array): { name: [number, number]; value: Uint8Array } {
  if (isIndexForm(iface)) {
    const req = new Uint8Array(8 + SOCKADDR_STORAGE_SIZE);
    writeU32(req, 0, indexOf(iface));
    linuxSockaddr4Into(req, 8, group);
    return { name: [L.MCAST_JOIN_GROUP, L.MCAST_LEAVE_GROUP], value: req };
  }
  const mreq = new Uint8Array(8);
  mreq.set(group.subarray(0, 4), 0);
  mreq.set(iface.subarray(0, 4), 4);
  return { name: [L.IP_ADD_MEMBERSHIP, L.IP_DROP_MEMBERSHIP], value: mreq };
}

export const setMulticastFilter: IoctlHandler = {
  name: 'SIO_SET_MULTICAST_FILTER',
  code: SIO_SET_MULTICAST_FILTER,
  checks: [socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0), inputAtLeast(IP_MSFILTER_HEADER_SIZE, WSAEFAULT, 0)],
  run({ sock, input }) {
    const numsrc = readU32(input, 12);
    if (input.length < ipMsfilterSize(numsrc)) return failed(WSAEFAULT);
    const mode = readU32(input, 8);
    const group = input.subarray(0, 4);
    const iface = input.subarray(4, 8);
    if (!validMode(mode) || !isMulticast4(group[0]!)) return failed(WSAEINVAL);
    const sources = input.subarray(IP_MSFILTER_HEADER_SIZE, ipMsfilterSize(numsrc));
    const apply = (): number => {
      if (isIndexForm(iface)) return set(sock.fd, L.IPPROTO_IP, L.MCAST_MSFILTER, groupFilterOf4(indexOf(iface), group, toLinuxMode(mode), numsrc, sources));
      const msf = new Uint8Array(ipMsfilterSize(numsrc));
      msf.set(input.subarray(0, ipMsfilterSize(numsrc)));
      writeU32(msf, 8, toLinuxMode(mode));
      return set(sock.fd, L.IPPROTO_IP, L.IP_MSFILTER, msf);
    };
    const { name: [join, leave], value } = membership4(group, iface);
    return setFinalState(apply, () => set(sock.fd, L.IPPROTO_IP, join, value), () => void set(sock.fd, L.IPPROTO_IP, leave, value), mode === MCAST_INCLUDE && numsrc === 0);
  },
};

export const getMulticastFilter: IoctlHandler = {
  name: 'SIO_GET_MULTICAST_FILTER',
  code: SIO_GET_MULTICAST_FILTER,
  checks: [
    socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0),
    inputAtLeast(IP_MSFILTER_HEADER_SIZE, WSAEFAULT, 0),
    outputAtLeast(IP_MSFILTER_HEADER_SIZE, WSAEFAULT, 0),
  ],
  run({ sock, input, output }) {
    const group = input.slice(0, 4);
    const iface = input.slice(4, 8);
    if (!isMulticast4(group[0]!)) return failed(WSAEINVAL);
    const room = Math.min(readU32(input, 12), Math.floor((output.length - IP_MSFILTER_HEADER_SIZE) / 4));
    let mode: number;
    let total: number;
    const found: Uint8Array[] = [];
    if (isIndexForm(iface)) {
      const gf = groupFilterOf4(indexOf(iface), group, 0, room, null);
      const errno = getInto(sock.fd, L.IPPROTO_IP, L.MCAST_MSFILTER, gf);
      if (errno) return failed(wsaFromErrno(errno));
      mode = readU32(gf, 136);
      total = readU32(gf, 140);
      for (let i = 0; i < Math.min(room, total); i++) {
        const at = GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i;
        found.push(gf.slice(at + 4, at + 8));
      }
    } else {
      const msf = new Uint8Array(ipMsfilterSize(room));
      msf.set(group, 0);
      msf.set(iface, 4);
      writeU32(msf, 12, room);
      const errno = getInto(sock.fd, L.IPPROTO_IP, L.IP_MSFILTER, msf);
      if (errno) return failed(wsaFromErrno(errno));
      mode = readU32(msf, 8);
      total = readU32(msf, 12);
      for (let i = 0; i < Math.min(room, total); i++) found.push(msf.slice(IP_MSFILTER_HEADER_SIZE + 4 * i, IP_MSFILTER_HEADER_SIZE + 4 * i + 4));
    }
    output.set(group, 0);
    output.set(iface, 4);
    writeU32(output, 8, toWindowsMode(mode));
    writeU32(output, 12, total);
    found.forEach((s, i) => output.set(s, IP_MSFILTER_HEADER_SIZE + 4 * i));
    return done(ipMsfilterSize(found.length));
  },
};

// --- Protocol independent: GROUP_FILTER ----------------------------------------------------------

/** Bytes of the sockaddr a Windows family needs inside a SOCKADDR_STORAGE slot. */
const SOCKADDR_BYTES: Record<number, number> = { [AF_INET]: 16, [AF_INET6]: 28 };

/** The Windows family of the SOCKADDR_STORAGE at `at`, or null when it is not an IP family. */
function familyAt(buf: Uint8Array, at: number): number | null {
  const family = readU16(buf, at);
  return family === AF_INET || family === AF_INET6 ? family : null;
}

/** A copy of a Windows SOCKADDR_STORAGE slot in Linux form (the family number rewritten). */
function linuxSlot(out: Uint8Array, at: number, from: Uint8Array, fromAt: number): void {
  const family = readU16(from, fromAt);
  const bytes = SOCKADDR_BYTES[family] ?? 0;
  out.set(from.subarray(fromAt, fromAt + bytes), at);
  const lf = linuxFamily(family);
  out[at] = lf & 0xff;
  out[at + 1] = lf >> 8;
}

/** The same, back to Windows form. */
function windowsSlot(out: Uint8Array, at: number, from: Uint8Array, fromAt: number): void {
  const family = windowsFamily(readU16(from, fromAt));
  const bytes = SOCKADDR_BYTES[family] ?? 0;
  out.fill(0, at, at + SOCKADDR_STORAGE_SIZE);
  out.set(from.subarray(fromAt, fromAt + bytes), at);
  out[at] = family & 0xff;
  out[at + 1] = family >> 8;
}

const isMulticastGroup = (buf: Uint8Array, at: number, family: number): boolean =>
  family === AF_INET ? isMulticast4(buf[at + 4]!) : buf[at + 8] === 0xff;

const levelOf = (family: number): number => (family === AF_INET ? L.IPPROTO_IP : L.IPPROTO_IPV6);

export const setMsFilter: IoctlHandler = {
  name: 'SIOCSMSFILTER',
  code: SIOCSMSFILTER,
  checks: [socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0), inputAtLeast(GROUP_FILTER_HEADER_SIZE, WSAEFAULT, 0)],
  run({ sock, input }) {
    const numsrc = readU32(input, 140);
    if (input.length < groupFilterSize(numsrc)) return failed(WSAEFAULT);
    const mode = readU32(input, 136);
    const family = familyAt(input, 8);
    if (!validMode(mode) || family === null || !isMulticastGroup(input, 8, family)) return failed(WSAEINVAL);
    const gf = new Uint8Array(groupFilterSize(numsrc));
    writeU32(gf, 0, readU32(input, 0));
    linuxSlot(gf, 8, input, 8);
    writeU32(gf, 136, toLinuxMode(mode));
    writeU32(gf, 140, numsrc);
    for (let i = 0; i < numsrc; i++) {
      const at = GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i;
      if (familyAt(input, at) !== family) return failed(WSAEINVAL);
      linuxSlot(gf, at, input, at);
    }
    const req = gf.slice(0, 8 + SOCKADDR_STORAGE_SIZE);
    const level = levelOf(family);
    return setFinalState(
      () => set(sock.fd, level, L.MCAST_MSFILTER, gf),
      () => set(sock.fd, level, L.MCAST_JOIN_GROUP, req),
      () => void set(sock.fd, level, L.MCAST_LEAVE_GROUP, req),
      mode === MCAST_INCLUDE && numsrc === 0,
    );
  },
};

export const getMsFilter: IoctlHandler = {
  name: 'SIOCGMSFILTER',
  code: SIOCGMSFILTER,
  checks: [
    socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0),
    inputAtLeast(GROUP_FILTER_HEADER_SIZE, WSAEFAULT, 0),
    outputAtLeast(GROUP_FILTER_HEADER_SIZE, WSAEFAULT, 0),
  ],
  run({ sock, input, output }) {
    const family = familyAt(input, 8);
    if (family === null || !isMulticastGroup(input, 8, family)) return failed(WSAEINVAL);
    const room = Math.min(readU32(input, 140), Math.floor((output.length - GROUP_FILTER_HEADER_SIZE) / SOCKADDR_STORAGE_SIZE));
    const header = input.slice(0, GROUP_FILTER_HEADER_SIZE);
    const gf = new Uint8Array(groupFilterSize(room));
    writeU32(gf, 0, readU32(header, 0));
    linuxSlot(gf, 8, header, 8);
    writeU32(gf, 140, room);
    const errno = getInto(sock.fd, levelOf(family), L.MCAST_MSFILTER, gf);
    if (errno) return failed(wsaFromErrno(errno));
    const total = readU32(gf, 140);
    const copied = Math.min(room, total);
    output.set(header.subarray(0, 136), 0);
    writeU32(output, 136, toWindowsMode(readU32(gf, 136)));
    writeU32(output, 140, total);
    for (let i = 0; i < copied; i++) {
      const at = GROUP_FILTER_HEADER_SIZE + SOCKADDR_STORAGE_SIZE * i;
      windowsSlot(output, at, gf, at);
    }
    return done(groupFilterSize(copied));
  },
};
