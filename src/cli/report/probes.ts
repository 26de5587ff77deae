/**
 * One probe per control code for `wsaioctl report`: which kind of socket to use, what input to
 * pass, how big an output buffer, and how to summarise the answer. Probes only use the public
 * `wsaioctl/winsock` surface, so the report runs on either backend.
 */
import * as ws from '../../winsock/index.js';
import { parseSockaddr, sockaddr, SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE } from '../../structs/sockaddr.js';
import { decodeSocketAddressList, encodeSocketAddressList, socketAddressListSize } from '../../structs/socket-address-list.js';
import { TCPSTATE_NAMES } from '../../structs/tcp-info.js';

export type SocketKind = 'tcp-connected' | 'tcp-listening' | 'tcp-fresh' | 'udp4' | 'udp6' | 'udp4-nonblocking';

export interface Probe {
  code: string;
  socket: SocketKind;
  input?: () => Uint8Array;
  outputSize?: number;
  /** Same buffer for input and output (sorted in place). */
  inPlace?: boolean;
  /** Turn a successful answer into one line. */
  describe?: (out: Uint8Array, bytes: number) => string;
  /** An error that is the right answer here (e.g. WSAEWOULDBLOCK for a change notification on a non-blocking socket). */
  expectError?: number;
}

const u32 = (value: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
};
const readU32 = (b: Uint8Array, off = 0) => new DataView(b.buffer, b.byteOffset).getUint32(off, true);
const readU64 = (b: Uint8Array, off = 0) => new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);

const describeAddress = (out: Uint8Array) => {
  const a = parseSockaddr(out);
  return a.family === ws.AF_INET6 && a.scopeId ? `${a.address}%${a.scopeId}` : a.address;
};

const describeAddressList = (out: Uint8Array, bytes: number) => {
  const entries = decodeSocketAddressList(out.subarray(0, bytes));
  return `${entries.length} address(es): ${entries.map((e) => describeAddress(e.sockaddr)).join(', ') || '(none)'}`;
};

function sortInput(): Uint8Array {
  const list = [sockaddr('::ffff:127.0.0.1', 0), sockaddr('2001:db8::1', 0), sockaddr('::1', 0)];
  const buf = new Uint8Array(socketAddressListSize(list));
  // Real pointers into the buffer, as a C caller would write them.
  encodeSocketAddressList(list, buf, ws.bufferAddress(buf));
  return buf;
}


export const probes: Probe[] = [
  { code: 'FIONBIO', socket: 'tcp-connected', input: () => u32(0) },
  { code: 'FIONREAD', socket: 'tcp-connected', outputSize: 4, describe: (o) => `${readU32(o)} byte(s) readable` },
  { code: 'SIOCATMARK', socket: 'tcp-connected', outputSize: 4, describe: (o) => (readU32(o) ? 'TRUE (no urgent data pending)' : 'FALSE (urgent data pending)') },
  { code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-connected', input: () => Uint8Array.from([1, 0, 0, 0, 0x30, 0x75, 0, 0, 0xe8, 0x03, 0, 0]), describe: () => 'keep-alive on: 30 s idle, 1 s interval' },
  { code: 'SIO_BASE_HANDLE', socket: 'tcp-connected', outputSize: 8, describe: (o) => `base handle ${readU64(o)}` },
  { code: 'SIO_BSP_HANDLE', socket: 'tcp-connected', outputSize: 8, describe: (o) => `handle ${readU64(o)}` },
  { code: 'SIO_BSP_HANDLE_SELECT', socket: 'tcp-connected', outputSize: 8, describe: (o) => `handle ${readU64(o)}` },
  { code: 'SIO_BSP_HANDLE_POLL', socket: 'tcp-connected', outputSize: 8, describe: (o) => `handle ${readU64(o)}` },
  { code: 'SIO_GET_INTERFACE_LIST', socket: 'udp4', outputSize: 76 * 64, describe: (o, n) => `${n / 76} interface record(s): ${Array.from({ length: n / 76 }, (_, i) => describeAddress(o.subarray(i * 76 + 4, i * 76 + 20))).join(', ')}` },
  { code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp4', outputSize: 8192, describe: describeAddressList },
  { code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp6', outputSize: 8192, describe: describeAddressList },
  { code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp4', input: () => sockaddr('127.0.0.1', 0), outputSize: SOCKADDR_IN_SIZE, describe: (o) => `to 127.0.0.1 from ${describeAddress(o)}` },
  { code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp6', input: () => sockaddr('::1', 0), outputSize: SOCKADDR_IN6_SIZE, describe: (o) => `to ::1 from ${describeAddress(o)}` },
  { code: 'SIO_GET_BROADCAST_ADDRESS', socket: 'udp4', outputSize: SOCKADDR_IN_SIZE, describe: (o) => describeAddress(o) },
  { code: 'SIO_TCP_INFO', socket: 'tcp-connected', input: () => u32(1), outputSize: 136, describe: (o) => `${TCPSTATE_NAMES[readU32(o)] ?? readU32(o)}, MSS ${readU32(o, 4)}, RTT ${readU32(o, 20)} us` },
  { code: 'SIO_IDEAL_SEND_BACKLOG_QUERY', socket: 'tcp-connected', outputSize: 4, describe: (o) => `${readU32(o)} byte(s)` },
  { code: 'SIO_ADDRESS_LIST_SORT', socket: 'udp6', input: sortInput, inPlace: true, describe: describeAddressList },
  { code: 'SIO_UDP_CONNRESET', socket: 'udp4', input: () => u32(1) },
  { code: 'SIO_UDP_NETRESET', socket: 'udp4', input: () => u32(1) },
  { code: 'SIO_LOOPBACK_FAST_PATH', socket: 'tcp-fresh', input: () => u32(0) },
  { code: 'SIO_SET_COMPATIBILITY_MODE', socket: 'tcp-fresh', input: () => Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 6]) },
  { code: 'SIO_ENABLE_CIRCULAR_QUEUEING', socket: 'udp4' },
  { code: 'SIO_MULTICAST_SCOPE', socket: 'udp4', input: () => u32(1) },
  { code: 'SIO_MULTIPOINT_LOOPBACK', socket: 'udp4', input: () => u32(1) },
  { code: 'SIO_SET_PRIORITY_HINT', socket: 'tcp-fresh', input: () => u32(2) },
  { code: 'SIO_CPU_AFFINITY', socket: 'udp4', input: () => Uint8Array.from([0, 0]) },
  { code: 'SIO_ADDRESS_LIST_CHANGE', socket: 'udp4-nonblocking', expectError: ws.WSAEWOULDBLOCK },
  { code: 'SIO_ROUTING_INTERFACE_CHANGE', socket: 'udp4-nonblocking', input: () => sockaddr('0.0.0.0', 0), expectError: ws.WSAEWOULDBLOCK },
];
