/**
 * The capture behind the SIO_RCVALL family: a packet socket (AF_PACKET, SOCK_DGRAM: the data
 * starts at the IP header, packet(7)) bound to one interface (the raw socket's bound address's, or
 * for SIO_RCVALL_IF / SIO_RCVALL_MCAST_IF the one the input names by index), whose packets the
 * raw socket then receives.
 *
 * Why the receive fd is swapped rather than the packets copied: the whole receive path (recv,
 * WSARecv pending or not, FIONREAD, select / WSAPoll, event select, blocking waits) already works
 * on one fd per socket, edge-triggered and without a thread. While a capture is on, that fd is the
 * packet socket's (`LinuxSocket.receiveFd`); sends, names and options stay on the raw socket. So
 * every receive mode sees the captured packets with no second queue and no poller of its own
 * (a receive reads each packet whole into one scratch buffer, for the source address in its IP
 * header, and copies what the caller's buffer takes). The kernel does the selection (a classic BPF
 * filter attached to the packet socket), so what is queued is exactly what recv will return, and
 * FIONREAD / readiness count only that. Whoever waits on the socket (pending receives, the event
 * selection) is moved to the new fd before the old packet socket closes (`switched`).
 *
 * What the filter keeps (Microsoft, sio-rcvall and the IOCTL list, winsock-ioctls; the shared
 * fact sheet remaining-codes.md §3):
 * - IPv4 packets (ETH_P_IP) on an AF_INET socket, IPv6 (ETH_P_IPV6) on an AF_INET6 one; no ARP or
 *   other protocols;
 * - incoming and outgoing packets of that interface (Windows 7 and later capture both): the packet
 *   socket listens to every protocol (ETH_P_ALL), as only those taps see outgoing frames;
 * - on a loopback interface each packet passes twice (out, then in): the outgoing copy is dropped;
 * - RCVALL_IPLEVEL and the multicast modes: not what the NIC accepted only because someone else
 *   made it promiscuous (PACKET_OTHERHOST);
 * - SIO_RCVALL_MCAST: IPv4 multicast destinations (224.0.0.0/4); SIO_RCVALL_IGMPMCAST: IGMP
 *   (protocol 2);
 * - each packet cut to its IP length (link-layer padding of short frames is not part of it).
 * RCVALL_ON adds a promiscuous membership (PACKET_MR_PROMISC), the multicast modes an all-multicast
 * one (PACKET_MR_ALLMULTI); the kernel counts memberships and drops them with the packet socket.
 *
 * recvfrom's source is the IP header's source address with port 0 (Microsoft, tcp-ip-raw-sockets-2:
 * a raw socket reports the sender's address), built here because a packet socket names a link
 * address instead.
 *
 * While capturing, the raw socket's own receive queue takes nothing (a drop-everything filter), so
 * the packets it would match are not kept twice; turning the capture off removes that filter.
 */
import * as C from '../../../winsock/constants.js';
import * as W from '../../../errors/index.js';
import * as libc from '../host/libc.js';
import { L, E, freeNativeBlock, nativeBlock } from '../host/libc.js';
import { noteOpened, closeOwnedFd } from '../host/thread-fds.js';
import { wsaFromErrno } from '../host/errno.js';
import { kernelInt, setKernelInt } from '../host/socket-facts.js';
import { LINUX_SOCKADDR_MAX } from '../host/sockaddr.js';
import { hostAddresses, isLoopbackLink } from '../netlink/host.js';
import { interfaceFlags, querying } from '../netlink/client.js';
import type { LinuxSocket } from '../win32/socket-state.js';

/** What a capture keeps beyond the family's IP packets. */
export type CaptureKeep = 'all' | 'multicast' | 'igmp';

export interface CaptureSpec {
  readonly ifindex: number;
  readonly loopback: boolean;
  /** PACKET_MR_PROMISC (RCVALL_ON), PACKET_MR_ALLMULTI (the multicast modes) or none. */
  readonly membership: 'promiscuous' | 'all-multicast' | null;
  /** Drop PACKET_OTHERHOST frames (every mode but RCVALL_ON). */
  readonly dropOtherHost: boolean;
  readonly keep: CaptureKeep;
}

interface Capture {
  readonly fd: number;
  readonly spec: CaptureSpec;
}

// ---- classic BPF (linux/filter.h) -------------------------------------------------------------------

