/**
 * TCP_INFO_v0 / TCP_INFO_v1 / TCP_INFO_v2 (mstcpip.h), the output of SIO_TCP_INFO for input
 * versions 0, 1 and 2. Windows x64 layouts: v0 is 88 bytes, v1 appends the send-limit block
 * (136 bytes), v2 appends out-of-order / ECN / PTO counters (152 bytes). Each version is a prefix
 * of the next. 64-bit counters are bigints; everything else is a number.
 */

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
 * A 64-bit field: a bigint as DataView stores it (modulo 2^64, as a C assignment); a positive
 * safe integer as two 32-bit halves, which makes no bigint; anything else through BigInt() (a
 * fraction throws, a negative number wraps). 0 and undefined leave the zeroed field as it is.
 */
function setU64(view: DataView, offset: number, v: number | bigint | undefined): void {
  if (typeof v === 'bigint') view.setBigUint64(offset, v, true);
  else if (v === undefined || v === 0) return;
  else if (v > 0 && Number.isSafeInteger(v)) {
    view.setUint32(offset, v % TWO_32, true);
    view.setUint32(offset + 4, Math.floor(v / TWO_32), true);
  } else view.setBigUint64(offset, BigInt(v), true);
}

/**
 * Write `value` as TCP_INFO_v<version> into `out` (default: a new zeroed buffer of the exact
 * size). Padding bytes are zeroed; nothing past the structure is touched. Missing v1 / v2 fields
 * are written as 0. Numbers are truncated to their field width (as a C assignment would); 64-bit
 * fields take a number or a bigint.
 *
 * The offsets are the tables' above, written out field by field: SIO_TCP_INFO encodes on every
 * call, and a loop over the tables reads each field by a computed name, which costs V8 more than
 * all the writes. The codec round-trip test (test/ioctl-tcp-info.test.ts) holds the two to the
 * same layout, field by field.
 */
export function encodeTcpInfo(value: TcpInfoInput, version: TcpInfoVersion, out?: Uint8Array): Uint8Array {
  checkVersion(version);
  const size = tcpInfoSize(version);
  const buf = out ?? Buffer.alloc(size);
  if (buf.length < size) throw new RangeError(`TCP_INFO_v${version} needs ${size} bytes`);
  buf.fill(0, 0, size);
  const view = new DataView(buf.buffer, buf.byteOffset, size);
  view.setUint32(0, u32(value.State), true);
  view.setUint32(4, u32(value.Mss), true);
  setU64(view, 8, value.ConnectionTimeMs);
  view.setUint8(16, value.TimestampsEnabled ? 1 : 0);
  view.setUint32(20, u32(value.RttUs), true);
  view.setUint32(24, u32(value.MinRttUs), true);
  view.setUint32(28, u32(value.BytesInFlight), true);
  view.setUint32(32, u32(value.Cwnd), true);
  view.setUint32(36, u32(value.SndWnd), true);
  view.setUint32(40, u32(value.RcvWnd), true);
  view.setUint32(44, u32(value.RcvBuf), true);
  setU64(view, 48, value.BytesOut);
  setU64(view, 56, value.BytesIn);
  view.setUint32(64, u32(value.BytesReordered), true);
  view.setUint32(68, u32(value.BytesRetrans), true);
  view.setUint32(72, u32(value.FastRetrans), true);
  view.setUint32(76, u32(value.DupAcksIn), true);
  view.setUint32(80, u32(value.TimeoutEpisodes), true);
  view.setUint8(84, Number(value.SynRetrans ?? 0) & 0xff);
  if (version === 0) return buf;
  view.setUint32(88, u32(value.SndLimTransRwin), true);
  view.setUint32(92, u32(value.SndLimTimeRwin), true);
  setU64(view, 96, value.SndLimBytesRwin);
  view.setUint32(104, u32(value.SndLimTransCwnd), true);
  view.setUint32(108, u32(value.SndLimTimeCwnd), true);
  setU64(view, 112, value.SndLimBytesCwnd);
  view.setUint32(120, u32(value.SndLimTransSnd), true);
  view.setUint32(124, u32(value.SndLimTimeSnd), true);
  setU64(view, 128, value.SndLimBytesSnd);
  if (version === 1) return buf;
  view.setUint32(136, u32(value.OutOfOrderPktsIn), true);
  view.setUint8(140, value.EcnNegotiated ? 1 : 0);
  view.setUint32(144, u32(value.EceAcksIn), true);
  view.setUint32(148, u32(value.PtoEpisodes), true);
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
