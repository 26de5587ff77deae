/**
 * SIO_ADDRESS_LIST_CHANGE: completes (0 bytes) when the local address list of the socket's family
 * changes: a usable address appears or disappears (see netlink/watcher.ts; a repeat or
 * lifetime-refresh RTM_NEWADDR is not a change, host-scope loopback addresses do not count).
 *
 * Modes (WSAIoctl page, Wine's test_sioAddressListChange on Windows): overlapped: always pending
 * first (SOCKET_ERROR + WSA_IO_PENDING), whatever the blocking mode; non-blocking without
 * overlapped: WSAEWOULDBLOCK now and FD_ADDRESS_LIST_CHANGE for a WSAEventSelect on that socket
 * when the change comes; blocking: waits for the change. Every request completes once; any number
 * may be pending on one socket. All of them share the one rtnetlink watcher.
 */
import { SIO_ADDRESS_LIST_CHANGE } from '../../../../codes/index.js';
import { FD_ADDRESS_LIST_CHANGE } from '../../../../winsock/constants.js';
import { listen } from '../../netlink/watcher.js';
import { done, type IoctlHandler, type IoctlWait } from '../types.js';

export const addressListChange: IoctlHandler = {
  name: 'SIO_ADDRESS_LIST_CHANGE',
  code: SIO_ADDRESS_LIST_CHANGE,
  checks: [],
  run({ sock }): IoctlWait {
    let changed = false;
    return {
      wait: {
        networkEvent: FD_ADDRESS_LIST_CHANGE,
        check: () => (changed ? done(0) : null),
        subscribe(wake) {
          return listen((changes) => {
            if (changed) return;
            if (changes.some((c) => c.kind === 'overrun' || (c.kind === 'address' && c.family === sock.af))) {
              changed = true;
              wake();
            }
          });
        },
      },
    };
  },
};
