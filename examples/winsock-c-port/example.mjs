// @ts-check
// example.mjs: example.c (next to this file) ported line by line to `wsaioctl/winsock`. Each C line
// is quoted above its port (`// C: ...`). The rules of the port:
//
//   - out-parameters (DWORD *, int *, u_long *) are `{ value }` objects: `&bytes` -> `bytes`;
//   - buffers are Uint8Array with their size passed separately, as in C (`sizeof(x)` -> `x.length`);
//   - structs are bytes in Windows x64 layout, made and read with the codecs the module exports
//     (sockaddr / parseSockaddr, encodeTcpKeepalive, decodeInterfaceInfo, decodeSocketAddressList);
//   - constants and return conventions are Winsock's: SOCKET_ERROR, INVALID_SOCKET, WSAGetLastError().
//
// The same code runs on the Linux emulation and on Windows' ws2_32.dll. Loopback only.
//
//   npm run build && node examples/winsock-c-port/example.mjs
import * as ws from 'wsaioctl/winsock';

// C: static const char *addr_text(const SOCKADDR *sa, char *text, size_t size)
//    (inet_ntop on sin_addr / sin6_addr: parseSockaddr reads either family)
/** @param {Uint8Array} sa */
function addrText(sa) {
  return ws.parseSockaddr(sa).address;
}

// C: static int fail(const char *what)
/** @param {string} what */
function fail(what) {
  // C: printf("%s failed: %d\n", what, WSAGetLastError());
  console.log(`${what} failed: ${ws.WSAGetLastError()} (${ws.errorName(ws.WSAGetLastError())})`);
  // C: WSACleanup();
  ws.WSACleanup();
  // C: return 1;
  return 1;
}

// C: Sleep(10) blocks the thread; Atomics.wait on a private cell does the same in JS.
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** @param {number} ms */
const Sleep = (ms) => void Atomics.wait(sleepCell, 0, 0, ms);

