/** `wsaioctl report`: every implemented control code exercised on real sockets of this host. */
import * as ws from '../../winsock/index.js';
import { codeByName, isHandled, supportOf } from '../../codes/index.js';
import { errorName } from '../../errors/index.js';
import { EXIT_FAILED, EXIT_OK, table, type CliCommand } from '../command.js';
import { probes, type Probe } from '../report/probes.js';
import { ReportSockets } from '../report/sockets.js';

export interface ReportRow {
  code: string;
  value: string;
  socket: string;
  result: 'ok' | 'error';
  error: string | null;
  bytesReturned: number;
  answer: string;
  /** True when the outcome is what this host and backend should give (success, or the expected error). */
  asExpected: boolean;
}

function runProbe(probe: Probe, sockets: ReportSockets): ReportRow {
  const record = codeByName(probe.code)!;
  const base = { code: probe.code, value: `0x${record.value.toString(16).toUpperCase().padStart(8, '0')}`, socket: probe.socket };
  const s = sockets.get(probe.socket);
  if (typeof s !== 'number') {
    return { ...base, result: 'error', error: errorName(s.error), bytesReturned: 0, answer: 'could not make the socket', asExpected: false };
  }
  const input = probe.input?.() ?? null;
  const output = probe.inPlace ? input : probe.outputSize ? new Uint8Array(probe.outputSize) : null;
  const bytes = { value: 0 };
  const rc = ws.WSAIoctl(s, record.value, input, input?.length ?? 0, output, output?.length ?? 0, bytes, null, null);
  if (rc === 0) {
    const answer = probe.describe && output ? safeDescribe(probe, output, bytes.value) : 'done';
    return { ...base, result: 'ok', error: null, bytesReturned: bytes.value, answer, asExpected: probe.expectError === undefined };
  }
  const error = ws.WSAGetLastError();
  const expected = probe.expectError === error;
  const note = expected ? 'expected here' : isHandled(supportOf(probe.code)?.linux ?? 'not-implemented') || ws.backendName !== 'linux-emulation' ? '' : 'not implemented on this backend';
  return { ...base, result: 'error', error: errorName(error), bytesReturned: bytes.value, answer: note, asExpected: expected };
}

function safeDescribe(probe: Probe, output: Uint8Array, bytes: number): string {
  try {
    return probe.describe!(output, bytes);
  } catch (e) {
    return `(could not decode: ${(e as Error).message})`;
  }
}

/** Run every probe; used by the command and by tests. */
export async function buildReport(): Promise<{ backend: string; rows: ReportRow[] }> {
  if (ws.WSAStartup(0x0202, ws.newWSADATA()) !== 0) throw new Error('WSAStartup failed');
  const sockets = new ReportSockets();
  try {
    return { backend: ws.backendName, rows: probes.map((p) => runProbe(p, sockets)) };
  } finally {
    sockets.closeAll();
    ws.WSACleanup();
  }
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'exercise every implemented control code on real loopback sockets of this host',
  usage: '[--json]',
  options: {},
  async run({ values }, io) {
    const report = await buildReport();
    if (values.json) {
      io.out(JSON.stringify(report, null, 2));
    } else {
      io.out(`wsaioctl host report (backend: ${report.backend}, ${process.platform} ${process.arch}, node ${process.version})\n`);
      io.out(table(
        ['code', 'value', 'socket', 'result', 'bytes', 'answer'],
        report.rows.map((r) => [r.code, r.value, r.socket, r.result === 'ok' ? 'ok' : r.error!, r.bytesReturned, r.answer]),
      ));
      const good = report.rows.filter((r) => r.asExpected).length;
      io.out(`\n${good} of ${report.rows.length} probes answered as expected.`);
    }
    return report.rows.some((r) => !r.asExpected && r.result === 'error' && r.answer === '') ? EXIT_FAILED : EXIT_OK;
  },
};
