/** Splitting a control code into its bit fields. */
import { IOC_IN, IOC_OUT, IOC_VOID, IOCPARM_MASK, toUint32 } from './bits.js';
import { namesOfValue } from './lookup.js';
import type { CodeType, Direction, UnixDecomposition } from './types.js';

/** A control code split into its bit fields (decodeControlCode). */
export interface DecodedControlCode {
  /** The code as an unsigned 32-bit number. */
  readonly value: number;
  /** IOC_IN (bit 31). */
  readonly input: boolean;
  /** IOC_OUT (bit 30). */
  readonly output: boolean;
  /** IOC_VOID (bit 29). */
  readonly void: boolean;
  /** Bits 29–31 read as one word. */
  readonly direction: Direction;
  /** Bits 27–28. */
  readonly type: CodeType;
  /** Bits 16–26: vendor number, address family, or (unix codes) the parameter size. */
  readonly family: number;
  /** Bits 0–15. */
  readonly code: number;
  /** The BSD reading, for unix-type codes only. */
  readonly unix: UnixDecomposition | null;
  /** Every catalogue name and alias with this value (empty for unknown codes). */
  readonly names: readonly string[];
}

const TYPES: readonly CodeType[] = ['unix', 'ws2', 'protocol', 'vendor'];

function directionOf(input: boolean, output: boolean, isVoid: boolean): Direction {
  if (isVoid) return input || output ? 'mixed' : 'void';
  if (input && output) return 'inout';
  if (input) return 'in';
  return output ? 'out' : 'none';
}

function unixDecomposition(value: number): UnixDecomposition {
  return {
    group: String.fromCharCode((value >>> 8) & 0xff),
    number: value & 0xff,
    paramSize: (value >>> 16) & IOCPARM_MASK,
  };
}

/**
 * Split a control code into its fields. Accepts unsigned values and their signed 32-bit form
 * (`-1744830460` is `0x98000004`); RangeError for anything that is not a 32-bit integer.
 *
 * @group Control-code toolkit
 */
export function decodeControlCode(code: number): DecodedControlCode {
  const value = toUint32(code);
  const input = (value & IOC_IN) !== 0;
  const output = (value & IOC_OUT) !== 0;
  const isVoid = (value & IOC_VOID) !== 0;
  const type = TYPES[(value >>> 27) & 3]!;
  return {
    value,
    input,
    output,
    void: isVoid,
    direction: directionOf(input, output, isVoid),
    type,
    family: (value >>> 16) & 0x7ff,
    code: value & 0xffff,
    unix: type === 'unix' ? unixDecomposition(value) : null,
    names: namesOfValue(value),
  };
}

/** `0x98000004`: the spelling the headers and the spec use. @group Control-code toolkit */
export function formatControlCode(code: number): string {
  return '0x' + toUint32(code).toString(16).toUpperCase().padStart(8, '0');
}
