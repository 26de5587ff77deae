/**
 * One WSAIoctl call in each calling mode, observed the same way on both backends:
 * - plain: rc, WSAGetLastError, *lpcbBytesReturned, the output buffer;
 * - overlapped+port: the same, then WSAOVERLAPPED.Internal / InternalHigh and the completion
 *   packet GetQueuedCompletionStatus returns (or 'none');
 * - overlapped+event: the same, then whether hEvent was signalled and what
 *   WSAGetOverlappedResult(fWait FALSE) says;
 * - completion-routine: the same, then what an alertable SleepEx returned and how the routine
 *   was called (never before the wait).
 * Every out-parameter starts as SENTINEL and every output byte as GUARD, so "untouched" is seen.
 */
import type { Context, Mode, Observation, Value } from './types.js';
import {
  KEY, SENTINEL, errName, guarded, hex, infoOf, overlapped, refValue, statusOf, untouched, ws,
} from './winsock.js';

export interface IoctlSpec {
  code: number;
  /** Input buffer (default NULL). */
  input?: Uint8Array | null;
  /** cbInBuffer (default: the input's length, 0 for NULL). */
  cbIn?: number;
  /** Output buffer size, filled with GUARD (default NULL). */
  output?: number | null;
  /** cbOutBuffer (default: the output's size, 0 for NULL). */
  cbOut?: number;
  /** Use the input buffer as the output buffer too (sorted in place). */
  inPlace?: boolean;
  /** lpcbBytesReturned NULL. */
  nullBytesReturned?: boolean;
  /** Turns a host-dependent *lpcbBytesReturned into a stable fact (e.g. 'a multiple of 76'). */
  bytesAs?: (bytes: number) => Value;
}

/** Turns a successful output into a stable, comparable fact. */
export type Describe = (out: Uint8Array, bytes: number) => Value;

/** How long to wait for a completion that is expected (a missing one costs this once). */
export const COMPLETION_WAIT_MS = 1000;

interface Prepared {
  input: Uint8Array | null;
  cbIn: number;
  output: Uint8Array | null;
  cbOut: number;
  bytes: { value: number } | null;
}

function prepare(spec: IoctlSpec): Prepared {
  const input = spec.input ?? null;
  const output = spec.inPlace ? input : spec.output == null ? null : guarded(spec.output);
  return {
    input,
    cbIn: spec.cbIn ?? input?.length ?? 0,
    output,
    cbOut: spec.cbOut ?? (spec.inPlace ? input?.length ?? 0 : spec.output ?? 0),
    bytes: spec.nullBytesReturned ? null : { value: SENTINEL },
  };
}

/** rc, error, bytes and the output as observed after the call (and its completion). */
function basics(p: Prepared, rc: number, error: number, describe?: Describe, inPlace?: boolean, bytesAs?: (n: number) => Value): Observation {
  const raw = refValue(p.bytes);
  const obs: Observation = { rc, error: errName(error), bytes: typeof raw === 'number' && bytesAs ? bytesAs(raw) : raw };
  if (p.output !== null && !inPlace) obs.out = outputOf(p, describe);
  else if (inPlace && p.output !== null && describe) obs.out = rc === 0 ? describe(p.output, typeof raw === 'number' ? raw : 0) : 'not described';
  return obs;
}

