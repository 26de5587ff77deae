/**
 * Scenarios for one control code are written once as a `CodeCase` (the socket, the call, the
 * plain-mode result Windows gives) plus a rule for what Windows does with the same call in the
 * overlapped modes; `expand` turns that into one scenario per calling mode. A new calling mode is
 * one more entry in MODES and one more branch in `expectedIn`.
 */
import type { Basis, Capability, Context, Mode, Observation, Scenario, SocketKind } from './types.js';
import { callText, inMode, type Describe, type IoctlSpec } from './call.js';
import { KEY, ws } from './winsock.js';

export const MODES: readonly Mode[] = ['plain', 'overlapped+port', 'overlapped+event', 'completion-routine'];

export const NEEDS: Record<Mode, Capability[]> = {
  plain: [],
  'overlapped+port': ['overlapped-ioctl', 'ports'],
  'overlapped+event': ['overlapped-ioctl', 'events'],
  'completion-routine': ['overlapped-ioctl', 'apc'],
  other: [],
};

/** What Windows does with the same call made overlapped. */
export type OverlappedRule =
  /** Completes before WSAIoctl returns: 0, a completion with status 0 and information 0. */
  | { kind: 'immediate'; basis: Basis; source: string; overrides?: Partial<Record<Mode, Observation>> }
  /** The request is queued and completes with STATUS_NOT_SUPPORTED (WSAEOPNOTSUPP), 0 bytes. */
  | { kind: 'not-supported'; basis: Basis; source: string }
  /** Refused before any request exists: the plain-mode error, no completion of any kind. */
  | { kind: 'fails-early'; basis: Basis; source: string; internal: 'untouched' | 'STATUS_PENDING' }
  /** Written out per mode. */
  | { kind: 'custom'; basis: Basis; source: string; expected: Partial<Record<Mode, Observation>> };

export interface CodeCase {
  /** `<code>.<case>`; the mode is appended for the overlapped variants. */
  id: string;
  /** Catalogue name of the code under test (decides "not implemented on Linux yet"). */
  code?: string;
  /** How the code is written in the report's call text (default: `code`). */
  callName?: string;
  title: string;
  socket: SocketKind;
  /** Makes the socket (default: from `socket`). */
  make?: (ctx: Context) => number;
  spec: (s: number) => IoctlSpec;
  /** Turns a successful output into a stable fact; `s` is the socket the call was made on. */
  describe?: (out: Uint8Array, bytes: number, s: number) => ReturnType<Describe>;
  /** Plain mode: what Windows returns. */
  expected: Observation;
  basis: Basis;
  source: string;
  /** Omit to test the plain mode only. */
  overlapped?: OverlappedRule;
  needs?: Capability[];
  only?: Scenario['only'];
  /**
   * Fields left out of the comparison (and of the observation): what Windows does there is neither
   * measured nor documented, and the two implementations disagree. Say why in `source`.
   */
  unobserved?: string[];
}

export function makeSocket(ctx: Context, kind: SocketKind): number {
  switch (kind) {
    case 'tcp-fresh': return ctx.tcp();
    case 'tcp6-fresh': return ctx.tcp6();
    case 'tcp-pair': return ctx.tcpPair().server;
    case 'tcp-listening': return ctx.tcpListening();
    case 'tcp-non-overlapped': return ctx.tcpNonOverlapped();
    case 'udp-fresh': return ctx.udp();
    case 'udp6-fresh': return ctx.udp6();
    case 'udp-bound': return ctx.udpBound();
    case 'udp-queued': return ctx.udpQueued([10, 20, 30]);
    case 'udp6-queued': return ctx.udpQueued([10, 20, 30], 6);
    case 'udp-nonblocking': {
      const s = ctx.udp();
      ws.ioctlsocket(s, ws.FIONBIO, { value: 1 });
      return s;
    }
    case 'closed-handle': return ctx.closedHandle();
    case 'bogus-handle': return ctx.bogusHandle();
    case 'raw-ip': return ctx.track(ws.socket(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP));
    case 'raw-ip-wildcard': return rawBound(ctx, '0.0.0.0');
    case 'raw-ip-bound': return rawBound(ctx, '127.0.0.1');
    case 'raw-udp-bound': return rawBound(ctx, '127.0.0.1', ws.IPPROTO_UDP);
    case 'raw-igmp-bound': return rawBound(ctx, '127.0.0.1', ws.IPPROTO_IGMP);
    case 'none': return ws.INVALID_SOCKET;
  }
}

