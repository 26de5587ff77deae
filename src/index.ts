/**
 * `wsaioctl`: the friendly API (typed results, promises, WinsockError) and the control-code
 * toolkit. The C-faithful surface is `wsaioctl/winsock`.
 *
 * @module wsaioctl
 */
export * from './codes/index.js';
export { sockaddr, parseSockaddr, type SockaddrInfo } from './structs/sockaddr.js';
export * as structs from './structs/index.js';
export * as errors from './errors/index.js';
export { errorName } from './errors/index.js';
export * from './node/index.js';
