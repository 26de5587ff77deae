/**
 * A second JS thread for the scenarios about handles shared by a process's threads: a Worker
 * (lib/other-thread-worker.ts) that calls Winsock on the handles the scenario made. On Windows
 * every handle belongs to the process; the emulation makes them so (docs/process-wide-handles.md).
 */
import { Worker } from 'node:worker_threads';
import type { Value } from './types.js';

/** Longest the other thread may take to start or to answer (a Worker under Wine starts slowly). */
const ANSWER_MS = 8_000;

export class OtherThread {
  private next = 1;
  private readonly answers = new Map<number, (value: Value) => void>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', ({ id, result }: { id: number; result: Value }) => {
      this.answers.get(id)?.(result);
      this.answers.delete(id);
    });
  }

  /** A started thread, once it has called WSAStartup. */
  static async start(): Promise<OtherThread> {
    const worker = new Worker(new URL('./other-thread-worker.js', import.meta.url));
    const thread = new OtherThread(worker);
    const ready = new Promise<Value>((resolve) => thread.answers.set(0, resolve));
    await bounded(ready, 'start');
    return thread;
  }

  /**
   * Asks for one call, made `delayMs` after the message arrives (so the main thread can be inside a
   * blocking wait by then); the promise is its answer.
   */
  call(step: string, args: Record<string, number | string>, delayMs = 0): Promise<Value> {
    const id = this.next++;
    const answer = new Promise<Value>((resolve) => this.answers.set(id, resolve));
    this.worker.postMessage({ id, step, args, delayMs });
    return bounded(answer, step);
  }

  async end(): Promise<void> {
    await this.worker.terminate();
  }
}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`the other thread did not answer ${what} within ${ANSWER_MS} ms`)), ANSWER_MS); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
