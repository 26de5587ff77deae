/**
 * The catalogue says the truth (issue 18 §3): the README's status counts are the support table's,
 * every `approximated` code is explained in the README's approximation section, and no refusal
 * lacks its reason (or, for Windows' own refusals, its source).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as codes from 'wsaioctl/codes';
import { ROOT } from './helpers/netns.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README section under `heading` (up to the next heading of the same or a higher level). */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has '${heading}'`);
  const level = /^#+/.exec(heading)![0].length;
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

describe('README and the support table', () => {
  test('the README counts are the table\'s', () => {
    const sentence = /Of the (\d+) catalogued codes, the Linux emulation implements (\d+), approximates (\d+), refuses (\d+) as\s+Windows itself refuses them, and does not implement (\d+)\./.exec(readme);
    assert.ok(sentence, 'README states the counts');
    const counts = codes.linuxSupportCounts();
    assert.deepEqual(sentence.slice(1).map(Number), [
      codes.allCodes().length, counts.implemented, counts.approximated, counts['windows-refuses'], counts['not-implemented'],
    ], 'README counts (total, implemented, approximated, windows-refuses, not-implemented)');
  });

  test('every approximated code is explained in the approximation section', () => {
    const approximations = section('## Where the Linux emulation approximates Windows');
    const missing = codes.namesWithLinuxSupport('approximated').filter((name) => !new RegExp(`\\b${name}\\b`).test(approximations));
    assert.deepEqual(missing, [], 'approximated codes the README does not explain');
  });

  test('every refusal carries its reason, and every Windows refusal its source', () => {
    for (const name of codes.namesWithLinuxSupport('not-implemented')) {
      assert.ok(codes.supportTable[name].note.length > 10, `${name} says why it is not implemented`);
    }
    for (const name of codes.namesWithLinuxSupport('windows-refuses')) {
      assert.match(codes.supportTable[name].source ?? '', /Wine|Microsoft|fact sheet|presumed/, `${name} names its source`);
    }
  });
});
