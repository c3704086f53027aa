/**
 * One LoadReport from the reports of several load processes that ran slices of one job's clients
 * over one common window (bench/load-group.ts). Exact, never averaged: histograms are decoded from
 * their encoded form, added bucket by bucket and encoded again (HdrHistogram's add is exact for
 * histograms of one configuration, which newLatencyHistogram gives every one), so any percentile of
 * the merge is the percentile of all the samples; counters, delivery counts, errors and connect
 * outcomes are summed. The window must be the same one in every part (same edges, same seqs): a
 * merge of different windows would divide one window's bytes by another's events, so it throws.
 *
 * What cannot be summed is kept per process (LoadProcessFigures): each one's clients, CPU and loop
 * delay; the report's own loadCpuFraction and loadLoopDelayP99Us are the busiest process's, so a
 * saturated one is never averaged away by idle ones.
 */
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { EncodedHistogram, PercentileSummary } from '../result-schema.ts';
import type { ClientCounters } from '../clients/types.ts';
import { zeroCounters } from '../clients/counters.ts';
import { encodeHistogram, newLatencyHistogram, summarize } from './histogram.ts';
import { recoveryPercentiles } from './restart-recovery.ts';
import type { ConnectOutcome } from './connect.ts';
import type { DeliveryCounts } from './delivery.ts';
import type { DropsReport } from './drops.ts';
import type { RestartReport } from './restart-recovery.ts';
import type { LoadReport } from './ipc.ts';

/** One load process's own figures, kept beside the merge. */
export interface LoadProcessFigures {
  /** "load process 2 of 3": how warnings and the result name it. */
  name: string;
  /** Its slice of the job's clients: global indices [firstClient, firstClient + clients). */
  firstClient: number;
  clients: number;
  cpuFraction: number;
  loopDelayP99Us: number;
  /** How long after the shared window start it read its counters, µs (LoadReport.startLagUs). */
  startLagUs?: number;
}

export interface ReportPart {
  name: string;
  firstClient: number;
  clients: number;
  report: LoadReport;
}

/** The sum of encoded histograms, encoded (exact: see the file's comment). */
export function mergeHistograms(parts: readonly EncodedHistogram[]): EncodedHistogram {
  const sum = addedUp(parts);
  const encoded = encodeHistogram(sum);
  return { ...encoded, summary: exactEnds(encoded.summary, parts, 1) };
}

/**
 * A merged summary with the parts' own min and max: a histogram records its extremes exactly, but its
 * encoded form keeps only their buckets (decoded, 2,980,939 µs reads 2,981,887), so the merge takes
 * them from the parts' summaries, which came from the recorded values (divided by `scale`).
 */
function exactEnds(summary: PercentileSummary, parts: readonly EncodedHistogram[], scale: number): PercentileSummary {
  const filled = parts.filter((p) => p.summary.count > 0);
  if (filled.length === 0) return summary;
  return {
    ...summary,
    min: Math.min(...filled.map((p) => p.summary.min)) / scale,
    max: Math.max(...filled.map((p) => p.summary.max)) / scale,
  };
}

/** A merged histogram's summary in ms (as PercentileSummary fields of the report are), exact ends. */
function summaryMs(parts: readonly EncodedHistogram[]): { histogram: EncodedHistogram; ms: PercentileSummary } {
  const histogram = mergeHistograms(parts);
  return { histogram, ms: { ...summarize(addedUp(parts), 1000), ...exactEndsMs(histogram.summary) } };
}

const exactEndsMs = (s: PercentileSummary) => ({ min: s.min / 1000, max: s.max / 1000 });

function addedUp(parts: readonly EncodedHistogram[]): Histogram {
  const sum = newLatencyHistogram();
  for (const p of parts) {
    const h = decodeFromCompressedBase64(p.data);
    sum.add(h);
    h.destroy();
  }
  return sum;
}

