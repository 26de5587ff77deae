/**
 * The address-family options, the same in every command that takes one (`addresses`, `watch`, `capture`):
 * `--family 4|6` (or `ipv4` / `ipv6`), `-4` / `--ipv4`, `-6` / `--ipv6`; giving both families is
 * a usage error.
 */
import type { CliCommand } from './command.js';

export type Family = 'IPv4' | 'IPv6';

export const FAMILY_OPTIONS: CliCommand['options'] = {
  family: { type: 'string' },
  ipv4: { type: 'boolean', short: '4' },
  ipv6: { type: 'boolean', short: '6' },
};

export const FAMILY_USAGE = '[--family 4|6 | -4 | -6]';

/** `-4` / `-6` as main() hands them over: as positionals (they look like negative numbers to it). */
export const isFamilyFlag = (p: string): boolean => p === '-4' || p === '-6';

/** The family asked for (null: none given), or the usage error. */
export function parseFamily(values: Record<string, unknown>, positionals: string[]): { family: Family | null } | { error: string } {
  const given: Family[] = [];
  if (values.family !== undefined) {
    const text = String(values.family).toLowerCase();
    if (text === '4' || text === 'ipv4') given.push('IPv4');
    else if (text === '6' || text === 'ipv6') given.push('IPv6');
    else return { error: `--family takes 4 or 6, not '${String(values.family)}'` };
  }
  if (values.ipv4 === true || positionals.includes('-4')) given.push('IPv4');
  if (values.ipv6 === true || positionals.includes('-6')) given.push('IPv6');
  if (new Set(given).size > 1) return { error: 'give one family, not both' };
  return { family: given[0] ?? null };
}
