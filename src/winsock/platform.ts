/**
 * Which systems `wsaioctl/winsock` runs on, and the error an import elsewhere fails with (rather
 * than koffi's "cannot open shared object file" from deep inside a backend). The list is what the
 * test suite runs on: the emulation on Linux x64 (it binds x86-64 Linux layouts), the pass-through
 * on Windows x64 (x64 Winsock layouts, tested under Wine). package.json's `os` and `cpu` say the
 * same (test/package.test.ts holds them together).
 */
import { WSASYSNOTREADY } from '../errors/index.js';

export type BackendKind = 'linux' | 'windows';

/** Each supported `process.platform` with its `process.arch` values and the backend serving it. */
export const SUPPORTED_PLATFORMS: readonly { platform: string; arch: readonly string[]; backend: BackendKind }[] = [
  { platform: 'linux', arch: ['x64'], backend: 'linux' },
  { platform: 'win32', arch: ['x64'], backend: 'windows' },
];

/**
 * The import of `wsaioctl/winsock` (and so of `wsaioctl`) on a system it does not support. Shaped
 * like the friendly API's WinsockError: `code` WSASYSNOTREADY (what WSAStartup answers when the
 * network subsystem is unusable), `errno` 10091, `syscall` naming the step.
 */
export class UnsupportedPlatformError extends Error {
  readonly code = 'WSASYSNOTREADY';
  readonly errno = WSASYSNOTREADY;
  readonly syscall = 'import wsaioctl/winsock';
  /** The `process.platform` and `process.arch` found. */
  readonly platform: string;
  readonly arch: string;

  constructor(platform: string, arch: string) {
    const supported = SUPPORTED_PLATFORMS.map((p) => `${p.platform} ${p.arch.join('/')}`).join(', ');
    super(`import wsaioctl/winsock failed: WSASYSNOTREADY (10091): wsaioctl has no Winsock for ${platform} ${arch}; it runs on ${supported}`);
    this.name = 'UnsupportedPlatformError';
    this.platform = platform;
    this.arch = arch;
  }
}

/** The backend for this platform and architecture; throws UnsupportedPlatformError when there is none. */
export function backendFor(platform: string, arch: string): BackendKind {
  const found = SUPPORTED_PLATFORMS.find((p) => p.platform === platform && p.arch.includes(arch));
  if (found === undefined) throw new UnsupportedPlatformError(platform, arch);
  return found.backend;
}

/**
 * This process's backend, decided when this module is evaluated: winsock/index.ts imports it
 * first, so an unsupported system fails the import here, before any module loads koffi.
 */
export const BACKEND: BackendKind = backendFor(process.platform, process.arch);
