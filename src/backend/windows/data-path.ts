/**
 * The data path on the Windows backend (WSARecv, WSASend, WSARecvFrom, WSASendTo, select,
 * WSAPoll, SetFileCompletionNotificationModes). Placeholder until the pass-through to ws2_32.dll
 * lands: each function fails with WSAEOPNOTSUPP (ERROR_NOT_SUPPORTED for the kernel32 one).
 */
import { SOCKET_ERROR } from '../../winsock/constants.js';
import { ERROR_NOT_SUPPORTED, WSAEOPNOTSUPP } from '../../errors/index.js';
import type { WinsockDataPath } from '../../winsock/api.js';
import { win32, ws2_32 } from './ws2_32.js';

function notSupported(): number {
  ws2_32.WSASetLastError(WSAEOPNOTSUPP);
  return SOCKET_ERROR;
}

export const dataPathFunctions: WinsockDataPath = {
  WSARecv: notSupported,
  WSASend: notSupported,
  WSARecvFrom: notSupported,
  WSASendTo: notSupported,
  select: notSupported,
  selectAsync: async () => notSupported(),
  WSAPoll: notSupported,
  WSAPollAsync: async () => notSupported(),
  SetFileCompletionNotificationModes: () => {
    win32.SetLastError(ERROR_NOT_SUPPORTED);
    return false;
  },
};
