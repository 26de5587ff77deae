/** tcp_keepalive (mstcpip.h), the 12-byte input of SIO_KEEPALIVE_VALS. Times in milliseconds. */
import { readU32LE } from './bytes.js';

/** Bytes of tcp_keepalive. @group Struct sizes */
export const TCP_KEEPALIVE_SIZE = 12;

/** tcp_keepalive's fields (ULONGs). */
export interface TcpKeepalive {
  /** Non-zero: keep-alive on. */
  onoff: number;
  /** Idle time before the first probe, ms. */
  keepalivetime: number;
  /** Time between unanswered probes, ms. */
  keepaliveinterval: number;
}

/** The 12 bytes of a tcp_keepalive, for SIO_KEEPALIVE_VALS's input. @group Struct codecs */
export function encodeTcpKeepalive(value: TcpKeepalive): Buffer {
  const buf = Buffer.alloc(TCP_KEEPALIVE_SIZE);
  buf.writeUInt32LE(value.onoff >>> 0, 0);
  buf.writeUInt32LE(value.keepalivetime >>> 0, 4);
  buf.writeUInt32LE(value.keepaliveinterval >>> 0, 8);
  return buf;
}

/** A tcp_keepalive read from the first 12 bytes of `buf` (RangeError when shorter). @group Struct codecs */
export function decodeTcpKeepalive(buf: Uint8Array): TcpKeepalive {
  if (buf.length < TCP_KEEPALIVE_SIZE) throw new RangeError('tcp_keepalive needs 12 bytes');
  return { onoff: readU32LE(buf, 0), keepalivetime: readU32LE(buf, 4), keepaliveinterval: readU32LE(buf, 8) };
}
