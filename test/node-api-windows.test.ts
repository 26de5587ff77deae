/**
 * The friendly API on the Windows backend (ws2_32.dll under Wine): the same functions on SOCKET
 * numbers and the host queries, and on Node's own sockets, which Node reports with fd -1 there:
 * fromNodeSocket finds the socket handle of the process with the addresses the Node object
 * reports (issue 19 item 4), refuses when more than one has them, and lets go once Node closes
 * it. Skipped, with the reason, when Wine is not prepared (scripts/wine/setup.sh) or
 * WSAIOCTL_SKIP_WINE is set. Loopback only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnderWine, toWindowsPath, wineCacheDir } from '../scripts/wine/run.mjs';
import { defaultGateway } from 'wsaioctl';

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
import dgram from 'node:dgram';
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
out.gateway = attempt(() => W.defaultGateway('IPv4'));
const server = net.createServer();
const accepting = new Promise((r) => server.once('connection', r));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
out.adopt = attempt(() => W.fromNodeSocket(server));
if (typeof out.adopt.ok === 'number') {
  const name = new Uint8Array(128);
  const length = { value: 128 };
  out.adoptedName = ws.getsockname(out.adopt.ok, name, length) === 0 ? ws.parseSockaddr(name).port : ws.WSAGetLastError();
  out.serverPort = server.address().port;
  out.adoptedListening = (() => { const v = new Uint8Array(4); return ws.getsockopt(out.adopt.ok, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, v, { value: 4 }) === 0 ? v[0] : -ws.WSAGetLastError(); })();
}
// Node's own net.Socket: the server writes 5 bytes, the paused client leaves them in the kernel.
const client = net.connect(server.address().port, '127.0.0.1');
client.pause();
await once(client, 'connect');
const accepted = await accepting;
accepted.write('hello');
for (let i = 0; i < 100 && attempt(() => W.kernelBytesAvailable(client)).ok !== 5; i++) await new Promise((r) => setTimeout(r, 50));
out.node = {
  keepAlive: attempt(() => W.setKeepAlive(client, { idleMs: 5000, intervalMs: 1000 }) ?? null),
  available: attempt(() => W.bytesAvailable(client)),
  mark: attempt(() => W.atUrgentMark(client)),
  isb: attempt(() => W.idealSendBacklog(client)),
  tcpInfo: attempt(() => W.tcpInfo(client).stateName),
  userTimeout: attempt(() => W.setUserTimeout(client, 1500) ?? null),
  probes: attempt(() => W.setKeepAlive(client, { idleMs: 5000, probes: 3 }) ?? null),
  acceptedAvailable: attempt(() => W.bytesAvailable(accepted)),
};
// A borrowed SOCKET: FIONBIO is its flag only, closesocket detaches; Node keeps reading.
const borrowed = W.fromNodeSocket(client);
out.fionbio = ws.ioctlsocket(borrowed, ws.FIONBIO, { value: 0 });
out.closeBorrowed = ws.closesocket(borrowed);
client.resume();
out.nodeRead = await new Promise((r) => { client.once('data', (d) => r(String(d))); setTimeout(() => r('timeout'), 10_000); });
const kept = W.fromNodeSocket(client);
client.destroy();
await once(client, 'close');
out.afterClose = attempt(() => W.bytesAvailable(client));
out.keptAfterClose = (() => { const v = new Uint8Array(4); return ws.WSAIoctl(kept, ws.FIONREAD, null, 0, v, 4, { value: 0 }, null, null) === 0 ? 'ok' : ws.WSAGetLastError(); })();
// dgram: a bound socket is found; two sharing one address (reuseAddr) cannot be told apart.
const udp = dgram.createSocket('udp4');
udp.bind(0, '127.0.0.1');
await once(udp, 'listening');
out.udpReset = attempt(() => W.setUdpConnReset(udp, false) ?? null);
out.udpAvailable = attempt(() => W.bytesAvailable(udp));
const twinA = dgram.createSocket({ type: 'udp4', reuseAddr: true });
twinA.bind(0, '127.0.0.1');
await once(twinA, 'listening');
const twinB = dgram.createSocket({ type: 'udp4', reuseAddr: true });
twinB.bind(twinA.address().port, '127.0.0.1');
await once(twinB, 'listening');
out.ambiguous = attempt(() => W.fromNodeSocket(twinA));
udp.close(); twinA.close(); twinB.close(); accepted.destroy();
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
  test('SOCKET numbers, host queries and Node\'s own sockets work; ambiguity is refused', { skip: skipReason(), timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-node-api-'));
    try {
      const script = join(dir, 'probe.mjs');
      const entry = 'file:///' + toWindowsPath(join(repoRoot, 'dist', 'index.js')).replaceAll('\\', '/');
      writeFileSync(script, probeSource(entry));
      const run = await runUnderWine(script, [], { timeoutMs: 150_000 });
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!);
      assert.equal(r.backend, 'windows-ws2_32');
      // Node's listening net.Server: the SOCKET is its listening socket (same port, SO_ACCEPTCONN).
      assert.equal(typeof r.adopt.ok, 'number', JSON.stringify(r.adopt));
      assert.equal(r.adoptedName, r.serverPort);
      assert.equal(r.adoptedListening, 1);
      // Node's net.Socket: the friendly controls act on its socket.
      assert.deepEqual(r.node.keepAlive, { ok: null });
      assert.deepEqual(r.node.available, { ok: 5 }, JSON.stringify(r.node));
      assert.deepEqual(r.node.mark, { ok: true });
      assert.ok(r.node.isb.ok > 0, JSON.stringify(r.node.isb));
      // The accepted side (the server's 'connection' socket) is a different handle with the mirrored addresses.
      assert.equal(typeof r.node.acceptedAvailable.ok, 'number', JSON.stringify(r.node.acceptedAvailable));
      // Wine has no SIO_TCP_INFO (Windows 10 1703+ does): its own refusal comes through.
      assert.ok(r.node.tcpInfo.ok === 'ESTABLISHED' || r.node.tcpInfo.code === 'WSAEOPNOTSUPP', JSON.stringify(r.node.tcpInfo));
      // FIONBIO 0 and closesocket on the borrowed SOCKET leave Node's socket as it was: it still reads.
      assert.equal(r.fionbio, 0);
      assert.equal(r.closeBorrowed, 0);
      assert.equal(r.nodeRead, 'hello');
      // Once Node closed it: WSAENOTSOCK, through the friendly API and through a SOCKET kept from before.
      assert.equal(r.afterClose.code, 'WSAENOTSOCK', JSON.stringify(r.afterClose));
      assert.equal(r.keptAfterClose, 10038);
      // dgram.Socket: found once bound.
      assert.deepEqual(r.udpReset, { ok: null });
      assert.deepEqual(r.udpAvailable, { ok: 0 });
      // setUserTimeout / keep-alive probes: applied, or Wine's own refusal of the option.
      for (const r2 of [r.node.userTimeout, r.node.probes]) {
        assert.ok('ok' in r2 || r2.code === 'WSAENOPROTOOPT' || r2.code === 'WSAEINVAL', JSON.stringify(r2));
      }
      // GetIpForwardTable2 under Wine reads this host's routing table: the same gateway as rtnetlink.
      const here = defaultGateway('IPv4');
      assert.ok('ok' in r.gateway, JSON.stringify(r.gateway));
      assert.equal(r.gateway.ok?.address ?? null, here?.address ?? null);
      // Two sockets with one address: a clear refusal, never one of them.
      assert.equal(r.ambiguous.name, 'WinsockError');
      assert.equal(r.ambiguous.code, 'WSAETOOMANYREFS');
      assert.equal(r.ambiguous.syscall, 'fromNodeSocket');
      assert.match(r.ambiguous.message, /refusing to guess/);
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
