/**
 * File HANDLEs: what TransmitFile and TransmitPackets send from (sockets/transmit/). A file is
 * opened by CreateFileW (the fd is this thread's own: noteOpened, closed by CloseHandle through
 * closeOwnedFd), or is a Node file descriptor given a HANDLE by `_get_osfhandle` (borrowed, as a
 * socket adopted from Node is: never closed here, docs/principles.md, principle 3).
 *
 * Windows facts (CreateFileW reference page, fileapi.h): the creation dispositions CREATE_NEW (fails
 * with ERROR_FILE_EXISTS when the file exists), CREATE_ALWAYS and OPEN_ALWAYS (succeed with
 * ERROR_ALREADY_EXISTS as the last error when it existed, else 0), OPEN_EXISTING (ERROR_FILE_NOT_FOUND
 * when it does not exist, ERROR_PATH_NOT_FOUND when a directory on the way does not),
 * TRUNCATE_EXISTING (needs GENERIC_WRITE); any other disposition: ERROR_INVALID_PARAMETER. A
 * directory opened without FILE_FLAG_BACKUP_SEMANTICS: ERROR_ACCESS_DENIED. The handle's file
 * pointer is where a read without an offset starts (here: the fd's offset, lseek).
 *
 * Linux approximations (README): the name is a Linux path; share modes, security attributes and
 * the template are not enforced; FILE_FLAG_OVERLAPPED is recorded, not needed (a regular file's
 * reads never block).
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as W from '../../../errors/index.js';
import * as C from '../../../winsock/constants.js';
import type { HANDLE } from '../../../winsock/types.js';
import * as libc from '../host/libc.js';
import { E, L } from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { lookup, register, unregister, type HandleObject } from './handles.js';
import { setLastError } from './last-error.js';

/** A file HANDLE's object. */
export class WinFile implements HandleObject {
  readonly kind = 'file' as const;
  handle = 0;
  closed = false;
  constructor(
    /** The host fd (a borrowed one is Node's). */
    readonly fd: number,
    /** Node's fd, given a HANDLE by `_get_osfhandle`: never closed here. */
    readonly borrowed: boolean,
    /** Opened with FILE_FLAG_OVERLAPPED. */
    readonly overlapped: boolean,
  ) {}
}

/** The borrowed HANDLE of each Node fd (the C runtime gives the same HANDLE for one fd). */
const borrowedByFd = new Map<number, WinFile>();

/** The open file behind a HANDLE, if it is one. A borrowed fd Node has closed: forgotten, undefined. */
export function lookupFile(handle: unknown): WinFile | undefined {
  if (typeof handle !== 'number') return undefined;
  const object = lookup(handle);
  if (object?.kind !== 'file') return undefined;
  const file = object as WinFile;
  if (file.closed) return undefined;
  if (file.borrowed && libc.fcntl(file.fd, L.F_GETFD, 0) < 0) {
    closeFile(file);
    return undefined;
  }
  return file;
}

/** The Win32 error for a failed open(2). */
function openError(errno: number, name: string): number {
  switch (errno) {
    case E.ENOENT:
      // A missing directory on the way: ERROR_PATH_NOT_FOUND; the file itself: ERROR_FILE_NOT_FOUND.
      return fs.existsSync(path.dirname(path.resolve(name))) ? W.ERROR_FILE_NOT_FOUND : W.ERROR_PATH_NOT_FOUND;
    case E.ENOTDIR:
    case E.ELOOP:
      return W.ERROR_PATH_NOT_FOUND;
    case E.EEXIST:
      return W.ERROR_FILE_EXISTS;
    case E.ENAMETOOLONG:
      return W.ERROR_FILENAME_EXCED_RANGE;
    case E.EMFILE:
    case E.ENFILE:
      return W.ERROR_TOO_MANY_OPEN_FILES;
    case E.ENOMEM:
      return W.ERROR_NOT_ENOUGH_MEMORY;
    default:
      // EACCES, EPERM, EISDIR (a directory), EROFS ...
      return W.ERROR_ACCESS_DENIED;
  }
}

const DISPOSITION_FLAGS = new Map<number, number>([
  [C.CREATE_NEW, L.O_CREAT | L.O_EXCL],
  [C.CREATE_ALWAYS, L.O_CREAT | L.O_TRUNC],
  [C.OPEN_EXISTING, 0],
  [C.OPEN_ALWAYS, L.O_CREAT],
  [C.TRUNCATE_EXISTING, L.O_TRUNC],
]);

