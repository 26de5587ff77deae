/**
 * What each backend does with each control code. One row per catalogue name; edit a row when a
 * Linux handler lands. A test holds the Linux dispatch table to this table.
 */
import type { CodeName } from './names.js';
import { codeByName } from './lookup.js';

/**
 * `implemented`: handled by the emulation. `planned`: a handler is being written; until then the
 * code behaves as `unsupported`, i.e. WSAIoctl fails with WSAEOPNOTSUPP.
 */
export type LinuxSupport = 'implemented' | 'planned' | 'unsupported';
/** `native`: passed unchanged to ws2_32.dll, which decides. */
export type WindowsSupport = 'native';

/** What the two backends do with one control code. */
export interface CodeSupport {
  /** What the Linux emulation does with it. */
  readonly linux: LinuxSupport;
  /** What the Windows backend does with it (ws2_32.dll decides). */
  readonly windows: WindowsSupport;
  /** Why, or what is special about the Linux side. */
  readonly note: string;
}

const implemented = (note: string): CodeSupport => ({ linux: 'implemented', windows: 'native', note });
const unsupported = (note: string): CodeSupport => ({ linux: 'unsupported', windows: 'native', note });

const LEGACY_QOS = 'GQoS was removed from Windows; nothing to emulate';
const RAW_CAPTURE = 'raw capture filters have no per-socket Linux equivalent';
const LSP_ONLY = 'for layered service providers, which do not exist here';
const UNDOCUMENTED = 'undocumented header-only code';
const SECURE_SOCKETS = 'IPsec secure-socket extension (reached through WSA*SocketSecurity)';
const WFP = 'Windows Filtering Platform has no Linux counterpart';
const MULTICAST_FILTER = 'multicast source-filter ioctls are not emulated';
const PORT_RESERVATION = 'Windows port reservations have no Linux counterpart';
const AF_UNIX_EXTRA = 'AF_UNIX helper not emulated';

/**
 * Every catalogue code's support, by name (`supportOf` also takes aliases). Typed by name rather
 * than inferred, so the reference shows one type rather than a member per code.
 *
 * @group Control-code toolkit
 */
