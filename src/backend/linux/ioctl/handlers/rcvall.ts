/**
 * SIO_RCVALL, SIO_RCVALL_MCAST and SIO_RCVALL_IGMPMCAST: a bound raw socket receives every IP
 * packet (every multicast one, every IGMP one) that passes its interface, incoming and outgoing,
 * each starting at its IP header. SIO_RCVALL_IF and SIO_RCVALL_MCAST_IF: the same as SIO_RCVALL and
 * SIO_RCVALL_MCAST on the interface the input names by index. The capture itself is sockets/capture.ts (a packet socket whose
 * fd becomes the raw socket's receive fd, and why).
 *
 * Windows facts (Microsoft: sio-rcvall, winsock-ioctls, tcp-ip-raw-sockets-2; the shared fact
 * sheet remaining-codes.md §3.1, with its open questions in §7):
 * - SIO_RCVALL wants AF_INET / SOCK_RAW / IPPROTO_IP or AF_INET6 / SOCK_RAW / IPPROTO_IPV6;
 *   SIO_RCVALL_MCAST AF_INET / SOCK_RAW / IPPROTO_UDP; SIO_RCVALL_IGMPMCAST AF_INET / SOCK_RAW /
 *   IPPROTO_IGMP. Another socket: WSAEINVAL, the documented "not applicable to this socket type"
 *   (the exact error on TCP / UDP is not published: §7).
 * - The input is an RCVALL_VALUE; fewer bytes than a UCHAR (none), or a value above
 *   RCVALL_IPLEVEL: WSAEINVAL. Up to 4 bytes are read, little-endian (callers pass 4).
 * - RCVALL_ON: every packet the interface sees, promiscuous if the NIC can; RCVALL_IPLEVEL: every
 *   packet the NIC already accepts; RCVALL_SOCKETLEVELONLY: documented as not implemented, so it
 *   changes nothing (success, §7 leaves the return value open); RCVALL_OFF: stop.
 * - The socket must be bound to an explicit local address (not the wildcard): an unbound or
 *   wildcard-bound socket, or an address that has gone, is WSAEINVAL (the documented row for an
 *   interface that cannot be found; §3.1 calls it likely, not proven).
 * - Needs administrator rights; Windows already refuses a raw socket to others (WSAEACCES at
 *   socket creation: Wine sock.c test_WSASocket), so on Linux CAP_NET_RAW is checked there too.
 * - The output buffer is not used; `*lpcbBytesReturned` is 0.
 * The multicast codes take the same values (their pages say on / off only): ON and IPLEVEL both
 * mean all-multicast membership; the NIC is never made promiscuous for them.
 *
 * SIO_RCVALL_IF (0x9800000E) and SIO_RCVALL_MCAST_IF (0x9800000D, also SIO_SOCKET_CLOSE_NOTIFY's
 * XP-era value) are header-only (mstcpip.h; fact sheet §2 rows 35, 37, §3.3 item 9): the input is
 * RCVALL_IF { ULONG Mode at 0; ULONG Interface (index) at 4 }, 8 bytes. Nothing published says
 * what Windows does with them, so these rules are INFERRED, each the nearest sibling's:
 * - fewer than 8 input bytes: WSAEINVAL (the sibling's error for an input too short to hold its
 *   value); the Mode is the 4-byte RCVALL_VALUE, above RCVALL_IPLEVEL: WSAEINVAL;
 * - the socket rules are the sibling's (SIO_RCVALL_IF: SIO_RCVALL's; SIO_RCVALL_MCAST_IF:
 *   SIO_RCVALL_MCAST's), with its error, WSAEINVAL;
 * - the socket need not be bound: the siblings need the bind only to find the interface, which
 *   the input names here; when it is bound, the index still decides;
 * - an index no interface has (0 included): WSAEINVAL, the sibling's "interface cannot be found";
 *   any existing interface is accepted (up or not, with or without an address of the family);
 * - RCVALL_OFF stops the capture without looking at the index; RCVALL_SOCKETLEVELONLY looks the
 *   index up and changes nothing; a new mode or index replaces the capture, as the siblings do.
 * Both forms share the capture with the siblings: whichever code was called last decides.
 */
import { WSAEINVAL } from '../../../../errors/index.js';
import { SIO_RCVALL, SIO_RCVALL_IF, SIO_RCVALL_IGMPMCAST, SIO_RCVALL_MCAST, SIO_RCVALL_MCAST_IF } from '../../../../codes/index.js';
import {
  AF_INET, AF_INET6, IPPROTO_IGMP, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP, RCVALL_IPLEVEL, RCVALL_OFF, RCVALL_ON,
  RCVALL_SOCKETLEVELONLY, SOCK_RAW,
} from '../../../../winsock/constants.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import {
  boundInterface, capturing, indexedInterface, startCapture, stopCapture, type CaptureInterface, type CaptureKeep, type CaptureSpec,
} from '../../sockets/capture.js';
import { socketReceiveSwitched } from '../../sockets/lifecycle.js';
import { readSmallValue, readU32 } from '../buffers.js';
import { done, failed, type IoctlDone, type IoctlHandler } from '../types.js';
import { family, inputAtLeast, socketType } from '../checks.js';

