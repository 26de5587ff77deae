/**
 * The one rtnetlink subscription of this JS thread (docs/principles.md, principle 4): a NETLINK_ROUTE socket
 * bound to the link, IPv4/IPv6 address and IPv4/IPv6 route groups, opened when the first listener
 * (a pending SIO_ADDRESS_LIST_CHANGE / SIO_ROUTING_INTERFACE_CHANGE, however many) arrives and
 * closed when the last one leaves. Listeners are a Set, not fds or threads: 10,000 pending requests
 * cost this one socket.
 *
 * Messages are decoded with the netlink module (../netlink/messages.ts): nlmsg_type, the family
 * byte, and for addresses parseAddress, so that "the address list changed" means a usable address
 * appeared or disappeared (a lifetime refresh or a repeat RTM_NEWADDR is not a change).
 * The address set is seeded by an RTM_GETADDR dump when the socket opens.
 */
import { AF_INET, AF_INET6 } from '../../../winsock/constants.js';
import * as libc from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { E, L } from '../host/libc.js';
import { addSource } from '../loop/reactor.js';
import {
  NETLINK_ROUTE, NLMSG, RTM, RTMGRP_NETWORK_CHANGES, RT_SCOPE, SOCKADDR_NL_SIZE, addressDumpRequest, parseAddress, parseMessages, type NetlinkMessage,
} from './index.js';

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

const GROUPS = RTMGRP_NETWORK_CHANGES;

const listeners = new Set<NetListener>();
let fd = -1;
let removeSource: (() => void) | null = null;
let dumpSeq = 0;
let dumping = false;
let nextSeq = 1;
/** Our netlink port id: replies to our own dump carry it; notifications carry their sender's. */
let portId = -1;
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
  const s = noteOpened(libc.socket(L.AF_NETLINK, L.SOCK_RAW | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, NETLINK_ROUTE));
  if (s < 0) return; // no rtnetlink (a sandbox): requests stay pending, as on a host that never changes
  const sa = new Uint8Array(SOCKADDR_NL_SIZE);
  const view = new DataView(sa.buffer);
  view.setUint16(0, L.AF_NETLINK, true);
  view.setUint32(8, GROUPS, true);
  if (libc.bind(s, sa, sa.length) < 0) {
    closeOwnedFd(s);
    return;
  }
  fd = s;
  portId = boundPortId(s);
  addresses.clear();
  requestAddressDump();
  removeSource = addSource({
    fd: () => fd,
    events: () => L.POLLIN,
    ready: () => drain(),
  });
}

/** The port id the kernel gave the socket at bind (sockaddr_nl.nl_pid). */
function boundPortId(s: number): number {
  const sa = new Uint8Array(SOCKADDR_NL_SIZE);
  const len = new Uint32Array([sa.length]);
  if (libc.getsockname(s, sa, len) < 0) return -1;
  return new DataView(sa.buffer).getUint32(4, true);
}

function close(): void {
  removeSource?.();
  removeSource = null;
  if (fd >= 0) closeOwnedFd(fd);
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
  dumpSeq = nextSeq++;
  const req = addressDumpRequest(dumpSeq, 0);
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
      if (errno === E.ENOBUFS) {
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
  for (const message of parseMessages(data)) {
    // A notification caused by another program can carry any sequence number (small ones are
    // common): only a message addressed to our own port is part of our dump.
    const fromDump = dumping && message.seq === dumpSeq && message.pid === portId;
    const { type, payload } = message;
    if (type === NLMSG.DONE || type === NLMSG.ERROR) {
      if (fromDump) dumping = false;
    } else if (type === NLMSG.OVERRUN) {
      add({ kind: 'overrun' });
    } else if (type === RTM.NEWADDR || type === RTM.DELADDR) {
      const family = addressChange(message, type === RTM.NEWADDR);
      // During the seeding dump, entries are the starting state, not changes.
      if (family && !fromDump) add({ kind: 'address', family });
    } else if (type === RTM.NEWROUTE || type === RTM.DELROUTE) {
      const family = windowsFamilyOf(payload[0] ?? 0);
      if (family) add({ kind: 'route', family });
    } else if (type === RTM.NEWLINK || type === RTM.DELLINK) {
      add({ kind: 'link' });
    }
  }
}

/**
 * Update the address set from one RTM_NEWADDR / RTM_DELADDR (decoded by the netlink module's
 * parseAddress); returns the Windows family when the set of usable addresses changed, else 0.
 * Usable as SIO_ADDRESS_LIST_QUERY counts it: not tentative, DAD-failed or deprecated; host-scope
 * addresses (127.0.0.1, ::1) are never in Windows' list and never count.
 */
function addressChange(message: NetlinkMessage, added: boolean): number {
  const info = parseAddress(message);
  if (!info || info.scope === RT_SCOPE.HOST) return 0;
  const family = info.version === 4 ? AF_INET : AF_INET6;
  const key = `${family}|${info.index}|${Buffer.from(info.address).toString('hex')}`;
  const before = addresses.get(key) ?? false;
  const usable = added && !info.tentative && !info.dadFailed && !info.deprecated;
  if (added) addresses.set(key, usable);
  else addresses.delete(key);
  return before !== usable ? family : 0;
}
