/**
 * The control-code toolkit against the control-code data data/ioctl-codes.json: every record is
 * rebuilt from its macro with the builders, decoded, and compared with the generated catalogue.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as codes from 'wsaioctl/codes';
import type { CodeRecord } from 'wsaioctl/codes';

/** The shape of one record of ioctl-codes.json (only the keys the tests read). */
interface SpecRecord {
  name: string;
  macro: string;
  header: string;
  value: string;
  valueDecimal: number;
  valueSigned32: number;
  type: string;
  direction: string;
  vendorOrFamily: number;
  code: number;
  unixGroup?: string;
  unixNumber?: number;
  unixParamSize?: number;
  inputStruct: string | null;
  outputStruct: string | null;
  socketTypes: string[];
  summary: string;
  errors: Array<{ code: string; value: number; when: string }>;
  forWSAIoctl: boolean | string;
  blocking: string | null;
  notes: string | null;
  minWindows: string | null;
  docOpcodeSetting: string | null;
  documentedIn: string[];
  valueCrossChecked: boolean;
  aliases: string[] | null;
}

/** The control-code data the catalogue is generated from (data/ioctl-codes.json, in the repository). */
const SPEC_RELATIVE = join('data', 'ioctl-codes.json');

/** Walk up from this file to the repository root that holds data/ioctl-codes.json. */
function findSpec(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, SPEC_RELATIVE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The catalogue in the spec's shape, used when the spec file is not beside the repo. */
function catalogueAsSpec(record: CodeRecord): SpecRecord {
  return {
    ...record,
    socketTypes: [...record.socketTypes],
    errors: [...record.errors],
    documentedIn: [...record.documentedIn],
    value: codes.formatControlCode(record.value),
    valueDecimal: record.value,
    valueSigned32: record.value | 0,
    aliases: record.aliases.length ? [...record.aliases] : null,
    ...(record.unix
      ? { unixGroup: record.unix.group, unixNumber: record.unix.number, unixParamSize: record.unix.paramSize }
      : {}),
  };
}

const specPath = findSpec();
const spec: SpecRecord[] = specPath
  ? JSON.parse(readFileSync(specPath, 'utf8'))
  : codes.allCodes().map(catalogueAsSpec);
const NO_SPEC = specPath ? false : `${SPEC_RELATIVE} not found above ${process.cwd()}; checked the generated catalogue only`;

/** The identifier at the start of an alias entry ("NAME (remark)" → "NAME"). */
function aliasName(text: string): string {
  return /^[A-Z_][A-Z0-9_]*/.exec(text)![0];
}

function aliasesOf(record: SpecRecord): string[] {
  return (record.aliases ?? []).map(aliasName);
}

function exported(name: string): unknown {
  return (codes as unknown as Record<string, unknown>)[name];
}

// --- a tiny reader for the header macros of the spec, built on the package's builders ----------

const SYMBOLS: Record<string, number> = {
  IOC_IN: codes.IOC_IN,
  IOC_OUT: codes.IOC_OUT,
  IOC_VOID: codes.IOC_VOID,
  IOC_INOUT: codes.IOC_INOUT,
  IOC_UNIX: codes.IOC_UNIX,
  IOC_WS2: codes.IOC_WS2,
  IOC_PROTOCOL: codes.IOC_PROTOCOL,
  IOC_VENDOR: codes.IOC_VENDOR,
  u_long: 4,
};

const BUILDERS: Record<string, (...args: Array<string | number>) => number> = {
  _IO: (x, y) => codes._IO(x!, y as number),
  _IOR: (x, y, size) => codes._IOR(x!, y as number, size as number),
  _IOW: (x, y, size) => codes._IOW(x!, y as number, size as number),
  _WSAIO: (x, y) => codes._WSAIO(x as number, y as number),
  _WSAIOR: (x, y) => codes._WSAIOR(x as number, y as number),
  _WSAIOW: (x, y) => codes._WSAIOW(x as number, y as number),
  _WSAIORW: (x, y) => codes._WSAIORW(x as number, y as number),
};

/** One term: 'c', a number, a symbol, mIOC_X (qossp.h's copy of IOC_X), or WRAPPER(number). */
function term(text: string): number {
  const t = text.trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) return Number(t);
  const wrapped = /^\w+\((0x[0-9a-f]+|\d+)\)$/i.exec(t);
  if (wrapped) return Number(wrapped[1]);
  const symbol = SYMBOLS[t] ?? SYMBOLS[t.replace(/^m(?=IOC_)/, '')];
  if (symbol === undefined) throw new Error(`unknown term ${t}`);
  return symbol;
}

