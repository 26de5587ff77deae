// How many bytes can be read right now? bytesAvailable() = FIONREAD (what the OS holds) plus what
// Node has already taken into the stream's readable buffer (readableLength). Loopback only.
//
//   npm run build && node examples/bytes-available.mjs
import net from 'node:net';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { bytesAvailable, kernelBytesAvailable } from 'wsaioctl';

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

// --- TCP ---------------------------------------------------------------------------------------
const server = net.createServer((conn) => {
  conn.end(Buffer.alloc(48 * 1024, 'x')); // 48 KiB, then close
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const client = new net.Socket();
client.pause(); // Node does not read until we say so
client.connect(server.address().port, '127.0.0.1');
await once(client, 'connect');

const show = (when) => console.log(`${when.padEnd(34)} kernel ${String(kernelBytesAvailable(client)).padStart(6)}` +
  `  node buffer ${String(client.readableLength).padStart(6)}  bytesAvailable ${String(bytesAvailable(client)).padStart(6)}`);

for (let i = 0; i < 100 && kernelBytesAvailable(client) < 48 * 1024; i++) await pause();
show('paused, data arrived:');
client.on('readable', () => {}); // let Node fill its buffer without consuming it
for (let i = 0; i < 100 && client.readableLength === 0; i++) await pause();
show('Node buffered some:');
let taken = 0;
while (taken < 20_000) {
  const chunk = client.read(10_000);
  if (chunk === null) break;
  taken += chunk.length;
}
show(`after reading ${taken} bytes:`);
client.destroy();
server.close();

// --- UDP: FIONREAD of the socket. Node reads each datagram as soon as it arrives, so once ----------
// 'message' has fired nothing is left queued.
const receiver = dgram.createSocket('udp4');
receiver.bind(0, '127.0.0.1');
await once(receiver, 'listening');
const sender = dgram.createSocket('udp4');
const got = once(receiver, 'message');
sender.send(Buffer.alloc(512), receiver.address().port, '127.0.0.1');
await got;
console.log(`udp: after Node received the datagram, bytesAvailable ${bytesAvailable(receiver)}`);
receiver.close();
sender.close();
