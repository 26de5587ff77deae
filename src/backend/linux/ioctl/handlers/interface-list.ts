/**
 * SIO_GET_INTERFACE_LIST: one INTERFACE_INFO (76 bytes) per IPv4 address of the host, from an
 * rtnetlink IPv4 address dump and each interface's flags (netlink/host.ts).
 *
 * Windows facts this follows (Wine's conformance test `test_get_interface_list`, which passes on
 * Windows; ReactOS's `WSAIoctl` apitest, which compares with GetIpAddrTable on Windows; the
 * Winsock IOCTLs page):
 * - works on any IPv4 socket, stream or datagram; an IPv6 socket fails with WSAEINVAL (the page:
 *   "not an IPPROTO_IP-level socket");
 * - bytes returned is a multiple of 76; the loopback interface is listed (IFF_LOOPBACK);
 * - iiAddress and iiNetmask always hold a SOCKADDR_IN (family AF_INET, non-zero address);
 * - iiBroadcastAddress holds an address exactly when IFF_BROADCAST is set, else the whole slot is
 *   zero (family 0). The address Windows puts there is the limited broadcast 255.255.255.255, not
 *   the subnet's (ReactOS's test expects 0xFFFFFFFF for every broadcast-capable row; programs that
 *   use the list compute the subnet broadcast from address | ~netmask themselves);
 * - addresses of a disconnected interface are listed without IFF_UP (GetIpAddrTable's
 *   MIB_IPADDR_DISCONNECTED rows);
 * - an output buffer too small for the whole list fails with WSAEFAULT and 0 bytes returned
 *   (nothing is written).
 *
 * Emulation choices:
 * - Linux flags map one to one: IFF_BROADCAST, IFF_LOOPBACK, IFF_POINTOPOINT, IFF_MULTICAST;
 *   IFF_UP is "up and running" (a carrier: what Windows calls connected). An interface that is
 *   administratively down is like a disabled Windows adapter and is not listed;
 * - on a point-to-point link the broadcast slot holds the peer's address (IFA_ADDRESS) when the
 *   kernel has one, as the INTERFACE_INFO documentation describes;
 * - order: the kernel's (interface index, then the order addresses were added); Windows does not
 *   document one.
 */
import { SIO_GET_INTERFACE_LIST } from '../../../../codes/index.js';
import { WSAEFAULT, WSAEINVAL, WSAENETDOWN } from '../../../../errors/index.js';
import { AF_INET, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_POINTTOPOINT, IFF_UP } from '../../../../winsock/constants.js';
import { encodeInterfaceInfo, INTERFACE_INFO_SIZE } from '../../../../structs/interface-info.js';
import { hostAddresses, isAdminUp, isOperational, LINUX_IFF, prefixMask, type HostAddress } from '../../netlink/index.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { family } from '../checks.js';

const LIMITED_BROADCAST = Uint8Array.of(255, 255, 255, 255);

/** Windows iiFlags for an address's interface. */
export function windowsInterfaceFlags(linuxFlags: number): number {
  let flags = 0;
  if ((linuxFlags & (LINUX_IFF.UP | LINUX_IFF.RUNNING)) === (LINUX_IFF.UP | LINUX_IFF.RUNNING)) flags |= IFF_UP;
  if (linuxFlags & LINUX_IFF.BROADCAST) flags |= IFF_BROADCAST;
  if (linuxFlags & LINUX_IFF.LOOPBACK) flags |= IFF_LOOPBACK;
  if (linuxFlags & LINUX_IFF.POINTOPOINT) flags |= IFF_POINTTOPOINT;
  if (linuxFlags & LINUX_IFF.MULTICAST) flags |= IFF_MULTICAST;
  return flags;
}

/** The INTERFACE_INFO records for these IPv4 addresses (interfaces administratively down left out). */
export function interfaceRecords(addresses: readonly HostAddress[]) {
  return addresses
    .filter((a) => a.version === 4 && isAdminUp(a.link))
    .map((a) => {
      const flags = windowsInterfaceFlags(a.link.flags);
      const broadcast = flags & IFF_BROADCAST ? LIMITED_BROADCAST : flags & IFF_POINTTOPOINT ? a.peer : null;
      return { flags, address: a.address, broadcast, netmask: prefixMask(4, a.prefixLength), operational: isOperational(a.link) };
    });
}

export const getInterfaceList: IoctlHandler = {
  name: 'SIO_GET_INTERFACE_LIST',
  code: SIO_GET_INTERFACE_LIST,
  checks: [family([AF_INET], WSAEINVAL, 0)],
  // test_get_interface_list: in overlapped mode it always pends, even with the list at hand.
  overlapped: { kind: 'always-pends' },
  run({ output }) {
    const host = hostAddresses(4);
    if (!host.ok) return failed(WSAENETDOWN);
    const records = interfaceRecords(host.value);
    const size = records.length * INTERFACE_INFO_SIZE;
    if (output.length < size) return failed(WSAEFAULT, 0);
    records.forEach((r, i) => encodeInterfaceInfo(r, output, i * INTERFACE_INFO_SIZE));
    return done(size);
  },
};
