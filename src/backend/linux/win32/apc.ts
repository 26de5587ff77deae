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

export function apcPending(): boolean {
  return queue.length > 0;
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
  let ran = 0;
  while (queue.length > 0 && ran < MAX_PER_WAIT) {
    const apc = queue.shift()!;
    ran++;
    try {
      apc();
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  return ran;
}

/** Drop every queued APC (the thread is exiting: nothing can run them any more). */
export function discardApcs(): void {
  queue.length = 0;
}

/** This queue as the waits of loop/wait.ts see it. */
export const threadAlerts: Alerts = { pending: apcPending, run: runApcs };
