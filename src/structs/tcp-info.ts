/**
 * TCP_INFO_v0 / TCP_INFO_v1 / TCP_INFO_v2 (mstcpip.h), the output of SIO_TCP_INFO for input
 * versions 0, 1 and 2. Windows x64 layouts: v0 is 88 bytes, v1 appends the send-limit block
 * (136 bytes), v2 appends out-of-order / ECN / PTO counters (152 bytes). Each version is a prefix
 * of the next. 64-bit counters are bigints; everything else is a number.
 */

import { writeU32LE } from './bytes.js';

/** Bytes of TCP_INFO_v0, v1 and v2 (Windows x64). @group TCP_INFO */
export const TCP_INFO_V0_SIZE = 88;
export const TCP_INFO_V1_SIZE = 136;
export const TCP_INFO_V2_SIZE = 152;

/** The SIO_TCP_INFO input: which TCP_INFO version to return. */
export type TcpInfoVersion = 0 | 1 | 2;

/** Bytes of the structure for a SIO_TCP_INFO input version. @group Struct codecs */
export function tcpInfoSize(version: TcpInfoVersion): number {
  return version === 0 ? TCP_INFO_V0_SIZE : version === 1 ? TCP_INFO_V1_SIZE : TCP_INFO_V2_SIZE;
}

/**
 * TCPSTATE (mstcpip.h), the values of TCP_INFO.State: the one table of the Windows TCP states,
 * name (without the `TCPSTATE_` prefix) to value. The TCPSTATE_* constants, TCPSTATE_NAMES and
 * tcpStateName are read from it.
 *
 * @group TCP_INFO
 */
export const TCPSTATE = {
  /** No connection. */
  CLOSED: 0,
  /** Waiting for connections. */
  LISTEN: 1,
  /** SYN sent, waiting for the peer's SYN-ACK. */
  SYN_SENT: 2,
  /** SYN received and answered, waiting for the final ACK. */
  SYN_RCVD: 3,
  /** Open: data flows both ways. */
  ESTABLISHED: 4,
  /** This side closed, waiting for the ACK of its FIN. */
  FIN_WAIT_1: 5,
  /** This side's FIN acknowledged, waiting for the peer's FIN. */
  FIN_WAIT_2: 6,
  /** The peer closed, waiting for this side to close. */
  CLOSE_WAIT: 7,
  /** Both sides closed at once, waiting for the ACK of this side's FIN. */
  CLOSING: 8,
  /** The peer closed first, this side's FIN sent, waiting for its ACK. */
  LAST_ACK: 9,
  /** Closed, waiting for stray segments to expire. */
  TIME_WAIT: 10,
} as const;

/** The TCPSTATE values as mstcpip.h names them. @group TCP_INFO */
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
/** One past the last state (the enum's TCPSTATE_MAX). @group TCP_INFO */
export const TCPSTATE_MAX = Object.keys(TCPSTATE).length;

/** TCPSTATE names by value (index = value): 'CLOSED', 'LISTEN', ... 'TIME_WAIT'. @group TCP_INFO */
export const TCPSTATE_NAMES: readonly string[] = Object.freeze(
  Object.entries(TCPSTATE).sort(([, a], [, b]) => a - b).map(([name]) => name),
);

/** `TCPSTATE_<name>` without the prefix, or `TCPSTATE(<n>)` for values outside the enum. @group Struct codecs */
export function tcpStateName(state: number): string {
  return TCPSTATE_NAMES[state] ?? `TCPSTATE(${state})`;
}

/** TCP_INFO_v0 fields, in structure order. */
export interface TcpInfoV0 {
  /** The connection state, a TCPSTATE value. */
  State: number;
  /** Current maximum segment size, in bytes. */
  Mss: number;
  /** Age of the connection, in milliseconds. */
  ConnectionTimeMs: bigint;
  /** Whether TCP timestamps (RFC 7323) were negotiated. */
  TimestampsEnabled: boolean;
  /** Current smoothed round-trip time estimate, in microseconds. */
  RttUs: number;
  /** Smallest round-trip time seen, in microseconds. */
  MinRttUs: number;
  /** Bytes sent and not yet acknowledged. */
  BytesInFlight: number;
  /** Congestion window, in bytes. */
  Cwnd: number;
  /** The peer's advertised receive window, in bytes. */
  SndWnd: number;
  /** The receive window this side advertises, in bytes. */
  RcvWnd: number;
  /** Receive buffer size, in bytes. */
  RcvBuf: number;
  /** Bytes sent, retransmissions included. */
  BytesOut: bigint;
  /** Bytes received. */
  BytesIn: bigint;
  /** Bytes received out of order. */
  BytesReordered: number;
  /** Bytes retransmitted. */
  BytesRetrans: number;
  /** Fast retransmissions. */
  FastRetrans: number;
  /** Duplicate acknowledgements received. */
  DupAcksIn: number;
  /** Retransmission time-out episodes. */
  TimeoutEpisodes: number;
  /** SYN retransmissions (a UCHAR: 0..255). */
  SynRetrans: number;
}

/** Fields TCP_INFO_v1 adds. Times in milliseconds. */
export interface TcpInfoV1Extra {
  /** Times sending became limited by the peer's receive window. */
  SndLimTransRwin: number;
  /** Time spent limited by the peer's receive window. */
  SndLimTimeRwin: number;
  /** Bytes sent while limited by the peer's receive window. */
  SndLimBytesRwin: bigint;
  /** Times sending became limited by the congestion window. */
  SndLimTransCwnd: number;
  /** Time spent limited by the congestion window. */
  SndLimTimeCwnd: number;
  /** Bytes sent while limited by the congestion window. */
  SndLimBytesCwnd: bigint;
  /** Times sending became limited by the application (nothing to send). */
  SndLimTransSnd: number;
  /** Time spent limited by the application. */
  SndLimTimeSnd: number;
  /** Bytes sent while limited by the application. */
  SndLimBytesSnd: bigint;
}

