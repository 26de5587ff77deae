/**
 * The friendly Node API: Winsock controls on `net.Socket`, `tls.TLSSocket`, `net.Server` and
 * `dgram.Socket`, with typed results and `WinsockError` instead of SOCKET_ERROR. Every function
 * also takes a SOCKET number. Winsock is started lazily (WSAStartup 2.2, once).
 *
 * Built only on the public `wsaioctl/winsock` surface, so the same code runs on the Linux
 * emulation and on Windows' ws2_32 (where `fromNodeSocket` is not available: Node does not expose
 * its SOCKETs there; the host queries and SOCKET numbers work).
 */
export { WinsockError } from './errors.js';
export { fromNodeSocket, type NodeSocket, type SocketLike } from './adopt.js';
export {
  setKeepAlive,
  setUserTimeout,
  bytesAvailable,
  kernelBytesAvailable,
  atUrgentMark,
  tcpInfo,
  idealSendBacklog,
  setUdpConnReset,
  type KeepAliveOptions,
  type TcpInfo,
} from './controls.js';
export {
  interfaces,
  addresses,
  routeTo,
  defaultGateway,
  interfaceNameOf,
  interfaceIndexOf,
  broadcastAddress,
  sortDestinations,
  type InterfaceInfo,
  type NetAddress,
  type Gateway,
} from './host.js';
export { watchAddresses, watchRoute, watchSendBacklog, type WatchOptions } from './watch.js';
export { onNetworkEvents, networkEvents, type NetworkEvent, type NetworkEventsOptions } from './network-events.js';