function addCounters(all: readonly ClientCounters[]): ClientCounters {
  const total = zeroCounters();
  for (const c of all) for (const key of Object.keys(total) as (keyof ClientCounters)[]) total[key] += c[key];
  return total;
}

function addDelivery(all: readonly DeliveryCounts[]): DeliveryCounts {
  const sum = (k: keyof DeliveryCounts) => all.reduce((s, d) => s + d[k], 0);
  return {
    expected: sum('expected'),
    delivered: sum('delivered'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    outOfOrder: sum('outOfOrder'),
    clockAnomalies: sum('clockAnomalies'),
  };
}

function mergeConnect(all: readonly ConnectOutcome[]): ConnectOutcome {
  const sum = (f: (c: ConnectOutcome) => number) => all.reduce((s, c) => s + f(c), 0);
  const examples = new Map<string, string>();
  // One example per cause, as one process gives ("timeout: ...").
  for (const c of all)
    for (const e of c.examples) if (!examples.has(e.split(':')[0]!)) examples.set(e.split(':')[0]!, e);
  return {
    requested: sum((c) => c.requested),
    connected: sum((c) => c.connected),
    deadlineMs: Math.max(...all.map((c) => c.deadlineMs)),
    elapsedMs: Math.max(...all.map((c) => c.elapsedMs)),
    unconnected: sum((c) => c.unconnected),
    failures: {
      timeout: sum((c) => c.failures.timeout),
      descriptors: sum((c) => c.failures.descriptors),
      refused: sum((c) => c.failures.refused),
      other: sum((c) => c.failures.other),
    },
    examples: [...examples.values()],
  };
}

function mergeDrops(all: readonly DropsReport[]): DropsReport {
  const sum = (f: (d: DropsReport) => number) => all.reduce((s, d) => s + f(d), 0);
  const reconnect = summaryMs(all.map((d) => d.reconnectUs));
  const firstEvent = summaryMs(all.map((d) => d.firstEventUs));
  return {
    seed: all[0]!.seed,
    performed: sum((d) => d.performed),
    refused: sum((d) => d.refused),
    reconnected: sum((d) => d.reconnected),
    recovered: sum((d) => d.recovered),
    catchUp: mergeHistograms(all.map((d) => d.catchUp)),
    reconnectMs: reconnect.ms,
    firstEventMs: firstEvent.ms,
    reconnectUs: reconnect.histogram,
    firstEventUs: firstEvent.histogram,
    reconnectBytesUp: sum((d) => d.reconnectBytesUp),
    reconnectBytesDown: sum((d) => d.reconnectBytesDown),
    reconnectEventBytes: sum((d) => d.reconnectEventBytes),
  };
}

function mergeRestart(all: readonly RestartReport[]): RestartReport {
  const sum = (f: (r: RestartReport) => number) => all.reduce((s, r) => s + f(r), 0);
  const recoveries = all.flatMap((r) => r.recoveriesMs);
  return {
    // One restart for the whole group: every process saw the same stamps.
    downMs: all[0]!.downMs,
    clientsBefore: sum((r) => r.clientsBefore),
    clientsBack: sum((r) => r.clientsBack),
    recoveryMs: recoveryPercentiles(recoveries),
    recoveriesMs: recoveries,
    failedAttempts: sum((r) => r.failedAttempts),
  };
}

/** Every part's value of `pick`, which must be the same in all: the window they share. */
function shared<T extends string | number>(parts: readonly ReportPart[], what: string, pick: (r: LoadReport) => T): T {
  const first = pick(parts[0]!.report);
  const other = parts.find((p) => pick(p.report) !== first);
  if (other)
    throw new Error(
      `load processes measured different windows: ${what} ${first} in ${parts[0]!.name}, ${pick(other.report)} in ${other.name}`,
    );
  return first;
}

const maxBig = (values: readonly string[]) => values.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));

