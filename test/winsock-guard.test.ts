/**
 * The argument guard of the `wsaioctl/winsock` surface (winsock/index.ts, SURFACE; winsock/guard.ts):
 * every function but the last-error getters stands behind it; an exception inside a backend
 * function becomes that function's failure value with its error as the last error (promise twins
 * resolve to it); NODE_DEBUG=wsaioctl logs what was swallowed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { backend } from '../dist/backend/linux/index.js';
import { makeGuard } from '../dist/winsock/guard.js';
import { runUnderWine } from '../scripts/wine/run.mjs';
import { prepareWine } from './helpers/wine.js';

const api = ws as unknown as Record<string, (...args: unknown[]) => unknown>;
const raw = backend as unknown as Record<string, (...args: unknown[]) => unknown>;
const contract = Object.keys(backend).filter((k) => k !== 'backendName');

/** A Ref whose `value` throws on read and on write. */
const throwingRef = () => ({
  get value(): number { throw new Error('getter inside the backend'); },
  set value(_v: number) { throw new Error('setter inside the backend'); },
});
/** A number-like that throws when the backend converts it. */
const throwingNumber = () => ({ valueOf(): number { throw new Error('valueOf inside the backend'); } }) as unknown as number;

describe('the surface', () => {
  test('every contract function is guarded, under its own name and arity; the last-error getters are the backend\'s own', () => {
    for (const name of contract) {
      const fn = api[name];
      assert.equal(typeof fn, 'function', name);
      if (name === 'WSAGetLastError' || name === 'GetLastError') {
        assert.equal(fn, raw[name], `${name} is not wrapped`);
        continue;
      }
      assert.notEqual(fn, raw[name], `${name} is wrapped`);
      assert.equal(fn!.name, name, `${name}: name`);
      assert.equal(fn!.length, raw[name]!.length, `${name}: length`);
    }
    assert.equal(ws.WSASocket, ws.WSASocketW);
  });
});

describe('exceptions inside a backend function', () => {
  let s = 0;
  before(() => {
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
    s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    assert.notEqual(s, ws.INVALID_SOCKET);
  });
  after(() => {
    ws.closesocket(s);
    ws.WSACleanup();
  });

  test('a throwing out-parameter getter: getsockopt fails with WSAEFAULT', () => {
    ws.WSASetLastError(0);
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_RCVBUF, new Uint8Array(4), throwingRef()), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
  });

  test('a throwing Ref in ioctlsocket: WSAEFAULT, and the socket still works', () => {
    assert.equal(ws.ioctlsocket(s, ws.FIONBIO, throwingRef()), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }), 0);
  });

  test('WSAStartup: a WSADATA that cannot be written, or a version that is no number, returns WSAEFAULT', () => {
    const versions: unknown[] = [10n, Symbol('version'), throwingNumber()];
    for (const version of versions) {
      assert.equal(ws.WSAStartup(version as number, ws.newWSADATA()), ws.WSAEFAULT);
    }
    assert.equal(ws.WSAStartup(0x0202, Object.freeze(ws.newWSADATA())), ws.WSAEFAULT);
    const trap = new Proxy(ws.newWSADATA(), { set() { throw new Error('set trap'); } });
    assert.equal(ws.WSAStartup(0x0202, trap), ws.WSAEFAULT);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    // A string version is converted as C would see some WORD: no exception either way.
    for (const version of ['x', '0x0202']) {
      const rc = ws.WSAStartup(version as unknown as number, ws.newWSADATA());
      assert.equal(typeof rc, 'number');
      if (rc === 0) ws.WSACleanup();
    }
  });

  test('WSASetLastError / SetLastError with a BigInt or a Symbol: no exception, the slot says invalid argument', () => {
    for (const value of [10n, Symbol('error')] as unknown as number[]) {
      assert.equal(ws.WSASetLastError(value), undefined);
      assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
      assert.equal(ws.SetLastError(value), undefined);
      assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    }
    ws.WSASetLastError(ws.WSAEWOULDBLOCK);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
  });

  test('promise twins resolve to the failure value, never reject', async () => {
    const proxy = new Proxy({}, { get() { throw new Error('get trap'); } });
    assert.equal(await ws.SleepExAsync(Symbol('ms') as unknown as number, false), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, proxy as unknown as number[], false, 0, false), ws.WSA_WAIT_FAILED);
    assert.equal(await ws.WSAGetOverlappedResultAsync(s, proxy as ws.WSAOVERLAPPED, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
  });
});

