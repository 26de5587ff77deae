/**
 * The friendly network events (onNetworkEvents, networkEvents) on WSAAsyncSelect: events of a
 * Winsock SOCKET pair and of Node sockets, in WSAAsyncSelect's order and with its rules (Wine
 * sock.c test_connect_events: FD_CONNECT then FD_WRITE; test_read_events: FD_READ again only after
 * a recv; test_close_events: FD_CLOSE with WSAECONNABORTED after a reset), ending by the returned
 * function, `break`, an AbortSignal or the Node socket's 'close', with nothing left behind (no fd,
 * and the process exits by itself). Loopback only; every wait is bounded.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { networkEvents, onNetworkEvents, type NetworkEvent } from 'wsaioctl';
import { check, closeAll, listener, loopbackName, startup, cleanup } from './helpers/sockets.js';
import { tcpTrio } from './helpers/node-sockets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const linux = ws.backendName === 'linux-emulation';
const openFds = (): number => readdirSync('/proc/self/fd').length;

/** Resolves with the events collected once `count` came, or what came within `ms`. */
function collect(count: number, ms = 2000): { events: NetworkEvent[]; done: Promise<NetworkEvent[]>; push(e: NetworkEvent): void } {
  const events: NetworkEvent[] = [];
  let finish: (v: NetworkEvent[]) => void = () => {};
  const done = new Promise<NetworkEvent[]>((resolve) => {
    finish = resolve;
    setTimeout(() => resolve(events), ms);
  });
  return {
    events, done,
    push(e) {
      events.push(e);
      if (events.length >= count) finish(events);
    },
  };
}

const names = (events: NetworkEvent[]): string[] => events.map((e) => (e.error ? `${e.name}(${ws.errorName(e.error)})` : e.name));

before(startup);
after(cleanup);

describe('onNetworkEvents / networkEvents', () => {
  test('a SOCKET connecting: FD_CONNECT then FD_WRITE, then FD_READ once per recv while data remains', async () => {
    const l = listener();
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const seen = collect(2);
    const stop = onNetworkEvents(c, ws.FD_CONNECT | ws.FD_WRITE | ws.FD_READ | ws.FD_CLOSE, seen.push);
    assert.equal(ws.connect(c, loopbackName('ipv4', l.port), 16), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK, 'the subscription made it non-blocking');
    assert.deepEqual(names(await seen.done), ['FD_CONNECT', 'FD_WRITE']);
    const server = check(ws.accept(l.socket, null, null), 'accept');
    const reads = collect(1);
    seen.events.length = 0;
    stop();
    const stop2 = onNetworkEvents(c, ws.FD_READ, reads.push);
    assert.equal(ws.send(server, new Uint8Array(4), 4, 0), 4);
    assert.deepEqual(names(await reads.done), ['FD_READ']);
    const again = collect(1);
    stop2();
    const stop3 = onNetworkEvents(c, ws.FD_READ, again.push);
    // Re-selecting posts what still holds (the 4 bytes): FD_READ again.
    assert.deepEqual(names(await again.done), ['FD_READ']);
    stop3();
    closeAll(c, server, l.socket);
  });

  test('networkEvents: a reset is FD_CLOSE with WSAECONNABORTED; break stops the subscription', async () => {
    const l = listener();
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    check(ws.connect(c, loopbackName('ipv4', l.port), 16), 'connect');
    const server = check(ws.accept(l.socket, null, null), 'accept');
    setTimeout(() => {
      const linger = new Uint8Array(4);
      new DataView(linger.buffer).setUint16(0, 1, true);
      ws.setsockopt(c, ws.SOL_SOCKET, ws.SO_LINGER, linger, 4);
      ws.closesocket(c);
    }, 20);
    const seen: string[] = [];
    for await (const e of networkEvents(server, ws.FD_CLOSE)) {
      seen.push(...names([e]));
      break;
    }
    assert.deepEqual(seen, ['FD_CLOSE(WSAECONNABORTED)']);
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), 0, 'the selection is cancelled: blocking mode is allowed again');
    closeAll(server, l.socket);
  });

  test('networkEvents: an AbortSignal ends the loop with its reason', async () => {
    const l = listener();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(async () => {
      for await (const e of networkEvents(l.socket, ws.FD_ACCEPT, { signal: controller.signal })) assert.fail(`no event expected, got ${e.name}`);
    }, { name: 'AbortError' });
    closeAll(l.socket);
  });

  test('a bad SOCKET: WinsockError WSAENOTSOCK', () => {
    assert.throws(() => onNetworkEvents(0x7ffff000, ws.FD_READ, () => {}), { name: 'WinsockError', code: 'WSAENOTSOCK' });
  });

  test('a Node socket: FD_CLOSE when the peer ends; its own close ends the subscription; no fd is left', { skip: !linux && 'Node sockets are borrowed on Linux' }, async () => {
    const fds = openFds();
    const trio = await tcpTrio('127.0.0.1', { paused: true });
    const seen = collect(1);
    onNetworkEvents(trio.client, ws.FD_CLOSE, seen.push);
    trio.peer.end();
    assert.deepEqual(names(await seen.done), ['FD_CLOSE']);
    const closed = [once(trio.client, 'close'), once(trio.peer, 'close')];
    await trio.close();
    await Promise.all(closed);
    assert.equal(openFds(), fds);
  });
});

describe('a flowing Node socket', () => {
  test('Node reads the data itself: each arrival is one FD_READ all the same (README, approximations)', { skip: !linux && 'Node sockets are borrowed on Linux' }, async () => {
    const trio = await tcpTrio();
    let got = '';
    trio.client.on('data', (d: Buffer) => { got += d.toString(); });
    const seen: string[] = [];
    const stop = onNetworkEvents(trio.client, ws.FD_READ, (e) => seen.push(e.name));
    for (const part of ['a', 'b', 'c']) {
      const before = seen.length;
      trio.peer.write(part);
      for (let i = 0; i < 200 && (!got.endsWith(part) || seen.length === before); i++) await new Promise((r) => setTimeout(r, 5));
    }
    stop();
    assert.equal(got, 'abc');
    assert.deepEqual(seen, ['FD_READ', 'FD_READ', 'FD_READ']);
    await trio.close();
  });
});

describe('the process', () => {
  test('exits by itself once the subscriptions are stopped', { skip: !linux && 'spawns the Linux node', timeout: 60_000 }, () => {
    const script = `
      import * as W from 'wsaioctl';
      import * as ws from 'wsaioctl/winsock';
      import net from 'node:net';
      const server = net.createServer((c) => c.end('hi')).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      // Half-open allowed: Node keeps the fd after 'end', so it cannot close it before FD_CLOSE is seen.
      const client = net.connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise((r) => client.once('connect', r));
      client.resume();
      const seen = [];
      const stop = W.onNetworkEvents(client, ws.FD_CLOSE, (e) => seen.push(e.name));
      await new Promise((r) => client.once('end', r));
      for (let i = 0; i < 300 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      stop();
      client.destroy();
      server.close();
      console.log(JSON.stringify(seen));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.error, undefined, 'the process ended by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').pop() ?? 'null'), ['FD_CLOSE']);
  });
});
