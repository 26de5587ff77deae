/** Run the built `wsaioctl` command in-process with its output captured. */
import { main } from '../../dist/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const line = (t: string) => (t.endsWith('\n') ? t : t + '\n');
  const code = await main(argv, { out: (t) => void (out += line(t)), err: (t) => void (err += line(t)) });
  return { code, out, err };
}
