/**
 * One ServerStats for a group of server processes (servers/cluster-primary.ts), merged from the
 * workers' own snapshots and the primary's process figures, so the orchestrator and the metrics read
 * a group exactly as they read one process. Pure: the primary keeps the state (EluWindow) between calls.
 *
 * - Counters (bytes, requests, connections...) are summed over every worker that ever ran, a dead one
 *   with its last snapshot, so they never go backwards when a worker dies; `openSockets` is a gauge,
 *   summed over the living only.
 * - CPU time is summed over the workers (dead ones too, as counters) AND the primary: with round-robin
 *   scheduling the primary accepts every connection and passes it on, and that is the group's cost.
 *   Memory (RSS, heap) and active resources are summed over the living processes, the primary included.
 * - Event-loop figures are the worst process's (a saturated process delays its own clients whatever
 *   the others do): loop delay, each field the largest of any living process; utilisation that of the
 *   busiest process since the last window reset (see EluWindow).
 * - Feed: subscribers summed, duplicates and gaps summed, latestSeq the lowest (what every process
 *   has). Upstream: connects and errors summed, connected only when every one is; its arrival lag is
 *   merged exactly from the workers' encoded histograms (mergeArrivalLag). Other upstream fields are
 *   the first worker's.
 * - Transport gauges: summed (open streams, parked requests), except peaks (a name containing "Peak",
 *   e.g. clientBufferedPeakBytes), which are the largest.
 */
import { mergeLagHistograms, type LagSummary } from './contract/lag.ts';
import type { ProcessStats } from './contract/process-stats.ts';
import type {
  ClusterMember,
  ClusterStats,
  CounterSnapshot,
  ServerStats,
  UpstreamStats,
} from './contract/server-ipc.ts';

export interface WorkerPart {
  pid: number;
  index: number;
  alive: boolean;
  /** Its latest snapshot (a dead worker's last one); undefined if it never answered one. */
  stats: ServerStats | undefined;
}

/**
 * The group's event-loop utilisation is reported as cumulative active and idle times whose difference
 * between any snapshot and the last window reset is exactly the busiest process's over that span:
 * at each snapshot, base + the busiest process's (active, idle) since the reset (a process started
 * since then counts from its start). A reset makes what it reports the new base. Spans that cross a
 * reset mix two processes' figures; the orchestrator's window starts at a reset, so its utilisation is
 * one process's, the busiest.
 */
export interface EluWindow {
  baseActiveMs: number;
  baseIdleMs: number;
  /** Each living process's cumulative (active, idle) at the last reset, by pid. */
  atReset: ReadonlyMap<number, { activeMs: number; idleMs: number }>;
}

export const FRESH_ELU_WINDOW: EluWindow = { baseActiveMs: 0, baseIdleMs: 0, atReset: new Map() };

export interface ClusterInput {
  primary: { pid: number; process: ProcessStats };
  workers: readonly WorkerPart[];
  workersConfigured: number;
  scheduling: ClusterStats['scheduling'];
  workerRestarts: number;
  exitsUncounted: number;
  staleSnapshots: number;
  eluWindow: EluWindow;
  resetWindow: boolean;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const max = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

/** Counter keys that are gauges (what is open now), summed over the living only. */
const COUNTER_GAUGES = new Set<string>(['openSockets']);

function mergeCounters(all: readonly CounterSnapshot[], living: readonly CounterSnapshot[]): CounterSnapshot {
  const merged: Record<string, number> = {};
  for (const snapshot of all)
    for (const [key, value] of Object.entries(snapshot) as [string, number | undefined][])
      if (!COUNTER_GAUGES.has(key) && value !== undefined) merged[key] = (merged[key] ?? 0) + value;
  for (const key of COUNTER_GAUGES)
    merged[key] = sum(living.map((c) => (c as unknown as Record<string, number | undefined>)[key] ?? 0));
  return merged as unknown as CounterSnapshot;
}

function mergeGauges(living: readonly Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const gauges of living)
    for (const [key, value] of Object.entries(gauges))
      merged[key] = key.includes('Peak') ? Math.max(merged[key] ?? 0, value) : (merged[key] ?? 0) + value;
  return merged;
}

