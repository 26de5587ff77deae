/** Address-text checks that work without node:net (the structs layer stays browser-safe). */

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/**
 * Strict IPv6 text (RFC 4291 2.2): eight groups of 1-4 hex digits, one `::` at most standing for
 * at least one zero group, an optional dotted IPv4 tail in place of the last two groups. No zone.
 * Agrees with node:net's isIPv6 on zone-less text (test/structs-ip.test.ts compares them).
 */
export function isIPv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return false;
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return false;
  let head = text;
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    // The dotted tail stands for two groups.
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const groups = halves.flatMap(groupsOf);
  // An empty group here is a stray single colon (':1::2', '1::2:', '1:::2').
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length <= 7 : groups.length === 8;
}

/** fe80::/10, on the 16 bytes of an IPv6 address. */
export const isLinkLocal6 = (a: Uint8Array): boolean => a.length === 16 && a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
