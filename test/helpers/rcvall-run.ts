/**
 * Run one scenario of rcvall-child.ts in a fresh network namespace and return its facts (the
 * child's one JSON line); fails with the child's stderr when it did not finish.
 */
import assert from 'node:assert/strict';
import { runInNetns } from './netns-run.js';

const CHILD = new URL('./rcvall-child.js', import.meta.url);

export async function scenario<T = Record<string, unknown>>(name: string): Promise<T> {
  const run = await runInNetns(CHILD, [name], 60_000);
  assert.equal(run.code, 0, `scenario ${name}: exit ${run.code} ${run.signal ?? ''}\n${run.stderr}`);
  assert.equal(run.results.length, 1, `scenario ${name}: one result line\n${run.stdout}`);
  return run.results[0] as T;
}

export interface Packet { length: number; first: number; protocol: number; src: string; dst: string; from: string; fromPort: number; fromScope: number; bytes: number[] }
export interface Outcome { rc: number; error: number; bytes?: number }