export function mergeUpstream(list: readonly UpstreamStats[]): UpstreamStats | null {
  if (list.length === 0) return null;
  return {
    ...list[0]!,
    connected: list.every((u) => u.connected),
    connects: sum(list.map((u) => u.connects)),
    protocolErrors: sum(list.map((u) => u.protocolErrors)),
    lastError: list.find((u) => u.lastError !== null)?.lastError ?? null,
    arrivalLag: mergeArrivalLag(list.map((u) => u.arrivalLag)),
  };
}

/**
 * Exact from the workers' histograms (every worker sends its own: servers/upstream.ts). Without one
 * (a summary written by hand), bounds: p99 the largest p99 (no more than 1% of any part lies above
 * it, so none of the union's), p50 absent (a missing figure, not a zero), flagged `percentilesUpperBound`.
 */
function mergeArrivalLag(parts: readonly LagSummary[]): LagSummary {
  const encoded = parts.flatMap((p) => (p.histogram === undefined ? [] : [p.histogram]));
  // The max as the workers recorded it: a decoded histogram knows only its bucket's top.
  if (encoded.length === parts.length) return { ...mergeLagHistograms(encoded), maxUs: max(parts.map((p) => p.maxUs)) };
  const events = sum(parts.map((p) => p.events));
  return {
    events,
    meanUs: events > 0 ? sum(parts.map((p) => p.meanUs * p.events)) / events : 0,
    p99Us: max(parts.map((p) => p.p99Us)),
    maxUs: max(parts.map((p) => p.maxUs)),
    percentilesUpperBound: true,
  };
}

/** The busiest living process since the last reset, as cumulative figures; and the window after this snapshot. */
function worstElu(
  window: EluWindow,
  living: readonly { pid: number; process: ProcessStats }[],
  reset: boolean,
): { activeMs: number; idleMs: number; next: EluWindow } {
  let worst = { activeMs: 0, idleMs: 0, utilisation: -1 };
  for (const { pid, process: p } of living) {
    const from = window.atReset.get(pid) ?? { activeMs: 0, idleMs: 0 };
    const activeMs = p.eluActiveMs - from.activeMs;
    const idleMs = p.eluIdleMs - from.idleMs;
    const utilisation = activeMs + idleMs > 0 ? activeMs / (activeMs + idleMs) : 0;
    if (utilisation > worst.utilisation) worst = { activeMs, idleMs, utilisation };
  }
  const activeMs = window.baseActiveMs + Math.max(0, worst.activeMs);
  const idleMs = window.baseIdleMs + Math.max(0, worst.idleMs);
  const next: EluWindow = reset
    ? {
        baseActiveMs: activeMs,
        baseIdleMs: idleMs,
        atReset: new Map(living.map(({ pid, process: p }) => [pid, { activeMs: p.eluActiveMs, idleMs: p.eluIdleMs }])),
      }
    : window;
  return { activeMs, idleMs, next };
}

function member(pid: number, role: ClusterMember['role'], index: number, alive: boolean, s: ServerStats | undefined) {
  const p = s?.process;
  return {
    pid,
    role,
    index,
    alive,
    cpuUserUs: p?.cpuUserUs ?? 0,
    cpuSystemUs: p?.cpuSystemUs ?? 0,
    rssBytes: alive ? (p?.rssBytes ?? 0) : 0,
    heapUsedBytes: alive ? (p?.heapUsedBytes ?? 0) : 0,
    eluActiveMs: p?.eluActiveMs ?? 0,
    eluIdleMs: p?.eluIdleMs ?? 0,
    loopDelayP99Us: p?.loopDelay.p99Us ?? 0,
    subscribers: alive ? (s?.feed?.subscribers ?? 0) : 0,
    openSockets: alive ? (s?.counters.openSockets ?? 0) : 0,
    tcpAccepted: s?.counters.tcpAccepted ?? 0,
    bytesOut: s?.counters.bytesOut ?? 0,
  } satisfies ClusterMember;
}

