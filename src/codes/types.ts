/** Shapes shared by the control-code algebra, the catalogue and the decoder. */

/** Bits 27–28 of a control code (`IOC_UNIX`, `IOC_WS2`, `IOC_PROTOCOL`, `IOC_VENDOR`). */
export type CodeType = 'unix' | 'ws2' | 'protocol' | 'vendor';

/**
 * Bits 29–31 read as one word. The headers only combine them as in / out / inout / void;
 * `none` (no bit) and `mixed` (void plus in or out) can only come from hand-made values.
 */
export type Direction = 'in' | 'out' | 'inout' | 'void' | 'none' | 'mixed';

/** A T==0 code read the BSD way: `_IOx(group, number, paramSize)`. */
export interface UnixDecomposition {
  /** The group character (bits 8–15), e.g. `'f'` for FIONBIO. */
  readonly group: string;
  /** Bits 0–7. */
  readonly number: number;
  /** Bits 16–22: `sizeof` the parameter, masked with IOCPARM_MASK. */
  readonly paramSize: number;
}

/** One error condition a documentation page lists for a code. */
export interface DocumentedError {
  /** Symbolic name, e.g. `WSAEINVAL` (a few are Win32 names such as ERROR_INSUFFICIENT_BUFFER). */
  readonly code: string;
  /** Its number. */
  readonly value: number;
  /** The condition, in the page's words (paraphrased). */
  readonly when: string;
}

/**
 * Whether the code is meant for WSAIoctl: `'undocumented'` for header-only codes, `'indirect'` for
 * codes reached through the WSA*SocketSecurity functions, `false` for codes that are not socket IOCTLs.
 */
export type ForWSAIoctl = boolean | 'undocumented' | 'indirect';

/** One control code of the catalogue. */
export interface CodeRecord {
  /** The name Microsoft's pages use, e.g. `SIO_KEEPALIVE_VALS`. */
  readonly name: string;
  /** Other names for the same code (spellings used in other headers or pages). */
  readonly aliases: readonly string[];
  /** Unsigned 32-bit value. */
  readonly value: number;
  /** The header definition, e.g. `_WSAIOW(IOC_VENDOR,4)`. */
  readonly macro: string;
  /** The SDK header that defines it, e.g. `mstcpip.h`. */
  readonly header: string;
  /** Bits 27–28. */
  readonly type: CodeType;
  /** From the bits; they do not always match how the buffers are really used (see `notes`). */
  readonly direction: Direction;
  /** Bits 16–26 (vendor or address family; for unix codes the parameter size). */
  readonly vendorOrFamily: number;
  /** Bits 0–15. */
  readonly code: number;
  /** BSD decomposition, for unix-type codes only. */
  readonly unix: UnixDecomposition | null;
  /** The structure the input buffer holds, null for none. */
  readonly inputStruct: string | null;
  /** The structure the output buffer receives, null for none. */
  readonly outputStruct: string | null;
  /** The socket types and protocols the pages allow it on. */
  readonly socketTypes: readonly string[];
  /** What it does, in one sentence. */
  readonly summary: string;
  /** The errors its pages document, with their conditions. */
  readonly errors: readonly DocumentedError[];
  /** Whether it is meant for WSAIoctl. */
  readonly forWSAIoctl: ForWSAIoctl;
  /** When the call may block or pend, if the pages say so. */
  readonly blocking: string | null;
  /** What else the sources say (contradictions, quirks). */
  readonly notes: string | null;
  /** Earliest Windows version, in the words of the pages (null when they say nothing). */
  readonly minWindows: string | null;
  /** The opcode label printed on the Winsock IOCTLs page, e.g. `I, T==3` (may disagree with the bits). */
  readonly docOpcodeSetting: string | null;
  /** The documentation pages the record was read from. */
  readonly documentedIn: readonly string[];
  /** Value confirmed against generated Windows metadata, not only against headers. */
  readonly valueCrossChecked: boolean;
}
