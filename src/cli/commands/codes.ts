/** `wsaioctl codes`: the control-code catalogue as a table, with backend support. */
import { EXIT_OK, EXIT_USAGE, table, type CliCommand } from '../command.js';
import { allCodes, formatControlCode, supportOf, type CodeRecord, type CodeType } from '../../codes/index.js';

const TYPES: readonly CodeType[] = ['unix', 'ws2', 'protocol', 'vendor'];
const STATUSES = ['implemented', 'planned', 'unsupported', 'native'] as const;
type Status = (typeof STATUSES)[number];

const USAGE = `[--type ${TYPES.join('|')}] [--status ${STATUSES.join('|')}] [--json]`;

interface Row {
  record: CodeRecord;
  linux: string;
  windows: string;
}

function rowOf(record: CodeRecord): Row {
  const support = supportOf(record.name);
  return { record, linux: support?.linux ?? 'unknown', windows: support?.windows ?? 'unknown' };
}

/** `--status` matches the Linux status, or the Windows one (`native`). */
function matchesStatus(row: Row, status: Status | undefined): boolean {
  return status === undefined || row.linux === status || row.windows === status;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/** What is wrong with the arguments, or null. */
function usageProblem(values: Record<string, unknown>, positionals: string[]): string | null {
  if (positionals.length > 0) return `unexpected argument '${positionals[0]}'`;
  if (values.type !== undefined && !oneOf(TYPES, values.type)) return `unknown type '${String(values.type)}'`;
  if (values.status !== undefined && !oneOf(STATUSES, values.status)) return `unknown status '${String(values.status)}'`;
  return null;
}

function tableText(rows: Row[]): string {
  const body = rows.map(({ record, linux, windows }) => [
    record.aliases.length ? `${record.name} (${record.aliases.join(', ')})` : record.name,
    formatControlCode(record.value),
    record.type,
    record.direction,
    linux,
    windows,
  ]);
  const count = `${rows.length} code${rows.length === 1 ? '' : 's'}`;
  return `${table(['name', 'value', 'type', 'dir', 'linux', 'windows'], body)}\n\n${count}`;
}

function jsonText(rows: Row[]): string {
  const list = rows.map(({ record }) => ({
    ...record,
    hex: formatControlCode(record.value),
    support: supportOf(record.name) ?? null,
  }));
  return JSON.stringify(list, null, 2);
}

export const codesCommand: CliCommand = {
  name: 'codes',
  summary: 'List every known control code with its value, type, direction and backend support',
  usage: USAGE,
  options: {
    type: { type: 'string' },
    status: { type: 'string' },
  },
  run({ values, positionals }, io) {
    const problem = usageProblem(values, positionals);
    if (problem) {
      io.err(`wsaioctl codes: ${problem}\nusage: wsaioctl codes ${USAGE}`);
      return EXIT_USAGE;
    }
    const type = values.type as CodeType | undefined;
    const status = values.status as Status | undefined;
    const rows = allCodes()
      .filter((r) => type === undefined || r.type === type)
      .map(rowOf)
      .filter((row) => matchesStatus(row, status));
    io.out(values.json ? jsonText(rows) : tableText(rows));
    return EXIT_OK;
  },
};
