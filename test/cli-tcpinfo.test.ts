/**
 * `wsaioctl tcpinfo <host:port>` against a loopback server made in this test: the table, --json,
 * --info-version, and the usage / failure exits. The command connects only to the endpoint named.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { runCli } from './helpers/cli.js';
import { parseEndpoint } from '../dist/cli/commands/tcpinfo.js';

const run = runCli;

/** A listening loopback socket (the kernel completes connections into its backlog). */
function server(af: number, address: string): { s: number; port: number } {
  const s = ws.socket(af, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  const sa = ws.sockaddr(address, 0);
  assert.equal(ws.bind(s, sa, sa.length), 0);
  assert.equal(ws.listen(s, 64), 0);
  const name = new Uint8Array(sa.length);
  assert.equal(ws.getsockname(s, name, { value: name.length }), 0);
  return { s, port: ws.parseSockaddr(name).port };
}

let v4: { s: number; port: number };
let v6: { s: number; port: number };

before(() => {
  // The command starts and cleans up its own Winsock; this reference keeps ours alive meanwhile.
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  v4 = server(ws.AF_INET, '127.0.0.1');
  v6 = server(ws.AF_INET6, '::1');
});

after(() => {
  ws.closesocket(v4.s);
  ws.closesocket(v6.s);
  ws.WSACleanup();
});

describe('wsaioctl tcpinfo', () => {
  test('prints the TCP_INFO_v2 fields as a table', async () => {
    const { code, out, err } = await run('tcpinfo', `127.0.0.1:${v4.port}`);
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`^127\\.0\\.0\\.1:${v4.port} {2}TCP_INFO_v2$`, 'm'));
    assert.match(out, /^field +value +unit$/m);
    assert.match(out, /^State +4 \(ESTABLISHED\)$/m);
    assert.match(out, /^Mss +[1-9]\d* +bytes$/m);
    assert.match(out, /^RttUs +\d+ +us$/m);
    assert.match(out, /^SndLimTimeCwnd +\d+ +ms$/m);
    assert.match(out, /^EcnNegotiated +(true|false)$/m);
    assert.match(out, /^IdealSendBacklog +65536 +bytes$/m);
  });

  test('--json: one object with every field', async () => {
    const { code, out, err } = await run('tcpinfo', `127.0.0.1:${v4.port}`, '--json');
    assert.equal(code, 0, err);
    const r = JSON.parse(out) as { address: string; port: number; version: number; stateName: string; tcpInfo: Record<string, unknown>; idealSendBacklog: number };
    assert.equal(r.address, '127.0.0.1');
    assert.equal(r.port, v4.port);
    assert.equal(r.version, 2);
    assert.equal(r.stateName, 'ESTABLISHED');
    assert.equal(r.tcpInfo.State, 4);
    assert.equal(r.tcpInfo.BytesOut, 0);
    assert.equal(typeof r.tcpInfo.TimestampsEnabled, 'boolean');
    assert.equal(Object.keys(r.tcpInfo).length, 32);
    assert.equal(r.idealSendBacklog, 0x10000);
  });

  test('--info-version 0 and 1 ask for the smaller structures', async () => {
    for (const [version, fields] of [['0', 19], ['1', 28]] as const) {
      const { code, out, err } = await run('tcpinfo', `127.0.0.1:${v4.port}`, '--info-version', version, '--json');
      assert.equal(code, 0, err);
      const r = JSON.parse(out) as { version: number; tcpInfo: Record<string, unknown> };
      assert.equal(r.version, Number(version));
      assert.equal(Object.keys(r.tcpInfo).length, fields);
    }
  });

  test('IPv6 in brackets', async () => {
    const { code, out, err } = await run('tcpinfo', `[::1]:${v6.port}`);
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`^\\[::1\\]:${v6.port} {2}TCP_INFO_v2$`, 'm'));
  });

  test('nothing listening: exit 1 with the Winsock error', async () => {
    const closed = server(ws.AF_INET, '127.0.0.1');
    ws.closesocket(closed.s);
    const { code, err } = await run('tcpinfo', `127.0.0.1:${closed.port}`);
    assert.equal(code, 1);
    assert.match(err, /connect to 127\.0\.0\.1 port \d+ failed: WSAECONNREFUSED \(10061\)/);
  });

  test('bad usage: exit 2', async () => {
    for (const argv of [[], ['localhost'], ['127.0.0.1:0'], ['127.0.0.1:70000'], ['a:1', 'b:2'], [`127.0.0.1:${v4.port}`, '--info-version', '3']]) {
      const { code, err } = await run('tcpinfo', ...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /usage: wsaioctl tcpinfo/);
    }
  });

  test('endpoint parsing', () => {
    assert.deepEqual(parseEndpoint('127.0.0.1:80'), { host: '127.0.0.1', port: 80 });
    assert.deepEqual(parseEndpoint('[::1]:443'), { host: '::1', port: 443 });
    assert.deepEqual(parseEndpoint('example.test:8080'), { host: 'example.test', port: 8080 });
    for (const bad of ['::1:80', '127.0.0.1', ':80', '[::1]', 'host:', 'host:0', 'host:65536']) assert.equal(parseEndpoint(bad), null, bad);
  });
});
