/**
 * Socket readiness, edge-triggered: one epoll instance per JS thread, one registration per fd
 * (EPOLLET, the union of what its subscribers want), shared by every subscriber of that fd.
 *
 * The kernel queues an edge on the epoll instance whenever the fd's wait queue is woken with a
 * wanted condition (data arrived, a connection completed, write space freed, FIN / RST, an
 * error), whether or not this thread is running JS at that moment: that queue is the record of
 * what happened, independent of who is looking. It is emptied (and the edges dispatched) by
 * `drainReadiness()`, which runs
 *   - in every wait of this thread: the epoll fd is a reactor source (reactor.ts), so the one
 *     blocking wait (wait.ts) and the event loop's async poll (scheduler.ts) service it;
 *   - before any call that must see what already happened (a subscriber calls it itself, e.g.
 *     WSAEnumNetworkEvents, or a receive that re-enables FD_READ).
 *
 * An edge says "look now", not "this is the state": a subscriber reads the fd's current state when
 * called (an edge may be stale by then). Two phases per drain: every `io` subscriber (the data
 * path: a pending receive takes its data) sees the batch before any `observe` subscriber (the
 * WSAEventSelect recording), so what a pending operation consumed is not also reported as readable,
 * as on Windows. `rearm(fd)` asks the kernel to report the fd once more if a wanted condition holds
 * now (EPOLL_CTL_MOD re-checks the level): how a re-enabled event sees a condition that already
 * held. Waiting on the epoll fd costs no CPU (docs/principles.md, principle 5); an fd without
 * subscribers is not registered, and the epoll fd itself is closed when the last one goes.
 *
 * struct epoll_event: `uint32 events; uint64 data` — packed (12 bytes, data @4) on x86_64, naturally
 * aligned (16 bytes, data @8) elsewhere. `data` carries the fd number.
 */
import * as libc from '../host/libc.js';
import { L, E } from '../host/libc.js';
import { closeOwnedFd, noteOpened } from '../host/thread-fds.js';
import { addSource } from './reactor.js';

/** Who runs first when an fd is ready: the data path (`io`), then event recording (`observe`). */
export type ReadinessPhase = 'io' | 'observe';

/**
 * One subscription: what it asks for and who is told. An object rather than a closure so a caller
 * with thousands of subscriptions (one per socket with a pending transfer) can make it its own
 * state object, with the handler on its prototype. `interest` may change while subscribed: call
 * rearm(fd) afterwards so the registration asks for the new union.
 */
export interface Subscriber {
  interest: number;
  readonly phase: ReadinessPhase;
  onReady(events: number): void;
}

interface Registration {
  readonly fd: number;
  /** In subscription order; most fds have one. */
  readonly subscribers: Subscriber[];
  /** This registration has been given to epoll (false: new, EPOLL_CTL_ADD comes first). */
  added: boolean;
}

const PACKED = process.arch === 'x64';
const EVENT_SIZE = PACKED ? 12 : 16;
const DATA_OFFSET = PACKED ? 4 : 8;
/** Edges taken per epoll_wait, and at most this many rounds per drain (bounded work per call). */
const BATCH = 64;
const MAX_ROUNDS = 16;
/** Conditions reported whatever is asked (poll(2)); always dispatched. */
const ALWAYS = L.POLLERR | L.POLLHUP;

const registrations = new Map<number, Registration>();
let epfd = -1;
let removeSource: (() => void) | null = null;
let draining = false;
const one = new Uint8Array(EVENT_SIZE);
const oneView = new DataView(one.buffer);
const batch = new Uint8Array(EVENT_SIZE * BATCH);
const batchView = new DataView(batch.buffer);
/** One drain's edges (fd, events), gathered before any is dispatched; reused (drains do not nest). */
const edgeFds = new Int32Array(BATCH * MAX_ROUNDS);
const edgeEvents = new Uint32Array(BATCH * MAX_ROUNDS);

/**
 * Call `subscriber.onReady(events)` (POLL* bits, Linux values) at each edge of a condition in its
 * `interest` (POLLIN, POLLOUT, POLLPRI, POLLRDHUP; POLLERR and POLLHUP always count), until
 * unsubscribe(fd, subscriber). A subscription on an fd that cannot be registered (closed, not
 * pollable) never fires; unsubscribing it is still safe.
 */
export function subscribe(fd: number, subscriber: Subscriber): void {
  let registration = registrations.get(fd);
  if (!registration) {
    registration = { fd, subscribers: [subscriber], added: false };
    registrations.set(fd, registration);
  } else if (!registration.subscribers.includes(subscriber)) {
    registration.subscribers.push(subscriber);
  }
  register(registration);
}

