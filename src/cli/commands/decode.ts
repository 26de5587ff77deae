/** `wsaioctl decode <code|name>`: the fields of one control code and what the catalogue says. */
import { EXIT_OK, EXIT_USAGE, type CliCommand, type CliIo } from '../command.js';
import {
  codesByValue,
  decodeControlCode,
  formatControlCode,
  parseControlCode,
  supportOf,
  type CodeRecord,
  type DecodedControlCode,
} from '../../codes/index.js';

const USAGE = '<code|name> [--json]   (0x98000004, 2550136836, SIO_KEEPALIVE_VALS; negative values after --)';

const TYPE_MACROS: Record<DecodedControlCode['type'], string> = {
  unix: 'IOC_UNIX, T=0',
  ws2: 'IOC_WS2, T=1',
  protocol: 'IOC_PROTOCOL, T=2',
  vendor: 'IOC_VENDOR, T=3',
};

/** `key  value` lines with the values aligned; rows without a value are left out. */
function fields(rows: Array<[string, string | null]>, indent = '  '): string[] {
  const present = rows.filter((r): r is [string, string] => r[1] !== null);
  const width = Math.max(...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

function directionText(d: DecodedControlCode): string {
  const bits = [d.input && 'IOC_IN', d.output && 'IOC_OUT', d.void && 'IOC_VOID'].filter(Boolean);
  return bits.length ? `${d.direction} (${bits.join(' | ')})` : 'none (no direction bit set)';
}

function bsdText(d: DecodedControlCode): string | null {
  if (!d.unix) return null;
  const { group, number, paramSize } = d.unix;
  return `group ${JSON.stringify(group)}, number ${number}, parameter size ${paramSize}`;
}

function codeSection(d: DecodedControlCode): string[] {
  const title = `${formatControlCode(d.value)}  ${d.names.length ? d.names.join(', ') : '(not in the catalogue)'}`;
  return [
    title,
    ...fields([
      ['unsigned', String(d.value)],
      ['signed', String(d.value | 0)],
      ['direction', directionText(d)],
      ['type', `${d.type} (${TYPE_MACROS[d.type]})`],
      ['family', `${d.family} (0x${d.family.toString(16).toUpperCase()})`],
      ['code', String(d.code)],
      ['bsd', bsdText(d)],
    ]),
  ];
}

function supportText(record: CodeRecord): [string, string] {
  const support = supportOf(record.name);
  if (!support) return ['unknown', 'unknown'];
  return [`${support.linux}: ${support.note}`, support.source ? `${support.windows}: ${support.source}` : support.windows];
}

function recordSection(record: CodeRecord): string[] {
  const aliases = record.aliases.length ? ` (also ${record.aliases.join(', ')})` : '';
  const [linux, windows] = supportText(record);
  return [
    `${record.name}${aliases}  ${record.macro}  ${record.header}`,
    ...fields([
      ['input', record.inputStruct ?? 'none'],
      ['output', record.outputStruct ?? 'none'],
      ['sockets', record.socketTypes.join('; ') || null],
      ['summary', record.summary],
      ['blocking', record.blocking],
      ['notes', record.notes],
      ['WSAIoctl', record.forWSAIoctl === true ? null : String(record.forWSAIoctl)],
      ['minimum', record.minWindows],
      ['linux', linux],
      ['windows', windows],
    ]),
  ];
}

function printText(decoded: DecodedControlCode, records: readonly CodeRecord[], io: CliIo): void {
  const sections = [codeSection(decoded), ...records.map(recordSection)];
  io.out(sections.map((lines) => lines.join('\n')).join('\n\n'));
}

function printJson(decoded: DecodedControlCode, records: readonly CodeRecord[], io: CliIo): void {
  const report = {
    ...decoded,
    hex: formatControlCode(decoded.value),
    signed: decoded.value | 0,
    records: records.map((r) => ({ ...r, support: supportOf(r.name) ?? null })),
  };
  io.out(JSON.stringify(report, null, 2));
}

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'Decode a control code (number or name): bit fields, catalogue entry, backend support',
  usage: USAGE,
  options: {},
  run({ values, positionals }, io) {
    if (positionals.length !== 1) {
      io.err(`wsaioctl decode: expected exactly one code or name\nusage: wsaioctl decode ${USAGE}`);
      return EXIT_USAGE;
    }
    let value: number;
    try {
      value = parseControlCode(positionals[0]!);
    } catch (e) {
      io.err(`wsaioctl decode: ${(e as Error).message}`);
      return EXIT_USAGE;
    }
    const decoded = decodeControlCode(value);
    const records = codesByValue(value);
    if (values.json) printJson(decoded, records, io);
    else printText(decoded, records, io);
    return EXIT_OK;
  },
};
