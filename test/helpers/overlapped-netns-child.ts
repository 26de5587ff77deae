/**
 * Runs inside a network namespace made by netns-run.ts (never on the host): one scenario per run,
 * named by argv[2]; prints one JSON object per line with what it saw. Address and route changes use
 * documentation ranges only, on a veth pair that exists only in the namespace. Every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import * as ws from 'wsaioctl/winsock';
import { sh, shLater, setupLinks } from './netns-run.js';

const execFileAsync = promisify(execFile);
const out = (result: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(result) + '\n'); };
const WAIT_MS = 5000;

function check(rc: number, what: string): number {
  if (rc === ws.SOCKET_ERROR) throw new Error(`${what}: Winsock error ${ws.WSAGetLastError()}`);
  return rc;
}

function udp(af = ws.AF_INET): number {
  return check(ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
}

/** An overlapped request; returns [rc, last error]. */
function request(s: number, code: number, ov: ws.WSAOVERLAPPED | null, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null = null, input: Uint8Array | null = null): [number, number] {
  const bytes = { value: 0xdead };
  const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, null, 0, bytes, ov, routine);
  return [rc, ws.WSAGetLastError()];
}

const listChange = (s: number, ov: ws.WSAOVERLAPPED | null, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null = null): [number, number] =>
  request(s, ws.SIO_ADDRESS_LIST_CHANGE, ov, routine);

/** Sockets of this process that are rtnetlink sockets. */
function netlinkSockets(): number {
  const inodes = new Set<string>();
  for (const line of sh('cat', '/proc/self/net/netlink').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
    if (fields.length >= 10 && fields[1] === '0' && fields[2] !== '0') inodes.add(fields[9]!);
  }
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) count++;
    } catch {
      // fd closed while listing
    }
  }
  return count;
}

function waitIpv6Settled(): void {
  for (let i = 0; i < 100; i++) {
    const text = sh('ip', '-6', 'addr', 'show');
    if (text.includes('fe80') && !text.includes('tentative')) break;
    ws.SleepEx(20, false);
  }
  ws.SleepEx(100, false);
}

