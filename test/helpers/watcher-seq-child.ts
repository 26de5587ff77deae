/**
 * Child of netlink-watcher.test.ts, run inside its own network namespace: a change made by another
 * netlink client whose sequence number equals the watcher's own dump (1) must still complete a
 * pending SIO_ADDRESS_LIST_CHANGE. Prints one JSON line.
 */
import * as ws from 'wsaioctl/winsock';
import * as libc from '../../dist/backend/linux/host/libc.js';
import { encodeMessage, NLM_F, RTM, IFA, dumpLinks } from '../../dist/backend/linux/netlink/index.js';

ws.WSAStartup(0x0202, ws.newWSADATA());
const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
const event = ws.WSACreateEvent();
const ov = new ws.WSAOVERLAPPED(event);
const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ov, null);
const pending = rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSA_IO_PENDING;

// Before the watcher has read its dump: add 192.0.2.7/24 to `va` with sequence number 1.
const links = dumpLinks();
if (!links.ok) throw new Error(`link dump failed: errno ${links.errno}`);
const index = links.value.find((l) => l.name === 'va')!.index;
const nl = libc.socket(libc.L.AF_NETLINK, libc.L.SOCK_RAW | libc.L.SOCK_CLOEXEC, 0);
const body = new Uint8Array(8);
body[0] = libc.L.AF_INET;
body[1] = 24;
new DataView(body.buffer).setUint32(4, index, true);
const address = Uint8Array.from([192, 0, 2, 7]);
const request = encodeMessage(RTM.NEWADDR, NLM_F.REQUEST | NLM_F.ACK | 0x400 /* CREATE */ | 0x200 /* EXCL */, 1, body, [[IFA.LOCAL, address], [IFA.ADDRESS, address]]);
libc.send(nl, request, request.length, 0);
const ack = new Uint8Array(1024);
const n = libc.recv(nl, ack, ack.length, 0);
const added = n >= 20 && new DataView(ack.buffer).getInt32(16, true) === 0;
libc.close(nl);

const wait = ws.WSAWaitForMultipleEvents(1, [event], false, 3000, false);
process.stdout.write(JSON.stringify({ pending, added, completed: wait === ws.WSA_WAIT_EVENT_0, internal: ov.Internal }) + '\n');
ws.closesocket(s);
ws.WSACloseEvent(event);
ws.WSACleanup();
