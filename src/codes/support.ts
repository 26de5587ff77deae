/**
 * What each backend does with each control code. One row per catalogue name; edit a row when a
 * Linux handler lands. A test holds the Linux dispatch table to this table
 * (test/code-tables.test.ts), and the README's counts and approximation notes to it
 * (test/code-support.test.ts).
 *
 * The statuses (issue 18 §3), per backend:
 * - `implemented`: handled, with Windows' meaning;
 * - `approximated`: handled, with the nearest honest Linux answer; the README's section "Where the
 *   Linux emulation approximates Windows" names the code and says how;
 * - `windows-refuses`: Windows itself refuses the code (WSAEOPNOTSUPP, as for any code no provider
 *   handles: Wine's dlls/ws2_32/tests/sock.c test_unsupported_ioctls, which passes on Windows), so
 *   the refusal is already Windows' answer; `source` says where that comes from;
 * - `not-implemented`: Windows answers it, or its answer is unknown, and this backend refuses it
 *   (WSAEOPNOTSUPP); `note` says why.
 *
 * Which refusals are Windows' own follows the fact sheet's "keep" rows
 * (shared spec remaining-codes.md §1, §2 table and §2.1 "What can already be called
 * Windows-exact"). The Windows backend passes every code to ws2_32.dll, so its column is
 * `implemented` (Windows answers) or `windows-refuses` (and Windows' answer is a refusal).
 */
import type { CodeName } from './names.js';
import { codeByName } from './lookup.js';

/** One backend's status for one control code (see the module comment). @group Control-code toolkit */
export type SupportStatus = 'implemented' | 'approximated' | 'windows-refuses' | 'not-implemented';
/** The Linux emulation's status for a code. */
export type LinuxSupport = SupportStatus;
/** The Windows backend's status: it passes every code to ws2_32.dll, so Windows' own answer. */
export type WindowsSupport = Extract<SupportStatus, 'implemented' | 'windows-refuses'>;

/** Every status, in the order the CLI lists them. @group Control-code toolkit */
export const SUPPORT_STATUSES: readonly SupportStatus[] = ['implemented', 'approximated', 'windows-refuses', 'not-implemented'];

/** What the two backends do with one control code. */
export interface CodeSupport {
  /** What the Linux emulation does with it. */
  readonly linux: LinuxSupport;
  /** What the Windows backend does with it (ws2_32.dll decides). */
  readonly windows: WindowsSupport;
  /**
   * How the Linux side does it (`implemented`, `approximated`), or why it refuses
   * (`windows-refuses`, `not-implemented`).
   */
  readonly note: string;
  /** Where "Windows refuses it" comes from (only on `windows-refuses` rows). */
  readonly source?: string;
}

const implemented = (note: string): CodeSupport => ({ linux: 'implemented', windows: 'implemented', note });
/** Handled with the nearest honest Linux answer; the README's approximation section names it. */
const approximated = (note: string): CodeSupport => ({ linux: 'approximated', windows: 'implemented', note });
/** Windows answers it (or its answer is unknown) and Linux refuses it, for this reason. */
const notImplemented = (note: string): CodeSupport => ({ linux: 'not-implemented', windows: 'implemented', note });
/** Windows itself refuses it: the Linux refusal is Windows' answer. */
const windowsRefuses = (note: string, source: string): CodeSupport => ({ linux: 'windows-refuses', windows: 'windows-refuses', note, source });

/** The one measured refusal rule (fact sheet §1). */
const UNSUPPORTED_RULE = 'Wine sock.c test_unsupported_ioctls (passes on Windows): a code no provider handles fails WSAEOPNOTSUPP, 0 bytes';
const GQOS = 'GQoS is deprecated since Vista and the TCP/IP provider does not offer it (no XP1_QOS_SUPPORTED: Wine sock.c test_WSASocket)';
const PRESUMED = `no published Windows 10/11 answer; presumed refused by the rule of ${UNSUPPORTED_RULE} (fact sheet §1, §7.1)`;
const UNKNOWN_ANSWER = 'header-only code: no Microsoft page or Wine / ReactOS test says what Windows 10/11 answers, so a Linux twin would be invention (fact sheet §2.1)';
const captureOn = (where: string): string => `a packet socket (AF_PACKET, SOCK_DGRAM) on ${where} becomes the raw socket's receive fd`;
const RAW_CAPTURE = captureOn('the bound address\'s interface');
const RAW_CAPTURE_IF = `header-only code, its rules inferred from its sibling's (README); ${captureOn('the interface the input names by index (no bind needed)')}`;
const SECURE_SOCKETS = 'IPsec / AuthIP secure-socket extension: Linux has no AuthIP (per-socket IP_XFRM_POLICY needs CAP_NET_ADMIN and means something else)';
const WFP = 'Windows Filtering Platform state; Linux has no counterpart';
const MULTICAST_FILTER = 'counterpart: IP_MSFILTER / MCAST_MSFILTER with the INCLUDE / EXCLUDE numbers and the IPv6 family translated; a set on a group not joined joins it first';
const PORT_RESERVATION = 'the block held by one placeholder socket per port (no other binder gets it); an associated bind to port 0 takes from it; tokens per JS thread';
const LSP_PLUMBING = 'companion-interface handles: the TCP/IP provider has none (fact sheet #6, #14)';

