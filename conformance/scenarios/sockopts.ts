/**
 * getsockopt / setsockopt: option lengths (Wine sock.c test_set_getsockopt's test_optsize table),
 * SO_LINGER and the abortive close, IP_HDRINCL, IPV6_V6ONLY, SO_EXCLUSIVEADDRUSE and
 * SO_CONNECT_TIME. test/sockopts-*.test.ts hold the same rules on the emulation in more detail.
 */
import type { Context, Observation, Scenario } from '../lib/types.js';
import { SENTINEL, errName, readU32, u16, u32, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';

/** getsockopt into a DWORD holding 0xdeadbeef: rc / error, the DWORD after, optlen after. */
function get(s: number, level: number, name: number, optlen: number): Observation {
  const out = u32(SENTINEL, 8);
  const len = { value: optlen };
  ws.WSASetLastError(SENTINEL);
  const rc = ws.getsockopt(s, level, name, out, len);
  return { rc: rc === 0 ? 0 : errName(ws.WSAGetLastError()), value: `0x${readU32(out).toString(16)}`, optlen: len.value };
}

function set(s: number, level: number, name: number, value: Uint8Array | null, optlen: number): number | string {
  ws.WSASetLastError(SENTINEL);
  return ws.setsockopt(s, level, name, value, optlen) === 0 ? 0 : errName(ws.WSAGetLastError());
}

const linger = (onoff: number, seconds: number): Uint8Array => new Uint8Array([...u16(onoff), ...u16(seconds)]);

function scenario(id: string, title: string, call: string, expected: Observation, source: string, run: (ctx: Context) => Observation): Scenario {
  return { id: `sockopt.${id}`, title, mode: 'other', sockets: ['none'], call, expected, basis: 'measured', source, run };
}

const optsize = `${SOCK_C} test_set_getsockopt (test_optsize)`;

export const sockopts: Scenario[] = [
  scenario('SO_BROADCAST.optlen-2', 'SO_BROADCAST set to 1, read with optlen 2: two bytes written, 1 reported',
    'setsockopt(udp, SOL_SOCKET, SO_BROADCAST, &1, 2); getsockopt(udp, SOL_SOCKET, SO_BROADCAST, &0xdeadbeef, &2)',
    { set: 0, get: { rc: 0, value: '0xdead0001', optlen: 1 } }, optsize,
    (ctx) => {
      const s = ctx.udp();
      return { set: set(s, ws.SOL_SOCKET, ws.SO_BROADCAST, u32(1), 2), get: get(s, ws.SOL_SOCKET, ws.SO_BROADCAST, 2) };
    }),
  scenario('SO_RCVBUF.optlen-2', 'SO_RCVBUF read with optlen 2: WSAEFAULT, the two bytes zeroed, optlen kept',
    'getsockopt(tcp, SOL_SOCKET, SO_RCVBUF, &0xdeadbeef, &2)',
    { rc: 'WSAEFAULT', value: '0xdead0000', optlen: 2 }, optsize,
    (ctx) => get(ctx.tcp(), ws.SOL_SOCKET, ws.SO_RCVBUF, 2)),
  scenario('TCP_KEEPALIVE.optlen-1', 'TCP_KEEPALIVE read with optlen 1: WSAEFAULT, value untouched, optlen 0',
    'getsockopt(tcp, IPPROTO_TCP, TCP_KEEPALIVE, &0xdeadbeef, &1)',
    { rc: 'WSAEFAULT', value: '0xdeadbeef', optlen: 0 }, optsize,
    (ctx) => get(ctx.tcp(), ws.IPPROTO_TCP, ws.TCP_KEEPALIVE, 1)),
  scenario('TCP_NODELAY.optlen-4', 'TCP_NODELAY set with 0x100: FALSE (first byte); read with optlen 4 writes and reports 1 byte',
    'setsockopt(tcp, IPPROTO_TCP, TCP_NODELAY, &0x100, 4); getsockopt(..., &0xdeadbeef, &4)',
    { set: 0, get: { rc: 0, value: '0xdeadbe00', optlen: 1 } }, optsize,
    (ctx) => {
      const s = ctx.tcp();
      return { set: set(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, u32(0x100), 4), get: get(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, 4) };
    }),
  scenario('IP_MULTICAST_TTL.0x100', 'IP_MULTICAST_TTL 0x100: WSAEINVAL',
    'setsockopt(udp, IPPROTO_IP, IP_MULTICAST_TTL, &0x100, 4)', { set: 'WSAEINVAL' }, optsize,
    (ctx) => ({ set: set(ctx.udp(), ws.IPPROTO_IP, ws.IP_MULTICAST_TTL, u32(0x100), 4) })),
  scenario('optlen-minus-1', 'optlen -1: SO_RCVTIMEO takes its DWORD, TCP_NODELAY and TCP_KEEPALIVE fail with WSAENOBUFS',
    'setsockopt(tcp, level, name, &1, -1)',
    { SO_RCVTIMEO: 0, TCP_NODELAY: 'WSAENOBUFS', TCP_KEEPALIVE: 'WSAENOBUFS' }, optsize,
    (ctx) => {
      const s = ctx.tcp();
      return {
        SO_RCVTIMEO: set(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(1), -1),
        TCP_NODELAY: set(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, u32(1), -1),
        TCP_KEEPALIVE: set(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE, u32(1), -1),
      };
    }),
  scenario('SO_LINGER.onoff-as-set', 'SO_LINGER {0x100, 0} reads back l_onoff 0x100; SO_DONTLINGER is then FALSE',
    'setsockopt(tcp, SOL_SOCKET, SO_LINGER, {0x100, 0}, 4); getsockopt SO_LINGER, SO_DONTLINGER',
    { set: 0, linger: { rc: 0, value: '0x100', optlen: 4 }, dontLinger: { rc: 0, value: '0x0', optlen: 4 } },
    `${optsize}; ${SOCK_C} test_extendedSocketOptions`,
    (ctx) => {
      const s = ctx.tcp();
      const result = { set: set(s, ws.SOL_SOCKET, ws.SO_LINGER, linger(0x100, 0), 4), linger: get(s, ws.SOL_SOCKET, ws.SO_LINGER, 4), dontLinger: get(s, ws.SOL_SOCKET, ws.SO_DONTLINGER, 4) };
      set(s, ws.SOL_SOCKET, ws.SO_LINGER, linger(0, 0), 4);
      return result;
    }),
  scenario('SO_LINGER.udp', 'SO_LINGER on a UDP socket: WSAENOPROTOOPT', 'getsockopt(udp, SOL_SOCKET, SO_LINGER, &linger, &4)',
    { rc: 'WSAENOPROTOOPT', value: '0xdeadbeef', optlen: 4 }, `${SOCK_C} test_extendedSocketOptions`,
    (ctx) => get(ctx.udp(), ws.SOL_SOCKET, ws.SO_LINGER, 4)),
  scenario('SO_LINGER.abortive-close', 'linger {1, 0} then closesocket: the peer recv fails with WSAECONNRESET',
    'setsockopt(client, SOL_SOCKET, SO_LINGER, {1, 0}, 4); closesocket(client); recv(server)',
    { set: 0, recv: 'WSAECONNRESET' }, `${SOCK_C} close_with_rst / test_tcp_reset`,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const rc = set(client, ws.SOL_SOCKET, ws.SO_LINGER, linger(1, 0), 4);
      ctx.closeNow(client);
      ws.ioctlsocket(server, ws.FIONBIO, { value: 1 });
      let recv: number | string = 'WSAEWOULDBLOCK';
      for (let i = 0; i < 100 && recv === 'WSAEWOULDBLOCK'; i++) {
        const n = ws.recv(server, new Uint8Array(8), 8, 0);
        recv = n >= 0 ? n : errName(ws.WSAGetLastError());
        if (recv === 'WSAEWOULDBLOCK') ctx.sleep(10);
      }
      return { set: rc, recv };
    }),
  scenario('IP_HDRINCL.tcp-udp', 'IP_HDRINCL on TCP and UDP sockets: WSAEINVAL to set and to get',
    'setsockopt / getsockopt(s, IPPROTO_IP, IP_HDRINCL, &1, 4)',
    { tcp: { set: 'WSAEINVAL', get: { rc: 'WSAEINVAL', value: '0xdeadbeef', optlen: 4 } }, udp: { set: 'WSAEINVAL', get: { rc: 'WSAEINVAL', value: '0xdeadbeef', optlen: 4 } } },
    `${SOCK_C} test_set_getsockopt (IP_HDRINCL, >= Vista)`,
    (ctx) => {
      const probe = (s: number): Observation => ({ set: set(s, ws.IPPROTO_IP, ws.IP_HDRINCL, u32(1), 4), get: get(s, ws.IPPROTO_IP, ws.IP_HDRINCL, 4) });
      return { tcp: probe(ctx.tcp()), udp: probe(ctx.udp()) };
    }),
  {
    id: 'sockopt.IPV6_V6ONLY.default', title: 'IPV6_V6ONLY is on by default on an AF_INET6 socket (a BOOLEAN: 1 byte)',
    mode: 'other', sockets: ['tcp6-fresh'], call: 'getsockopt(tcp6, IPPROTO_IPV6, IPV6_V6ONLY, &0xdeadbeef, &4)',
    expected: { rc: 0, value: '0xdeadbe01', optlen: 1 }, basis: 'measured', source: `${SOCK_C} test_ipv6only; ${optsize}`,
    run: (ctx) => get(ctx.tcp6(), ws.IPPROTO_IPV6, ws.IPV6_V6ONLY, 4),
  },
  scenario('SO_EXCLUSIVEADDRUSE.vs-SO_REUSEADDR', 'SO_REUSEADDR and SO_EXCLUSIVEADDRUSE exclude each other',
    'SO_REUSEADDR 1; SO_EXCLUSIVEADDRUSE 1; SO_REUSEADDR 0; SO_EXCLUSIVEADDRUSE 1; SO_REUSEADDR 1',
    { steps: [0, 'WSAEINVAL', 0, 0, 'WSAEINVAL'] }, `${SOCK_C} test_reuseaddr`,
    (ctx) => {
      const s = ctx.tcp();
      const steps = [[ws.SO_REUSEADDR, 1], [ws.SO_EXCLUSIVEADDRUSE, 1], [ws.SO_REUSEADDR, 0], [ws.SO_EXCLUSIVEADDRUSE, 1], [ws.SO_REUSEADDR, 1]]
        .map(([name, value]) => set(s, ws.SOL_SOCKET, name!, u32(value!), 4));
      return { steps };
    }),
  {
    id: 'sockopt.SO_CONNECT_TIME.unconnected', title: 'SO_CONNECT_TIME of a socket never connected: 0xFFFFFFFF',
    mode: 'other', sockets: ['tcp-fresh'], call: 'getsockopt(tcp, SOL_SOCKET, SO_CONNECT_TIME, &0xdeadbeef, &4)',
    expected: { rc: 0, value: '0xffffffff', optlen: 4 }, basis: 'documented', source: 'SOL_SOCKET socket options reference page (SO_CONNECT_TIME)',
    run: (ctx) => get(ctx.tcp(), ws.SOL_SOCKET, ws.SO_CONNECT_TIME, 4),
  },
];