interface RcvallFlavour {
  readonly name: string;
  readonly code: number;
  readonly families: readonly number[];
  /** The socket's protocol this code wants, by family. */
  protocolFor(af: number): number;
  readonly keep: CaptureKeep;
  /** The NIC membership for RCVALL_ON and RCVALL_IPLEVEL. */
  membership(value: number): CaptureSpec['membership'];
}

/** Where a code takes its mode and its interface from. */
interface RcvallInput {
  /** The fewest input bytes. */
  readonly size: number;
  mode(input: Uint8Array): number;
  where(sock: LinuxSocket, input: Uint8Array): CaptureInterface | number;
}

/** RCVALL_VALUE (Windows reads from one byte on, sio-rcvall); the interface of the bound address. */
const byBinding: RcvallInput = { size: 1, mode: readSmallValue, where: (sock) => boundInterface(sock) };
/** RCVALL_IF: Mode at 0, the interface index at 4 (ioctl-structs.md). */
const byIndex: RcvallInput = { size: 8, mode: (input) => readU32(input, 0), where: (_sock, input) => indexedInterface(readU32(input, 4)) };

function rcvallHandler(flavour: RcvallFlavour, from: RcvallInput = byBinding): IoctlHandler {
  return {
    name: flavour.name,
    code: flavour.code,
    checks: [
      inputAtLeast(from.size, WSAEINVAL, 0),
      socketType([SOCK_RAW], WSAEINVAL, 0),
      family(flavour.families, WSAEINVAL, 0),
    ],
    run({ sock, input }) {
      if (sock.protocol !== flavour.protocolFor(sock.af)) return failed(WSAEINVAL);
      const value = from.mode(input);
      if (value > RCVALL_IPLEVEL) return failed(WSAEINVAL);
      if (value === RCVALL_OFF) {
        stopCapture(sock, socketReceiveSwitched);
        return done(0);
      }
      const where = from.where(sock, input);
      if (typeof where === 'number') return failed(where);
      if (value === RCVALL_SOCKETLEVELONLY) return done(0);
      const spec: CaptureSpec = {
        ifindex: where.ifindex,
        loopback: where.loopback,
        membership: flavour.membership(value),
        dropOtherHost: !(flavour.keep === 'all' && value === RCVALL_ON),
        keep: flavour.keep,
      };
      return turnOn(sock, spec);
    },
  };
}

function turnOn(sock: LinuxSocket, spec: CaptureSpec): IoctlDone {
  if (capturing(sock, spec)) return done(0);
  const error = startCapture(sock, spec, socketReceiveSwitched);
  return error ? failed(error) : done(0);
}

const everyPacket: Omit<RcvallFlavour, 'name' | 'code'> = {
  families: [AF_INET, AF_INET6],
  protocolFor: (af) => (af === AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP),
  keep: 'all',
  membership: (value) => (value === RCVALL_ON ? 'promiscuous' : null),
};

const multicastPackets: Omit<RcvallFlavour, 'name' | 'code'> = {
  families: [AF_INET],
  protocolFor: () => IPPROTO_UDP,
  keep: 'multicast',
  membership: () => 'all-multicast',
};

/** Every IPv4 (AF_INET) or IPv6 (AF_INET6) packet of the bound address's interface. */
export const rcvall = rcvallHandler({ name: 'SIO_RCVALL', code: SIO_RCVALL, ...everyPacket });

/** Every IPv4 multicast packet (224.0.0.0/4) of the interface. */
export const rcvallMulticast = rcvallHandler({ name: 'SIO_RCVALL_MCAST', code: SIO_RCVALL_MCAST, ...multicastPackets });

/** SIO_RCVALL on the interface with the input's index. */
export const rcvallIf = rcvallHandler({ name: 'SIO_RCVALL_IF', code: SIO_RCVALL_IF, ...everyPacket }, byIndex);

/** SIO_RCVALL_MCAST on the interface with the input's index. */
export const rcvallMulticastIf = rcvallHandler({ name: 'SIO_RCVALL_MCAST_IF', code: SIO_RCVALL_MCAST_IF, ...multicastPackets }, byIndex);

/** Every IGMP packet of the interface. */
export const rcvallIgmpMulticast = rcvallHandler({
  name: 'SIO_RCVALL_IGMPMCAST',
  code: SIO_RCVALL_IGMPMCAST,
  families: [AF_INET],
  protocolFor: () => IPPROTO_IGMP,
  keep: 'igmp',
  membership: () => 'all-multicast',
});
