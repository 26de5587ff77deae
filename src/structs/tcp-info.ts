/**
 * TCP_INFO_v0 / TCP_INFO_v1 / TCP_INFO_v2 (mstcpip.h), the output of SIO_TCP_INFO for input
 * versions 0, 1 and 2. Windows x64 layouts: v0 is 88 bytes, v1 appends the send-limit block
 * (136 bytes), v2 appends out-of-order / ECN / PTO counters (152 bytes). Each version is a prefix
 * of the next. 64-bit counters are bigints; everything else is a number.
 */

import { writeU32LE } from './bytes.js';

export const TCP_INFO_V0_SIZE = 88;
export const TCP_INFO_V1_SIZE = 136;
export const TCP_INFO_V2_SIZE = 152;

export type TcpInfoVersion = 0 | 1 | 2;

/** Bytes of the structure for a SIO_TCP_INFO input version. */
export function tcpInfoSize(version: TcpInfoVersion): number {
  return version === 0 ? TCP_INFO_V0_SIZE : version === 1 ? TCP_INFO_V1_SIZE : TCP_INFO_V2_SIZE;
}

/**
 * TCPSTATE (mstcpip.h), the values of TCP_INFO.State: the one table of the Windows TCP states,
 * name (without the `TCPSTATE_` prefix) to value. The TCPSTATE_* constants, TCPSTATE_NAMES and
 * tcpStateName are read from it.
 */
export const TCPSTATE = {
  CLOSED: 0, LISTEN: 1, SYN_SENT: 2, SYN_RCVD: 3, ESTABLISHED: 4, FIN_WAIT_1: 5, FIN_WAIT_2: 6,
  CLOSE_WAIT: 7, CLOSING: 8, LAST_ACK: 9, TIME_WAIT: 10,
} as const;

export const TCPSTATE_CLOSED = TCPSTATE.CLOSED;
export const TCPSTATE_LISTEN = TCPSTATE.LISTEN;
export const TCPSTATE_SYN_SENT = TCPSTATE.SYN_SENT;
export const TCPSTATE_SYN_RCVD = TCPSTATE.SYN_RCVD;
export const TCPSTATE_ESTABLISHED = TCPSTATE.ESTABLISHED;
export const TCPSTATE_FIN_WAIT_1 = TCPSTATE.FIN_WAIT_1;
export const TCPSTATE_FIN_WAIT_2 = TCPSTATE.FIN_WAIT_2;
export const TCPSTATE_CLOSE_WAIT = TCPSTATE.CLOSE_WAIT;
export const TCPSTATE_CLOSING = TCPSTATE.CLOSING;
export const TCPSTATE_LAST_ACK = TCPSTATE.LAST_ACK;
export const TCPSTATE_TIME_WAIT = TCPSTATE.TIME_WAIT;
/** One past the last state (the enum's TCPSTATE_MAX). */
export const TCPSTATE_MAX = Object.keys(TCPSTATE).length;

/** TCPSTATE names by value (index = value): 'CLOSED', 'LISTEN', ... 'TIME_WAIT'. */
export const TCPSTATE_NAMES: readonly string[] = Object.freeze(
  Object.entries(TCPSTATE).sort(([, a], [, b]) => a - b).map(([name]) => name),
);

/** `TCPSTATE_<name>` without the prefix, or `TCPSTATE(<n>)` for values outside the enum. */
export function tcpStateName(state: number): string {
  return TCPSTATE_NAMES[state] ?? `TCPSTATE(${state})`;
}

/** TCP_INFO_v0 fields, in structure order. */
export interface TcpInfoV0 {
  State: number;
  Mss: number;
  ConnectionTimeMs: bigint;
  TimestampsEnabled: boolean;
  RttUs: number;
  MinRttUs: number;
  BytesInFlight: number;
  Cwnd: number;
  SndWnd: number;
  RcvWnd: number;
  RcvBuf: number;
  BytesOut: bigint;
  BytesIn: bigint;
  BytesReordered: number;
  BytesRetrans: number;
  FastRetrans: number;
  DupAcksIn: number;
  TimeoutEpisodes: number;
  /** UCHAR: 0..255. */
  SynRetrans: number;
}

/** Fields TCP_INFO_v1 adds. Times in milliseconds. */
export interface TcpInfoV1Extra {
  SndLimTransRwin: number;
  SndLimTimeRwin: number;
  SndLimBytesRwin: bigint;
  SndLimTransCwnd: number;
  SndLimTimeCwnd: number;
  SndLimBytesCwnd: bigint;
  SndLimTransSnd: number;
  SndLimTimeSnd: number;
  SndLimBytesSnd: bigint;
}

