/**
 * The control-code algebra of winsock.h / winsock2.h: direction and type constants and the
 * `_IO*` / `_WSAIO*` builders. Every result is an unsigned 32-bit number.
 */

/** Parameter sizes in BSD-style codes are limited to 7 bits. @group Control-code toolkit */
export const IOCPARM_MASK = 0x7f;
/** Direction bits 29–31: no parameters, output, input, both. @group Control-code toolkit */
export const IOC_VOID = 0x20000000;
export const IOC_OUT = 0x40000000;
export const IOC_IN = 0x80000000;
export const IOC_INOUT = 0xc0000000;

/** Type bits 27–28: BSD-style, Winsock 2, protocol-specific, vendor-specific. @group Control-code toolkit */
export const IOC_UNIX = 0x00000000;
export const IOC_WS2 = 0x08000000;
export const IOC_PROTOCOL = 0x10000000;
export const IOC_VENDOR = 0x18000000;

const INT32_MIN = -0x80000000;
const UINT32_MAX = 0xffffffff;

/** True for an integer that fits 32 bits either signed or unsigned. @group Control-code toolkit */
export function isControlCodeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= UINT32_MAX;
}

/** Normalise a signed or unsigned 32-bit integer to its unsigned value; RangeError otherwise. @group Control-code toolkit */
export function toUint32(value: number, what = 'control code'): number {
  if (!isControlCodeNumber(value)) {
    throw new RangeError(`${what} must be an integer in the 32-bit range, got ${String(value)}`);
  }
  return value >>> 0;
}

/** A BSD group is a C `char`: one character up to U+00FF, or a number used as-is. */
function groupNumber(group: string | number): number {
  if (typeof group === 'number') return toUint32(group, 'group');
  if (typeof group !== 'string' || group.length !== 1 || group.charCodeAt(0) > 0xff) {
    throw new RangeError(`group must be one 8-bit character or a number, got ${JSON.stringify(group)}`);
  }
  return group.charCodeAt(0);
}

function paramSizeBits(size: number): number {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`parameter size must be a non-negative integer, got ${String(size)}`);
  }
  // The header masks silently; so do we, so ported values stay identical.
  return (size & IOCPARM_MASK) << 16;
}

function bsdCode(direction: number, group: string | number, number: number, size: number): number {
  return (direction | paramSizeBits(size) | (groupNumber(group) << 8) | toUint32(number, 'number')) >>> 0;
}

/** `_IO(x,y)`: a BSD-style code with no parameter. @group Control-code toolkit */
export function _IO(group: string | number, number: number): number {
  return bsdCode(IOC_VOID, group, number, 0);
}

/** `_IOR(x,y,t)`: BSD-style, output parameter of `size` bytes (`sizeof(t)`; u_long is 4). @group Control-code toolkit */
export function _IOR(group: string | number, number: number, size: number): number {
  return bsdCode(IOC_OUT, group, number, size);
}

/** `_IOW(x,y,t)`: BSD-style, input parameter of `size` bytes (`sizeof(t)`; u_long is 4). @group Control-code toolkit */
export function _IOW(group: string | number, number: number, size: number): number {
  return bsdCode(IOC_IN, group, number, size);
}

function wsaCode(direction: number, type: number, code: number): number {
  return (direction | toUint32(type, 'type') | toUint32(code, 'code')) >>> 0;
}

/** `_WSAIO(x,y)`: no parameters; `type` is IOC_WS2, IOC_VENDOR, ... @group Control-code toolkit */
export function _WSAIO(type: number, code: number): number {
  return wsaCode(IOC_VOID, type, code);
}

/** `_WSAIOR(x,y)`: output buffer. @group Control-code toolkit */
export function _WSAIOR(type: number, code: number): number {
  return wsaCode(IOC_OUT, type, code);
}

/** `_WSAIOW(x,y)`: input buffer. @group Control-code toolkit */
export function _WSAIOW(type: number, code: number): number {
  return wsaCode(IOC_IN, type, code);
}

/** `_WSAIORW(x,y)`: input and output buffers. @group Control-code toolkit */
export function _WSAIORW(type: number, code: number): number {
  return wsaCode(IOC_INOUT, type, code);
}
