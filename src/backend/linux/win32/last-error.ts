/**
 * The per-thread error slot behind WSAGetLastError / WSASetLastError / GetLastError. A module
 * instance exists per JS thread (main thread or Worker), so a module variable is per-thread.
 */
let lastError = 0;

export const getLastError = (): number => lastError;
export const setLastError = (code: number): void => { lastError = code >>> 0 === code ? code : code >>> 0; };

/** Record `code` and return SOCKET_ERROR, the usual failure return of a Winsock function. */
export function fail(code: number): -1 {
  lastError = code;
  return -1;
}

/** Record success (every successful Winsock call clears the slot) and return `value`. */
export function ok<T>(value: T): T {
  lastError = 0;
  return value;
}
