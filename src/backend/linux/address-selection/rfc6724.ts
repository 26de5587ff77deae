/**
 * RFC 6724 destination address selection (section 6), as a pure function: no I/O, no koffi. The
 * caller says which source address the host would use for each destination (`sourceFor`); the
 * Linux backend asks the kernel (see `kernel-source.ts`), tests pass the RFC's own examples.
 *
 * Addresses are 16-byte IPv6 addresses; IPv4 addresses are given in IPv4-mapped form
 * (::ffff:a.b.c.d), as RFC 6724 section 6 requires for looking them up in the policy table.
 */
import { encodeIPv4, encodeIPv6, isV4Mapped, mapIPv4 } from '../../../structs/sockaddr.js';
import { isIPv4, isIPv6, isLinkLocal6 } from '../../../structs/ip.js';

/** One row of the policy table (RFC 6724 section 2.1). */
export interface PolicyEntry {
  /** 16 bytes. */
  prefix: Uint8Array;
  prefixLength: number;
  precedence: number;
  label: number;
}

/** What is known about the source address chosen for one destination. */
export interface SourceAddress {
  /** 16 bytes (IPv4 as IPv4-mapped). */
  address: Uint8Array;
  /** A deprecated address (RFC 4862 preferred lifetime over): Rule 3. */
  deprecated?: boolean;
  /** Mobile IPv6 home address (RFC 6275): Rule 4. */
  home?: boolean;
  /** Mobile IPv6 care-of address: Rule 4. */
  careOf?: boolean;
  /** Length of the source's on-link prefix, for CommonPrefixLen (Rule 9). Default 64 for IPv6. */
  prefixLength?: number;
}

export interface Destination {
  /** 16 bytes (IPv4 as IPv4-mapped). */
  address: Uint8Array;
}

/** The rules of RFC 6724 section 6, by number. */
export const RULES: Readonly<Record<number, string>> = {
  1: 'avoid unusable destinations',
  2: 'prefer matching scope',
  3: 'avoid deprecated addresses',
  4: 'prefer home addresses',
  5: 'prefer matching label',
  6: 'prefer higher precedence',
  7: 'prefer native transport',
  8: 'prefer smaller scope',
  9: 'use longest matching prefix',
  10: 'leave the order unchanged',
};

export interface SortOptions {
  /** Policy table; default `DEFAULT_POLICY`. */
  policy?: readonly PolicyEntry[];
  /**
   * Rule 7: whether a destination is reached through an encapsulating transition mechanism.
   * Default: destinations in 2002::/16 (6to4) and 2001::/32 (Teredo), the mechanisms the default
   * policy table names; the host cannot tell more without looking at its tunnels.
   */
  encapsulated?: (destination: Uint8Array, source: Uint8Array | null) => boolean;
  /**
   * Rule 9 for two IPv4 destinations. RFC 6724 applies Rule 9 to any two destinations of the same
   * family, but for IPv4 a shared leading bit says nothing about topology (a 10/8 source would
   * prefer 11/8 destinations; Go issue 13283), so by default it only compares IPv6 pairs.
   */
  longestPrefixForIPv4?: boolean;
}

export interface Ranked<T> {
  destination: T;
  /** The source the host would use, or null when the destination is unusable. */
  source: SourceAddress | null;
  /** The rule that placed this entry ahead of the next one (null for the last). */
  rule: number | null;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** 16 bytes from text: IPv6, or IPv4 which becomes IPv4-mapped. Throws TypeError otherwise. */
export function ip(text: string): Uint8Array {
  if (isIPv4(text)) return mapIPv4(encodeIPv4(text));
  if (isIPv6(text)) return encodeIPv6(text);
  throw new TypeError(`not an IP address: ${text}`);
}

/** Number of leading bits two 16-byte addresses share. */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array, limit = 128): number {
  let bits = 0;
  for (let i = 0; i < 16 && bits < limit; i++) {
    const x = a[i]! ^ b[i]!;
    if (x === 0) {
      bits += 8;
      continue;
    }
    bits += Math.clz32(x) - 24;
    break;
  }
  return Math.min(bits, limit);
}

