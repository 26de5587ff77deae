/**
 * The shape of the conformance suite: a scenario is data (what it uses, what Windows returns, where
 * that fact comes from) plus one small function that performs the call(s) and reports what it saw
 * as plain JSON. Everything a scenario reports is compared with what Windows returns; host-dependent
 * outputs (interface lists, addresses, timings) are turned into stable facts by the scenario itself.
 */

/** The two backends the suite runs on. */
export type Backend = 'linux' | 'windows';

/** JSON values an observation is made of. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
export type Observation = { [key: string]: Value };

/** How the WSAIoctl call is made (Winsock's calling modes). */
export type Mode =
  | 'plain' // lpOverlapped and lpCompletionRoutine NULL
  | 'overlapped+port' // WSAOVERLAPPED, socket associated with an I/O completion port
  | 'overlapped+event' // WSAOVERLAPPED with hEvent, result through WSAGetOverlappedResult
  | 'completion-routine' // WSAOVERLAPPED + completion routine, delivered in an alertable SleepEx
  | 'other'; // not a WSAIoctl call (WSAStartup, recvfrom, ...)

/**
 * What a backend must offer for a scenario to be meaningful there. A backend without it gets the
 * verdict "not implemented on this backend yet" for that scenario, not a failure.
 */
export type Capability = 'overlapped-ioctl' | 'events' | 'ports' | 'apc' | 'event-select' | 'data-path';

/** The sockets scenarios use (documentation; the Context makes them). */
export type SocketKind =
  | 'tcp-fresh' // socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
  | 'tcp-pair' // connected pair on 127.0.0.1 (client + accepted server)
  | 'tcp-listening' // bound to 127.0.0.1:0, listening
  | 'tcp-non-overlapped' // WSASocketW(..., dwFlags 0)
  | 'tcp6-fresh'
  | 'udp-fresh'
  | 'udp-bound' // bound to 127.0.0.1:0
  | 'udp-queued' // bound to 127.0.0.1:0 with datagrams waiting
  | 'udp-nonblocking'
  | 'udp6-fresh'
  | 'udp6-queued' // bound to [::1]:0 with datagrams waiting
  | 'closed-handle' // a SOCKET that was closed
  | 'bogus-handle' // a number that was never a SOCKET
  | 'raw-ip' // socket(AF_INET, SOCK_RAW, IPPROTO_IP), unbound (needs administrator / CAP_NET_RAW)
  | 'raw-ip-wildcard' // the same, bound to 0.0.0.0
  | 'raw-ip-bound' // the same, bound to 127.0.0.1
  | 'raw-udp-bound' // socket(AF_INET, SOCK_RAW, IPPROTO_UDP) bound to 127.0.0.1 (SIO_RCVALL_MCAST's)
  | 'raw-igmp-bound' // socket(AF_INET, SOCK_RAW, IPPROTO_IGMP) bound to 127.0.0.1 (SIO_RCVALL_IGMPMCAST's)
  | 'none';

/** How sure we are of the expected Windows result. */
export type Basis =
  /** A Windows measurement: a line of Wine's dlls/ws2_32/tests (which pass on Windows) without todo_wine. */
  | 'measured'
  /** The Winsock reference pages say so. */
  | 'documented'
  /** Not measured or documented: the closest rule that is (says which in `source`). */
  | 'inferred';

export interface Scenario {
  /** Stable id, used by wine-differences.json: `<CODE or area>.<case>[.<mode>]`. */
  id: string;
  /** Catalogue name of the control code under test, when the scenario is about one code. */
  code?: string;
  title: string;
  mode: Mode;
  sockets: SocketKind[];
  /** The call(s), as a C programmer would read them (for the report). */
  call: string;
  /** What Windows returns. */
  expected: Observation;
  basis: Basis;
  /** Where the expectation comes from. */
  source: string;
  needs?: Capability[];
  /** Run on one backend only, and why. */
  only?: { backend: Backend; reason: string };
  /** Runs before WSAStartup (the runner calls these first, in a fresh process). */
  beforeStartup?: boolean;
  run(ctx: Context): Observation | Promise<Observation>;
}

/** What a scenario's `run` gets: socket makers (closed afterwards) and small waits. */
export interface Context {
  readonly backend: Backend;
  tcp(): number;
  tcp6(): number;
  tcpPair(): { client: number; server: number };
  tcpListening(): number;
  tcpNonOverlapped(): number;
  udp(): number;
  udp6(): number;
  udpBound(address?: string): number;
  /** A socket bound to loopback with datagrams of these sizes waiting (sent from another socket). */
  udpQueued(sizes: readonly number[], family?: 4 | 6): number;
  closedHandle(): number;
  bogusHandle(): number;
  /** An I/O completion port with `s` associated under `key`. */
  port(s: number, key: number): number;
  event(): number;
  /** Register something to close at the end (sockets by default). */
  track(s: number): number;
  /** Close a socket now (and not again at the end). */
  closeNow(s: number): number;
  sleep(ms: number): void;
}

/** One scenario's outcome on one backend. */
export interface RunResult {
  id: string;
  observed?: Observation;
  /** The backend lacks a capability the scenario needs. */
  missing?: Capability[];
  /** The scenario is for the other backend only. */
  notRun?: string;
  /** The scenario threw or timed out: a bug in the suite or a crash in the backend. */
  crashed?: string;
  ms: number;
}

/** What `run.js` prints (the last line of its stdout). */
export interface RunReport {
  backend: Backend;
  backendName: string;
  platform: string;
  node: string;
  capabilities: Record<Capability, boolean>;
  results: RunResult[];
}
