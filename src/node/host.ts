/**
 * Host-wide queries (interfaces, addresses, routes, destination order) made the Winsock way:
 * a WSAIoctl on a temporary socket, decoded to plain objects. Synchronous, WinsockError on failure.
 */
import * as os from 'node:os';
import * as ws from '../winsock/index.js';
import {
  decodeSocketAddressList, encodeSocketAddressList, socketAddressListSize, SOCKET_ADDRESS_LIST_HEADER, SOCKET_ADDRESS_SIZE,
} from '../structs/socket-address-list.js';
import { decodeInterfaceList, INTERFACE_INFO_SIZE, type InterfaceInfoRecord } from '../structs/interface-info.js';
import { parseSockaddr, sockaddr, SOCKADDR_IN6_SIZE, SOCKADDR_STORAGE_SIZE, unmappedText } from '../structs/sockaddr.js';
import { WinsockError, badPort, invalidArgType } from './errors.js';
import { addressOf, ensureStarted, familyOf, growIoctl, ioctlSyscall, rawIoctl, stableBuffer, withTemporarySocket } from './core.js';
import { ioctlOn } from './controls.js';
import type { SocketLike } from './adopt.js';

/** An IP address as the host queries return it. */
export interface NetAddress {
  /** The address family, named as Node names it. */
  family: 'IPv4' | 'IPv6';
  /** Address text. */
  address: string;
  /** IPv6 only: the zone (interface index) of a link-local address; 0 otherwise. */
  scopeId?: number;
}

/**
 * WSAIoctl with an output buffer grown until the answer fits (core.ts growIoctl), WinsockError on
 * failure. Returns the buffer (stable address) and the bytes written. Internal (exported for tests).
 */
export function growingIoctl(s: ws.SOCKET, code: number, input: Uint8Array | null, firstSize: number, maxSize = 1 << 24): { out: Uint8Array; bytes: number } {
  const result = growIoctl(s, code, input, firstSize, maxSize);
  if (result.ok) return { out: result.out, bytes: result.bytes };
  throw new WinsockError(result.error, ioctlSyscall(code), result.grewPast === undefined ? undefined : `the answer kept growing past ${result.grewPast} bytes`);
}

function netAddress(sa: Uint8Array): NetAddress {
  const info = parseSockaddr(sa);
  return info.family === ws.AF_INET
    ? { family: 'IPv4', address: info.address }
    : { family: 'IPv6', address: info.address, scopeId: info.scopeId ?? 0 };
}

/**
 * The name `os.networkInterfaces()` gives the interface holding `address` (Winsock's records are
 * anonymous), or null when Node lists no interface with it.
 */
export function interfaceNameOf(family: 'IPv4' | 'IPv6', address: string): string | null {
  const key = addressKey(address);
  for (const [name, list] of Object.entries(os.networkInterfaces())) {
    if (list?.some((entry) => entry.family === family && addressKey(entry.address) === key)) return name;
  }
  return null;
}

/**
 * The index of the interface `os.networkInterfaces()` calls `name` (what if_nametoindex, the IPv6
 * scope id and Windows' IfIndex give), or null when no interface has that name now.
 *
 * - Windows: the adapter whose alias (friendly name) it is: ConvertInterfaceAliasToLuid, then
 *   ConvertInterfaceLuidToIndex.
 * - Linux: if_nametoindex (an IPv4 label such as `eth0:1` gives eth0's index).
 */
export function interfaceIndexOf(name: string | null): number | null {
  if (name === null) return null;
  const index = ws.queryInterfaceIndex(name);
  return index === 0 ? null : index;
}

/** Address text compared by its bytes (Node and Winsock may spell one IPv6 address differently). */
function addressKey(text: string): string {
  const percent = text.indexOf('%');
  try {
    const sa = sockaddr(percent < 0 ? text : text.slice(0, percent), 0);
    return Buffer.from(sa.subarray(sa.length === SOCKADDR_IN6_SIZE ? 8 : 4, sa.length === SOCKADDR_IN6_SIZE ? 24 : 8)).toString('hex');
  } catch {
    return text;
  }
}

