/**
 * The emulation's QueryPerformanceCounter: Windows reports software timestamps in QPC units
 * (Microsoft's "Winsock timestamping" page), so the Linux backend needs one clock for them. It is
 * CLOCK_MONOTONIC (the clock Windows' QPC resembles: steady, from boot, unaffected by setting the
 * time of day) in 100 ns units, i.e. QueryPerformanceFrequency = 10 000 000, the frequency Windows
 * 10 and later report on most machines. Node's process.hrtime reads the same clock, so
 * `process.hrtime.bigint() / 100n` is this counter too.
 *
 * The kernel stamps packets on CLOCK_REALTIME (SO_TIMESTAMPING software stamps): `qpcOfRealtime`
 * moves such a stamp onto the monotonic base by the current difference between the two clocks,
 * read back to back; a change of the time of day between the stamp and its conversion shifts
 * it (an approximation, in the README).
 */
import * as libc from './libc.js';
import { L } from './libc.js';

/** QueryPerformanceFrequency of the emulation: counts per second. */
export const QPC_FREQUENCY = 10_000_000n;
const NS_PER_COUNT = 1_000_000_000n / QPC_FREQUENCY;

const timespec = new Uint8Array(16);
const view = new DataView(timespec.buffer);

function clockNs(clock: number): bigint {
  if (libc.clock_gettime(clock, timespec) !== 0) return 0n;
  return view.getBigInt64(0, true) * 1_000_000_000n + view.getBigInt64(8, true);
}

/** The counter now. */
export function qpcNow(): bigint {
  return clockNs(L.CLOCK_MONOTONIC) / NS_PER_COUNT;
}

/** A CLOCK_REALTIME instant (seconds, nanoseconds) on the counter. Never negative. */
export function qpcOfRealtime(seconds: bigint, nanoseconds: bigint): bigint {
  const monotonic = clockNs(L.CLOCK_MONOTONIC);
  const realtime = clockNs(L.CLOCK_REALTIME);
  const stamp = seconds * 1_000_000_000n + nanoseconds;
  const ns = stamp - (realtime - monotonic);
  return ns > 0n ? ns / NS_PER_COUNT : 0n;
}
