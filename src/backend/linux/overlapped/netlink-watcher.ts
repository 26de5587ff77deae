/**
 * The one rtnetlink subscription of this JS thread (design principle 4): a NETLINK_ROUTE socket
 * bound to the link, IPv4/IPv6 address and IPv4/IPv6 route groups, opened when the first listener
 * (a pending SIO_ADDRESS_LIST_CHANGE / SIO_ROUTING_INTERFACE_CHANGE, however many) arrives and
 * closed when the last one leaves. Listeners are a Set, not fds or threads: 10,000 pending requests
 * cost this one socket.
 *
 * Only what the notifications need is decoded: nlmsg_type, the family byte, and for addresses the
 * interface index, scope, flags and address, so that "the address list changed" means a usable
 * address appeared or disappeared (a lifetime refresh or a repeat RTM_NEWADDR is not a change).
 * The address set is seeded by an RTM_GETADDR dump when the socket opens.
 */
import { AF_INET, AF_INET6 } from '../../../winsock/constants.js';
import * as libc from '../libc.js';
import { E, L } from '../libc.js';
import { addSource } from './reactor.js';

export type NetChange =
  /** A usable local address of this (Windows) family appeared or disappeared. */
  | { kind: 'address'; family: number }
  /** A route of this (Windows) family was added, removed or replaced. */
  | { kind: 'route'; family: number }
  /** An interface appeared, disappeared or changed state. */
  | { kind: 'link' }
  /** The kernel dropped notifications (socket buffer overrun): anything may have changed. */
  | { kind: 'overrun' };

export type NetListener = (changes: readonly NetChange[]) => void;

const NETLINK_ROUTE = 0;
const RTMGRP_LINK = 0x1;
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV4_ROUTE = 0x40;
const RTMGRP_IPV6_IFADDR = 0x100;
const RTMGRP_IPV6_ROUTE = 0x400;
const GROUPS = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSG_OVERRUN = 4;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_FLAGS = 8;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const RT_SCOPE_HOST = 254;
const ENOBUFS = 105;

const listeners = new Set<NetListener>();
let fd = -1;
let removeSource: (() => void) | null = null;
let dumpSeq = 0;
let dumping = false;
let nextSeq = 1;
/** Usable-ness of every address seen: key family|ifindex|address hex. */
const addresses = new Map<string, boolean>();
const recvBuffer = new Uint8Array(64 * 1024);

/** Number of open watcher sockets (0 or 1): for tests and the report. */
export function watcherOpen(): boolean {
  return fd >= 0;
}

export function listenerCount(): number {
  return listeners.size;
}

/** Add a listener; the socket opens with the first. Returns the function that removes it. */
export function listen(listener: NetListener): () => void {
  listeners.add(listener);
  if (fd < 0) open();
  return () => {
    if (listeners.delete(listener) && listeners.size === 0) close();
  };
}

function open(): void {
  const s = libc.socket(L.AF_NETLINK, L.SOCK_RAW | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s < 0) return; // no rtnetlink (a sandbox): requests stay pending, as on a host that never changes
  const sa = new Uint8Array(12);
  const view = new DataView(sa.buffer);
  view.setUint16(0, L.AF_NETLINK, true);
  view.setUint32(8, GROUPS, true);
  if (libc.bind(s, sa, sa.length) < 0) {
    libc.close(s);
    return;
  }
  fd = s;
  addresses.clear();
  requestAddressDump();
  removeSource = addSource({
    fd: () => fd,
    events: () => L.POLLIN,
    ready: () => drain(),
  });
}

function close(): void {
  removeSource?.();
  removeSource = null;
  if (fd >= 0) libc.close(fd);
  fd = -1;
  dumping = false;
  addresses.clear();
}

/** Close the socket whatever the listeners (the thread is exiting). */
export function shutdownWatcher(): void {
  listeners.clear();
  close();
}

function requestAddressDump(): void {
  const req = new Uint8Array(24);
  const view = new DataView(req.buffer);
  dumpSeq = nextSeq++;
  view.setUint32(0, req.length, true);
  view.setUint16(4, RTM_GETADDR, true);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  view.setUint32(8, dumpSeq, true);
  req[16] = L.AF_UNSPEC;
  dumping = libc.send(fd, req, req.length, 0) === req.length;
}

