/**
 * Runs every scenario on this process's backend (`wsaioctl/winsock` picks it: the Linux emulation
 * on Linux, ws2_32.dll under Windows / Wine) and prints one JSON line (a RunReport) on stdout.
 *
 *   node dist-conformance/run.js                      # Linux: the emulation
 *   node scripts/wine/run.mjs dist-conformance/run.js # Windows backend under Wine
 *
 * The scenarios that need Winsock not started run first, then WSAStartup(2.2), a probe of what the
 * backend offers (overlapped WSAIoctl, events, ports, APCs, WSAEventSelect), every other scenario
 * (each with its own sockets, closed afterwards), and WSACleanup.
 */
import { scenarios } from './scenarios/index.js';
import { ScenarioContext, SetupError } from './lib/context.js';
import type { Backend, Capability, RunReport, RunResult, Scenario } from './lib/types.js';
import { overlapped, u32, ws } from './lib/winsock.js';

/** A scenario that has not finished after this long is reported as crashed (async ones only). */
const SCENARIO_TIMEOUT_MS = 10_000;

const backend: Backend = ws.backendName === 'windows-ws2_32' ? 'windows' : 'linux';

function probeCapabilities(): Record<Capability, boolean> {
  const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  ws.WSASetLastError(0);
  const rc = ws.WSAIoctl(s, ws.FIONBIO, u32(0), 4, null, 0, { value: 0 }, overlapped(), null);
  const overlappedIoctl = !(rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSAEOPNOTSUPP);
  const event = ws.WSACreateEvent();
  const events = event !== 0;
  const selected = events && ws.WSAEventSelect(s, event, 0) === 0;
  if (events) ws.WSACloseEvent(event);
  ws.closesocket(s);
  const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
  if (port !== 0) ws.CloseHandle(port);
  ws.SetLastError(0);
  ws.SleepEx(0, true);
  const apc = ws.GetLastError() !== ws.ERROR_NOT_SUPPORTED;
  // WSARecv / WSASend / select / WSAPoll: a backend without them answers WSAEOPNOTSUPP.
  const dataPath = !(ws.select(0, null, null, null, { tv_sec: 0, tv_usec: 0 }) === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSAEOPNOTSUPP);
  return { 'overlapped-ioctl': overlappedIoctl, events, ports: port !== 0, apc, 'event-select': selected, 'data-path': dataPath };
}

async function runOne(scenario: Scenario, capabilities: Record<Capability, boolean> | null): Promise<RunResult> {
  const started = Date.now();
  if (scenario.only && scenario.only.backend !== backend) return { id: scenario.id, notRun: scenario.only.reason, ms: 0 };
  const missing = (scenario.needs ?? []).filter((c) => capabilities && !capabilities[c]);
  if (missing.length > 0) return { id: scenario.id, missing, ms: 0 };
  const ctx = new ScenarioContext(backend);
  let timer: NodeJS.Timeout | undefined;
  try {
    const observed = await Promise.race([
      Promise.resolve().then(() => scenario.run(ctx)),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${SCENARIO_TIMEOUT_MS} ms`)), SCENARIO_TIMEOUT_MS); }),
    ]);
    return { id: scenario.id, observed, ms: Date.now() - started };
  } catch (error) {
    const what = error instanceof SetupError ? 'setup' : 'scenario';
    return { id: scenario.id, crashed: `${what}: ${error instanceof Error ? error.message : String(error)}`, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    try { ctx.close(); } catch { /* closing is best effort */ }
  }
}

async function main(): Promise<void> {
  const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
  const selected = scenarios.filter((s) => !filter || filter.test(s.id));
  const results: RunResult[] = [];
  for (const s of selected.filter((x) => x.beforeStartup)) results.push(await runOne(s, null));
  const rc = ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  if (rc !== 0) throw new Error(`WSAStartup failed: ${ws.errorName(rc)}`);
  const capabilities = probeCapabilities();
  for (const s of selected.filter((x) => !x.beforeStartup)) results.push(await runOne(s, capabilities));
  ws.WSACleanup();
  const report: RunReport = {
    backend, backendName: ws.backendName, platform: `${process.platform}-${process.arch}`, node: process.version, capabilities, results,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().then(
  () => { process.exitCode = 0; },
  (error) => { process.stderr.write(`conformance run failed: ${error instanceof Error ? error.stack : String(error)}\n`); process.exitCode = 1; },
);
