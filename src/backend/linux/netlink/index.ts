/**
 * A small rtnetlink client (NETLINK_ROUTE over koffi/libc): link and address dumps, route
 * lookups for one destination, and the pure message codecs a change-notification socket shares.
 *
 *   constants.ts  Linux numbers: RTM_*, NLM_F_*, IFA_*, RTA_*, RTMGRP_* groups, IFF_* ...
 *   messages.ts   pure: build requests, split datagrams, decode links / addresses / routes / errors
 *   client.ts     I/O: one socket per query (all of its requests), closed before returning; bounded waits
 *   host.ts       addresses with their interfaces' flags, and the predicates the handlers share
 */
export * from './constants.js';
export * from './messages.js';
export { dumpAddresses, dumpLinks, getRoute, interfaceFlags, openQuerySockets, querying, type NetlinkResult, type QuerySocket } from './client.js';
export * from './host.js';
