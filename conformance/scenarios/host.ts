/**
 * Host queries and change notifications: SIO_GET_INTERFACE_LIST, SIO_ADDRESS_LIST_QUERY,
 * SIO_ROUTING_INTERFACE_QUERY, SIO_ADDRESS_LIST_SORT, SIO_ADDRESS_LIST_CHANGE,
 * SIO_ROUTING_INTERFACE_CHANGE. Host-dependent answers (which interfaces, how many addresses) are
 * reduced to facts that hold on any host: well-formed, loopback listed or left out as Windows does.
 * Destinations are loopback only; nothing is sent.
 */
import type { Context, Observation, Scenario, Value } from '../lib/types.js';
import { NEEDS, expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { COMPLETION_WAIT_MS, callText, inMode, plain } from '../lib/call.js';
import { KEY, SENTINEL, addressOf, errName, overlapped, readI32, readU32, readU64, refValue, stable, statusOf, u32, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const HANDLERS = 'src/backend/linux/ioctl/handlers';
const cited = (test: string, file: string) => `${test} (as summarised in ${HANDLERS}/${file}; not re-read for this suite)`;

const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

// --- SIO_GET_INTERFACE_LIST ----------------------------------------------------------------

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x4;

function ipv4At(b: Uint8Array, at: number): string {
  return `${b[at + 4]}.${b[at + 5]}.${b[at + 6]}.${b[at + 7]}`;
}

/** INTERFACE_INFO records (76 bytes): well-formed, and the loopback interface as Windows lists it. */
function describeInterfaces(out: Uint8Array, bytes: number): Value {
  const count = bytes / 76;
  const records = Array.from({ length: Number.isInteger(count) ? count : 0 }, (_, i) => {
    const at = i * 76;
    return { flags: readU32(out, at), family: out[at + 4]! | (out[at + 5]! << 8), address: ipv4At(out, at + 4), netmask: ipv4At(out, at + 52) };
  });
  const loopback = records.find((r) => r.address === '127.0.0.1');
  return {
    wellFormed: Number.isInteger(count) && count > 0 && records.every((r) => r.family === ws.AF_INET),
    loopback: loopback
      ? { up: (loopback.flags & IFF_UP) !== 0, loopbackFlag: (loopback.flags & IFF_LOOPBACK) !== 0, netmask: loopback.netmask }
      : 'not listed',
  };
}

const interfaceCases: CodeCase[] = [
  {
    id: 'SIO_GET_INTERFACE_LIST.udp', code: 'SIO_GET_INTERFACE_LIST', socket: 'udp-fresh',
    title: 'an IPv4 UDP socket: INTERFACE_INFO records, loopback listed with IFF_UP | IFF_LOOPBACK',
    spec: () => ({ code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64, bytesAs: (n) => (n > 0 && n % 76 === 0 ? 'a multiple of 76' : n) }),
    describe: describeInterfaces,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 'a multiple of 76', out: { wellFormed: true, loopback: { up: true, loopbackFlag: true, netmask: '255.0.0.0' } } },
    basis: 'measured', source: cited(SRC.interfaceList, 'interface-list.ts'),
  },
  {
    id: 'SIO_GET_INTERFACE_LIST.tcp', code: 'SIO_GET_INTERFACE_LIST', socket: 'tcp-fresh',
    title: 'an IPv4 TCP socket works too',
    spec: () => ({ code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64, bytesAs: (n) => (n > 0 && n % 76 === 0 ? 'a multiple of 76' : n) }),
    describe: describeInterfaces,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 'a multiple of 76', out: { wellFormed: true, loopback: { up: true, loopbackFlag: true, netmask: '255.0.0.0' } } },
    basis: 'measured', source: cited(SRC.interfaceList, 'interface-list.ts'),
  },
  {
    id: 'SIO_GET_INTERFACE_LIST.udp6', code: 'SIO_GET_INTERFACE_LIST', socket: 'udp6-fresh',
    title: 'an IPv6 socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64, bytesAs: (n) => (n > 0 && n % 76 === 0 ? 'a multiple of 76' : n) }),
    describe: describeInterfaces,
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.ioctlsPage} (not an IPPROTO_IP-level socket); bytes 0 inferred`,
  },
  {
    id: 'SIO_GET_INTERFACE_LIST.out-75', code: 'SIO_GET_INTERFACE_LIST', socket: 'udp-fresh',
    title: 'an output too small for one record: WSAEFAULT, 0 bytes, nothing written',
    spec: () => ({ code: ws.SIO_GET_INTERFACE_LIST, output: 75, bytesAs: (n) => (n > 0 && n % 76 === 0 ? 'a multiple of 76' : n) }),
    describe: describeInterfaces,
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 0, out: 'untouched' },
    basis: 'measured', source: cited(SRC.interfaceList, 'interface-list.ts'),
  },
];

/** Overlapped SIO_GET_INTERFACE_LIST pends, then completes with the list's size as its information. */
function interfaceListOverlapped(mode: 'overlapped+port' | 'overlapped+event' | 'completion-routine'): Scenario {
  const listed = { wellFormed: true, loopback: { up: true, loopbackFlag: true, netmask: '255.0.0.0' } };
  const base = { rc: -1, error: 'WSA_IO_PENDING', bytes: 'untouched', out: listed };
  const expected: Record<typeof mode, Observation> = {
    'overlapped+port': { ...base, internal: 'STATUS_SUCCESS', information: 'the list size', packet: { ok: true, error: 'NO_ERROR', bytes: 'the list size', key: KEY, same: true } },
    'overlapped+event': { ...base, internal: 'STATUS_SUCCESS', information: 'the list size', signaled: 'signaled', result: { ok: true, transfer: 'the list size', flags: 0 } },
    'completion-routine': { ...base, beforeWait: 0, sleep: 'WAIT_IO_COMPLETION', routine: { dwError: 'NO_ERROR', cbTransferred: 'the list size', same: true, dwFlags: 0 } },
  };
  return {
    id: `SIO_GET_INTERFACE_LIST.udp.${mode}`, code: 'SIO_GET_INTERFACE_LIST',
    title: 'overlapped: pends (WSA_IO_PENDING, *lpcbBytesReturned untouched), then completes with the list size',
    mode, sockets: ['udp-fresh'], needs: NEEDS[mode],
    call: callText('SIO_GET_INTERFACE_LIST', { code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64 }, mode),
    expected: expected[mode],
    basis: mode === 'overlapped+port' ? 'measured' : 'inferred',
    source: `${cited(SRC.interfaceList, 'interface-list.ts')}${mode === 'overlapped+port' ? '' : '; this mode inferred from the port one'}`,
    run(ctx) {
      const size = plain(ctx.udp(), { code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64 }).bytes;
      const obs = inMode(mode, ctx, ctx.udp(), { code: ws.SIO_GET_INTERFACE_LIST, output: 76 * 64 }, describeInterfaces);
      return renameSize(obs, size!);
    },
  };
}

/** Replaces `size` by 'the list size' wherever a completion reports it (it is host-dependent). */
function renameSize(value: Observation, size: Value): Observation {
  const walk = (v: Value): Value => {
    if (v === size) return 'the list size';
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'out' ? x : walk(x)]));
    return v;
  };
  return walk(value) as Observation;
}

// --- SIO_ADDRESS_LIST_QUERY ----------------------------------------------------------------

/** A SOCKET_ADDRESS_LIST written by Winsock into `out` (pointers into `out` itself). */
function describeAddressList(family: number) {
  return (out: Uint8Array, bytes: number): Value => {
    const base = addressOf(out);
    const count = readI32(out, 0);
    let end = 8 + 16 * count;
    const addresses: string[] = [];
    for (let i = 0; i < count; i++) {
      const pointer = readU64(out, 8 + 16 * i);
      const length = readI32(out, 8 + 16 * i + 8);
      const offset = Number(pointer - base);
      if (offset < 0 || offset + length > out.length) return `entry ${i} points outside the buffer`;
      const sa = ws.parseSockaddr(out.subarray(offset, offset + length));
      if (sa.family !== family) return `entry ${i} has family ${sa.family}`;
      addresses.push(sa.address);
      end = Math.max(end, offset + length);
    }
    return {
      consistent: count >= 0 && (bytes === end || bytes === ((end + 7) & ~7)),
      loopbackLeftOut: !addresses.some((a) => a.startsWith('127.') || a === '::1'),
    };
  };
}

/** A list's size is host-dependent: the describer checks it against the list itself. */
const listSize = (n: number): Value => (n >= 8 ? 'the list size' : n);

const addressQueryCases: CodeCase[] = [
  {
    id: 'SIO_ADDRESS_LIST_QUERY.udp', code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp-fresh',
    title: 'IPv4: a consistent SOCKET_ADDRESS_LIST without loopback addresses',
    spec: () => ({ code: ws.SIO_ADDRESS_LIST_QUERY, output: 8192, bytesAs: listSize }),
    describe: describeAddressList(ws.AF_INET),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 'the list size', out: { consistent: true, loopbackLeftOut: true } },
    basis: 'measured', source: cited(SRC.addressListQuery, 'address-list-query.ts'),
    overlapped: { ...immediateInferred, basis: 'measured', source: cited(SRC.addressListQuery, 'address-list-query.ts') },
  },
  {
    id: 'SIO_ADDRESS_LIST_QUERY.udp6', code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp6-fresh',
    title: 'IPv6: a consistent SOCKET_ADDRESS_LIST without ::1',
    spec: () => ({ code: ws.SIO_ADDRESS_LIST_QUERY, output: 8192, bytesAs: listSize }),
    describe: describeAddressList(ws.AF_INET6),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 'the list size', out: { consistent: true, loopbackLeftOut: true } },
    basis: 'measured', source: cited(SRC.addressListQuery, 'address-list-query.ts'),
  },
  {
    id: 'SIO_ADDRESS_LIST_QUERY.out-1', code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp-fresh',
    title: 'cbOutBuffer 1 (below the header): WSAEINVAL, 0 bytes',
    spec: () => ({ code: ws.SIO_ADDRESS_LIST_QUERY, output: 1 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'measured', source: cited(SRC.addressListQuery, 'address-list-query.ts'),
  },
  {
    id: 'SIO_ADDRESS_LIST_QUERY.cbIn-4', code: 'SIO_ADDRESS_LIST_QUERY', socket: 'udp-fresh',
    title: 'a non-zero cbInBuffer: WSAEINVAL',
    spec: () => ({ code: ws.SIO_ADDRESS_LIST_QUERY, input: u32(0), output: 8192, bytesAs: listSize }),
    describe: describeAddressList(ws.AF_INET),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.sioPage('SIO_ADDRESS_LIST_QUERY')}; bytes 0 inferred`,
  },
];

