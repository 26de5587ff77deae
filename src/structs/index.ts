/** Codecs for the Windows x64 structures the implemented control codes use. */
export * from './sockaddr.js';
export * from './keepalive.js';
export * from './guid.js';
export * from './socket-address-list.js';
export * from './tcp-info.js';
export * from './interface-info.js';
export * from './multicast-filter.js';
export * from './port-reservation.js';
export * from './wsacmsg.js';
export * from './timestamping.js';
