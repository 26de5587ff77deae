/**
 * The one table of Winsock extension functions: the functions SIO_GET_EXTENSION_FUNCTION_POINTER
 * hands out. Everything else reads it: the Linux handler of that control code (which GUIDs it
 * knows and the pointer value it writes), the `LPFN_*` casts in winsock/index.ts (which surface
 * function a pointer stands for), and the Windows backend (the socket kind it asks for a pointer
 * on). Adding a function is one row here, its member in api.ts (`WinsockExtensions`) and its
 * cast's export line.
 *
 * Windows facts (extension-functions.md §1.1 and §3, from Wine's dlls/ws2_32/tests/sock.c
 * test_get_extension_func and mswsock.h):
 * - the GUIDs are mswsock.h's `WSAID_*`;
 * - a pointer is provider-wide: the same value whatever socket it was asked on, and still valid
 *   after that socket is closed (Go reads WSARecvMsg from a throw-away socket, Boost.Asio caches
 *   one ConnectEx for every socket).
 *
 * On Linux the "pointer" is a token: 8 non-zero bytes, the same for every socket and every run,
 * distinct per function, and never a plausible code address (the high bytes spell "wsext").
 *
 * Pure: no I/O, no backend.
 */
import { decodeGuid, WSAID_ACCEPTEX, WSAID_CONNECTEX, WSAID_DISCONNECTEX, WSAID_GETACCEPTEXSOCKADDRS, WSAID_WSARECVMSG, WSAID_WSASENDMSG } from '../structs/guid.js';
import { SOCK_DGRAM, SOCK_STREAM } from './constants.js';
import type { WinsockExtensions } from './api.js';
import { callerBuffer } from './arguments.js';

/** The surface name of an extension function (a member of `WinsockExtensions`). */
export type ExtensionName = keyof WinsockExtensions;

/** One extension function. */
export interface ExtensionFunction {
  /** The GUID as mswsock.h writes it (the `WSAID_*` text). */
  readonly guid: string;
  /** The C typedef of its pointer, and the name of the cast that turns a pointer into a function. */
  readonly typedef: string;
  /** The function of the winsock surface a cast of its pointer calls. */
  readonly surface: ExtensionName;
  /** Linux: the value SIO_GET_EXTENSION_FUNCTION_POINTER writes for it. */
  readonly token: bigint;
  /** A socket type Windows hands its pointer out on (the Windows backend asks a throw-away socket of it). */
  readonly socketType: number;
}

/** "wsext" in the high bytes, the row's number in the low ones. */
const token = (n: number): bigint => 0x7773_6578_7400_0000n | BigInt(n);

/**
 * Every extension function, one row each. The rows of TransmitFile and TransmitPackets (their
 * GUIDs are WSAID_TRANSMITFILE ... in structs/guid.ts) come with their functions (tokens 5, 6).
 */
export const EXTENSION_FUNCTIONS: readonly ExtensionFunction[] = [
  { guid: WSAID_ACCEPTEX, typedef: 'LPFN_ACCEPTEX', surface: 'AcceptEx', token: token(1), socketType: SOCK_STREAM },
  { guid: WSAID_GETACCEPTEXSOCKADDRS, typedef: 'LPFN_GETACCEPTEXSOCKADDRS', surface: 'GetAcceptExSockaddrs', token: token(2), socketType: SOCK_STREAM },
  { guid: WSAID_CONNECTEX, typedef: 'LPFN_CONNECTEX', surface: 'ConnectEx', token: token(3), socketType: SOCK_STREAM },
  { guid: WSAID_DISCONNECTEX, typedef: 'LPFN_DISCONNECTEX', surface: 'DisconnectEx', token: token(4), socketType: SOCK_STREAM },
  { guid: WSAID_WSARECVMSG, typedef: 'LPFN_WSARECVMSG', surface: 'WSARecvMsg', token: token(7), socketType: SOCK_DGRAM },
  { guid: WSAID_WSASENDMSG, typedef: 'LPFN_WSASENDMSG', surface: 'WSASendMsg', token: token(8), socketType: SOCK_DGRAM },
];

const byGuid = new Map(EXTENSION_FUNCTIONS.map((row) => [row.guid.toLowerCase(), row]));
const bySurface = new Map(EXTENSION_FUNCTIONS.map((row) => [row.surface, row]));

/** The row of the GUID in these 16 bytes, if it names a function of the table. */
export function extensionByGuid(guidBytes: Uint8Array): ExtensionFunction | undefined {
  return guidBytes.length < 16 ? undefined : byGuid.get(decodeGuid(guidBytes));
}

/** The row of a surface function. */
export function extensionBySurface(name: ExtensionName): ExtensionFunction {
  const row = bySurface.get(name);
  if (!row) throw new TypeError(`${name} is not an extension function`);
  return row;
}

/**
 * The pointer value a cast is given: a bigint, or the first 8 bytes (little-endian) of a
 * Uint8Array of at least 8 bytes, as SIO_GET_EXTENSION_FUNCTION_POINTER wrote them. Anything else
 * throws a TypeError (C would crash calling it).
 */
export function pointerValue(ptr: unknown, typedef: string): bigint {
  if (typeof ptr === 'bigint') return BigInt.asUintN(64, ptr);
  // The caller's bytes read the way every buffer argument is (arguments.ts): never a property it could override.
  const bytes = callerBuffer(ptr, 8);
  if (bytes !== null) return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  throw new TypeError(`${typedef}: a function pointer is a bigint or the 8 bytes SIO_GET_EXTENSION_FUNCTION_POINTER wrote`);
}
