/**
 * Windows constant values for the `winsock` surface. The Linux backend translates each of them
 * to the host's values internally; nothing here changes with the platform.
 */

/**
 * Failure values: INVALID_SOCKET from the functions that return a SOCKET, SOCKET_ERROR from those
 * that return an int (the error is then in WSAGetLastError).
 *
 * @group Return values
 */
export const INVALID_SOCKET = -1;
export const SOCKET_ERROR = -1;

/**
 * Address families (ws2def.h): the `af` of socket / WSASocketW and the family of a SOCKADDR.
 * Windows values (AF_INET6 is 23).
 *
 * @group Families, types, protocols
 */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export { AF_INET, AF_INET6 } from '../structs/sockaddr.js';

/** Socket types (winsock2.h): the `type` of socket / WSASocketW. @group Families, types, protocols */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_RDM = 4;
export const SOCK_SEQPACKET = 5;

/**
 * Protocols (ws2def.h): the `protocol` of socket / WSASocketW, and the `level` of getsockopt /
 * setsockopt for the protocol's options.
 *
 * @group Families, types, protocols
 */
export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_RAW = 255;

/** SOL_SOCKET and its options (winsock2.h), for getsockopt / setsockopt. @group Socket options */
export const SOL_SOCKET = 0xffff;
export const SO_DEBUG = 0x0001;
export const SO_ACCEPTCONN = 0x0002;
export const SO_REUSEADDR = 0x0004;
export const SO_KEEPALIVE = 0x0008;
export const SO_DONTROUTE = 0x0010;
export const SO_BROADCAST = 0x0020;
export const SO_USELOOPBACK = 0x0040;
export const SO_LINGER = 0x0080;
export const SO_OOBINLINE = 0x0100;
export const SO_DONTLINGER = ~SO_LINGER;
export const SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
export const SO_SNDBUF = 0x1001;
export const SO_RCVBUF = 0x1002;
export const SO_SNDLOWAT = 0x1003;
export const SO_RCVLOWAT = 0x1004;
export const SO_SNDTIMEO = 0x1005;
export const SO_RCVTIMEO = 0x1006;
export const SO_ERROR = 0x1007;
export const SO_TYPE = 0x1008;
/** Microsoft-specific SOL_SOCKET options (ws2def.h / mswsock.h). @group Socket options */
export const SO_RANDOMIZE_PORT = 0x3005;
export const SO_PORT_SCALABILITY = 0x3006;
export const SO_CONNECT_TIME = 0x700c;
export const SO_UPDATE_ACCEPT_CONTEXT = 0x700b;
export const SO_UPDATE_CONNECT_CONTEXT = 0x7010;

/**
 * Winsock timestamping (mstcpip.h; Microsoft's "Winsock timestamping" page): the control-record
 * types at level SOL_SOCKET, SO_TIMESTAMP (a received datagram's UINT64 stamp, in
 * QueryPerformanceCounter units, in WSARecvMsg's control data) and SO_TIMESTAMP_ID (the UINT32 id
 * a WSASendMsg tags a datagram with, for SIO_GET_TX_TIMESTAMP), and TIMESTAMPING_CONFIG's Flags
 * for SIO_TIMESTAMPING. @group Socket options
 */
export const SO_TIMESTAMP = 0x300a;
export const SO_TIMESTAMP_ID = 0x300b;
export const TIMESTAMPING_FLAG_RX = 0x1;
export const TIMESTAMPING_FLAG_TX = 0x2;

