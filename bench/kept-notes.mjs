// The hand-written parts of bench/RESULTS.md: a block between two marker comments that a new run
// of the generated tables keeps as it is (bench/run.mjs, bench/accept-run.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** The block from `start` to `end` (markers included) as RESULTS.md has it now, or null. */
export function keptBlock(start, end) {
  if (!existsSync(RESULTS)) return null;
  const text = readFileSync(RESULTS, 'utf8');
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  return from >= 0 && to > from ? text.slice(from, to + end.length) : null;
}
