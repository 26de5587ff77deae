/**
 * The shape of one `wsaioctl` sub-command. Each lives in `cli/commands/<name>.ts` and is listed once
 * in `cli/main.ts`. Commands print through `out`/`err` (so tests can capture them) and return the
 * process exit code: 0 success, 1 the operation failed, 2 bad usage.
 */
import type { ParseArgsConfig } from 'node:util';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage text shown by `--help` (after `wsaioctl <name>`). */
  usage: string;
  /** Options for util.parseArgs; `help` and `json` are added by main. */
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CliIo): Promise<number> | number;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Render rows as an aligned text table. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}
