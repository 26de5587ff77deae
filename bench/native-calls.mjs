// The "native" cases of bench/calls.mjs (Linux only): for each benchmarked control code, the
// system calls the emulation makes for it, and the ones bench/c/syscalls.c times from C, made
// through koffi with the library's own bindings (dist/backend/linux/host/libc.js: the same
// signatures, the same argument memory) and nothing around them. Emulation minus native is the
// emulation's own JS; native minus C is what koffi adds. Keep each case in step with the
// emulation's calls and with syscalls.c (each names where the emulation makes them).
import * as libc from '../dist/backend/linux/host/libc.js';

const { L } = libc;
const NETLINK_ROUTE = 0;
const RTM_GETADDR = 22;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;

/** `fd`: the connected TCP socket the benchmark's stream codes use. */
export function nativeCalls(fd) {
  // Argument memory as the emulation keeps it (host/socket-facts.ts, host/poll.ts, sockets/tcp-info.ts).
  const int = libc.nativeBlock(8);
  const pollfd = libc.nativeBlock(8);
  pollfd.view.setInt32(0, fd, true);
  const info = libc.nativeBlock(8 + 512);

  const setInt = (level, option, value) => {
    int.view.setInt32(0, value, true);
    return libc.setsockoptAt(fd, level, option, int.address, 4);
  };
  const getInt = (level, option) => {
    int.view.setUint32(4, 4, true);
    return libc.getsockoptAt(fd, level, option, int.address, int.address + 4);
  };

  // SIO_ADDRESS_LIST_QUERY (netlink/client.ts, netlink/host.ts): one netlink socket with a receive
  // time-out, an RTM_GETADDR dump, then SIOCGIFNAME + SIOCGIFFLAGS per interface with addresses;
  // every argument in native memory, as the client keeps it.
  const args = libc.nativeBlock(72 + 24);
  const KERNEL = 0;
  const TIMEOUT = 16;
  const IFREQ = 32;
  const REQUEST = 72;
  args.view.setUint16(KERNEL, L.AF_NETLINK, true);
  args.view.setBigInt64(TIMEOUT, 2n, true);
  args.view.setUint32(REQUEST, 24, true);
  args.view.setUint16(REQUEST + 4, RTM_GETADDR, true);
  args.view.setUint16(REQUEST + 6, NLM_F_REQUEST | NLM_F_DUMP, true);
  args.bytes[REQUEST + 16] = L.AF_INET;
  const reply = libc.nativeBlock(64 * 1024);
  let seq = 1;
  const addressList = () => {
    const nl = libc.socket(L.AF_NETLINK, L.SOCK_RAW | L.SOCK_CLOEXEC, NETLINK_ROUTE);
    libc.setsockoptAt(nl, L.SOL_SOCKET, L.SO_RCVTIMEO, args.address + TIMEOUT, 16);
    args.view.setUint32(REQUEST + 8, seq++, true);
    libc.sendtoAt(nl, args.address + REQUEST, 24, 0, args.address + KERNEL, 12);
    const indexes = [];
    let done = false;
    for (let reads = 0; !done && reads < 64; reads++) {
      const n = libc.recvAt(nl, reply.address, reply.bytes.length, L.MSG_TRUNC);
      if (n <= 0) break;
      for (let at = 0; at + 16 <= n;) {
        const len = reply.view.getUint32(at, true);
        const type = reply.view.getUint16(at + 4, true);
        if (len < 16 || type === NLMSG_DONE || type === NLMSG_ERROR) { done = true; break; }
        const index = reply.view.getUint32(at + 20, true);
        if (!indexes.includes(index)) indexes.push(index);
        at += (len + 3) & ~3;
      }
    }
    for (const index of indexes) {
      args.bytes.fill(0, IFREQ, IFREQ + 40);
      args.view.setUint32(IFREQ + 16, index, true);
      if (libc.ioctlAt(nl, L.SIOCGIFNAME, args.address + IFREQ) === 0) libc.ioctlAt(nl, L.SIOCGIFFLAGS, args.address + IFREQ);
    }
    libc.close(nl);
    return 0;
  };

  // SIO_ROUTING_INTERFACE_QUERY (address-selection/kernel-source.ts): a dual-stack UDP socket with
  // SO_BROADCAST, connected to the IPv4-mapped destination, getsockname, close; the sockaddrs in
  // native memory, as the probe keeps them.
  const probe = libc.nativeBlock(72);
  probe.view.setUint16(0, L.AF_INET6, true);
  probe.view.setUint16(2, 9, false);
  probe.bytes.set([0xff, 0xff, 127, 0, 0, 1], 18);
  const route = () => {
    const s = libc.socket(L.AF_INET6, L.SOCK_DGRAM | L.SOCK_NONBLOCK | L.SOCK_CLOEXEC, 0);
    int.view.setInt32(0, 0, true);
    libc.setsockoptAt(s, L.IPPROTO_IPV6, L.IPV6_V6ONLY, int.address, 4);
    int.view.setInt32(0, 1, true);
    libc.setsockoptAt(s, L.SOL_SOCKET, L.SO_BROADCAST, int.address, 4);
    libc.connectAt(s, probe.address, 28);
    probe.view.setUint32(64, 28, true);
    libc.getsocknameAt(s, probe.address + 32, probe.address + 64);
    libc.close(s);
    return 0;
  };

  return {
    // sockets/urgent.ts (poll for POLLPRI) and host/socket-facts.ts (SIOCINQ).
    FIONREAD: () => {
      pollfd.view.setInt16(4, L.POLLPRI, true);
      pollfd.view.setInt16(6, 0, true);
      libc.pollAt(pollfd.address, 1, 0);
      int.view.setInt32(0, 0, true);
      return libc.ioctlAt(fd, L.FIONREAD, int.address);
    },
    // The emulation keeps FIONBIO virtual (host fds are always non-blocking): C's one ioctl, for reference.
    FIONBIO: () => {
      int.view.setInt32(0, 1, true);
      return libc.ioctlAt(fd, L.FIONBIO, int.address);
    },
    // handlers/keepalive-vals.ts: the times, then keep-alive on.
    SIO_KEEPALIVE_VALS: () => setInt(L.IPPROTO_TCP, L.TCP_KEEPIDLE, 30) | setInt(L.IPPROTO_TCP, L.TCP_KEEPINTVL, 1) | setInt(L.SOL_SOCKET, L.SO_KEEPALIVE, 1),
    // sockets/tcp-info.ts: TCP_INFO, SIOCOUTQ, SO_RCVBUF.
    SIO_TCP_INFO: () => {
      info.view.setUint32(0, 512, true);
      libc.getsockoptAt(fd, L.IPPROTO_TCP, L.TCP_INFO, info.address + 8, info.address);
      libc.ioctlAt(fd, L.SIOCOUTQ, int.address);
      return getInt(L.SOL_SOCKET, L.SO_RCVBUF);
    },
    SIO_ADDRESS_LIST_QUERY: addressList,
    SIO_ROUTING_INTERFACE_QUERY: route,
  };
}
