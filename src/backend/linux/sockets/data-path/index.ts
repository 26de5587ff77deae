/**
 * The data path of the Linux emulation: WSARecv / WSARecvFrom (receive.ts), WSASend / WSASendTo
 * (send.ts), WSARecvMsg / WSASendMsg (message.ts, over the same two), select / WSAPoll (readiness.ts), SetFileCompletionNotificationModes
 * (completion-modes.ts). Pending transfers wait in pending.ts, driven by edge-triggered readiness (loop/readiness.ts).
 */
import type { WinsockDataPath } from '../../../../winsock/api.js';
import { WSARecv, WSARecvFrom } from './receive.js';
import { WSASend, WSASendTo } from './send.js';
import { select, selectAsync, WSAPoll, WSAPollAsync } from './readiness.js';
import { SetFileCompletionNotificationModes } from './completion-modes.js';

export const dataPath: WinsockDataPath = {
  WSARecv, WSASend, WSARecvFrom, WSASendTo, select, selectAsync, WSAPoll, WSAPollAsync, SetFileCompletionNotificationModes,
};
