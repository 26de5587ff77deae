/**
 * The Worker of shared-sockets.test.ts: uses SOCKETs other threads made, by number, on command.
 * Each message from the parent is one command; the Worker answers each with one message (in order).
 * Every wait is bounded. Loopback only.
 *
 * Commands ({ op, ... }):
 * - 'udp': a UDP socket of this thread bound to 127.0.0.1: { s, port }.
 * - 'send' { s, bytes: number[], to?: port }: send (or sendto 127.0.0.1:to): { rc, error }.
 * - 'recv' { s, len }: one recv: { rc, error, data }.
 * - 'fionbio' { s, on }: ioctlsocket FIONBIO: { rc, error }.
 * - 'fionread' { s }: WSAIoctl FIONREAD: { rc, error, value }.
 * - 'tcp-info' { s }: SIO_TCP_INFO (version 0): { rc, error, connectionTimeMs } (a number).
 * - 'recv-overlapped' { s, len, id }: WSARecv with an event; the operation is kept under `id`:
 *   { rc, error }.
 * - 'wait-overlapped' { id, timeout }: waits for it (alertable, at most `timeout` ms, async so the
 *   Worker's event loop runs meanwhile): { result, status, bytes, data, error }.
 * - 'recv-port' { s, port, count, len }: `count` overlapped WSARecv on `s` (context: index), with
 *   the completions going to the port they are associated with: { issued }.
 * - 'idle' { ms }: lets the event loop run for `ms` ms: { idle: true }.
 * - 'enum' { s }: WSAEnumNetworkEvents (no event to reset): { rc, events, readError }.
 * - 'close' { s }: closesocket: { rc, error }.
 * - 'take' { port, count, timeout }: GetQueuedCompletionStatus until `count` packets or a time-out,
 *   counting each packet's key into the shared `counts` (workerData) at index (key & 0xffff) and
 *   each overlapped's context at `contexts`: { taken, failed }.
 * - 'exit' { how: 'return' | 'process.exit' | 'throw' }: ends the Worker that way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';

const data = (workerData ?? {}) as { counts?: Int32Array; contexts?: Int32Array };
ws.WSAStartup(0x202, ws.newWSADATA());

interface Kept {
  ov: ws.WSAOVERLAPPED;
  buffer: Uint8Array;
}
const kept = new Map<number, Kept>();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Command = Record<string, unknown> & { op: string };

async function run(c: Command): Promise<unknown> {
  const s = c.s as number;
  switch (c.op) {
    case 'udp': {
      const u = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      const name = ws.sockaddr('127.0.0.1', 0);
      ws.bind(u, name, name.length);
      const bound = new Uint8Array(16);
      ws.getsockname(u, bound, { value: 16 });
      return { s: u, port: (bound[2]! << 8) | bound[3]! };
    }
    case 'send': {
      const bytes = Uint8Array.from(c.bytes as number[]);
      const to = c.to as number | undefined;
      const rc = to === undefined ? ws.send(s, bytes, bytes.length, 0) : ws.sendto(s, bytes, bytes.length, 0, ws.sockaddr('127.0.0.1', to), 16);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0 };
    }
    case 'recv': {
      const buffer = new Uint8Array(c.len as number);
      const rc = ws.recv(s, buffer, buffer.length, 0);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0, data: rc > 0 ? [...buffer.subarray(0, rc)] : [] };
    }
    case 'fionbio': {
      const rc = ws.ioctlsocket(s, ws.FIONBIO, { value: c.on ? 1 : 0 });
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0 };
    }
    case 'fionread': {
      const out = new Uint8Array(4);
      const rc = ws.WSAIoctl(s, ws.FIONREAD, null, 0, out, 4, { value: 0 }, null, null);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0, value: new DataView(out.buffer).getUint32(0, true) };
    }
    case 'tcp-info': {
      const size = ws.tcpInfoSize(0);
      const out = new Uint8Array(size);
      const rc = ws.WSAIoctl(s, ws.SIO_TCP_INFO, new Uint8Array(4), 4, out, size, { value: 0 }, null, null);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0, connectionTimeMs: rc === 0 ? Number(ws.decodeTcpInfo(out, 0).ConnectionTimeMs) : -1 };
    }
    case 'recv-overlapped': {
      const buffer = new Uint8Array(c.len as number);
      const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
      kept.set(c.id as number, { ov, buffer });
      const rc = ws.WSARecv(s, [{ len: buffer.length, buf: buffer }], 1, null, { value: 0 }, ov, null);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0 };
    }
    case 'wait-overlapped': {
      const k = kept.get(c.id as number)!;
      const result = await ws.WSAWaitForMultipleEventsAsync(1, [k.ov.hEvent as number], false, c.timeout as number, true);
      const bytes = { value: 0 };
      const flags = { value: 0 };
      const ok = ws.WSAGetOverlappedResult(s ?? 0, k.ov, bytes, false, flags);
      return {
        result, status: k.ov.Internal, bytes: k.ov.InternalHigh, data: [...k.buffer.subarray(0, Number(k.ov.InternalHigh))], ok, error: ok ? 0 : ws.WSAGetLastError(),
      };
    }
    case 'recv-port': {
      const count = c.count as number;
      let issued = 0;
      for (let i = 0; i < count; i++) {
        const ov = new ws.WSAOVERLAPPED();
        ov.context = (c.first as number ?? 0) + i;
        const buffer = new Uint8Array(c.len as number);
        const rc = ws.WSARecv(s, [{ len: buffer.length, buf: buffer }], 1, null, { value: 0 }, ov, null);
        if (rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING) issued++;
      }
      return { issued };
    }
    case 'idle':
      await sleep(c.ms as number);
      return { idle: true };
    case 'enum': {
      const events = ws.newWSANETWORKEVENTS();
      const rc = ws.WSAEnumNetworkEvents(s, 0, events);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0, events: events.lNetworkEvents, readError: events.iErrorCode[ws.FD_READ_BIT] };
    }
    case 'close': {
      const rc = ws.closesocket(s);
      return { rc, error: rc < 0 ? ws.WSAGetLastError() : 0 };
    }
    case 'take': {
      const counts = data.counts!;
      const contexts = data.contexts;
      let taken = 0;
      let failed = 0;
      const bytes = { value: 0 };
      const key = { value: 0 };
      const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: null };
      while (taken + failed < (c.count as number)) {
        const ok = await ws.GetQueuedCompletionStatusAsync(c.port as number, bytes, key, overlapped, c.timeout as number);
        if (!ok && overlapped.value === null) break;
        if (ok) taken++;
        else failed++;
        if (key.value === 0) break;
        Atomics.add(counts, key.value & 0xffff, 1);
        const context = overlapped.value?.context;
        if (contexts && typeof context === 'number') Atomics.add(contexts, context, 1);
      }
      return { taken, failed };
    }
    case 'exit': {
      const how = c.how as string;
      if (how === 'process.exit') process.exit(0);
      if (how === 'throw') throw new Error('thrown on purpose');
      parentPort!.close();
      return { ending: true };
    }
    default:
      return { failure: `unknown command ${c.op}` };
  }
}

let chain = Promise.resolve();
parentPort!.on('message', (c: Command) => {
  chain = chain.then(async () => {
    try {
      const answer = await run(c);
      if (c.op !== 'exit') parentPort!.postMessage(answer);
    } catch (error) {
      if (c.op === 'exit') throw error;
      parentPort!.postMessage({ failure: String(error) });
    }
  });
});
