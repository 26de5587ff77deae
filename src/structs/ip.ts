/** Address-text checks that work without node:net (the structs layer stays browser-safe). */

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return false;
  const doubleColons = text.split('::').length - 1;
  if (doubleColons > 1) return false;
  const lastColon = text.lastIndexOf(':');
  const v4Tail = text.slice(lastColon + 1).includes('.');
  if (v4Tail && !isIPv4(text.slice(lastColon + 1))) return false;
  const head = v4Tail ? text.slice(0, lastColon) : text;
  const groups = head.split(':').filter((g, i, all) => !(g === '' && (i === 0 || i === all.length - 1 || doubleColons)));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const words = groups.length + (v4Tail ? 2 : 0);
  return doubleColons ? words <= 7 : words === 8;
}

/** fe80::/10, on the 16 bytes of an IPv6 address. */
export const isLinkLocal6 = (a: Uint8Array): boolean => a.length === 16 && a[0] === 0xfe && (a[1]! & 0xc0) === 0x80;
