/** `wsaioctl decode` and `wsaioctl codes`, run through the built CLI with captured output. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';
import { allCodes, linuxSupportCounts, namesWithLinuxSupport } from 'wsaioctl/codes';

const run = runCli;

async function runJson(...argv: string[]): Promise<unknown> {
  const result = await run(...argv, '--json');
  assert.equal(result.code, 0, result.err);
  return JSON.parse(result.out);
}

describe('wsaioctl decode', () => {
  test('hex value: fields, names, structs, summary, support', async () => {
    const { code, out, err } = await run('decode', '0x98000004');
    assert.equal(code, 0, err);
    assert.match(out, /^0x98000004 {2}SIO_KEEPALIVE_VALS$/m);
    assert.match(out, /direction +in \(IOC_IN\)/);
    assert.match(out, /type +vendor/);
    assert.match(out, /input +tcp_keepalive/);
    assert.match(out, /summary +Turns TCP keep-alive/);
    assert.match(out, /linux +approximated: counterpart: SO_KEEPALIVE/);
    assert.match(out, /windows +implemented/);
  });

  test('decimal, negative (after --) and name forms give the same answer', async () => {
    const byHex = await runJson('decode', '0x8004667E');
    assert.deepEqual(await runJson('decode', '2147772030'), byHex);
    assert.deepEqual(await runJson('decode', 'FIONBIO'), byHex);
    assert.deepEqual(await runJson('decode', 'fionbio'), byHex);
    // --json must come before --, after which everything is a positional.
    const negative = await run('decode', '--json', '--', '-2147195266');
    assert.equal(negative.code, 0, negative.err);
    assert.deepEqual(JSON.parse(negative.out), byHex);
  });

  test('unix codes show the BSD decomposition', async () => {
    const { out } = await run('decode', 'SIO_GET_INTERFACE_LIST');
    assert.match(out, /bsd +group "t", number 127, parameter size 4/);
    assert.match(out, /linux +implemented/);
  });

  test('--json prints one object with the decoded fields and the records', async () => {
    const report = (await runJson('decode', '0x9800000D')) as {
      value: number;
      hex: string;
      signed: number;
      type: string;
      direction: string;
      names: string[];
      records: Array<{ name: string; support: { linux: string; windows: string } }>;
    };
    assert.equal(report.value, 0x9800000d);
    assert.equal(report.hex, '0x9800000D');
    assert.equal(report.signed, 0x9800000d | 0);
    assert.equal(report.type, 'vendor');
    assert.equal(report.direction, 'in');
    assert.deepEqual(report.names, ['SIO_RCVALL_MCAST_IF', 'SIO_SOCKET_CLOSE_NOTIFY']);
    assert.deepEqual(report.records.map((r) => r.name), report.names);
    assert.equal(report.records[0]!.support.linux, 'approximated');
    assert.equal(report.records[1]!.support.linux, 'approximated', 'the same value, the same handler');
    assert.equal(report.records[0]!.support.windows, 'implemented');
  });

  test('aliases decode to their code and are listed', async () => {
    const { code, out } = await run('decode', 'SIO_PRIORITY_HINT');
    assert.equal(code, 0);
    assert.match(out, /^0x98000018 {2}SIO_SET_PRIORITY_HINT, SIO_PRIORITY_HINT$/m);
  });

  test('a value outside the catalogue still decodes', async () => {
    const { code, out } = await run('decode', '0x18001234');
    assert.equal(code, 0);
    assert.match(out, /not in the catalogue/);
    assert.match(out, /code +4660/);
  });

  test('usage errors exit 2', async () => {
    for (const argv of [['decode'], ['decode', 'NOT_A_CODE'], ['decode', '0x100000000'], ['decode', '1.5'], ['decode', 'FIONBIO', 'FIONREAD']]) {
      const { code, out, err } = await run(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(out, '', argv.join(' '));
      assert.match(err, /wsaioctl decode/, argv.join(' '));
    }
  });
});

describe('wsaioctl codes', () => {
  test('lists every code with value, type, direction and support', async () => {
    const { code, out, err } = await run('codes');
    assert.equal(code, 0, err);
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^name +value +type +dir +linux +windows$/);
    assert.match(out, /^FIONBIO +0x8004667E +unix +in +implemented +implemented$/m);
    assert.match(out, /^SIO_TCP_INFO +0xD8000027 +vendor +inout +approximated +implemented$/m);
    assert.match(out, /^SIO_FLUSH +0x28000004 +ws2 +void +windows-refuses +windows-refuses$/m);
    assert.match(out, /^SIO_GET_QOS +0xC8000007 +ws2 +inout +windows-refuses +windows-refuses$/m);
    assert.match(out, /^SIO_RCVALL +0x98000001 +vendor +in +approximated +implemented$/m);
    assert.match(out, /^SIO_RCVALL_IF +0x9800000E +vendor +in +approximated +implemented$/m);
    assert.match(out, /^SIO_INDEX_BIND +0x98000008 +vendor +in +not-implemented +implemented$/m);
    assert.equal(lines.at(-1), `${allCodes().length} codes`);
    const c = linuxSupportCounts();
    assert.equal(lines.at(-2), `linux: ${c.implemented + c.approximated} handled (${c.implemented} implemented, ${c.approximated} approximated), ${c['windows-refuses']} refused as Windows refuses them (windows-refuses), ${c['not-implemented']} not-implemented`);
  });

  test('--type and --status filter', async () => {
    const rows = (await runJson('codes', '--type', 'unix', '--status', 'implemented')) as Array<{ name: string }>;
    assert.deepEqual(rows.map((r) => r.name), ['FIONBIO', 'SIOCATMARK', 'SIO_GET_INTERFACE_LIST']);
    const refused = (await runJson('codes', '--status', 'windows-refuses')) as Array<{ name: string; support: { linux: string; windows: string; source: string } }>;
    assert.deepEqual(refused.map((r) => r.name), namesWithLinuxSupport('windows-refuses'));
    assert.ok(refused.some((r) => r.name === 'SIO_FLUSH'));
    for (const r of refused) {
      assert.equal(r.support.windows, 'windows-refuses', r.name);
      assert.ok(r.support.source.length > 0, r.name);
    }
    const notImplemented = (await runJson('codes', '--status', 'not-implemented')) as Array<{ support: { linux: string; note: string } }>;
    assert.equal(notImplemented.length, linuxSupportCounts()['not-implemented']);
    assert.ok(notImplemented.every((r) => r.support.linux === 'not-implemented' && r.support.note.length > 0));
    const windowsAnswers = (await runJson('codes', '--backend', 'windows', '--status', 'implemented')) as unknown[];
    assert.equal(windowsAnswers.length, allCodes().length - linuxSupportCounts()['windows-refuses']);
    const approximated = (await runJson('codes', '--backend', 'linux', '--status', 'approximated')) as Array<{ name: string }>;
    assert.ok(approximated.some((r) => r.name === 'SIO_KEEPALIVE_VALS'));
    const ws2 = (await runJson('codes', '--type', 'ws2')) as Array<{ type: string }>;
    assert.ok(ws2.length > 0 && ws2.every((r) => r.type === 'ws2'));
    const protocol = await run('codes', '--type', 'protocol');
    assert.equal(protocol.code, 0);
    assert.match(protocol.out, /^0 codes$/m);
  });

  test('--notes adds each row\'s note, and a Windows refusal\'s source', async () => {
    const { code, out } = await run('codes', '--status', 'windows-refuses', '--notes');
    assert.equal(code, 0);
    assert.match(out, /^name +value +type +dir +linux +windows +note$/m);
    assert.match(out, /^SIO_FLUSH +0x28000004 .*windows-refuses +Windows refuses it \[source: Wine sock\.c test_unsupported_ioctls/m);
    const reasons = await run('codes', '--status', 'not-implemented', '--notes');
    assert.match(reasons.out, /^SIO_TCP_SET_ICW .*not-implemented +implemented +Linux sets the initial congestion window only per route/m);
    const approximations = await run('codes', '--status', 'approximated', '--notes');
    assert.match(approximations.out, /^SIO_TIMESTAMPING .*approximated +implemented +SO_TIMESTAMPING software stamps/m);
  });

  test('--json prints the records with hex value and support', async () => {
    const rows = (await runJson('codes')) as Array<{ name: string; hex: string; value: number; support: { linux: string } }>;
    assert.equal(rows.length, allCodes().length);
    const keepalive = rows.find((r) => r.name === 'SIO_KEEPALIVE_VALS')!;
    assert.equal(keepalive.hex, '0x98000004');
    assert.equal(keepalive.value, 0x98000004);
    assert.equal(keepalive.support.linux, 'approximated');
  });

  test('bad filters exit 2', async () => {
    for (const argv of [['codes', '--type', 'bogus'], ['codes', '--status', 'done'], ['codes', '--status', 'native'], ['codes', '--status', 'unsupported'], ['codes', '--backend', 'macos'], ['codes', 'extra'], ['codes', '--nope']]) {
      const { code, err } = await run(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /wsaioctl codes/, argv.join(' '));
    }
  });
});
