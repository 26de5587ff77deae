/**
 * Where the expected Windows results come from. Wine's conformance tests run on real Windows
 * (test.winehq.org): a line without `todo_wine` states what Windows does; a `todo_wine` line states
 * what Windows does and that Wine does not. Facts only; nothing of Wine's code is used.
 */
const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const PROTOCOL_C = 'Wine dlls/ws2_32/tests/protocol.c';

export const SRC = {
  startup: `${PROTOCOL_C} test_startup`,
  withoutStartup: `${SOCK_C} test_WithoutWSAStartup / test_WithWSAStartup`,
  startupReactos: 'ReactOS modules/rostests/apitests/ws2_32/WSAStartup.c (runs on Windows)',
  sendReactos: 'ReactOS modules/rostests/apitests/ws2_32/send.c test_send (runs on Windows)',
  overlappedResult: `${SOCK_C} map_status / test_WSAGetOverlappedResult`,
  getpeername: `${SOCK_C} test_getpeername`,
  shutdown: `${SOCK_C} test_shutdown`,
  fionread: `${SOCK_C} test_fionread_siocatmark`,
  fionbio: `${SOCK_C} test_fionbio`,
  keepalive: `${SOCK_C} test_keepalive_vals`,
  unsupported: `${SOCK_C} test_unsupported_ioctls`,
  extension: `${SOCK_C} test_get_extension_func`,
  backlog: `${SOCK_C} test_backlog_query`,
  baseHandle: `${SOCK_C} test_base_handle`,
  circular: `${SOCK_C} test_circular_queueing`,
  interfaceList: `${SOCK_C} test_get_interface_list`,
  addressListQuery: `${SOCK_C} test_address_list_query`,
  routingQuery: `${SOCK_C} test_sioRoutingInterfaceQuery`,
  addressListChange: `${SOCK_C} test_sioAddressListChange`,
  wsaRecv: `${SOCK_C} test_WSARecv`,
  wsaSendTo: `${SOCK_C} test_WSASendTo`,
  emptyRecv: `${SOCK_C} test_empty_recv`,
  processHandles: 'Kernel objects and handles (win32 sysinfo/kernel-objects): a handle belongs to the process, and any of its threads may use it; sockets, events and completion ports are such handles (the emulation: docs/process-wide-handles.md)',
  sharedBuffers: 'WSASend / WSARecv reference pages: lpBuffers point at any caller memory (in C every thread shares it; in JS a Uint8Array over a SharedArrayBuffer is that memory)',
  selectPage: 'select reference page (sdk-api nf-winsock2-select): WSAEINVAL when all sets are empty',
  wsaioctlPage: 'WSAIoctl reference page (sdk-api nf-winsock2-wsaioctl), error table',
  ioctlsPage: 'Winsock IOCTLs page (win32 desktop-src/WinSock/winsock-ioctls.md)',
  recvfromPage: 'recvfrom reference page: WSAEFAULT when fromlen is too small for the source address',
  wsaSocket: `${SOCK_C} test_WSASocket (raw sockets: created by an administrator, else WSAEACCES)`,
  rawSockets: 'TCP/IP raw sockets page (win32 desktop-src/WinSock/tcp-ip-raw-sockets-2.md)',
  rcvall: 'SIO_RCVALL reference page (win32 desktop-src/WinSock/sio-rcvall.md)',
  sioPage: (name: string) => `${name} reference page (win32 desktop-src/WinSock/${name.toLowerCase().replaceAll('_', '-')}.md)`,
} as const;
