// The Node baseline of bench/echo-run.mjs: an echo server on Node's own `net` (each connection
// piped into itself, Nagle off as in the other servers). Loopback only.
//
//   node bench/echo-node-net.mjs <port-file>     an ephemeral port, written to <port-file>; runs until killed
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const portFile = process.argv[2];
if (!portFile) {
  console.error('usage: node bench/echo-node-net.mjs <port-file>');
  process.exit(2);
}
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(0, '127.0.0.1', () => writeFileSync(portFile, `${server.address().port}\n`));
