/**
 * A native library whose functions are declared at import but bound on first use.
 *
 * `wsaioctl/winsock` picks its backend synchronously (no top-level await, so `require()` can load
 * the package), which means both backends are imported on every platform. Neither may open its
 * library at import then: libc.so.6 does not exist on Windows, nor ws2_32.dll on Linux. The backend
 * that is picked calls `open()` at once, so a library that is missing fails the import, by name.
 */
import koffi, { type LibraryHandle } from 'koffi';

/** A function koffi bound (callable, with `.async` running it on a libuv pool thread). */
export type NativeFunction = ReturnType<LibraryHandle['func']>;

export interface NativeLibrary {
  /** Declares a function in koffi's C syntax; it is bound on its first call (or `.async` call). */
  func(declaration: string): NativeFunction;
  /** Opens the library now, if it is not open yet. Throws when none of its names opens. */
  open(): void;
}

/** `names`: the file names to try, in order (the first that opens is the library). */
export function nativeLibrary(...names: string[]): NativeLibrary {
  let handle: LibraryHandle | undefined;
  const library = (): LibraryHandle => (handle ??= openFirst(names));
  return {
    func(declaration) {
      let bound: NativeFunction | undefined;
      const bind = (): NativeFunction => (bound ??= library().func(declaration));
      const call = (...args: unknown[]): unknown => bind()(...args);
      return Object.defineProperties(call, {
        async: { value: (...args: unknown[]): unknown => bind().async(...args) },
        info: { get: () => bind().info },
      }) as NativeFunction;
    },
    open() {
      library();
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
