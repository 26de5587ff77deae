/**
 * Property-based fuzzing of WSAIoctl and ioctlsocket on the Linux emulation: random codes (from the
 * catalogue and random 32-bit values), random buffers and claimed sizes (smaller, equal, larger,
 * null), random handles (live, closed, bogus), random modes (plain, overlapped with an event, a
 * completion routine or a completion port). Whatever the input: no exception, a return of 0 or
 * SOCKET_ERROR with a documented error, nothing written outside [0, cbOutBuffer), input buffers
 * unchanged, no fd left open, and every overlapped call completed exactly as often as its return
 * says (once after 0 or WSA_IO_PENDING, pending ones at the latest when their socket closes;
 * never after another error).
 */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { netnsSkip } from './helpers/netns.js';
import fc from 'fast-check';
import * as ws from 'wsaioctl/winsock';
import { allCodes } from 'wsaioctl/codes';

/**
 * Random codes with random buffers can ask for anything a code can do: join a multicast group and
 * program its filter (an IGMP / MLD report), capture or go promiscuous. So the fuzz runs in a
 * network namespace of its own, where only its own loopback exists: this file, run by the suite,
 * runs itself again under `unshare -n` and passes when that run passes.
 */
const IN_OWN_NETNS = process.env.WSAIOCTL_FUZZ_NETNS === '1';
const test: typeof nodeTest = IN_OWN_NETNS ? nodeTest : (() => undefined) as unknown as typeof nodeTest;
if (!IN_OWN_NETNS) {
  nodeTest('the WSAIoctl fuzz, run in a network namespace of its own', { skip: netnsSkip() }, () => {
    const self = fileURLToPath(import.meta.url);
    // Without NODE_TEST_CONTEXT the inner run is a test run of its own, reporting as text.
    const env: NodeJS.ProcessEnv = { ...process.env, WSAIOCTL_FUZZ_NETNS: '1' };
    delete env.NODE_TEST_CONTEXT;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" --test --test-reporter=spec "$1"', process.execPath, self], {
      env,
      encoding: 'utf8',
      timeout: 280_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(run.status, 0, `the namespaced run failed (${run.status ?? run.signal}):\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`);
    assert.match(run.stdout, /pass 3\b/, `the namespaced run did not run its three tests:\n${run.stdout.slice(-2000)}`);
  });
}

const GUARD = 0xa5;

/** Errors WSAIoctl may report in general (the function's own table and the per-code additions). */
const GENERIC_ERRORS = new Set([
  ws.WSAEFAULT, ws.WSAEINVAL, ws.WSAENOTSOCK, ws.WSAEOPNOTSUPP, ws.WSAEWOULDBLOCK, ws.WSAENOPROTOOPT,
  ws.WSAENOTCONN, ws.WSAEMSGSIZE, ws.WSAENETUNREACH, ws.WSAENETDOWN, ws.WSAEAFNOSUPPORT, ws.WSAEACCES,
  ws.WSAENOBUFS, ws.WSAEINPROGRESS, ws.WSA_IO_PENDING, ws.WSA_OPERATION_ABORTED, ws.WSAEINTR,
  ws.WSAEHOSTUNREACH, ws.WSAECONNRESET, ws.WSAENETRESET, ws.WSAESHUTDOWN,
  // The multicast filter gets on a group the socket has not joined, and a port reservation whose
  // block is in use (handlers/multicast-filter.ts, sockets/port-reservations.ts).
  ws.WSAEADDRNOTAVAIL, ws.WSAEADDRINUSE,
]);
const documentedErrors = new Map<number, Set<number>>();
for (const record of allCodes()) {
  const set = documentedErrors.get(record.value) ?? new Set(GENERIC_ERRORS);
  for (const e of record.errors) set.add(e.value);
  documentedErrors.set(record.value, set);
}

const openFds = () => readdirSync('/proc/self/fd').length;