/** The merged report, with each process's own figures. One part: its report as it is, with its figures. */
export function mergeLoadReports(parts: readonly ReportPart[]): LoadReport {
  if (parts.length === 0) throw new Error('no load report to merge');
  const processes = parts.map((p) => ({
    name: p.name,
    firstClient: p.firstClient,
    clients: p.clients,
    cpuFraction: p.report.loadCpuFraction,
    loopDelayP99Us: p.report.loadLoopDelayP99Us,
    ...(p.report.startLagUs !== undefined && { startLagUs: p.report.startLagUs }),
  }));
  if (parts.length === 1) return { ...parts[0]!.report, processes };
  const reports = parts.map((p) => p.report);
  const sum = (f: (r: LoadReport) => number) => reports.reduce((s, r) => s + f(r), 0);
  const busiest = reports.reduce((a, b) => (b.loadCpuFraction > a.loadCpuFraction ? b : a));
  const connectTimes = summaryMs(reports.map((r) => r.connectUs));
  const firstEvent = summaryMs(reports.map((r) => r.firstEventUs));
  const connects = reports.flatMap((r) => (r.connect ? [r.connect] : []));
  const drops = reports.flatMap((r) => (r.drops ? [r.drops] : []));
  const restarts = reports.flatMap((r) => (r.restart ? [r.restart] : []));
  const upstream = reports.flatMap((r) => (r.upstream ? [r.upstream] : []));
  return {
    processes,
    startNs: shared(parts, 'start', (r) => r.startNs),
    endNs: shared(parts, 'end', (r) => r.endNs),
    firstSeq: shared(parts, 'first seq', (r) => r.firstSeq),
    lastSeq: shared(parts, 'last seq', (r) => r.lastSeq),
    drainedMs: Math.max(...reports.map((r) => r.drainedMs)),
    delivery: addDelivery(reports.map((r) => r.delivery)),
    latency: mergeHistograms(reports.map((r) => r.latency)),
    ...(upstream.length > 0 && {
      upstream: {
        oneWay: mergeHistograms(upstream.map((u) => u.oneWay)),
        roundTrip: mergeHistograms(upstream.map((u) => u.roundTrip)),
      },
    }),
    connectMs: connectTimes.ms,
    firstEventMs: firstEvent.ms,
    connectUs: connectTimes.histogram,
    firstEventUs: firstEvent.histogram,
    window: addCounters(reports.map((r) => r.window)),
    // Each process read its counters at its own end; per-second figures divide by the longest span.
    countedUntilNs: maxBig(reports.map((r) => r.countedUntilNs)),
    runTotals: addCounters(reports.map((r) => r.runTotals)),
    connectBytesUp: sum((r) => r.connectBytesUp),
    connectBytesDown: sum((r) => r.connectBytesDown),
    clientsConnected: sum((r) => r.clientsConnected),
    loadCpuFraction: busiest.loadCpuFraction,
    loadLoopDelayP99Us: Math.max(...reports.map((r) => r.loadLoopDelayP99Us)),
    totalErrors: sum((r) => r.totalErrors),
    ...(connects.length > 0 && { connect: mergeConnect(connects) }),
    ...(drops.length > 0 && { drops: mergeDrops(drops) }),
    ...(restarts.length > 0 && { restart: mergeRestart(restarts) }),
  };
}

/** The busiest of a run's load processes (the one a saturation warning names), or null for one process. */
export function busiestProcess(processes: readonly LoadProcessFigures[] | undefined): LoadProcessFigures | null {
  if (!processes || processes.length < 2) return null;
  return processes.reduce((a, b) => (b.cpuFraction > a.cpuFraction ? b : a));
}

/**
 * The CPU all of a run's load processes (and agents) spent, summed (1 = one core busy): what its
 * clients cost. The report's own loadCpuFraction is the busiest process's, right for saturation but
 * short of the cost by about the number of processes. Without per-process figures: the one process.
 */
export function loadCpuTotal(load: Pick<LoadReport, 'loadCpuFraction' | 'processes'>): number {
  const processes = load.processes ?? [];
  return processes.length > 0 ? processes.reduce((s, p) => s + p.cpuFraction, 0) : load.loadCpuFraction;
}
