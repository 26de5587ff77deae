/**
 * Node's own sockets on Windows. Node reports fd -1 for every handle there (libuv keeps the
 * SOCKET to itself), so a borrowed SOCKET (docs/principles.md, principle 3) cannot be resolved
 * through the Node object. Instead the socket handle is found among the process's own handles:
 *
 * 1. NtQuerySystemInformation(SystemExtendedHandleInformation) lists every handle of the system;
 *    the ones of this process (GetCurrentProcessId) are kept. (NtQueryInformationProcess(
 *    ProcessHandleInformation) would list only ours, but Wine does not implement it.)
 * 2. Where the list carries object types (Windows does, Wine leaves 0), only handles of the type a
 *    socket of our own has are kept.
 * 3. Only handles opened for overlapped I/O are asked anything further (NtQueryInformationFile
 *    FileModeInformation without FILE_SYNCHRONOUS_IO_*): libuv's sockets always are, and a
 *    Winsock call on a synchronous pipe with a read pending could wait for that read.
 * 4. getsockopt(SO_TYPE) fails on anything that is not a socket; getsockname / getpeername /
 *    SO_ACCEPTCONN of the rest are compared with what the Node object reports.
 *
 * Exactly one match is adopted; none is WSAENOTSOCK, several (two handles of one socket,
 * SO_REUSEADDR sockets on one address) WSAETOOMANYREFS: never a guess. Before each use the handle
 * is checked again (the Node object still holds the same open handle and reports the same
 * addresses, and the handle still has them), so a handle value that Windows reused after Node
 * closed its socket is never taken.
 */
import { nativeLibrary } from '../native-library.js';
import { INVALID_SOCKET } from '../../winsock/constants.js';
import type { NodeSocketView, SOCKET } from '../../winsock/types.js';
import { AF_INET, AF_INET6, SOCKADDR_STORAGE_SIZE, parseSockaddr, sockaddr } from '../../structs/sockaddr.js';
import { WSAEINVAL, WSAENOTSOCK, WSAEOPNOTSUPP, WSAETOOMANYREFS } from '../../errors/index.js';
import { ws2_32 } from './ws2_32.js';

const ntdll = nativeLibrary('win32', 'ntdll.dll');
const kernel32 = nativeLibrary('win32', 'kernel32.dll');

const nt = {
  NtQuerySystemInformation: ntdll.func(
    'int32_t __stdcall NtQuerySystemInformation(uint32_t SystemInformationClass, void *SystemInformation, ' +
      'uint32_t SystemInformationLength, _Out_ uint32_t *ReturnLength)',
  ),
  NtQueryInformationFile: ntdll.func(
    'int32_t __stdcall NtQueryInformationFile(intptr_t FileHandle, void *IoStatusBlock, void *FileInformation, ' +
      'uint32_t Length, uint32_t FileInformationClass)',
  ),
  GetCurrentProcessId: kernel32.func('uint32_t __stdcall GetCurrentProcessId()'),
};

const SystemExtendedHandleInformation = 64;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
/** SYSTEM_HANDLE_INFORMATION_EX: NumberOfHandles, Reserved (ULONG_PTR each), then the entries. */
const HANDLE_LIST_HEADER = 16;
/**
 * SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX (x64, 40 bytes): Object, UniqueProcessId, HandleValue
 * (pointer-sized), GrantedAccess (ULONG), CreatorBackTraceIndex, ObjectTypeIndex (USHORT), ...
 */
const HANDLE_ENTRY_SIZE = 40;
const ENTRY_PROCESS_ID = 8;
const ENTRY_HANDLE_VALUE = 16;
const ENTRY_OBJECT_TYPE = 30;
/** The list of a busy system runs to some MB; bounded tries as it grows between calls. */
const LIST_ATTEMPTS = 6;
const LIST_MAX_BYTES = 256 << 20;

const FileModeInformation = 16;
const FILE_SYNCHRONOUS_IO_ALERT = 0x10;
const FILE_SYNCHRONOUS_IO_NONALERT = 0x20;

const SOL_SOCKET = 0xffff;
const SO_TYPE = 0x1008;
const SO_ACCEPTCONN = 0x0002;

interface HandleEntry {
  handle: number;
  objectType: number;
}

