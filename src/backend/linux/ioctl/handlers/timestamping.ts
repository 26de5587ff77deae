/**
 * SIO_TIMESTAMPING and SIO_GET_TX_TIMESTAMP: Winsock timestamping on UDP sockets
 * (sockets/timestamping.ts holds the state, sockets/error-queue.ts reads the stamps).
 *
 * Windows facts (Microsoft's "Winsock timestamping", Winsock IOCTLs (SIO_TIMESTAMPING,
 * SIO_GET_TX_TIMESTAMP) and TIMESTAMPING_CONFIG pages; ../shared/spec/remaining-codes.md rows 56
 * and 57; ioctl-structs.md):
 * - SIO_TIMESTAMPING: input TIMESTAMPING_CONFIG, 8 bytes (ULONG Flags: TIMESTAMPING_FLAG_RX 1,
 *   TIMESTAMPING_FLAG_TX 2, an absent bit switches that direction off; USHORT
 *   TxTimestampsBuffered @4), no output; datagram (UDP) sockets only.
 * - SIO_GET_TX_TIMESTAMP: input UINT32 id (the SO_TIMESTAMP_ID a WSASendMsg carried), output
 *   UINT64 stamp, removed from the socket's buffer, `*lpcbBytesReturned` = 8; no stamp with that id
 *   (yet): WSAEWOULDBLOCK, whatever the calling mode (the stamp is polled for, never waited on).
 * - Polling before SIO_TIMESTAMPING switched transmit stamps on: WSAEOPNOTSUPP (reported as
 *   measured on Windows 11 by a public Windows test of this API; not in Microsoft's pages).
 * Inferred (no published Windows answer): a socket that is not UDP is WSAEOPNOTSUPP (a code its
 * provider does not serve), an input shorter than the struct (or the id) and an output under
 * 8 bytes WSAEFAULT, Flags with bits other than RX / TX WSAEINVAL.
 * Linux: SO_TIMESTAMPING software stamps on CLOCK_REALTIME, moved onto the emulation's
 * QueryPerformanceCounter (host/qpc.ts) — an approximation, in the README.
 */
import { WSAEFAULT, WSAEINVAL, WSAEOPNOTSUPP, WSAEWOULDBLOCK } from '../../../../errors/index.js';
import { SIO_GET_TX_TIMESTAMP, SIO_TIMESTAMPING } from '../../../../codes/index.js';
import { SOCK_DGRAM, TIMESTAMPING_FLAG_RX, TIMESTAMPING_FLAG_TX } from '../../../../winsock/constants.js';
import { TIMESTAMPING_CONFIG_SIZE } from '../../../../structs/timestamping.js';
import { wsaFromErrno } from '../../host/errno.js';
import { RECORD } from '../../sockets/control-messages.js';
import { collectTransmitStamps } from '../../sockets/error-queue.js';
import { configureTimestamping, takeTransmitStamp, transmitStampsOn } from '../../sockets/timestamping.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, outputAtLeast, socketType } from '../checks.js';

const STAMP_SIZE = 8;
const KNOWN_FLAGS = TIMESTAMPING_FLAG_RX | TIMESTAMPING_FLAG_TX;

export const timestamping: IoctlHandler = {
  name: 'SIO_TIMESTAMPING',
  code: SIO_TIMESTAMPING,
  checks: [socketType([SOCK_DGRAM], WSAEOPNOTSUPP, 0), inputAtLeast(TIMESTAMPING_CONFIG_SIZE, WSAEFAULT, 0)],
  run({ sock, input }) {
    const view = new DataView(input.buffer, input.byteOffset, TIMESTAMPING_CONFIG_SIZE);
    const flags = view.getUint32(0, true);
    if (flags & ~KNOWN_FLAGS) return failed(WSAEINVAL);
    const errno = configureTimestamping(sock, flags, view.getUint16(4, true));
    if (errno !== 0) return failed(wsaFromErrno(errno));
    sock.controlRecords = flags & TIMESTAMPING_FLAG_RX ? sock.controlRecords | RECORD.SO_TIMESTAMP : sock.controlRecords & ~RECORD.SO_TIMESTAMP;
    return done(0);
  },
};

export const getTxTimestamp: IoctlHandler = {
  name: 'SIO_GET_TX_TIMESTAMP',
  code: SIO_GET_TX_TIMESTAMP,
  checks: [socketType([SOCK_DGRAM], WSAEOPNOTSUPP, 0), inputAtLeast(4, WSAEFAULT, 0), outputAtLeast(STAMP_SIZE, WSAEFAULT, 0)],
  run({ sock, input, output }) {
    if (!transmitStampsOn(sock)) return failed(WSAEOPNOTSUPP);
    // Stamps the kernel queued so far go into the buffer first (new ones dropped when it is full).
    collectTransmitStamps(sock);
    const stamp = takeTransmitStamp(sock, new DataView(input.buffer, input.byteOffset, 4).getUint32(0, true));
    if (stamp === null) return failed(WSAEWOULDBLOCK);
    new DataView(output.buffer, output.byteOffset, STAMP_SIZE).setBigUint64(0, stamp, true);
    return done(STAMP_SIZE);
  },
};