function inPrefix(a: Uint8Array, prefix: Uint8Array, length: number): boolean {
  return commonPrefixBits(a, prefix, length) >= length;
}

// ---------------------------------------------------------------------------------------------
// Scope (RFC 4291 section 2.7, RFC 6724 sections 3.1 and 3.2)

export const SCOPE = {
  interfaceLocal: 0x1,
  linkLocal: 0x2,
  adminLocal: 0x4,
  siteLocal: 0x5,
  organizationLocal: 0x8,
  global: 0xe,
} as const;

export function scopeOf(a: Uint8Array): number {
  if (a[0] === 0xff) return a[1]! & 0x0f; // multicast: the scop field
  if (isV4Mapped(a)) {
    // Section 3.2: 169.254/16 and 127/8 are link-local, every other IPv4 address is global.
    if (a[12] === 127 || (a[12] === 169 && a[13] === 254)) return SCOPE.linkLocal;
    return SCOPE.global;
  }
  if (isLinkLocal6(a)) return SCOPE.linkLocal;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0xc0) return SCOPE.siteLocal;
  if (isLoopback(a)) return SCOPE.linkLocal; // the loopback address is treated as link-local
  return SCOPE.global;
}

function isLoopback(a: Uint8Array): boolean {
  for (let i = 0; i < 15; i++) if (a[i] !== 0) return false;
  return a[15] === 1;
}

// ---------------------------------------------------------------------------------------------
// Policy table (RFC 6724 section 2.1)

const row = (prefix: string, prefixLength: number, precedence: number, label: number): PolicyEntry =>
  ({ prefix: encodeIPv6(prefix), prefixLength, precedence, label });

export const DEFAULT_POLICY: readonly PolicyEntry[] = Object.freeze([
  row('::1', 128, 50, 0),
  row('::', 0, 40, 1),
  row('::ffff:0:0', 96, 35, 4),
  row('2002::', 16, 30, 2),
  row('2001::', 32, 5, 5),
  row('fc00::', 7, 3, 13),
  row('::', 96, 1, 3),
  row('fec0::', 10, 1, 11),
  row('3ffe::', 16, 1, 12),
]);

/** The policy-table row with the longest prefix matching `a`. */
export function policyOf(a: Uint8Array, policy: readonly PolicyEntry[] = DEFAULT_POLICY): PolicyEntry {
  let best: PolicyEntry | undefined;
  for (const entry of policy) {
    if (inPrefix(a, entry.prefix, entry.prefixLength) && (!best || entry.prefixLength > best.prefixLength)) best = entry;
  }
  // A table without ::/0 leaves some addresses unmatched: treat them as precedence 0, label 0xffff.
  return best ?? { prefix: new Uint8Array(16), prefixLength: 0, precedence: 0, label: 0xffff };
}

// ---------------------------------------------------------------------------------------------
// The comparison

const defaultEncapsulated = (d: Uint8Array): boolean =>
  (d[0] === 0x20 && d[1] === 0x02) || (d[0] === 0x20 && d[1] === 0x01 && d[2] === 0 && d[3] === 0);

interface Facts {
  address: Uint8Array;
  source: SourceAddress | null;
  scope: number;
  policy: PolicyEntry;
  sourceScope: number;
  sourceLabel: number;
  encapsulated: boolean;
  v4: boolean;
  index: number;
}

function factsOf(address: Uint8Array, source: SourceAddress | null, index: number, options: SortOptions): Facts {
  const policy = options.policy ?? DEFAULT_POLICY;
  return {
    address,
    source,
    scope: scopeOf(address),
    policy: policyOf(address, policy),
    sourceScope: source ? scopeOf(source.address) : -1,
    sourceLabel: source ? policyOf(source.address, policy).label : -1,
    encapsulated: (options.encapsulated ?? defaultEncapsulated)(address, source?.address ?? null),
    v4: isV4Mapped(address),
    index,
  };
}

