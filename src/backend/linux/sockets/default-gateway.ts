/**
 * queryDefaultGateway on Linux (not a Winsock function; WinsockCore.queryDefaultGateway): the
 * gateway of the main table's default route with the lowest metric, from rtnetlink.
 */
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { DefaultGateway } from '../../../winsock/types.js';
import { decodeIPv4, decodeIPv6, sockaddr } from '../../../structs/sockaddr.js';
import { isLinkLocal6 } from '../../../structs/ip.js';
import { ok, setLastError } from '../win32/last-error.js';
import { wsaFromErrno } from '../host/errno.js';
import { defaultRoute } from '../netlink/host.js';

function refuse(error: number): null {
  setLastError(error);
  return null;
}

export function queryDefaultGateway(af: number): DefaultGateway | null {
  if (af !== C.AF_INET && af !== C.AF_INET6) return refuse(W.WSAEAFNOSUPPORT);
  const route = defaultRoute(af === C.AF_INET ? 4 : 6);
  if (!route.ok) return refuse(wsaFromErrno(route.errno));
  if (route.value === null || route.value.gateway === null) return refuse(W.WSAENETUNREACH);
  const { gateway, outputInterface } = route.value;
  const text = af === C.AF_INET ? decodeIPv4(gateway) : decodeIPv6(gateway);
  // A link-local IPv6 gateway (the usual one from router advertisements) needs its zone.
  const scope = af === C.AF_INET6 && isLinkLocal6(gateway) ? outputInterface : undefined;
  return ok({ sockaddr: new Uint8Array(sockaddr(text, 0, scope)), interfaceIndex: outputInterface });
}
