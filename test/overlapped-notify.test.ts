/**
 * SIO_ADDRESS_LIST_CHANGE and SIO_ROUTING_INTERFACE_CHANGE on real rtnetlink notifications. Each
 * scenario runs in its own network namespace (helpers/netns-run.ts) where the script adds addresses
 * from documentation ranges to a veth pair; see helpers/overlapped-netns-child.ts for what each one
 * does. Assertions are on behaviour only (return values, errors, which delivery happened, counts).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { netnsAvailable, runInNetns } from './helpers/netns-run.js';

const CHILD = new URL('./helpers/overlapped-netns-child.js', import.meta.url);
const skip = netnsAvailable() ?? false;
const PENDING: [number, number] = [ws.SOCKET_ERROR, ws.WSA_IO_PENDING];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function scenario(name: string, ...args: string[]): Promise<any> {
  const run = await runInNetns(CHILD, [name, ...args]);
  assert.equal(run.code, 0, `scenario ${name} exited with ${run.code ?? run.signal}: ${run.stderr}`);
  assert.equal(run.results.length, 1, `scenario ${name} printed ${run.stdout}`);
  const result = run.results[0] as Record<string, unknown>;
  assert.equal(result.failure, undefined, String(result.failure));
  return result;
}

describe('SIO_ADDRESS_LIST_CHANGE', { skip }, () => {
  test('overlapped on an event: pends, completes on a change of its own family only, status 0 and 0 bytes', async () => {
    const r = await scenario('address-event');
    assert.deepEqual(r.r4, PENDING);
    assert.deepEqual(r.r6, PENDING);
    assert.deepEqual(r.pendingBefore, [ws.STATUS_PENDING, ws.STATUS_PENDING]);
    assert.equal(r.netlinkWhilePending, 1, 'one rtnetlink socket for both requests');
    assert.equal(r.wait4, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.v6AfterV4, ws.WSA_WAIT_TIMEOUT, 'an IPv4 change does not complete the IPv6 request');
    assert.equal(r.result4, true);
    assert.equal(r.result4Error, 0);
    assert.equal(r.transferred, 0);
    assert.equal(r.internal4, ws.STATUS_SUCCESS);
    assert.equal(r.internalHigh4, 0);
    assert.equal(r.incomplete6, false);
    assert.equal(r.incomplete6Error, ws.WSA_IO_INCOMPLETE);
    assert.equal(r.wait6, ws.WSA_WAIT_EVENT_0, 'an IPv6 address completes the IPv6 request');
    assert.equal(r.internal6, ws.STATUS_SUCCESS);
    assert.equal(r.netlinkAfter, 0, 'the watcher closes when no request is left');
  });

  test('completion routine: only in an alertable wait, once, (0, 0, overlapped, 0); alertable WSAWaitForMultipleEvents too', async () => {
    const r = await scenario('address-routine');
    assert.deepEqual(r.r, PENDING);
    assert.equal(r.notAlertable, 0);
    assert.equal(r.callsWhileNotAlertable, 0, 'a non-alertable wait runs no routine');
    assert.equal(r.sleepEx, ws.WAIT_IO_COMPLETION);
    assert.deepEqual(r.calls, [[0, 0, true, 0]]);
    assert.equal(r.again, 0, 'nothing left to run');
    assert.deepEqual(r.r2, PENDING);
    assert.equal(r.alertableWait, ws.WSA_WAIT_IO_COMPLETION);
    assert.deepEqual(r.calls2, [[0, 0]]);
  });

  test('completion port: nothing before the change, then one packet (TRUE, 0 bytes, key, overlapped)', async () => {
    const r = await scenario('address-port');
    assert.deepEqual(r.r, PENDING);
    assert.equal(r.early, false);
    assert.equal(r.earlyError, ws.WAIT_TIMEOUT);
    assert.deepEqual(r.packet, { ok: true, bytes: 0, key: 0x77, same: true });
    assert.equal(r.second, false);
    assert.equal(r.secondError, ws.WAIT_TIMEOUT);
  });

  test('async twins complete while the event loop keeps turning', async () => {
    const r = await scenario('address-async');
    for (const rc of r.rs) assert.deepEqual(rc, PENDING);
    assert.equal(r.gqcs, true);
    assert.equal(r.packetKey, 5);
    assert.equal(r.packetSame, true);
    assert.equal(r.wait, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.result, true);
    assert.equal(r.transferred, 0);
    assert.equal(r.sleep, ws.WAIT_IO_COMPLETION);
    assert.deepEqual(r.routineCalls, [[0, 0]]);
    assert.equal(r.loopTurned, true, 'timers ran during the async waits');
  });

  test('blocking socket without overlapped: the call blocks until the change and returns 0', async () => {
    const r = await scenario('address-blocking');
    assert.equal(r.rc, 0);
    assert.equal(r.error, 0);
    assert.equal(r.bytes, 0);
    assert.equal(r.blockedUntilChange, true);
  });

  test('non-blocking without overlapped: WSAEWOULDBLOCK, then FD_ADDRESS_LIST_CHANGE for that socket only, once', async () => {
    const r = await scenario('address-nonblocking');
    assert.equal(r.rc, ws.SOCKET_ERROR);
    assert.equal(r.error, ws.WSAEWOULDBLOCK);
    assert.equal(r.sel2, 0);
    assert.equal(r.sel3, 0);
    assert.equal(r.wait2, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.wait3, ws.WSA_WAIT_TIMEOUT, 'a socket that made no request hears nothing');
    assert.equal(r.enumRc, 0);
    assert.equal(r.lNetworkEvents, ws.FD_ADDRESS_LIST_CHANGE);
    assert.equal(r.errorCode, 0);
    assert.equal(r.afterEnum, ws.WSA_WAIT_TIMEOUT, 'WSAEnumNetworkEvents resets the event');
    assert.equal(r.noRequest, ws.WSA_WAIT_TIMEOUT, 'no new request, no new event');
    assert.equal(r.fionbio, ws.SOCKET_ERROR);
    assert.equal(r.fionbioError, ws.WSAEINVAL);
  });

  test('1000 pending requests share one rtnetlink socket and each completes exactly once', async () => {
    const r = await scenario('many', '1000');
    assert.equal(r.netlinkWhilePending, 1);
    assert.equal(r.packets, 1000);
    assert.equal(r.onceEach, true);
    assert.equal(r.netlinkAfter, 0);
  });
});

describe('SIO_ROUTING_INTERFACE_CHANGE', { skip }, () => {
  test('a destination completes when its route (source) changes; loopback does not; the wildcard hears any route change', async () => {
    const r = await scenario('route');
    assert.deepEqual(r.rc, PENDING);
    assert.deepEqual(r.rcLoop, PENDING);
    assert.deepEqual(r.rcAny, PENDING);
    assert.equal(r.any, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.destAfterOther, ws.WSA_WAIT_TIMEOUT, 'another network becoming reachable is not this destination');
    assert.equal(r.dest, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.loop, ws.WSA_WAIT_TIMEOUT);
    assert.equal(r.shortRc, ws.SOCKET_ERROR);
    assert.equal(r.shortError, ws.WSAEINVAL);
    assert.equal(r.familyRc, ws.SOCKET_ERROR);
    assert.equal(r.familyError, ws.WSAEAFNOSUPPORT);
    assert.equal(r.bytes, 0xdead, 'input errors leave *lpcbBytesReturned alone');
    assert.equal(r.loopAfterClose, ws.STATUS_CANCELLED, 'closesocket cancels the request still pending');
  });

  test('IPv6 destination', async () => {
    const r = await scenario('route-v6');
    assert.deepEqual(r.rc, PENDING);
    assert.equal(r.wait, ws.WSA_WAIT_EVENT_0);
    assert.equal(r.internal, ws.STATUS_SUCCESS);
  });
});