/** A macro argument: a character literal, or terms joined with |. */
function argument(text: string): string | number {
  const char = /^\s*'(.)'\s*$/.exec(text);
  if (char) return char[1]!;
  return text.split('|').reduce((acc, t) => (acc | term(t)) >>> 0, 0);
}

function evaluateMacro(macro: string): number {
  const call = /^(_\w+)\((.*)\)$/.exec(macro.trim());
  if (!call) return argument(macro) as number;
  const builder = BUILDERS[call[1]!];
  if (!builder) throw new Error(`unknown builder ${call[1]}`);
  return builder(...call[2]!.split(',').map(argument));
}

// --- tests ---------------------------------------------------------------------------------------

describe('bit constants and builders', () => {
  test('constants have the header values', () => {
    assert.equal(codes.IOCPARM_MASK, 0x7f);
    assert.equal(codes.IOC_VOID, 0x20000000);
    assert.equal(codes.IOC_OUT, 0x40000000);
    assert.equal(codes.IOC_IN, 0x80000000);
    assert.equal(codes.IOC_INOUT, 0xc0000000);
    assert.equal(codes.IOC_UNIX, 0);
    assert.equal(codes.IOC_WS2, 0x08000000);
    assert.equal(codes.IOC_PROTOCOL, 0x10000000);
    assert.equal(codes.IOC_VENDOR, 0x18000000);
  });

  test('builders return unsigned 32-bit values', () => {
    assert.equal(codes._WSAIOW(codes.IOC_VENDOR, 4), 0x98000004);
    assert.equal(codes._WSAIORW(codes.IOC_VENDOR, 39), 0xd8000027);
    assert.equal(codes._WSAIOR(codes.IOC_WS2, 34), 0x48000022);
    assert.equal(codes._WSAIO(codes.IOC_WS2, 23), 0x28000017);
    assert.equal(codes._IOW('f', 126, 4), 0x8004667e);
    assert.equal(codes._IOR('s', 7, 4), 0x40047307);
    assert.equal(codes._IO('t', 122), 0x2000747a);
    for (const v of [codes._WSAIORW(codes.IOC_VENDOR, 39), codes._IOW('f', 126, 4)]) assert.ok(v > 0);
  });

  test('the group may be a character or its code', () => {
    assert.equal(codes._IOR('t', 127, 4), codes._IOR(0x74, 127, 4));
    assert.equal(codes._IO('f', 1), codes._IO('f'.charCodeAt(0), 1));
  });

  test('parameter sizes are masked to 7 bits as the header does', () => {
    assert.equal(codes._IOR('x', 1, 128), codes._IOR('x', 1, 0));
    assert.equal(codes._IOR('x', 1, 129), codes._IOR('x', 1, 1));
  });

  test('bad builder arguments throw RangeError', () => {
    assert.throws(() => codes._IO('ab', 1), RangeError);
    assert.throws(() => codes._IO('', 1), RangeError);
    assert.throws(() => codes._IO('\u0100', 1), RangeError);
    assert.throws(() => codes._IOR('t', 1, -1), RangeError);
    assert.throws(() => codes._IOR('t', 1, 1.5), RangeError);
    assert.throws(() => codes._IOW('t', 2 ** 32, 4), RangeError);
    assert.throws(() => codes._WSAIOW(codes.IOC_VENDOR, 0.5), RangeError);
    assert.throws(() => codes._WSAIOW(Number.NaN, 1), RangeError);
  });
});

