/**
 * The Worker of worker-terminate.test.ts: opens host fds through the library, says what it did on
 * parentPort, then either waits to be terminated or ends by itself. Loopback only.
 *
 * workerData.mode:
 * - 'busy': a TCP listener, a connection (both ends), a UDP socket, a pending overlapped
 *   SIO_ADDRESS_LIST_CHANGE (the rtnetlink watcher), a pending overlapped
 *   SIO_IDEAL_SEND_BACKLOG_CHANGE (the sampler's timerfd) and an async wait on the first request's
 *   event (the scheduler's eventfd and a pool-thread poll); then it waits to be terminated.
 * - 'busy-exit': the same, then process.exit(0) on the parent's 'exit' message.
 * - 'return': sockets only, left open; then the script ends and the thread with it.
 * - 'borrow': adopts workerData.fd (a socket the parent's Node owns) as a borrowed SOCKET and opens
 *   a socket of its own; then waits to be terminated.
 * - 'close-some': opens workerData.count UDP sockets, closes every second one, reports the fd
 *   numbers it closed; then waits to be terminated.
 * - 'grow': records fd number 100000 (past the table's first page; no real fd: it is cleared again
 *   at once, before anything else runs) and reports whether the table held it, then ends.
 * - 'on-signal': posts { waiting: true }, blocks until workerData.flags[0] is set, does what 'busy'
 *   does, sets flags[1] (so a parent blocked meanwhile knows its table has been posted), then
 *   waits to be terminated.
 *
 * Message: { ready: true, openedFds, closedFds, recorded } (`openedFds`: the sockets and
 * anon_inode fds this process gained meanwhile and still has; `recorded`: the fds the library
 * recorded for this thread), or { failure }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readdirSync, readlinkSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';
import { noteClosed, noteOpened, recordedFds } from '../../dist/backend/linux/host/thread-fds.js';

const data = workerData as { mode: string; fd?: number; count?: number; flags?: SharedArrayBuffer };
/** The process's sockets, eventfds, timerfds... (not its files: Node's module loader opens those meanwhile). */
const fds = (): Set<number> => new Set(readdirSync('/proc/self/fd').map(Number).filter((fd) => {
  try {
    return /^(socket|anon_inode):/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}));

function check(rc: number, what: string): number {
  if (rc === ws.SOCKET_ERROR) throw new Error(`${what}: Winsock error ${ws.WSAGetLastError()}`);
  return rc;
}

function udp(): number {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket(UDP)');
  const name = ws.sockaddr('127.0.0.1', 0);
  check(ws.bind(s, name, name.length), 'bind(UDP)');
  return s;
}

function tcp(): { listener: number; client: number; server: number } {
  const listener = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket(TCP)');
  const name = ws.sockaddr('127.0.0.1', 0);
  check(ws.bind(listener, name, name.length), 'bind');
  check(ws.listen(listener, 4), 'listen');
  const bound = new Uint8Array(16);
  check(ws.getsockname(listener, bound, { value: 16 }), 'getsockname');
  const client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket(TCP client)');
  check(ws.connect(client, bound, 16), 'connect');
  const server = check(ws.accept(listener, null, null), 'accept');
  return { listener, client, server };
}

function pending(rc: number, what: string): void {
  if (rc !== ws.SOCKET_ERROR || ws.WSAGetLastError() !== ws.WSA_IO_PENDING) {
    throw new Error(`${what}: expected WSA_IO_PENDING, got ${rc} / ${ws.WSAGetLastError()}`);
  }
}

/** Everything the 'busy' modes keep open. */
function busy(): void {
  const { client } = tcp();
  const u = udp();
  const change = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
  pending(ws.WSAIoctl(u, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, change, null), 'SIO_ADDRESS_LIST_CHANGE');
  pending(ws.WSAIoctl(client, ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, null, 0, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(), null), 'SIO_IDEAL_SEND_BACKLOG_CHANGE');
  // Not awaited: it stays pending (INFINITE) while the thread lives.
  void ws.WSAWaitForMultipleEventsAsync(1, [change.hEvent], false, ws.WSA_INFINITE, false);
}

function run(): { closedFds: number[]; grew?: { held: boolean; cleared: boolean } } {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) throw new Error('WSAStartup failed');
  switch (data.mode) {
    case 'busy':
    case 'busy-exit':
      busy();
      return { closedFds: [] };
    case 'grow': {
      const fake = 100_000;
      noteOpened(fake);
      const held = recordedFds().includes(fake);
      noteClosed(fake);
      return { closedFds: [], grew: { held, cleared: !recordedFds().includes(fake) } };
    }
    case 'on-signal': {
      const flags = new Int32Array(data.flags ?? new SharedArrayBuffer(8));
      parentPort?.postMessage({ waiting: true });
      Atomics.wait(flags, 0, 0, 10_000);
      busy();
      Atomics.store(flags, 1, 1);
      Atomics.notify(flags, 1);
      return { closedFds: [] };
    }
    case 'return':
      tcp();
      udp();
      return { closedFds: [] };
    case 'borrow': {
      const fd = data.fd ?? -1;
      check(ws.adoptNodeHandle(() => fd, 0, 0, 0), 'adoptNodeHandle');
      udp();
      return { closedFds: [] };
    }
    case 'close-some': {
      const closedFds: number[] = [];
      for (let i = 0; i < (data.count ?? 4); i++) {
        const before = fds();
        const s = udp();
        const fd = [...fds()].find((n) => !before.has(n));
        if (i % 2 === 1) {
          check(ws.closesocket(s), 'closesocket');
          if (fd !== undefined) closedFds.push(fd);
        }
      }
      return { closedFds };
    }
    default:
      throw new Error(`unknown mode ${data.mode}`);
  }
}

const before = fds();
try {
  const { closedFds, grew } = run();
  const openedFds = [...fds()].filter((fd) => !before.has(fd));
  parentPort?.postMessage({ ready: true, openedFds, closedFds, recorded: recordedFds(), grew });
} catch (error) {
  parentPort?.postMessage({ failure: String(error) });
}
if (data.mode === 'busy-exit') parentPort?.once('message', () => process.exit(0));
else if (data.mode !== 'return' && data.mode !== 'grow') setInterval(() => {}, 60_000);