describe('makeGuard', () => {
  const errors: number[] = [];
  const guard = makeGuard((code) => errors.push(code));

  test('passes results through untouched, and sets no error', async () => {
    errors.length = 0;
    const add = guard((a: number, b: number) => a + b, -1, 1);
    assert.equal(add(2, 3), 5);
    const later = guard(async (a: number) => a * 2, Promise.resolve(-1), 1);
    assert.equal(await later(21), 42);
    assert.deepEqual(errors, []);
  });

  test('a synchronous throw: the failure value and the error', () => {
    errors.length = 0;
    const boom = guard(function boom(_x: number): number { throw new Error('inside'); }, -1, 10022);
    assert.equal(boom(1), -1);
    assert.deepEqual(errors, [10022]);
    assert.equal(boom.name, 'boom');
    assert.equal(boom.length, 1);
  });

  test('an async function: a rejection and a synchronous throw both resolve to the failure value', async () => {
    errors.length = 0;
    const rejects = guard(async (): Promise<boolean> => { throw new Error('rejected'); }, Promise.resolve(false), 87);
    const throwsFirst = guard((): Promise<boolean> => { throw new Error('before the promise'); }, Promise.resolve(false), 6, 'named');
    assert.equal(await rejects(), false);
    assert.equal(await throwsFirst(), false);
    assert.deepEqual(errors, [87, 6]);
    assert.equal(throwsFirst.name, 'named');
  });
});