/** The group's stats, and the ELU window to keep for the next call. */
export function mergeClusterStats(input: ClusterInput): { stats: ServerStats; eluWindow: EluWindow } {
  const answered = input.workers.filter((w): w is WorkerPart & { stats: ServerStats } => w.stats !== undefined);
  const living = answered.filter((w) => w.alive);
  const primary = input.primary.process;
  const livingProcesses = [primary, ...living.map((w) => w.stats.process)];
  const allProcesses = [primary, ...answered.map((w) => w.stats.process)];
  const elu = worstElu(
    input.eluWindow,
    [input.primary, ...living.map((w) => ({ pid: w.pid, process: w.stats.process }))],
    input.resetWindow,
  );
  const atNs = livingProcesses.reduce((latest, p) => (BigInt(p.atNs) > latest ? BigInt(p.atNs) : latest), 0n);
  const loopDelay = (key: keyof ProcessStats['loopDelay']) => max(livingProcesses.map((p) => p.loopDelay[key]));
  const process: ProcessStats = {
    atNs: atNs.toString(),
    cpuUserUs: sum(allProcesses.map((p) => p.cpuUserUs)),
    cpuSystemUs: sum(allProcesses.map((p) => p.cpuSystemUs)),
    rssBytes: sum(livingProcesses.map((p) => p.rssBytes)),
    heapUsedBytes: sum(livingProcesses.map((p) => p.heapUsedBytes)),
    heapTotalBytes: sum(livingProcesses.map((p) => p.heapTotalBytes)),
    externalBytes: sum(livingProcesses.map((p) => p.externalBytes)),
    activeResources: sum(livingProcesses.map((p) => p.activeResources ?? 0)),
    eluActiveMs: elu.activeMs,
    eluIdleMs: elu.idleMs,
    loopDelay: {
      meanUs: loopDelay('meanUs'),
      p50Us: loopDelay('p50Us'),
      p99Us: loopDelay('p99Us'),
      maxUs: loopDelay('maxUs'),
    },
  };
  const feeds = answered.flatMap((w) => (w.stats.feed ? [{ alive: w.alive, feed: w.stats.feed }] : []));
  const livingFeeds = feeds.filter((f) => f.alive).map((f) => f.feed);
  const stats: ServerStats = {
    process,
    counters: mergeCounters(
      answered.map((w) => w.stats.counters),
      living.map((w) => w.stats.counters),
    ),
    ...(feeds.length > 0 && {
      feed: {
        latestSeq: livingFeeds.length ? Math.min(...livingFeeds.map((f) => f.latestSeq)) : 0,
        subscribers: sum(livingFeeds.map((f) => f.subscribers)),
        duplicateEvents: sum(feeds.map((f) => f.feed.duplicateEvents)),
        gapEvents: sum(feeds.map((f) => f.feed.gapEvents)),
        upstream: mergeUpstream(livingFeeds.flatMap((f) => (f.upstream ? [f.upstream] : []))),
      },
    }),
    gauges: mergeGauges(living.map((w) => w.stats.gauges)),
    cluster: {
      workers: input.workersConfigured,
      scheduling: input.scheduling,
      workerRestarts: input.workerRestarts,
      exitsUncounted: input.exitsUncounted,
      staleSnapshots: input.staleSnapshots,
      members: [
        member(input.primary.pid, 'primary', -1, true, {
          process: primary,
          counters: { openSockets: 0, tcpAccepted: 0, bytesOut: 0 } as CounterSnapshot,
          gauges: {},
        }),
        ...input.workers.map((w) => member(w.pid, 'worker', w.index, w.alive, w.stats)),
      ],
    },
  };
  return { stats, eluWindow: elu.next };
}
