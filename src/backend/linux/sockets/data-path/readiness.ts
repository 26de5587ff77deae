/**
 * select() and WSAPoll(): which sockets are ready, with Windows' meaning of "ready", waiting in
 * the kernel (docs/principles.md, principle 5) when none is.
 *
 * Windows facts (the select and WSAPoll reference pages; Wine's sock.c test_select / test_poll,
 * parts that pass on Windows):
 * - select: nfds is ignored; the fd_sets are Windows' count + array; no socket in any set is
 *   WSAEINVAL; a handle that is not a socket is WSAENOTSOCK; each set keeps only its ready
 *   sockets and the result is the number of entries left in all three; timeout NULL waits forever.
 *   readfds: data (or urgent data inline), a connection to accept, the connection closed or reset;
 *   writefds: a connect finished, data can be sent; exceptfds: urgent data, a connect failed.
 *   An unconnected stream socket is in none of them.
 * - WSAPoll: revents holds POLLRDNORM / POLLRDBAND / POLLWRNORM as asked, POLLHUP when the peer
 *   closed, POLLERR on a failed connection, POLLNVAL for a handle that is not a socket (counted
 *   like a ready one); no entries is WSAEINVAL; timeout < 0 waits forever.
 * Both wait alertably as Windows' blocking calls do: completion routines run meanwhile.
 */
import * as W from '../../../../errors/index.js';
import * as C from '../../../../winsock/constants.js';
import type { fd_set, TIMEVAL, WSAPOLLFD } from '../../../../winsock/types.js';
import * as libc from '../../host/libc.js';
import { L } from '../../host/libc.js';
import { POLLFD_SIZE, pollRevents, setPollfd } from '../../host/poll.js';
import { TCP_STATE, oobInline, tcpState } from '../../host/socket-facts.js';
import { fail, ok } from '../../win32/last-error.js';
import type { LinuxSocket } from '../../win32/socket-state.js';
import { threadAlerts } from '../../win32/apc.js';
import { addSource } from '../../loop/reactor.js';
import { INFINITE, waitSync, type WaitSpec } from '../../loop/wait.js';
import { waitAsync } from '../../loop/scheduler.js';
import { socketFor } from '../lookup.js';
import { settleErrorQueue } from '../error-queue.js';

// ---- looking at many sockets at once ---------------------------------------------------------------

/** One socket being looked at, with the poll() bits (Linux values) its question needs. */
interface Target {
  readonly sock: LinuxSocket;
  readonly events: number;
  /** poll() reported only a lasting condition (hang-up, error) that answers nothing asked. */
  quiet: boolean;
}

/** poll(0) over every target: their revents (0 for a closed one), in order. */
function look(targets: readonly Target[]): number[] {
  const buffer = new Uint8Array(POLLFD_SIZE * Math.max(1, targets.length));
  const view = new DataView(buffer.buffer);
  // Transmit stamps out of the error queue first (they are no event); a parked ICMP report is one.
  const parked = targets.map((t) => !t.sock.closed && settleErrorQueue(t.sock));
  targets.forEach((t, i) => setPollfd(view, i, t.sock.closed ? -1 : t.sock.receiveFd, t.events));
  const n = libc.poll(buffer, targets.length, 0);
  return targets.map((_, i) => (n > 0 ? pollRevents(view, i) : 0) | (parked[i] ? L.POLLERR : 0));
}

/**
 * The wait for `answer` to say something: each target is a reactor source while it lasts (so the
 * thread sleeps in poll() over them), looked at again whenever one of them reports.
 */
