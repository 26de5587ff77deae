/** Types for echo-run.mjs (plain JS so that it runs without a build), for the tests that reuse it. */

export interface EchoServer {
  readonly port: number;
  /** Ends the server (SIGTERM, then SIGKILL) and removes its files. */
  stop(): Promise<void>;
}

export function startServer(
  command: string,
  args: readonly string[],
  options?: { env?: NodeJS.ProcessEnv; windowsPaths?: boolean },
): Promise<EchoServer>;
export function runEcho(): Promise<unknown>;
export function echoMarkdown(result: unknown): string[];
