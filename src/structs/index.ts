/** Codecs for the Windows x64 structures the implemented control codes use. */
export * from './sockaddr.js';
export * from './keepalive.js';
export * from './guid.js';
export * from './socketAddressList.js';
export * from './tcpInfo.js';
export * from './interfaceInfo.js';
