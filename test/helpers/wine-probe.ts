/**
 * What a probe run by the Windows node under Wine needs to drive a backend (loopback pairs,
 * fresh WSAOVERLAPPEDs, one completion-packet reading, bounded waits). A probe is serialised
 * with toString(), so it imports this module (compiled to dist-test/helpers/) at run time and
 * calls probeKit with the backend it loaded.
 */
import type { WinsockCore } from '../../dist/winsock/api.js';

export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const WSA_FLAG_OVERLAPPED = 1;
const FIONREAD = 0x4004667f;

/** A completion packet as a probe reports it: the overlapped by its name among `known`. */
export interface Packet { ok: boolean; error: number; bytes: number; key: number; overlapped: string | null }
export interface Ov { Internal: number; InternalHigh: number; Offset: number; OffsetHigh: number; hEvent: number }

export function probeKit(ws: Required<WinsockCore>) {
  const loopback = (port: number): Uint8Array => {
    const sin = new Uint8Array(16);
    const view = new DataView(sin.buffer);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    sin.set([127, 0, 0, 1], 4);
    return sin;
  };
  const portOf = (s: number): number => {
    const addr = new Uint8Array(16);
    ws.getsockname(s, addr, { value: 16 });
    return new DataView(addr.buffer).getUint16(2, false);
  };
  /** Internal and InternalHigh at 0xdeadbeef, so that writes to them show. */
  const fresh = (hEvent = 0): Ov => ({ Internal: 0xdeadbeef, InternalHigh: 0xdeadbeef, Offset: 0, OffsetHigh: 0, hEvent });
  const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const name = (o: unknown, known: Record<string, unknown>): string | null => {
    if (o === null) return null;
    for (const [key, value] of Object.entries(known)) if (value === o) return key;
    return 'unknown';
  };
  /** One dequeue, the last error preset to 0xdead (so a dequeue that does not set it shows). */
  const packet = (port: number, timeoutMs: number, known: Record<string, unknown> = {}): Packet => {
    const bytes = { value: 0xbad };
    const key = { value: 0xbad };
    const overlapped: { value: unknown } = { value: null };
    ws.SetLastError(0xdead);
    const ok = ws.GetQueuedCompletionStatus(port, bytes, key, overlapped as { value: null }, timeoutMs);
    return { ok, error: ws.GetLastError(), bytes: bytes.value, key: key.value, overlapped: name(overlapped.value, known) };
  };
  const tcp = (flags = WSA_FLAG_OVERLAPPED): number => ws.WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, null, 0, flags);
  /** A connected loopback TCP pair: [an overlapped client, the accepted server]. */
  const pair = (): [number, number] => {
    const listener = ws.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    ws.bind(listener, loopback(0), 16);
    ws.listen(listener, 1);
    const client = tcp();
    ws.connect(client, loopback(portOf(listener)), 16);
    const server = ws.accept(listener, null, null);
    ws.closesocket(listener);
    return [client, server];
  };
  /** Waits (1 s at most) until FIONREAD says `atLeast` bytes are queued; returns the count. */
  const queued = (s: number, atLeast: number): number => {
    let n = 0;
    for (let i = 0; i < 100; i++) {
      const out = new Uint8Array(4);
      ws.WSAIoctl(s, FIONREAD, null, 0, out, 4, { value: 0 }, null, null);
      n = new DataView(out.buffer).getUint32(0, true);
      if (n >= atLeast) return n;
      sleep(10);
    }
    return n;
  };
  return { loopback, portOf, fresh, sleep, name, packet, pair, queued, tcp };
}
