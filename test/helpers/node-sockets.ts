/**
 * Node loopback sockets for the friendly-API tests: a listening server, a connected client with
 * its accepted peer, a bound dgram socket, the host fd behind a Node socket and its file status
 * flags from /proc/self/fdinfo, and a bounded wait. Only 127.0.0.1 and ::1 are used.
 */
import net from 'node:net';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readFileSync, readlinkSync } from 'node:fs';

export const O_NONBLOCK = 0o4000;

/** A listening net.Server on `host`, port chosen by the system. */
export async function listening(host = '127.0.0.1', onConnection?: (c: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onConnection);
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

export interface TcpTrio {
  server: net.Server;
  client: net.Socket;
  /** The server side of the connection. */
  peer: net.Socket;
  close(): Promise<void>;
}

/**
 * A server, a client connected to it and the accepted peer. `paused` clients never start reading
 * (so bytes stay in the kernel until the test says otherwise).
 */
export async function tcpTrio(host = '127.0.0.1', options: { paused?: boolean } = {}): Promise<TcpTrio> {
  const server = await listening(host);
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = new net.Socket();
  if (options.paused) client.pause();
  client.connect((server.address() as net.AddressInfo).port, host);
  await once(client, 'connect');
  const [peer] = await accepted;
  // A test may reset a connection on purpose: such errors are not failures here.
  client.on('error', () => {});
  peer.on('error', () => {});
  return {
    server, client, peer,
    async close() {
      client.destroy();
      peer.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A dgram socket bound to loopback. */
export async function boundUdp(type: 'udp4' | 'udp6' = 'udp4'): Promise<dgram.Socket> {
  const sock = dgram.createSocket(type);
  sock.bind(0, type === 'udp4' ? '127.0.0.1' : '::1');
  await once(sock, 'listening');
  return sock;
}

/** True when ::1 can be bound here. */
export async function ipv6Loopback(): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen(0, '::1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

/** The host fd of a Node socket (Linux), read the way Node itself reports it. */
export function fdOf(sock: unknown): number {
  const record = sock as Record<string | symbol, unknown>;
  let handle = record._handle as { fd?: number } | null | undefined;
  if (!handle) {
    for (const symbol of Object.getOwnPropertySymbols(sock)) {
      const value = record[symbol] as { handle?: { fd?: number } } | null;
      if (value && typeof value === 'object' && value.handle) handle = value.handle;
    }
  }
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** The file status flags of a host fd, from /proc/self/fdinfo (octal `flags:` line). */
export function fdFlags(fd: number): number {
  const text = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const match = /^flags:\s*([0-7]+)$/m.exec(text);
  if (!match) throw new Error(`no flags line in /proc/self/fdinfo/${fd}`);
  return parseInt(match[1]!, 8);
}

/** What /proc/self/fd/<fd> points to ('socket:[...]', '/dev/null', ...) or null when closed. */
export function fdTarget(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** Resolve once `predicate` holds, checking after each turn of the event loop; reject after `tries`. */
export async function until(predicate: () => boolean, what: string, tries = 2000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, i < 50 ? 0 : 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}
