// Connection-rate benchmark, Node's own `net` (the reference for bench/accept-conn.mjs): a loopback
// server that closes each connection it accepts, and INFLIGHT clients that close each connection
// once it is made and start the next. Prints one JSON line: connections accepted, seconds, per
// second. Loopback only; at most MAX_CONNECTIONS connections.
//
//   node bench/accept-node-net.mjs [seconds]      (bench/accept-run.mjs runs it)
import net from 'node:net';
import { once } from 'node:events';

const SECONDS = Math.min(Number(process.argv[2]) || 2, 30);
const INFLIGHT = 8;
const MAX_CONNECTIONS = 20_000;

let accepted = 0;
let started = 0;
let stopping = false;
const server = net.createServer((socket) => {
  accepted++;
  socket.on('error', () => {});
  socket.destroy();
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());

const begin = performance.now();
let finished = () => {};
const done = new Promise((resolve) => { finished = resolve; });
function connect() {
  if (stopping || started >= MAX_CONNECTIONS) return;
  started++;
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.once('connect', () => {
    socket.destroy();
    connect();
  });
}
for (let i = 0; i < INFLIGHT; i++) connect();
const timer = setInterval(() => {
  if (performance.now() - begin >= SECONDS * 1000 || accepted >= MAX_CONNECTIONS) {
    stopping = true;
    clearInterval(timer);
    finished();
  }
}, 5);
await done;
const seconds = (performance.now() - begin) / 1000;
const connections = accepted;
server.close();
console.log(JSON.stringify({ connections, seconds, perSecond: connections / seconds }));