function readinessWait<T>(targets: Target[], answer: (revents: number[]) => T | undefined, timeoutMs: number, onTimeout: T): { spec: WaitSpec<T>; done: () => void } {
  let woken = true;
  const removers = targets.map((target) => addSource({
    fd: () => (target.quiet || target.sock.closed ? -1 : target.sock.receiveFd),
    events: () => target.events,
    ready: () => {
      woken = true;
    },
  }));
  const spec: WaitSpec<T> = {
    ready: () => {
      if (!woken) return undefined;
      woken = false;
      const revents = look(targets);
      const result = answer(revents);
      if (result === undefined) {
        // What poll() keeps reporting without answering the question (POLLHUP, POLLERR) would
        // wake the wait again at once: stop polling that socket for the rest of this call.
        revents.forEach((r, i) => {
          if (r & (L.POLLHUP | L.POLLERR | L.POLLNVAL)) targets[i]!.quiet = true;
        });
      }
      return result;
    },
    timeoutMs,
    onTimeout,
    alerts: { queue: threadAlerts, then: 'continue' },
  };
  return { spec, done: () => removers.forEach((remove) => remove()) };
}

function runSync<T>(plan: { spec: WaitSpec<T>; done: () => void }): T {
  try {
    return waitSync(plan.spec);
  } finally {
    plan.done();
  }
}

async function runAsync<T>(plan: { spec: WaitSpec<T>; done: () => void }): Promise<T> {
  try {
    return await waitAsync(plan.spec);
  } finally {
    plan.done();
  }
}

// ---- select ------------------------------------------------------------------------------------------

const READ = 0;
const WRITE = 1;
const EXCEPT = 2;

interface SelectPlan {
  sets: Array<fd_set | null>;
  /** Per set, its sockets in order. */
  members: LinuxSocket[][];
  targets: Target[];
  timeoutMs: number;
}

/** The sockets of one fd_set, or a Winsock error. */
function membersOf(set: unknown): LinuxSocket[] | number {
  if (set === null || set === undefined) return [];
  try {
    if (typeof set !== 'object') return W.WSAEFAULT;
    const { fd_count: count, fd_array: array } = set as fd_set;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || !Array.isArray(array) || count > array.length) return W.WSAEFAULT;
    if (count > C.FD_SETSIZE) return W.WSAEINVAL;
    const out: LinuxSocket[] = [];
    for (let i = 0; i < count; i++) {
      const sock = socketFor(array[i] as number);
      if (typeof sock === 'number') return sock;
      out.push(sock);
    }
    return out;
  } catch {
    return W.WSAEFAULT;
  }
}

/** A TIMEVAL in ms (INFINITE for NULL), or a Winsock error. */
function timevalMs(timeout: unknown): number | { error: number } {
  if (timeout === null || timeout === undefined) return INFINITE;
  try {
    if (typeof timeout !== 'object') return { error: W.WSAEFAULT };
    const { tv_sec: sec, tv_usec: usec } = timeout as TIMEVAL;
    if (typeof sec !== 'number' || typeof usec !== 'number' || !Number.isFinite(sec) || !Number.isFinite(usec)) return { error: W.WSAEFAULT };
    return Math.min(INFINITE - 1, Math.max(0, Math.trunc(sec) * 1000 + Math.ceil(Math.trunc(usec) / 1000)));
  } catch {
    return { error: W.WSAEFAULT };
  }
}

/** poll() bits a socket needs for a question about set `which`. */
function selectEvents(which: number): number {
  return which === READ ? L.POLLIN | L.POLLRDHUP : which === WRITE ? L.POLLOUT : L.POLLPRI;
}

/** Whether `sock` is ready for set `which`, given poll()'s revents (Windows' meaning, module comment). */
function selectReady(sock: LinuxSocket, which: number, revents: number): boolean {
  if (revents <= 0) return false;
  if (sock.type !== C.SOCK_STREAM) {
    if (which === READ) return (revents & (L.POLLIN | L.POLLERR)) !== 0;
    return which === WRITE && (revents & L.POLLOUT) !== 0;
  }
  const state = tcpState(sock.fd);
  if (state === TCP_STATE.LISTEN) return which === READ && (revents & L.POLLIN) !== 0;
  if (state === TCP_STATE.SYN_SENT) return which === EXCEPT && (revents & L.POLLERR) !== 0;
  if (state === TCP_STATE.CLOSE) {
    // Never connected (Linux says POLLOUT | POLLHUP): nothing; a failed connect: exceptfds.
    return which === EXCEPT && (revents & L.POLLERR) !== 0;
  }
  if (which === READ) return (revents & (L.POLLIN | L.POLLHUP | L.POLLERR | L.POLLRDHUP)) !== 0;
  if (which === WRITE) return (revents & L.POLLOUT) !== 0;
  return (revents & L.POLLPRI) !== 0 && !oobInline(sock.fd);
}