/** IPPROTO_TCP level options (ws2ipdef.h / mstcpip.h values). @group Socket options */
export const TCP_NODELAY = 0x0001;
export const TCP_EXPEDITED_1122 = 0x0002;
export const TCP_KEEPALIVE = 3;
export const TCP_MAXSEG = 4;
export const TCP_MAXRT = 5;
export const TCP_STDURG = 6;
export const TCP_NOURG = 7;
export const TCP_ATMARK = 8;
export const TCP_NOSYNRETRIES = 9;
export const TCP_TIMESTAMPS = 10;
export const TCP_KEEPCNT = 16;
export const TCP_KEEPIDLE = TCP_KEEPALIVE;
export const TCP_KEEPINTVL = 17;
export const TCP_CONGESTION_ALGORITHM = 12;
export const TCP_DELAY_FIN_ACK = 13;
export const TCP_MAXRTMS = 14;
export const TCP_FASTOPEN = 15;
export const TCP_FAIL_CONNECT_ON_ICMP_ERROR = 18;
export const TCP_ICMP_ERROR_INFO = 19;

/** IPPROTO_IP level options (ws2ipdef.h). @group Socket options */
export const IP_OPTIONS = 1;
export const IP_HDRINCL = 2;
export const IP_TOS = 3;
export const IP_TTL = 4;
export const IP_MULTICAST_IF = 9;
export const IP_MULTICAST_TTL = 10;
export const IP_MULTICAST_LOOP = 11;
export const IP_ADD_MEMBERSHIP = 12;
export const IP_DROP_MEMBERSHIP = 13;
export const IP_DONTFRAGMENT = 14;
export const IP_PKTINFO = 19;
export const IP_RECVTTL = 21;
export const IP_RECVTOS = 40;
export const IP_RECVERR = 75;
export const IP_UNICAST_IF = 31;
/** IP_ECN (= IP_RECVECN, 50): ask for the ECN codepoint of received datagrams (a control record of type IP_ECN). @group Socket options */
export const IP_ECN = 50;
export const IP_RECVECN = 50;
/** ws2ipdef.h's other names for the IPv4 control records: IP_HOPLIMIT = IP_RECVTTL, IP_TCLASS (39), IP_RECVTCLASS = IP_RECVTOS. @group Socket options */
export const IP_HOPLIMIT = 21;
export const IP_TCLASS = 39;
export const IP_RECVTCLASS = 40;

/** IPPROTO_IPV6 level options (ws2ipdef.h). @group Socket options */
export const IPV6_HOPLIMIT = 21;
export const IPV6_DONTFRAG = 14;
export const IPV6_PKTINFO = 19;
export const IPV6_RECVTCLASS = 40;
export const IPV6_TCLASS = 39;
export const IPV6_ECN = 50;
export const IPV6_RECVECN = 50;
export const IPV6_UNICAST_HOPS = 4;
export const IPV6_UNICAST_IF = 31;
export const IPV6_MULTICAST_IF = 9;
export const IPV6_MULTICAST_HOPS = 10;
export const IPV6_MULTICAST_LOOP = 11;
export const IPV6_V6ONLY = 27;
export const IPV6_HDRINCL = 2;

/**
 * RCVALL_VALUE, the input of SIO_RCVALL (mstcpip.h): off; every packet the interface sees
 * (promiscuous); socket level only (documented as having no effect); every packet the interface
 * already accepts (no promiscuous mode). @group Control-code values
 */
export const RCVALL_OFF = 0;
export const RCVALL_ON = 1;
export const RCVALL_SOCKETLEVELONLY = 2;
export const RCVALL_IPLEVEL = 3;

/** Flags of send / recv / WSASend / WSARecv and their variants (winsock2.h). @group Message flags (MSG_*) */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_DONTROUTE = 0x4;
export const MSG_WAITALL = 0x8;
export const MSG_INTERRUPT = 0x10;
export const MSG_PUSH_IMMEDIATE = 0x20;
/**
 * Reported by WSARecv / WSAGetOverlappedResult on message-oriented sockets: the message continues.
 *
 * @group Message flags (MSG_*)
 */
export const MSG_PARTIAL = 0x8000;
/** WSAMSG.dwFlags on output. @group Message flags (MSG_*) */
export const MSG_TRUNC = 0x0100;
export const MSG_CTRUNC = 0x0200;
export const MSG_BCAST = 0x0400;
export const MSG_MCAST = 0x0800;