describe(`every record of ${specPath ? 'the spec' : 'the catalogue'} (${spec.length})`, () => {
  test('holds the 87 known codes', () => {
    assert.equal(spec.length, 87);
    assert.equal(codes.allCodes().length, spec.length);
  });

  for (const record of spec) {
    test(record.name, () => {
      const value = record.valueDecimal;
      assert.equal(Number.parseInt(record.value, 16), value, 'hex and decimal agree');
      assert.equal(value | 0, record.valueSigned32, 'signed form');
      assert.equal(evaluateMacro(record.macro), value, `builders on ${record.macro}`);
      assert.equal(exported(record.name), value, 'exported constant');
      for (const alias of aliasesOf(record)) assert.equal(exported(alias), value, `alias ${alias}`);

      const decoded = codes.decodeControlCode(value);
      assert.equal(decoded.value, value);
      assert.equal(decoded.type, record.type);
      assert.equal(decoded.direction, record.direction);
      assert.equal(decoded.input, record.direction === 'in' || record.direction === 'inout');
      assert.equal(decoded.output, record.direction === 'out' || record.direction === 'inout');
      assert.equal(decoded.void, record.direction === 'void');
      assert.equal(decoded.family, record.vendorOrFamily);
      assert.equal(decoded.code, record.code);
      assert.ok(decoded.names.includes(record.name), 'decode names the code');
      for (const alias of aliasesOf(record)) assert.ok(decoded.names.includes(alias), `decode names ${alias}`);
      assert.deepEqual(codes.decodeControlCode(record.valueSigned32), decoded, 'signed input decodes the same');

      if (record.type === 'unix') {
        assert.deepEqual(decoded.unix, {
          group: record.unixGroup,
          number: record.unixNumber,
          paramSize: record.unixParamSize,
        });
      } else {
        assert.equal(decoded.unix, null);
      }
    });
  }
});

describe('generated catalogue', () => {
  test('matches the spec file field by field', { skip: NO_SPEC }, () => {
    assert.equal(codes.allCodes().length, spec.length);
    for (const [i, record] of spec.entries()) {
      const generated = codes.allCodes()[i]!;
      const { name } = record;
      assert.equal(generated.name, name, 'same order');
      assert.equal(generated.value, record.valueDecimal, name);
      assert.deepEqual([...generated.aliases], aliasesOf(record), name);
      assert.deepEqual(generated.unix, record.type === 'unix' ? { group: record.unixGroup, number: record.unixNumber, paramSize: record.unixParamSize } : null, name);
      const copied = ['macro', 'header', 'type', 'direction', 'vendorOrFamily', 'code', 'inputStruct', 'outputStruct', 'socketTypes', 'summary', 'errors', 'forWSAIoctl', 'blocking', 'minWindows', 'docOpcodeSetting', 'documentedIn', 'valueCrossChecked'] as const;
      for (const key of copied) assert.deepEqual(generated[key], record[key] ?? null, `${name}.${key}`);
      // Alias remarks are appended to the notes, so the spec's notes must come first.
      assert.ok((generated.notes ?? '').startsWith(record.notes ?? ''), `${name}.notes`);
    }
  });

  test('records cannot be modified', () => {
    const first = codes.allCodes()[0]!;
    assert.ok(Object.isFrozen(codes.allCodes()));
    assert.ok(Object.isFrozen(first));
    assert.ok(Object.isFrozen(first.errors));
    assert.throws(() => {
      (first as { value: number }).value = 1;
    }, TypeError);
  });
});

