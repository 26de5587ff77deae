/** `wsaioctl sort`, run through the built CLI with captured output. Loopback addresses only. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';

const run = runCli;

interface SortJson {
  backend: string;
  sorted: Array<{ address: string; source: string | null; rule: number | null; ruleName: string | null }>;
  dropped: string[];
}

describe('wsaioctl sort', () => {
  test('--json: ::1 before IPv4 loopback (Rule 6), each with its source; a zoneless link-local is dropped', async () => {
    const r = await run('sort', '--json', '127.0.0.1', 'fe80::1', '::1');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as SortJson;
    assert.equal(json.backend, 'linux-emulation');
    assert.deepEqual(json.sorted, [
      { address: '::1', source: '::1', rule: 6, ruleName: 'prefer higher precedence' },
      { address: '127.0.0.1', source: '127.0.0.1', rule: null, ruleName: null },
    ]);
    assert.deepEqual(json.dropped, ['fe80::1']);
  });

  test('text: a table with the order, the sources and the deciding rule', async () => {
    const r = await run('sort', '127.0.0.1', '::1');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^#\s+address\s+source\s+ahead of the next by$/);
    assert.match(lines[2]!, /^1\s+::1\s+::1\s+rule 6: prefer higher precedence$/);
    assert.match(lines[3]!, /^2\s+127\.0\.0\.1\s+127\.0\.0\.1\s+-$/);
  });

  test('an unusable destination is listed last with no source (Rule 1)', async () => {
    // lo carries no link-local address, so fe80::1 with lo's zone has no route and no source.
    const r = await run('sort', '--json', 'fe80::1%lo', '127.0.0.1');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as SortJson;
    assert.deepEqual(json.sorted.map((e) => [e.address.replace(/%\d+$/, '%lo'), e.source, e.rule]), [
      ['127.0.0.1', '127.0.0.1', 1],
      ['fe80::1%lo', null, null],
    ]);
  });

  test('usage errors exit 2: no address, a name that is not an address, an unknown zone', async () => {
    for (const argv of [['sort'], ['sort', 'example.org'], ['sort', 'fe80::1%no-such-if0']]) {
      const r = await run(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /usage: wsaioctl sort/);
      assert.equal(r.out, '');
    }
  });

  test('--help and the command list', async () => {
    const help = await run('sort', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: wsaioctl sort <address/);
    const overview = await run('--help');
    assert.match(overview.out, /^ {2}sort +Sort destination addresses/m);
  });
});
