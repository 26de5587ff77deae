/**
 * The declarative checks a handler lists (types.ts IoctlCheck), their builders, and the one
 * function that runs them. `bytes` is always said: Windows writes 0 on some failures and leaves
 * *lpcbBytesReturned alone on others, per code.
 */
import { UNTOUCHED, type BytesReturned, type IoctlCall, type IoctlCheck, type IoctlDone } from './types.js';

export { UNTOUCHED };

/** The input holds at least `min` bytes (a null pointer fails). */
export const inputAtLeast = (min: number, error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'size', buffer: 'input', min, exact: false, error, bytes });
/** The input holds exactly `size` bytes. */
export const inputExactly = (size: number, error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'size', buffer: 'input', min: size, exact: true, error, bytes });
/** The output holds at least `min` bytes (a null pointer fails). */
export const outputAtLeast = (min: number, error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'size', buffer: 'output', min, exact: false, error, bytes });
/** No input bytes. */
export const noInput = (error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'empty', buffer: 'input', nullPointer: false, error, bytes });
/** No output bytes; with `nullPointer` the pointer must be null as well. */
export const noOutput = (error: number, bytes: BytesReturned, nullPointer = false): IoctlCheck =>
  ({ kind: 'empty', buffer: 'output', nullPointer, error, bytes });
/** The socket is of one of these Windows types. */
export const socketType = (types: readonly number[], error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'socketType', types, error, bytes });
/** The socket is of one of these Windows address families. */
export const family = (families: readonly number[], error: number, bytes: BytesReturned): IoctlCheck =>
  ({ kind: 'family', families, error, bytes });

// Field reads, no array destructuring: this runs before every control code's body.
function passes(check: IoctlCheck, call: IoctlCall): boolean {
  switch (check.kind) {
    case 'size': {
      const input = check.buffer === 'input';
      if (input ? call.inputIsNull : call.outputIsNull) return false;
      const size = input ? call.input.length : call.output.length;
      return size >= check.min && (!check.exact || size === check.min);
    }
    case 'empty': {
      const input = check.buffer === 'input';
      const size = input ? call.input.length : call.output.length;
      return size === 0 && (!check.nullPointer || (input ? call.inputIsNull : call.outputIsNull));
    }
    case 'socketType':
      return check.types.includes(call.sock.type);
    case 'family':
      return check.families.includes(call.sock.af);
  }
}

/** The first failing check's answer, or null when all pass. */
export function firstFailure(checks: readonly IoctlCheck[], call: IoctlCall): IoctlDone | null {
  for (const check of checks) {
    if (!passes(check, call)) return { error: check.error, bytes: check.bytes, byCheck: check.kind };
  }
  return null;
}
