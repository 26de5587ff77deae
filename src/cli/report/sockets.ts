/** The loopback sockets the report probes: made once, closed at the end. */
import * as ws from '../../winsock/index.js';
import { parseSockaddr, sockaddr, SOCKADDR_IN_SIZE } from '../../structs/sockaddr.js';
import type { SocketKind } from './probes.js';

export class ReportSockets {
  private readonly made = new Map<SocketKind, number>();
  private readonly extra: number[] = [];

  /** The socket of a kind, or a Winsock error number when it could not be made. */
  get(kind: SocketKind): number | { error: number } {
    const existing = this.made.get(kind);
    if (existing !== undefined && kind !== 'tcp-fresh' && kind !== 'udp4') return existing;
    const s = this.make(kind);
    if (s === ws.INVALID_SOCKET) return { error: ws.WSAGetLastError() };
    if (this.made.has(kind)) this.extra.push(s); else this.made.set(kind, s);
    return s;
  }

  private make(kind: SocketKind): number {
    switch (kind) {
      case 'tcp-fresh': return ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      case 'udp4': return ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      case 'udp6': return ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      case 'udp4-nonblocking': {
        const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
        if (s !== ws.INVALID_SOCKET) ws.ioctlsocket(s, ws.FIONBIO, { value: 1 });
        return s;
      }
      case 'tcp-listening': return this.listener();
      case 'tcp-connected': return this.connectedPair();
    }
  }

  private listener(): number {
    const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    if (l === ws.INVALID_SOCKET) return l;
    if (ws.bind(l, sockaddr('127.0.0.1', 0), SOCKADDR_IN_SIZE) !== 0 || ws.listen(l, 4) !== 0) return ws.INVALID_SOCKET;
    return l;
  }

  /** The accepted side of a loopback connection, with a few bytes waiting to be read. */
  private connectedPair(): number {
    const l = this.get('tcp-listening');
    if (typeof l !== 'number') return ws.INVALID_SOCKET;
    const name = new Uint8Array(SOCKADDR_IN_SIZE);
    ws.getsockname(l, name, { value: name.length });
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    if (ws.connect(c, sockaddr('127.0.0.1', parseSockaddr(name).port), SOCKADDR_IN_SIZE) !== 0) return ws.INVALID_SOCKET;
    this.extra.push(c);
    const a = ws.accept(l, null, null);
    ws.send(c, new TextEncoder().encode('hello'), 5, 0);
    return a;
  }

  closeAll(): void {
    for (const s of [...this.made.values(), ...this.extra]) ws.closesocket(s);
    this.made.clear();
    this.extra.length = 0;
  }
}
