/**
 * The other thread of the cross-thread scenarios (lib/other-thread.ts): a Worker that makes the
 * calls it is asked for, by name, on handles the main thread made, and answers with what it saw.
 * Loopback only; the main thread bounds every wait.
 */
import { parentPort } from 'node:worker_threads';
import type { Value } from './types.js';
import { errName, ws } from './winsock.js';

/** What the Worker keeps alive until it ends: the buffers and OVERLAPPEDs of pending receives. */
const pending: unknown[] = [];

/** The calls a scenario may ask for; each answers plain JSON. */
const steps: Record<string, (args: Record<string, number | string>) => Value> = {
  send({ s, text }) {
    const bytes = new TextEncoder().encode(String(text));
    const rc = ws.send(Number(s), bytes, bytes.length, 0);
    return { rc, error: rc < 0 ? errName(ws.WSAGetLastError()) : 'none' };
  },
  closesocket({ s }) {
    return ws.closesocket(Number(s));
  },
  WSASetEvent({ event }) {
    return ws.WSASetEvent(Number(event));
  },
  PostQueuedCompletionStatus({ port, bytes, key }) {
    return ws.PostQueuedCompletionStatus(Number(port), Number(bytes), Number(key), null);
  },
  WSARecv({ s, len }) {
    const buf = new Uint8Array(Number(len));
    const ov = new ws.WSAOVERLAPPED();
    pending.push(buf, ov);
    const rc = ws.WSARecv(Number(s), [{ len: Number(len), buf }], 1, null, { value: 0 }, ov, null);
    return { rc, error: rc === 0 ? 'none' : errName(ws.WSAGetLastError()) };
  },
};

ws.WSAStartup(0x0202, ws.newWSADATA());
parentPort!.on('message', ({ id, step, args, delayMs }: { id: number; step: string; args: Record<string, number | string>; delayMs: number }) => {
  setTimeout(() => {
    let result: Value;
    try {
      result = steps[step] ? steps[step](args) : `no step ${step}`;
    } catch (error) {
      result = `threw: ${error instanceof Error ? error.message : String(error)}`;
    }
    parentPort!.postMessage({ id, result });
  }, delayMs);
});
parentPort!.postMessage({ id: 0, result: 'ready' });