function outputOf(p: Prepared, describe?: Describe): Value {
  const out = p.output!;
  if (untouched(out)) return 'untouched';
  const bytes = p.bytes && p.bytes.value !== SENTINEL ? p.bytes.value : p.cbOut;
  if (describe) {
    try {
      return describe(out.subarray(0, p.cbOut), bytes);
    } catch (error) {
      return `written, not understood (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return `written: ${hex(out.subarray(0, Math.min(out.length, 64)))}`;
}

function call(s: number, code: number, p: Prepared, ov: ws.WSAOVERLAPPED | null, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null): { rc: number; error: number } {
  ws.WSASetLastError(SENTINEL);
  const rc = ws.WSAIoctl(s, code, p.input, p.cbIn, p.output, p.cbOut, p.bytes, ov, routine);
  return { rc, error: ws.WSAGetLastError() };
}

/** A request that pended wrote its output at completion: describe it with the size it reported. */
function describeCompleted(obs: Observation, p: Prepared, spec: IoctlSpec, describe: Describe | undefined, bytes: number): void {
  if (describe && p.output !== null && !spec.inPlace && !untouched(p.output)) obs.out = describe(p.output.subarray(0, p.cbOut), bytes);
}

const started = (rc: number, error: number): boolean => rc === 0 || error === ws.WSA_IO_PENDING;

export function plain(s: number, spec: IoctlSpec, describe?: Describe): Observation {
  const p = prepare(spec);
  const { rc, error } = call(s, spec.code, p, null, null);
  return basics(p, rc, error, describe, spec.inPlace, spec.bytesAs);
}

export function viaPort(ctx: Context, s: number, spec: IoctlSpec, describe?: Describe): Observation {
  const port = ctx.port(s, KEY);
  const p = prepare(spec);
  const ov = overlapped();
  const { rc, error } = call(s, spec.code, p, ov, null);
  const transferred = { value: SENTINEL };
  const key = { value: SENTINEL };
  const which: ws.Ref<ws.WSAOVERLAPPED | null> = { value: null };
  ws.SetLastError(SENTINEL);
  const ok = ws.GetQueuedCompletionStatus(port, transferred, key, which, started(rc, error) ? COMPLETION_WAIT_MS : 0);
  const packet: Value = which.value === null
    ? 'none'
    : { ok, error: ok ? 'NO_ERROR' : errName(ws.GetLastError()), bytes: refValue(transferred), key: refValue(key), same: which.value === ov };
  const obs = basics(p, rc, error, describe, spec.inPlace, spec.bytesAs);
  if (rc !== 0 && ok) describeCompleted(obs, p, spec, describe, transferred.value);
  return { ...obs, internal: statusOf(ov.Internal), information: infoOf(ov.InternalHigh), packet };
}

export function viaEvent(ctx: Context, s: number, spec: IoctlSpec, describe?: Describe): Observation {
  const event = ctx.event();
  const p = prepare(spec);
  const ov = overlapped(event);
  const { rc, error } = call(s, spec.code, p, ov, null);
  let observed: Observation | null = null;
  const obs = (): Observation => (observed ??= basics(p, rc, error, describe, spec.inPlace, spec.bytesAs));
  const wait = ws.WSAWaitForMultipleEvents(1, [event], false, started(rc, error) ? COMPLETION_WAIT_MS : 0, false);
  const signaled = wait === ws.WSA_WAIT_EVENT_0 ? 'signaled' : wait === ws.WSA_WAIT_TIMEOUT ? 'not signaled' : `wait ${wait}`;
  let result: Value = 'not asked';
  if (started(rc, error)) {
    const transfer = { value: SENTINEL };
    const flags = { value: SENTINEL };
    ws.WSASetLastError(SENTINEL);
    const ok = ws.WSAGetOverlappedResult(s, ov, transfer, false, flags);
    result = ok ? { ok, transfer: refValue(transfer), flags: refValue(flags) } : { ok, error: errName(ws.WSAGetLastError()) };
    if (ok && rc !== 0) describeCompleted(obs(), p, spec, describe, transfer.value);
  }
  return { ...obs(), internal: statusOf(ov.Internal), information: infoOf(ov.InternalHigh), signaled, result };
}

export function viaRoutine(_ctx: Context, s: number, spec: IoctlSpec, describe?: Describe): Observation {
  const p = prepare(spec);
  const ov = overlapped();
  const calls: Observation[] = [];
  const routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE = (dwError, cbTransferred, lpOverlapped, dwFlags) => {
    calls.push({ dwError: errName(dwError), cbTransferred, same: lpOverlapped === ov, dwFlags });
  };
  const { rc, error } = call(s, spec.code, p, ov, routine);
  const beforeWait = calls.length;
  const sleep = ws.SleepEx(started(rc, error) ? COMPLETION_WAIT_MS : 0, true);
  const obs = basics(p, rc, error, describe, spec.inPlace, spec.bytesAs);
  const only = calls.length === 1 ? calls[0]! : null;
  if (rc !== 0 && only && only.dwError === 'NO_ERROR') describeCompleted(obs, p, spec, describe, only.cbTransferred as number);
  return {
    ...obs,
    beforeWait,
    sleep: sleep === ws.WAIT_IO_COMPLETION ? 'WAIT_IO_COMPLETION' : sleep,
    routine: calls.length === 0 ? 'not called' : calls.length === 1 ? calls[0]! : `${calls.length} calls`,
  };
}

/** Runs `spec` on `s` in `mode`. */
export function inMode(mode: Mode, ctx: Context, s: number, spec: IoctlSpec, describe?: Describe): Observation {
  switch (mode) {
    case 'plain': return plain(s, spec, describe);
    case 'overlapped+port': return viaPort(ctx, s, spec, describe);
    case 'overlapped+event': return viaEvent(ctx, s, spec, describe);
    case 'completion-routine': return viaRoutine(ctx, s, spec, describe);
    default: throw new Error(`not a WSAIoctl mode: ${mode}`);
  }
}

/** The call as C reads it, for the report. */
export function callText(codeName: string, spec: IoctlSpec, mode: Mode, socket = 's'): string {
  const input = spec.input == null ? 'NULL' : `in[${spec.input.length}]`;
  const cbIn = spec.cbIn ?? spec.input?.length ?? 0;
  const output = spec.inPlace ? 'in' : spec.output == null ? 'NULL' : `out[${spec.output}]`;
  const cbOut = spec.cbOut ?? (spec.inPlace ? cbIn : spec.output ?? 0);
  const bytes = spec.nullBytesReturned ? 'NULL' : '&bytes';
  const tail = mode === 'plain' ? 'NULL, NULL'
    : mode === 'completion-routine' ? '&ov, routine'
      : mode === 'overlapped+event' ? '&ov{hEvent}, NULL'
        : mode === 'overlapped+port' ? '&ov, NULL (port)' : 'NULL, NULL';
  return `WSAIoctl(${socket}, ${codeName}, ${input}, ${cbIn}, ${output}, ${cbOut}, ${bytes}, ${tail})`;
}