function selectPlan(readfds: unknown, writefds: unknown, exceptfds: unknown, timeout: unknown): SelectPlan | number {
  const sets = [readfds, writefds, exceptfds];
  const members: LinuxSocket[][] = [];
  for (const set of sets) {
    const list = membersOf(set);
    if (typeof list === 'number') return list;
    members.push(list);
  }
  if (members.every((list) => list.length === 0)) return W.WSAEINVAL;
  const timeoutMs = timevalMs(timeout);
  if (typeof timeoutMs === 'object') return timeoutMs.error;
  const targets = members.flatMap((list, which) => list.map((sock): Target => ({ sock, events: selectEvents(which), quiet: false })));
  return { sets: sets as Array<fd_set | null>, members, targets, timeoutMs };
}

/** The answer once something is ready: the sets cut to their ready sockets, and the count. */
function selectAnswer(plan: SelectPlan): (revents: number[]) => number | undefined {
  return (revents) => {
    let at = 0;
    const ready = plan.members.map((list, which) => list.filter(() => true).map((sock) => selectReady(sock, which, revents[at++]!)));
    const count = ready.reduce((sum, flags) => sum + flags.filter(Boolean).length, 0);
    if (count === 0) return undefined;
    writeSets(plan, ready);
    return count;
  };
}

function writeSets(plan: SelectPlan, ready: boolean[][]): void {
  plan.sets.forEach((set, which) => {
    if (!set) return;
    const kept = plan.members[which]!.filter((_, i) => ready[which]![i]).map((sock) => sock.handle);
    set.fd_array.length = 0;
    set.fd_array.push(...kept);
    set.fd_count = kept.length;
  });
}

/** Nothing became ready in time: every set is emptied, the result is 0. */
function selectTimeout(plan: SelectPlan): number {
  writeSets(plan, plan.members.map((list) => list.map(() => false)));
  return 0;
}

export function select(_nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): number {
  const plan = selectPlan(readfds, writefds, exceptfds, timeout);
  if (typeof plan === 'number') return fail(plan);
  const answer = selectAnswer(plan);
  const now = answer(look(plan.targets));
  if (now !== undefined) return ok(now);
  if (plan.timeoutMs === 0) return ok(selectTimeout(plan));
  const result = runSync(readinessWait(plan.targets, answer, plan.timeoutMs, -1));
  return ok(result === -1 ? selectTimeout(plan) : result);
}

export async function selectAsync(_nfds: number, readfds: fd_set | null, writefds: fd_set | null, exceptfds: fd_set | null, timeout: TIMEVAL | null): Promise<number> {
  const plan = selectPlan(readfds, writefds, exceptfds, timeout);
  if (typeof plan === 'number') return fail(plan);
  const answer = selectAnswer(plan);
  const result = await runAsync(readinessWait(plan.targets, answer, plan.timeoutMs, -1));
  return ok(result === -1 ? selectTimeout(plan) : result);
}

// ---- WSAPoll -----------------------------------------------------------------------------------------

interface PollPlan {
  entries: WSAPOLLFD[];
  /** The socket of each entry, or null for a handle that is not one (POLLNVAL). */
  sockets: Array<LinuxSocket | null>;
  targets: Target[];
  timeoutMs: number;
}

const ASKABLE = C.POLLRDNORM | C.POLLRDBAND | C.POLLPRI | C.POLLWRNORM | C.POLLWRBAND;

function pollEvents(events: number): number {
  return (events & C.POLLRDNORM ? L.POLLIN : 0) | (events & (C.POLLRDBAND | C.POLLPRI) ? L.POLLPRI : 0)
    | (events & (C.POLLWRNORM | C.POLLWRBAND) ? L.POLLOUT : 0) | L.POLLRDHUP;
}

