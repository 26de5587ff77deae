/**
 * One completion packet taken off a port with GetQueuedCompletionStatus, as plain facts. The last
 * error is preset to 0xdead, so `error` shows whether the call changed it.
 */
import * as ws from 'wsaioctl/winsock';

export interface PacketSeen {
  ok: boolean;
  error: number;
  bytes: number;
  key: number;
  overlapped: ws.WSAOVERLAPPED | null;
}

export function packet(port: number, timeoutMs = 0): PacketSeen {
  const bytes = { value: 0xbad };
  const key = { value: 0xbad };
  const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: null };
  ws.SetLastError(0xdead);
  const ok = ws.GetQueuedCompletionStatus(port, bytes, key, overlapped, timeoutMs);
  return { ok, error: ws.GetLastError(), bytes: bytes.value, key: key.value, overlapped: overlapped.value };
}
