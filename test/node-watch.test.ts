/**
 * The watchers (watchAddresses, watchRoute, watchSendBacklog): the first value, a value after a
 * real change (inside a network namespace, with documentation addresses on a veth pair), ending
 * by break or AbortSignal without leaking fds, and a process that exits by itself once the loop
 * is left. Loopback and documentation ranges only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { addresses, idealSendBacklog, routeTo, watchAddresses, watchRoute, watchSendBacklog } from 'wsaioctl';
import { tcpTrio } from './helpers/node-sockets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const linux = ws.backendName === 'linux-emulation';
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('watchers in this process', { skip: !linux && 'overlapped WSAIoctl needs the Linux backend' }, () => {
  test('watchAddresses: the current list first; break closes everything', async () => {
    const before = openFds();
    let seen = 0;
    for await (const list of watchAddresses('IPv4')) {
      assert.deepEqual(list, addresses('IPv4'));
      seen++;
      break;
    }
    assert.equal(seen, 1);
    assert.equal(openFds(), before, 'the temporary socket is closed');
  });

  test('watchAddresses / watchRoute: an AbortSignal ends a waiting loop with AbortError', async () => {
    const before = openFds();
    for (const make of [
      (signal: AbortSignal) => watchAddresses('IPv6', { signal }),
      (signal: AbortSignal) => watchRoute('127.0.0.1', { signal }),
    ]) {
      const controller = new AbortController();
      const iterator = make(controller.signal);
      const first = await iterator.next();
      assert.equal(first.done, false);
      const waiting = iterator.next();
      controller.abort();
      await assert.rejects(waiting, (error: unknown) => (error as Error).name === 'AbortError');
      assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    }
    assert.equal(openFds(), before);
  });

  test('watchRoute: the current answer first, initial: false skips it', async () => {
    const iterator = watchRoute('127.0.0.1');
    assert.deepEqual((await iterator.next()).value, routeTo('127.0.0.1'));
    await iterator.return();
    const controller = new AbortController();
    const quiet = watchRoute('127.0.0.1', { initial: false, signal: controller.signal });
    const next = quiet.next();
    controller.abort();
    await assert.rejects(next, { name: 'AbortError' });
  });

  test('argument errors are thrown at the call, before any socket is made', () => {
    assert.throws(() => watchRoute('nowhere'), TypeError);
    assert.throws(() => watchAddresses('IPv5' as never), RangeError);
  });

  test('watchSendBacklog: the current value first, the loop ends when the connection closes', async () => {
    const trio = await tcpTrio();
    try {
      const iterator = watchSendBacklog(trio.client);
      const first = await iterator.next();
      assert.equal(first.value, idealSendBacklog(trio.client));
      const waiting = iterator.next();
      trio.client.destroy();
      assert.deepEqual(await waiting, { done: true, value: undefined });
    } finally {
      await trio.close();
    }
  });
});

describe('watchers see real changes (network namespace)', { skip: !linux && 'Linux backend' }, () => {
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link add v0 type veth peer name v1'], { stdio: 'ignore' });
  const skip = probe.status !== 0 && 'unshare -n with a veth pair is not possible here';
  test('an address added wakes watchAddresses and watchRoute; the process then exits by itself', { skip, timeout: 60_000 }, () => {
    const setup = ['set -e', 'ip link set lo up', 'ip link add v0 type veth peer name v1', 'ip link set v0 up', 'ip link set v1 up'].join('\n');
    const script = `
      import { execFileSync } from 'node:child_process';
      import * as W from 'wsaioctl';
      const text = (list) => list.map((a) => a.address).sort();
      const out = {};
      const addressesIter = W.watchAddresses('IPv4');
      const routeIter = W.watchRoute('192.0.2.55');
      out.initial = text((await addressesIter.next()).value);
      out.initialRoute = (await routeIter.next()).value;
      const nextAddresses = addressesIter.next();
      const nextRoute = routeIter.next();
      execFileSync('ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'v0']);
      out.changed = text((await nextAddresses).value);
      // Several notifications may come for one change: read until the route is there (bounded).
      let route = (await nextRoute).value;
      for (let i = 0; i < 10 && route === null; i++) route = (await routeIter.next()).value;
      out.route = route;
      await addressesIter.return();
      await routeIter.return();
      console.log(JSON.stringify(out));
      // Nothing else here: the process must now exit on its own.`;
    const child = spawnSync('unshare', ['-n', 'sh', '-c', `${setup}\nexec "${process.execPath}" --input-type=module -e "$0"`, script],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, `the child did not exit by itself: ${child.stdout}\n${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!);
    assert.ok(!r.initial.includes('192.0.2.1'), JSON.stringify(r));
    assert.equal(r.initialRoute, null, 'no route to 192.0.2.55 before the address exists');
    assert.ok(r.changed.includes('192.0.2.1'), JSON.stringify(r));
    assert.deepEqual(r.route, { family: 'IPv4', address: '192.0.2.1' });
  });
});
