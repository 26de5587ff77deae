/** tcp_keepalive (mstcpip.h), the 12-byte input of SIO_KEEPALIVE_VALS. Times in milliseconds. */
import { readU32LE } from './bytes.js';

export const TCP_KEEPALIVE_SIZE = 12;

export interface TcpKeepalive {
  onoff: number;
  keepalivetime: number;
  keepaliveinterval: number;
}

export function encodeTcpKeepalive(value: TcpKeepalive): Buffer {
  const buf = Buffer.alloc(TCP_KEEPALIVE_SIZE);
  buf.writeUInt32LE(value.onoff >>> 0, 0);
  buf.writeUInt32LE(value.keepalivetime >>> 0, 4);
  buf.writeUInt32LE(value.keepaliveinterval >>> 0, 8);
  return buf;
}

export function decodeTcpKeepalive(buf: Uint8Array): TcpKeepalive {
  if (buf.length < TCP_KEEPALIVE_SIZE) throw new RangeError('tcp_keepalive needs 12 bytes');
  return { onoff: readU32LE(buf, 0), keepalivetime: readU32LE(buf, 4), keepaliveinterval: readU32LE(buf, 8) };
}