/** select(): an fd_set holds up to FD_SETSIZE sockets (winsock2.h's default). @group select and WSAPoll */
export const FD_SETSIZE = 64;

/** WSAPoll's events / revents bits (winsock2.h); POLLIN and POLLOUT are the combinations. @group select and WSAPoll */
export const POLLRDNORM = 0x0100;
export const POLLRDBAND = 0x0200;
export const POLLIN = POLLRDNORM | POLLRDBAND;
export const POLLPRI = 0x0400;
export const POLLWRNORM = 0x0010;
export const POLLOUT = POLLWRNORM;
export const POLLWRBAND = 0x0020;
export const POLLERR = 0x0001;
export const POLLHUP = 0x0002;
export const POLLNVAL = 0x0004;

/**
 * SetFileCompletionNotificationModes flags (winbase.h); once set they cannot be cleared.
 *
 * @group Waits, events and completion
 */
export const FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1;
export const FILE_SKIP_SET_EVENT_ON_HANDLE = 0x2;

/** The `how` of shutdown (winsock2.h). @group Socket creation and shutdown */
export const SD_RECEIVE = 0;
export const SD_SEND = 1;
export const SD_BOTH = 2;

/**
 * The `dwFlags` of WSASocketW (winsock2.h). Sockets from socket() are overlapped-capable, as with
 * WSA_FLAG_OVERLAPPED.
 *
 * @group Socket creation and shutdown
 */
export const WSA_FLAG_OVERLAPPED = 0x01;
export const WSA_FLAG_MULTIPOINT_C_ROOT = 0x02;
export const WSA_FLAG_MULTIPOINT_C_LEAF = 0x04;
export const WSA_FLAG_MULTIPOINT_D_ROOT = 0x08;
export const WSA_FLAG_MULTIPOINT_D_LEAF = 0x10;
export const WSA_FLAG_ACCESS_SYSTEM_SECURITY = 0x40;
export const WSA_FLAG_NO_HANDLE_INHERIT = 0x80;
export const WSA_FLAG_REGISTERED_IO = 0x100;

/**
 * Network events of WSAEventSelect / WSAEnumNetworkEvents (winsock2.h): `FD_X` is the bit in
 * `lNetworkEvents`, `FD_X_BIT` its index in WSANETWORKEVENTS.iErrorCode.
 *
 * @group Network events (FD_*)
 */
export const FD_READ_BIT = 0;
export const FD_WRITE_BIT = 1;
export const FD_OOB_BIT = 2;
export const FD_ACCEPT_BIT = 3;
export const FD_CONNECT_BIT = 4;
export const FD_CLOSE_BIT = 5;
export const FD_QOS_BIT = 6;
export const FD_GROUP_QOS_BIT = 7;
export const FD_ROUTING_INTERFACE_CHANGE_BIT = 8;
export const FD_ADDRESS_LIST_CHANGE_BIT = 9;
export const FD_MAX_EVENTS = 10;
export const FD_READ = 1 << FD_READ_BIT;
export const FD_WRITE = 1 << FD_WRITE_BIT;
export const FD_OOB = 1 << FD_OOB_BIT;
export const FD_ACCEPT = 1 << FD_ACCEPT_BIT;
export const FD_CONNECT = 1 << FD_CONNECT_BIT;
export const FD_CLOSE = 1 << FD_CLOSE_BIT;
export const FD_QOS = 1 << FD_QOS_BIT;
export const FD_GROUP_QOS = 1 << FD_GROUP_QOS_BIT;
export const FD_ROUTING_INTERFACE_CHANGE = 1 << FD_ROUTING_INTERFACE_CHANGE_BIT;
export const FD_ADDRESS_LIST_CHANGE = 1 << FD_ADDRESS_LIST_CHANGE_BIT;
export const FD_ALL_EVENTS = (1 << FD_MAX_EVENTS) - 1;

/** Interface flags of INTERFACE_INFO.iiFlags (ws2ipdef.h; one definition: structs/interface-info.ts). */
export { IFF_UP, IFF_BROADCAST, IFF_LOOPBACK, IFF_POINTTOPOINT, IFF_MULTICAST } from '../structs/interface-info.js';

