/**
 * A native library whose functions are declared at import, bound at once on the platform the
 * library belongs to, and never bound anywhere else.
 *
 * `wsaioctl/winsock` picks its backend synchronously (no top-level await, so `require()` can load
 * the package), which means both backends are imported on every platform. Neither may open its
 * library on the other platform: libc.so.6 does not exist on Windows, nor ws2_32.dll on Linux.
 * On its own platform a library opens with its first declaration and every function is bound at
 * import, as before: the function a caller holds is koffi's own (no wrapper on the per-call path),
 * and no binding happens later inside a call (a Worker terminated while koffi binds a function
 * aborts the process; test/worker-terminate.test.ts). A library that is missing fails the import,
 * by name.
 */
import koffi, { type LibraryHandle } from 'koffi';

/** A function koffi bound (callable, with `.async` running it on a libuv pool thread). */
export type NativeFunction = ReturnType<LibraryHandle['func']>;

export interface NativeLibrary {
  /** Declares a function in koffi's C syntax: bound now on the library's platform, elsewhere a function that throws. */
  func(declaration: string): NativeFunction;
}

/** `platform`: where the library exists; `names`: the file names to try, in order (the first that opens is the library). */
export function nativeLibrary(platform: NodeJS.Platform, ...names: string[]): NativeLibrary {
  let handle: LibraryHandle | undefined;
  return {
    func(declaration) {
      if (process.platform === platform) return (handle ??= openFirst(names)).func(declaration);
      const absent = (): never => {
        throw new Error(`wsaioctl: ${names[0]} is not available on ${process.platform} (${declaration})`);
      };
      return Object.assign(absent, { async: absent, info: undefined }) as unknown as NativeFunction;
    },
  };
}

function openFirst(names: readonly string[]): LibraryHandle {
  const failures: string[] = [];
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`wsaioctl: cannot open ${names.join(' or ')} (${failures.join('; ')})`);
}
