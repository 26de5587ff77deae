/**
 * What a TCP socket reports as its connection ends (getpeername after both sides shut down, recv
 * after the peer's FIN and then an RST), and TCP_ICMP_ERROR_INFO before any ICMP error.
 */
import type { Context, Observation, Scenario } from '../lib/types.js';
import { SENTINEL, errName, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

function scenario(id: string, title: string, call: string, expected: Observation, source: string, run: (ctx: Context) => Observation): Scenario {
  return { id: `connection-end.${id}`, title, mode: 'other', sockets: ['none'], call, expected, basis: 'measured', source, run };
}

/** getpeername(s) compared with `expected` (a sockaddr_in): 'the peer', or the error. */
function peerIs(s: number, expected: Uint8Array): string {
  const name = new Uint8Array(16);
  ws.WSASetLastError(SENTINEL);
  if (ws.getpeername(s, name, { value: 16 }) !== 0) return errName(ws.WSAGetLastError());
  return name.every((b, i) => b === expected[i]) ? 'the peer' : 'another address';
}

function nameOf(s: number, peer: boolean): Uint8Array {
  const name = new Uint8Array(16);
  if (peer) ws.getpeername(s, name, { value: 16 });
  else ws.getsockname(s, name, { value: 16 });
  return name;
}

/** recv on a non-blocking socket until it stops saying WSAEWOULDBLOCK (bounded): the count or the error. */
function recvSettled(ctx: Context, s: number): number | string {
  let result: number | string = 'WSAEWOULDBLOCK';
  for (let i = 0; i < 100 && result === 'WSAEWOULDBLOCK'; i++) {
    const n = ws.recv(s, new Uint8Array(8), 8, 0);
    result = n >= 0 ? n : errName(ws.WSAGetLastError());
    if (result === 'WSAEWOULDBLOCK') ctx.sleep(10);
  }
  return result;
}

export const connectionEnd: Scenario[] = [
  scenario('getpeername.after-shutdown', 'both sides shut down their sending side: getpeername still names the peer on both',
    'shutdown(client, SD_SEND); recv(server); shutdown(server, SD_SEND); recv(client); getpeername(client / server)',
    { client: 'the peer', server: 'the peer' }, SRC.shutdown,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      const serverName = nameOf(client, true);
      const clientName = nameOf(client, false);
      ws.shutdown(client, ws.SD_SEND);
      ws.recv(server, new Uint8Array(8), 8, 0);
      ws.shutdown(server, ws.SD_SEND);
      ws.recv(client, new Uint8Array(8), 8, 0);
      return { client: peerIs(client, serverName), server: peerIs(server, clientName) };
    }),
  scenario('recv.fin-then-reset', 'the peer shuts down its sending side, then closes with an RST: recv is WSAECONNABORTED',
    'shutdown(server, SD_SEND); recv(client) = 0; SO_LINGER {1, 0}; closesocket(server); recv(client)',
    { fin: 0, afterReset: 'WSAECONNABORTED' }, SRC.shutdown,
    (ctx) => {
      const { client, server } = ctx.tcpPair();
      ws.shutdown(server, ws.SD_SEND);
      const fin = ws.recv(client, new Uint8Array(8), 8, 0);
      ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_LINGER, new Uint8Array([1, 0, 0, 0]), 4);
      ctx.closeNow(server);
      ws.ioctlsocket(client, ws.FIONBIO, { value: 1 });
      // The end of the stream (0) was already seen: wait for the reset to change the answer.
      let afterReset: number | string = 0;
      for (let i = 0; i < 100 && afterReset === 0; i++) {
        afterReset = recvSettled(ctx, client);
        if (afterReset === 0) ctx.sleep(10);
      }
      return { fin, afterReset };
    }),
  scenario('TCP_ICMP_ERROR_INFO.no-data', 'TCP_ICMP_ERROR_INFO before any ICMP error: WSANO_DATA',
    'getsockopt(tcp, IPPROTO_TCP, TCP_ICMP_ERROR_INFO, &info, &36)',
    { rc: 'WSANO_DATA' }, 'WSAGetIcmpErrorInfo reference page (sdk-api nf-ws2tcpip-wsageticmperrorinfo)',
    (ctx) => {
      ws.WSASetLastError(SENTINEL);
      const rc = ws.getsockopt(ctx.tcp(), ws.IPPROTO_TCP, ws.TCP_ICMP_ERROR_INFO, new Uint8Array(36), { value: 36 });
      return { rc: rc === 0 ? 0 : errName(ws.WSAGetLastError()) };
    }),
];
