/**
 * The sockets and handles scenarios use, made on demand through the public surface and closed
 * when the scenario ends. Only loopback addresses (127.0.0.1, ::1); every wait is bounded.
 */
import type { Backend, Context } from './types.js';
import { ws, portOf, sleep } from './winsock.js';

/** Thrown when a socket a scenario needs cannot be made: a setup failure, not an observation. */
export class SetupError extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new SetupError(`${what} failed: ${ws.errorName(ws.WSAGetLastError())}`);
}

export class ScenarioContext implements Context {
  private readonly sockets: number[] = [];
  private readonly handles: number[] = [];
  private readonly events: number[] = [];

  constructor(readonly backend: Backend) {}

  track(s: number): number {
    this.sockets.push(s);
    return s;
  }

  closeNow(s: number): number {
    const at = this.sockets.indexOf(s);
    if (at >= 0) this.sockets.splice(at, 1);
    return ws.closesocket(s);
  }

  private make(af: number, type: number, protocol: number): number {
    const s = ws.socket(af, type, protocol);
    check(s !== ws.INVALID_SOCKET, `socket(${af}, ${type}, ${protocol})`);
    return this.track(s);
  }

  tcp(): number { return this.make(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP); }
  tcp6(): number { return this.make(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP); }
  udp(): number { return this.make(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP); }
  udp6(): number { return this.make(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP); }

  tcpNonOverlapped(): number {
    const s = ws.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, null, 0, 0);
    check(s !== ws.INVALID_SOCKET, 'WSASocketW(dwFlags 0)');
    return this.track(s);
  }

  tcpListening(): number {
    const l = this.tcp();
    check(ws.bind(l, ws.sockaddr('127.0.0.1', 0), 16) === 0, 'bind(127.0.0.1:0)');
    check(ws.listen(l, 4) === 0, 'listen');
    return l;
  }

  tcpPair(): { client: number; server: number } {
    const l = this.tcpListening();
    const client = this.tcp();
    check(ws.connect(client, ws.sockaddr('127.0.0.1', portOf(l)), 16) === 0, 'connect(127.0.0.1)');
    const server = ws.accept(l, null, null);
    check(server !== ws.INVALID_SOCKET, 'accept');
    this.track(server);
    return { client, server };
  }

  udpBound(address = '127.0.0.1'): number {
    const s = address.includes(':') ? this.udp6() : this.udp();
    const name = ws.sockaddr(address, 0);
    check(ws.bind(s, name, name.length) === 0, `bind(${address})`);
    return s;
  }

  udpQueued(sizes: readonly number[], family: 4 | 6 = 4): number {
    const address = family === 4 ? '127.0.0.1' : '::1';
    const rx = this.udpBound(address);
    const tx = this.udpBound(address);
    const to = ws.sockaddr(address, portOf(rx));
    sizes.forEach((size, i) => {
      const data = new Uint8Array(size).fill(0x41 + i);
      check(ws.sendto(tx, data, size, 0, to, to.length) === size, `sendto(${size} bytes)`);
    });
    // Loopback delivery happens within sendto on both systems; give it a moment anyway, bounded.
    sleep(50);
    return rx;
  }

  closedHandle(): number {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    check(s !== ws.INVALID_SOCKET, 'socket');
    check(ws.closesocket(s) === 0, 'closesocket');
    return s;
  }

  bogusHandle(): number {
    // Odd, so never a Windows handle (they are multiples of 4), and far above the Linux table.
    return 0x0dead0ef;
  }

  port(s: number, key: number): number {
    const port = ws.CreateIoCompletionPort(s, 0, key, 0);
    check(port !== 0, 'CreateIoCompletionPort');
    this.handles.push(port);
    return port;
  }

  event(): number {
    const e = ws.WSACreateEvent();
    check(e !== 0, 'WSACreateEvent');
    this.events.push(e);
    return e;
  }

  sleep(ms: number): void {
    sleep(ms);
  }

  /** Close everything the scenario made; sockets first (that cancels what is pending on them). */
  close(): void {
    for (const s of this.sockets.splice(0)) ws.closesocket(s);
    for (const e of this.events.splice(0)) ws.WSACloseEvent(e);
    for (const h of this.handles.splice(0)) ws.CloseHandle(h);
    // Completion routines of requests the close cancelled run at the next alertable wait: run
    // them now, so that they cannot show up in the next scenario's wait (bounded).
    for (let i = 0; i < 16 && ws.SleepEx(0, true) === ws.WAIT_IO_COMPLETION; i++) { /* drained one */ }
  }
}