/**
 * Waits: timeouts and results of WSAWaitForMultipleEvents (WSA_*) and SleepEx /
 * GetQueuedCompletionStatus (WAIT_*, INFINITE); WSA_INVALID_EVENT is WSACreateEvent's failure.
 *
 * @group Waits, events and completion
 */
export const WSA_INFINITE = 0xffffffff;
export const INFINITE = 0xffffffff;
export const WSA_WAIT_EVENT_0 = 0;
export const WSA_WAIT_IO_COMPLETION = 0xc0;
export const WSA_WAIT_TIMEOUT = 0x102;
export const WSA_WAIT_FAILED = 0xffffffff;
export const WSA_MAXIMUM_WAIT_EVENTS = 64;
export const WAIT_OBJECT_0 = 0;
export const WAIT_IO_COMPLETION = 0xc0;
export const WAIT_FAILED = 0xffffffff;
export const WAIT_ABANDONED_0 = 0x80;
export const MAXIMUM_WAIT_OBJECTS = 64;
export const WSA_INVALID_EVENT = 0;

/** TCPSTATE values of TCP_INFO.State (one table: structs/tcp-info.ts). */
export {
  TCPSTATE_CLOSED, TCPSTATE_LISTEN, TCPSTATE_SYN_SENT, TCPSTATE_SYN_RCVD, TCPSTATE_ESTABLISHED, TCPSTATE_FIN_WAIT_1,
  TCPSTATE_FIN_WAIT_2, TCPSTATE_CLOSE_WAIT, TCPSTATE_CLOSING, TCPSTATE_LAST_ACK, TCPSTATE_TIME_WAIT, TCPSTATE_MAX,
} from '../structs/tcp-info.js';

/**
 * Winsock version words: MAKEWORD(2, 2) === 0x0202, the version to ask WSAStartup for.
 *
 * @param low the major version (low byte)
 * @param high the minor version (high byte)
 */
export function MAKEWORD(low: number, high: number): number {
  return ((low & 0xff) | ((high & 0xff) << 8)) >>> 0;
}

/**
 * Handles (winbase.h). `CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0)` makes a new port.
 *
 * @group Waits, events and completion
 */
export const INVALID_HANDLE_VALUE = -1;

/**
 * Files (winnt.h / fileapi.h): the CreateFileW arguments a file for TransmitFile / TransmitPackets
 * needs. Access rights, share modes, creation dispositions, flags and attributes.
 *
 * @group Files and transmission
 */
export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const FILE_SHARE_READ = 0x1;
export const FILE_SHARE_WRITE = 0x2;
export const FILE_SHARE_DELETE = 0x4;
export const CREATE_NEW = 1;
export const CREATE_ALWAYS = 2;
export const OPEN_EXISTING = 3;
export const OPEN_ALWAYS = 4;
export const TRUNCATE_EXISTING = 5;
export const FILE_ATTRIBUTE_NORMAL = 0x80;
export const FILE_FLAG_OVERLAPPED = 0x40000000;
export const FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000;

/**
 * Windows and their message queue (winuser.h), as far as WSAAsyncSelect needs them: the parent of a
 * message-only window (HWND_MESSAGE), message numbers (WM_*), PeekMessageW's removal flags (PM_*),
 * MsgWaitForMultipleObjectsEx's wake mask (QS_*) and flags (MWMO_*), and the size of WNDCLASSEXW on
 * x64 (its cbSize).
 *
 * @group Windows and messages
 */
