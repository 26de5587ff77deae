/**
 * The delivery rule both backends share (src/winsock/delivery.ts): where a finished overlapped
 * operation's result goes. Pure: no sockets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryOf, writeIoStatus } from '../dist/winsock/delivery.js';
import { WSAOVERLAPPED } from '../dist/winsock/types.js';

describe('deliveryOf', () => {
  test('a routine: an APC only, whatever hEvent and the port say', () => {
    for (const hEvent of [0, 0x100, 0x101]) {
      for (const portAssociated of [false, true]) {
        assert.deepEqual(deliveryOf({ hasRoutine: true, hEvent, portAssociated }), { apc: true, event: 0, packet: false });
      }
    }
  });

  test('no routine, no port: the event is signalled, no packet', () => {
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0x100, portAssociated: false }), { apc: false, event: 0x100, packet: false });
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0, portAssociated: false }), { apc: false, event: 0, packet: false });
  });

  test('no routine, a port: a packet unless hEvent\'s low bit is set; the event (bit cleared) is signalled either way', () => {
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0x100, portAssociated: true }), { apc: false, event: 0x100, packet: true });
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0x101, portAssociated: true }), { apc: false, event: 0x100, packet: false });
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0, portAssociated: true }), { apc: false, event: 0, packet: true });
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 1, portAssociated: true }), { apc: false, event: 0, packet: false });
  });

  test('a 64-bit hEvent (bigint) follows the same rule', () => {
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0x1_0000_0101n, portAssociated: true }), { apc: false, event: 0x1_0000_0100n, packet: false });
    assert.deepEqual(deliveryOf({ hasRoutine: false, hEvent: 0x1_0000_0100n, portAssociated: true }), { apc: false, event: 0x1_0000_0100n, packet: true });
    assert.deepEqual(deliveryOf({ hasRoutine: true, hEvent: 0x101n, portAssociated: true }), { apc: true, event: 0n, packet: false });
  });
});

describe('writeIoStatus', () => {
  test('Internal = the NTSTATUS as 32 unsigned bits, InternalHigh = the information; nothing else touched', () => {
    const ov = new WSAOVERLAPPED(0x104);
    ov.Offset = 7;
    writeIoStatus(ov, 0xc0000120 | 0, 12);
    assert.equal(ov.Internal, 0xc0000120);
    assert.equal(ov.InternalHigh, 12);
    assert.equal(ov.hEvent, 0x104);
    assert.equal(ov.Offset, 7);
    assert.equal(ov.OffsetHigh, 0);
  });
});