const scenarios: Record<string, () => void | Promise<void>> = {
  /** IPv4 and IPv6 requests on events; an IPv4 change completes only the IPv4 one. */
  'address-event'() {
    const s4 = udp();
    const s6 = udp(ws.AF_INET6);
    const e4 = ws.WSACreateEvent();
    const e6 = ws.WSACreateEvent();
    const ov4 = new ws.WSAOVERLAPPED(e4);
    const ov6 = new ws.WSAOVERLAPPED(e6);
    const r4 = listChange(s4, ov4);
    const r6 = listChange(s6, ov6);
    const pendingBefore = [ov4.Internal, ov6.Internal];
    const netlinkWhilePending = netlinkSockets();
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const wait4 = ws.WSAWaitForMultipleEvents(1, [e4], false, WAIT_MS, false);
    const v6AfterV4 = ws.WSAWaitForMultipleEvents(1, [e6], false, 300, false);
    const transferred = { value: 0xbad };
    const flags = { value: 0xbad };
    const result4 = ws.WSAGetOverlappedResult(s4, ov4, transferred, false, flags);
    const result4Error = ws.WSAGetLastError();
    const incomplete6 = ws.WSAGetOverlappedResult(s6, ov6, { value: 0 }, false, { value: 0 });
    const incomplete6Error = ws.WSAGetLastError();
    sh('ip', 'addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad');
    const wait6 = ws.WSAWaitForMultipleEvents(1, [e6], false, WAIT_MS, false);
    ws.closesocket(s4);
    ws.closesocket(s6);
    out({
      r4, r6, pendingBefore, netlinkWhilePending, wait4, v6AfterV4, result4, result4Error,
      transferred: transferred.value, flags: flags.value, internal4: ov4.Internal, internalHigh4: ov4.InternalHigh,
      incomplete6, incomplete6Error, wait6, internal6: ov6.Internal, netlinkAfter: netlinkSockets(),
    });
  },

  /** Completion routine run by SleepEx(alertable), and by an alertable WSAWaitForMultipleEvents. */
  'address-routine'() {
    const s = udp();
    const calls: unknown[] = [];
    const ov = new ws.WSAOVERLAPPED();
    const r = listChange(s, ov, (e, n, o, f) => calls.push([e, n, o === ov, f]));
    const before = ws.SleepEx(100, false);
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    // Not alertable: the routine must not run.
    const notAlertable = ws.SleepEx(300, false);
    const callsWhileNotAlertable = calls.length;
    let sleepEx = -1;
    for (let i = 0; i < 50 && calls.length === 0; i++) sleepEx = ws.SleepEx(100, true);
    const again = ws.SleepEx(50, true);

    const s2 = udp();
    const ov2 = new ws.WSAOVERLAPPED();
    const calls2: unknown[] = [];
    const r2 = listChange(s2, ov2, (e, n) => calls2.push([e, n]));
    const other = ws.WSACreateEvent();
    sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v0');
    const alertableWait = ws.WSAWaitForMultipleEvents(1, [other], false, WAIT_MS, true);
    ws.closesocket(s);
    ws.closesocket(s2);
    out({ r, before, notAlertable, callsWhileNotAlertable, sleepEx, calls, again, r2, alertableWait, calls2 });
  },

  /** Completion port packet. */
  'address-port'() {
    const s = udp();
    const port = ws.CreateIoCompletionPort(s, 0, 0x77, 0);
    const ov = new ws.WSAOVERLAPPED();
    const r = listChange(s, ov);
    const bytes = { value: 0xbad };
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    const early = ws.GetQueuedCompletionStatus(port, bytes, key, got, 100);
    const earlyError = ws.GetLastError();
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const ok = ws.GetQueuedCompletionStatus(port, bytes, key, got, WAIT_MS);
    const packet = { ok, bytes: bytes.value, key: key.value, same: got.value === ov };
    const second = ws.GetQueuedCompletionStatus(port, bytes, key, got, 200);
    const secondError = ws.GetLastError();
    ws.closesocket(s);
    ws.CloseHandle(port);
    out({ r, early, earlyError, packet, second, secondError });
  },

  /** The async twins, while the event loop keeps running. */
  async 'address-async'() {
    const s = udp();
    const port = ws.CreateIoCompletionPort(s, 0, 5, 0);
    const ovPort = new ws.WSAOVERLAPPED();
    const event = ws.WSACreateEvent();
    const ovEvent = new ws.WSAOVERLAPPED(event);
    const ovResult = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    const s2 = udp();
    const s3 = udp();
    const routineCalls: unknown[] = [];
    const ovRoutine = new ws.WSAOVERLAPPED();
    const rs = [
      listChange(s, ovPort),
      listChange(s2, ovEvent),
      listChange(s3, ovResult),
      listChange(s3, ovRoutine, (e, n) => routineCalls.push([e, n])),
    ];
    let ticks = 0;
    const ticker = setInterval(() => { ticks++; }, 10);
    const bytes = { value: 0 };
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    const transferred = { value: 0xbad };
    const waits = Promise.all([
      ws.GetQueuedCompletionStatusAsync(port, bytes, key, got, WAIT_MS),
      ws.WSAWaitForMultipleEventsAsync(1, [event], false, WAIT_MS, false),
      ws.WSAGetOverlappedResultAsync(s3, ovResult, transferred, true, { value: 0 }),
      (async () => {
        let r = 0;
        for (let i = 0; i < 50 && routineCalls.length === 0; i++) r = await ws.SleepExAsync(100, true);
        return r;
      })(),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    await execFileAsync('ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'v0'], { timeout: 5000 });
    const [gqcs, wait, result, sleep] = await waits;
    clearInterval(ticker);
    for (const x of [s, s2, s3]) ws.closesocket(x);
    out({ rs, gqcs, packetKey: key.value, packetSame: got.value === ovPort, wait, result, transferred: transferred.value, sleep, routineCalls, loopTurned: ticks >= 2 }); // a blocking twin would let none run; a loaded machine may run few
  },

  /** Blocking socket without overlapped: the call blocks until the change. */
  'address-blocking'() {
    const s = check(ws.WSASocketW(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, null, 0, 0), 'WSASocketW');
    shLater(300, 'ip addr add 192.0.2.1/24 dev v0');
    const bytes = { value: 0xdead };
    const started = Date.now();
    const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, bytes, null, null);
    const error = ws.WSAGetLastError();
    const waited = Date.now() - started;
    ws.closesocket(s);
    out({ rc, error, bytes: bytes.value, blockedUntilChange: waited >= 200 });
  },

  /** Non-blocking without overlapped: WSAEWOULDBLOCK, then FD_ADDRESS_LIST_CHANGE. */
  'address-nonblocking'() {
    const s2 = udp();
    const s3 = udp();
    const one = { value: 1 };
    ws.ioctlsocket(s2, ws.FIONBIO, one);
    const [rc, error] = listChange(s2, null);
    const e2 = ws.WSACreateEvent();
    const e3 = ws.WSACreateEvent();
    const sel2 = ws.WSAEventSelect(s2, e2, ws.FD_ADDRESS_LIST_CHANGE);
    // s3 never asked for notification: its selection must stay quiet.
    const sel3 = ws.WSAEventSelect(s3, e3, ws.FD_ADDRESS_LIST_CHANGE);
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const wait2 = ws.WSAWaitForMultipleEvents(1, [e2], false, WAIT_MS, false);
    const wait3 = ws.WSAWaitForMultipleEvents(1, [e3], false, 300, false);
    const events = ws.newWSANETWORKEVENTS();
    const enumRc = ws.WSAEnumNetworkEvents(s2, e2, events);
    const afterEnum = ws.WSAWaitForMultipleEvents(1, [e2], false, 0, false);
    // A second change without a new request is not reported.
    sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v0');
    const noRequest = ws.WSAWaitForMultipleEvents(1, [e2], false, 300, false);
    // Blocking mode back is refused while selected.
    const zero = { value: 0 };
    const fionbio = ws.ioctlsocket(s2, ws.FIONBIO, zero);
    const fionbioError = ws.WSAGetLastError();
    ws.closesocket(s2);
    ws.closesocket(s3);
    out({ rc, error, sel2, sel3, wait2, wait3, enumRc, lNetworkEvents: events.lNetworkEvents, errorCode: events.iErrorCode[ws.FD_ADDRESS_LIST_CHANGE_BIT], afterEnum, noRequest, fionbio, fionbioError });
  },

  /** Many requests share one rtnetlink socket; each completes once; the socket closes after. */
  many() {
    const count = Number(process.argv[3] ?? 1000);
    const sockets: number[] = [];
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const ovs: ws.WSAOVERLAPPED[] = [];
    for (let i = 0; i < count / 10; i++) {
      const s = udp();
      sockets.push(s);
      ws.CreateIoCompletionPort(s, port, i, 0);
      for (let j = 0; j < 10; j++) {
        const ov = new ws.WSAOVERLAPPED();
        ovs.push(ov);
        if (listChange(s, ov)[1] !== ws.WSA_IO_PENDING) throw new Error('not pending');
      }
    }
    const netlinkWhilePending = netlinkSockets();
    sh('ip', 'addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    const seen = new Map<ws.WSAOVERLAPPED, number>();
    const bytes = { value: 0 };
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    for (let i = 0; i < count + 10; i++) {
      if (!ws.GetQueuedCompletionStatus(port, bytes, key, got, i < count ? WAIT_MS : 200)) break;
      seen.set(got.value!, (seen.get(got.value!) ?? 0) + 1);
    }
    const onceEach = ovs.every((ov) => seen.get(ov) === 1);
    const netlinkAfter = netlinkSockets();
    for (const s of sockets) ws.closesocket(s);
    out({ count, netlinkWhilePending, packets: [...seen.values()].reduce((a, b) => a + b, 0), onceEach, netlinkAfter });
  },

  /** Routing interface change: a destination, loopback, and the wildcard. */
  'route'() {
    const s = udp();
    const sLoop = udp();
    const sAny = udp();
    const e = ws.WSACreateEvent();
    const eLoop = ws.WSACreateEvent();
    const eAny = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(e);
    const ovLoop = new ws.WSAOVERLAPPED(eLoop);
    const ovAny = new ws.WSAOVERLAPPED(eAny);
    const rc = request(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ov, null, ws.sockaddr('203.0.113.5', 0));
    const rcLoop = request(sLoop, ws.SIO_ROUTING_INTERFACE_CHANGE, ovLoop, null, ws.sockaddr('127.0.0.1', 0));
    const rcAny = request(sAny, ws.SIO_ROUTING_INTERFACE_CHANGE, ovAny, null, ws.sockaddr('0.0.0.0', 0));
    // A route elsewhere: the wildcard hears it, the destination (still unreachable) does not.
    sh('ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'v0');
    const any = ws.WSAWaitForMultipleEvents(1, [eAny], false, WAIT_MS, false);
    const destAfterOther = ws.WSAWaitForMultipleEvents(1, [e], false, 300, false);
    // Now 203.0.113.5 becomes reachable through v1 with a new source address.
    sh('ip', 'addr', 'add', '203.0.113.1/24', 'dev', 'v1');
    const dest = ws.WSAWaitForMultipleEvents(1, [e], false, WAIT_MS, false);
    const loop = ws.WSAWaitForMultipleEvents(1, [eLoop], false, 300, false);
    // Bad inputs fail at once, untouched bytes.
    const bytes = { value: 0xdead };
    const shortRc = ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ws.sockaddr('203.0.113.5', 0).subarray(0, 8), 8, null, 0, bytes, new ws.WSAOVERLAPPED(), null);
    const shortError = ws.WSAGetLastError();
    const v6 = ws.sockaddr('2001:db8::5', 0);
    const familyRc = ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, v6, v6.length, null, 0, bytes, new ws.WSAOVERLAPPED(), null);
    const familyError = ws.WSAGetLastError();
    for (const x of [s, sLoop, sAny]) ws.closesocket(x);
    const loopAfterClose = ovLoop.Internal;
    out({ rc, rcLoop, rcAny, any, destAfterOther, dest, loop, shortRc, shortError, familyRc, familyError, bytes: bytes.value, loopAfterClose });
  },

  /** IPv6 routing change. */
  'route-v6'() {
    waitIpv6Settled();
    const s = udp(ws.AF_INET6);
    const e = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(e);
    const rc = request(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ov, null, ws.sockaddr('2001:db8:1::5', 0));
    sh('ip', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'v0', 'nodad');
    const wait = ws.WSAWaitForMultipleEvents(1, [e], false, WAIT_MS, false);
    ws.closesocket(s);
    out({ rc, wait, internal: ov.Internal });
  },
};

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (!scenario) {
  out({ failure: `unknown scenario ${name}` });
} else {
  if (ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()) !== 0) throw new Error('WSAStartup');
  setupLinks();
  if (name !== 'route-v6') waitIpv6Settled();
  try {
    await scenario();
  } catch (error) {
    out({ failure: String((error as Error)?.stack ?? error) });
  }
  ws.WSACleanup();
}