/** One interface of SIO_GET_INTERFACE_LIST (IPv4 only, as on Windows), with its flags decoded. */
export interface InterfaceInfo {
  /** The interface's name as `os.networkInterfaces()` lists it; null when Node does not list the address. */
  name: string | null;
  /** The interface's index (if_nametoindex, the IPv6 scope id, Windows' IfIndex; see `interfaceIndexOf`); null when the name is unknown. */
  index: number | null;
  /** IPv4 address of the interface. */
  address: string;
  /**
   * iiBroadcastAddress: on a broadcast-capable interface Windows puts the limited broadcast
   * address 255.255.255.255 here (not the directed one: that is address | ~netmask); null when
   * the interface has no broadcast (the slot is empty).
   */
  broadcast: string | null;
  /** iiNetmask. */
  netmask: string;
  /** iiFlags: IFF_UP 0x1, IFF_BROADCAST 0x2, IFF_LOOPBACK 0x4, IFF_POINTTOPOINT 0x8, IFF_MULTICAST 0x10. */
  flags: number;
  /** IFF_UP. */
  up: boolean;
  /** IFF_BROADCAST. */
  broadcastCapable: boolean;
  /** IFF_LOOPBACK. */
  loopback: boolean;
  /** IFF_POINTTOPOINT. */
  pointToPoint: boolean;
  /** IFF_MULTICAST. */
  multicast: boolean;
}

function interfaceInfo(record: InterfaceInfoRecord): InterfaceInfo {
  const { flags } = record;
  const name = interfaceNameOf('IPv4', record.address);
  return {
    name,
    index: interfaceIndexOf(name),
    address: record.address,
    broadcast: record.broadcast,
    netmask: record.netmask,
    flags,
    up: (flags & ws.IFF_UP) !== 0,
    broadcastCapable: (flags & ws.IFF_BROADCAST) !== 0,
    loopback: (flags & ws.IFF_LOOPBACK) !== 0,
    pointToPoint: (flags & ws.IFF_POINTTOPOINT) !== 0,
    multicast: (flags & ws.IFF_MULTICAST) !== 0,
  };
}

/**
 * The host's IPv4 interfaces: **SIO_GET_INTERFACE_LIST** on a temporary IPv4 UDP socket, each
 * INTERFACE_INFO decoded (address, broadcast, netmask, IFF_* flags).
 *
 * - Windows: ws2_32.
 * - Linux: the IPv4 addresses of every interface (rtnetlink / SIOCGIFCONF) with their flags.
 *
 * IPv6 addresses are not in this list on either system (use `addresses('IPv6')`).
 */
export function interfaces(): InterfaceInfo[] {
  return withTemporarySocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
    const { out, bytes } = growingIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, INTERFACE_INFO_SIZE * 32);
    return decodeInterfaceList(out, bytes).map(interfaceInfo);
  });
}

/** The default gateway of one family: the next hop of the host's route to the internet. */
export interface Gateway extends NetAddress {
  /** Index of the interface the route leaves by. */
  interfaceIndex: number;
  /**
   * That interface's name as `os.networkInterfaces()` lists it, null when unknown: the name of the
   * local address used to reach the gateway, when `interfaceIndexOf` gives it `interfaceIndex`;
   * else the first name with that index.
   */
  interface: string | null;
}

/**
 * The default gateway (the route to the internet) of `family`, read from the routing table, no
 * subprocess: what `default-gateway` users want after `wmic` went away. Returns null when the
 * host has no default route with a gateway.
 *
 * - Windows: GetIpForwardTable2, the default route (prefix length 0) with a next hop and the
 *   lowest route metric (the interface metric is not added in).
 * - Linux: rtnetlink's route dump, the main table's default route with the lowest metric.
 *
 * @param family 'IPv4' (default) or 'IPv6' (4 / 6 and AF_INET / AF_INET6 work too).
 */
export function defaultGateway(family: 'IPv4' | 'IPv6' | 4 | 6 = 'IPv4'): Gateway | null {
  const af = familyOf(family);
  ensureStarted();
  const found = ws.queryDefaultGateway(af);
  if (found === null) {
    const error = ws.WSAGetLastError();
    if (error === ws.WSAENETUNREACH) return null;
    throw new WinsockError(error, 'defaultGateway');
  }
  const gateway = netAddress(found.sockaddr);
  let local: NetAddress | null = null;
  try {
    local = routeTo(gateway.scopeId ? `${gateway.address}%${gateway.scopeId}` : gateway.address);
  } catch {
    // no route back to the gateway's own network: the name stays unknown
  }
  const byAddress = local && interfaceNameOf(local.family, local.address);
  const name = byAddress !== null && interfaceIndexOf(byAddress) === found.interfaceIndex
    ? byAddress
    : Object.keys(os.networkInterfaces()).find((candidate) => interfaceIndexOf(candidate) === found.interfaceIndex) ?? null;
  return { ...gateway, interfaceIndex: found.interfaceIndex, interface: name };
}

