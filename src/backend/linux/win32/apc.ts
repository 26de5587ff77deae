/**
 * This thread's queue of user APCs: completion routines waiting for an alertable wait. A module
 * instance exists per JS thread (main thread or Worker), so the queue is the issuing thread's own
 * and a routine can only ever run on the thread that started its operation (docs/principles.md, principle 6).
 */

import { kick } from '../loop/scheduler.js';
import type { Alerts } from '../loop/wait.js';

type Apc = () => void;

const queue: Apc[] = [];

export function queueApc(apc: Apc): void {
  queue.push(apc);
  // Async alertable waits look again.
  kick();
}

/**
 * Alertable waits nested inside completion routines that run APCs themselves. Windows has no such
 * limit, but each level costs JS stack: past this depth a nested alertable wait sees no APC (they
 * stay queued, and the outer waits run them as the routines return), so a deep chain of routines
 * that wait alertably never overflows the stack with a routine taken off the queue and not run.
 */
export const MAX_APC_NESTING = 128;
let nesting = 0;

export function apcPending(): boolean {
  return queue.length > 0 && nesting < MAX_APC_NESTING;
}

/** Most APCs one alertable wait runs, including ones queued by the routines themselves. */
const MAX_PER_WAIT = 1_000_000;

/**
 * Run every queued APC, oldest first, as an alertable wait does before it returns
 * WAIT_IO_COMPLETION. Each is taken off the queue before it runs, so it runs exactly once even if
 * it throws or waits alertably itself. An exception from a routine is rethrown on a later turn
 * (as an uncaught exception, like a crash in a Windows APC), never out of the Winsock call.
 * Returns how many ran.
 */
export function runApcs(): number {
  if (nesting >= MAX_APC_NESTING) return 0;
  nesting++;
  let ran = 0;
  try {
    while (queue.length > 0 && ran < MAX_PER_WAIT) {
      const apc = queue.shift()!;
      try {
        apc();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
      ran++;
    }
  } finally {
    nesting--;
  }
  return ran;
}

/** Drop every queued APC (the thread is exiting: nothing can run them any more). */
export function discardApcs(): void {
  queue.length = 0;
}

/** This queue as the waits of loop/wait.ts see it. */
export const threadAlerts: Alerts = { pending: apcPending, run: runApcs };
