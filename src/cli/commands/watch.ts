/**
 * `wsaioctl watch`: stream network changes until interrupted. By default the local address lists
 * of both families (each new list printed as `addresses` prints it); `--route <destination>` the
 * local address used to reach a destination. Built on the friendly watchers (`watchAddresses`,
 * `watchRoute`: overlapped SIO_ADDRESS_LIST_CHANGE / SIO_ROUTING_INTERFACE_CHANGE, then the
 * query), so it runs on whichever backend supports overlapped WSAIoctl.
 *
 * The current value is printed first (event "initial"), then every change (event "change"); a
 * notification that leaves the answer as it was is not printed. `--count N` ends after N changes;
 * SIGINT / SIGTERM end it cleanly (exit 0). `--json`: one JSON object per line.
 */
import * as ws from '../../winsock/index.js';
import { watchAddresses, watchRoute, WinsockError, type NetAddress } from '../../node/index.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, table, type CliCommand, type CliIo } from '../command.js';
import { destinationOf } from './route.js';
import { FAMILY_OPTIONS, isFamilyFlag, parseFamily, type Family } from '../family.js';

const USAGE = '[--route <destination[%zone]>] [--family 4|6 | -4 | -6] [--count N] [--json]\n\n' +
  '  (no --route)   the local address lists (SIO_ADDRESS_LIST_QUERY) of both families, or of --family\n' +
  '  --route D      the local address used to reach D (SIO_ROUTING_INTERFACE_QUERY); null/none: no route\n' +
  '  --count N      stop after N changes (the initial value is not a change)\n' +
  '  --json         one object per line: {time, event: "initial"|"change", backend, family, addresses}\n' +
  '                 or {time, event, backend, destination, source}\n\n' +
  'Runs until interrupted (SIGINT / SIGTERM: exit 0). A notification that leaves the answer unchanged\n' +
  'is not printed.';


/** One printed event. */
type WatchEvent =
  | { kind: 'addresses'; family: Family; list: NetAddress[] }
  | { kind: 'route'; destination: NetAddress; source: NetAddress | null };

function parseCount(value: unknown): number | undefined | string {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) return `--count takes a positive integer, not '${text}'`;
  return Number(text);
}

const withZone = (a: NetAddress): string => (a.scopeId ? `${a.address}%${a.scopeId}` : a.address);

function jsonAddress(a: NetAddress): Record<string, unknown> {
  return a.family === 'IPv6' ? { family: a.family, address: a.address, scopeId: a.scopeId ?? 0 } : { family: a.family, address: a.address };
}

function render(event: WatchEvent, initial: boolean, json: boolean): string {
  const time = new Date().toISOString();
  const kind = initial ? 'initial' : 'change';
  if (event.kind === 'addresses') {
    const { family, list } = event;
    if (json) return JSON.stringify({ time, event: kind, backend: ws.backendName, family, addresses: list.map(jsonAddress) });
    const heading = `${time}  ${family} addresses${initial ? '' : ' changed'}:`;
    if (list.length === 0) return `${heading}\nno ${family} addresses to bind to`;
    return family === 'IPv6'
      ? `${heading}\n${table(['address', 'scope id'], list.map((a) => [a.address, a.scopeId ? String(a.scopeId) : '-']))}`
      : `${heading}\n${table(['address'], list.map((a) => [a.address]))}`;
  }
  const { destination, source } = event;
  if (json) {
    return JSON.stringify({
      time, event: kind, backend: ws.backendName,
      destination: destination.address, ...(destination.scopeId ? { destinationScopeId: destination.scopeId } : {}),
      source: source?.address ?? null, ...(source?.family === 'IPv6' ? { sourceScopeId: source.scopeId ?? 0 } : {}),
    });
  }
  return `${time}  route to ${withZone(destination)}${initial ? '' : ' changed'}: ${source ? withZone(source) : 'no route'}`;
}

export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'Stream local address or route changes until interrupted (SIO_ADDRESS_LIST_CHANGE, SIO_ROUTING_INTERFACE_CHANGE)',
  usage: USAGE,
  options: {
    route: { type: 'string' },
    ...FAMILY_OPTIONS,
    count: { type: 'string' },
  },
  async run({ values, positionals }, io) {
    const usage = (message: string): number => {
      io.err(`wsaioctl watch: ${message}\nusage: wsaioctl watch ${USAGE.split('\n')[0]}`);
      return EXIT_USAGE;
    };
    const extra = positionals.find((p) => !isFamilyFlag(p));
    if (extra !== undefined) return usage(`unexpected argument '${extra}'`);
    const parsedFamily = parseFamily(values, positionals);
    if ('error' in parsedFamily) return usage(parsedFamily.error);
    const { family } = parsedFamily;
    const count = parseCount(values.count);
    if (typeof count === 'string') return usage(count);

    let destination: string | undefined;
    let destinationAddress: NetAddress | undefined;
    if (values.route !== undefined) {
      const sa = destinationOf(String(values.route));
      if (typeof sa === 'string') return usage(sa);
      const info = ws.parseSockaddr(sa);
      destinationAddress = info.family === ws.AF_INET6
        ? { family: 'IPv6', address: info.address, scopeId: info.scopeId ?? 0 }
        : { family: 'IPv4', address: info.address };
      if (family !== null && family !== destinationAddress.family) return usage(`--family ${family === 'IPv4' ? 4 : 6} does not match the ${destinationAddress.family} destination`);
      destination = info.scopeId ? `${info.address}%${info.scopeId}` : info.address;
    }

    return watch(io, {
      json: values.json === true,
      count,
      sources: destination !== undefined
        ? [{ key: 'route', iterate: (signal) => mapIterable(watchRoute(destination, { signal }), (source): WatchEvent => ({ kind: 'route', destination: destinationAddress!, source })) }]
        : (family ? [family] : (['IPv4', 'IPv6'] as const)).map((f) => ({
          key: f,
          iterate: (signal: AbortSignal) => mapIterable(watchAddresses(f, { signal }), (list): WatchEvent => ({ kind: 'addresses', family: f, list })),
        })),
    });
  },
};

async function* mapIterable<T, U>(source: AsyncIterable<T>, map: (value: T) => U): AsyncGenerator<U, void, undefined> {
  for await (const value of source) yield map(value);
}

interface WatchPlan {
  json: boolean;
  count: number | undefined;
  sources: Array<{ key: string; iterate: (signal: AbortSignal) => AsyncIterable<WatchEvent> }>;
}

/**
 * Run every source until the count is reached, a signal arrives, or one fails. Sources run
 * concurrently; their events are printed as they come.
 */
async function watch(io: CliIo, plan: WatchPlan): Promise<number> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let changes = 0;
  let failure: unknown;
  try {
    await Promise.all(plan.sources.map(async ({ iterate }) => {
      let last: string | undefined;
      try {
        for await (const event of iterate(controller.signal)) {
          if (controller.signal.aborted) break;
          const key = JSON.stringify(event);
          if (key === last) continue; // a notification that changed nothing visible here
          const initial = last === undefined;
          last = key;
          io.out(render(event, initial, plan.json));
          if (!initial && plan.count !== undefined && ++changes >= plan.count) {
            controller.abort();
            break;
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return; // the end we asked for (AbortError from the watcher)
        failure ??= error;
        controller.abort();
      }
    }));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (failure === undefined) return EXIT_OK;
  if (failure instanceof WinsockError) {
    io.err(`wsaioctl watch: ${failure.syscall} failed: ${failure.code} (${failure.errno})`);
    return EXIT_FAILED;
  }
  throw failure;
}
