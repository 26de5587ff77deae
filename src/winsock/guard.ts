/**
 * No exception escapes a Winsock function (docs/principles.md, principle 2): arguments JS can pass but C cannot
 * (a Symbol where a DWORD goes, ...) end as the function's failure value, with `error` recorded
 * through the backend's `setLastError`. Promise-returning twins resolve to the failure value.
 */
import { debuglog } from 'node:util';

/** NODE_DEBUG=wsaioctl shows what a guard turned into a failure value (so bugs are not silent). */
const log = debuglog('wsaioctl');

export function makeGuard(setLastError: (code: number) => void) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return function guard<F extends (...args: any[]) => any>(fn: F, failure: ReturnType<F>, error: number): F {
    return ((...args: Parameters<F>) => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) {
          return result.catch((thrown: unknown) => {
            log('%s threw inside: %O', fn.name, thrown);
            setLastError(error);
            return failure;
          });
        }
        return result;
      } catch (thrown) {
        log('%s threw inside: %O', fn.name, thrown);
        setLastError(error);
        return failure;
      }
    }) as F;
  };
}
