/**
 * SIO_MULTICAST_SCOPE and SIO_MULTIPOINT_LOOPBACK: the Winsock 2 spellings of two multicast socket
 * options, and Windows applies them as those options: SIO_MULTICAST_SCOPE is the multicast TTL
 * (IP_MULTICAST_TTL; IPV6_MULTICAST_HOPS on an AF_INET6 socket), SIO_MULTIPOINT_LOOPBACK whether
 * this host's own multicast is looped back (IP_MULTICAST_LOOP; IPV6_MULTICAST_LOOP).
 * So the input follows the option's rules: 1 to 4 bytes read little-endian (none: WSAEFAULT), a
 * scope above 255 is WSAEINVAL, any non-zero loopback value is TRUE; on a stream socket, where
 * the multicast options do not apply, WSAEINVAL. The value lands in the Linux option of the same
 * meaning, where getsockopt sees it. `*lpcbBytesReturned` is 0.
 */
import { WSAEFAULT, WSAEINVAL } from '../../../../errors/index.js';
import { SIO_MULTICAST_SCOPE, SIO_MULTIPOINT_LOOPBACK } from '../../../../codes/index.js';
import { AF_INET6, SOCK_DGRAM, SOCK_RAW } from '../../../../winsock/constants.js';
import { L } from '../../host/libc.js';
import { wsaFromErrno } from '../../host/errno.js';
import { setKernelInt } from '../../host/socket-facts.js';
import { readSmallValue } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

interface MulticastOption {
  name: string;
  code: number;
  ipv4: number;
  ipv6: number;
  /** The Linux value for the caller's input value, or null when Windows refuses it. */
  convert(value: number): number | null;
}

function multicastOptionHandler(option: MulticastOption): IoctlHandler {
  return {
    name: option.name,
    code: option.code,
    checks: [socketType([SOCK_DGRAM, SOCK_RAW], WSAEINVAL, 0), inputAtLeast(1, WSAEFAULT, 0)],
    run({ sock, input }) {
      const value = option.convert(readSmallValue(input));
      if (value === null) return failed(WSAEINVAL);
      const ipv6 = sock.af === AF_INET6;
      const errno = setKernelInt(sock.fd, ipv6 ? L.IPPROTO_IPV6 : L.IPPROTO_IP, ipv6 ? option.ipv6 : option.ipv4, value);
      return errno ? failed(wsaFromErrno(errno)) : done(0);
    },
  };
}

/** Number of routed hops multicast may cross: 0 (this host only) to 255. */
export const multicastScope = multicastOptionHandler({
  name: 'SIO_MULTICAST_SCOPE',
  code: SIO_MULTICAST_SCOPE,
  ipv4: L.IP_MULTICAST_TTL,
  ipv6: L.IPV6_MULTICAST_HOPS,
  convert: (value) => (value <= 255 ? value : null),
});

/** BOOL: deliver this host's multicast to its own member sockets (on by default). */
export const multipointLoopback = multicastOptionHandler({
  name: 'SIO_MULTIPOINT_LOOPBACK',
  code: SIO_MULTIPOINT_LOOPBACK,
  ipv4: L.IP_MULTICAST_LOOP,
  ipv6: L.IPV6_MULTICAST_LOOP,
  convert: (value) => (value !== 0 ? 1 : 0),
});
