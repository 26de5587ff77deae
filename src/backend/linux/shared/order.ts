/**
 * Issue order of a shared socket's pending transfers across JS threads (docs/process-wide-handles.md
 * §8, §15): per direction, each pending receive (or send) takes a ticket when it is queued, and only
 * the operation whose ticket is the socket's turn may call the kernel. Within a thread the queues of
 * data-path/pending.ts keep their own FIFO (a thread's tickets rise in its queue order), so this only
 * decides between threads: two threads' receives on one socket take the data in issue order.
 *
 * When an operation ends (completed, cancelled, its socket closed, its thread gone) its ticket is
 * marked done, and the turn moves past every done ticket; the thread owning the new turn is rung
 * (its doorbell) when it is another thread, since the kernel's edge may already have passed it.
 *
 * Words (in the socket record, shared/sockets.ts, from ORDER): per direction, the next ticket, the
 * turn, then for each of WINDOW places the ticket + 1 done there and its owner's thread slot + 1.
 * A done mark holds its ticket's number, so a late mark can never be mistaken for a later ticket's.
 * At most WINDOW operations per direction are ordered at once; one queued beyond gets no ticket
 * (-1) and is ordered within its thread only.
 */
import { mySlot, noteTurnFor, ring } from './threads.js';
import { regionIfUsed } from './region.js';

export const WINDOW = 32;
/** First word of the order area in a socket record; one direction's area is DIRECTION_WORDS long. */
export const ORDER = 112;
const DIRECTION_WORDS = 2 + 2 * WINDOW;
export const ORDER_WORDS = 2 * DIRECTION_WORDS;
/** Tickets count modulo 2^30 (never negative: -1 is "not ordered"). */
const MASK = 0x3fffffff;
const NEXT = 0;
const TURN = 1;
const DONE = 2;
const OWNER = 2 + WINDOW;

/** A socket's words: its record (or a private copy: then nothing is ordered). */
export interface OrderedSocket {
  readonly w: Int32Array;
  readonly at: number;
  readonly record: number;
}

export type Direction = 0 | 1;
export const RECEIVE: Direction = 0;
export const SEND: Direction = 1;

const base = (sock: OrderedSocket, direction: Direction): number => sock.at + ORDER + direction * DIRECTION_WORDS;

/** A ticket for an operation queued now (-1: not ordered across threads). */
export function takeTicket(sock: OrderedSocket, direction: Direction): number {
  const slot = mySlot();
  if (sock.record < 0 || slot < 0) return -1;
  const { w } = sock;
  const at = base(sock, direction);
  for (let next = Atomics.load(w, at + NEXT); ;) {
    if (((next - Atomics.load(w, at + TURN)) & MASK) >= WINDOW) return -1;
    const seen = Atomics.compareExchange(w, at + NEXT, next, (next + 1) & MASK);
    if (seen === next) {
      Atomics.store(w, at + OWNER + (next % WINDOW), slot + 1);
      return next;
    }
    next = seen;
  }
}

/** Whether an operation with `ticket` may call the kernel now. */
export function isTurn(sock: OrderedSocket, direction: Direction, ticket: number): boolean {
  return ticket < 0 || sock.record < 0 || Atomics.load(sock.w, base(sock, direction) + TURN) === ticket;
}

/** Whether any thread has an ordered operation of `direction` queued on the socket. */
export function orderedPending(sock: OrderedSocket, direction: Direction): boolean {
  if (sock.record < 0) return false;
  const at = base(sock, direction);
  return Atomics.load(sock.w, at + NEXT) !== Atomics.load(sock.w, at + TURN);
}

/**
 * The operation with `ticket` ended: the turn moves past it (and past every done ticket after it).
 * True when the new turn is an operation of this thread (its queue may need driving: no edge will
 * come for data already there); another thread's is rung.
 */
export function finishTicket(sock: OrderedSocket, direction: Direction, ticket: number): boolean {
  if (ticket < 0 || sock.record < 0) return false;
  Atomics.store(sock.w, base(sock, direction) + DONE + (ticket % WINDOW), ticket + 1);
  return advance(sock.w, base(sock, direction));
}

/** Move the turn past done tickets; whether the new turn is this thread's. */
function advance(w: Int32Array, at: number): boolean {
  for (;;) {
    const turn = Atomics.load(w, at + TURN);
    if (turn === Atomics.load(w, at + NEXT)) return false;
    if (Atomics.load(w, at + DONE + (turn % WINDOW)) !== turn + 1) return ringOwner(w, at, turn);
    Atomics.compareExchange(w, at + TURN, turn, (turn + 1) & MASK);
  }
}

/** The operation with `turn` may go now: tell its thread when it is another one; whether it is this one. */
function ringOwner(w: Int32Array, at: number, turn: number): boolean {
  const owner = Atomics.load(w, at + OWNER + (turn % WINDOW)) - 1;
  const r = regionIfUsed();
  if (owner === mySlot()) return true;
  if (owner < 0 || r === null) return false;
  noteTurnFor(r, owner);
  ring(r, owner);
  return false;
}

/**
 * A thread is gone (reaped): its tickets in the record at `recordAt` are done, so the others' go on.
 * `mine`: the turn came to this thread (its queues that waited for it need driving); `receives`:
 * how many of the finished tickets were receives (the socket's count of pending receives drops).
 */
export function finishTicketsOf(w: Int32Array, recordAt: number, slot: number): { mine: boolean; receives: number } {
  let mine = false;
  let receives = 0;
  for (const direction of [RECEIVE, SEND]) {
    const at = recordAt + ORDER + direction * DIRECTION_WORDS;
    const next = Atomics.load(w, at + NEXT);
    for (let ticket = Atomics.load(w, at + TURN); ticket !== next; ticket = (ticket + 1) & MASK) {
      const place = ticket % WINDOW;
      if (Atomics.load(w, at + OWNER + place) !== slot + 1 || Atomics.load(w, at + DONE + place) === ticket + 1) continue;
      Atomics.store(w, at + DONE + place, ticket + 1);
      if (direction === RECEIVE) receives++;
    }
    if (advance(w, at)) mine = true;
  }
  return { mine, receives };
}
