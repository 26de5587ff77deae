/**
 * WSAIoctl in overlapped mode (an overlapped socket and a WSAOVERLAPPED): how the outcome a
 * handler declares (types.ts OverlappedBehaviour) is delivered, by event, completion routine or
 * completion port (win32/operations.ts).
 *
 * Windows facts (Wine's dlls/ws2_32/tests/sock.c, lines that pass on Windows), per outcome:
 * - Completes at once (FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS,
 *   SIO_GET_EXTENSION_FUNCTION_POINTER, SIO_ADDRESS_LIST_QUERY, SIO_ROUTING_INTERFACE_QUERY):
 *   returns 0 with *lpcbBytesReturned set; Internal = 0 and InternalHigh = 0; the completion packet
 *   carries 0 bytes and the routine gets cbTransferred 0 (the information of such a completion is
 *   0 even when output was written).
 * - Fails before it starts (null lpcbBytesReturned, a size rule, a bad GUID): returns SOCKET_ERROR
 *   with that error, Internal and InternalHigh untouched, no packet, no routine, event untouched.
 * - SIO_GET_INTERFACE_LIST (`always-pends`) always pends (SOCKET_ERROR + WSA_IO_PENDING, *lpcbBytesReturned
 *   untouched) and completes later with InternalHigh and the packet's byte count = the list size;
 *   even a too-small output pends, then completes with STATUS_BUFFER_TOO_SMALL (packet: FALSE +
 *   ERROR_INSUFFICIENT_BUFFER, routine: WSAEFAULT) and 0 bytes.
 * - `not-supported`: SIO_BASE_HANDLE (and, inferred, SIO_BSP_HANDLE / _SELECT) and codes the provider
 *   does not know pend and complete with
 *   STATUS_NOT_SUPPORTED (packet: ERROR_NOT_SUPPORTED, routine: WSAEOPNOTSUPP), 0 bytes, output
 *   untouched; the routine runs at the very next alertable wait (SleepEx(0, TRUE)).
 * - SIO_ADDRESS_LIST_CHANGE pends whatever the blocking mode; closesocket then completes it with
 *   STATUS_CANCELLED (packet ERROR_OPERATION_ABORTED).
 */
import * as W from '../../../errors/index.js';
import type { LPWSAOVERLAPPED_COMPLETION_ROUTINE, Ref, WSAOVERLAPPED } from '../../../winsock/types.js';
import { fail, ok } from '../win32/last-error.js';
import { complete, deliver, hEventOf, startPending } from '../win32/operations.js';
import { defer } from '../loop/deferred.js';
import { finish, outcomeOf, overlappedBehaviour } from './outcome.js';
import { UNTOUCHED, type IoctlCall, type IoctlDone, type IoctlHandler } from './types.js';

const statusOf = (result: IoctlDone): number => (result.error === 0 ? W.STATUS_SUCCESS : W.wsaErrorToNtStatus(result.error));

export function startOverlapped(
  handler: IoctlHandler,
  call: IoctlCall,
  bytesReturned: Ref<number>,
  ov: WSAOVERLAPPED,
  routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null,
): number {
  const { sock } = call;
  const behaviour = overlappedBehaviour(handler);

  if (behaviour.kind === 'not-supported') {
    // The kernel answered before the call returned: pend, then complete "not supported" at once.
    const op = startPending(sock, ov, routine);
    complete(op, W.STATUS_NOT_SUPPORTED, 0);
    return fail(W.WSA_IO_PENDING);
  }

  const outcome = outcomeOf(handler, call);

  if (behaviour.kind === 'always-pends') {
    const result: IoctlDone = 'wait' in outcome ? outcome.wait.check() ?? { error: W.WSAEINVAL, bytes: 0 } : outcome;
    const status = result.error === W.WSAEFAULT ? W.STATUS_BUFFER_TOO_SMALL : statusOf(result);
    const information = result.error === 0 && result.bytes !== UNTOUCHED ? result.bytes : 0;
    const op = startPending(sock, ov, routine);
    defer(() => complete(op, status, information));
    return fail(W.WSA_IO_PENDING);
  }

  if (!('wait' in outcome)) {
    if (outcome.error !== 0) {
      if (outcome.byCheck === 'size' && behaviour.kind === 'as-run' && behaviour.sizeChecksAfterStart) {
        ov.Internal = W.STATUS_PENDING;
        return fail(outcome.error);
      }
      return finish(bytesReturned, outcome);
    }
    return completedAtOnce(handler, call, ov, routine, outcome, bytesReturned);
  }

  // An operation that has to wait: pending until its wait says it is done. A change notification's
  // check() is null at first, so it always pends first, as on Windows.
  const now = outcome.wait.check();
  if (now) {
    if (now.error !== 0) return finish(bytesReturned, now);
    return completedAtOnce(handler, call, ov, routine, now, bytesReturned);
  }
  const op = startPending(sock, ov, routine);
  let subscribed = false;
  let finishedEarly = false;
  const wake = (): void => {
    if (op.done) return;
    const result = outcome.wait.check();
    if (!result) return;
    if (!subscribed) {
      finishedEarly = true;
      return;
    }
    complete(op, statusOf(result), result.bytes === UNTOUCHED ? 0 : result.bytes);
  };
  op.release = outcome.wait.subscribe(wake);
  subscribed = true;
  if (finishedEarly) wake();
  return fail(W.WSA_IO_PENDING);
}

/** Success at once: *lpcbBytesReturned as the handler declares, then delivery with 0 bytes. */
function completedAtOnce(handler: IoctlHandler, call: IoctlCall, ov: WSAOVERLAPPED, routine: LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, result: IoctlDone, bytesReturned: Ref<number>): number {
  const behaviour = overlappedBehaviour(handler);
  const leave = behaviour.kind === 'as-run' && behaviour.successLeavesBytes === true && routine === null;
  if (result.bytes !== UNTOUCHED && !leave) bytesReturned.value = result.bytes;
  deliver(call.sock, ov, routine, hEventOf(ov), W.STATUS_SUCCESS, 0);
  return ok(0);
}
