/**
 * The Worker of process-wide-handles.test.ts: uses events and completion ports the main thread (or
 * another Worker) made, by handle number, and reports on parentPort. Every wait is bounded.
 *
 * workerData.role:
 * - 'wait-event': posts { waiting }, WSAWaitForMultipleEvents on `event` (sync, or async with
 *   `async`) for at most `timeout` ms; posts { result, error }.
 * - 'create-event': makes an event, posts { handle }; then on messages 'set' / 'close' does that and
 *   posts { done, ok, error }; 'end' ends it.
 * - 'set-event' / 'close-event': does that to `event`, posts { ok, error }.
 * - 'drain-port': takes packets from `port` (sync, or async with `async`) until one with key 0,
 *   counting each key in `counts` (Int32Array over a SharedArrayBuffer); posts { taken }.
 * - 'wait-port': posts { waiting }, one GetQueuedCompletionStatus(INFINITE) (or its async twin);
 *   posts { ok, error, overlappedNull }.
 * - 'take-and-hold': takes one packet, posts { took }, blocks on `hold` (Atomics.wait, up to 10 s:
 *   a block the library does not see), then takes again with a 5 s time-out and posts { second }.
 * - 'try-take': one GetQueuedCompletionStatus with `timeout`; posts { ok, key, error }.
 * - 'dequeue-overlapped': one take; posts the overlapped's fields as seen here.
 * - 'dequeue-repost': one take; posts { id, idAgain } (overlappedId of the stand-in, asked twice),
 *   then posts the stand-in back to `port` with key 10.
 * - 'take-then-block': takes one packet, posts { took }, then blocks as `block` says: 'event' in
 *   WSAWaitForMultipleEvents on `event`, 'recv' in a blocking recv (at most 10 s either way) on a UDP
 *   socket whose name it posts first ({ name }); posts { woke } when that returns, then blocks on
 *   `hold` (Atomics.wait, up to 10 s: the library does not see it), then takes again with a 5 s
 *   time-out and posts { second }.
 * - 'block-forever': posts { waiting }, then GetQueuedCompletionStatus(INFINITE) on `port`.
 * - 'block-recv': posts { waiting }, then a blocking recv on a UDP socket nobody sends to.
 * - 'udp-completions': a loopback UDP pair of this thread's own; the receiver is associated with
 *   `port` (key 0x55); `count` overlapped WSARecv are issued (context: their index), then as many
 *   datagrams sent (datagram i is (i % 50) + 1 bytes), in batches of 25, each once this thread's
 *   event loop has completed the previous batch's receives; posts { sent }, then stays until 'end' and closes its sockets. With
 *   `ids` (a Float64Array over a SharedArrayBuffer), it writes receive i's overlappedId at index
 *   i: for even i right after issuing it, for odd i once every datagram is sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { udpPair } from './sockets.js';

const data = workerData as {
  role: string; event?: number; port?: number; timeout?: number; async?: boolean; counts?: Int32Array; hold?: Int32Array;
  ids?: Float64Array; block?: 'event' | 'recv';
};
const post = (message: unknown): void => parentPort!.postMessage(message);
ws.WSAStartup(0x202, ws.newWSADATA());

async function take(port: number, timeout: number, async = false): Promise<{ ok: boolean; key: number; bytes: number; overlapped: ws.WSAOVERLAPPED | null; error: number }> {
  const bytes = { value: 0 };
  const key = { value: -1 };
  const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: null };
  const ok = async
    ? await ws.GetQueuedCompletionStatusAsync(port, bytes, key, overlapped, timeout)
    : ws.GetQueuedCompletionStatus(port, bytes, key, overlapped, timeout);
  return { ok, key: key.value, bytes: bytes.value, overlapped: overlapped.value, error: ok ? 0 : ws.WSAGetLastError() };
}

async function main(): Promise<void> {
  switch (data.role) {
    case 'udp-completions': {
      const count = (data as { count?: number }).count!;
      const { receiver, sender, receiverName } = udpPair();
      if (ws.CreateIoCompletionPort(receiver, data.port!, 0x55, 0) !== data.port) {
        post({ failure: `CreateIoCompletionPort: ${ws.GetLastError()}` });
        return;
      }
      const issued: ws.WSAOVERLAPPED[] = [];
      for (let i = 0; i < count; i++) {
        const ov = new ws.WSAOVERLAPPED();
        ov.context = i;
        issued.push(ov);
        const rc = ws.WSARecv(receiver, [{ len: 64, buf: new Uint8Array(64) }], 1, null, { value: 0 }, ov, null);
        if (rc !== ws.SOCKET_ERROR || ws.WSAGetLastError() !== ws.WSA_IO_PENDING) {
          post({ failure: `WSARecv ${i}: ${rc} ${ws.WSAGetLastError()}` });
          return;
        }
        if (data.ids && i % 2 === 0) data.ids[i] = ws.overlappedId(ov);
      }
      const payload = new Uint8Array(50).fill(7);
      for (let i = 0; i < count; i++) {
        const length = (i % 50) + 1;
        if (ws.sendto(sender, payload, length, 0, receiverName, receiverName.length) !== length) {
          post({ failure: `sendto ${i}: ${ws.WSAGetLastError()}` });
          return;
        }
        // Small batches, each sent once the previous one was received (this thread completes the
        // receives from its event loop): the kernel's queue never holds more than one batch, so no
        // datagram is dropped however loaded the machine is.
        if (i % 25 === 24) {
          const until = Date.now() + 10_000;
          do await new Promise((resolve) => setTimeout(resolve, 1));
          while (issued.slice(i - 24, i + 1).some((ov) => ov.Internal === ws.STATUS_PENDING) && Date.now() < until);
        }
      }
      if (data.ids) for (let i = 1; i < count; i += 2) data.ids[i] = ws.overlappedId(issued[i]!);
      post({ sent: count });
      parentPort!.once('message', () => {
        ws.closesocket(receiver);
        ws.closesocket(sender);
        parentPort!.close();
      });
      break;
    }
    case 'wait-event': {
      post({ waiting: true });
      const result = data.async
        ? await ws.WSAWaitForMultipleEventsAsync(1, [data.event!], false, data.timeout!, false)
        : ws.WSAWaitForMultipleEvents(1, [data.event!], false, data.timeout!, false);
      post({ result, error: ws.WSAGetLastError() });
      break;
    }
    case 'create-event': {
      const handle = ws.WSACreateEvent();
      parentPort!.on('message', (message: string) => {
        if (message === 'end') {
          parentPort!.close();
          return;
        }
        const ok = message === 'set' ? ws.WSASetEvent(handle) : ws.WSACloseEvent(handle);
        post({ done: message, ok, error: ws.WSAGetLastError() });
      });
      post({ handle });
      break;
    }
    case 'set-event':
    case 'close-event': {
      const ok = data.role === 'set-event' ? ws.WSASetEvent(data.event!) : ws.WSACloseEvent(data.event!);
      post({ ok, error: ws.WSAGetLastError() });
      break;
    }
    case 'drain-port': {
      let taken = 0;
      // Bounded: at most this many takes, each at most 20 s.
      for (let i = 0; i < 1_000_000; i++) {
        const got = await take(data.port!, 20_000, data.async);
        if (!got.ok) {
          post({ taken, failed: got.error });
          return;
        }
        if (got.key === 0) break;
        Atomics.add(data.counts!, got.key, 1);
        taken++;
      }
      post({ taken });
      break;
    }
    case 'wait-port': {
      post({ waiting: true });
      const got = await take(data.port!, ws.INFINITE, data.async);
      post({ ok: got.ok, error: got.error, overlappedNull: got.overlapped === null });
      break;
    }
    case 'take-and-hold': {
      const first = await take(data.port!, 5_000);
      post({ took: first.ok ? first.key : -1 });
      Atomics.wait(data.hold!, 0, 0, 10_000);
      const second = await take(data.port!, 5_000);
      post({ second: second.ok ? second.key : -1, error: second.error });
      break;
    }
    case 'try-take': {
      const got = await take(data.port!, data.timeout!);
      post({ ok: got.ok, key: got.key, error: got.error });
      break;
    }
    case 'dequeue-overlapped': {
      const got = await take(data.port!, 5_000);
      const ov = got.overlapped;
      post({
        ok: got.ok, key: got.key, bytes: got.bytes, isOverlapped: ov instanceof ws.WSAOVERLAPPED,
        fields: ov && { Internal: ov.Internal, InternalHigh: ov.InternalHigh, hEvent: ov.hEvent, context: ov.context },
      });
      break;
    }
    case 'dequeue-repost': {
      const got = await take(data.port!, 5_000);
      const ov = got.overlapped!;
      post({ ok: got.ok, id: ws.overlappedId(ov), idAgain: ws.overlappedId(ov) });
      ws.PostQueuedCompletionStatus(data.port!, 0, 10, ov);
      break;
    }
    case 'take-then-block': {
      const first = await take(data.port!, 5_000);
      if (data.block === 'recv') {
        const { receiver, sender, receiverName } = udpPair();
        ws.setsockopt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, new Uint8Array(Uint32Array.of(10_000).buffer), 4);
        post({ took: first.ok ? first.key : -1, name: Array.from(receiverName) });
        const woke = ws.recv(receiver, new Uint8Array(16), 16, 0);
        post({ woke, error: woke < 0 ? ws.WSAGetLastError() : 0 });
        ws.closesocket(receiver);
        ws.closesocket(sender);
      } else {
        post({ took: first.ok ? first.key : -1 });
        const woke = ws.WSAWaitForMultipleEvents(1, [data.event!], false, 10_000, false);
        post({ woke, error: 0 });
      }
      Atomics.wait(data.hold!, 0, 0, 10_000);
      const second = await take(data.port!, 5_000);
      post({ second: second.ok ? second.key : -1, error: second.error });
      break;
    }
    case 'block-recv': {
      const { receiver } = udpPair();
      post({ waiting: true });
      ws.recv(receiver, new Uint8Array(16), 16, 0);
      post({ unexpected: 'returned' });
      break;
    }
    case 'block-forever': {
      post({ waiting: true });
      await take(data.port!, ws.INFINITE);
      post({ unexpected: 'returned' });
      break;
    }
    default:
      post({ failure: `unknown role ${data.role}` });
  }
}

main().catch((error: unknown) => post({ failure: String(error) }));