describe('decodeControlCode', () => {
  test('negative signed values normalise with >>> 0', () => {
    const decoded = codes.decodeControlCode(-2147195266);
    assert.equal(decoded.value, 0x8004667e);
    assert.deepEqual(decoded.names, ['FIONBIO']);
    assert.deepEqual(decoded.unix, { group: 'f', number: 126, paramSize: 4 });
  });

  test('unknown codes decode with no names', () => {
    const decoded = codes.decodeControlCode(0x18001234);
    assert.deepEqual(decoded.names, []);
    assert.equal(decoded.type, 'vendor');
    assert.equal(decoded.direction, 'none');
    assert.equal(decoded.code, 0x1234);
  });

  test('odd direction combinations are reported, not hidden', () => {
    assert.equal(codes.decodeControlCode(codes.IOC_VOID | codes.IOC_IN).direction, 'mixed');
    assert.equal(codes.decodeControlCode(codes.IOC_INOUT).direction, 'inout');
    assert.equal(codes.decodeControlCode(codes.IOC_PROTOCOL | (23 << 16)).type, 'protocol');
    assert.equal(codes.decodeControlCode(codes.IOC_PROTOCOL | (23 << 16)).family, 23);
  });

  test('SIO_CHK_QOS keeps bit 26 inside the family field', () => {
    const decoded = codes.decodeControlCode(codes.SIO_CHK_QOS);
    assert.equal(decoded.family, 0x400);
    assert.equal(decoded.type, 'vendor');
    assert.equal(codes._WSAIORW(codes.IOC_VENDOR | 0x04000000, 1), codes.SIO_CHK_QOS);
  });

  test('values outside 32 bits or not integers throw RangeError', () => {
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 32, -(2 ** 31) - 1, '0x1', null, undefined, 1n]) {
      assert.throws(() => codes.decodeControlCode(bad as number), RangeError, String(bad));
    }
    assert.equal(codes.decodeControlCode(0xffffffff).value, 0xffffffff);
    assert.equal(codes.decodeControlCode(-(2 ** 31)).value, 0x80000000);
  });

  test('formatControlCode spells values as the headers do', () => {
    assert.equal(codes.formatControlCode(0x98000004), '0x98000004');
    assert.equal(codes.formatControlCode(-1744830460), '0x98000004');
    assert.equal(codes.formatControlCode(0x1f), '0x0000001F');
  });
});

describe('collisions and aliases', () => {
  test('SIO_RCVALL_MCAST_IF and SIO_SOCKET_CLOSE_NOTIFY share 0x9800000D', () => {
    assert.equal(codes.SIO_RCVALL_MCAST_IF, 0x9800000d);
    assert.equal(codes.SIO_SOCKET_CLOSE_NOTIFY, 0x9800000d);
    assert.deepEqual(codes.codesByValue(0x9800000d).map((r) => r.name), ['SIO_RCVALL_MCAST_IF', 'SIO_SOCKET_CLOSE_NOTIFY']);
    assert.deepEqual([...codes.decodeControlCode(0x9800000d).names].sort(), ['SIO_RCVALL_MCAST_IF', 'SIO_SOCKET_CLOSE_NOTIFY']);
  });

  test('near-collisions stay apart', () => {
    assert.deepEqual(codes.decodeControlCode(codes.SIO_ADDRESS_LIST_SORT).names, ['SIO_ADDRESS_LIST_SORT']);
    assert.deepEqual(codes.decodeControlCode(codes.SIO_NSP_NOTIFY_CHANGE).names, ['SIO_NSP_NOTIFY_CHANGE']);
    assert.deepEqual(codes.decodeControlCode(codes.SIO_GET_INTERFACE_LIST).names, ['SIO_GET_INTERFACE_LIST']);
    assert.deepEqual(codes.decodeControlCode(codes.SIOCGMSFILTER).names, ['SIOCGMSFILTER']);
  });

  test('aliases are exported and named by decode', () => {
    assert.equal(codes.SIO_PRIORITY_HINT, codes.SIO_SET_PRIORITY_HINT);
    assert.equal(codes.SIOCGIPMSFILTER, codes.SIO_GET_MULTICAST_FILTER);
    assert.equal(codes.SIOCSIPMSFILTER, codes.SIO_SET_MULTICAST_FILTER);
    assert.equal(codes.SIO_QUERY_PNP_TARGET_HANDLE, codes.SIO_QUERY_TARGET_PNP_HANDLE);
    assert.deepEqual(codes.decodeControlCode(0x98000018).names, ['SIO_SET_PRIORITY_HINT', 'SIO_PRIORITY_HINT']);
    assert.ok(codes.decodeControlCode(codes.SIOCGIPMSFILTER).names.includes('SIOCGIPMSFILTER'));
  });
});

