/**
 * rtnetlink numbers (Linux uapi: linux/netlink.h, linux/rtnetlink.h, linux/if_addr.h,
 * linux/if_link.h, linux/if.h). Linux values: they never leave the backend.
 */

export const NETLINK_ROUTE = 0;

/** sockaddr_nl: nl_family u16, nl_pad u16, nl_pid u32, nl_groups u32. */
export const SOCKADDR_NL_SIZE = 12;

/** Multicast groups for bind(nl_groups): what a change-notification socket subscribes to. */
export const RTMGRP = {
  LINK: 0x1,
  NOTIFY: 0x2,
  NEIGH: 0x4,
  TC: 0x8,
  IPV4_IFADDR: 0x10,
  IPV4_MROUTE: 0x20,
  IPV4_ROUTE: 0x40,
  IPV4_RULE: 0x80,
  IPV6_IFADDR: 0x100,
  IPV6_MROUTE: 0x200,
  IPV6_ROUTE: 0x400,
  IPV6_IFINFO: 0x800,
} as const;

/** The groups the address / route change notifications need. */
export const RTMGRP_NETWORK_CHANGES =
  RTMGRP.LINK | RTMGRP.IPV4_IFADDR | RTMGRP.IPV6_IFADDR | RTMGRP.IPV4_ROUTE | RTMGRP.IPV6_ROUTE;

/** nlmsghdr.nlmsg_type: control messages, then the rtnetlink families. */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;

export const RTM = {
  NEWLINK: 16, DELLINK: 17, GETLINK: 18,
  NEWADDR: 20, DELADDR: 21, GETADDR: 22,
  NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26,
} as const;

/** nlmsghdr.nlmsg_flags. */
export const NLM_F = {
  REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, DUMP_INTR: 0x10,
  ROOT: 0x100, MATCH: 0x200, DUMP: 0x300,
} as const;

/** ifinfomsg attributes. */
export const IFLA = { ADDRESS: 1, BROADCAST: 2, IFNAME: 3, MTU: 4, LINK: 5, OPERSTATE: 16, EXT_MASK: 29 } as const;

/** IFLA_EXT_MASK bits of a link request. */
export const RTEXT_FILTER = { VF: 1 << 0, SKIP_STATS: 1 << 3 } as const;

/** ifaddrmsg attributes. */
export const IFA = {
  ADDRESS: 1, LOCAL: 2, LABEL: 3, BROADCAST: 4, ANYCAST: 5, CACHEINFO: 6, MULTICAST: 7, FLAGS: 8,
} as const;

/** Address flags (ifa_flags, or the 32-bit IFA_FLAGS attribute when present). */
export const IFA_F = {
  SECONDARY: 0x01, NODAD: 0x02, OPTIMISTIC: 0x04, DADFAILED: 0x08, HOMEADDRESS: 0x10,
  DEPRECATED: 0x20, TENTATIVE: 0x40, PERMANENT: 0x80, MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200, MCAUTOJOIN: 0x400, STABLE_PRIVACY: 0x800,
} as const;

/** rtmsg attributes. */
export const RTA = {
  DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, TABLE: 15,
} as const;

/** rtmsg.rtm_type. */
export const RTN = {
  UNSPEC: 0, UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5,
  BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8, THROW: 9, NAT: 10,
} as const;

/** rtm_scope / ifa_scope. */
export const RT_SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

/** Linux interface flags (ifi_flags, net/if.h). */
export const LINUX_IFF = {
  UP: 0x1, BROADCAST: 0x2, DEBUG: 0x4, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOTRAILERS: 0x20,
  RUNNING: 0x40, NOARP: 0x80, PROMISC: 0x100, ALLMULTI: 0x200, MASTER: 0x400, SLAVE: 0x800,
  MULTICAST: 0x1000, PORTSEL: 0x2000, AUTOMEDIA: 0x4000, DYNAMIC: 0x8000,
  LOWER_UP: 0x10000, DORMANT: 0x20000, ECHO: 0x40000,
} as const;

/** Header and body sizes. */
export const NLMSGHDR_SIZE = 16;
export const IFINFOMSG_SIZE = 16;
export const IFADDRMSG_SIZE = 8;
export const RTMSG_SIZE = 12;
export const RTATTR_HEADER = 4;