const BPF = {
  LD_W_ABS: 0x20, LD_H_ABS: 0x28, LD_B_ABS: 0x30, JEQ_K: 0x15, ALU_ADD_K: 0x04, ALU_AND_K: 0x54,
  RET_K: 0x06, RET_A: 0x16,
} as const;
/** The ancillary loads (SKF_AD_OFF + SKF_AD_PROTOCOL / SKF_AD_PKTTYPE), as unsigned 32-bit offsets. */
const AD_PROTOCOL = (-0x1000 + 0) >>> 0;
const AD_PKTTYPE = (-0x1000 + 4) >>> 0;

interface Instruction { code: number; jt: number; jf: number; k: number }

/**
 * The filter of a capture: each test either falls through or jumps to the final "drop" (ret 0);
 * the packet kept is cut to its IP length (IPv4 total length; IPv6 payload length + 40).
 */
export function captureFilter(ipv6: boolean, spec: Pick<CaptureSpec, 'loopback' | 'dropOtherHost' | 'keep'>): Instruction[] {
  // Tests as [code, k, dropWhen]: dropWhen 'equal' jumps to drop on a match, 'different' otherwise.
  const body: Array<{ load: Instruction; and?: number; value: number; dropWhen: 'equal' | 'different' }> = [];
  body.push({ load: ins(BPF.LD_W_ABS, AD_PROTOCOL), value: ipv6 ? L.ETH_P_IPV6 : L.ETH_P_IP, dropWhen: 'different' });
  if (spec.loopback) body.push({ load: ins(BPF.LD_W_ABS, AD_PKTTYPE), value: L.PACKET_OUTGOING, dropWhen: 'equal' });
  if (spec.dropOtherHost) body.push({ load: ins(BPF.LD_W_ABS, AD_PKTTYPE), value: L.PACKET_OTHERHOST, dropWhen: 'equal' });
  if (spec.keep === 'multicast') body.push({ load: ins(BPF.LD_B_ABS, 16), and: 0xf0, value: 0xe0, dropWhen: 'different' });
  if (spec.keep === 'igmp') body.push({ load: ins(BPF.LD_B_ABS, 9), value: C.IPPROTO_IGMP, dropWhen: 'different' });
  const out: Instruction[] = [];
  const tail = ipv6 ? 3 : 2; // instructions after the tests, the drop excluded
  const total = body.reduce((n, t) => n + (t.and !== undefined ? 3 : 2), 0) + tail + 1;
  for (const test of body) {
    out.push(test.load);
    if (test.and !== undefined) out.push(ins(BPF.ALU_AND_K, test.and));
    // Jump offsets count from the next instruction; the drop is the last one.
    const toDrop = total - (out.length + 1) - 1;
    out.push(test.dropWhen === 'equal' ? { code: BPF.JEQ_K, jt: toDrop, jf: 0, k: test.value } : { code: BPF.JEQ_K, jt: 0, jf: toDrop, k: test.value });
  }
  if (ipv6) {
    out.push(ins(BPF.LD_H_ABS, 4), ins(BPF.ALU_ADD_K, 40));
  } else {
    out.push(ins(BPF.LD_H_ABS, 2));
  }
  out.push(ins(BPF.RET_A, 0), ins(BPF.RET_K, 0));
  return out;
}

function ins(code: number, k: number): Instruction {
  return { code, jt: 0, jf: 0, k };
}

/** SO_ATTACH_FILTER with `program` (the kernel copies it; the native block is freed at once). */
function attachFilter(fd: number, program: readonly Instruction[]): number {
  const block = nativeBlock(16 + program.length * 8);
  try {
    const { view, address } = block;
    program.forEach((p, i) => {
      view.setUint16(16 + i * 8, p.code, true);
      view.setUint8(16 + i * 8 + 2, p.jt);
      view.setUint8(16 + i * 8 + 3, p.jf);
      view.setUint32(16 + i * 8 + 4, p.k, true);
    });
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; } (x86_64: 16 bytes).
    view.setUint16(0, program.length, true);
    view.setBigUint64(8, BigInt(address + 16), true);
    return libc.setsockoptAt(fd, L.SOL_SOCKET, L.SO_ATTACH_FILTER, address, 16) < 0 ? libc.errno() : 0;
  } finally {
    freeNativeBlock(block);
  }
}

