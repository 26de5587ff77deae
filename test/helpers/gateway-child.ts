/**
 * Child process for test/node-gateway.test.ts (run in a namespace by netns.ts): prints one JSON
 * line with defaultGateway('IPv4' / 'IPv6') and the interfaces() records, errors by code.
 */
import { defaultGateway, interfaces } from 'wsaioctl';

const attempt = (f: () => unknown): unknown => {
  try {
    return { ok: f() };
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: String(error) };
  }
};

console.log(JSON.stringify({
  v4: attempt(() => defaultGateway('IPv4')),
  v6: attempt(() => defaultGateway(6)),
  interfaces: attempt(() => interfaces()),
  badFamily: attempt(() => defaultGateway('IPX' as 'IPv4')),
}));
