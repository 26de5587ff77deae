/**
 * `wsaioctl codes`: the control-code catalogue as a table, with each backend's status
 * (codes/support.ts: implemented, approximated, windows-refuses, not-implemented).
 */
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import {
  allCodes,
  formatControlCode,
  linuxSupportCounts,
  supportOf,
  SUPPORT_STATUSES,
  type CodeRecord,
  type CodeSupport,
  type CodeType,
  type SupportStatus,
} from '../../codes/index.js';

const TYPES: readonly CodeType[] = ['unix', 'ws2', 'protocol', 'vendor'];
const BACKENDS = ['linux', 'windows'] as const;
type Backend = (typeof BACKENDS)[number];

const USAGE = `[--type ${TYPES.join('|')}] [--status ${SUPPORT_STATUSES.join('|')}] [--backend ${BACKENDS.join('|')}] [--notes] [--json]`;

interface Row {
  record: CodeRecord;
  support: CodeSupport | undefined;
}

/** `--status` matches the chosen backend's status (Linux unless `--backend windows`). */
function matchesStatus(row: Row, status: SupportStatus | undefined, backend: Backend): boolean {
  return status === undefined || row.support?.[backend] === status;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** What is wrong with the arguments, or null. */
function usageProblem(values: Record<string, unknown>, positionals: string[]): string | null {
  if (positionals.length > 0) return `unexpected argument '${positionals[0]}'`;
  if (values.type !== undefined && !oneOf(TYPES, values.type)) return `unknown type '${String(values.type)}'`;
  if (values.status !== undefined && !oneOf(SUPPORT_STATUSES, values.status)) return `unknown status '${String(values.status)}'`;
  if (values.backend !== undefined && !oneOf(BACKENDS, values.backend)) return `unknown backend '${String(values.backend)}'`;
  return null;
}

/** The note column: how it is done or why it is refused, and where a Windows refusal is known from. */
function noteOf(support: CodeSupport | undefined): string {
  if (!support) return '';
  return support.source ? `${support.note} [source: ${support.source}]` : support.note;
}

/** "27 handled on Linux (20 implemented, 7 approximated), 20 windows-refuses, 40 not-implemented". */
export function countsLine(): string {
  const c = linuxSupportCounts();
  return `linux: ${c.implemented + c.approximated} handled (${c.implemented} implemented, ${c.approximated} approximated), ` +
    `${c['windows-refuses']} refused as Windows refuses them (windows-refuses), ${c['not-implemented']} not-implemented`;
}

function tableText(rows: Row[], notes: boolean, everything: boolean): string {
  const headers = ['name', 'value', 'type', 'dir', 'linux', 'windows', ...(notes ? ['note'] : [])];
  const body = rows.map(({ record, support }) => [
    record.aliases.length ? `${record.name} (${record.aliases.join(', ')})` : record.name,
    formatControlCode(record.value),
    record.type,
    record.direction,
    support?.linux ?? 'unknown',
    support?.windows ?? 'unknown',
    ...(notes ? [noteOf(support)] : []),
  ]);
  const count = `${rows.length} code${rows.length === 1 ? '' : 's'}`;
  return `${table(headers, body)}\n\n${everything ? `${countsLine()}\n` : ''}${count}`;
}

function jsonText(rows: Row[]): string {
  const list = rows.map(({ record, support }) => ({
    ...record,
    hex: formatControlCode(record.value),
    support: support ?? null,
  }));
  return JSON.stringify(list, null, 2);
}

export const codesCommand: CliCommand = {
  name: 'codes',
  summary: 'List every known control code with its value, type, direction and each backend\'s status',
  usage: USAGE,
  options: {
    type: { type: 'string' },
    status: { type: 'string' },
    backend: { type: 'string' },
    notes: { type: 'boolean' },
  },
  run({ values, positionals }, io) {
    const problem = usageProblem(values, positionals);
    if (problem) {
      io.err(`wsaioctl codes: ${problem}\nusage: wsaioctl codes ${USAGE}`);
      return EXIT_USAGE;
    }
    const type = values.type as CodeType | undefined;
    const status = values.status as SupportStatus | undefined;
    const backend = (values.backend as Backend | undefined) ?? 'linux';
    const rows = allCodes()
      .filter((r) => type === undefined || r.type === type)
      .map((record): Row => ({ record, support: supportOf(record.name) }))
      .filter((row) => matchesStatus(row, status, backend));
    const everything = type === undefined && status === undefined;
    io.out(values.json ? jsonText(rows) : tableText(rows, values.notes === true, everything));
    return EXIT_OK;
  },
};
