/**
 * The file HANDLEs `_get_osfhandle` gave (transmit.ts): Node's, as a borrowed socket is
 * (docs/principles.md, principle 3). CloseHandle (overlapped.ts) forgets such a HANDLE and leaves
 * it open: Node closes its fd itself.
 */
const borrowedFiles = new Set<number>();

/** `handle` is the HANDLE behind a Node fd. */
export function noteBorrowedFile(handle: number): void {
  borrowedFiles.add(handle);
}

/** CloseHandle on a HANDLE of Node's fd: forgotten here, never closed (true when it was one). */
export function closesBorrowedFile(hObject: unknown): boolean {
  return typeof hObject === 'number' && borrowedFiles.delete(hObject);
}