/** NULL output, cbOutBuffer 0: the required size, which a full query then confirms. */
const sizeProbe: Scenario = {
  id: 'SIO_ADDRESS_LIST_QUERY.size-probe', code: 'SIO_ADDRESS_LIST_QUERY',
  title: 'NULL output, cbOutBuffer 0: WSAEFAULT with the required size in *lpcbBytesReturned',
  mode: 'plain', sockets: ['udp-fresh'],
  call: 'WSAIoctl(s, SIO_ADDRESS_LIST_QUERY, NULL, 0, NULL, 0, &bytes, NULL, NULL); then with out[bytes]',
  expected: { probe: { rc: -1, error: 'WSAEFAULT', bytes: 'the size the full query returns' }, query: { rc: 0, error: 'NO_ERROR' } },
  basis: 'measured', source: cited(SRC.addressListQuery, 'address-list-query.ts'),
  run(ctx) {
    const s = ctx.udp();
    const probe = plain(s, { code: ws.SIO_ADDRESS_LIST_QUERY });
    const size = typeof probe.bytes === 'number' ? probe.bytes : 0;
    const query = plain(s, { code: ws.SIO_ADDRESS_LIST_QUERY, output: Math.max(size, 8) });
    return {
      probe: { rc: probe.rc!, error: probe.error!, bytes: probe.bytes === query.bytes ? 'the size the full query returns' : probe.bytes! },
      query: { rc: query.rc!, error: query.error! },
    };
  },
};

