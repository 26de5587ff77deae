/**
 * The host's addresses as the address / interface control codes see them: one address dump, each
 * address with the facts of its interface those codes decide on (up and running, loopback ...).
 */
import { isLinkLocal6 } from '../../../structs/ip.js';
import { LINUX_IFF, RT_SCOPE } from './constants.js';
import { E } from '../host/libc.js';
import { dumpAddresses, dumpRoutes, interfaceFlags, querying, type NetlinkResult, type QuerySocket } from './client.js';
import type { AddressInfo, IpVersion, LinkInfo, RouteInfo } from './messages.js';

/** What the address codes know of an address's interface. */
export type HostLink = Pick<LinkInfo, 'index' | 'name' | 'flags'>;

export interface HostAddress extends AddressInfo {
  link: HostLink;
}

/**
 * Every address of `version` (0: both) with its interface, in kernel order (interface index,
 * then the order addresses were added). The interfaces' flags come from one SIOCGIFNAME /
 * SIOCGIFFLAGS pair per interface that has addresses, not from a link dump (which builds every
 * attribute of every interface and costs more than the rest of the query). Addresses whose
 * interface vanished meanwhile are dropped. Everything goes over one socket: `socket`, else one
 * of its own.
 */
export function hostAddresses(version: IpVersion | 0, socket?: QuerySocket): NetlinkResult<HostAddress[]> {
  if (!socket) return querying((own) => hostAddresses(version, own));
  const addresses = dumpAddresses(version, socket);
  if (!addresses.ok) return addresses;
  const links = new Map<number, HostLink | null>();
  const out: HostAddress[] = [];
  for (const a of addresses.value) {
    let link = links.get(a.index);
    if (link === undefined) {
      const found = interfaceFlags(socket, a.index);
      if (!found.ok && found.errno !== E.ENODEV && found.errno !== E.ENXIO) return found;
      link = found.ok ? { index: a.index, name: found.value.name, flags: found.value.flags } : null;
      links.set(a.index, link);
    }
    // The parsed address is this query's own: given its link in place (a spread copy of every
    // field was a tenth of the whole SIO_ADDRESS_LIST_QUERY).
    if (link) {
      const withLink = a as HostAddress;
      withLink.link = link;
      out.push(withLink);
    }
  }
  return { ok: true, value: out };
}

/** Administratively up (`ip link set ... up`). */
export const isAdminUp = (link: HostLink): boolean => (link.flags & LINUX_IFF.UP) !== 0;

/** Up and with a carrier (IFF_RUNNING): what Windows calls connected. */
export const isOperational = (link: HostLink): boolean =>
  (link.flags & (LINUX_IFF.UP | LINUX_IFF.RUNNING)) === (LINUX_IFF.UP | LINUX_IFF.RUNNING);

export const isLoopbackLink = (link: HostLink): boolean => (link.flags & LINUX_IFF.LOOPBACK) !== 0;


/** 127.0.0.0/8 or ::1 */
export function isLoopbackAddress(a: Uint8Array): boolean {
  if (a.length === 4) return a[0] === 127;
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}

/** 169.254.0.0/16 */
export const isLinkLocal4 = (a: Uint8Array): boolean => a.length === 4 && a[0] === 169 && a[1] === 254;

/** Host-scope addresses (127.0.0.1, ::1 ...) are only reachable from this host. */
export const isHostScope = (a: AddressInfo): boolean => a.scope === RT_SCOPE.HOST;

/**
 * Whether Windows would list this address in SIO_ADDRESS_LIST_QUERY (an address an application
 * can bind to): Preferred (not tentative, DAD-failed or deprecated), not host scope, on an
 * interface up and running, and not a loopback / link-local address of a loopback interface.
 * A change notifier can use the same rule to decide whether the list changed.
 */
export function isBindable(a: HostAddress): boolean {
  if (a.tentative || a.dadFailed || a.deprecated) return false;
  if (isHostScope(a) || !isOperational(a.link)) return false;
  if (isLoopbackLink(a.link) && (isLoopbackAddress(a.address) || isLinkLocal6(a.address) || isLinkLocal4(a.address))) return false;
  return true;
}

/** The main routing table (RT_TABLE_MAIN), where default routes live. */
const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;

/**
 * The default route of `version` with a gateway (the route to the internet): of the unicast routes
 * of the main table with a zero-length prefix and a gateway, the one with the lowest metric
 * (RTA_PRIORITY), as the kernel prefers it. Null when there is none.
 */
export function defaultRoute(version: IpVersion): NetlinkResult<RouteInfo | null> {
  const routes = dumpRoutes(version);
  if (!routes.ok) return routes;
  let best: RouteInfo | null = null;
  for (const route of routes.value) {
    if (route.table !== RT_TABLE_MAIN || route.type !== RTN_UNICAST || route.dstLength !== 0 || route.gateway === null) continue;
    if (best === null || route.priority < best.priority) best = route;
  }
  return { ok: true, value: best };
}
