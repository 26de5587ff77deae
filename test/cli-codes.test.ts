/** `wsaioctl decode` and `wsaioctl codes`, run through the built CLI with captured output. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './helpers/cli.js';
import { allCodes } from 'wsaioctl/codes';

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
    assert.match(out, /linux +implemented/);
    assert.match(out, /windows +native/);
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
    assert.equal(report.records[0]!.support.linux, 'unsupported');
    assert.equal(report.records[0]!.support.windows, 'native');
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
    assert.match(out, /^FIONBIO +0x8004667E +unix +in +implemented +native$/m);
    assert.match(out, /^SIO_TCP_INFO +0xD8000027 +vendor +inout +implemented +native$/m);
    assert.match(out, /^SIO_RCVALL +0x98000001 +vendor +in +implemented +native$/m);
    assert.match(out, /^SIO_RCVALL_IF +0x9800000E +vendor +in +unsupported +native$/m);
    assert.equal(lines.at(-1), `${allCodes().length} codes`);
  });

  test('--type and --status filter', async () => {
    const rows = (await runJson('codes', '--type', 'unix', '--status', 'implemented')) as Array<{ name: string }>;
    assert.deepEqual(rows.map((r) => r.name), ['FIONBIO', 'FIONREAD', 'SIOCATMARK', 'SIO_IDEAL_SEND_BACKLOG_CHANGE', 'SIO_IDEAL_SEND_BACKLOG_QUERY', 'SIO_GET_INTERFACE_LIST']);
    const native = (await runJson('codes', '--status', 'native')) as unknown[];
    assert.equal(native.length, allCodes().length);
    const ws2 = (await runJson('codes', '--type', 'ws2')) as Array<{ type: string }>;
    assert.ok(ws2.length > 0 && ws2.every((r) => r.type === 'ws2'));
    const protocol = await run('codes', '--type', 'protocol');
    assert.equal(protocol.code, 0);
    assert.match(protocol.out, /^0 codes$/m);
  });

  test('--json prints the records with hex value and support', async () => {
    const rows = (await runJson('codes')) as Array<{ name: string; hex: string; value: number; support: { linux: string } }>;
    assert.equal(rows.length, allCodes().length);
    const keepalive = rows.find((r) => r.name === 'SIO_KEEPALIVE_VALS')!;
    assert.equal(keepalive.hex, '0x98000004');
    assert.equal(keepalive.value, 0x98000004);
    assert.equal(keepalive.support.linux, 'implemented');
  });

  test('bad filters exit 2', async () => {
    for (const argv of [['codes', '--type', 'bogus'], ['codes', '--status', 'done'], ['codes', 'extra'], ['codes', '--nope']]) {
      const { code, err } = await run(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /wsaioctl codes/, argv.join(' '));
    }
  });
});