// --- SIO_ROUTING_INTERFACE_QUERY -----------------------------------------------------------

/** The source address: loopback ones by name, any other as 'a non-loopback address' (host-dependent). */
const describeSockaddr = (out: Uint8Array): string => {
  const a = ws.parseSockaddr(out);
  const loopback = a.address === '127.0.0.1' || a.address === '::1';
  return loopback ? `${a.family === ws.AF_INET6 ? `[${a.address}]` : a.address}:${a.port}` : `a non-loopback address (family ${a.family})`;
};

const routingCases: CodeCase[] = [
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.loopback4', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'to 127.0.0.1: from 127.0.0.1, 16 bytes',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('127.0.0.1', 80), output: 16 }), describe: describeSockaddr,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 16, out: '127.0.0.1:0' },
    basis: 'measured', source: `${SRC.routingQuery} (result and size measured; the source address 127.0.0.1 is what the test says Windows gives but does not check)`,
    overlapped: { ...immediateInferred, basis: 'measured', source: `${SRC.routingQuery} (port and routine; event inferred)` },
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.loopback6', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp6-fresh',
    title: 'to ::1 on an IPv6 socket: from ::1, 28 bytes',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('::1', 80), output: 28 }), describe: describeSockaddr,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 28, out: '[::1]:0' },
    basis: 'inferred', source: `the IPv4 rule (${SRC.routingQuery}) with SOCKADDR_IN6`,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.in-8', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'an input shorter than a SOCKADDR_IN: WSAEINVAL, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('127.0.0.1', 80).subarray(0, 8), output: 16 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.af-unspec', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'a destination of family AF_UNSPEC: WSAEAFNOSUPPORT, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: new Uint8Array(16), output: 16 }),
    expected: { rc: -1, error: 'WSAEAFNOSUPPORT', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.any', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'to 0.0.0.0: WSAEINVAL, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('0.0.0.0', 0), output: 16 }), describe: describeSockaddr,
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.null-input', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'a NULL input with cbInBuffer 16: WSAEINVAL, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: null, cbIn: 16, output: 16 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.null-output', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'a NULL output with cbOutBuffer 16: WSAEFAULT, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('127.0.0.1', 80), output: null, cbOut: 16 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
  {
    id: 'SIO_ROUTING_INTERFACE_QUERY.out-8', code: 'SIO_ROUTING_INTERFACE_QUERY', socket: 'udp-fresh',
    title: 'cbOutBuffer 8: WSAEFAULT with the required size (16) in *lpcbBytesReturned',
    spec: () => ({ code: ws.SIO_ROUTING_INTERFACE_QUERY, input: ws.sockaddr('127.0.0.1', 80), output: 8 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 16, out: 'untouched' },
    basis: 'measured', source: SRC.routingQuery,
  },
];