describe('lookups', () => {
  test('codeByName finds names and aliases, ignoring case', () => {
    assert.equal(codes.codeByName('SIO_KEEPALIVE_VALS')?.value, 0x98000004);
    assert.equal(codes.codeByName('sio_keepalive_vals')?.name, 'SIO_KEEPALIVE_VALS');
    assert.equal(codes.codeByName('SIO_PRIORITY_HINT')?.name, 'SIO_SET_PRIORITY_HINT');
    assert.equal(codes.codeByName('NOT_A_CODE'), undefined);
  });

  test('lookupCode takes names, numbers and numbers written as text', () => {
    assert.equal(codes.lookupCode('FIONREAD')?.value, 0x4004667f);
    assert.equal(codes.lookupCode(0x4004667f)?.name, 'FIONREAD');
    assert.equal(codes.lookupCode(-1744830460)?.name, 'SIO_KEEPALIVE_VALS');
    assert.equal(codes.lookupCode('0x98000004')?.name, 'SIO_KEEPALIVE_VALS');
    assert.equal(codes.lookupCode('2550136836')?.name, 'SIO_KEEPALIVE_VALS');
    assert.equal(codes.lookupCode('0x9800000D')?.name, 'SIO_RCVALL_MCAST_IF', 'first in catalogue order');
    assert.equal(codes.lookupCode(0x12345678), undefined);
  });

  test('codesByValue returns every record, or none', () => {
    assert.equal(codes.codesByValue(0x98000018).length, 1);
    assert.deepEqual(codes.codesByValue(7), []);
    assert.throws(() => codes.codesByValue(2 ** 40), RangeError);
  });

  test('parseControlCode reads what people type', () => {
    assert.equal(codes.parseControlCode('0x98000004'), 0x98000004);
    assert.equal(codes.parseControlCode('0X98000004'), 0x98000004);
    assert.equal(codes.parseControlCode('2550136836'), 0x98000004);
    assert.equal(codes.parseControlCode('-1744830460'), 0x98000004);
    assert.equal(codes.parseControlCode('SIO_KEEPALIVE_VALS'), 0x98000004);
    assert.equal(codes.parseControlCode('0x1234'), 0x1234, 'unknown values are still values');
    for (const bad of ['', 'NOPE', '0x100000000', '1.5', '0xZZ', '4294967296']) {
      assert.throws(() => codes.parseControlCode(bad), RangeError, bad);
    }
  });
});

