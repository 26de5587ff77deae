/**
 * One answer to "which source address would the kernel use for this destination": the three codes
 * that depend on it (SIO_ROUTING_INTERFACE_QUERY, SIO_ROUTING_INTERFACE_CHANGE, SIO_ADDRESS_LIST_SORT)
 * agree for the same destination, on loopback here and in the lab namespace (routes with their own
 * source, unreachable and missing routes, multicast, broadcast, link-local zones). The query is
 * read through WSAIoctl; the sort's and the change's views through the functions their handlers
 * use. A route lookup sends nothing.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { sourceViews, type SourceViews } from './helpers/source-agreement-child.js';
import { LAB, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';

/** The three views agree: the same source (and zone), or all three find none. */
function assertAgree(v: SourceViews): void {
  const answered = /^([0-9a-f]{32})%(\d+)$/.exec(v.query);
  if (answered) {
    assert.equal(v.change, v.query, `${v.destination}: SIO_ROUTING_INTERFACE_CHANGE watches the source the query names`);
    assert.equal(v.sort, answered[1], `${v.destination}: SIO_ADDRESS_LIST_SORT ranks with the source the query names`);
  } else {
    assert.match(v.query, /^error \d+$/, v.destination);
    assert.match(v.change, /^errno \d+$/, `${v.destination}: no source for the change request either (${v.change})`);
    assert.ok(v.sort === 'none' || v.sort === 'invalid', `${v.destination}: no source for the sort either (${v.sort})`);
  }
}

const textOf = (hex: string): string => ws.unmappedText(ws.decodeIPv6(Buffer.from(hex.slice(0, 32), 'hex')));

describe('one source answer for the query, the change notification and the sort', () => {
  before(() => ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()));
  after(() => ws.WSACleanup());

  test('loopback: 127.0.0.1, 127.0.0.53, ::1, ::ffff:127.0.0.1', () => {
    const expected: Record<string, string> = { '127.0.0.1': '127.0.0.1', '127.0.0.53': '127.0.0.1', '::1': '::1', '::ffff:127.0.0.1': '127.0.0.1' };
    for (const [destination, source] of Object.entries(expected)) {
      const v = sourceViews(destination);
      assertAgree(v);
      assert.equal(textOf(v.query), source, destination);
    }
  });

  test('the lab namespace: every destination, answered or not', { skip: netnsSkip(), timeout: 60_000 }, () => {
    const destinations = [
      '192.0.2.55', '198.51.100.9', '203.0.113.200', '198.51.100.200', '203.0.113.50', '203.0.113.9',
      '224.0.0.1', '255.255.255.255', '192.0.2.1', '127.0.0.1', '::ffff:192.0.2.55',
      '2001:db8:77::5', '2001:db8:99::1', '2001:db8:1::99', '2001:db8:ffff::1', '2001:db8:1::1', '::1',
      'fe80::99%v0', 'ff02::1%v0', 'fe80::99', 'ff02::1',
    ];
    const views = lastJson<SourceViews[]>(runInNetns(LAB.setup, script('source-agreement-child.js'), [JSON.stringify(destinations)]));
    assert.equal(views.length, destinations.length);
    for (const v of views) assertAgree(v);
    const by = new Map(views.map((v) => [v.destination, v]));
    // Not vacuous: the lab's own facts come out (see ioctl-routing-query.test.ts for the query alone).
    assert.equal(textOf(by.get('203.0.113.200')!.query), '198.51.100.7', 'a route\'s own preferred source');
    assert.equal(textOf(by.get('2001:db8:77::5')!.query), '2001:db8:1::2', 'an IPv6 route\'s own source');
    assert.equal(textOf(by.get('::ffff:192.0.2.55')!.query), '192.0.2.1');
    assert.equal(by.get('198.51.100.200')!.query, `error ${ws.WSAENETUNREACH}`, 'an unreachable route');
    assert.equal(by.get('203.0.113.50')!.query, `error ${ws.WSAENETUNREACH}`, 'no route');
    assert.equal(by.get('198.51.100.200')!.sort, 'none', 'unreachable: ranked last, kept');
    assert.equal(by.get('fe80::99')!.sort, 'invalid', 'a link-local destination without its zone leaves the sorted list');
    assert.match(by.get('fe80::99%v0')!.query, /^fe800{26}01%[1-9]\d*$/, 'fe80::1 with v0 as its zone');
  });
});