const DROP_EVERYTHING: readonly Instruction[] = [ins(BPF.RET_K, 0)];
const noValue = new Uint8Array(4);

// ---- the interface to capture on ---------------------------------------------------------------------

/** The interface a capture is on: its index, and whether it is a loopback one. */
export interface CaptureInterface { readonly ifindex: number; readonly loopback: boolean }

/**
 * The interface of the raw socket's bound address, or WSAEINVAL when the socket is not bound, is
 * bound to the wildcard address, or its address has gone (Microsoft, sio-rcvall: an explicit local
 * address is required; WSAEINVAL covers "the interface cannot be found").
 */
export function boundInterface(sock: LinuxSocket): CaptureInterface | number {
  const addr = new Uint8Array(LINUX_SOCKADDR_MAX);
  const len = new Uint32Array([addr.length]);
  if (libc.getsockname(sock.fd, addr, len) < 0) return wsaFromErrno(libc.errno());
  const ipv6 = sock.af === C.AF_INET6;
  const bytes = ipv6 ? addr.subarray(8, 24) : addr.subarray(4, 8);
  if (bytes.every((b) => b === 0)) return W.WSAEINVAL;
  const scope = ipv6 ? new DataView(addr.buffer).getUint32(24, true) : 0;
  const found = hostAddresses(ipv6 ? 6 : 4);
  if (!found.ok) return wsaFromErrno(found.errno);
  const match = found.value.find((a) => a.address.length === bytes.length && a.address.every((b, i) => b === bytes[i]) && (scope === 0 || a.index === scope));
  return match ? { ifindex: match.index, loopback: isLoopbackLink(match.link) } : W.WSAEINVAL;
}

/**
 * The interface with this index (SIO_RCVALL_IF / SIO_RCVALL_MCAST_IF), or WSAEINVAL when there is
 * none: the same answer as boundInterface's for an interface that cannot be found.
 */
export function indexedInterface(ifindex: number): CaptureInterface | number {
  // Linux indexes are positive ints; 0 and what does not fit name no interface.
  if (!(ifindex > 0 && ifindex <= 0x7fffffff)) return W.WSAEINVAL;
  const found = querying((socket) => interfaceFlags(socket, ifindex));
  if (found.ok) return { ifindex, loopback: isLoopbackLink({ index: ifindex, ...found.value }) };
  return found.errno === E.ENODEV || found.errno === E.ENXIO ? W.WSAEINVAL : wsaFromErrno(found.errno);
}

// ---- start, stop, receive ----------------------------------------------------------------------------

/** The capture of a socket, if one is on. */
const captureOf = (sock: LinuxSocket): Capture | null => sock.capture as Capture | null;

/** Whether a capture with this exact spec is already on (turning it on again changes nothing). */
export function capturing(sock: LinuxSocket, spec: CaptureSpec): boolean {
  const current = captureOf(sock);
  if (!current) return false;
  const a = current.spec;
  return a.ifindex === spec.ifindex && a.membership === spec.membership && a.dropOtherHost === spec.dropOtherHost && a.keep === spec.keep;
}

/**
 * Start capturing with `spec`, replacing a capture already on: 0, or the Winsock error (EPERM:
 * WSAEACCES). `switched` is called once the socket's receive fd is the new one and before the old
 * packet socket (if any) closes, so whoever waits on the socket moves over while both fds exist.
 */
export function startCapture(sock: LinuxSocket, spec: CaptureSpec, switched: (sock: LinuxSocket) => void): number {
  const ipv6 = sock.af === C.AF_INET6;
  // Protocol 0 until bound: nothing is queued before the filter is in place.
  const fd = noteOpened(libc.socket(L.AF_PACKET, L.SOCK_DGRAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0));
  if (fd < 0) {
    const errno = libc.errno();
    return errno === E.EPERM || errno === E.EACCES ? W.WSAEACCES : wsaFromErrno(errno);
  }
  const error = configure(fd, ipv6, spec);
  if (error) {
    closeOwnedFd(fd);
    return error === E.EPERM || error === E.EACCES ? W.WSAEACCES : wsaFromErrno(error);
  }
  // The receive buffer the caller gave the socket (SO_RCVBUF) is the capture's too (Linux reports
  // twice what was set, and doubles what is set).
  const buffer = kernelInt(sock.fd, L.SOL_SOCKET, L.SO_RCVBUF);
  if (buffer !== null && buffer > 0) setKernelInt(fd, L.SOL_SOCKET, L.SO_RCVBUF, Math.floor(buffer / 2));
  const previous = captureOf(sock);
  const capture: Capture = { fd, spec };
  sock.capture = capture;
  if (!previous) attachFilter(sock.fd, DROP_EVERYTHING);
  switched(sock);
  if (previous) closeOwnedFd(previous.fd);
  return 0;
}

