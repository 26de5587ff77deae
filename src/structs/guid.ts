/** GUID: 16 bytes, Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 eight bytes as written. @group Struct sizes */
export const GUID_SIZE = 16;

/** Bytes of a GUID written as text: `{b5367df1-cbac-11cf-95ca-00805f48a192}` (braces optional). @group Struct codecs */
export function encodeGuid(text: string): Buffer {
  const m = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i.exec(text);
  if (!m) throw new TypeError(`not a GUID: ${text}`);
  const buf = Buffer.alloc(GUID_SIZE);
  buf.writeUInt32LE(parseInt(m[1]!, 16), 0);
  buf.writeUInt16LE(parseInt(m[2]!, 16), 4);
  buf.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(buf, 8);
  return buf;
}

/** Text form (lower case, braces) of 16 GUID bytes. @group Struct codecs */
export function decodeGuid(buf: Uint8Array): string {
  if (buf.length < GUID_SIZE) throw new RangeError('GUID needs 16 bytes');
  const b = Buffer.from(buf.buffer, buf.byteOffset, GUID_SIZE);
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const tail = b.subarray(8).toString('hex');
  return `{${hex(b.readUInt32LE(0), 8)}-${hex(b.readUInt16LE(4), 4)}-${hex(b.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}}`;
}

/**
 * The extension-function identifiers (mswsock.h), as text: encodeGuid gives the 16 bytes
 * SIO_GET_EXTENSION_FUNCTION_POINTER takes.
 *
 * @group Extension function GUIDs (WSAID_*)
 */
export const WSAID_ACCEPTEX = '{b5367df1-cbac-11cf-95ca-00805f48a192}';
export const WSAID_CONNECTEX = '{25a207b9-ddf3-4660-8ee9-76e58c74063e}';
export const WSAID_DISCONNECTEX = '{7fda2e11-8630-436f-a031-f536a6eec157}';
export const WSAID_GETACCEPTEXSOCKADDRS = '{b5367df2-cbac-11cf-95ca-00805f48a192}';
export const WSAID_TRANSMITFILE = '{b5367df0-cbac-11cf-95ca-00805f48a192}';
export const WSAID_TRANSMITPACKETS = '{d9689da0-1f90-11d3-9971-00c04f68c876}';
export const WSAID_WSARECVMSG = '{f689d7c8-6f1f-436b-8a53-e54fe351c322}';
export const WSAID_WSASENDMSG = '{a441e712-754f-43ca-84a7-0dee44cf606d}';
export const WSAID_WSAPOLL = '{18c76f85-dc66-4964-972e-23c27238312b}';
export const WSAID_MULTIPLE_RIO = '{8509e081-96dd-4005-b165-9e2ee8c79e3f}';