// --- SIO_ADDRESS_LIST_SORT -----------------------------------------------------------------

/** A SOCKET_ADDRESS_LIST of these IPv6 destinations, pointers into the buffer itself. */
function sortList(addresses: readonly string[]): Uint8Array {
  const sockaddrs = addresses.map((a) => ws.sockaddr(a, 0));
  const buf = stable(new Uint8Array(ws.socketAddressListSize(sockaddrs)));
  ws.encodeSocketAddressList(sockaddrs, buf, addressOf(buf));
  return buf;
}

/** The order of a sorted list whose entries point into `buf` (as Windows leaves them). */
function describeSorted(buf: Uint8Array, bytes: number): Value {
  const base = addressOf(buf);
  const count = readI32(buf, 0);
  const order: string[] = [];
  for (let i = 0; i < count && i < 16; i++) {
    const offset = Number(readU64(buf, 8 + 16 * i) - base);
    const length = readI32(buf, 8 + 16 * i + 8);
    if (offset < 0 || offset + length > buf.length) return `entry ${i} points outside the list`;
    order.push(ws.parseSockaddr(buf.subarray(offset, offset + length)).address);
  }
  return { count, order, bytesCoverEntries: bytes === 8 + 16 * count };
}

const SORT_INPUT = ['::ffff:127.0.0.1', '::1'];

