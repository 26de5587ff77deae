/**
 * Receive-side scaling queries: SIO_QUERY_RSS_PROCESSOR_INFO (which processor handles the
 * socket's traffic) and SIO_QUERY_RSS_SCALABILITY_INFO (whether RSS is on anywhere).
 *
 * SIO_QUERY_RSS_PROCESSOR_INFO (Microsoft, SIO_QUERY_RSS_PROCESSOR_INFO and
 * SOCKET_PROCESSOR_AFFINITY pages): no input; the output is a SOCKET_PROCESSOR_AFFINITY, 8 bytes:
 * PROCESSOR_NUMBER {WORD Group @0, BYTE Number @2, BYTE Reserved @3}, USHORT NumaNodeId @4,
 * USHORT Reserved @6; `*lpcbBytesReturned` = 8. TCP and UDP sockets; a socket that is not
 * connected is WSAENOTCONN ("UDP must be connected"); another protocol WSAENOPROTOOPT. An output
 * shorter than 8 bytes: the page names ERROR_INSUFFICIENT_BUFFER with the required size in
 * `*lpcbBytesReturned` — the Win32 form of STATUS_BUFFER_TOO_SMALL, which Winsock reports as
 * WSAEFAULT (as for SIO_ADDRESS_LIST_QUERY), so WSAEFAULT with 8 bytes.
 * Linux: SO_INCOMING_CPU, the processor that handled the socket's last packet; Windows groups
 * hold up to 64 processors, so Group = cpu / 64, Number = cpu % 64; the NUMA node is the one sysfs
 * lists for that processor (/sys/devices/system/cpu/cpuN/nodeM; 0 when there is none). Before any
 * packet Linux has no processor (-1): the emulation then answers the processor the caller runs on
 * (sched_getcpu), where Windows would answer its RSS indirection entry (not published:
 * remaining-codes.md §7.4) — an approximation, in the README.
 *
 * SIO_QUERY_RSS_SCALABILITY_INFO (Microsoft, Winsock IOCTLs page): output RSS_SCALABILITY_INFO,
 * one BOOLEAN, TRUE when RSS is enabled on at least one interface; a NULL output or one under 1
 * byte is WSAEINVAL. Any socket. Linux: TRUE when some interface has more than one receive queue
 * (/sys/class/net/<if>/queues/rx-*: hardware RSS) or receive packet steering configured on one
 * (a non-zero rps_cpus: RSS in software); `*lpcbBytesReturned` = 1.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { WSAEFAULT, WSAEINVAL, WSAENOPROTOOPT, WSAENOTCONN } from '../../../../errors/index.js';
import { SIO_QUERY_RSS_PROCESSOR_INFO, SIO_QUERY_RSS_SCALABILITY_INFO } from '../../../../codes/index.js';
import { SOCK_DGRAM, SOCK_STREAM } from '../../../../winsock/constants.js';
import * as libc from '../../host/libc.js';
import { L } from '../../host/libc.js';
import { LINUX_SOCKADDR_MAX } from '../../host/sockaddr.js';
import { kernelInt } from '../../host/socket-facts.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { outputAtLeast, socketType } from '../checks.js';

/** Bytes of SOCKET_PROCESSOR_AFFINITY (x64). */
const AFFINITY_SIZE = 8;

function hasPeer(fd: number): boolean {
  return libc.getpeername(fd, new Uint8Array(LINUX_SOCKADDR_MAX), new Uint32Array([LINUX_SOCKADDR_MAX])) === 0;
}

/** The NUMA node sysfs names for a processor, 0 when it names none. */
function numaNodeOf(cpu: number): number {
  try {
    for (const entry of readdirSync(`/sys/devices/system/cpu/cpu${cpu}`)) {
      const m = /^node(\d+)$/.exec(entry);
      if (m) return Number(m[1]);
    }
  } catch {
    // no sysfs for this processor: one node
  }
  return 0;
}

export const queryRssProcessorInfo: IoctlHandler = {
  name: 'SIO_QUERY_RSS_PROCESSOR_INFO',
  code: SIO_QUERY_RSS_PROCESSOR_INFO,
  checks: [socketType([SOCK_STREAM, SOCK_DGRAM], WSAENOPROTOOPT, 0), outputAtLeast(AFFINITY_SIZE, WSAEFAULT, AFFINITY_SIZE)],
  run({ sock, output }) {
    if (!hasPeer(sock.fd)) return failed(WSAENOTCONN);
    const incoming = kernelInt(sock.fd, L.SOL_SOCKET, L.SO_INCOMING_CPU) ?? -1;
    const cpu = incoming >= 0 ? incoming : Math.max(0, libc.sched_getcpu());
    const view = new DataView(output.buffer, output.byteOffset, AFFINITY_SIZE);
    view.setUint16(0, Math.floor(cpu / 64), true);
    view.setUint8(2, cpu % 64);
    view.setUint8(3, 0);
    view.setUint16(4, numaNodeOf(cpu), true);
    view.setUint16(6, 0, true);
    return done(AFFINITY_SIZE);
  },
};

/** Whether any interface spreads its receive work over processors (several RX queues, or RPS). */
export function receiveScalingEnabled(root = '/sys/class/net'): boolean {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return false;
  }
  for (const name of names) {
    let queues: string[];
    try {
      queues = readdirSync(`${root}/${name}/queues`).filter((q) => q.startsWith('rx-'));
    } catch {
      continue;
    }
    if (queues.length > 1) return true;
    for (const q of queues) {
      try {
        if (/[1-9a-f]/i.test(readFileSync(`${root}/${name}/queues/${q}/rps_cpus`, 'utf8').replace(/,/g, ''))) return true;
      } catch {
        // no RPS on this queue
      }
    }
  }
  return false;
}

export const queryRssScalabilityInfo: IoctlHandler = {
  name: 'SIO_QUERY_RSS_SCALABILITY_INFO',
  code: SIO_QUERY_RSS_SCALABILITY_INFO,
  checks: [outputAtLeast(1, WSAEINVAL, 0)],
  run({ output }) {
    output[0] = receiveScalingEnabled() ? 1 : 0;
    return done(1);
  },
};
