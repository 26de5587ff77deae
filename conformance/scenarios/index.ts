/** Every scenario, in report order. */
import type { Scenario } from '../lib/types.js';
import { rules } from './rules.js';
import { stream } from './stream.js';
import { datagram } from './datagram.js';
import { host } from './host.js';
import { other } from './other.js';
import { startupAndOrder } from './startup-and-order.js';
import { sockopts } from './sockopts.js';
import { eventSelect } from './event-select.js';
import { transfers } from './transfers.js';
import { dataPath } from './data-path.js';
import { connectionEnd } from './connection-end.js';
import { extensionFunctions } from './extension-functions.js';
import { remainingCodes } from './remaining-codes.js';
import { raw } from './raw.js';
import { asyncSelect } from './async-select.js';
import { extensionMsg } from './extension-msg.js';
import { extensionTransmit } from './extension-transmit.js';
import { timestamping } from './timestamping.js';
import { threads } from './threads.js';

export const scenarios: Scenario[] = [
  ...rules, ...stream, ...datagram, ...host, ...other, ...startupAndOrder, ...sockopts, ...eventSelect, ...transfers, ...dataPath,
  ...connectionEnd, ...extensionFunctions, ...remainingCodes, ...raw, ...extensionMsg, ...extensionTransmit, ...asyncSelect, ...timestamping,
  ...threads,
];

const seen = new Set<string>();
for (const s of scenarios) {
  if (seen.has(s.id)) throw new Error(`duplicate scenario id ${s.id}`);
  seen.add(s.id);
}
