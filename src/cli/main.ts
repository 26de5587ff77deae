#!/usr/bin/env node
/** The `wsaioctl` command: `wsaioctl <command> [options]`. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { EXIT_USAGE, type CliCommand, type CliIo } from './command.js';
import { commands } from './commands/index.js';

// A reader that stops early (`| head`) closes the pipe: finish quietly, as Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

/** Negative numbers (signed control codes like -1744830460) are arguments, not options. */
const NEGATIVE_NUMBER = /^-(\d|0x)/i;
const MASK = '\u0000negative:';

/** The user's own text back: the mask off a value, an option's value list, or a message. */
const unmask = (text: string): string => text.split(MASK).join('');
const unmaskValue = (value: unknown): unknown =>
  typeof value === 'string' ? unmask(value) : Array.isArray(value) ? value.map(unmaskValue) : value;

const stdio: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: wsaioctl <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Every command takes --help, --version and --json (errors then come as JSON on stderr too).",
    "Run 'wsaioctl <command> --help' for details; 'wsaioctl --version' prints the version.",
  ].join('\n');
}

/** The package's version, from its package.json (two folders up from dist/cli/). */
export function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * With `--json` anywhere in the arguments, every error line goes to stderr as one JSON object
 * (`{"error": "...", "usage": "..."}`), so a program reading JSON never has to parse text.
 */
function jsonErrors(io: CliIo): CliIo {
  return {
    out: (t) => io.out(t),
    err: (t) => {
      const [first = '', ...more] = t.trimEnd().split('\n');
      const usage = more.find((line) => line.startsWith('usage: '));
      const detail = more.filter((line) => line !== usage && line.trim() !== '').join('\n');
      io.err(JSON.stringify({ error: first, ...(detail ? { detail } : {}), ...(usage ? { usage: usage.slice('usage: '.length) } : {}) }));
    },
  };
}

export async function main(argv: string[], io: CliIo = stdio): Promise<number> {
  if (argv.includes('--json')) io = jsonErrors(io);
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(packageVersion());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`wsaioctl: unknown command '${name}'\n\n${overview()}`);
    return EXIT_USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest.map((a) => (NEGATIVE_NUMBER.test(a) ? MASK + a : a)),
      options: { ...command.options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, version: { type: 'boolean', short: 'V' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    io.err(`wsaioctl ${name}: ${unmask((e as Error).message)}\nusage: wsaioctl ${name} ${command.usage}`);
    return EXIT_USAGE;
  }
  // The mask must never reach a command: option values (`--count -1`) come back as typed too.
  parsed.positionals = parsed.positionals.map(unmask);
  for (const [key, value] of Object.entries(parsed.values)) {
    (parsed.values as Record<string, unknown>)[key] = unmaskValue(value);
  }
  if (parsed.values.version) {
    io.out(packageVersion());
    return 0;
  }
  if (parsed.values.help) {
    io.out(`usage: wsaioctl ${name} ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  return command.run(parsed as { values: Record<string, unknown>; positionals: string[] }, io);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
