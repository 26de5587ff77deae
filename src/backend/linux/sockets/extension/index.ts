/**
 * The extension functions on the emulation (the functions SIO_GET_EXTENSION_FUNCTION_POINTER hands
 * out, winsock/extension-functions.ts): AcceptEx and GetAcceptExSockaddrs (accept-ex.ts), ConnectEx
 * (connect-ex.ts), DisconnectEx (disconnect-ex.ts), WSARecvMsg / WSASendMsg (../data-path/message.ts),
 * and what a cast of a pointer resolves to.
 */
import type { WinsockCore, WinsockExtensions } from '../../../../winsock/api.js';
import type { ExtensionFunction } from '../../../../winsock/extension-functions.js';
import { AcceptEx, GetAcceptExSockaddrs } from './accept-ex.js';
import { ConnectEx } from './connect-ex.js';
import { DisconnectEx } from './disconnect-ex.js';
import { WSARecvMsg, WSASendMsg } from '../data-path/message.js';

export const extensionFunctions: WinsockExtensions = { AcceptEx, GetAcceptExSockaddrs, ConnectEx, DisconnectEx, WSARecvMsg, WSASendMsg };

/**
 * A cast's pointer on this backend: the row's own token stands for the backend's function (the
 * surface then gives its guarded export); any other value is no pointer to it (null).
 */
export function resolveExtensionWith(backend: WinsockCore) {
  return <K extends keyof WinsockExtensions>(row: ExtensionFunction & { surface: K }, pointer: bigint): WinsockCore[K] | null =>
    pointer === row.token ? backend[row.surface] : null;
}
