/** The data path of the Linux emulation (placeholder while it is written). */
import * as W from '../../../../errors/index.js';
import type { WinsockDataPath } from '../../../../winsock/api.js';
import { fail } from '../../win32/last-error.js';

const notYet = (): number => fail(W.WSAEOPNOTSUPP);

export const dataPath: WinsockDataPath = {
  WSARecv: notYet,
  WSASend: notYet,
  WSARecvFrom: notYet,
  WSASendTo: notYet,
  select: notYet,
  selectAsync: async () => notYet(),
  WSAPoll: notYet,
  WSAPollAsync: async () => notYet(),
  SetFileCompletionNotificationModes: () => {
    fail(W.ERROR_NOT_SUPPORTED);
    return false;
  },
};
