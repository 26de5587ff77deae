/**
 * SIO_TCP_INITIAL_RTO on real sockets: MaxSynRetransmissions lands in the kernel's SYN retry count
 * (TCP_SYNCNT) of the socket, read back from the kernel. Facts: Microsoft's SIO_TCP_INITIAL_RTO and
 * TCP_INITIAL_RTO_PARAMETERS pages (Rtt USHORT ms, MaxSynRetransmissions UCHAR; 0xFFFF / 0xFF
 * unspecified, 0 default, 0xFE no SYN retransmission); the approximations are in
 * handlers/tcp-initial-rto.ts and the README.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { kernelInt } from '../dist/backend/linux/host/socket-facts.js';
import { cleanup, ioctl, startup, withSocket } from './helpers/sockets.js';

before(startup);
after(cleanup);

const TCP_SYNCNT = 7;
const IPPROTO_TCP = 6;
const params = (rtt: number, maxSyn: number): Uint8Array => Uint8Array.from([rtt & 0xff, rtt >> 8, maxSyn, 0]);
const synCount = (s: number): number | null => kernelInt(lookupSocket(s)!.fd, IPPROTO_TCP, TCP_SYNCNT);
const hostDefault = Number(readFileSync('/proc/sys/net/ipv4/tcp_syn_retries', 'utf8').trim());

describe('SIO_TCP_INITIAL_RTO', () => {
  test('MaxSynRetransmissions becomes the socket\'s SYN retry count; 0 bytes', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.deepEqual(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(300, 3), 4, null, 0), { rc: 0, error: 0, bytes: 0 });
      assert.equal(synCount(s), 3);
      assert.equal(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0xffff, 200), 4, null, 0).rc, 0);
      assert.equal(synCount(s), 127, 'more than Linux allows: its most');
    });
  });

  test('TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS (0xFE): the fewest Linux allows, 1', () => {
    withSocket(ws.AF_INET6, ws.SOCK_STREAM, (s) => {
      assert.equal(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0, 0xfe), 4, null, 0).rc, 0);
      assert.equal(synCount(s), 1);
    });
  });

  test('default (0) and unspecified (0xFF) restore the host\'s setting', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      for (const value of [0, 0xff]) {
        assert.equal(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0, 2), 4, null, 0).rc, 0);
        assert.equal(synCount(s), 2);
        assert.equal(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0, value), 4, null, 0).rc, 0);
        assert.equal(synCount(s), hostDefault, `value ${value}`);
      }
    });
  });

  test('a UDP socket: WSAEOPNOTSUPP; an input under 4 bytes: WSAEFAULT; nothing changed', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      assert.deepEqual(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0, 3), 4, null, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEOPNOTSUPP, bytes: 0 });
    });
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const before = synCount(s);
      assert.deepEqual(ioctl(s, ws.SIO_TCP_INITIAL_RTO, params(0, 3), 3, null, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEFAULT, bytes: 0 });
      assert.equal(synCount(s), before);
    });
  });
});
