/** Finding catalogue records by name (or alias) and by value. */
import { catalogue } from './catalogue.js';
import { toUint32 } from './bits.js';
import type { CodeRecord } from './types.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

// Shared by every caller, so nobody may edit it in place.
const records: readonly CodeRecord[] = deepFreeze(catalogue);

/** Upper-case name or alias → record. Names are upper-case identifiers, so matching ignores case. */
const byName = new Map<string, CodeRecord>();
/** Unsigned value → records in catalogue order (several names may share a value). */
const byValue = new Map<number, CodeRecord[]>();

for (const record of records) {
  for (const name of [record.name, ...record.aliases]) byName.set(name.toUpperCase(), record);
  const same = byValue.get(record.value);
  if (same) same.push(record);
  else byValue.set(record.value, [record]);
}

/** Every record, in catalogue order. @group Control-code toolkit */
export function allCodes(): readonly CodeRecord[] {
  return records;
}

/** The record for a name or alias (case does not matter), or undefined. @group Control-code toolkit */
export function codeByName(name: string): CodeRecord | undefined {
  return typeof name === 'string' ? byName.get(name.trim().toUpperCase()) : undefined;
}

/** Every record with this value (signed or unsigned 32-bit); RangeError for a non-32-bit number. @group Control-code toolkit */
export function codesByValue(value: number): readonly CodeRecord[] {
  return byValue.get(toUint32(value)) ?? [];
}

/** Every name, aliases included, that the catalogue gives this value. @group Control-code toolkit */
export function namesOfValue(value: number): string[] {
  return codesByValue(value).flatMap((r) => [r.name, ...r.aliases]);
}

/**
 * One record by name, alias or value. A number, or a string written as a number
 * (`'0x98000004'`, `'-1744830460'`), is a value; when several records share it the first in
 * catalogue order is returned (see codesByValue for all of them).
 *
 * @group Control-code toolkit
 */
export function lookupCode(nameOrValue: string | number): CodeRecord | undefined {
  if (typeof nameOrValue === 'number') return codesByValue(nameOrValue)[0];
  const number = parseNumber(nameOrValue);
  if (number === undefined) return codeByName(nameOrValue);
  return codesByValue(number)[0];
}

const NUMBER_TEXT = /^\s*(-?)(0x[0-9a-f]+|\d+)\s*$/i;

/** A decimal or 0x-hex integer (optionally negative), or undefined if the text is not one. @group Control-code toolkit */
export function parseNumber(text: string): number | undefined {
  const match = NUMBER_TEXT.exec(text);
  if (!match) return undefined;
  const magnitude = Number(match[2]);
  return match[1] === '-' ? -magnitude : magnitude;
}

/**
 * Read a control code written by a person: `0x98000004`, `2550136836`, `-1744830460` or a name
 * such as `SIO_KEEPALIVE_VALS`. Returns the unsigned value; RangeError for anything else.
 *
 * @group Control-code toolkit
 */
export function parseControlCode(text: string): number {
  const number = typeof text === 'string' ? parseNumber(text) : undefined;
  if (number !== undefined) return toUint32(number);
  const record = codeByName(String(text));
  if (!record) throw new RangeError(`not a control code name or 32-bit number: ${JSON.stringify(text)}`);
  return record.value;
}
