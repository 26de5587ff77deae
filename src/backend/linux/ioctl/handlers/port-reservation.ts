/**
 * SIO_ACQUIRE_PORT_RESERVATION, SIO_RELEASE_PORT_RESERVATION, SIO_ASSOCIATE_PORT_RESERVATION:
 * runtime port reservations. The reservations themselves (how a block is held on Linux, how an
 * associated bind takes its port) are sockets/port-reservations.ts; this module is the WSAIoctl
 * side. Facts (Microsoft, the three control-code pages and INET_PORT_RANGE /
 * INET_PORT_RESERVATION_INSTANCE / INET_PORT_RESERVATION_TOKEN, layouts in
 * structs/port-reservation.ts):
 * - TCP and UDP sockets only; any other socket is WSAEOPNOTSUPP.
 * - ACQUIRE: input INET_PORT_RANGE (StartPort network order, 0 = the system picks;
 *   NumberOfPorts); output INET_PORT_RESERVATION_INSTANCE, 16 bytes, `*lpcbBytesReturned` 16; an
 *   output too small is WSAEINVAL with 0 bytes; an invalid parameter (no ports, an input too
 *   small, a block past port 65535) WSAEINVAL. Works without privileges.
 * - RELEASE: input the 8-byte token; a token that names no runtime reservation of this process is
 *   WSAEINVAL (invalid parameter). No output, 0 bytes.
 * - ASSOCIATE: input the token, before bind (a bound socket: WSAEINVAL); afterwards a bind to port
 *   0 takes a port of the block and fails when none is free. No output, 0 bytes.
 * - All three complete before returning, even on a non-blocking socket ("blocks").
 */
import { WSAEINVAL, WSAEOPNOTSUPP } from '../../../../errors/index.js';
import { SIO_ACQUIRE_PORT_RESERVATION, SIO_ASSOCIATE_PORT_RESERVATION, SIO_RELEASE_PORT_RESERVATION } from '../../../../codes/index.js';
import { SOCK_DGRAM, SOCK_STREAM } from '../../../../winsock/constants.js';
import { INET_PORT_RANGE_SIZE, INET_PORT_RESERVATION_INSTANCE_SIZE, INET_PORT_RESERVATION_TOKEN_SIZE } from '../../../../structs/index.js';
import { isBound } from '../../host/socket-facts.js';
import { acquireReservation, associateReservation, releaseReservation } from '../../sockets/port-reservations.js';
import { done, failed, type IoctlHandler } from '../types.js';
import { inputAtLeast, outputAtLeast, socketType } from '../checks.js';

const TCP_OR_UDP = socketType([SOCK_STREAM, SOCK_DGRAM], WSAEOPNOTSUPP, 0);
const tokenOf = (input: Uint8Array): bigint => new DataView(input.buffer, input.byteOffset, 8).getBigUint64(0, true);

export const acquirePortReservation: IoctlHandler = {
  name: 'SIO_ACQUIRE_PORT_RESERVATION',
  code: SIO_ACQUIRE_PORT_RESERVATION,
  checks: [TCP_OR_UDP, inputAtLeast(INET_PORT_RANGE_SIZE, WSAEINVAL, 0), outputAtLeast(INET_PORT_RESERVATION_INSTANCE_SIZE, WSAEINVAL, 0)],
  run({ sock, input, output }) {
    const start = (input[0]! << 8) | input[1]!;
    const count = input[2]! | (input[3]! << 8);
    const r = acquireReservation(sock, start, count);
    if (typeof r === 'number') return failed(r);
    const view = new DataView(output.buffer, output.byteOffset, INET_PORT_RESERVATION_INSTANCE_SIZE);
    view.setUint16(0, r.start, false);
    view.setUint16(2, r.count, true);
    view.setUint32(4, 0, true);
    view.setBigUint64(8, r.token, true);
    return done(INET_PORT_RESERVATION_INSTANCE_SIZE);
  },
};

export const releasePortReservation: IoctlHandler = {
  name: 'SIO_RELEASE_PORT_RESERVATION',
  code: SIO_RELEASE_PORT_RESERVATION,
  checks: [TCP_OR_UDP, inputAtLeast(INET_PORT_RESERVATION_TOKEN_SIZE, WSAEINVAL, 0)],
  run({ input }) {
    const error = releaseReservation(tokenOf(input));
    return error ? failed(error) : done(0);
  },
};

export const associatePortReservation: IoctlHandler = {
  name: 'SIO_ASSOCIATE_PORT_RESERVATION',
  code: SIO_ASSOCIATE_PORT_RESERVATION,
  checks: [TCP_OR_UDP, inputAtLeast(INET_PORT_RESERVATION_TOKEN_SIZE, WSAEINVAL, 0)],
  run({ sock, input }) {
    if (isBound(sock.fd)) return failed(WSAEINVAL);
    const error = associateReservation(sock, tokenOf(input));
    return error ? failed(error) : done(0);
  },
};