/** Fields TCP_INFO_v2 adds. */
export interface TcpInfoV2Extra {
  OutOfOrderPktsIn: number;
  EcnNegotiated: boolean;
  EceAcksIn: number;
  PtoEpisodes: number;
}

export type TcpInfoV1 = TcpInfoV0 & TcpInfoV1Extra;
export type TcpInfoV2 = TcpInfoV1 & TcpInfoV2Extra;
/** Any version: v1 / v2 fields are present only when the version has them. */
export type TcpInfo = TcpInfoV0 & Partial<TcpInfoV1Extra> & Partial<TcpInfoV2Extra>;

/**
 * What encodeTcpInfo takes: a TcpInfo whose 64-bit fields may also be numbers (integers, exact
 * below 2^53), so that a producer whose counters fit a number makes no bigint for them.
 */
export type TcpInfoInput = { [K in keyof TcpInfo]: NonNullable<TcpInfo[K]> extends bigint ? TcpInfo[K] | number : TcpInfo[K] };

/** [field, offset, kind] for every field, in structure order. */
type Kind = 'u8' | 'u32' | 'u64' | 'bool';
const V0: ReadonlyArray<readonly [keyof TcpInfoV0, number, Kind]> = [
  ['State', 0, 'u32'], ['Mss', 4, 'u32'], ['ConnectionTimeMs', 8, 'u64'], ['TimestampsEnabled', 16, 'bool'],
  ['RttUs', 20, 'u32'], ['MinRttUs', 24, 'u32'], ['BytesInFlight', 28, 'u32'], ['Cwnd', 32, 'u32'],
  ['SndWnd', 36, 'u32'], ['RcvWnd', 40, 'u32'], ['RcvBuf', 44, 'u32'], ['BytesOut', 48, 'u64'],
  ['BytesIn', 56, 'u64'], ['BytesReordered', 64, 'u32'], ['BytesRetrans', 68, 'u32'],
  ['FastRetrans', 72, 'u32'], ['DupAcksIn', 76, 'u32'], ['TimeoutEpisodes', 80, 'u32'], ['SynRetrans', 84, 'u8'],
];
const V1: ReadonlyArray<readonly [keyof TcpInfoV1Extra, number, Kind]> = [
  ['SndLimTransRwin', 88, 'u32'], ['SndLimTimeRwin', 92, 'u32'], ['SndLimBytesRwin', 96, 'u64'],
  ['SndLimTransCwnd', 104, 'u32'], ['SndLimTimeCwnd', 108, 'u32'], ['SndLimBytesCwnd', 112, 'u64'],
  ['SndLimTransSnd', 120, 'u32'], ['SndLimTimeSnd', 124, 'u32'], ['SndLimBytesSnd', 128, 'u64'],
];
const V2: ReadonlyArray<readonly [keyof TcpInfoV2Extra, number, Kind]> = [
  ['OutOfOrderPktsIn', 136, 'u32'], ['EcnNegotiated', 140, 'bool'], ['EceAcksIn', 144, 'u32'], ['PtoEpisodes', 148, 'u32'],
];

/** The field tables per version: the layout, as decodeTcpInfo reads it. */
const FIELDS: ReadonlyArray<ReadonlyArray<readonly [string, number, Kind]>> = [V0, [...V0, ...V1], [...V0, ...V1, ...V2]];

function fieldsOf(version: TcpInfoVersion): ReadonlyArray<readonly [string, number, Kind]> {
  return FIELDS[version]!;
}

function checkVersion(version: number): asserts version is TcpInfoVersion {
  if (version !== 0 && version !== 1 && version !== 2) throw new RangeError(`unknown TCP_INFO version ${version}`);
}

// Field writers, as a C assignment converts: a number or bigint truncated to the field's width.
const u32 = (v: number | bigint | undefined): number => Number(v ?? 0) >>> 0;
const TWO_32 = 2 ** 32;
/**
 * A 64-bit field: a positive safe integer as its two 32-bit halves, which makes no bigint; a
 * bigint, or any other number through BigInt() (a fraction throws, a negative number wraps),
 * modulo 2^64 as a C assignment. 0 and undefined leave the zeroed field as it is.
 */
function setU64(buf: Uint8Array, offset: number, v: number | bigint | undefined): void {
  if (v === undefined || v === 0) return;
  if (typeof v === 'number' && v > 0 && Number.isSafeInteger(v)) {
    writeU32LE(buf, offset, v % TWO_32);
    writeU32LE(buf, offset + 4, Math.floor(v / TWO_32));
    return;
  }
  const wrapped = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v));
  writeU32LE(buf, offset, Number(wrapped & 0xffffffffn));
  writeU32LE(buf, offset + 4, Number(wrapped >> 32n));
}

