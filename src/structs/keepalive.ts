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

export function decodeTcpKeepalive(buf: Uint8Array): TcpKeepalive {
  if (buf.length < TCP_KEEPALIVE_SIZE) throw new RangeError('tcp_keepalive needs 12 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset, TCP_KEEPALIVE_SIZE);
  return { onoff: view.getUint32(0, true), keepalivetime: view.getUint32(4, true), keepaliveinterval: view.getUint32(8, true) };
}