/**
 * The host's local addresses of one family: **SIO_ADDRESS_LIST_QUERY** on a temporary UDP socket
 * of that family, the SOCKET_ADDRESS_LIST decoded. The buffer starts small and grows to the size
 * Winsock reports with WSAEFAULT.
 *
 * - Windows: ws2_32 (preferred addresses only; loopback addresses of the loopback interface are
 *   left out).
 * - Linux: rtnetlink's address dump, filtered the same way.
 *
 * @param family 'IPv4' (default) or 'IPv6' (4 / 6 and AF_INET / AF_INET6 work too).
 */
export function addresses(family: 'IPv4' | 'IPv6' | 4 | 6 = 'IPv4'): NetAddress[] {
  const af = familyOf(family);
  return withTemporarySocket(af, ws.SOCK_DGRAM, addressesOn);
}

/** SIO_ADDRESS_LIST_QUERY on `s`, decoded. Internal (watchAddresses). */
export function addressesOn(s: ws.SOCKET): NetAddress[] {
  const { out } = growingIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 256);
  return decodeSocketAddressList(out, addressOf(out)).map((entry) => netAddress(entry.sockaddr));
}

/**
 * Windows sockaddr for an address text (IPv6 may carry `%<scope id>`); TypeError when it is not
 * one, RangeError (ERR_SOCKET_BAD_PORT) when the port is not an integer in 0..65535.
 */
export function sockaddrFor(destination: string, port: number): Uint8Array {
  if (typeof destination !== 'string') {
    throw Object.assign(new TypeError(`expected an IP address string, got ${typeof destination}`), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  // The port first: a bad one must not be reported as a bad address.
  if (typeof port !== 'number') throw invalidArgType('port', 'of type number', port);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw badPort('port', port);
  try {
    return sockaddr(destination, port);
  } catch (error) {
    throw Object.assign(new TypeError(`not an IPv4 or IPv6 address: ${destination}`), { code: 'ERR_INVALID_IP_ADDRESS', cause: error });
  }
}

/**
 * The local address the host would send from to reach `destination`:
 * **SIO_ROUTING_INTERFACE_QUERY** on a temporary UDP socket of the destination's family.
 *
 * - Windows: ws2_32 (the best route's interface address).
 * - Linux: an rtnetlink route lookup (RTM_GETROUTE), its preferred source address.
 *
 * Throws WinsockError WSAENETUNREACH when no route leads there; TypeError for a bad address;
 * RangeError (ERR_SOCKET_BAD_PORT) for a port outside 0..65535.
 * @param destination IPv4 or IPv6 text (a link-local IPv6 address may end in `%<scope id>`).
 */
export function routeTo(destination: string, port = 0): NetAddress {
  const sa = sockaddrFor(destination, port);
  const af = new DataView(sa.buffer, sa.byteOffset, 2).getUint16(0, true);
  return withTemporarySocket(af, ws.SOCK_DGRAM, (s) => routeOn(s, sa));
}

/** SIO_ROUTING_INTERFACE_QUERY on `s` for the Windows sockaddr `sa`, decoded. Internal (watchRoute). */
export function routeOn(s: ws.SOCKET, sa: Uint8Array): NetAddress {
  const { out } = growingIoctl(s, ws.SIO_ROUTING_INTERFACE_QUERY, sa, SOCKADDR_STORAGE_SIZE);
  return netAddress(out);
}

/**
 * The broadcast address for a datagram socket: **SIO_GET_BROADCAST_ADDRESS**, on `sock` when
 * given, else on a temporary IPv4 UDP socket.
 *
 * - Windows: ws2_32 (the limited broadcast address, 255.255.255.255).
 * - Linux: the same answer from the emulation.
 *
 * Throws WinsockError WSAENOPROTOOPT for an IPv6 socket (IPv6 has no broadcast).
 */
export function broadcastAddress(sock?: SocketLike): string {
  const out = stableBuffer(SOCKADDR_STORAGE_SIZE);
  if (sock !== undefined) {
    ioctlOn(sock, ws.SIO_GET_BROADCAST_ADDRESS, null, out);
  } else {
    withTemporarySocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const result = rawIoctl(s, ws.SIO_GET_BROADCAST_ADDRESS, null, out);
      if (result.rc !== 0) throw new WinsockError(result.error, ioctlSyscall(ws.SIO_GET_BROADCAST_ADDRESS));
    });
  }
  return parseSockaddr(out).address;
}

