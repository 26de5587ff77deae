/**
 * Runtime port reservations (mstcpip.h), Windows x64 layouts: INET_PORT_RANGE (4 bytes: USHORT
 * StartPort in network byte order, 0 = the system picks; USHORT NumberOfPorts), the input of
 * SIO_ACQUIRE_PORT_RESERVATION; INET_PORT_RESERVATION_INSTANCE (16 bytes: the INET_PORT_RANGE
 * reserved @0, 4 bytes of padding, ULONG64 Token @8), its output; INET_PORT_RESERVATION_TOKEN
 * (8 bytes), the input of SIO_RELEASE_PORT_RESERVATION and SIO_ASSOCIATE_PORT_RESERVATION.
 * Sources: Microsoft's INET_PORT_RANGE, INET_PORT_RESERVATION_INSTANCE and
 * INET_PORT_RESERVATION_TOKEN pages.
 */

/** Bytes of INET_PORT_RANGE, INET_PORT_RESERVATION_INSTANCE and INET_PORT_RESERVATION_TOKEN. @group Struct sizes */
export const INET_PORT_RANGE_SIZE = 4;
export const INET_PORT_RESERVATION_INSTANCE_SIZE = 16;
export const INET_PORT_RESERVATION_TOKEN_SIZE = 8;

/** An INET_PORT_RANGE: `startPort` in host order (written big-endian), 0 for "any". @group Struct codecs */
export function encodeInetPortRange(startPort: number, numberOfPorts: number): Buffer {
  const buf = Buffer.alloc(INET_PORT_RANGE_SIZE);
  buf.writeUInt16BE(startPort & 0xffff, 0);
  buf.writeUInt16LE(numberOfPorts & 0xffff, 2);
  return buf;
}

/** An INET_PORT_RESERVATION_INSTANCE read back: the block (start in host order) and its token. */
export interface PortReservationInstance {
  /** The first port of the block, host order. */
  startPort: number;
  /** How many ports the block holds. */
  numberOfPorts: number;
  /** The INET_PORT_RESERVATION_TOKEN. */
  token: bigint;
}

/** The INET_PORT_RESERVATION_INSTANCE in the first 16 bytes of `buf` (RangeError when shorter). @group Struct codecs */
export function decodePortReservationInstance(buf: Uint8Array): PortReservationInstance {
  if (buf.length < INET_PORT_RESERVATION_INSTANCE_SIZE) throw new RangeError('INET_PORT_RESERVATION_INSTANCE needs 16 bytes');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return { startPort: view.getUint16(0, false), numberOfPorts: view.getUint16(2, true), token: view.getBigUint64(8, true) };
}

/** The 8 bytes of an INET_PORT_RESERVATION_TOKEN. @group Struct codecs */
export function encodePortReservationToken(token: bigint): Buffer {
  const buf = Buffer.alloc(INET_PORT_RESERVATION_TOKEN_SIZE);
  buf.writeBigUInt64LE(BigInt.asUintN(64, token), 0);
  return buf;
}
