/**
 * What the path adds (issue 10): each job paired with its twin that differs from it in exactly one
 * path axis (proxy none -> nginx, TLS off -> on, bare loopback -> an emulated network), everything
 * else equal (transport, rate, clients, payload, interval...), and per transport the difference:
 * latency, bytes per event each way, server CPU, server connections per client, TLS handshakes, and
 * whether the transport works on the changed path at all (every run completed, every event delivered
 * exactly once). Differences of the two jobs' medians over runs: the twins' runs are not paired, so a
 * difference of medians is all that can be said, and it is noise where it sits inside the runs' spread
 * (the job table shows [min-max]). Pure; empty for a result without such pairs (the direct path only).
 */
import type { Job, MetricKey } from '../bench/result-schema.ts';
import { medianOf, transportLabel, type JobSummary } from './aggregate.ts';
import { isEmulated, networkKey, networkText, pathText } from './path-text.ts';

export type PathAxis = 'proxy' | 'tls' | 'network';

export interface PathDeltaRow {
  transport: string;
  /** The job without the change and the job with it. */
  from: JobSummary;
  to: JobSummary;
  /** On the changed path: every run completed and no event lost or duplicated; else why not. */
  works: boolean;
  reason: string;
  /** Differences to minus from. */
  latencyP50Ms: Delta;
  latencyP99Ms: Delta;
  bytesDownPerEvent: Delta;
  bytesUpPerEvent: Delta;
  serverCpuMsPer1000Events: Delta;
  /** Both sides' medians, not a difference: a proxy's pool reads best as "1.00 -> 0.12". */
  serverConnectionsPerClient: [number, number];
  /** The changed path's own figures (NaN on cleartext). */
  tlsHandshakeBytes: number;
  tlsHandshakeMs: number;
}

/**
 * A difference of medians (NaN when either side has no completed run or no figure), and whether it is
 * within the noise: the two jobs' [min-max] ranges over runs overlap, so another set of runs could
 * order them the other way.
 */
export interface Delta {
  value: number;
  /** The two medians the difference is of. */
  from: number;
  to: number;
  withinSpread: boolean;
}

export interface PathDeltaGroup {
  axis: PathAxis;
  /** The change in words: "behind nginx", "with TLS", "over 4g". */
  change: string;
  /** The full change and what was held equal: "over 4g: 150 ms RTT, ...", "over loopback, cleartext". */
  changeText: string;
  held: string;
  /** The parameter set both jobs share, without its path ("rate=20/s clients=50 payload=256B"). */
  parameterSet: string;
  rows: PathDeltaRow[];
}

const AXES: PathAxis[] = ['proxy', 'tls', 'network'];
const PATH_KEYS = new Set(['network', 'tls', 'proxy']);

/** Everything of a job's parameters but its path: twins share it. */
function cellKey(p: Job['params']): string {
  return JSON.stringify(Object.entries(p).filter(([k]) => !PATH_KEYS.has(k)));
}

const bareLoopback = (p: Job['params']) => p.network.name === 'loopback' && !isEmulated(p.network);
const sameNetwork = (a: Job['params'], b: Job['params']) => networkKey(a.network) === networkKey(b.network);

/** Whether `from` is `to` without the change on `axis`, the two other axes equal. */
function isTwin(axis: PathAxis, from: Job['params'], to: Job['params']): boolean {
  switch (axis) {
    case 'proxy':
      return from.proxy === 'none' && to.proxy !== 'none' && from.tls === to.tls && sameNetwork(from, to);
    case 'tls':
      return !from.tls && to.tls && from.proxy === to.proxy && sameNetwork(from, to);
    case 'network':
      return bareLoopback(from) && !sameNetwork(from, to) && from.tls === to.tls && from.proxy === to.proxy;
  }
}

function changeOf(axis: PathAxis, to: Job['params']): { change: string; changeText: string; held: string } {
  const tls = to.tls ? 'TLS' : 'cleartext';
  const proxy = to.proxy === 'none' ? 'no proxy' : `behind ${to.proxy}`;
  const net = `over ${to.network.name}`;
  switch (axis) {
    case 'proxy':
      return { change: proxy, changeText: proxy, held: `${net}, ${tls}` };
    case 'tls':
      return { change: 'with TLS', changeText: 'with TLS', held: `${net}, ${proxy}` };
    case 'network':
      return { change: net, changeText: `over ${networkText(to.network)}`, held: `${tls}, ${proxy}` };
  }
}

