/**
 * Deferred completions: work that Windows always finishes "later" (SIO_GET_INTERFACE_LIST in
 * overlapped mode completes after the call returned). They run at the start of every wait in this
 * thread, or on the next event-loop turn, whichever comes first.
 */
const deferred: Array<() => void> = [];
let scheduled: ReturnType<typeof setImmediate> | null = null;

/** Run `fn` at the next wait in this thread or on the next event-loop turn, whichever is first. */
export function defer(fn: () => void): void {
  deferred.push(fn);
  scheduled ??= setImmediate(() => {
    scheduled = null;
    runDeferred();
  });
}

export function runDeferred(): void {
  while (deferred.length > 0) {
    const fn = deferred.shift()!;
    try {
      fn();
    } catch {
      // A deferred completion never throws by design; a bug must not break the wait that ran it.
    }
  }
}

/** Forget what is still deferred (the thread is exiting). */
export function discardDeferred(): void {
  deferred.length = 0;
  if (scheduled) clearImmediate(scheduled);
  scheduled = null;
}
