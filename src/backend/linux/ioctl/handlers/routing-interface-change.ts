/**
 * SIO_ROUTING_INTERFACE_CHANGE: input a destination sockaddr of the socket's family; completes
 * (0 bytes) when the local interface used to reach it changes, i.e. when the source address the
 * kernel would use for it (address-selection/kernel-source.ts, the answer
 * SIO_ROUTING_INTERFACE_QUERY gives) is no longer the one it was when the request started
 * (including becoming, or ceasing to be, unreachable). With the wildcard address (0.0.0.0 / ::)
 * any routing change of the family completes it, as the WSAIoctl page allows.
 *
 * Input rules follow what Windows does for SIO_ROUTING_INTERFACE_QUERY (Wine's
 * test_sioRoutingInterfaceQuery): missing or short input WSAEINVAL, a family other than the
 * socket's WSAEAFNOSUPPORT, *lpcbBytesReturned untouched. Modes as SIO_ADDRESS_LIST_CHANGE, with
 * FD_ROUTING_INTERFACE_CHANGE. Re-probing is done once per destination per batch of netlink
 * messages, however many requests wait on it.
 */
import { WSAEAFNOSUPPORT, WSAEINVAL } from '../../../../errors/index.js';
import { SIO_ROUTING_INTERFACE_CHANGE } from '../../../../codes/index.js';
import { FD_ROUTING_INTERFACE_CHANGE } from '../../../../winsock/constants.js';
import { AF_INET, AF_INET6, mapIPv4, sockaddrSize } from '../../../../structs/sockaddr.js';
import { kernelSourceFor } from '../../address-selection/kernel-source.js';
import { listen, type NetChange } from '../../netlink/watcher.js';
import { done, failed, UNTOUCHED, type IoctlHandler, type IoctlOutcome } from '../types.js';

export interface Destination {
  family: number;
  /** 16 bytes; IPv4 as IPv4-mapped. */
  address: Uint8Array;
  scopeId: number;
  wildcard: boolean;
  key: string;
}

/** The caller's destination sockaddr (Windows layout, the socket's family), or a Winsock error. */
export function parseDestination(input: Uint8Array, socketFamily: number): Destination | number {
  if (input.length < 2) return WSAEINVAL;
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const family = view.getUint16(0, true);
  if (family !== socketFamily || (family !== AF_INET && family !== AF_INET6)) return WSAEAFNOSUPPORT;
  if (input.length < sockaddrSize(family)) return WSAEINVAL;
  const address = family === AF_INET ? mapIPv4(input.subarray(4, 8)) : input.slice(8, 24);
  const scopeId = family === AF_INET ? 0 : view.getUint32(24, true);
  const raw = family === AF_INET ? address.subarray(12) : address;
  const wildcard = raw.every((b) => b === 0);
  return { family, address, scopeId, wildcard, key: `${Buffer.from(address).toString('hex')}%${scopeId}` };
}

/**
 * What the kernel says for a destination now: the source address and its zone (hex%zone), or the
 * errno. Exported (with parseDestination) for test/source-agreement.test.ts.
 */
export function probe(dest: Destination): string {
  const result = kernelSourceFor(dest.address, dest.scopeId);
  return result.ok ? `${Buffer.from(result.source).toString('hex')}%${result.sourceScopeId}` : `errno ${result.errno}`;
}

/** One probe per destination per batch of changes (the batch array is the cache key). */
let cacheBatch: readonly NetChange[] | null = null;
const cache = new Map<string, string>();

function probeInBatch(dest: Destination, batch: readonly NetChange[]): string {
  if (cacheBatch !== batch) {
    cacheBatch = batch;
    cache.clear();
  }
  let answer = cache.get(dest.key);
  if (answer === undefined) cache.set(dest.key, (answer = probe(dest)));
  return answer;
}

export const routingInterfaceChange: IoctlHandler = {
  name: 'SIO_ROUTING_INTERFACE_CHANGE',
  code: SIO_ROUTING_INTERFACE_CHANGE,
  // The checks depend on the destination's own family, so the body makes them.
  checks: [],
  run({ sock, input, inputIsNull }): IoctlOutcome {
    // *lpcbBytesReturned stays untouched on these input errors (an explicit `bytes: undefined`;
    // failed()'s default would write 0).
    if (inputIsNull) return failed(WSAEINVAL, UNTOUCHED);
    const dest = parseDestination(input, sock.af);
    if (typeof dest === 'number') return failed(dest, UNTOUCHED);
    const before = dest.wildcard ? '' : probe(dest);
    let changed = false;
    return {
      wait: {
        networkEvent: FD_ROUTING_INTERFACE_CHANGE,
        check: () => (changed ? done(0) : null),
        subscribe(wake) {
          return listen((changes) => {
            if (changed) return;
            const relevant = changes.some((c) =>
              c.kind === 'overrun' || c.kind === 'link' || ((c.kind === 'route' || c.kind === 'address') && c.family === dest.family));
            if (!relevant) return;
            if (dest.wildcard) {
              changed = changes.some((c) => c.kind === 'overrun' || (c.kind === 'route' && c.family === dest.family));
            } else {
              changed = probeInBatch(dest, changes) !== before;
            }
            if (changed) wake();
          });
        },
      },
    };
  },
};
