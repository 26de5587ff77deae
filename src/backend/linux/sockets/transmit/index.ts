/**
 * TransmitFile (transmit-file.ts) and TransmitPackets (transmit-packets.ts): pieces of memory and
 * files sent in order over a connected socket (transmission.ts), with the checks they share
 * (checks.ts) and the disconnect their flags ask for (disconnect.ts).
 */
export { TransmitFile } from './transmit-file.js';
export { TransmitPackets } from './transmit-packets.js';