const sortCases: CodeCase[] = [
  {
    id: 'SIO_ADDRESS_LIST_SORT.loopback', code: 'SIO_ADDRESS_LIST_SORT', socket: 'udp6-fresh',
    title: 'sort [::ffff:127.0.0.1, ::1] in place (output = header + entries): ::1 first (RFC 6724 precedence)',
    spec: () => {
      const list = sortList(SORT_INPUT);
      return { code: ws.SIO_ADDRESS_LIST_SORT, input: list, inPlace: true, cbOut: 8 + 16 * SORT_INPUT.length };
    },
    describe: describeSorted,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 40, out: { count: 2, order: ['::1', '::ffff:127.0.0.1'], bytesCoverEntries: true } },
    basis: 'inferred', source: `"Using SIO_ADDRESS_LIST_SORT" page (in-place use, IPv4 as v4-mapped); order by RFC 6724 rule 6 with Windows' default prefix policies (::1 precedence 50 > ::ffff:0:0/96 35)`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_ADDRESS_LIST_SORT.udp4', code: 'SIO_ADDRESS_LIST_SORT', socket: 'udp-fresh',
    title: 'on an IPv4 socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_ADDRESS_LIST_SORT, input: sortList(SORT_INPUT), inPlace: true }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `"Using SIO_ADDRESS_LIST_SORT" page (an AF_INET6 socket is required)`,
  },
];

// --- change notifications ------------------------------------------------------------------

const NOTIFY: Array<[string, number, (() => Uint8Array) | null, string]> = [
  ['SIO_ADDRESS_LIST_CHANGE', ws.SIO_ADDRESS_LIST_CHANGE, null, 'FD_ADDRESS_LIST_CHANGE'],
  ['SIO_ROUTING_INTERFACE_CHANGE', ws.SIO_ROUTING_INTERFACE_CHANGE, () => ws.sockaddr('127.0.0.1', 0), 'FD_ROUTING_INTERFACE_CHANGE'],
];

const notifyCases: CodeCase[] = NOTIFY.map(([name, code, input, event]): CodeCase => ({
  id: `${name}.nonblocking`, code: name, socket: 'udp-nonblocking',
  title: 'a non-blocking socket, no lpOverlapped: WSAEWOULDBLOCK at once',
  spec: () => ({ code, input: input?.() ?? null }),
  expected: { rc: -1, error: 'WSAEWOULDBLOCK' },
  basis: name === 'SIO_ADDRESS_LIST_CHANGE' ? 'measured' : 'documented',
  source: `${name === 'SIO_ADDRESS_LIST_CHANGE' ? SRC.addressListChange : SRC.wsaioctlPage} (non-blocking mode, then the ${event} event); *lpcbBytesReturned not compared: not measured, and Wine (untouched) and the emulation (0) differ`,
  unobserved: ['bytes'],
}));

type OverlappedMode = 'overlapped+port' | 'overlapped+event' | 'completion-routine';

/**
 * An overlapped request that pends until something changes (nothing does here, on loopback), then
 * is cancelled by closesocket: STATUS_CANCELLED, ERROR_OPERATION_ABORTED / WSA_OPERATION_ABORTED.
 */