describe('backend support table', () => {
  const HANDLED = [
    'FIONBIO', 'FIONREAD', 'SIOCATMARK', 'SIO_KEEPALIVE_VALS', 'SIO_BASE_HANDLE', 'SIO_BSP_HANDLE',
    'SIO_BSP_HANDLE_SELECT', 'SIO_BSP_HANDLE_POLL', 'SIO_LOOPBACK_FAST_PATH', 'SIO_SET_COMPATIBILITY_MODE',
    'SIO_ENABLE_CIRCULAR_QUEUEING', 'SIO_MULTICAST_SCOPE', 'SIO_MULTIPOINT_LOOPBACK', 'SIO_SET_PRIORITY_HINT',
    'SIO_CPU_AFFINITY', 'SIO_TCP_INFO', 'SIO_IDEAL_SEND_BACKLOG_QUERY', 'SIO_UDP_CONNRESET', 'SIO_UDP_NETRESET',
    'SIO_ADDRESS_LIST_SORT', 'SIO_GET_INTERFACE_LIST', 'SIO_ADDRESS_LIST_QUERY', 'SIO_ROUTING_INTERFACE_QUERY',
    'SIO_GET_BROADCAST_ADDRESS', 'SIO_ADDRESS_LIST_CHANGE', 'SIO_ROUTING_INTERFACE_CHANGE',
    'SIO_IDEAL_SEND_BACKLOG_CHANGE', 'SIO_GET_MULTICAST_FILTER', 'SIO_SET_MULTICAST_FILTER', 'SIOCGMSFILTER',
    'SIOCSMSFILTER', 'SIO_QUERY_RSS_PROCESSOR_INFO', 'SIO_QUERY_RSS_SCALABILITY_INFO',
    'SIO_ACQUIRE_PORT_RESERVATION', 'SIO_RELEASE_PORT_RESERVATION', 'SIO_ASSOCIATE_PORT_RESERVATION',
    'SIO_TCP_INITIAL_RTO', 'SIO_AF_UNIX_GETPEERPID',
    'SIO_GET_EXTENSION_FUNCTION_POINTER',
    'SIO_RCVALL', 'SIO_RCVALL_MCAST', 'SIO_RCVALL_IGMPMCAST', 'SIO_RCVALL_IF', 'SIO_RCVALL_MCAST_IF', 'SIO_SOCKET_CLOSE_NOTIFY',
    'SIO_TIMESTAMPING', 'SIO_GET_TX_TIMESTAMP',
  ];

  test('has exactly one row per catalogue name', () => {
    assert.deepEqual(Object.keys(codes.supportTable).sort(), codes.allCodes().map((r) => r.name).sort());
  });

  test('Linux status of every code: handled ones, and the four statuses partition the catalogue', () => {
    assert.deepEqual(codes.namesHandledOnLinux().sort(), [...HANDLED].sort());
    const byStatus = codes.SUPPORT_STATUSES.map((status) => codes.namesWithLinuxSupport(status));
    assert.equal(byStatus.reduce((n, list) => n + list.length, 0), codes.allCodes().length);
    const counts = codes.linuxSupportCounts();
    codes.SUPPORT_STATUSES.forEach((status, i) => assert.equal(counts[status], byStatus[i]!.length, status));
  });

  test('Windows refusals: both backends refuse, and each says where the fact comes from', () => {
    const refused = codes.namesWithLinuxSupport('windows-refuses');
    // The one refusal a Windows-run test proves (Wine sock.c test_unsupported_ioctls), and the one
    // Microsoft documents as not implemented (the Winsock IOCTLs page).
    assert.ok(refused.includes('SIO_FLUSH') && refused.includes('SIO_GET_INTERFACE_LIST_EX'));
    for (const name of refused) {
      const support = codes.supportTable[name];
      assert.equal(support.windows, 'windows-refuses', name);
      assert.ok((support.source ?? '').length > 0, `${name} has a source`);
    }
    for (const record of codes.allCodes()) {
      const support = codes.supportTable[record.name as keyof typeof codes.supportTable];
      if (support.linux !== 'windows-refuses') {
        assert.equal(support.windows, 'implemented', record.name);
        assert.equal(support.source, undefined, record.name);
      }
    }
  });

  test('every row has a note: how it is done, or why it is refused', () => {
    for (const record of codes.allCodes()) {
      const support = codes.supportOf(record.name);
      assert.ok(support, record.name);
      assert.ok(support.note.length > 0, record.name);
    }
  });

  test('supportOf resolves aliases and rejects unknown names', () => {
    assert.equal(codes.supportOf('SIO_PRIORITY_HINT'), codes.supportTable.SIO_SET_PRIORITY_HINT);
    assert.equal(codes.supportOf('fionbio')?.linux, 'implemented');
    assert.equal(codes.supportOf('NOT_A_CODE'), undefined);
    assert.equal(codes.isHandled('approximated'), true);
    assert.equal(codes.isHandled('windows-refuses'), false);
  });
});
