/**
 * RFC 6724 destination address selection, the pure part: the five worked examples of section 10.2
 * (each in both input orders), then one case per rule that the examples do not reach.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sortDestinations, compareDestinations, ip, scopeOf, policyOf, SCOPE, DEFAULT_POLICY,
  type SourceAddress, type Destination,
} from '../dist/backend/linux/address-selection/rfc6724.js';
import { decodeIPv6, unmappedText } from '../dist/structs/sockaddr.js';

interface Dest extends Destination {
  text: string;
}

/** Destination text -> its source (text, or an object for flags, or null when unusable). */
type Sources = Record<string, string | (Omit<SourceAddress, 'address'> & { address: string }) | null>;

function sourceOf(spec: Sources[string]): SourceAddress | null {
  if (spec === null || spec === undefined) return null;
  if (typeof spec === 'string') return { address: ip(spec) };
  return { ...spec, address: ip(spec.address) };
}

function sortTexts(destinations: string[], sources: Sources): { order: string[]; sources: (string | null)[]; rules: (number | null)[] } {
  const dests: Dest[] = destinations.map((text) => ({ text, address: ip(text) }));
  const ranked = sortDestinations(dests, (d) => sourceOf(sources[d.text]!));
  return {
    order: ranked.map((r) => r.destination.text),
    sources: ranked.map((r) => (r.source ? text(r.source.address) : null)),
    rules: ranked.map((r) => r.rule),
  };
}

/** Text of a 16-byte address, IPv4-mapped shown as plain IPv4. */
function text(a: Uint8Array): string {
  return unmappedText(decodeIPv6(a));
}

/** Sort both ways round: the result must not depend on the input order. */
function expectOrder(destinations: string[], sources: Sources, want: string[], rule: number, wantSources: (string | null)[]): void {
  for (const input of [destinations, [...destinations].reverse()]) {
    const got = sortTexts(input, sources);
    assert.deepEqual(got.order, want, `input ${input.join(', ')}`);
    assert.deepEqual(got.sources, wantSources);
    assert.equal(got.rules[0], rule, `deciding rule for ${input.join(', ')}`);
  }
}

describe('RFC 6724 section 10.2 examples', () => {
  // Candidate sources 2001:db8:1::2, fe80::1, 169.254.13.78; source selection (section 5) gives
  // the IPv6 global source to the IPv6 destination and the IPv4 one to the IPv4 destination.
  test('1: prefer matching scope (IPv4 source is link-local)', () => {
    expectOrder(
      ['2001:db8:1::1', '198.51.100.121'],
      { '2001:db8:1::1': '2001:db8:1::2', '198.51.100.121': '169.254.13.78' },
      ['2001:db8:1::1', '198.51.100.121'], 2,
      ['2001:db8:1::2', '169.254.13.78'],
    );
  });

  test('2: prefer matching scope (IPv6 source is link-local)', () => {
    expectOrder(
      ['2001:db8:1::1', '198.51.100.121'],
      { '2001:db8:1::1': 'fe80::1', '198.51.100.121': '198.51.100.117' },
      ['198.51.100.121', '2001:db8:1::1'], 2,
      ['198.51.100.117', 'fe80::1'],
    );
  });

  test('3: prefer higher precedence (::/0 40 over ::ffff:0:0/96 35)', () => {
    expectOrder(
      ['2001:db8:1::1', '10.1.2.3'],
      { '2001:db8:1::1': '2001:db8:1::2', '10.1.2.3': '10.1.2.4' },
      ['2001:db8:1::1', '10.1.2.3'], 6,
      ['2001:db8:1::2', '10.1.2.4'],
    );
  });

  test('4: prefer smaller scope', () => {
    expectOrder(
      ['2001:db8:1::1', 'fe80::1'],
      { '2001:db8:1::1': '2001:db8:1::2', 'fe80::1': 'fe80::2' },
      ['fe80::1', '2001:db8:1::1'], 8,
      ['fe80::2', '2001:db8:1::2'],
    );
  });

  // Candidate sources 2001:db8:1::2 (care-of), 2001:db8:3::1 (home), fe80::2 (care-of): the home
  // address wins for the global destination (source Rule 4), and Rule 4 here outranks Rule 8.
  test('5: prefer home address', () => {
    expectOrder(
      ['2001:db8:1::1', 'fe80::1'],
      {
        '2001:db8:1::1': { address: '2001:db8:3::1', home: true },
        'fe80::1': { address: 'fe80::2', careOf: true },
      },
      ['2001:db8:1::1', 'fe80::1'], 4,
      ['2001:db8:3::1', 'fe80::2'],
    );
  });
});

