/**
 * The dispatch table: control code -> handler module. Adding a code is one handler file and one
 * line here.
 */
import type { IoctlHandler } from './types.js';
import { fionbio } from './handlers/fionbio.js';
import { fionread } from './handlers/fionread.js';
import { siocatmark } from './handlers/siocatmark.js';
import { keepaliveVals } from './handlers/keepalive-vals.js';
import { baseHandle, bspHandle, bspHandlePoll, bspHandleSelect } from './handlers/base-handle.js';
import { tcpInfo } from './handlers/tcp-info.js';
import { idealSendBacklogQuery } from './handlers/ideal-send-backlog-query.js';
import { udpConnReset, udpNetReset } from './handlers/udp-reset.js';
import { addressListSort } from './handlers/address-list-sort.js';
import { loopbackFastPath } from './handlers/loopback-fast-path.js';
import { setCompatibilityMode } from './handlers/compatibility-mode.js';
import { enableCircularQueueing } from './handlers/circular-queueing.js';
import { multicastScope, multipointLoopback } from './handlers/multicast.js';
import { setPriorityHint } from './handlers/priority-hint.js';
import { cpuAffinity } from './handlers/cpu-affinity.js';
import { getInterfaceList } from './handlers/interface-list.js';
import { addressListQuery } from './handlers/address-list-query.js';
import { getBroadcastAddress } from './handlers/broadcast-address.js';
import { routingInterfaceQuery } from './handlers/routing-interface-query.js';
import { addressListChange } from './handlers/address-list-change.js';
import { routingInterfaceChange } from './handlers/routing-interface-change.js';
import { idealSendBacklogChange } from './handlers/ideal-send-backlog-change.js';
import { extensionFunctionPointer } from './handlers/extension-function-pointer.js';
import { queryRssProcessorInfo, queryRssScalabilityInfo } from './handlers/rss.js';
import { acquirePortReservation, associatePortReservation, releasePortReservation } from './handlers/port-reservation.js';
import { tcpInitialRto } from './handlers/tcp-initial-rto.js';
import { afUnixGetPeerPid } from './handlers/af-unix-peer-pid.js';
import { getMsFilter, getMulticastFilter, setMsFilter, setMulticastFilter } from './handlers/multicast-filter.js';
import { rcvall, rcvallIf, rcvallIgmpMulticast, rcvallMulticast, rcvallMulticastIf } from './handlers/rcvall.js';
import { getTxTimestamp, timestamping } from './handlers/timestamping.js';

const handlers: IoctlHandler[] = [
  addressListChange,
  routingInterfaceChange,
  idealSendBacklogChange,
  fionbio,
  fionread,
  siocatmark,
  keepaliveVals,
  baseHandle,
  bspHandle,
  bspHandleSelect,
  bspHandlePoll,
  tcpInfo,
  idealSendBacklogQuery,
  udpConnReset,
  udpNetReset,
  addressListSort,
  loopbackFastPath,
  setCompatibilityMode,
  enableCircularQueueing,
  multicastScope,
  multipointLoopback,
  setPriorityHint,
  cpuAffinity,
  getInterfaceList,
  addressListQuery,
  getBroadcastAddress,
  routingInterfaceQuery,
  extensionFunctionPointer,
  getMulticastFilter,
  setMulticastFilter,
  getMsFilter,
  setMsFilter,
  queryRssProcessorInfo,
  queryRssScalabilityInfo,
  acquirePortReservation,
  releasePortReservation,
  associatePortReservation,
  tcpInitialRto,
  afUnixGetPeerPid,
  rcvall,
  rcvallMulticast,
  rcvallIgmpMulticast,
  rcvallIf,
  rcvallMulticastIf,
  timestamping,
  getTxTimestamp,
];

/**
 * The handlers by the low byte of their code (a control code's function number sits there), each
 * bucket a short list. Control codes are mostly above 2^30, which V8 keeps as heap numbers: a Map
 * keyed by them is looked up by a call into the engine's hash-table builtin on every WSAIoctl,
 * where this is two array loads and a compare or two, inlined.
 */
const BUCKETS: readonly (readonly IoctlHandler[])[] = (() => {
  const buckets: IoctlHandler[][] = Array.from({ length: 256 }, () => []);
  for (const h of handlers) buckets[h.code & 0xff]!.push(h);
  return buckets;
})();

/** The handler of a control code (a DWORD, 0 .. 2^32 - 1), if the emulation implements it. */
export function handlerFor(code: number): IoctlHandler | undefined {
  const bucket = BUCKETS[code & 0xff]!;
  for (let i = 0; i < bucket.length; i++) if (bucket[i]!.code >>> 0 === code) return bucket[i];
  return undefined;
}

/** Every implemented handler (for the report and for consistency tests). */
export function implementedHandlers(): readonly IoctlHandler[] {
  return handlers;
}