/** The packet socket's filter, binding and membership: 0 or the errno. */
function configure(fd: number, ipv6: boolean, spec: CaptureSpec): number {
  const filtered = attachFilter(fd, captureFilter(ipv6, spec));
  if (filtered) return filtered;
  // struct sockaddr_ll: family, protocol (network order), ifindex, then unused link fields.
  const ll = new Uint8Array(20);
  const view = new DataView(ll.buffer);
  view.setUint16(0, L.AF_PACKET, true);
  view.setUint16(2, L.ETH_P_ALL, false);
  view.setInt32(4, spec.ifindex, true);
  if (libc.bind(fd, ll, ll.length) < 0) return libc.errno();
  if (spec.membership !== null) {
    // struct packet_mreq: ifindex, type, alen, address[8].
    const mreq = new Uint8Array(16);
    const m = new DataView(mreq.buffer);
    m.setInt32(0, spec.ifindex, true);
    m.setUint16(4, spec.membership === 'promiscuous' ? L.PACKET_MR_PROMISC : L.PACKET_MR_ALLMULTI, true);
    if (libc.setsockopt(fd, L.SOL_PACKET, L.PACKET_ADD_MEMBERSHIP, mreq, mreq.length) < 0) return libc.errno();
  }
  return 0;
}

/**
 * Stop the socket's capture, if any: the raw socket receives again, `switched` (when given) moves
 * its waiters back, then the packet socket closes (its membership goes with it).
 */
export function stopCapture(sock: LinuxSocket, switched?: (sock: LinuxSocket) => void): boolean {
  const current = captureOf(sock);
  if (!current) return false;
  sock.capture = null;
  if (!sock.closed) libc.setsockopt(sock.fd, L.SOL_SOCKET, L.SO_DETACH_FILTER, noValue, noValue.length);
  switched?.(sock);
  closeOwnedFd(current.fd);
  return true;
}

/** The largest IP packet (IPv6: a 65535-byte payload after its 40-byte header). */
const scratch = new Uint8Array(65535 + 40);

/**
 * One receive from the capture, as recvfrom(MSG_TRUNC) would give it: at most `len` bytes into
 * `buf`, the packet's real length returned (more than `len`: truncated), the source address
 * (Linux sockaddr, from the IP header) in `from` / `fromLen`. -1 with errno set on failure.
 */
export function receiveCaptured(sock: LinuxSocket, buf: Uint8Array, len: number, linuxFlags: number, from: Uint8Array, fromLen: Uint32Array): number {
  const fd = sock.receiveFd;
  const n = libc.recvfrom(fd, scratch, scratch.length, linuxFlags & (L.MSG_PEEK | L.MSG_OOB), null, null);
  if (n < 0) return n;
  const packet = scratch.subarray(0, n);
  const count = Math.min(len, n, buf.length);
  if (count > 0) buf.set(packet.subarray(0, count));
  const source = capturedSource(sock, packet);
  const size = Math.min(source.length, from.length);
  from.set(source.subarray(0, size));
  fromLen[0] = size;
  return n;
}

/**
 * The Linux sockaddr of a captured packet's source (port 0), read from its IP header; an IPv6
 * link-local source gets the capture's interface as its scope.
 */
export function capturedSource(sock: LinuxSocket, packet: Uint8Array): Uint8Array {
  const ipv6 = sock.af === C.AF_INET6;
  const out = new Uint8Array(ipv6 ? 28 : 16);
  const view = new DataView(out.buffer);
  view.setUint16(0, ipv6 ? L.AF_INET6 : L.AF_INET, true);
  if (!ipv6) {
    out.set(packet.subarray(12, 16), 4);
    return out;
  }
  out.set(packet.subarray(8, 24), 8);
  const linkLocal = out[8] === 0xfe && (out[9]! & 0xc0) === 0x80;
  const capture = captureOf(sock);
  if (linkLocal && capture) view.setUint32(24, capture.spec.ifindex, true);
  return out;
}
