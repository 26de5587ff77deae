/**
 * `wsaioctl/codes`: Winsock control codes as data. The bit algebra of the headers, a decoder,
 * the catalogue of every known code, and what each backend does with it. Pure: no I/O.
 *
 * @module wsaioctl/codes
 */
export {
  IOCPARM_MASK,
  IOC_VOID,
  IOC_OUT,
  IOC_IN,
  IOC_INOUT,
  IOC_UNIX,
  IOC_WS2,
  IOC_PROTOCOL,
  IOC_VENDOR,
  _IO,
  _IOR,
  _IOW,
  _WSAIO,
  _WSAIOR,
  _WSAIOW,
  _WSAIORW,
  isControlCodeNumber,
} from './bits.js';
export { decodeControlCode, formatControlCode, type DecodedControlCode } from './decode.js';
export { allCodes, codeByName, codesByValue, lookupCode, namesOfValue, parseControlCode } from './lookup.js';
export {
  supportOf,
  supportTable,
  namesWithLinuxSupport,
  namesHandledOnLinux,
  isHandled,
  linuxSupportCounts,
  SUPPORT_STATUSES,
  type CodeSupport,
  type SupportStatus,
  type LinuxSupport,
  type WindowsSupport,
} from './support.js';
export type { CodeRecord, CodeType, Direction, DocumentedError, ForWSAIoctl, UnixDecomposition } from './types.js';
export * from './names.js';
