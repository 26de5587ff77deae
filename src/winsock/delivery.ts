/**
 * How Windows delivers a finished overlapped operation: one rule, used by both backends (the
 * Linux emulation performs the delivery, the Windows backend keeps its bookkeeping in step with
 * what ws2_32 will do). Pure: no I/O, no koffi.
 *
 * Each operation that started (it pended, or completed at once) is delivered exactly once:
 * - WSAOVERLAPPED.Internal receives the final NTSTATUS, InternalHigh the information (bytes);
 * - with a completion routine, the routine is queued as an APC for the issuing thread's next
 *   alertable wait, and nothing else happens (hEvent is the caller's to use);
 * - without one, hEvent with its low bit cleared is signalled (when it names an event), and a
 *   completion packet is queued when the socket is associated with a completion port and hEvent's
 *   low bit is clear (setting the bit is how a caller keeps one operation off the port).
 * A call that fails at once delivers nothing.
 */
import type { WSAOVERLAPPED } from './types.js';

/** What the issuing call knows about where its result goes. */
export interface DeliveryTarget<H extends number | bigint> {
  /** lpCompletionRoutine was given. */
  readonly hasRoutine: boolean;
  /** WSAOVERLAPPED.hEvent as the backend reads a HANDLE (a number, or the 64 bits as a bigint); 0: none. */
  readonly hEvent: H;
  /** The socket is associated with a completion port. */
  readonly portAssociated: boolean;
}

/** What to do with the result. */
export interface Delivery<H extends number | bigint> {
  /** Queue the completion routine as an APC for the issuing thread's next alertable wait. */
  readonly apc: boolean;
  /** The event to signal: hEvent with its low bit cleared; 0 for none (also with a routine). */
  readonly event: H;
  /** Queue a completion packet to the socket's completion port. */
  readonly packet: boolean;
}

/** The delivery of an operation issued with `target` (see the module comment). */
export function deliveryOf<H extends number | bigint>(target: DeliveryTarget<H>): Delivery<H> {
  const { hasRoutine, hEvent, portAssociated } = target;
  if (typeof hEvent === 'bigint') {
    if (hasRoutine) return { apc: true, event: 0n as H, packet: false };
    return { apc: false, event: (hEvent & ~1n) as H, packet: portAssociated && (hEvent & 1n) === 0n };
  }
  if (hasRoutine) return { apc: true, event: 0 as H, packet: false };
  return { apc: false, event: (hEvent & ~1) as H, packet: portAssociated && (hEvent & 1) === 0 };
}

/**
 * The IO_STATUS_BLOCK a WSAOVERLAPPED carries: Internal = the NTSTATUS (32 bits), InternalHigh =
 * the information (a ULONG_PTR, given as the backend read it).
 */
export function writeIoStatus(ov: WSAOVERLAPPED, status: number, information: number): void {
  ov.Internal = status >>> 0;
  ov.InternalHigh = information;
}