/** End `subscriber`'s subscription to `fd` (nothing when it has none); the last one unregisters the fd. */
export function unsubscribe(fd: number, subscriber: Subscriber): void {
  const registration = registrations.get(fd);
  const at = registration ? registration.subscribers.indexOf(subscriber) : -1;
  if (!registration || at < 0) return;
  registration.subscribers.splice(at, 1);
  if (registration.subscribers.length > 0) {
    register(registration);
    return;
  }
  registrations.delete(fd);
  if (epfd >= 0) libc.epoll_ctl(epfd, L.EPOLL_CTL_DEL, fd, null);
  if (registrations.size === 0) closeEpoll();
}

/** Report `fd` once more if a subscribed condition holds now (no-op when nobody subscribed to it). */
export function rearm(fd: number): void {
  const registration = registrations.get(fd);
  if (registration) register(registration);
}

/** Take every queued edge and dispatch it (`io` subscribers first, then `observe`). */
export function drainReadiness(): void {
  drain(0);
}

/**
 * drainReadiness, waiting up to `timeoutMs` (-1: forever) for a first edge: the reactor's wait
 * when readiness is its only source. False when a drain is already under way.
 */
function drain(timeoutMs: number): boolean {
  if (draining || epfd < 0) return false;
  draining = true;
  try {
    let count = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const n = libc.epoll_wait(epfd, batch, BATCH, round === 0 ? timeoutMs : 0);
      for (let i = 0; i < n; i++) {
        const at = i * EVENT_SIZE;
        // `data` holds the fd (written below as a 64-bit value): its low half is the number.
        edgeFds[count] = batchView.getInt32(at + DATA_OFFSET, true);
        edgeEvents[count++] = batchView.getUint32(at, true);
      }
      if (n < BATCH) break;
    }
    for (let i = 0; i < count; i++) dispatch(edgeFds[i]!, edgeEvents[i]!, 'io');
    for (let i = 0; i < count; i++) dispatch(edgeFds[i]!, edgeEvents[i]!, 'observe');
  } finally {
    draining = false;
  }
  return true;
}

function dispatch(fd: number, events: number, phase: ReadinessPhase): void {
  const registration = registrations.get(fd);
  if (!registration) return;
  const { subscribers } = registration;
  if (subscribers.length === 1) {
    notify(subscribers[0]!, events, phase);
    return;
  }
  // A handler may (un)subscribe: walk a copy, skipping whoever left meanwhile.
  for (const subscriber of subscribers.slice()) {
    if (subscribers.includes(subscriber)) notify(subscriber, events, phase);
  }
}

function notify(subscriber: Subscriber, events: number, phase: ReadinessPhase): void {
  if (subscriber.phase !== phase) return;
  const relevant = events & (subscriber.interest | ALWAYS);
  if (!relevant) return;
  try {
    subscriber.onReady(relevant);
  } catch {
    // One subscriber's bug must not keep the others from their edge.
  }
}

/** (Re-)register `registration` with the union of its subscribers' interest; EPOLL_CTL_MOD re-checks the level. */
function register(registration: Registration): void {
  const ep = epollFd();
  if (ep < 0) return;
  let interest = 0;
  for (const subscriber of registration.subscribers) interest |= subscriber.interest;
  oneView.setUint32(0, (interest | L.EPOLLET) >>> 0, true);
  oneView.setUint32(DATA_OFFSET, registration.fd, true);
  oneView.setUint32(DATA_OFFSET + 4, 0, true);
  // A new registration: ADD first (every registration that ends is deleted from epoll, so its fd
  // is normally not there; EEXIST: it is, and MOD follows). One that was added: MOD first (ENOENT:
  // its old file was closed and epoll forgot it; the number was reused), then ADD.
  if (!registration.added) {
    registration.added = true;
    if (libc.epoll_ctl(ep, L.EPOLL_CTL_ADD, registration.fd, one) === 0 || libc.errno() !== E.EEXIST) return;
    libc.epoll_ctl(ep, L.EPOLL_CTL_MOD, registration.fd, one);
    return;
  }
  if (libc.epoll_ctl(ep, L.EPOLL_CTL_MOD, registration.fd, one) === 0) return;
  if (libc.errno() !== E.ENOENT) return;
  libc.epoll_ctl(ep, L.EPOLL_CTL_ADD, registration.fd, one);
}

function epollFd(): number {
  if (epfd >= 0) return epfd;
  epfd = noteOpened(libc.epoll_create1(L.EPOLL_CLOEXEC));
  if (epfd < 0) return -1;
  removeSource = addSource({ fd: () => epfd, events: () => L.POLLIN, ready: drainReadiness, waitAlone: drain });
  return epfd;
}

function closeEpoll(): void {
  removeSource?.();
  removeSource = null;
  if (epfd >= 0) closeOwnedFd(epfd);
  epfd = -1;
}

/** Forget every subscription and close the epoll fd (the thread is exiting). */
export function shutdownReadiness(): void {
  registrations.clear();
  closeEpoll();
}