describe('NODE_DEBUG=wsaioctl', () => {
  const source = `
    import * as ws from 'wsaioctl/winsock';
    ws.WSASetLastError(10n);
    const data = Object.freeze(ws.newWSADATA());
    console.log(ws.WSAStartup(0x0202, data), ws.WSAGetLastError());
  `;
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd: new URL('..', import.meta.url), timeout: 20_000, encoding: 'utf8', env,
  });

  test('logs each exception a guard turned into a failure, with the function and the exception', () => {
    const r = run({ ...process.env, NODE_DEBUG: 'wsaioctl' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${ws.WSAEFAULT} ${ws.WSAEFAULT}`);
    assert.match(r.stderr, /^WSAIOCTL \d+: WSASetLastError threw inside: TypeError: Cannot mix BigInt/m);
    assert.match(r.stderr, /^WSAIOCTL \d+: WSAStartup threw inside: TypeError: .*wVersion/m);
  });

  test('says nothing without it', () => {
    const env = { ...process.env };
    delete env.NODE_DEBUG;
    const r = run(env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

/**
 * The surface under the Windows node in Wine (so on the Windows backend): a Symbol in each argument
 * of each function, with valid handles in the others, and the BigInt / Symbol / string cases of the
 * last-error setters and WSAStartup. Serialised with toString(): self-contained.
 */
async function windowsProbe(surfacePath: string): Promise<void> {
  const ws = (await import(surfacePath)) as Record<string, (...args: unknown[]) => unknown>;
  const out: Record<string, unknown> = {};
  const call = async (label: string, fn: () => unknown) => {
    try {
      let r = fn();
      if (r instanceof Promise) r = await r.then((v) => v, (e: unknown) => `rejected: ${String(e)}`);
      out[label] = typeof r === 'bigint' || typeof r === 'symbol' ? String(r) : r;
    } catch (error) {
      out[label] = `threw: ${String(error)}`;
    }
  };
  const lastError = () => ws.WSAGetLastError!();
  for (const [label, value] of [['BigInt', 10n], ['Symbol', Symbol('e')]] as const) {
    await call(`WSASetLastError(${label})`, () => [ws.WSASetLastError!(value), lastError()]);
    await call(`SetLastError(${label})`, () => [ws.SetLastError!(value), ws.GetLastError!()]);
  }
  for (const [label, value] of [['BigInt', 0x202n], ['Symbol', Symbol('v')], ['string', 'x']] as const) {
    await call(`WSAStartup(${label})`, () => {
      const rc = ws.WSAStartup!(value, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });
      if (rc === 0) ws.WSACleanup!();
      return typeof rc;
    });
  }
  ws.WSAStartup!(0x202, { wVersion: 0, wHighVersion: 0, szDescription: '', szSystemStatus: '', iMaxSockets: 0, iMaxUdpDg: 0 });
  const s = ws.socket!(2, 2, 17) as number;
  ws.ioctlsocket!(s, 0x8004667e, { value: 1 }); // FIONBIO: a call that reaches ws2_32 must not block
  const event = ws.WSACreateEvent!() as number;
  ws.WSASetEvent!(event);
  const port = ws.CreateIoCompletionPort!(-1, 0, 0, 0) as number;
  const ref = () => ({ value: 16 });
  const ov = () => ({ Internal: 0, InternalHigh: 0, Offset: 0, OffsetHigh: 0, hEvent: 0 });
  const name = () => Uint8Array.of(2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
  const window = () => ws.CreateWindowExW!(0, 'Message', null, 0, 0, 0, 0, 0, -3, 0, 0, null) as number;
  const hwnd = window();
  let classes = 0;
  const msg = () => ({ hwnd: 0, message: 0, wParam: 0, lParam: 0, time: 0, pt: { x: 0, y: 0 } });
  const queued = () => { ws.PostMessageW!(hwnd, 0x400, 0, 0); ws.PostMessageW!(0, 0x400, 0, 0); };
  // Time-outs are 0, waits have a signalled event, the socket is non-blocking: no call can block.
  const valid: Record<string, () => unknown[]> = {
    socket: () => [2, 2, 17], WSASocketW: () => [2, 2, 17, null, 0, 1], WSASocket: () => [2, 2, 17, null, 0, 1],
    bind: () => [s, name(), 16], listen: () => [s, 1], accept: () => [s, new Uint8Array(16), ref()],
    connect: () => [s, name(), 16], send: () => [s, new Uint8Array(4), 4, 0], recv: () => [s, new Uint8Array(4), 4, 0],
    sendto: () => [s, new Uint8Array(4), 4, 0, name(), 16], recvfrom: () => [s, new Uint8Array(4), 4, 0, new Uint8Array(16), ref()],
    shutdown: () => [s, 1], getsockname: () => [s, new Uint8Array(16), ref()], getpeername: () => [s, new Uint8Array(16), ref()],
    getsockopt: () => [s, 0xffff, 0x1002, new Uint8Array(4), { value: 4 }], setsockopt: () => [s, 0xffff, 0x1002, new Uint8Array(4), 4],
    ioctlsocket: () => [s, 0x4004667f, { value: 0 }],
    WSAIoctl: () => [s, 0x4004667f, null, 0, new Uint8Array(4), 4, { value: 0 }, null, null],
    adoptNodeHandle: () => [() => 3, 2, 2, 17],
    queryInterfaceIndex: () => ['lo'],
    WSACloseEvent: () => [event], WSASetEvent: () => [event], WSAResetEvent: () => [event],
    WSAWaitForMultipleEvents: () => [1, [event], 0, 0, 0], WSAWaitForMultipleEventsAsync: () => [1, [event], 0, 0, 0],
    SleepEx: () => [0, 0], SleepExAsync: () => [0, 0],
    WSAGetOverlappedResult: () => [s, ov(), { value: 0 }, 0, { value: 0 }], WSAGetOverlappedResultAsync: () => [s, ov(), { value: 0 }, 0, { value: 0 }],
    CreateIoCompletionPort: () => [-1, 0, 0, 0], PostQueuedCompletionStatus: () => [port, 0, 0, null],
    overlappedId: () => [ov()],
    GetQueuedCompletionStatus: () => [port, { value: 0 }, { value: 0 }, { value: null }, 0],
    GetQueuedCompletionStatusAsync: () => [port, { value: 0 }, { value: 0 }, { value: null }, 0],
    CloseHandle: () => [0], CancelIo: () => [s], CancelIoEx: () => [s, null],
    WSAEventSelect: () => [s, event, 1], WSAEnumNetworkEvents: () => [s, event, { lNetworkEvents: 0, iErrorCode: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }],
    // Windows and messages: a message is queued before each GetMessageW so that none can wait.
    WSAAsyncSelect: () => [s, hwnd, 0x400, 0],
    WaitForSingleObjectEx: () => [event, 0, 0], WaitForSingleObjectExAsync: () => [event, 0, 0],
    WaitForMultipleObjectsEx: () => [1, [event], 0, 0, 0], WaitForMultipleObjectsExAsync: () => [1, [event], 0, 0, 0],
    MsgWaitForMultipleObjectsEx: () => [1, [event], 0, 0x4ff, 0], MsgWaitForMultipleObjectsExAsync: () => [1, [event], 0, 0x4ff, 0],
    RegisterClassExW: () => [{ cbSize: 80, lpszClassName: `guard-class-${++classes}`, lpfnWndProc: () => 0 }],
    UnregisterClassW: () => ['no-such-class', 0],
    CreateWindowExW: () => [0, 'Message', null, 0, 0, 0, 0, 0, -3, 0, 0, null],
    DestroyWindow: () => [window()], DefWindowProcW: () => [hwnd, 0x400, 0, 0], PostMessageW: () => [hwnd, 0x400, 0, 0],
    PostQuitMessage: () => [0], PeekMessageW: () => [msg(), hwnd, 0, 0, 1],
    GetMessageW: () => { queued(); return [msg(), hwnd, 0, 0]; }, GetMessageWAsync: () => { queued(); return [msg(), hwnd, 0, 0]; },
    TranslateMessage: () => [msg()], DispatchMessageW: () => [{ ...msg(), hwnd, message: 0x400 }],
  };
  const escapes: string[] = [];
  for (const [fn, make] of Object.entries(valid)) {
    for (let i = 0; i < make().length; i++) {
      const args = make();
      args[i] = Symbol('hostile');
      try {
        const r = ws[fn]!(...args);
        if (r instanceof Promise) await r.catch((e: unknown) => { escapes.push(`${fn} #${i} rejected: ${String(e)}`); });
      } catch (error) {
        escapes.push(`${fn} #${i} threw: ${String(error)}`);
      }
    }
  }
  out.escapes = escapes;
  ws.closesocket!(s);
  ws.CloseHandle!(event);
  ws.CloseHandle!(port);
  ws.WSACleanup!();
  console.log(JSON.stringify(out));
}