/** A raw socket of `protocol` bound to `address` (INVALID_SOCKET when it cannot be made). */
function rawBound(ctx: Context, address: string, protocol: number = ws.IPPROTO_IP): number {
  const s = ctx.track(ws.socket(ws.AF_INET, ws.SOCK_RAW, protocol));
  const name = ws.sockaddr(address, 0);
  if (s !== ws.INVALID_SOCKET) ws.bind(s, name, name.length);
  return s;
}

const PACKET_OK = { ok: true, error: 'NO_ERROR', bytes: 0, key: KEY, same: true };

/** Windows' result for the call in `mode`, from the plain result and the overlapped rule. */
export function expectedIn(mode: Mode, plain: Observation, rule: OverlappedRule): Observation {
  if (mode === 'plain') return plain;
  const { rc: _rc, error: _error, bytes: _bytes, ...rest } = plain;
  const out: Observation = 'out' in rest ? { out: rest.out! } : {};
  switch (rule.kind) {
    case 'custom': {
      const e = rule.expected[mode];
      if (!e) throw new Error(`no ${mode} expectation`);
      return e;
    }
    case 'fails-early': {
      const base: Observation = { rc: plain.rc!, error: plain.error!, bytes: plain.bytes!, ...out };
      if (mode === 'overlapped+port') return { ...base, internal: rule.internal, information: 'untouched', packet: 'none' };
      if (mode === 'overlapped+event') return { ...base, internal: rule.internal, information: 'untouched', signaled: 'not signaled', result: 'not asked' };
      return { ...base, beforeWait: 0, sleep: 0, routine: 'not called' };
    }
    case 'not-supported': {
      const base: Observation = { rc: -1, error: 'WSA_IO_PENDING', bytes: 'untouched', ...('out' in rest ? { out: 'untouched' } : {}) };
      if (mode === 'overlapped+port') {
        return { ...base, internal: 'STATUS_NOT_SUPPORTED', information: 0, packet: { ok: false, error: 'ERROR_NOT_SUPPORTED', bytes: 0, key: KEY, same: true } };
      }
      if (mode === 'overlapped+event') {
        return { ...base, internal: 'STATUS_NOT_SUPPORTED', information: 0, signaled: 'signaled', result: { ok: false, error: 'WSAEOPNOTSUPP' } };
      }
      return { ...base, beforeWait: 0, sleep: 'WAIT_IO_COMPLETION', routine: { dwError: 'WSAEOPNOTSUPP', cbTransferred: 0, same: true, dwFlags: 0 } };
    }
    case 'immediate': {
      const base: Observation = { rc: 0, error: 'NO_ERROR', bytes: plain.bytes!, ...out };
      let e: Observation;
      if (mode === 'overlapped+port') e = { ...base, internal: 'STATUS_SUCCESS', information: 0, packet: PACKET_OK };
      else if (mode === 'overlapped+event') e = { ...base, internal: 'STATUS_SUCCESS', information: 0, signaled: 'signaled', result: { ok: true, transfer: 0, flags: 0 } };
      else e = { ...base, beforeWait: 0, sleep: 'WAIT_IO_COMPLETION', routine: { dwError: 'NO_ERROR', cbTransferred: 0, same: true, dwFlags: 0 } };
      return { ...e, ...(rule.overrides?.[mode] ?? {}) };
    }
  }
}

/** One scenario per mode the case covers. */
export function expand(c: CodeCase): Scenario[] {
  const modes = c.overlapped ? MODES : (['plain'] as const);
  return modes.map((mode): Scenario => {
    const rule = c.overlapped;
    const modeBasis = mode === 'plain' || !rule ? c.basis : rule.basis;
    const specForText = c.spec(0x104);
    return {
      id: mode === 'plain' ? c.id : `${c.id}.${mode}`,
      code: c.code,
      title: c.title,
      mode,
      sockets: [c.socket],
      call: callText(c.callName ?? c.code ?? '?', specForText, mode),
      expected: without(rule ? expectedIn(mode, c.expected, rule) : c.expected, c.unobserved),
      basis: modeBasis,
      source: mode === 'plain' || !rule ? c.source : `${rule.source} (plain result: ${c.source})`,
      needs: [...NEEDS[mode], ...(c.needs ?? [])],
      only: c.only,
      run(ctx) {
        const s = c.make ? c.make(ctx) : makeSocket(ctx, c.socket);
        const describe = c.describe;
        return without(inMode(mode, ctx, s, c.spec(s), describe && ((out, bytes) => describe(out, bytes, s))), c.unobserved);
      },
    };
  });
}

function without(obs: Observation, keys: readonly string[] | undefined): Observation {
  if (!keys) return obs;
  const copy = { ...obs };
  for (const k of keys) delete copy[k];
  return copy;
}
