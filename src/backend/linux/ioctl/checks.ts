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

// passes / firstFailure run before every control code's body: kept small (field reads, an indexed
// loop, the failure's object made apart) so that V8 inlines them into the dispatcher.
function passes(check: IoctlCheck, call: IoctlCall): boolean {
  if (check.kind === 'socketType') return check.types.includes(call.sock.type);
  if (check.kind === 'family') return check.families.includes(call.sock.af);
  const input = check.buffer === 'input';
  const isNull = input ? call.inputIsNull : call.outputIsNull;
  const size = (input ? call.input : call.output).length;
  return check.kind === 'size'
    ? !isNull && size >= check.min && (!check.exact || size === check.min)
    : size === 0 && (!check.nullPointer || isNull);
}

const failureOf = (check: IoctlCheck): IoctlDone => ({ error: check.error, bytes: check.bytes, byCheck: check.kind });

/** The first failing check's answer, or null when all pass. */
export function firstFailure(checks: readonly IoctlCheck[], call: IoctlCall): IoctlDone | null {
  for (let i = 0; i < checks.length; i++) if (!passes(checks[i]!, call)) return failureOf(checks[i]!);
  return null;
}