/** An address as SOCKADDR_IN6 (IPv4 as v4-mapped), as SIO_ADDRESS_LIST_SORT takes them. */
function sockaddrIn6For(text: string): Uint8Array {
  const sa = sockaddrFor(text, 0);
  if (sa.length === SOCKADDR_IN6_SIZE) return sa;
  return sockaddr(`::ffff:${text}`, 0);
}

/** The 16 address bytes of a SOCKADDR_IN6, as a lookup key (the sort may fill in scope ids). */
function keyOf(sa: Uint8Array): string {
  return Buffer.from(sa.subarray(8, 24)).toString('hex');
}

/**
 * The sockaddrs of a sorted SOCKET_ADDRESS_LIST. Its pointers may lead into the output (copies
 * made there) or still into the input list (entries only re-ordered): both are accepted.
 */
function sortedEntries(out: Uint8Array, input: Uint8Array): Uint8Array[] {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const count = view.getInt32(0, true);
  const end = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * count;
  if (count < 0 || end > out.length) throw new RangeError(`SIO_ADDRESS_LIST_SORT returned a bad count ${count}`);
  const buffers = [{ buf: out, base: addressOf(out) }, { buf: input, base: addressOf(input) }];
  const entries: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = SOCKET_ADDRESS_LIST_HEADER + SOCKET_ADDRESS_SIZE * i;
    const pointer = view.getBigUint64(at, true);
    const length = view.getInt32(at + 8, true);
    const home = buffers.find(({ buf, base }) => pointer >= base && pointer + BigInt(length) <= base + BigInt(buf.length));
    if (!home || length < 0) throw new RangeError(`SIO_ADDRESS_LIST_SORT entry ${i} points outside both lists`);
    const offset = Number(pointer - home.base);
    entries.push(home.buf.subarray(offset, offset + length));
  }
  return entries;
}

/**
 * Order destination addresses the way the host would try them (RFC 6724 destination address
 * selection): **SIO_ADDRESS_LIST_SORT** on a temporary IPv6 UDP socket. Returns the addresses in
 * that order, each in the text it was given; addresses the host cannot reach may be left out.
 *
 * - Windows: ws2_32 (its prefix policy table; IPv4 addresses travel as v4-mapped IPv6).
 * - Linux: the emulation's RFC 6724 implementation over the host's routes and addresses.
 *
 * TypeError when an entry is not an IP address (ERR_INVALID_ARG_TYPE when it is not a string, a
 * hole in a sparse array included).
 */
export function sortDestinations(destinations: readonly string[]): string[] {
  if (!Array.isArray(destinations)) {
    throw Object.assign(new TypeError('expected an array of IP address strings'), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  if (destinations.length === 0) return [];
  // Every index, holes included (map() would skip a hole and leave it for the encoder to trip on).
  for (let i = 0; i < destinations.length; i++) {
    if (typeof destinations[i] !== 'string') throw invalidArgType(`destinations[${i}]`, 'an IP address string', destinations[i]);
  }
  const sockaddrs = Array.from(destinations, sockaddrIn6For);
  const original = new Map<string, string>();
  sockaddrs.forEach((sa, i) => { if (!original.has(keyOf(sa))) original.set(keyOf(sa), destinations[i]!); });
  const size = socketAddressListSize(sockaddrs);
  const input = stableBuffer(size);
  encodeSocketAddressList(sockaddrs, input, addressOf(input));
  return withTemporarySocket(ws.AF_INET6, ws.SOCK_DGRAM, (s) => {
    const { out } = growingIoctl(s, ws.SIO_ADDRESS_LIST_SORT, input, size);
    return sortedEntries(out, input).map((sa) => {
      const known = sa.length >= SOCKADDR_IN6_SIZE ? original.get(keyOf(sa)) : undefined;
      if (known !== undefined) return known;
      return unmappedText(parseSockaddr(sa).address);
    });
  });
}
