/**
 * Winsock timestamping (mstcpip.h), Windows x64 layouts: TIMESTAMPING_CONFIG (8 bytes: ULONG Flags
 * @0, TIMESTAMPING_FLAG_RX 0x1 / TIMESTAMPING_FLAG_TX 0x2; USHORT TxTimestampsBuffered @4; 2 bytes
 * of tail padding), the input of SIO_TIMESTAMPING. Sources: Microsoft's TIMESTAMPING_CONFIG page,
 * ../shared/spec/ioctl-structs.md (measured from the compiled header).
 */

/** Bytes of TIMESTAMPING_CONFIG. @group Struct sizes */
export const TIMESTAMPING_CONFIG_SIZE = 8;

/** A TIMESTAMPING_CONFIG: `flags` (TIMESTAMPING_FLAG_RX | TIMESTAMPING_FLAG_TX) and the TX buffer size. @group Struct codecs */
export function encodeTimestampingConfig(flags: number, txTimestampsBuffered: number): Buffer {
  const buf = Buffer.alloc(TIMESTAMPING_CONFIG_SIZE);
  buf.writeUInt32LE(flags >>> 0, 0);
  buf.writeUInt16LE(txTimestampsBuffered & 0xffff, 4);
  return buf;
}
