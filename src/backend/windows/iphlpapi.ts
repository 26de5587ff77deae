/**
 * The koffi declarations of iphlpapi.dll (IP Helper), bound at import on win32 only: this module
 * is imported on Linux too (../native-library.ts).
 */
import { nativeLibrary } from '../native-library.js';

const iphlpapi = nativeLibrary('win32', 'iphlpapi.dll');

export const GetIpForwardTable2 = iphlpapi.func('uint32_t __stdcall GetIpForwardTable2(uint16_t Family, _Out_ void **Table)');
export const FreeMibTable = iphlpapi.func('void __stdcall FreeMibTable(void *Memory)');
/**
 * NET_LUID (a ULONG64) passes as 8 bytes the caller owns: a JS number would lose the high bits of
 * a large IfType, and nothing here reads the value.
 */
export const ConvertInterfaceAliasToLuid = iphlpapi.func('uint32_t __stdcall ConvertInterfaceAliasToLuid(const char16_t *InterfaceAlias, uint8_t *InterfaceLuid)');
export const ConvertInterfaceLuidToIndex = iphlpapi.func('uint32_t __stdcall ConvertInterfaceLuidToIndex(const uint8_t *InterfaceLuid, _Out_ uint32_t *InterfaceIndex)');