const dword = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value >>> 0 : 0);

export function CreateFileW(lpFileName: string | null, dwDesiredAccess: number, _dwShareMode: number, _lpSecurityAttributes: null,
  dwCreationDisposition: number, dwFlagsAndAttributes: number, _hTemplateFile: HANDLE): HANDLE {
  const failWith = (error: number): HANDLE => {
    setLastError(error);
    return C.INVALID_HANDLE_VALUE;
  };
  const disposition = DISPOSITION_FLAGS.get(dword(dwCreationDisposition));
  if (disposition === undefined) return failWith(W.ERROR_INVALID_PARAMETER);
  if (typeof lpFileName !== 'string' || lpFileName.length === 0 || lpFileName.includes('\0')) return failWith(W.ERROR_PATH_NOT_FOUND);
  const access = dword(dwDesiredAccess);
  const write = (access & C.GENERIC_WRITE) !== 0;
  if (dword(dwCreationDisposition) === C.TRUNCATE_EXISTING && !write) return failWith(W.ERROR_INVALID_PARAMETER);
  const read = (access & C.GENERIC_READ) !== 0 || !write;
  const mode = read && write ? L.O_RDWR : write ? L.O_WRONLY : L.O_RDONLY;
  const existed = disposition & L.O_CREAT ? fs.existsSync(lpFileName) : false;
  const fd = noteOpened(libc.open(lpFileName, mode | disposition | L.O_CLOEXEC, 'uint32_t', 0o666));
  if (fd < 0) return failWith(openError(libc.errno(), lpFileName));
  // A directory opens on Linux; CreateFileW without FILE_FLAG_BACKUP_SEMANTICS refuses it.
  try {
    if (fs.fstatSync(fd).isDirectory()) {
      closeOwnedFd(fd);
      return failWith(W.ERROR_ACCESS_DENIED);
    }
  } catch {
    // fstat on an fd just opened does not fail; if it did, the file is still usable
  }
  const file = register(new WinFile(fd, false, (dword(dwFlagsAndAttributes) & C.FILE_FLAG_OVERLAPPED) !== 0));
  const alwaysKind = dword(dwCreationDisposition) === C.CREATE_ALWAYS || dword(dwCreationDisposition) === C.OPEN_ALWAYS;
  setLastError(alwaysKind && existed ? W.ERROR_ALREADY_EXISTS : 0);
  return file.handle;
}

/** The C runtime's `_get_osfhandle`: a borrowed HANDLE for a Node fd (the same one while it is open). */
export function _get_osfhandle(fd: number): HANDLE {
  if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff || libc.fcntl(fd, L.F_GETFD, 0) < 0) {
    setLastError(W.ERROR_INVALID_HANDLE);
    return C.INVALID_HANDLE_VALUE;
  }
  const known = borrowedByFd.get(fd);
  if (known && !known.closed) return known.handle;
  const file = register(new WinFile(fd, true, false));
  borrowedByFd.set(fd, file);
  return file.handle;
}

/** CloseHandle on a file: its own fd is closed, a borrowed one only forgotten. */
export function closeFile(file: WinFile): void {
  if (file.closed) return;
  file.closed = true;
  unregister(file.handle);
  if (file.borrowed) {
    if (borrowedByFd.get(file.fd) === file) borrowedByFd.delete(file.fd);
  } else {
    closeOwnedFd(file.fd);
  }
}

/** The file pointer (the fd's offset), or -1. */
export function filePointer(file: WinFile): number {
  return libc.lseek(file.fd, 0, L.SEEK_CUR);
}

/**
 * A reference to the open file that outlives its HANDLE, as the kernel's reference to a file
 * object outlives a handle closed while a transmission reads it: a duplicate fd (the same open
 * file, so the same file pointer), this thread's own, to be given back with `closeOwnedFd`. -1 when
 * the system has no fd left.
 */
export function holdFile(file: WinFile): number {
  return noteOpened(libc.fcntl(file.fd, L.F_DUPFD_CLOEXEC, 0));
}

/** The file's size, or -1 when it is not a regular file. */
export function fileSize(file: WinFile): number {
  try {
    const st = fs.fstatSync(file.fd);
    return st.isFile() ? st.size : -1;
  } catch {
    return -1;
  }
}