describe('RFC 6724 rules the examples do not reach', () => {
  test('Rule 1: a destination without a source goes last, whatever its precedence', () => {
    expectOrder(['::1', '192.0.2.1'], { '::1': null, '192.0.2.1': '192.0.2.2' }, ['192.0.2.1', '::1'], 1, ['192.0.2.2', null]);
  });

  test('Rule 3: avoid a deprecated source', () => {
    expectOrder(
      ['2001:db8:1::1', '2001:db8:2::1'],
      { '2001:db8:1::1': { address: '2001:db8:1::2', deprecated: true }, '2001:db8:2::1': '2001:db8:2::2' },
      ['2001:db8:2::1', '2001:db8:1::1'], 3,
      ['2001:db8:2::2', '2001:db8:1::2'],
    );
  });

  test('Rule 5: prefer matching label (6to4 destination with 6to4 source)', () => {
    expectOrder(
      ['2002:c633:6401::1', '2001:db8:1::1'],
      { '2002:c633:6401::1': '2002:c633:6401::2', '2001:db8:1::1': '2002:c633:6401::2' },
      ['2002:c633:6401::1', '2001:db8:1::1'], 5,
      ['2002:c633:6401::2', '2002:c633:6401::2'],
    );
  });

  test('Rule 6 after labels match: native IPv6 over 6to4', () => {
    expectOrder(
      ['2002:c633:6401::1', '2001:db8:1::1'],
      { '2002:c633:6401::1': '2002:c633:6401::2', '2001:db8:1::1': '2001:db8:1::2' },
      ['2001:db8:1::1', '2002:c633:6401::1'], 6,
      ['2001:db8:1::2', '2002:c633:6401::2'],
    );
  });

  test('Rule 7: prefer native transport (with a table where precedence and label tie)', () => {
    const flat = DEFAULT_POLICY.map((p) => ({ ...p, precedence: 40, label: 1 }));
    const a = ip('2002:c633:6401::1');
    const b = ip('2001:db8:1::1');
    const src = { address: ip('2001:db8:1::2') };
    const r = compareDestinations(a, src, b, src, { policy: flat });
    assert.deepEqual([Math.sign(r.order), r.rule], [1, 7]);
  });

  test('Rule 9: longest matching prefix between IPv6 destinations, up to the source prefix (64)', () => {
    expectOrder(
      ['2001:db8:9::1', '2001:db8:1::1'],
      { '2001:db8:9::1': '2001:db8:1::2', '2001:db8:1::1': '2001:db8:1::2' },
      ['2001:db8:1::1', '2001:db8:9::1'], 9,
      ['2001:db8:1::2', '2001:db8:1::2'],
    );
    // Past the 64-bit prefix the interface identifiers do not count: Rule 10 keeps the order.
    const got = sortTexts(['2001:db8:1::ffff', '2001:db8:1::3'], { '2001:db8:1::ffff': '2001:db8:1::2', '2001:db8:1::3': '2001:db8:1::2' });
    assert.deepEqual(got.order, ['2001:db8:1::ffff', '2001:db8:1::3']);
    assert.equal(got.rules[0], 10);
  });

  test('Rule 9 is not applied to IPv4 pairs by default (a 10/8 source says nothing about 11/8)', () => {
    const dests = ['54.83.193.112', '23.23.172.185', '10.9.9.9'];
    const sources = Object.fromEntries(dests.map((d) => [d, '10.2.3.4']));
    assert.deepEqual(sortTexts(dests, sources).order, dests);
    const withRule9 = sortDestinations(
      dests.map((t) => ({ text: t, address: ip(t) })),
      () => ({ address: ip('10.2.3.4'), prefixLength: 8 }),
      { longestPrefixForIPv4: true },
    );
    assert.equal(withRule9[0]!.destination.text, '10.9.9.9');
  });

  test('Rule 10: equal destinations keep their order (stable)', () => {
    const dests: Dest[] = ['2001:db8::1', '2001:db8::1', '2001:db8::1'].map((t) => ({ text: t, address: ip(t) }));
    const ranked = sortDestinations(dests, () => ({ address: ip('2001:db8::2') }));
    assert.deepEqual(ranked.map((r) => dests.indexOf(r.destination)), [0, 1, 2]);
    assert.deepEqual(ranked.map((r) => r.rule), [10, 10, null]);
  });
});

describe('scopes and policy', () => {
  test('scopes: multicast scop field, link-local, loopback, site-local, IPv4 per section 3.2', () => {
    assert.equal(scopeOf(ip('ff02::1')), SCOPE.linkLocal);
    assert.equal(scopeOf(ip('ff05::1')), SCOPE.siteLocal);
    assert.equal(scopeOf(ip('ff0e::1')), SCOPE.global);
    assert.equal(scopeOf(ip('ff01::1')), SCOPE.interfaceLocal);
    assert.equal(scopeOf(ip('fe80::1')), SCOPE.linkLocal);
    assert.equal(scopeOf(ip('::1')), SCOPE.linkLocal);
    assert.equal(scopeOf(ip('fec0::1')), SCOPE.siteLocal);
    assert.equal(scopeOf(ip('fd00::1')), SCOPE.global);
    assert.equal(scopeOf(ip('127.0.0.1')), SCOPE.linkLocal);
    assert.equal(scopeOf(ip('169.254.1.1')), SCOPE.linkLocal);
    assert.equal(scopeOf(ip('10.0.0.1')), SCOPE.global);
    assert.equal(scopeOf(ip('192.0.2.1')), SCOPE.global);
  });

  test('default policy table: longest prefix wins', () => {
    const pl = (t: string) => { const p = policyOf(ip(t)); return [p.precedence, p.label]; };
    assert.deepEqual(pl('::1'), [50, 0]);
    assert.deepEqual(pl('2001:db8::1'), [40, 1]);
    assert.deepEqual(pl('192.0.2.1'), [35, 4]);
    assert.deepEqual(pl('2002::1'), [30, 2]);
    assert.deepEqual(pl('2001:0:1::1'), [5, 5]);
    assert.deepEqual(pl('fd00::1'), [3, 13]);
    assert.deepEqual(pl('::192.0.2.1'), [1, 3]);
    assert.deepEqual(pl('fec0::1'), [1, 11]);
    assert.deepEqual(pl('3ffe::1'), [1, 12]);
  });
});