const wineUnavailable = await prepareWine();

describe('on the Windows backend (Wine)', { skip: wineUnavailable ?? false }, () => {
  test('a Symbol in any argument of any function, BigInt / Symbol last errors and versions: no exception', async () => {
    const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
    const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-guard-'));
    try {
      const script = join(dir, 'probe.mjs');
      writeFileSync(script, `(${windowsProbe.toString()})(${JSON.stringify(join(repoRoot, 'dist', 'winsock', 'index.js'))});\n`);
      const run = await runUnderWine(script, [], { timeoutMs: 90_000 });
      assert.equal(run.code, 0, `probe failed (exit ${run.code})\n${run.stderr}`);
      const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
      assert.deepEqual(out.escapes, []);
      // koffi converts a BigInt to the DWORD it names (10n sets 10); a Symbol it cannot convert.
      assert.deepEqual(out['WSASetLastError(BigInt)'], [null, 10]);
      assert.deepEqual(out['SetLastError(BigInt)'], [null, 10]);
      assert.deepEqual(out['WSASetLastError(Symbol)'], [null, ws.WSAEINVAL]);
      assert.deepEqual(out['SetLastError(Symbol)'], [null, ws.ERROR_INVALID_PARAMETER]);
      for (const label of ['BigInt', 'Symbol', 'string']) assert.equal(out[`WSAStartup(${label})`], 'number', label);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
