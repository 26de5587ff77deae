/**
 * No exception escapes a Winsock function (docs/principles.md, principle 2): arguments JS can pass but C cannot
 * (a Symbol where a DWORD goes, ...) end as the function's failure value, with `error` recorded
 * through the backend's `setLastError`. Promise-returning twins resolve to the failure value.
 *
 * `winsock/index.ts` puts every function of the surface behind this guard, from one table, so it
 * holds for both backends; a backend may guard its own functions too (a second guard costs one
 * call frame and a try block, nothing on the success path that V8 does not inline).
 */
import { debuglog } from 'node:util';

/**
 * The library's one debug log (NODE_DEBUG=wsaioctl): what a guard, or the emulation, turned into
 * a failure value instead of letting it pass silently.
 */
export const log = debuglog('wsaioctl');

export function makeGuard(setLastError: (code: number) => void) {
  /**
   * `fn` behind the guard. A `failure` that is a Promise marks an async function: a synchronous
   * throw and a rejection both resolve to the failure's value. `name` is what NODE_DEBUG shows and
   * what the wrapper's `name` becomes (default: `fn.name`).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return function guard<F extends (...args: any[]) => any>(fn: F, failure: ReturnType<F>, error: number, name: string = fn.name): F {
    const caught = (thrown: unknown): ReturnType<F> => {
      log('%s threw inside: %O', name, thrown);
      setLastError(error);
      return failure;
    };
    // Two shapes chosen once, so the synchronous one (the hot paths: WSAIoctl, ioctlsocket, recv)
    // carries no Promise test.
    const guarded = (failure as unknown) instanceof Promise
      ? (...args: Parameters<F>): ReturnType<F> => {
        try {
          const result = fn(...args);
          return result instanceof Promise ? result.catch(caught) as ReturnType<F> : result;
        } catch (thrown) {
          return caught(thrown);
        }
      }
      : (...args: Parameters<F>): ReturnType<F> => {
        try {
          return fn(...args);
        } catch (thrown) {
          return caught(thrown);
        }
      };
    Object.defineProperty(guarded, 'name', { value: name });
    Object.defineProperty(guarded, 'length', { value: fn.length });
    return guarded as F;
  };
}
