/**
 * The friendly API on the Windows backend (ws2_32.dll under Wine): the same functions on SOCKET
 * numbers and the host queries, and fromNodeSocket's clear refusal (Node on Windows does not
 * expose its SOCKETs). Skipped, with the reason, when Wine is not prepared (scripts/wine/setup.sh)
 * or WSAIOCTL_SKIP_WINE is set. Loopback only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnderWine, toWindowsPath, wineCacheDir } from '../scripts/wine/run.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function skipReason(): string | false {
  if (process.env.WSAIOCTL_SKIP_WINE) return 'WSAIOCTL_SKIP_WINE is set';
  if (!existsSync(join(wineCacheDir(), 'ready.json'))) return 'Wine is not prepared (run sh scripts/wine/setup.sh)';
  return false;
}

/** The probe, run by the Windows node.exe; prints one JSON line. */
function probeSource(entry: string): string {
  return `
import net from 'node:net';
import { once } from 'node:events';
const W = await import(${JSON.stringify(entry)});
const ws = await import(${JSON.stringify(entry.replace(/index\.js$/, 'winsock/index.js'))});
const attempt = (f) => {
  try { return { ok: f() }; }
  catch (e) { return { name: e?.name, code: e?.code, errno: e?.errno, syscall: e?.syscall, message: String(e?.message) }; }
};
const out = { backend: ws.backendName };
out.interfaces = attempt(() => W.interfaces());
out.route = attempt(() => W.routeTo('127.0.0.1'));
const server = net.createServer();
server.listen(0, '127.0.0.1');
await once(server, 'listening');
out.adopt = attempt(() => W.fromNodeSocket(server));
const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
out.connect = ws.connect(s, ws.sockaddr('127.0.0.1', server.address().port), 16);
out.keepAlive = attempt(() => W.setKeepAlive(s, { idleMs: 5000, intervalMs: 1000 }) ?? null);
out.available = attempt(() => W.bytesAvailable(s));
out.mark = attempt(() => W.atUrgentMark(s));
out.isb = attempt(() => W.idealSendBacklog(s));
out.badKeepAlive = attempt(() => W.setKeepAlive(s, { idleMs: -1 }));
ws.closesocket(s);
out.closed = attempt(() => W.bytesAvailable(s));
server.close();
console.log(JSON.stringify(out));
`;
}

describe('the friendly API on the Windows backend (Wine)', () => {
  test('SOCKET numbers and host queries work; fromNodeSocket refuses clearly', { skip: skipReason(), timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-node-api-'));
    try {
      const script = join(dir, 'probe.mjs');
      const entry = 'file:///' + toWindowsPath(join(repoRoot, 'dist', 'index.js')).replaceAll('\\', '/');
      writeFileSync(script, probeSource(entry));
      const run = await runUnderWine(script, [], { timeoutMs: 150_000 });
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
      assert.equal(r.backend, 'windows-ws2_32');
      assert.equal(r.adopt.name, 'WinsockError');
      assert.equal(r.adopt.code, 'WSAEOPNOTSUPP');
      assert.equal(r.adopt.errno, 10045);
      assert.equal(r.adopt.syscall, 'fromNodeSocket');
      assert.match(r.adopt.message, /does not expose/);
      const lo = r.interfaces.ok?.find((i: { address: string }) => i.address === '127.0.0.1');
      assert.ok(lo, JSON.stringify(r.interfaces));
      assert.equal(lo.loopback, true);
      assert.equal(lo.netmask, '255.0.0.0');
      assert.equal(r.route.ok?.family, 'IPv4', JSON.stringify(r.route));
      assert.equal(r.connect, 0);
      assert.ok('ok' in r.keepAlive, JSON.stringify(r.keepAlive));
      assert.equal(r.available.ok, 0);
      assert.equal(r.mark.ok, true);
      assert.ok(r.isb.ok > 0, JSON.stringify(r.isb));
      assert.equal(r.badKeepAlive.name, 'RangeError');
      assert.equal(r.closed.code, 'WSAENOTSOCK');
      assert.equal(r.closed.syscall, 'WSAIoctl(FIONREAD)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