/** Every handle of this process, with its object type index (0 where the system leaves it out). */
function ownHandles(): HandleEntry[] | null {
  const pid = BigInt(nt.GetCurrentProcessId());
  let size = 1 << 20;
  for (let attempt = 0; attempt < LIST_ATTEMPTS; attempt++) {
    const buf = new Uint8Array(size);
    const needed: [number] = [0];
    const status = nt.NtQuerySystemInformation(SystemExtendedHandleInformation, buf, size, needed) >>> 0;
    if (status === STATUS_INFO_LENGTH_MISMATCH && size < LIST_MAX_BYTES) {
      size = Math.min(LIST_MAX_BYTES, Math.max(size * 2, needed[0] + (64 << 10)));
      continue;
    }
    if (status !== 0) return null;
    const view = new DataView(buf.buffer);
    const count = Math.min(Number(view.getBigUint64(0, true)), Math.floor((size - HANDLE_LIST_HEADER) / HANDLE_ENTRY_SIZE));
    const entries: HandleEntry[] = [];
    for (let i = 0; i < count; i++) {
      const at = HANDLE_LIST_HEADER + i * HANDLE_ENTRY_SIZE;
      if (view.getBigUint64(at + ENTRY_PROCESS_ID, true) !== pid) continue;
      entries.push({ handle: Number(view.getBigUint64(at + ENTRY_HANDLE_VALUE, true)), objectType: view.getUint16(at + ENTRY_OBJECT_TYPE, true) });
    }
    return entries;
  }
  return null;
}

/** True for a file object opened for overlapped I/O (a Winsock call on it cannot wait on a pending synchronous read). */
function overlappedFile(handle: number): boolean {
  const ioStatus = new Uint8Array(16);
  const mode = new Uint8Array(4);
  if (nt.NtQueryInformationFile(handle, ioStatus, mode, 4, FileModeInformation) !== 0) return false;
  const flags = new DataView(mode.buffer).getUint32(0, true);
  return (flags & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) === 0;
}

/** What a socket handle says about itself; null when it is not a socket. */
interface SocketFacts {
  type: number;
  local: Uint8Array;
  /** Null when not connected. */
  peer: Uint8Array | null;
  listening: boolean;
}

function intOption(handle: number, name: number): number | null {
  const value = new Uint8Array(4);
  if (ws2_32.getsockopt(handle, SOL_SOCKET, name, value, [4]) !== 0) return null;
  return new DataView(value.buffer).getInt32(0, true);
}

function address(handle: number, query: typeof ws2_32.getsockname): Uint8Array | null {
  const name = new Uint8Array(SOCKADDR_STORAGE_SIZE);
  const length: [number] = [SOCKADDR_STORAGE_SIZE];
  if (query(handle, name, length) !== 0) return null;
  return name.subarray(0, Math.min(length[0], SOCKADDR_STORAGE_SIZE));
}

function socketFacts(handle: number): SocketFacts | null {
  const type = intOption(handle, SO_TYPE);
  if (type === null) return null;
  const local = address(handle, ws2_32.getsockname);
  // An unbound socket (libuv keeps a few ready for AcceptEx) has no address to match.
  if (local === null) return null;
  return { type, local, peer: address(handle, ws2_32.getpeername), listening: intOption(handle, SO_ACCEPTCONN) === 1 };
}

/** The address bytes and port of a Windows sockaddr, as a comparable key ('' when not IP). */
function endpointKey(sa: Uint8Array): string {
  try {
    const info = parseSockaddr(sa);
    const bytes = info.family === AF_INET ? sa.subarray(4, 8) : sa.subarray(8, 24);
    return `${info.family}/${Buffer.from(bytes).toString('hex')}/${info.port}`;
  } catch {
    return '';
  }
}

/** The same key for an endpoint Node reports (its text may carry an IPv6 zone name: dropped). */
function nodeEndpointKey(endpoint: { address: string; port: number }): string {
  try {
    const percent = endpoint.address.indexOf('%');
    return endpointKey(sockaddr(percent < 0 ? endpoint.address : endpoint.address.slice(0, percent), endpoint.port));
  } catch {
    return '';
  }
}

function matches(facts: SocketFacts, type: number, view: NodeSocketView): boolean {
  if (facts.type !== type || facts.listening !== view.listening) return false;
  if (endpointKey(facts.local) !== nodeEndpointKey(view.local)) return false;
  if (view.remote === null) return facts.peer === null;
  return facts.peer !== null && endpointKey(facts.peer) === nodeEndpointKey(view.remote);
}

/** The view a caller's `identify` gives, or null for anything unusable (it may throw: no socket). */
function viewOf(identify: () => NodeSocketView | null): NodeSocketView | null {
  try {
    const view = identify();
    const endpoint = (e: unknown): boolean => e !== null && typeof e === 'object'
      && typeof (e as { address?: unknown }).address === 'string' && Number.isInteger((e as { port?: unknown }).port);
    if (view === null || typeof view !== 'object' || !endpoint(view.local)) return null;
    if (view.remote !== null && !endpoint(view.remote)) return null;
    return { local: { ...view.local }, remote: view.remote && { ...view.remote }, listening: view.listening === true };
  } catch {
    return null;
  }
}

/** The object type index of socket handles on this system (0 where the handle list has none). */
let socketObjectType: number | undefined;

function socketTypeIndex(handles: HandleEntry[], probe: number): number {
  if (socketObjectType === undefined) {
    const own = handles.find((entry) => entry.handle === probe);
    if (own === undefined) return 0;
    socketObjectType = own.objectType;
  }
  return socketObjectType;
}

type Found = { handle: number; facts: SocketFacts } | { error: number };

