/**
 * This library's own WSAStartup count, kept beside the native one.
 *
 * Node's libuv calls WSAStartup when the process starts, so the native count is never 0 for
 * our caller: without a count of our own, a program that skipped WSAStartup would work where
 * Windows says WSANOTINITIALISED, and one WSACleanup too many would take Winsock away from
 * Node itself. So every native WSAStartup that succeeds is counted here, WSACleanup reaches the
 * native one only while the count is positive, and socket functions refuse at 0.
 *
 * The count belongs to one JS thread (one module instance per Worker); Windows keeps one per
 * process.
 */
import { WSANOTINITIALISED } from '../../errors/index.js';
import { ws2_32 } from './ws2_32.js';

let startups = 0;

export const isStarted = (): boolean => startups > 0;
export const countStartup = (): void => void startups++;
export const countCleanup = (): void => void startups--;

/**
 * `fn`, refused while our count is 0: then it returns `failure` (SOCKET_ERROR, INVALID_SOCKET,
 * FALSE, ...) with WSANOTINITIALISED as the last error, before looking at any argument.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function needsStartup<F extends (...args: any[]) => any>(failure: ReturnType<F>, fn: F): F {
  return ((...args: Parameters<F>): ReturnType<F> => {
    if (!isStarted()) {
      ws2_32.WSASetLastError(WSANOTINITIALISED);
      return failure;
    }
    return fn(...args) as ReturnType<F>;
  }) as F;
}
