// A loopback TCP server that turns on keep-alive for every connection (SIO_KEEPALIVE_VALS) and
// reports each connection's round-trip time from SIO_TCP_INFO. Three clients talk to it for a few
// rounds, then everything closes and the process exits.
//
//   npm run build && node examples/keepalive-and-rtt.mjs
import net from 'node:net';
import { once } from 'node:events';
import { setKeepAlive, tcpInfo, WinsockError } from 'wsaioctl';

const CLIENTS = 3;
const ROUNDS = 5;

const server = net.createServer((conn) => {
  const who = `${conn.remoteAddress}:${conn.remotePort}`;
  try {
    // First probe after 30 s of silence, then every 5 s (Windows sends 10 probes; Linux does too here).
    setKeepAlive(conn, { idleMs: 30_000, intervalMs: 5_000 });
  } catch (error) {
    if (!(error instanceof WinsockError)) throw error;
    console.log(`${who}: keep-alive not set: ${error.message}`);
  }
  conn.on('data', (chunk) => {
    conn.write(chunk); // echo
    const info = tcpInfo(conn);
    console.log(`${who}: ${info.stateName} rtt ${info.RttUs} µs (min ${info.MinRttUs} µs), ` +
      `mss ${info.Mss}, cwnd ${info.Cwnd} B, in ${info.BytesIn} B, out ${info.BytesOut} B`);
  });
  conn.on('error', () => {});
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();
console.log(`server on 127.0.0.1:${port}`);

async function client(id) {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  for (let round = 0; round < ROUNDS; round++) {
    sock.write(`client ${id} round ${round}\n`);
    await once(sock, 'data');
  }
  sock.end();
  await once(sock, 'close');
}

await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
server.close();
console.log('done');
