/**
 * SIO_SET_COMPATIBILITY_MODE: ask the TCP stack to behave like an older Windows for one behaviour
 * (WSA_COMPATIBILITY_MODE: BehaviorId u32 @0 — WsaBehaviorAll 0, ReceiveBuffering 1,
 * AutoTuning 2 — and TargetOsVersion u32 @4, an NTDDI value). The older behaviours are Windows
 * receive-window tuning policies with no Linux counterpart, so the call validates only:
 * datagram sockets get WSAEOPNOTSUPP, an input shorter than 8 bytes WSAEINVAL (as documented),
 * an unknown BehaviorId WSAEINVAL. `*lpcbBytesReturned` is 0.
 */
import { WSAEINVAL, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_SET_COMPATIBILITY_MODE } from '../../../../codes/index.js';
import { SOCK_STREAM } from '../../../../winsock/constants.js';
import { readU32 } from '../buffers.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, socketType } from '../checks.js';

/** WsaBehaviorAutoTuning, the last WSA_COMPATIBILITY_BEHAVIOR_ID. */
const LAST_BEHAVIOR_ID = 2;

export const setCompatibilityMode: IoctlHandler = {
  name: 'SIO_SET_COMPATIBILITY_MODE',
  code: SIO_SET_COMPATIBILITY_MODE,
  checks: [socketType([SOCK_STREAM], WSAEOPNOTSUPP, 0), inputAtLeast(8, WSAEINVAL, 0)],
  run({ input }) {
    if (readU32(input, 0) > LAST_BEHAVIOR_ID) return failed(WSAEINVAL);
    return done(0);
  },
};