function loopbackSockets(): number[] {
  const listener = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.bind(listener, ws.sockaddr('127.0.0.1', 0), 16);
  ws.listen(listener, 4);
  const name = new Uint8Array(16);
  ws.getsockname(listener, name, { value: 16 });
  const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.connect(client, ws.sockaddr('127.0.0.1', ws.parseSockaddr(name).port), 16);
  const server = ws.accept(listener, null, null);
  ws.send(client, Uint8Array.from([1, 2, 3]), 3, ws.MSG_OOB);
  const udp4 = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  ws.bind(udp4, ws.sockaddr('127.0.0.1', 0), 16);
  const udp6 = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  const closed = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  ws.closesocket(closed);
  return [listener, client, server, udp4, udp6, closed];
}

/** A buffer argument: null, or bytes with a claimed size below, at, or above their length. */
const bufferArg = fc.oneof(
  fc.constant({ bytes: null as Uint8Array | null, claimed: 0 }),
  fc.record({ bytes: fc.constant(null as Uint8Array | null), claimed: fc.integer({ min: 1, max: 256 }) }),
  fc.uint8Array({ maxLength: 160 }).chain((bytes) =>
    fc.record({
      bytes: fc.constant<Uint8Array | null>(bytes),
      claimed: fc.oneof(fc.constant(bytes.length), fc.integer({ min: 0, max: bytes.length }), fc.integer({ min: bytes.length + 1, max: bytes.length + 64 }), fc.constant(-1)),
    }),
  ),
);

/**
 * Codes that wait for a change even on a non-blocking socket, as on Windows: called without
 * overlapped they would block the fuzzer until the network changes.
 */
const WAITS_ANYWAY = new Set([ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, ws.SIO_ACQUIRE_PORT_RESERVATION, ws.SIO_RELEASE_PORT_RESERVATION, ws.SIO_ASSOCIATE_PORT_RESERVATION]);

const codeArg = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...allCodes().map((r) => r.value).filter((v) => !WAITS_ANYWAY.has(v))) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).filter((v) => !WAITS_ANYWAY.has(v)) },
);

test('WSAIoctl never throws, reports documented errors, and stays inside its buffers', () => {
  const data = ws.newWSADATA();
  assert.equal(ws.WSAStartup(0x0202, data), 0);
  const fdsBefore = openFds();
  const sockets = loopbackSockets();
  const handleArg = fc.oneof(fc.constantFrom(...sockets), fc.constantFrom(0, 1, 3, 4, -1, 0x7ffffffc), fc.integer());
  try {
    fc.assert(
      fc.property(handleArg, codeArg, bufferArg, bufferArg, fc.boolean(), (s, code, input, output, nullBytes) => {
        // Change notifications block a blocking socket by design: keep every socket non-blocking.
        for (const live of sockets) ws.ioctlsocket(live, ws.FIONBIO, { value: 1 });
        const inputCopy = input.bytes ? Uint8Array.from(input.bytes) : null;
        // The output lives at the start of a larger block whose tail must stay untouched.
        const outerOut = output.bytes ? new Uint8Array(output.bytes.length + 32).fill(GUARD) : null;
        const out = outerOut ? outerOut.subarray(0, output.bytes!.length) : null;
        const bytes = nullBytes ? null : { value: 0x1234 };
        const rc = ws.WSAIoctl(s, code, input.bytes, input.claimed, out, output.claimed, bytes, null, null);
        assert.ok(rc === 0 || rc === ws.SOCKET_ERROR, `return value ${rc}`);
        if (rc === ws.SOCKET_ERROR) {
          const error = ws.WSAGetLastError();
          const allowed = documentedErrors.get(code >>> 0) ?? GENERIC_ERRORS;
          assert.ok(allowed.has(error), `code 0x${(code >>> 0).toString(16)}: undocumented error ${ws.errorName(error)}`);
        } else {
          assert.equal(ws.WSAGetLastError(), 0);
        }
        if (inputCopy) assert.deepEqual(input.bytes, inputCopy, 'input buffer changed');
        if (outerOut) {
          // A claimed size beyond the buffer is WSAEFAULT: then nothing at all may be written.
          const limit = output.claimed >= 0 && output.claimed <= out!.length ? output.claimed : 0;
          assert.ok(outerOut.subarray(limit).every((b) => b === GUARD), `write outside [0, ${limit})`);
          if (bytes && rc === 0) assert.ok(bytes.value <= Math.max(0, output.claimed), 'bytesReturned beyond cbOutBuffer');
        }
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 60_000 },
    );
  } finally {
    for (const s of sockets) ws.closesocket(s);
    ws.WSACleanup();
  }
  assert.equal(openFds(), fdsBefore, 'fds left open');
});

test('ioctlsocket never throws and keeps its argument a u_long', () => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  const sockets = loopbackSockets();
  try {
    fc.assert(
      fc.property(fc.constantFrom(...sockets, 0, 12345), codeArg, fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: null }), (s, cmd, value) => {
        for (const live of sockets) ws.ioctlsocket(live, ws.FIONBIO, { value: 1 });
        const argp = value === null ? null : { value };
        const rc = ws.ioctlsocket(s, cmd, argp);
        assert.ok(rc === 0 || rc === ws.SOCKET_ERROR);
        if (argp) assert.ok(Number.isInteger(argp.value) && argp.value >= 0 && argp.value <= 0xffffffff);
      }),
      { numRuns: 2000, interruptAfterTimeLimit: 30_000 },
    );
  } finally {
    for (const s of sockets) ws.closesocket(s);
    ws.WSACleanup();
  }
});

