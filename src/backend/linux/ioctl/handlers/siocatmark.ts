/**
 * SIOCATMARK: TRUE (1) when no urgent data waits to be read, FALSE (0) when some does. Output is
 * a 4-byte BOOL, with the buffer rules of FIONREAD.
 *
 * Windows facts relied on (Wine dlls/ws2_32/tests/sock.c, test_fionread_siocatmark; Windows is
 * what the lines without todo_wine / todo_oob assert):
 * - output shorter than 4 bytes: WSAEFAULT, *lpcbBytesReturned untouched; success returns 4;
 * - fresh, bound and connected sockets with nothing urgent: TRUE; normal data alone: TRUE;
 * - SO_OOBINLINE off: FALSE from the arrival of an urgent byte until it is read with MSG_OOB
 *   (reading the normal data around it does not change that), then TRUE again;
 * - SO_OOBINLINE on: an urgent byte that arrives while it is on is plain data and the answer stays
 *   TRUE (so the reference page's "only meaningful with SO_OOBINLINE" is not how Windows behaves);
 *   an urgent byte that was already waiting when SO_OOBINLINE was switched on keeps the answer
 *   FALSE until a normal receive has read it.
 * - Message sockets: no measured fact found. They cannot carry urgent data, and TRUE is Windows'
 *   answer whenever none is waiting (even on unconnected stream sockets), so they answer TRUE.
 *
 * Linux SIOCATMARK means something else (the read position is at the urgent byte), so it is only
 * used as a helper (urgent.ts). Not emulated: Windows queues several urgent bytes, Linux keeps the
 * latest only; and after SO_OOBINLINE goes on, a newer urgent byte arriving before the older one is
 * read cannot be told apart from it.
 */
import * as C from '../../../../winsock/constants.js';
import { WSAEFAULT } from '../../../../errors/index.js';
import { SIOCATMARK } from '../../../../codes/index.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { queueCounts, slotQueued, urgentPending } from '../../sockets/urgent.js';
import { oobInline } from '../../host/socket-facts.js';
import { done, UNTOUCHED, type IoctlHandler } from '../types.js';
import { outputAtLeast } from '../checks.js';
import { writeU32 } from '../buffers.js';

function urgentWaiting(sock: LinuxSocket): boolean {
  if (sock.type !== C.SOCK_STREAM) return false;
  const fd = sock.fd;
  if (!oobInline(fd)) {
    sock.urgentBeforeInline = false;
    return urgentPending(fd);
  }
  if (!sock.urgentBeforeInline) return false;
  // A byte that was urgent before SO_OOBINLINE went on: urgent until the reader has passed it.
  const counts = queueCounts(fd, true);
  if ('all' in counts && slotQueued(counts)) return true;
  sock.urgentBeforeInline = false;
  return false;
}

export const siocatmark: IoctlHandler = {
  name: 'SIOCATMARK',
  code: SIOCATMARK,
  checks: [outputAtLeast(4, WSAEFAULT, UNTOUCHED)],
  run({ sock, output }) {
    writeU32(output, 0, urgentWaiting(sock) ? 0 : 1);
    return done(4);
  },
};