export const supportTable: { readonly [K in CodeName]: CodeSupport } = {
  FIONBIO: implemented('a Winsock flag: host fds always stay non-blocking, blocking is emulated by waiting'),
  FIONREAD: implemented('Windows meaning: on UDP, all queued bytes, not just the next datagram'),
  SIOCATMARK: implemented('Windows meaning: TRUE when no urgent data is pending'),
  SIO_IDEAL_SEND_BACKLOG_CHANGE: implemented('no Linux counterpart: the tcp_info-derived value sampled every 100 ms from one shared timerfd while requests are pending'),
  SIO_IDEAL_SEND_BACKLOG_QUERY: implemented('no Linux counterpart: bandwidth-delay product from tcp_info, clamped to [64 KiB, 16 MiB]'),
  SIO_GET_MULTICAST_FILTER: unsupported(MULTICAST_FILTER),
  SIO_SET_MULTICAST_FILTER: unsupported(MULTICAST_FILTER),
  SIOCSMSFILTER: unsupported(MULTICAST_FILTER),
  SIO_GET_INTERFACE_LIST_EX: unsupported('not implemented by Windows either: fails as any code no provider handles'),
  SIOCGMSFILTER: unsupported(MULTICAST_FILTER),
  SIO_GET_INTERFACE_LIST: implemented('IPv4 addresses as INTERFACE_INFO records, from rtnetlink link and address dumps'),
  SIO_ASSOCIATE_HANDLE: unsupported('companion-interface handles are a provider feature'),
  SIO_ENABLE_CIRCULAR_QUEUEING: implemented('no Linux counterpart (drop-oldest receive queue)'),
  SIO_FIND_ROUTE: unsupported('obsolete; no provider implements it'),
  SIO_FLUSH: unsupported('no portable way to discard a send queue'),
  SIO_GET_BROADCAST_ADDRESS: implemented('IPv4 limited broadcast (255.255.255.255) for datagram sockets, as Windows'),
  SIO_GET_EXTENSION_FUNCTION_POINTER: implemented('a stable token per function (winsock/extension-functions.ts); the LPFN_* casts call the emulation'),
  SIO_GET_QOS: unsupported(LEGACY_QOS),
  SIO_GET_GROUP_QOS: unsupported(LEGACY_QOS),
  SIO_MULTIPOINT_LOOPBACK: implemented('counterpart: IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP'),
  SIO_MULTICAST_SCOPE: implemented('counterpart: IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS'),
  SIO_SET_QOS: unsupported(LEGACY_QOS),
  SIO_SET_GROUP_QOS: unsupported(LEGACY_QOS),
  SIO_TRANSLATE_HANDLE: unsupported('companion-interface handles are a provider feature'),
  SIO_ROUTING_INTERFACE_QUERY: implemented('counterpart: rtnetlink route lookup (RTM_GETROUTE preferred source)'),
  SIO_ROUTING_INTERFACE_CHANGE: implemented('one shared rtnetlink watcher for all requests; the route lookup re-probed per destination on route, address and link changes'),
  SIO_ADDRESS_LIST_QUERY: implemented('counterpart: rtnetlink address dump (preferred addresses only, loopback left out)'),
  SIO_ADDRESS_LIST_CHANGE: implemented('one shared rtnetlink watcher for all requests; usable addresses of the family appearing or disappearing'),
  SIO_QUERY_TARGET_PNP_HANDLE: unsupported(LSP_ONLY),
  SIO_ADDRESS_LIST_SORT: implemented('RFC 6724 destination ordering; source per destination from a UDP connect() probe'),
  SIO_NSP_NOTIFY_CHANGE: unsupported('not a socket ioctl (name-space provider lookups)'),
  SIO_RESERVED_1: unsupported('reserved'),
  SIO_BSP_HANDLE: implemented('no layered providers: the base handle is the socket itself'),
  SIO_BSP_HANDLE_SELECT: implemented('no layered providers: the base handle is the socket itself'),
  SIO_BSP_HANDLE_POLL: implemented('no layered providers: the base handle is the socket itself'),
  SIO_EXT_SELECT: unsupported(UNDOCUMENTED),
  SIO_EXT_POLL: unsupported(UNDOCUMENTED),
  SIO_EXT_SENDMSG: unsupported(UNDOCUMENTED),
  SIO_RESERVED_2: unsupported('reserved'),
  SIO_BASE_HANDLE: implemented('no layered providers: the base handle is the socket itself'),
  SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER: unsupported('Registered I/O is not emulated'),
  SIO_QUERY_RSS_PROCESSOR_INFO: unsupported('receive-side-scaling placement is not exposed per socket'),
  SIO_CHK_QOS: unsupported(LEGACY_QOS),
  SIO_RCVALL: unsupported(RAW_CAPTURE),
  SIO_RCVALL_MCAST: unsupported(RAW_CAPTURE),
  SIO_RCVALL_IGMPMCAST: unsupported(RAW_CAPTURE),
  SIO_KEEPALIVE_VALS: implemented('counterpart: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL (whole seconds on Linux)'),
  SIO_ABSORB_RTRALERT: unsupported(UNDOCUMENTED),
  SIO_UCAST_IF: unsupported(UNDOCUMENTED),
  SIO_LIMIT_BROADCASTS: unsupported(UNDOCUMENTED),
  SIO_INDEX_BIND: unsupported(UNDOCUMENTED),
  SIO_INDEX_MCASTIF: unsupported(UNDOCUMENTED),
  SIO_INDEX_ADD_MCAST: unsupported(UNDOCUMENTED),
  SIO_INDEX_DEL_MCAST: unsupported(UNDOCUMENTED),
  SIO_UDP_CONNRESET: implemented('ICMP port-unreachable read from the IP_RECVERR error queue, reported as WSAECONNRESET'),
  SIO_RCVALL_MCAST_IF: unsupported(UNDOCUMENTED),
  SIO_SOCKET_CLOSE_NOTIFY: unsupported('Windows XP-only, undocumented'),
  SIO_RCVALL_IF: unsupported(UNDOCUMENTED),
  SIO_UDP_NETRESET: implemented('ICMP TTL-expired / net-unreachable from the IP_RECVERR error queue, reported as WSAENETRESET'),
  SIO_LOOPBACK_FAST_PATH: implemented('deprecated on Windows; Linux loopback has no separate fast path'),
  SIO_TCP_INITIAL_RTO: unsupported('Linux has no per-socket initial RTO setting'),
  SIO_APPLY_TRANSPORT_SETTING: unsupported('transport settings are Windows-specific'),
  SIO_QUERY_TRANSPORT_SETTING: unsupported('transport settings are Windows-specific'),
  SIO_CPU_AFFINITY: implemented('closest counterpart: SO_INCOMING_CPU'),
  SIO_TCP_SET_ICW: unsupported(UNDOCUMENTED),
  SIO_TCP_SET_ACK_FREQUENCY: unsupported(UNDOCUMENTED),
  SIO_SET_PRIORITY_HINT: implemented('counterpart: SO_PRIORITY (VeryLow 1 filler, Low 2 bulk, Normal 0); no scavenger congestion control'),
  SIO_TCP_INFO: implemented('TCP_INFO_v0 / v1 / v2 filled from Linux tcp_info (docs/tcp-info-mapping.md)'),
  SIO_ACQUIRE_PORT_RESERVATION: unsupported(PORT_RESERVATION),
  SIO_RELEASE_PORT_RESERVATION: unsupported(PORT_RESERVATION),
  SIO_ASSOCIATE_PORT_RESERVATION: unsupported(PORT_RESERVATION),
  SIO_SET_SECURITY: unsupported(SECURE_SOCKETS),
  SIO_QUERY_SECURITY: unsupported(SECURE_SOCKETS),
  SIO_SET_PEER_TARGET_NAME: unsupported(SECURE_SOCKETS),
  SIO_DELETE_PEER_TARGET_NAME: unsupported(SECURE_SOCKETS),
  SIO_SOCKET_USAGE_NOTIFICATION: unsupported(SECURE_SOCKETS),
  SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE: unsupported(WFP),
  SIO_QUERY_RSS_SCALABILITY_INFO: unsupported('receive-side-scaling information is not exposed per socket'),
  SIO_QUERY_WFP_CONNECTION_REDIRECT_RECORDS: unsupported(WFP),
  SIO_QUERY_WFP_CONNECTION_REDIRECT_CONTEXT: unsupported(WFP),
  SIO_SET_WFP_CONNECTION_REDIRECT_RECORDS: unsupported(WFP),
  SIO_GET_TX_TIMESTAMP: unsupported('Windows timestamping model is not emulated'),
  SIO_TIMESTAMPING: unsupported('Windows timestamping model is not emulated'),
  SIO_AF_UNIX_GETPEERPID: unsupported(AF_UNIX_EXTRA),
  SIO_AF_UNIX_SETBINDPARENTPATH: unsupported(AF_UNIX_EXTRA),
  SIO_AF_UNIX_SETCONNPARENTPATH: unsupported(AF_UNIX_EXTRA),
  SIO_SET_COMPATIBILITY_MODE: implemented('older-Windows TCP tuning; no Linux counterpart'),
};

/** Support of a code by name or alias (case does not matter); undefined for unknown names. @group Control-code toolkit */
export function supportOf(name: string): CodeSupport | undefined {
  const record = codeByName(name);
  return record ? (supportTable as Record<string, CodeSupport>)[record.name] : undefined;
}

/** Catalogue names with this Linux status, in catalogue order. @group Control-code toolkit */
export function namesWithLinuxSupport(status: LinuxSupport): CodeName[] {
  return (Object.keys(supportTable) as CodeName[]).filter((name) => supportTable[name].linux === status);
}