// C: int main(void)
function main() {
  // C: WSADATA wsaData;
  const wsaData = ws.newWSADATA();
  // C: DWORD bytes = 0;
  const bytes = { value: 0 };
  // C: char text[INET6_ADDRSTRLEN];   (not needed: addrText returns a string)
  // C: int i;
  let i;

  // C: int rc = WSAStartup(MAKEWORD(2, 2), &wsaData);
  const rc = ws.WSAStartup(ws.MAKEWORD(2, 2), wsaData);
  // C: if (rc != 0) { printf("WSAStartup failed: %d\n", rc); return 1; }
  if (rc !== 0) {
    console.log(`WSAStartup failed: ${rc}`);
    return 1;
  }
  // C: printf("Winsock %d.%d: %s\n", LOBYTE(wsaData.wVersion), HIBYTE(wsaData.wVersion), wsaData.szDescription);
  console.log(`Winsock ${wsaData.wVersion & 0xff}.${wsaData.wVersion >> 8}: ${wsaData.szDescription}`);

  // C: SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  const udp = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  // C: if (udp == INVALID_SOCKET) return fail("socket");
  if (udp === ws.INVALID_SOCKET) return fail('socket');
  // C: INTERFACE_INFO interfaces[32];
  const interfaces = new Uint8Array(32 * ws.INTERFACE_INFO_SIZE);
  // C: if (WSAIoctl(udp, SIO_GET_INTERFACE_LIST, NULL, 0, interfaces, sizeof(interfaces), &bytes, NULL, NULL) == SOCKET_ERROR)
  if (ws.WSAIoctl(udp, ws.SIO_GET_INTERFACE_LIST, null, 0, interfaces, interfaces.length, bytes, null, null) === ws.SOCKET_ERROR)
    // C: return fail("WSAIoctl(SIO_GET_INTERFACE_LIST)");
    return fail('WSAIoctl(SIO_GET_INTERFACE_LIST)');
  // C: int count = (int)(bytes / sizeof(INTERFACE_INFO));
  const count = Math.floor(bytes.value / ws.INTERFACE_INFO_SIZE);
  // C: printf("%d IPv4 interface(s):\n", count);
  console.log(`${count} IPv4 interface(s):`);
  // C: for (i = 0; i < count; i++) {
  for (i = 0; i < count; i++) {
    // C: (interfaces[i], decoded: iiFlags, iiAddress, iiBroadcastAddress, iiNetmask)
    const iface = ws.decodeInterfaceInfo(interfaces, i * ws.INTERFACE_INFO_SIZE);
    // C: ULONG flags = interfaces[i].iiFlags;
    const flags = iface.flags;
    // C: printf("  %-15s", addr_text(&interfaces[i].iiAddress.Address, text, sizeof(text)));
    // C: printf("  mask %-15s", addr_text(&interfaces[i].iiNetmask.Address, text, sizeof(text)));
    // C: printf("  %s%s%s\n", (flags & IFF_UP) ? "up" : "down", (flags & IFF_LOOPBACK) ? " loopback" : "", (flags & IFF_BROADCAST) ? " broadcast" : "");
    console.log(`  ${iface.address.padEnd(15)}  mask ${iface.netmask.padEnd(15)}  ${(flags & ws.IFF_UP) ? 'up' : 'down'}` +
      `${(flags & ws.IFF_LOOPBACK) ? ' loopback' : ''}${(flags & ws.IFF_BROADCAST) ? ' broadcast' : ''}`);
  // C: }
  }

  // C: DWORD needed = 0;
  const needed = { value: 0 };
  // C: if (WSAIoctl(udp, SIO_ADDRESS_LIST_QUERY, NULL, 0, NULL, 0, &needed, NULL, NULL) == 0 || WSAGetLastError() != WSAEFAULT)
  if (ws.WSAIoctl(udp, ws.SIO_ADDRESS_LIST_QUERY, null, 0, null, 0, needed, null, null) === 0 || ws.WSAGetLastError() !== ws.WSAEFAULT)
    // C: return fail("WSAIoctl(SIO_ADDRESS_LIST_QUERY) size query");
    return fail('WSAIoctl(SIO_ADDRESS_LIST_QUERY) size query');
  // C: SOCKET_ADDRESS_LIST *list = (SOCKET_ADDRESS_LIST *)malloc(needed);
  const list = new Uint8Array(needed.value);
  // C: if (WSAIoctl(udp, SIO_ADDRESS_LIST_QUERY, NULL, 0, list, needed, &bytes, NULL, NULL) == SOCKET_ERROR)
  if (ws.WSAIoctl(udp, ws.SIO_ADDRESS_LIST_QUERY, null, 0, list, needed.value, bytes, null, null) === ws.SOCKET_ERROR)
    // C: return fail("WSAIoctl(SIO_ADDRESS_LIST_QUERY)");
    return fail('WSAIoctl(SIO_ADDRESS_LIST_QUERY)');
  // C: (list->iAddressCount and list->Address[i].lpSockaddr: the pointers point into the buffer)
  const addresses = ws.decodeSocketAddressList(list.subarray(0, bytes.value));
  // C: printf("%d address(es) to bind to (%lu bytes):\n", list->iAddressCount, bytes);
  console.log(`${addresses.length} address(es) to bind to (${bytes.value} bytes):`);
  // C: for (i = 0; i < list->iAddressCount; i++)
  for (i = 0; i < addresses.length; i++)
    // C: printf("  %s\n", addr_text(list->Address[i].lpSockaddr, text, sizeof(text)));
    console.log(`  ${addrText(addresses[i].sockaddr)}`);
  // C: free(list);   (garbage-collected)
  // C: closesocket(udp);
  ws.closesocket(udp);

  // C: SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  // C: SOCKADDR_IN local = { 0 };
  // C: local.sin_family = AF_INET;
  // C: local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // C: local.sin_port = htons(0);
  const local = ws.sockaddr('127.0.0.1', 0);
  // C: if (bind(listener, (SOCKADDR *)&local, sizeof(local)) == SOCKET_ERROR || listen(listener, 1) == SOCKET_ERROR)
  if (ws.bind(listener, local, local.length) === ws.SOCKET_ERROR || ws.listen(listener, 1) === ws.SOCKET_ERROR)
    // C: return fail("bind/listen");
    return fail('bind/listen');
  // C: int namelen = sizeof(local);
  const namelen = { value: local.length };
  // C: getsockname(listener, (SOCKADDR *)&local, &namelen);
  ws.getsockname(listener, local, namelen);
  // C: printf("listening on 127.0.0.1:%d\n", ntohs(local.sin_port));
  console.log(`listening on 127.0.0.1:${ws.parseSockaddr(local).port}`);
  // C: SOCKET client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  // C: if (connect(client, (SOCKADDR *)&local, sizeof(local)) == SOCKET_ERROR)
  if (ws.connect(client, local, local.length) === ws.SOCKET_ERROR)
    // C: return fail("connect");
    return fail('connect');
  // C: SOCKET server = accept(listener, NULL, NULL);
  const server = ws.accept(listener, null, null);
  // C: if (server == INVALID_SOCKET)
  if (server === ws.INVALID_SOCKET)
    // C: return fail("accept");
    return fail('accept');

  // C: struct tcp_keepalive keepalive = { 1, 30000, 1000 };
  const keepalive = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 30000, keepaliveinterval: 1000 });
  // C: if (WSAIoctl(client, SIO_KEEPALIVE_VALS, &keepalive, sizeof(keepalive), NULL, 0, &bytes, NULL, NULL) == SOCKET_ERROR)
  if (ws.WSAIoctl(client, ws.SIO_KEEPALIVE_VALS, keepalive, keepalive.length, null, 0, bytes, null, null) === ws.SOCKET_ERROR)
    // C: return fail("WSAIoctl(SIO_KEEPALIVE_VALS)");
    return fail('WSAIoctl(SIO_KEEPALIVE_VALS)');
  // C: BOOL on = FALSE;
  const on = new Uint8Array(4);
  // C: int optlen = sizeof(on);
  const optlen = { value: on.length };
  // C: getsockopt(client, SOL_SOCKET, SO_KEEPALIVE, (char *)&on, &optlen);
  ws.getsockopt(client, ws.SOL_SOCKET, ws.SO_KEEPALIVE, on, optlen);
  // C: printf("SIO_KEEPALIVE_VALS done: SO_KEEPALIVE is %s\n", on ? "on" : "off");
  console.log(`SIO_KEEPALIVE_VALS done: SO_KEEPALIVE is ${new DataView(on.buffer).getInt32(0, true) ? 'on' : 'off'}`);

  // C: send(server, "hello", 5, 0);
  ws.send(server, new TextEncoder().encode('hello'), 5, 0);
  // C: u_long available = 0;
  const available = { value: 0 };
  // C: for (i = 0; i < 100 && available == 0; i++) {
  for (i = 0; i < 100 && available.value === 0; i++) {
    // C: if (ioctlsocket(client, FIONREAD, &available) == SOCKET_ERROR)
    if (ws.ioctlsocket(client, ws.FIONREAD, available) === ws.SOCKET_ERROR)
      // C: return fail("ioctlsocket(FIONREAD)");
      return fail('ioctlsocket(FIONREAD)');
    // C: if (available == 0)
    if (available.value === 0)
      // C: Sleep(10);
      Sleep(10);
  // C: }
  }
  // C: printf("FIONREAD: %lu byte(s) to read\n", available);
  console.log(`FIONREAD: ${available.value} byte(s) to read`);

  // C: closesocket(server);
  ws.closesocket(server);
  // C: closesocket(client);
  ws.closesocket(client);
  // C: closesocket(listener);
  ws.closesocket(listener);
  // C: WSACleanup();
  ws.WSACleanup();
  // C: return 0;
  return 0;
}

process.exitCode = main();