type Mode = 'event' | 'routine' | 'port';

/** Output blocks of the current run, checked after its drain. */
const outerOuts: Array<[Uint8Array, number, string]> = [];

interface Issued {
  mode: Mode;
  ov: ws.WSAOVERLAPPED;
  event: number;
  rc: number;
  error: number;
  what: string;
}

test('overlapped WSAIoctl (event, routine, port): each call completes as often as its return says, pending ones when their socket closes', () => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  const fdsBefore = openFds();
  // How often each mode saw each kind of return, so the property is known to have met all of them.
  const tally = new Map<string, number>();
  const callArg = fc.record({
    mode: fc.constantFrom<Mode>('event', 'routine', 'port'),
    which: fc.nat({ max: 7 }),
    code: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...allCodes().map((r) => r.value)) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }) },
    ),
    input: bufferArg,
    output: bufferArg,
  });
  // Random buffers rarely pass a size rule: well-formed calls that succeed on any socket are mixed
  // in, so every mode meets an immediate success too (FIONBIO on, FIONREAD into 4 bytes).
  const wellFormedArg = fc.record({
    mode: fc.constantFrom<Mode>('event', 'routine', 'port'),
    which: fc.nat({ max: 7 }),
    code: fc.constantFrom(ws.FIONBIO, ws.FIONREAD),
  }).map(({ mode, which, code }) => ({
    mode, which, code,
    input: code === ws.FIONBIO ? { bytes: Uint8Array.of(1, 0, 0, 0) as Uint8Array | null, claimed: 4 } : { bytes: null, claimed: 0 },
    output: code === ws.FIONREAD ? { bytes: new Uint8Array(4) as Uint8Array | null, claimed: 4 } : { bytes: null, claimed: 0 },
  }));
  const callsArg = fc.tuple(fc.array(callArg, { minLength: 1, maxLength: 6 }), fc.array(wellFormedArg, { minLength: 1, maxLength: 2 }))
    .chain(([random, wellFormed]) => fc.shuffledSubarray([...random, ...wellFormed], { minLength: random.length + wellFormed.length }));
  try {
    fc.assert(
      fc.property(callsArg, (calls) => {
        // Sockets for event and routine calls, and two more on a completion port (a routine on a
        // socket with a port is another matter, not fuzzed here).
        const plain = loopbackSockets();
        const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
        const onPort = [ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), ws.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP)];
        for (const s of onPort) assert.equal(ws.CreateIoCompletionPort(s, port, 0x77, 0), port);
        const routineCalls = new Map<ws.WSAOVERLAPPED, number>();
        const routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE = (_e, _n, o) => { routineCalls.set(o, (routineCalls.get(o) ?? 0) + 1); };
        const issued: Issued[] = [];
        try {
          for (const call of calls) {
            const candidates = call.mode === 'port' ? onPort : plain;
            const s = candidates[call.which % candidates.length]!;
            const event = call.mode === 'event' ? ws.WSACreateEvent() : 0;
            const ov = new ws.WSAOVERLAPPED(event);
            const inputCopy = call.input.bytes ? Uint8Array.from(call.input.bytes) : null;
            const outerOut = call.output.bytes ? new Uint8Array(call.output.bytes.length + 32).fill(GUARD) : null;
            const out = outerOut ? outerOut.subarray(0, call.output.bytes!.length) : null;
            const rc = ws.WSAIoctl(s, call.code, call.input.bytes, call.input.claimed, out, call.output.claimed, { value: 0 }, ov, call.mode === 'routine' ? routine : null);
            const error = rc === 0 ? 0 : ws.WSAGetLastError();
            const what = `${call.mode} 0x${(call.code >>> 0).toString(16)} on 0x${s.toString(16)}: rc ${rc} ${ws.errorName(error)}`;
            assert.ok(rc === 0 || rc === ws.SOCKET_ERROR, what);
            if (rc !== 0) {
              const allowed = documentedErrors.get(call.code >>> 0) ?? GENERIC_ERRORS;
              assert.ok(allowed.has(error), `undocumented error: ${what}`);
            }
            if (inputCopy) assert.deepEqual(call.input.bytes, inputCopy, `input buffer changed: ${what}`);
            // Output may be written later by a pending call: its bounds are checked after the drain.
            issued.push({ mode: call.mode, ov, event, rc, error, what });
            if (outerOut) outerOuts.push([outerOut, call.output.claimed, what]);
          }
        } finally {
          for (const s of [...plain, ...onPort]) ws.closesocket(s);
        }
        // Drain: alertable waits run the routines, the port gives its packets; bounded in count and time.
        const packets = new Map<ws.WSAOVERLAPPED, number>();
        const expected = (i: Issued) => (i.rc === 0 || i.error === ws.WSA_IO_PENDING ? 1 : 0);
        const seen = (i: Issued): number =>
          i.mode === 'routine' ? routineCalls.get(i.ov) ?? 0
          : i.mode === 'port' ? packets.get(i.ov) ?? 0
          : ws.WSAWaitForMultipleEvents(1, [i.event], true, 0, false) === 0 ? 1 : 0;
        const deadline = Date.now() + 5_000;
        for (let round = 0; round < 500 && Date.now() < deadline; round++) {
          ws.SleepEx(round < 5 ? 0 : 2, true);
          for (let n = 0; n < 64; n++) {
            const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
            ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, got, 0);
            if (got.value === null) break;
            packets.set(got.value, (packets.get(got.value) ?? 0) + 1);
          }
          if (issued.every((i) => seen(i) >= expected(i))) break;
        }
        // One more alertable wait and port poll: anything completed twice shows now.
        ws.SleepEx(5, true);
        for (let n = 0; n < 64; n++) {
          const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
          ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, got, 0);
          if (got.value === null) break;
          packets.set(got.value, (packets.get(got.value) ?? 0) + 1);
        }
        for (const i of issued) {
          const kind = `${i.mode}/${i.rc === 0 ? 'success' : i.error === ws.WSA_IO_PENDING ? 'pending' : 'error'}`;
          tally.set(kind, (tally.get(kind) ?? 0) + 1);
          assert.equal(seen(i), expected(i), `completions: ${i.what}`);
          if (expected(i)) assert.notEqual(i.ov.Internal >>> 0, ws.STATUS_PENDING, `still pending: ${i.what}`);
          if (i.event) ws.WSACloseEvent(i.event);
        }
        for (const [outer, claimed, what] of outerOuts.splice(0)) {
          const limit = claimed >= 0 && claimed <= outer.length - 32 ? claimed : 0;
          assert.ok(outer.subarray(limit).every((b) => b === GUARD), `write outside [0, ${limit}): ${what}`);
        }
        ws.CloseHandle(port);
      }),
      { numRuns: 300, interruptAfterTimeLimit: 60_000 },
    );
  } finally {
    ws.WSACleanup();
  }
  assert.equal(openFds(), fdsBefore, 'fds left open');
  for (const mode of ['event', 'routine', 'port']) {
    for (const kind of ['success', 'pending', 'error']) assert.ok((tally.get(`${mode}/${kind}`) ?? 0) > 0, `no ${mode} call ended in ${kind}: ${JSON.stringify([...tally])}`);
  }
});