export function pendingUntilClosed(
  name: string, code: number, input: (() => Uint8Array) | null, mode: OverlappedMode, make: (ctx: Context) => number,
  basis: Scenario['basis'], source: string, socket: Scenario['sockets'][number] = 'udp-fresh',
): Scenario {
  const begin = { rc: -1, error: 'WSA_IO_PENDING', bytes: 'untouched', pending: 'STATUS_PENDING' };
  const expected: Record<OverlappedMode, Observation> = {
    'overlapped+port': { ...begin, beforeClose: 'none', afterClose: { ok: false, error: 'WSA_OPERATION_ABORTED', bytes: 0, key: KEY, same: true }, internal: 'STATUS_CANCELLED' },
    'overlapped+event': { ...begin, beforeClose: { signaled: 'not signaled', result: { ok: false, error: 'WSA_IO_INCOMPLETE' } }, afterClose: { signaled: 'signaled' }, internal: 'STATUS_CANCELLED' },
    'completion-routine': { ...begin, beforeClose: { sleep: 0, routine: 'not called' }, afterClose: { sleep: 'WAIT_IO_COMPLETION', routine: { dwError: 'WSA_OPERATION_ABORTED', cbTransferred: 0, same: true, dwFlags: 0 } }, internal: 'STATUS_CANCELLED' },
  };
  return {
    id: `${name}.${mode}`, code: name,
    title: 'overlapped: pends (nothing changes on loopback); closesocket cancels it',
    mode, sockets: [socket], needs: NEEDS[mode],
    call: `${callText(name, { code, input: input?.() ?? null }, mode)}; closesocket(s)`,
    expected: expected[mode], basis, source,
    run(ctx: Context) {
      const s = make(ctx);
      const port = mode === 'overlapped+port' ? ctx.port(s, KEY) : 0;
      const event = mode === 'overlapped+event' ? ctx.event() : 0;
      const ov = overlapped(event);
      const calls: Observation[] = [];
      const routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null = mode === 'completion-routine'
        ? (dwError, cbTransferred, lpOverlapped, dwFlags) => { calls.push({ dwError: errName(dwError), cbTransferred, same: lpOverlapped === ov, dwFlags }); }
        : null;
      const bytes = { value: SENTINEL };
      const data = input?.() ?? null;
      ws.WSASetLastError(SENTINEL);
      const rc = ws.WSAIoctl(s, code, data, data?.length ?? 0, null, 0, bytes, ov, routine);
      const error = errName(ws.WSAGetLastError());
      const pending = statusOf(ov.Internal);
      const take = (ms: number): Value => {
        const n = { value: SENTINEL };
        const key = { value: SENTINEL };
        const which: ws.Ref<ws.WSAOVERLAPPED | null> = { value: null };
        ws.SetLastError(SENTINEL);
        const ok = ws.GetQueuedCompletionStatus(port, n, key, which, ms);
        return which.value === null ? 'none' : { ok, error: ok ? 'NO_ERROR' : errName(ws.GetLastError()), bytes: refValue(n), key: refValue(key), same: which.value === ov };
      };
      const waitEvent = (ms: number): string => (ws.WSAWaitForMultipleEvents(1, [event], false, ms, false) === ws.WSA_WAIT_EVENT_0 ? 'signaled' : 'not signaled');
      const sleep = (ms: number): Value => { const r = ws.SleepEx(ms, true); return r === ws.WAIT_IO_COMPLETION ? 'WAIT_IO_COMPLETION' : r; };
      const routineSeen = (): Value => (calls.length === 0 ? 'not called' : calls.length === 1 ? calls[0]! : `${calls.length} calls`);
      let beforeClose: Value;
      if (mode === 'overlapped+port') beforeClose = take(100);
      else if (mode === 'overlapped+event') {
        const signaled = waitEvent(100);
        ws.WSASetLastError(SENTINEL);
        const ok = ws.WSAGetOverlappedResult(s, ov, { value: SENTINEL }, false, { value: SENTINEL });
        beforeClose = { signaled, result: ok ? { ok } : { ok, error: errName(ws.WSAGetLastError()) } };
      } else beforeClose = { sleep: sleep(100), routine: routineSeen() };
      ctx.closeNow(s);
      let afterClose: Value;
      if (mode === 'overlapped+port') afterClose = take(COMPLETION_WAIT_MS);
      else if (mode === 'overlapped+event') afterClose = { signaled: waitEvent(COMPLETION_WAIT_MS) };
      else afterClose = { sleep: sleep(COMPLETION_WAIT_MS), routine: routineSeen() };
      return { rc, error, bytes: refValue(bytes), pending, beforeClose, afterClose, internal: statusOf(ov.Internal) };
    },
  };
}

const OVERLAPPED_MODES: readonly OverlappedMode[] = ['overlapped+port', 'overlapped+event', 'completion-routine'];

const notifyPending: Scenario[] = NOTIFY.flatMap(([name, code, input]) => OVERLAPPED_MODES.map((mode) => pendingUntilClosed(
  name, code, input, mode, (ctx) => ctx.udp(),
  mode === 'overlapped+port' && name === 'SIO_ADDRESS_LIST_CHANGE' ? 'measured' : 'inferred',
  `${SRC.addressListChange} (port: pending, no packet, ERROR_OPERATION_ABORTED for the same WSAOVERLAPPED after closesocket); Internal STATUS_CANCELLED as for AcceptEx cancelled by closesocket (test_completion_port); other modes and SIO_ROUTING_INTERFACE_CHANGE inferred from it`,
)));

export const host: Scenario[] = [
  ...interfaceCases.flatMap(expand),
  ...(['overlapped+port', 'overlapped+event', 'completion-routine'] as const).map(interfaceListOverlapped),
  ...addressQueryCases.flatMap(expand),
  sizeProbe,
  ...routingCases.flatMap(expand),
  ...sortCases.flatMap(expand),
  ...notifyCases.flatMap(expand),
  ...notifyPending,
];
