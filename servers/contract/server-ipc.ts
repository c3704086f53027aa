/**
 * Contract (servers/contract/). Imported by the server process (servers/main.ts, servers/start.ts and
 * the counters and upstream whose snapshots it reports) and by its parents: the orchestrator, the
 * metrics computed from server stats (bench/metrics.ts) and the throughput side benchmark.
 *
 * Messages between the orchestrator and a server process (over the Node IPC channel), and the stats
 * snapshot a server sends back.
 */
import type { ProcessStats } from './process-stats.ts';
import type { LagSummary } from './lag.ts';

/** Server-side socket and request counters (servers/counters.ts counts them at the socket). */
export interface CounterSnapshot {
  tcpAccepted: number;
  openSockets: number;
  httpRequests: number;
  wsHandshakes: number;
  /**
   * Upstream messages (upstream-message.ts): read whole and valid (stamped and echoed), echoes
   * written, and messages refused (too large: 413 / close 1009; malformed: 400 / close 1003, 1007, 1008).
   */
  messagesReceived: number;
  echoesSent: number;
  messagesRefused: number;
  /**
   * Requests and WebSocket upgrades refused: Host not this server's (421, DNS rebinding), Origin not
   * allowed (403). Optional only so that snapshots written by hand (tests, older fixtures) stay valid;
   * ServerCounters always reports both.
   */
  hostRefused?: number;
  originRefused?: number;
  /**
   * Server limits reached (server-limits.ts): connections refused past maxConnections, poll answers
   * cut to catchUpMaxEvents. Present once a limit was reached (absent: none reached).
   */
  connectionsRefused?: number;
  catchUpCapped?: number;
  /** WebSocket and SSE clients dropped for leaving more than the limit's bytes unread (servers/slow-consumer.ts). */
  slowConsumersDropped: number;
  /**
   * Keep-alives sent (WebSocket pings, SSE comment lines; servers/keep-alive.ts). Every server reports
   * it; optional so that snapshots written by hand before issue 12 (test fixtures) still type-check.
   */
  keepAlivesSent?: number;
  /** Bytes read from / written to client sockets, including sockets already closed. */
  bytesIn: number;
  bytesOut: number;
  /** HTTP/2 streams opened by clients (one per request); present only on an HTTP/2 server. */
  http2Streams?: number;
}

/** The server's link to its upstream: the publisher (servers/upstream.ts) or Redis (servers/redis-upstream.ts). */
export interface UpstreamStats {
  /** The publisher's or redis-server's address. */
  host: string;
  port: number;
  /** Behind `--broker redis`: the stream key it reads (absent on the publisher's TCP feed). */
  stream?: string;
  connected: boolean;
  /** Successful connections (1 unless the upstream dropped). */
  connects: number;
  /** Lines that were not valid events (each one drops the connection, which then resumes); stream entries that were not (skipped). */
  protocolErrors: number;
  lastError: string | null;
  /** Arrival lag since the last window reset, µs. */
  arrivalLag: LagSummary;
}

export interface ServerStats {
  process: ProcessStats;
  counters: CounterSnapshot;
  /** Present for feed servers. `upstream` is null for an in-process feed (tests). */
  feed?: {
    latestSeq: number;
    subscribers: number;
    duplicateEvents: number;
    gapEvents: number;
    upstream: UpstreamStats | null;
  };
  gauges: Record<string, number>;
  /** Present when the server is a group of processes (config `processes` > 1): servers/cluster-stats.ts merged it. */
  cluster?: ClusterStats;
}

/**
 * A server group (servers/cluster-primary.ts): the rest of ServerStats is merged over its processes,
 * and this keeps each one's share, so a report can show the balance and a test can find a worker.
 */
export interface ClusterStats {
  /** Worker processes configured (the primary is one more). */
  workers: number;
  scheduling: 'rr' | 'none';
  /** Workers that died and were replaced. */
  workerRestarts: number;
  /**
   * Of those, workers that died without a final snapshot (killed from outside or crashed): their
   * counters and CPU after their last snapshot are missing from the merged figures (an undercount).
   * A worker killed through `kill-worker` is snapshotted first and is not counted here.
   */
  exitsUncounted: number;
  /**
   * Stats requests a living worker did not answer within the primary's timeout, since the group
   * started: each time its last snapshot, stale, was merged instead (its counters and CPU since then
   * missing: an undercount, as for exitsUncounted).
   */
  staleSnapshots: number;
  /** The primary first, then the workers by index; dead workers stay with their last figures. */
  members: ClusterMember[];
}

export interface ClusterMember {
  pid: number;
  role: 'primary' | 'worker';
  /** The worker's slot (0..workers-1; a replacement takes its predecessor's); -1 for the primary. */
  index: number;
  alive: boolean;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  eluActiveMs: number;
  eluIdleMs: number;
  loopDelayP99Us: number;
  /** Feed subscribers and client sockets open (0 for the primary: connections are served by the workers). */
  subscribers: number;
  openSockets: number;
  tcpAccepted: number;
  bytesOut: number;
}

/**
 * `gc` runs a full collection first (the orchestrator starts servers with --expose-gc); `resetWindow`
 * starts a new measurement window for loop delay and feed arrival lag (read, then reset).
 */
export type ToServer =
  | { type: 'stats'; id: number; resetWindow: boolean; gc: boolean }
  | { type: 'stop' }
  /**
   * A server group only (tests, resilience work): snapshot worker `index` (so its counters are kept
   * exactly), SIGKILL it, answer `worker-killed`; the primary then replaces it.
   */
  | { type: 'kill-worker'; index: number };

export type FromServer =
  /** listeningNs: nowNs() just before the server called listen() (decimal string): a restart's recovery counts from it. */
  | { type: 'ready'; port: number; pid: number; listeningNs: string }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'fatal'; message: string }
  | { type: 'worker-killed'; index: number; pid: number };