/**
 * Write `value` as TCP_INFO_v<version> into `out` (default: a new zeroed buffer of the exact
 * size). Padding bytes are zeroed; nothing past the structure is touched. Missing v1 / v2 fields
 * are written as 0. Numbers are truncated to their field width (as a C assignment would); 64-bit
 * fields take a number or a bigint.
 *
 * The offsets are the tables' above, written out field by field, on the bytes: SIO_TCP_INFO
 * encodes on every call, and a loop over the tables reads each field by a computed name, which
 * costs V8 more than all the writes (as a DataView made per call would). The codec round-trip test (test/ioctl-tcp-info.test.ts) holds the two to the
 * same layout, field by field.
 */
export function encodeTcpInfo(value: TcpInfoInput, version: TcpInfoVersion, out?: Uint8Array): Uint8Array {
  checkVersion(version);
  const size = tcpInfoSize(version);
  const buf = out ?? Buffer.alloc(size);
  if (buf.length < size) throw new RangeError(`TCP_INFO_v${version} needs ${size} bytes`);
  buf.fill(0, 0, size);
  writeU32LE(buf, 0, u32(value.State));
  writeU32LE(buf, 4, u32(value.Mss));
  setU64(buf, 8, value.ConnectionTimeMs);
  buf[16] = value.TimestampsEnabled ? 1 : 0;
  writeU32LE(buf, 20, u32(value.RttUs));
  writeU32LE(buf, 24, u32(value.MinRttUs));
  writeU32LE(buf, 28, u32(value.BytesInFlight));
  writeU32LE(buf, 32, u32(value.Cwnd));
  writeU32LE(buf, 36, u32(value.SndWnd));
  writeU32LE(buf, 40, u32(value.RcvWnd));
  writeU32LE(buf, 44, u32(value.RcvBuf));
  setU64(buf, 48, value.BytesOut);
  setU64(buf, 56, value.BytesIn);
  writeU32LE(buf, 64, u32(value.BytesReordered));
  writeU32LE(buf, 68, u32(value.BytesRetrans));
  writeU32LE(buf, 72, u32(value.FastRetrans));
  writeU32LE(buf, 76, u32(value.DupAcksIn));
  writeU32LE(buf, 80, u32(value.TimeoutEpisodes));
  buf[84] = Number(value.SynRetrans ?? 0) & 0xff;
  if (version === 0) return buf;
  writeU32LE(buf, 88, u32(value.SndLimTransRwin));
  writeU32LE(buf, 92, u32(value.SndLimTimeRwin));
  setU64(buf, 96, value.SndLimBytesRwin);
  writeU32LE(buf, 104, u32(value.SndLimTransCwnd));
  writeU32LE(buf, 108, u32(value.SndLimTimeCwnd));
  setU64(buf, 112, value.SndLimBytesCwnd);
  writeU32LE(buf, 120, u32(value.SndLimTransSnd));
  writeU32LE(buf, 124, u32(value.SndLimTimeSnd));
  setU64(buf, 128, value.SndLimBytesSnd);
  if (version === 1) return buf;
  writeU32LE(buf, 136, u32(value.OutOfOrderPktsIn));
  buf[140] = value.EcnNegotiated ? 1 : 0;
  writeU32LE(buf, 144, u32(value.EceAcksIn));
  writeU32LE(buf, 148, u32(value.PtoEpisodes));
  return buf;
}

/** Read TCP_INFO_v<version> from the first bytes of `buf`. */
export function decodeTcpInfo(buf: Uint8Array, version: 0): TcpInfoV0;
export function decodeTcpInfo(buf: Uint8Array, version: 1): TcpInfoV1;
export function decodeTcpInfo(buf: Uint8Array, version: 2): TcpInfoV2;
export function decodeTcpInfo(buf: Uint8Array, version: TcpInfoVersion): TcpInfo;
export function decodeTcpInfo(buf: Uint8Array, version: TcpInfoVersion): TcpInfo {
  checkVersion(version);
  const size = tcpInfoSize(version);
  if (buf.length < size) throw new RangeError(`TCP_INFO_v${version} needs ${size} bytes`);
  const view = new DataView(buf.buffer, buf.byteOffset, size);
  const out: Record<string, number | bigint | boolean> = {};
  for (const [name, offset, kind] of fieldsOf(version)) {
    out[name] = kind === 'u8' ? view.getUint8(offset)
      : kind === 'bool' ? view.getUint8(offset) !== 0
      : kind === 'u32' ? view.getUint32(offset, true)
      : view.getBigUint64(offset, true);
  }
  return out as unknown as TcpInfo;
}
