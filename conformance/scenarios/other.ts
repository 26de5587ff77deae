/**
 * Beyond WSAIoctl: WSAStartup's version negotiation and recvfrom's fromlen rule (both have known
 * Wine differences to keep honest), and SIO_GET_EXTENSION_FUNCTION_POINTER itself (the functions it
 * hands out: extension-functions.ts).
 */
import type { Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase } from '../lib/cases.js';
import { GUARD, SENTINEL, errName, portOf, readU64, untouched, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

function startup(version: number, label: string, expected: Observation, source: string = SRC.startup): Scenario {
  return {
    id: `WSAStartup.${label}`,
    title: `WSAStartup(${label}): the result and the WSADATA it fills`,
    mode: 'other', sockets: ['none'],
    call: `WSAStartup(MAKEWORD(${version & 0xff}, ${version >> 8}), &data); WSACleanup() when it succeeded`,
    expected,
    basis: 'measured', source,
    run() {
      const data = ws.newWSADATA();
      const rc = ws.WSAStartup(version, data);
      if (rc === 0) ws.WSACleanup();
      return {
        rc: rc === 0 ? 0 : errName(rc),
        wVersion: `0x${data.wVersion.toString(16).padStart(4, '0')}`,
        wHighVersion: `0x${data.wHighVersion.toString(16).padStart(4, '0')}`,
        szDescription: data.szDescription,
        szSystemStatus: data.szSystemStatus,
        iMaxSockets: data.iMaxSockets,
        iMaxUdpDg: data.iMaxUdpDg,
      };
    },
  };
}

const WSADATA_22 = { wHighVersion: '0x0202', szDescription: 'WinSock 2.0', szSystemStatus: 'Running' };

const startups: Scenario[] = [
  startup(0x0202, '2.2', { rc: 0, wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }),
  startup(0x0101, '1.1', { rc: 0, wVersion: '0x0101', ...WSADATA_22, iMaxSockets: 32767, iMaxUdpDg: 65467 }),
  startup(0x0302, '2.3', { rc: 0, wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }),
  startup(0x0000, '0.0', { rc: 'WSAVERNOTSUPPORTED', wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }),
  // ReactOS WSAStartup.c's version table: 1.0 as asked, 1.x above 1.1 gets 1.1, 3.x gets 2.2, 0.x fails.
  startup(0x0001, '1.0', { rc: 0, wVersion: '0x0001', ...WSADATA_22, iMaxSockets: 32767, iMaxUdpDg: 65467 }, SRC.startupReactos),
  startup(0x0201, '1.2', { rc: 0, wVersion: '0x0101', ...WSADATA_22, iMaxSockets: 32767, iMaxUdpDg: 65467 }, SRC.startupReactos),
  startup(0xff01, '1.255', { rc: 0, wVersion: '0x0101', ...WSADATA_22, iMaxSockets: 32767, iMaxUdpDg: 65467 }, SRC.startupReactos),
  startup(0x0102, '2.1', { rc: 0, wVersion: '0x0102', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }, SRC.startupReactos),
  startup(0x0003, '3.0', { rc: 0, wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }, SRC.startupReactos),
  startup(0xffff, '255.255', { rc: 0, wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }, SRC.startupReactos),
  startup(0x0900, '0.9', { rc: 'WSAVERNOTSUPPORTED', wVersion: '0x0202', ...WSADATA_22, iMaxSockets: 0, iMaxUdpDg: 0 }, SRC.startupReactos),
  {
    id: 'WSAStartup.null-data',
    title: 'WSAStartup(2.2, NULL): WSAEFAULT',
    mode: 'other', sockets: ['none'], call: 'WSAStartup(MAKEWORD(2, 2), NULL)',
    expected: { rc: 'WSAEFAULT' },
    basis: 'measured', source: SRC.startup,
    run() {
      const rc = ws.WSAStartup(0x0202, null);
      if (rc === 0) ws.WSACleanup();
      return { rc: rc === 0 ? 0 : errName(rc) };
    },
  },
];

const recvfromSmall: Scenario = {
  id: 'recvfrom.fromlen-too-small',
  title: 'recvfrom with a fromlen too small for the sender\'s address: WSAEFAULT, nothing written',
  mode: 'other', sockets: ['udp-queued'],
  call: 'recvfrom(s, buf[16], 16, 0, from[128], &fromlen=1)',
  expected: { rc: -1, error: 'WSAEFAULT', buf: 'untouched', from: 'untouched' },
  basis: 'documented', source: SRC.recvfromPage,
  run(ctx): Observation {
    const s = ctx.udpQueued([16]);
    const buf = new Uint8Array(16).fill(GUARD);
    const from = new Uint8Array(128).fill(GUARD);
    const fromlen = { value: 1 };
    ws.WSASetLastError(SENTINEL);
    const rc = ws.recvfrom(s, buf, 16, 0, from, fromlen);
    const error = errName(ws.WSAGetLastError());
    return rc === -1
      ? { rc, error, buf: untouched(buf) ? 'untouched' : 'written', from: untouched(from) ? 'untouched' : 'written' }
      : { rc, fromlen: fromlen.value, buf: untouched(buf) ? 'untouched' : 'written', from: untouched(from) ? 'untouched' : 'written' };
  },
};

const recvfromFits: Scenario = {
  id: 'recvfrom.fromlen-large',
  title: 'recvfrom with a large fromlen: the datagram, fromlen set to sizeof(SOCKADDR_IN)',
  mode: 'other', sockets: ['udp-queued'],
  call: 'recvfrom(s, buf[16], 16, 0, from[128], &fromlen=128)',
  expected: { rc: 16, fromlen: 16, fromIsLoopback: true },
  basis: 'documented', source: 'recvfrom reference page',
  run(ctx) {
    const s = ctx.udpQueued([16]);
    const from = new Uint8Array(128);
    const fromlen = { value: 128 };
    const rc = ws.recvfrom(s, new Uint8Array(16), 16, 0, from, fromlen);
    return { rc, fromlen: fromlen.value, fromIsLoopback: ws.parseSockaddr(from).address === '127.0.0.1' && portOf(s) !== 0 };
  },
};

const ACCEPTEX = () => ws.encodeGuid(ws.WSAID_ACCEPTEX);
const extensionCases: CodeCase[] = [
  {
    id: 'SIO_GET_EXTENSION_FUNCTION_POINTER.acceptex', code: 'SIO_GET_EXTENSION_FUNCTION_POINTER', socket: 'tcp-fresh',
    title: 'WSAID_ACCEPTEX: a function pointer, 8 bytes',
    spec: () => ({ code: ws.SIO_GET_EXTENSION_FUNCTION_POINTER, input: ACCEPTEX(), output: 8 }),
    describe: (out) => (readU64(out) !== 0n ? 'a pointer' : 'NULL'),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 8, out: 'a pointer' },
    basis: 'measured', source: SRC.extension,
    overlapped: { kind: 'immediate', basis: 'measured', source: `${SRC.extension} (port and routine; event inferred)` },
  },
  {
    id: 'SIO_GET_EXTENSION_FUNCTION_POINTER.bogus-guid', code: 'SIO_GET_EXTENSION_FUNCTION_POINTER', socket: 'tcp-fresh',
    title: 'an unknown GUID: WSAEINVAL, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.SIO_GET_EXTENSION_FUNCTION_POINTER, input: ws.encodeGuid('{deadbeef-0000-0000-0000-000000000000}'), output: 8 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: `${SRC.extension} (overlapped: bytes and Internal untouched, no packet); plain bytes inferred from it`,
    overlapped: { kind: 'fails-early', basis: 'measured', source: `${SRC.extension} (port; event and routine inferred)`, internal: 'untouched' },
  },
];

export const other: Scenario[] = [...startups, recvfromSmall, recvfromFits, ...extensionCases.flatMap(expand)];