/** < 0: A first; > 0: B first; 0: no preference. With the rule that decided. */
function compare(a: Facts, b: Facts, options: SortOptions): { order: number; rule: number } {
  // Rule 1: avoid unusable destinations.
  if (!a.source !== !b.source) return { order: a.source ? -1 : 1, rule: 1 };
  const sa = a.source;
  const sb = b.source;
  if (sa && sb) {
    // Rule 2: prefer matching scope.
    const ma = a.scope === a.sourceScope;
    const mb = b.scope === b.sourceScope;
    if (ma !== mb) return { order: ma ? -1 : 1, rule: 2 };
    // Rule 3: avoid deprecated addresses.
    if (!!sa.deprecated !== !!sb.deprecated) return { order: sa.deprecated ? 1 : -1, rule: 3 };
    // Rule 4: prefer home addresses.
    const both = (s: SourceAddress) => !!s.home && !!s.careOf;
    if (both(sa) !== both(sb)) return { order: both(sa) ? -1 : 1, rule: 4 };
    const homeOnly = (s: SourceAddress) => !!s.home && !s.careOf;
    const careOfOnly = (s: SourceAddress) => !!s.careOf && !s.home;
    if (homeOnly(sa) && careOfOnly(sb)) return { order: -1, rule: 4 };
    if (careOfOnly(sa) && homeOnly(sb)) return { order: 1, rule: 4 };
    // Rule 5: prefer matching label.
    const la = a.sourceLabel === a.policy.label;
    const lb = b.sourceLabel === b.policy.label;
    if (la !== lb) return { order: la ? -1 : 1, rule: 5 };
  }
  // Rule 6: prefer higher precedence.
  if (a.policy.precedence !== b.policy.precedence) return { order: b.policy.precedence - a.policy.precedence, rule: 6 };
  // Rule 7: prefer native transport.
  if (a.encapsulated !== b.encapsulated) return { order: a.encapsulated ? 1 : -1, rule: 7 };
  // Rule 8: prefer smaller scope.
  if (a.scope !== b.scope) return { order: a.scope - b.scope, rule: 8 };
  // Rule 9: use longest matching prefix (same family; IPv4 only when asked, see SortOptions).
  if (sa && sb && a.v4 === b.v4 && (!a.v4 || options.longestPrefixForIPv4)) {
    const pa = commonPrefixLength(sa, a.address);
    const pb = commonPrefixLength(sb, b.address);
    if (pa !== pb) return { order: pb - pa, rule: 9 };
  }
  // Rule 10: otherwise, leave the order unchanged.
  return { order: a.index - b.index, rule: 10 };
}

/** CommonPrefixLen(S, D): shared leading bits, only up to the length of S's prefix (section 2.2). */
function commonPrefixLength(source: SourceAddress, destination: Uint8Array): number {
  const v4 = isV4Mapped(source.address);
  const limit = v4 ? 96 + Math.min(32, source.prefixLength ?? 32) : source.prefixLength ?? 64;
  return commonPrefixBits(source.address, destination, limit);
}

/**
 * Sort `destinations` best first (RFC 6724 section 6). `sourceFor` gives the source address the
 * host would use for a destination, or null when it has none or the destination is known to be
 * unreachable. The sort is stable (Rule 10). Each result says which rule put it ahead of the next.
 */
export function sortDestinations<T extends Destination>(
  destinations: readonly T[],
  sourceFor: (destination: T) => SourceAddress | null,
  options: SortOptions = {},
): Ranked<T>[] {
  const facts = destinations.map((d, i) => ({ d, f: factsOf(d.address, sourceFor(d), i, options) }));
  facts.sort((x, y) => compare(x.f, y.f, options).order);
  return facts.map(({ d, f }, i) => ({
    destination: d,
    source: f.source,
    rule: i + 1 < facts.length ? compare(f, facts[i + 1]!.f, options).rule : null,
  }));
}

/**
 * Which rule orders two destinations, and how: `order` < 0 when `a` goes first. For explaining an
 * order that was produced elsewhere (the CLI on Windows).
 */
export function compareDestinations(
  a: Uint8Array, sourceA: SourceAddress | null,
  b: Uint8Array, sourceB: SourceAddress | null,
  options: SortOptions = {},
): { order: number; rule: number } {
  return compare(factsOf(a, sourceA, 0, options), factsOf(b, sourceB, 1, options), options);
}
