/** tcp_keepalive (mstcpip.h), the 12-byte input of SIO_KEEPALIVE_VALS. Times in milliseconds. */

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

// Byte reads rather than a DataView: SIO_KEEPALIVE_VALS decodes this on every call.
const u32At = (buf: Uint8Array, at: number): number => (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;

export function decodeTcpKeepalive(buf: Uint8Array): TcpKeepalive {
  if (buf.length < TCP_KEEPALIVE_SIZE) throw new RangeError('tcp_keepalive needs 12 bytes');
  return { onoff: u32At(buf, 0), keepalivetime: u32At(buf, 4), keepaliveinterval: u32At(buf, 8) };
}
