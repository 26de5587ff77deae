/**
 * Child process for the network IOCTL tests (usually run inside a namespace by netns.ts): makes
 * the WSAIoctl calls described by argv[2] (a JSON array of IoctlRequest) through the public
 * Winsock surface and prints one JSON line: { results: IoctlAnswer[], commands: {...} }.
 *
 * Output buffers are `cbOut + guard` bytes filled with 0xa5 (or `fill`), so the parent can check
 * nothing was written past cbOut; `base` is the native address of the output buffer, so the parent
 * can check SOCKET_ADDRESS_LIST pointers. argv[3], when given, is a JSON array of shell commands
 * (e.g. `ip -o route get ...`) whose output is reported too.
 */
import { execFileSync } from 'node:child_process';
import koffi from 'koffi';
import * as ws from 'wsaioctl/winsock';

export interface IoctlRequest {
  af: number;
  type: number;
  protocol?: number;
  code: number;
  /** Input bytes as hex; null for a null pointer. */
  input?: string | null;
  /** cbInBuffer (default: the input's length, 0 for null). */
  cbIn?: number;
  /** cbOutBuffer; the buffer itself is cbOut + guard bytes. */
  cbOut: number;
  /** A null output pointer (cbOut is still passed). */
  outNull?: boolean;
  guard?: number;
  fill?: number;
}

export interface IoctlAnswer {
  rc: number;
  error: number;
  bytes: number;
  /** The first cbOut bytes of the output buffer, hex. */
  out: string;
  /** Whether the guard bytes past cbOut still hold the fill. */
  guardIntact: boolean;
  /** Whether the input bytes are unchanged. */
  inputIntact: boolean;
  /** koffi.address of the output buffer, decimal. */
  base: string;
}

export function runRequests(requests: readonly IoctlRequest[]): IoctlAnswer[] {
  return requests.map((r) => {
    const s = ws.socket(r.af, r.type, r.protocol ?? 0);
    if (s === ws.INVALID_SOCKET) return { rc: -2, error: ws.WSAGetLastError(), bytes: -1, out: '', guardIntact: true, inputIntact: true, base: '0' };
    try {
      const input = r.input == null ? null : Uint8Array.from(Buffer.from(r.input, 'hex'));
      const inputCopy = input?.slice() ?? null;
      const fill = r.fill ?? 0xa5;
      const guard = r.guard ?? 16;
      const out = new Uint8Array(r.cbOut + guard).fill(fill);
      const bytes = { value: 0xdeadbeef };
      const rc = ws.WSAIoctl(s, r.code, input, r.cbIn ?? input?.length ?? 0, r.outNull ? null : out, r.cbOut, bytes, null, null);
      const error = rc === 0 ? 0 : ws.WSAGetLastError();
      return {
        rc,
        error,
        bytes: bytes.value,
        out: Buffer.from(out.subarray(0, r.cbOut)).toString('hex'),
        guardIntact: out.subarray(r.cbOut).every((b) => b === fill),
        inputIntact: input === null || Buffer.from(input).equals(Buffer.from(inputCopy!)),
        base: String(koffi.address(out) as bigint),
      };
    } finally {
      ws.closesocket(s);
    }
  });
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (invokedDirectly && process.argv[2] !== undefined) {
  ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
  const results = runRequests(JSON.parse(process.argv[2]) as IoctlRequest[]);
  const commands: Record<string, string> = {};
  for (const command of JSON.parse(process.argv[3] ?? '[]') as string[]) {
    try {
      commands[command] = execFileSync('sh', ['-c', command], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      commands[command] = `ERROR: ${(e as { stderr?: string }).stderr ?? String(e)}`;
    }
  }
  ws.WSACleanup();
  console.log(JSON.stringify({ results, commands }));
}
