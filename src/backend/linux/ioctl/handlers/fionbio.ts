/**
 * FIONBIO: switch Winsock blocking mode. The host fd stays non-blocking whatever the caller asks
 * (docs/principles.md, principle 3); the mode is a flag the socket functions honour by waiting themselves.
 */
import { WSAEFAULT, WSAEINVAL } from '../../../../errors/index.js';
import { FIONBIO } from '../../../../codes/index.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast } from '../checks.js';
import { readU32 } from '../buffers.js';

export const fionbio: IoctlHandler = {
  name: 'FIONBIO',
  code: FIONBIO,
  checks: [inputAtLeast(4, WSAEFAULT, 0)],
  run({ sock, input }) {
    const nonBlocking = readU32(input, 0) !== 0;
    // WSAEventSelect / WSAAsyncSelect force non-blocking mode until they are cancelled.
    // (selectMask, not eventSelect: reading that accessor here made every FIONBIO about 13 ns dearer.)
    if (!nonBlocking && sock.selectMask !== 0) return failed(WSAEINVAL);
    sock.nonBlocking = nonBlocking;
    return done(0);
  },
};