/** The parameter set without its path: up to the payload, where bench/matrix.ts puts the path after. */
function setWithoutPath(job: Job): string {
  const payload = ` payload=${job.params.payloadBytes}B`;
  const at = job.parameterSet.indexOf(payload);
  return at >= 0 ? job.parameterSet.slice(0, at + payload.length) : job.parameterSet;
}

/** Whether the job works on its path, and in one sentence why not. */
function worksOn(s: JobSummary): { works: boolean; reason: string } {
  const reasons: string[] = [];
  const failed = s.planned - s.completed.length;
  if (failed > 0) reasons.push(`${failed} of ${s.planned} runs did not complete (${s.errors[0] ?? 'no reason given'})`);
  const total = (key: MetricKey) => s.completed.reduce((n, r) => n + (r.metrics[key]?.value ?? 0), 0);
  const unmeasured = s.completed.filter((r) => !r.metrics.events_lost || !r.metrics.events_duplicated).length;
  const lost = total('events_lost');
  const duplicated = total('events_duplicated');
  const runs = s.completed.length;
  if (lost > 0) reasons.push(`${lost.toLocaleString('en-US')} events lost over ${runs} run${runs === 1 ? '' : 's'}`);
  if (duplicated > 0)
    reasons.push(`${duplicated.toLocaleString('en-US')} events duplicated over ${runs} run${runs === 1 ? '' : 's'}`);
  if (unmeasured > 0) reasons.push(`delivery not checked in ${unmeasured} run${unmeasured === 1 ? '' : 's'}`);
  return { works: reasons.length === 0, reason: reasons.join('; ') };
}

/** The changed path's verdict; a failure the job without the change shares is not the change's doing, and the reason says so. */
function worksWithChange(from: JobSummary, to: JobSummary): { works: boolean; reason: string } {
  const verdict = worksOn(to);
  const before = worksOn(from);
  if (verdict.works || before.works) return verdict;
  return { works: false, reason: `${verdict.reason}; without the change it does not work either (${before.reason})` };
}

function rowOf(from: JobSummary, to: JobSummary): PathDeltaRow {
  const both = from.completed.length > 0 && to.completed.length > 0;
  const delta = (key: MetricKey, scale = 1): Delta => {
    const a = from.metrics[key];
    const b = to.metrics[key];
    if (!both || !a || !b) return { value: Number.NaN, from: Number.NaN, to: Number.NaN, withinSpread: false };
    return {
      value: (b.median - a.median) * scale,
      from: a.median * scale,
      to: b.median * scale,
      withinSpread: a.min <= b.max && b.min <= a.max,
    };
  };
  return {
    transport: transportLabel(to.job),
    from,
    to,
    ...worksWithChange(from, to),
    latencyP50Ms: delta('latency_p50_us', 1 / 1000),
    latencyP99Ms: delta('latency_p99_us', 1 / 1000),
    bytesDownPerEvent: delta('bytes_down_per_event'),
    bytesUpPerEvent: delta('bytes_up_per_event'),
    serverCpuMsPer1000Events: delta('server_cpu_ms_per_1000_events'),
    serverConnectionsPerClient: [
      medianOf(from, 'server_connections_per_client'),
      medianOf(to, 'server_connections_per_client'),
    ],
    tlsHandshakeBytes: medianOf(to, 'tls_handshake_bytes_per_connection'),
    tlsHandshakeMs: medianOf(to, 'tls_handshake_mean_ms'),
  };
}

/**
 * Every pair of twins, grouped by axis change (proxy, then TLS, then network), the path held equal and
 * the parameter set; transports in result order within a group.
 */
export function pathDeltas(jobs: readonly JobSummary[]): PathDeltaGroup[] {
  const byCell = new Map<string, JobSummary[]>();
  for (const s of jobs) {
    const key = cellKey(s.job.params);
    byCell.set(key, [...(byCell.get(key) ?? []), s]);
  }
  const groups = new Map<string, PathDeltaGroup>();
  for (const axis of AXES) {
    for (const to of jobs) {
      const from = byCell.get(cellKey(to.job.params))!.find((f) => isTwin(axis, f.job.params, to.job.params));
      if (!from) continue;
      const words = changeOf(axis, to.job.params);
      const parameterSet = setWithoutPath(to.job);
      const key = JSON.stringify([axis, pathText(from.job.params), pathText(to.job.params), parameterSet]);
      const group = groups.get(key) ?? { axis, ...words, parameterSet, rows: [] };
      group.rows.push(rowOf(from, to));
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}
