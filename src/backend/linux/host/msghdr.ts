/**
 * recvmsg / sendmsg with control data, for WSARecvMsg / WSASendMsg (sockets/data-path/message.ts)
 * and the datagram queue of a socket that asked for control records.
 *
 * struct msghdr on x86_64: `msg_name` @0, `msg_namelen` u32 @8, `msg_iov` @16, `msg_iovlen`
 * size_t @24, `msg_control` @32, `msg_controllen` size_t @40, `msg_flags` int @48 (56 bytes);
 * struct iovec: base @0, len @8. Everything the kernel reads or writes through a pointer lives in
 * one arena of this thread (larger than V8's on-heap typed-array limit, so it never moves while
 * koffi passes its address): the msghdr, the iovec, the name, the control data and the payload.
 * The payload is copied between the arena and the caller's buffer, so the caller's memory is only
 * ever touched within its own bounds.
 */
import * as libc from './libc.js';
import { LINUX_SOCKADDR_MAX } from './sockaddr.js';

/** Bytes of Linux control data a receive can take (Wine's own translation uses 512 as well). */
export const LINUX_CONTROL_MAX = 512;
/** The largest payload one call moves: a UDP datagram never exceeds it (65 535 bytes of IP packet). */
export const MESSAGE_PAYLOAD_MAX = 65536;

const MSGHDR = 0;
const IOVEC = 64;
const NAME = 128;
const CONTROL = NAME + LINUX_SOCKADDR_MAX;
const DATA = CONTROL + LINUX_CONTROL_MAX;
const arena = new Uint8Array(DATA + MESSAGE_PAYLOAD_MAX);
const view = new DataView(arena.buffer);

/** Linux control data received, with the flags recvmsg reported (Linux MSG_* values). */
export interface LinuxControl {
  /** LINUX_CONTROL_MAX bytes; the first `length` hold the cmsghdrs. */
  readonly bytes: Uint8Array;
  length: number;
  /** msg_flags (Linux MSG_TRUNC, MSG_CTRUNC ...). */
  flags: number;
}

/** A fresh capture area for recvMessage. */
export function linuxControl(): LinuxControl {
  return { bytes: new Uint8Array(LINUX_CONTROL_MAX), length: 0, flags: 0 };
}

function prepare(name: Uint8Array | null, nameLen: number, payloadLen: number, controlLen: number): bigint {
  const base = libc.addressOf(arena);
  arena.fill(0, 0, NAME);
  view.setBigUint64(MSGHDR + 0, name === null ? 0n : base + BigInt(NAME), true);
  view.setUint32(MSGHDR + 8, name === null ? 0 : nameLen, true);
  view.setBigUint64(MSGHDR + 16, base + BigInt(IOVEC), true);
  view.setBigUint64(MSGHDR + 24, 1n, true);
  view.setBigUint64(MSGHDR + 32, controlLen === 0 ? 0n : base + BigInt(CONTROL), true);
  view.setBigUint64(MSGHDR + 40, BigInt(controlLen), true);
  view.setBigUint64(IOVEC + 0, base + BigInt(DATA), true);
  view.setBigUint64(IOVEC + 8, BigInt(payloadLen), true);
  return base;
}

/**
 * recvmsg(fd, flags) into `data` (at most `len` bytes, and at most MESSAGE_PAYLOAD_MAX), the
 * sender's Linux sockaddr into `peer` / `peerLen`, the control data into `control`. Returns what
 * recvmsg returned (with MSG_TRUNC: a datagram's real length), or -1 with errno left as the call
 * set it.
 */
export function recvMessage(fd: number, data: Uint8Array, len: number, flags: number, peer: Uint8Array, peerLen: Uint32Array, control: LinuxControl): number {
  const room = Math.min(len, data.length, MESSAGE_PAYLOAD_MAX);
  prepare(peer, Math.min(peer.length, LINUX_SOCKADDR_MAX), room, LINUX_CONTROL_MAX);
  const n = libc.recvmsg(fd, arena, flags);
  if (n < 0) return n;
  const copied = Math.min(n, room);
  if (copied > 0) data.set(arena.subarray(DATA, DATA + copied));
  const nameLen = Math.min(view.getUint32(MSGHDR + 8, true), peer.length, LINUX_SOCKADDR_MAX);
  peer.set(arena.subarray(NAME, NAME + nameLen));
  peerLen[0] = nameLen;
  control.length = Math.min(Number(view.getBigUint64(MSGHDR + 40, true)), LINUX_CONTROL_MAX);
  control.bytes.set(arena.subarray(CONTROL, CONTROL + control.length));
  control.flags = view.getInt32(MSGHDR + 48, true);
  return n;
}

/**
 * sendmsg(fd, flags) of `data` to `dest` (null: the connected peer) with the Linux control data
 * `control` (cmsghdrs, at most LINUX_CONTROL_MAX bytes). `data` must fit MESSAGE_PAYLOAD_MAX.
 * Returns what sendmsg returned, or -1 with errno left as the call set it.
 */
export function sendMessage(fd: number, data: Uint8Array, dest: { addr: Uint8Array; len: number } | null, control: Uint8Array, flags: number): number {
  const len = Math.min(data.length, MESSAGE_PAYLOAD_MAX);
  const controlLen = Math.min(control.length, LINUX_CONTROL_MAX);
  prepare(dest === null ? null : dest.addr, dest === null ? 0 : Math.min(dest.len, LINUX_SOCKADDR_MAX), len, controlLen);
  if (dest !== null) arena.set(dest.addr.subarray(0, Math.min(dest.len, LINUX_SOCKADDR_MAX)), NAME);
  arena.set(control.subarray(0, controlLen), CONTROL);
  arena.set(data.subarray(0, len), DATA);
  return libc.sendmsg(fd, arena, flags);
}