/** The one socket handle of this process that matches `view` (see the module comment). */
function find(type: number, view: NodeSocketView): Found {
  // A socket of our own, alive while the list is taken, shows which object type sockets have.
  const probe: number = ws2_32.socket(AF_INET, type, 0);
  let handles: HandleEntry[] | null;
  try {
    handles = ownHandles();
  } finally {
    if (probe !== INVALID_SOCKET) ws2_32.closesocket(probe);
  }
  if (handles === null) return { error: WSAEOPNOTSUPP };
  const objectType = probe === INVALID_SOCKET ? 0 : socketTypeIndex(handles, probe);
  const found: Array<{ handle: number; facts: SocketFacts }> = [];
  for (const { handle, objectType: entryType } of handles) {
    if (handle === probe || (objectType !== 0 && entryType !== objectType) || !overlappedFile(handle)) continue;
    const facts = socketFacts(handle);
    if (facts !== null && matches(facts, type, view)) found.push({ handle, facts });
  }
  if (found.length === 0) return { error: WSAENOTSOCK };
  if (found.length > 1) return { error: WSAETOOMANYREFS };
  return found[0]!;
}

// ---- borrowed SOCKETs --------------------------------------------------------------------------

/**
 * Borrowed SOCKETs are numbers of their own, far above any handle value Windows gives out (handle
 * tables hold at most 2^24 entries, values are multiples of 4), so that closesocket on one can
 * only detach it and never reaches Node's socket.
 */
const BORROWED_BASE = 2 ** 40;
const BORROWED_STEP = 4;
let nextBorrowed = BORROWED_BASE;

interface Borrowed {
  handle: number;
  type: number;
  facts: SocketFacts;
  identify: () => NodeSocketView | null;
  /** FIONBIO on a borrowed SOCKET is this flag only: Node's socket stays non-blocking. */
  nonBlocking: boolean;
}

const borrowed = new Map<SOCKET, Borrowed>();

const sameBytes = (a: Uint8Array | null, b: Uint8Array | null): boolean =>
  a === null || b === null ? a === b : Buffer.from(a).equals(Buffer.from(b));

/**
 * The native handle behind a borrowed SOCKET, checked now: Node still holds the same open socket
 * with the same addresses, and the handle is still that socket. INVALID_SOCKET otherwise (ws2_32
 * then answers WSAENOTSOCK). Any other value is returned as it is.
 */
export function resolveBorrowed(s: SOCKET): number {
  const entry = borrowed.get(s);
  if (entry === undefined) return s;
  const view = viewOf(entry.identify);
  if (view === null || !matches(entry.facts, entry.type, view)) return INVALID_SOCKET;
  const now = socketFacts(entry.handle);
  if (now === null || now.type !== entry.type || now.listening !== entry.facts.listening
    || !sameBytes(now.local, entry.facts.local) || !sameBytes(now.peer, entry.facts.peer)) {
    return INVALID_SOCKET;
  }
  return entry.handle;
}

/** The borrowed record of `s`, if it is one (closesocket, FIONBIO). */
export function borrowedSocket(s: SOCKET): Borrowed | undefined {
  return borrowed.get(s);
}

/** closesocket on a borrowed SOCKET: forget it; Node's socket stays open. */
export function detachBorrowed(s: SOCKET): void {
  borrowed.delete(s);
}

/** Windows SOCK_* values this module adopts. */
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;

/**
 * adoptNodeHandle on Windows: `resolveFd` is of no use (Node answers -1); `identify` tells what the
 * Node object reports. Returns the borrowed SOCKET, or an error: WSAEINVAL without `identify` or
 * with a type other than stream / datagram, WSAENOTSOCK when the Node socket is closed or no handle
 * matches, WSAETOOMANYREFS when several do, WSAEOPNOTSUPP when the handle list is unavailable,
 * WSAEINVAL again when `af` / `protocol` disagree with the socket found.
 */
export function adoptBorrowed(af: number, type: number, protocol: number,
  identify: (() => NodeSocketView | null) | undefined): { socket: SOCKET } | { error: number } {
  if (typeof identify !== 'function' || (type !== SOCK_STREAM && type !== SOCK_DGRAM)) return { error: WSAEINVAL };
  const view = viewOf(identify);
  if (view === null) return { error: WSAENOTSOCK };
  const found = find(type, view);
  if ('error' in found) return found;
  const family = new DataView(found.facts.local.buffer, found.facts.local.byteOffset, 2).getUint16(0, true);
  const actualProtocol = type === SOCK_STREAM ? 6 : 17;
  if ((af !== 0 && af !== family) || (protocol !== 0 && protocol !== actualProtocol) || (family !== AF_INET && family !== AF_INET6)) {
    return { error: WSAEINVAL };
  }
  const s = nextBorrowed;
  nextBorrowed += BORROWED_STEP;
  borrowed.set(s, { handle: found.handle, type, facts: found.facts, identify, nonBlocking: true });
  return { socket: s };
}