const windowsFamilyOf = (linux: number): number => (linux === L.AF_INET ? AF_INET : linux === L.AF_INET6 ? AF_INET6 : 0);

/** Read everything queued on the socket and tell the listeners what changed. */
function drain(): void {
  const changes: NetChange[] = [];
  const seen = new Set<string>();
  const add = (change: NetChange): void => {
    const key = JSON.stringify(change);
    if (!seen.has(key)) {
      seen.add(key);
      changes.push(change);
    }
  };
  // Bounded: at most this many reads per drain; whatever is left is read on the next poll.
  for (let reads = 0; reads < 256 && fd >= 0; reads++) {
    const n = libc.recv(fd, recvBuffer, recvBuffer.length, L.MSG_DONTWAIT);
    if (n < 0) {
      const errno = libc.errno();
      if (errno === ENOBUFS) {
        add({ kind: 'overrun' });
        // The address set may be stale now: seed it again.
        addresses.clear();
        requestAddressDump();
        continue;
      }
      if (errno === E.EINTR) continue;
      break; // EAGAIN: all read
    }
    if (n === 0) break;
    parse(recvBuffer.subarray(0, n), add);
  }
  if (changes.length === 0) return;
  for (const listener of [...listeners]) {
    if (!listeners.has(listener)) continue;
    try {
      listener(changes);
    } catch {
      // A listener bug must not stop the others.
    }
  }
}

function parse(data: Uint8Array, add: (change: NetChange) => void): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset + 16 <= data.length) {
    const len = view.getUint32(offset, true);
    if (len < 16 || offset + len > data.length) break;
    const type = view.getUint16(offset + 4, true);
    const seq = view.getUint32(offset + 8, true);
    const fromDump = dumping && seq === dumpSeq;
    const body = data.subarray(offset + 16, offset + len);
    if (type === NLMSG_DONE || type === NLMSG_ERROR) {
      if (fromDump) dumping = false;
    } else if (type === NLMSG_OVERRUN) {
      add({ kind: 'overrun' });
    } else if (type === RTM_NEWADDR || type === RTM_DELADDR) {
      const family = addressChange(body, type === RTM_NEWADDR);
      // During the seeding dump, entries are the starting state, not changes.
      if (family && !fromDump) add({ kind: 'address', family });
    } else if (type === RTM_NEWROUTE || type === RTM_DELROUTE) {
      const family = windowsFamilyOf(body[0] ?? 0);
      if (family) add({ kind: 'route', family });
    } else if (type === RTM_NEWLINK || type === RTM_DELLINK) {
      add({ kind: 'link' });
    }
    offset += (len + 3) & ~3;
  }
}

/**
 * Update the address set from one RTM_NEWADDR / RTM_DELADDR; returns the Windows family when the
 * set of usable addresses changed, else 0. Host-scope addresses (127.0.0.1, ::1) are not in
 * Windows' list and never count.
 */
function addressChange(body: Uint8Array, added: boolean): number {
  if (body.length < 8) return 0;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const family = windowsFamilyOf(body[0]!);
  if (!family) return 0;
  let flags = body[2]!;
  const scope = body[3]!;
  const index = view.getUint32(4, true);
  let address: Uint8Array | null = null;
  let local: Uint8Array | null = null;
  for (let at = 8; at + 4 <= body.length;) {
    const alen = view.getUint16(at, true);
    const atype = view.getUint16(at + 2, true) & 0x3fff;
    if (alen < 4 || at + alen > body.length) break;
    const payload = body.subarray(at + 4, at + alen);
    if (atype === IFA_ADDRESS) address = payload;
    else if (atype === IFA_LOCAL) local = payload;
    else if (atype === IFA_FLAGS && payload.length >= 4) flags = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, true);
    at += (alen + 3) & ~3;
  }
  if (scope === RT_SCOPE_HOST) return 0;
  const bytes = local ?? address;
  if (!bytes) return 0;
  const key = `${family}|${index}|${Buffer.from(bytes).toString('hex')}`;
  const before = addresses.get(key) ?? false;
  const usable = added && (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)) === 0;
  if (added) addresses.set(key, usable);
  else addresses.delete(key);
  return before !== usable ? family : 0;
}
