/**
 * The argument guard of the `wsaioctl/winsock` surface (winsock/index.ts, SURFACE; winsock/guard.ts):
 * every function but the last-error getters stands behind it; an exception inside a backend
 * function becomes that function's failure value with its error as the last error (promise twins
 * resolve to it); NODE_DEBUG=wsaioctl logs what was swallowed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as ws from 'wsaioctl/winsock';
import { backend } from '../dist/backend/linux/index.js';
import { makeGuard } from '../dist/winsock/guard.js';

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

  test('a throwing number: listen fails with WSAEINVAL, ioctlsocket with WSAEFAULT', () => {
    const tcp = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    try {
      assert.equal(ws.bind(tcp, ws.sockaddr('127.0.0.1', 0), 16), 0);
      assert.equal(ws.listen(tcp, throwingNumber()), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
      assert.equal(ws.ioctlsocket(tcp, ws.FIONBIO, throwingRef()), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    } finally {
      ws.closesocket(tcp);
    }
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