/** Windows revents for `sock` from poll()'s, limited to what was asked plus the conditions always told. */
function windowsRevents(sock: LinuxSocket, events: number, revents: number): number {
  if (revents <= 0) return 0;
  let out = 0;
  if (revents & L.POLLIN) out |= C.POLLRDNORM;
  if (revents & L.POLLPRI) out |= C.POLLRDBAND;
  if (revents & L.POLLOUT) out |= C.POLLWRNORM;
  if (revents & L.POLLERR) out |= C.POLLERR;
  if (revents & L.POLLHUP || (sock.type === C.SOCK_STREAM && revents & L.POLLRDHUP)) out |= C.POLLHUP;
  return out & ((events & ASKABLE) | C.POLLERR | C.POLLHUP);
}

function pollPlan(fdArray: unknown, fds: unknown, timeout: unknown): PollPlan | number {
  if (typeof fds !== 'number' || !Number.isInteger(fds) || fds < 0 || fds > 0xffffffff) return W.WSAEINVAL;
  if (fds === 0) return W.WSAEINVAL;
  if (!Array.isArray(fdArray) || fdArray.length < fds) return W.WSAEFAULT;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout)) return W.WSAEINVAL;
  const entries: WSAPOLLFD[] = [];
  const sockets: Array<LinuxSocket | null> = [];
  try {
    for (let i = 0; i < fds; i++) {
      const entry: unknown = fdArray[i];
      if (entry === null || typeof entry !== 'object') return W.WSAEFAULT;
      const e = entry as WSAPOLLFD;
      if (typeof e.events !== 'number' || !Number.isInteger(e.events)) return W.WSAEFAULT;
      const revents = e.revents;
      e.revents = revents; // revents is written: it must be writable (C's bad pointer otherwise)
      const sock = socketFor(e.fd);
      if (sock === W.WSANOTINITIALISED) return sock;
      sockets.push(typeof sock === 'number' ? null : sock);
      entries.push(e);
    }
  } catch {
    return W.WSAEFAULT;
  }
  const targets = sockets.flatMap((sock, i) => (sock ? [{ sock, events: pollEvents(entries[i]!.events), quiet: false }] : []));
  const timeoutMs = timeout < 0 ? INFINITE : Math.min(timeout, INFINITE - 1);
  return { entries, sockets, targets, timeoutMs };
}

/** revents of every entry; the count of entries with any, or undefined while none has. */
function pollAnswer(plan: PollPlan): (revents: number[]) => number | undefined {
  return (revents) => {
    let at = 0;
    const out = plan.sockets.map((sock, i) => (sock ? windowsRevents(sock, plan.entries[i]!.events, revents[at++]!) : C.POLLNVAL));
    const count = out.filter((r) => r !== 0).length;
    if (count === 0) return undefined;
    out.forEach((r, i) => {
      plan.entries[i]!.revents = r;
    });
    return count;
  };
}

function pollTimeout(plan: PollPlan): number {
  for (const entry of plan.entries) entry.revents = 0;
  return 0;
}

export function WSAPoll(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): number {
  const plan = pollPlan(fdArray, fds, timeout);
  if (typeof plan === 'number') return fail(plan);
  const answer = pollAnswer(plan);
  const now = answer(look(plan.targets));
  if (now !== undefined) return ok(now);
  if (plan.timeoutMs === 0) return ok(pollTimeout(plan));
  const result = runSync(readinessWait(plan.targets, answer, plan.timeoutMs, -1));
  return ok(result === -1 ? pollTimeout(plan) : result);
}

export async function WSAPollAsync(fdArray: WSAPOLLFD[] | null, fds: number, timeout: number): Promise<number> {
  const plan = pollPlan(fdArray, fds, timeout);
  if (typeof plan === 'number') return fail(plan);
  const answer = pollAnswer(plan);
  const result = await runAsync(readinessWait(plan.targets, answer, plan.timeoutMs, -1));
  return ok(result === -1 ? pollTimeout(plan) : result);
}