/**
 * Every catalogue code's support, by name (`supportOf` also takes aliases). Typed by name rather
 * than inferred, so the reference shows one type rather than a member per code.
 *
 * @group Control-code toolkit
 */
export const supportTable: { readonly [K in CodeName]: CodeSupport } = {
  FIONBIO: implemented('a Winsock flag: host fds always stay non-blocking, blocking is emulated by waiting'),
  FIONREAD: approximated('Windows meaning: on UDP, all queued bytes, not just the next datagram (borrowed Node sockets: the first datagram only)'),
  SIOCATMARK: implemented('Windows meaning: TRUE when no urgent data is pending'),
  SIO_IDEAL_SEND_BACKLOG_CHANGE: approximated('no Linux counterpart: the tcp_info-derived value sampled every 100 ms from one shared timerfd while requests are pending'),
  SIO_IDEAL_SEND_BACKLOG_QUERY: approximated('no Linux counterpart: bandwidth-delay product from tcp_info, clamped to [64 KiB, 16 MiB]'),
  SIO_GET_MULTICAST_FILTER: approximated(MULTICAST_FILTER),
  SIO_SET_MULTICAST_FILTER: approximated(MULTICAST_FILTER),
  SIOCSMSFILTER: approximated(MULTICAST_FILTER),
  SIO_GET_INTERFACE_LIST_EX: windowsRefuses('Windows does not implement it', 'Microsoft, Winsock IOCTLs page (winsock-ioctls): "not supported"; the error is the rule of test_unsupported_ioctls'),
  SIOCGMSFILTER: approximated(MULTICAST_FILTER),
  SIO_GET_INTERFACE_LIST: implemented('IPv4 addresses as INTERFACE_INFO records, from rtnetlink link and address dumps'),
  SIO_ASSOCIATE_HANDLE: windowsRefuses(LSP_PLUMBING, `Microsoft, SIO_ASSOCIATE_HANDLE: providers without companion interfaces refuse it (the page says WSAENOPROTOOPT; ${PRESUMED})`),
  SIO_ENABLE_CIRCULAR_QUEUEING: approximated('accepted as Windows accepts it; Linux has no drop-oldest receive queue, so the policy stays drop-newest'),
  SIO_FIND_ROUTE: windowsRefuses('IPX-era code that no modern provider implements', PRESUMED),
  SIO_FLUSH: windowsRefuses('Windows refuses it', UNSUPPORTED_RULE),
  SIO_GET_BROADCAST_ADDRESS: implemented('IPv4 limited broadcast (255.255.255.255) for datagram sockets, as Windows'),
  SIO_GET_EXTENSION_FUNCTION_POINTER: implemented('a stable token per function (winsock/extension-functions.ts); the LPFN_* casts call the emulation'),
  SIO_GET_QOS: windowsRefuses('legacy GQoS', GQOS),
  SIO_GET_GROUP_QOS: windowsRefuses('reserved GQoS code', GQOS),
  SIO_MULTIPOINT_LOOPBACK: implemented('counterpart: IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP'),
  SIO_MULTICAST_SCOPE: implemented('counterpart: IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS'),
  SIO_SET_QOS: windowsRefuses('legacy GQoS', GQOS),
  SIO_SET_GROUP_QOS: windowsRefuses('reserved GQoS code', GQOS),
  SIO_TRANSLATE_HANDLE: windowsRefuses(LSP_PLUMBING, `Microsoft, SIO_TRANSLATE_HANDLE (the page says WSAENOPROTOOPT; ${PRESUMED})`),
  SIO_ROUTING_INTERFACE_QUERY: implemented('counterpart: rtnetlink route lookup (RTM_GETROUTE preferred source)'),
  SIO_ROUTING_INTERFACE_CHANGE: implemented('one shared rtnetlink watcher for all requests; the route lookup re-probed per destination on route, address and link changes'),
  SIO_ADDRESS_LIST_QUERY: implemented('counterpart: rtnetlink address dump (preferred addresses only, loopback left out)'),
  SIO_ADDRESS_LIST_CHANGE: implemented('one shared rtnetlink watcher for all requests; usable addresses of the family appearing or disappearing'),
  SIO_QUERY_TARGET_PNP_HANDLE: notImplemented('layered-provider plumbing: what the base provider answers is undocumented (perhaps the socket itself, as SIO_BASE_HANDLE)'),
  SIO_ADDRESS_LIST_SORT: approximated('RFC 6724 destination ordering; source per destination from a UDP connect() probe; pointers followed only inside the input buffer'),
  SIO_NSP_NOTIFY_CHANGE: windowsRefuses('a WSANSPIoctl (name-space provider) code, not a socket ioctl', `Microsoft, pnrp-and-wsanspioctl; ${PRESUMED}`),
  SIO_RESERVED_1: windowsRefuses('reserved', PRESUMED),
  SIO_BSP_HANDLE: implemented('no layered providers: the base handle is the socket itself'),
  SIO_BSP_HANDLE_SELECT: implemented('no layered providers: the base handle is the socket itself'),
  SIO_BSP_HANDLE_POLL: implemented('no layered providers: the base handle is the socket itself'),
  SIO_EXT_SELECT: windowsRefuses('internal ws2_32 / layered-provider code, undocumented', PRESUMED),
  SIO_EXT_POLL: windowsRefuses('internal ws2_32 / layered-provider code, undocumented', PRESUMED),
  SIO_EXT_SENDMSG: windowsRefuses('internal ws2_32 / layered-provider code, undocumented', PRESUMED),
  SIO_RESERVED_2: windowsRefuses('reserved', PRESUMED),
  SIO_BASE_HANDLE: implemented('no layered providers: the base handle is the socket itself'),
  SIO_GET_MULTIPLE_EXTENSION_FUNCTION_POINTER: notImplemented('Registered I/O: its nearest Linux analogue (io_uring with registered buffers) is a project of its own'),
  SIO_QUERY_RSS_PROCESSOR_INFO: approximated('counterpart: SO_INCOMING_CPU (group = cpu / 64, NUMA node from sysfs); before any packet, the calling thread\'s processor'),
  SIO_CHK_QOS: windowsRefuses('legacy RSVP / GQoS query', GQOS),
  SIO_RCVALL: approximated(RAW_CAPTURE),
  SIO_RCVALL_MCAST: approximated(RAW_CAPTURE + '; all-multicast membership, IPv4 multicast destinations only'),
  SIO_RCVALL_IGMPMCAST: approximated(RAW_CAPTURE + '; all-multicast membership, IGMP only'),
  SIO_KEEPALIVE_VALS: approximated('counterpart: SO_KEEPALIVE, TCP_KEEPIDLE, TCP_KEEPINTVL (whole seconds on Linux)'),
  SIO_ABSORB_RTRALERT: notImplemented(UNKNOWN_ANSWER),
  SIO_UCAST_IF: notImplemented(`${UNKNOWN_ANSWER}; its documented successor is the IP_UNICAST_IF socket option`),
  SIO_LIMIT_BROADCASTS: windowsRefuses('header-only Windows 2000 code with no Linux counterpart', PRESUMED),
  SIO_INDEX_BIND: notImplemented(UNKNOWN_ANSWER),
  SIO_INDEX_MCASTIF: notImplemented(UNKNOWN_ANSWER),
  SIO_INDEX_ADD_MCAST: notImplemented(UNKNOWN_ANSWER),
  SIO_INDEX_DEL_MCAST: notImplemented(UNKNOWN_ANSWER),
  SIO_UDP_CONNRESET: implemented('ICMP port-unreachable read from the IP_RECVERR error queue, reported as WSAECONNRESET'),
  SIO_RCVALL_MCAST_IF: approximated(RAW_CAPTURE_IF + '; as SIO_RCVALL_MCAST: all-multicast membership, IPv4 multicast destinations only'),
  SIO_SOCKET_CLOSE_NOTIFY: approximated('Windows XP / 2003 only; on Windows 10/11 its value is SIO_RCVALL_MCAST_IF, and the emulation answers it as that code (dispatch is by value)'),
  SIO_RCVALL_IF: approximated(RAW_CAPTURE_IF + '; as SIO_RCVALL'),
  SIO_UDP_NETRESET: implemented('ICMP TTL-expired / net-unreachable from the IP_RECVERR error queue, reported as WSAENETRESET'),
  SIO_LOOPBACK_FAST_PATH: approximated('validated as Windows does; Linux loopback has no separate fast path to switch on'),
  SIO_TCP_INITIAL_RTO: approximated('MaxSynRetransmissions as TCP_SYNCNT (none: 1, the fewest Linux allows); the initial RTT is kept without effect (no per-socket Linux setting)'),
  SIO_APPLY_TRANSPORT_SETTING: notImplemented('ControlChannelTrigger (Store apps) transport settings have no Linux counterpart; the answer for a desktop process is undocumented'),
  SIO_QUERY_TRANSPORT_SETTING: notImplemented('ControlChannelTrigger (Store apps) transport settings have no Linux counterpart; the answer for a desktop process is undocumented'),
  SIO_CPU_AFFINITY: approximated('closest counterpart: SO_INCOMING_CPU (Linux spreads by it only among SO_REUSEPORT sockets)'),
  SIO_TCP_SET_ICW: notImplemented('Linux sets the initial congestion window only per route (initcwnd, CAP_NET_ADMIN) or from BPF; Windows\' answer is undocumented'),
  SIO_TCP_SET_ACK_FREQUENCY: notImplemented('Linux has only transient (TCP_QUICKACK) or per-route delayed-ACK settings; Windows\' answer is undocumented'),
  SIO_SET_PRIORITY_HINT: approximated('counterpart: SO_PRIORITY (VeryLow 1 filler, Low 2 bulk, Normal 0); no scavenger congestion control'),
  SIO_TCP_INFO: approximated('TCP_INFO_v0 / v1 / v2 filled from Linux tcp_info (docs/tcp-info-mapping.md)'),
  SIO_ACQUIRE_PORT_RESERVATION: approximated(PORT_RESERVATION),
  SIO_RELEASE_PORT_RESERVATION: approximated(PORT_RESERVATION),
  SIO_ASSOCIATE_PORT_RESERVATION: approximated(PORT_RESERVATION),
  SIO_SET_SECURITY: notImplemented(SECURE_SOCKETS),
  SIO_QUERY_SECURITY: notImplemented(SECURE_SOCKETS),
  SIO_SET_PEER_TARGET_NAME: notImplemented(SECURE_SOCKETS),
  SIO_DELETE_PEER_TARGET_NAME: notImplemented(SECURE_SOCKETS),
  SIO_SOCKET_USAGE_NOTIFICATION: notImplemented(`${UNKNOWN_ANSWER} (SYSTEM_CRITICAL_SOCKET has no Linux meaning)`),
  SIO_QUERY_WFP_ALE_ENDPOINT_HANDLE: notImplemented(`${WFP}: SO_COOKIE is a socket identity, not an ALE endpoint handle, so answering with it would not be honest`),
  SIO_QUERY_RSS_SCALABILITY_INFO: approximated('TRUE when some interface has several receive queues or receive packet steering (sysfs)'),
  SIO_QUERY_WFP_CONNECTION_REDIRECT_RECORDS: notImplemented(WFP),
  SIO_QUERY_WFP_CONNECTION_REDIRECT_CONTEXT: notImplemented(WFP),
  SIO_SET_WFP_CONNECTION_REDIRECT_RECORDS: notImplemented(WFP),
  SIO_GET_TX_TIMESTAMP: approximated('SO_TIMESTAMPING software transmit stamps from the error queue (CLOCK_REALTIME moved onto an emulated QPC: CLOCK_MONOTONIC in 100 ns units)'),
  SIO_TIMESTAMPING: approximated('SO_TIMESTAMPING software stamps (no hardware stamps; CLOCK_REALTIME moved onto an emulated QPC: CLOCK_MONOTONIC in 100 ns units)'),
  SIO_AF_UNIX_GETPEERPID: implemented('counterpart: SO_PEERCRED\'s pid on an AF_UNIX stream socket'),
  SIO_AF_UNIX_SETBINDPARENTPATH: notImplemented('undocumented; Linux has no bind relative to a directory (no bindat)'),
  SIO_AF_UNIX_SETCONNPARENTPATH: notImplemented('undocumented; Linux has no connect relative to a directory (no connectat)'),
  SIO_SET_COMPATIBILITY_MODE: approximated('validated as Windows does; the older-Windows TCP tuning it selects has no Linux counterpart'),
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

/** True when the status means the backend handles the code (`implemented` or `approximated`). @group Control-code toolkit */
export function isHandled(status: SupportStatus): boolean {
  return status === 'implemented' || status === 'approximated';
}

/** Catalogue names the Linux emulation handles (`implemented` or `approximated`), in catalogue order. @group Control-code toolkit */
export function namesHandledOnLinux(): CodeName[] {
  return (Object.keys(supportTable) as CodeName[]).filter((name) => isHandled(supportTable[name].linux));
}

/** How many catalogue names have each Linux status (the README's counts). @group Control-code toolkit */
export function linuxSupportCounts(): Record<SupportStatus, number> {
  const counts: Record<SupportStatus, number> = { implemented: 0, approximated: 0, 'windows-refuses': 0, 'not-implemented': 0 };
  for (const name of Object.keys(supportTable) as CodeName[]) counts[supportTable[name].linux] += 1;
  return counts;
}