export const HWND_MESSAGE = -3;
export const WM_NULL = 0x0000;
export const WM_CREATE = 0x0001;
export const WM_DESTROY = 0x0002;
export const WM_CLOSE = 0x0010;
export const WM_QUIT = 0x0012;
export const WM_NCCREATE = 0x0081;
export const WM_NCDESTROY = 0x0082;
export const WM_USER = 0x0400;
export const WM_APP = 0x8000;
export const PM_NOREMOVE = 0x0000;
export const PM_REMOVE = 0x0001;
export const PM_NOYIELD = 0x0002;
export const QS_KEY = 0x0001;
export const QS_MOUSEMOVE = 0x0002;
export const QS_MOUSEBUTTON = 0x0004;
export const QS_POSTMESSAGE = 0x0008;
export const QS_TIMER = 0x0010;
export const QS_PAINT = 0x0020;
export const QS_SENDMESSAGE = 0x0040;
export const QS_HOTKEY = 0x0080;
export const QS_ALLPOSTMESSAGE = 0x0100;
export const QS_RAWINPUT = 0x0400;
export const QS_TOUCH = 0x0800;
export const QS_POINTER = 0x1000;
export const QS_MOUSE = QS_MOUSEMOVE | QS_MOUSEBUTTON;
export const QS_INPUT = QS_MOUSE | QS_KEY | QS_RAWINPUT | QS_TOUCH | QS_POINTER;
export const QS_ALLEVENTS = QS_INPUT | QS_POSTMESSAGE | QS_TIMER | QS_PAINT | QS_HOTKEY;
export const QS_ALLINPUT = QS_INPUT | QS_POSTMESSAGE | QS_TIMER | QS_PAINT | QS_HOTKEY | QS_SENDMESSAGE;
export const MWMO_WAITALL = 0x0001;
export const MWMO_ALERTABLE = 0x0002;
export const MWMO_INPUTAVAILABLE = 0x0004;
export const WNDCLASSEXW_SIZE = 80;

/**
 * WSAAsyncSelect's lParam (winsock2.h): WSAMAKESELECTREPLY(event, error) is MAKELONG(event, error),
 * the FD_* bit in the low word and the Winsock error (0: none) in the high word.
 *
 * @group Windows and messages
 * @param event one FD_* bit
 * @param error a Winsock error, or 0
 */
export function WSAMAKESELECTREPLY(event: number, error: number): number {
  return ((event & 0xffff) | ((error & 0xffff) << 16)) >>> 0;
}

/**
 * The FD_* bit of a WSAAsyncSelect message's lParam (its low word, winsock2.h).
 *
 * @group Windows and messages
 * @param lParam the message's lParam
 */
export function WSAGETSELECTEVENT(lParam: number): number {
  return Number(lParam) & 0xffff;
}

/**
 * The Winsock error of a WSAAsyncSelect message's lParam (its high word; 0: none, winsock2.h).
 *
 * @group Windows and messages
 * @param lParam the message's lParam
 */
export function WSAGETSELECTERROR(lParam: number): number {
  return (Number(lParam) >>> 16) & 0xffff;
}

/**
 * DisconnectEx / TransmitFile / TransmitPackets flags (mswsock.h). TF_REUSE_SOCKET is DisconnectEx's
 * DE_REUSE_SOCKET too; TP_* are the same values for TransmitPackets, TP_ELEMENT_* the
 * TRANSMIT_PACKETS_ELEMENT kinds.
 *
 * @group Extension function flags
 */
export const TF_DISCONNECT = 0x01;
export const TF_REUSE_SOCKET = 0x02;
export const TF_WRITE_BEHIND = 0x04;
export const TF_USE_DEFAULT_WORKER = 0x00;
export const TF_USE_SYSTEM_THREAD = 0x10;
export const TF_USE_KERNEL_APC = 0x20;
export const TP_DISCONNECT = TF_DISCONNECT;
export const TP_REUSE_SOCKET = TF_REUSE_SOCKET;
export const TP_USE_DEFAULT_WORKER = TF_USE_DEFAULT_WORKER;
export const TP_USE_SYSTEM_THREAD = TF_USE_SYSTEM_THREAD;
export const TP_USE_KERNEL_APC = TF_USE_KERNEL_APC;
export const TP_ELEMENT_MEMORY = 1;
export const TP_ELEMENT_FILE = 2;
export const TP_ELEMENT_EOP = 4;
