/**
 * WSAAsyncSelect of the change notifications (FD_ADDRESS_LIST_CHANGE, FD_ROUTING_INTERFACE_CHANGE)
 * inside a network namespace the test makes (helpers/async-select-netns-child.ts; veth pair,
 * documentation addresses). Windows rules (the WSAAsyncSelect and WSAIoctl pages;
 * remaining-codes.md §4.1; Wine's sock.c test_address_list_change / test_WSAEventSelect interactive
 * checks for the event-select twin): the event is posted only after the matching WSAIoctl was
 * issued on the socket (non-blocking, no OVERLAPPED: WSAEWOULDBLOCK), once per change; the ioctl is
 * issued again to hear of the next one. The message reaches the window procedure through
 * GetMessageW (blocked until the change, in the thread's one blocking wait) and DispatchMessageW.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { netnsAvailable, runInNetns } from './helpers/netns-run.js';

const CHILD = new URL('./helpers/async-select-netns-child.js', import.meta.url);
const skip = netnsAvailable() ?? false;

async function scenario(name: string): Promise<Record<string, unknown>> {
  const run = await runInNetns(CHILD, [name]);
  const result = run.results.at(-1) as Record<string, unknown> | undefined;
  assert.ok(result && !('error' in result), `child ${name}: ${JSON.stringify(result)} ${run.stderr}`);
  return result;
}

const WM_NETWORK = ws.WM_APP + 1;

describe('WSAAsyncSelect: change notifications as window messages (network namespace)', { skip }, () => {
  test('FD_ADDRESS_LIST_CHANGE: posted after SIO_ADDRESS_LIST_CHANGE armed it, dispatched to the window procedure, once per arming', async () => {
    const r = await scenario('address-list');
    assert.equal(r.selected, 0);
    assert.equal(r.beforeArming, false, 'no message before the ioctl');
    assert.deepEqual(r.armed, [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK]);
    assert.equal(r.got, 1, 'GetMessageW returned the message');
    assert.equal(r.emptyBefore, true, 'the queue was empty: GetMessageW waited for the change');
    assert.equal(r.message, WM_NETWORK);
    assert.equal(r.hwndMatches, true);
    assert.equal(r.unarmed, false, 'a change without a new ioctl posts nothing');
    assert.deepEqual(r.rearmed, [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK]);
    assert.equal(r.again, true);
    const expected = { hwnd: r.window, msg: WM_NETWORK, wParam: r.socket, event: ws.FD_ADDRESS_LIST_CHANGE, error: 0 };
    assert.deepEqual(r.seen, [expected, expected]);
  });

  test('FD_ROUTING_INTERFACE_CHANGE: posted when the route to the queried destination changes', async () => {
    const r = await scenario('routing-interface');
    assert.equal(r.selected, 0);
    assert.deepEqual(r.armed, [ws.SOCKET_ERROR, ws.WSAEWOULDBLOCK]);
    assert.equal(r.came, true);
    assert.deepEqual(r.seen, [{ hwnd: r.window, msg: WM_NETWORK, wParam: r.socket, event: ws.FD_ROUTING_INTERFACE_CHANGE, error: 0 }]);
  });
});
