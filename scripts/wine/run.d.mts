/** Types for run.mjs (plain JS so that it runs without a build). */

export interface WineConfig {
  wine: string;
  wineserver: string;
  prefix: string;
  nodeExe: string;
  nodeVersion: string;
  koffiVersion: string;
}

export interface WineRun {
  /** The child's exit code; 124 when it was killed at the timeout, 127 when wine could not start. */
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function wineCacheDir(): string;
export function readWineConfig(): WineConfig;
export function wineEnv(config?: WineConfig): NodeJS.ProcessEnv;
export function toWindowsPath(linuxPath: string): string;
export function runUnderWine(
  script: string,
  args?: readonly string[],
  options?: { timeoutMs?: number; cwd?: string },
): Promise<WineRun>;