/** Fields TCP_INFO_v2 adds. */
export interface TcpInfoV2Extra {
  /** Segments received out of order. */
  OutOfOrderPktsIn: number;
  /** Whether ECN was negotiated. */
  EcnNegotiated: boolean;
  /** Acknowledgements received with the ECN-Echo flag. */
  EceAcksIn: number;
  /** Probe time-out (tail loss probe) episodes. */
  PtoEpisodes: number;
}

/** TCP_INFO_v1: v0 and the send-limit fields. */
export type TcpInfoV1 = TcpInfoV0 & TcpInfoV1Extra;
/** TCP_INFO_v2: v1 and the out-of-order, ECN and probe time-out counters. */
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

// The structure is assembled as 32-bit words (every field of all three versions is 4-byte aligned,
// the 64-bit ones 8-byte aligned) in a scratch array, then written out as little-endian words: a
// few dozen word stores and one short loop, where byte-by-byte writes per field made the encoder's
// code, run on every SIO_TCP_INFO, several times larger.
const WORDS = new Uint32Array(TCP_INFO_V2_SIZE / 4);

// Field writers, as a C assignment converts: a number or bigint truncated to the field's width.
const u32 = (v: number | bigint | undefined): number => Number(v ?? 0) >>> 0;
const TWO_32 = 2 ** 32;
/**
 * A 64-bit field at word `index`: a non-negative safe integer as its two 32-bit halves, which
 * makes no bigint; a bigint, or any other number through BigInt() (a fraction throws, a negative
 * number wraps), modulo 2^64 as a C assignment. Undefined writes 0.
 */
function setU64(index: number, v: number | bigint | undefined): void {
  if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
    WORDS[index] = v % TWO_32;
    WORDS[index + 1] = Math.floor(v / TWO_32);
    return;
  }
  const wrapped = BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v ?? 0));
  WORDS[index] = Number(wrapped & 0xffffffffn);
  WORDS[index + 1] = Number(wrapped >> 32n);
}

/**
 * Write `value` as TCP_INFO_v<version> into `out` (default: a new buffer of the exact size).
 * Every byte of the structure is written, padding as 0; nothing past the structure is touched.
 * Missing v1 / v2 fields are written as 0. Numbers are truncated to their field width (as a C
 * assignment would); 64-bit fields take a number or a bigint.
 *
 * The offsets (word index = byte offset / 4) are the tables' above, written out field by field:
 * SIO_TCP_INFO encodes on every call, and a loop over the tables reads each field by a computed
 * name, which costs V8 more than all the writes. The codec round-trip test
 * (test/ioctl-tcp-info.test.ts) holds the two to the same layout, field by field.
 *
 * @group Struct codecs
 */
export function encodeTcpInfo(value: TcpInfoInput, version: TcpInfoVersion, out?: Uint8Array): Uint8Array {
  checkVersion(version);
  const size = tcpInfoSize(version);
  const buf = out ?? Buffer.alloc(size);
  if (buf.length < size) throw new RangeError(`TCP_INFO_v${version} needs ${size} bytes`);
  const w = WORDS;
  w[0] = u32(value.State); // @0
  w[1] = u32(value.Mss); // @4
  setU64(2, value.ConnectionTimeMs); // @8
  w[4] = value.TimestampsEnabled ? 1 : 0; // @16: a BOOLEAN, then 3 bytes of padding
  w[5] = u32(value.RttUs); // @20
  w[6] = u32(value.MinRttUs); // @24
  w[7] = u32(value.BytesInFlight); // @28
  w[8] = u32(value.Cwnd); // @32
  w[9] = u32(value.SndWnd); // @36
  w[10] = u32(value.RcvWnd); // @40
  w[11] = u32(value.RcvBuf); // @44
  setU64(12, value.BytesOut); // @48
  setU64(14, value.BytesIn); // @56
  w[16] = u32(value.BytesReordered); // @64
  w[17] = u32(value.BytesRetrans); // @68
  w[18] = u32(value.FastRetrans); // @72
  w[19] = u32(value.DupAcksIn); // @76
  w[20] = u32(value.TimeoutEpisodes); // @80
  w[21] = Number(value.SynRetrans ?? 0) & 0xff; // @84: a UCHAR, then 3 bytes of padding
  if (version >= 1) {
    w[22] = u32(value.SndLimTransRwin); // @88
    w[23] = u32(value.SndLimTimeRwin); // @92
    setU64(24, value.SndLimBytesRwin); // @96
    w[26] = u32(value.SndLimTransCwnd); // @104
    w[27] = u32(value.SndLimTimeCwnd); // @108
    setU64(28, value.SndLimBytesCwnd); // @112
    w[30] = u32(value.SndLimTransSnd); // @120
    w[31] = u32(value.SndLimTimeSnd); // @124
    setU64(32, value.SndLimBytesSnd); // @128
  }
  if (version === 2) {
    w[34] = u32(value.OutOfOrderPktsIn); // @136
    w[35] = value.EcnNegotiated ? 1 : 0; // @140: a BOOLEAN, then 3 bytes of padding
    w[36] = u32(value.EceAcksIn); // @144
    w[37] = u32(value.PtoEpisodes); // @148
  }
  for (let i = 0; i < size / 4; i++) writeU32LE(buf, i * 4, w[i]!);
  return buf;
}

/** Read TCP_INFO_v<version> from the first bytes of `buf`. @group Struct codecs */
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
