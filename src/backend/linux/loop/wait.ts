/**
 * Blocking waits for Winsock's blocking mode. The host fd is non-blocking, so a "blocking" call
 * retries after poll() says the fd is ready; poll() blocks this JS thread in the kernel and costs
 * no CPU while it waits.
 */
import * as libc from '../host/libc.js';
import { L, E } from '../host/libc.js';

const pollfd = new Uint8Array(8);
const pollView = new DataView(pollfd.buffer);

/**
 * Wait until `fd` reports one of `events` (or an error / hang-up). Returns the revents bits,
 * 0 on time-out. `timeoutMs` <= 0 waits forever. EINTR restarts with the time that is left.
 */
export function waitFd(fd: number, events: number, timeoutMs = 0): number {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    pollView.setInt32(0, fd, true);
    pollView.setInt16(4, events, true);
    pollView.setInt16(6, 0, true);
    const left = deadline === Infinity ? -1 : Math.max(0, deadline - Date.now());
    const n = libc.poll(pollfd, 1, left);
    if (n > 0) return pollView.getUint16(6, true);
    if (n === 0) return 0;
    if (libc.errno() !== E.EINTR) return L.POLLERR;
  }
}
