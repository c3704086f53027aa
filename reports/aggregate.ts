/**
 * Per-job summaries across repetitions: for each metric the median, min and max over completed runs
 * (n = runs, never samples inside one run). Pure; shared by every renderer.
 */
import type { CompletedRun, Job, Metric, MetricKey, Result, RunMetrics, RunWarning } from '../bench/result-schema.ts';
import { transportTraits } from '../servers/contract/transport-traits.ts';
import { meanRate } from '../servers/contract/schedule.ts';
import { jobConditionsText } from './wire-text.ts';

export interface MetricSummary {
  median: number;
  min: number;
  max: number;
  n: number;
  unit: Metric['unit'];
  better: Metric['better'];
}

export interface JobSummary {
  job: Job;
  completed: CompletedRun[];
  planned: number;
  errors: string[];
  warnings: string[];
  /** By key; a metric this version does not know is reached with anyMetric. */
  metrics: Partial<Record<MetricKey, MetricSummary>>;
}

/** The median (mean of the middle two for an even count; NaN when empty): the one definition the reports, the gate and the side benchmarks share. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A run's warning as listed under its job: its sentence, after the run's number. */
export const runWarningText = (repetition: number, w: RunWarning): string => `run ${repetition}: ${w.message}`;

/**
 * A metric of a run or job summary by any name, also one this version does not know (a newer
 * result's): for code that walks every key a file holds. Known metrics are indexed by their key.
 */
export function anyMetric<T>(metrics: Partial<Record<MetricKey, T>>, key: string): T | undefined {
  return (metrics as Record<string, T | undefined>)[key];
}

export function summarizeJob(job: Job): JobSummary {
  const completed = job.runs.filter((r): r is CompletedRun => r.status === 'completed');
  const metrics: Record<string, MetricSummary> = {}; // every key the runs hold, known or not
  const names = new Set(completed.flatMap((r) => Object.keys(r.metrics)));
  for (const name of names) {
    const values = completed.map((r) => anyMetric(r.metrics, name)).filter((m): m is Metric => m !== undefined);
    const first = values[0]!;
    const numbers = values.map((m) => m.value);
    metrics[name] = {
      median: median(numbers),
      min: Math.min(...numbers),
      max: Math.max(...numbers),
      n: numbers.length,
      unit: first.unit,
      better: first.better,
    };
  }
  const errors = job.runs.flatMap((r) =>
    r.status === 'errored'
      ? [`run ${r.repetition} failed during ${r.phase}: ${r.error}`]
      : r.status === 'aborted'
        ? [`run ${r.repetition} aborted: ${r.reason}`]
        : [],
  );
  const warnings = completed.flatMap((r) => r.warnings.map((w) => runWarningText(r.repetition, w)));
  return { job, completed, planned: job.runs.length, errors, warnings, metrics };
}

/** Summaries grouped by their parameter set, in the order given. */
export function groupSummaries(summaries: JobSummary[]): Map<string, JobSummary[]> {
  const groups = new Map<string, JobSummary[]>();
  for (const s of summaries) {
    const list = groups.get(s.job.parameterSet) ?? [];
    list.push(s);
    groups.set(s.job.parameterSet, list);
  }
  return groups;
}

/** A short column label: the transport, plus the poll interval for a transport with that axis (short polling). */
export function transportLabel(job: Job): string {
  const p = job.params;
  return transportTraits(p.transport).pollIntervalAxis ? `${p.transport} ${p.pollIntervalMs}ms` : p.transport;
}

/** Every job summarised, in result order (parameter set by parameter set, transports in scenario order). */
export function summarizeAll(result: Result): JobSummary[] {
  return result.jobs.map(summarizeJob);
}

/** Average events per second of a job's feed (the contract's one mean rate of a shape). */
export function eventRate(job: Job): number {
  return meanRate(job.params.shape);
}

/** A readable name for the shape: "1 event/s", or "bursts of 50 every 1000 ms". */
export function shapeText(job: Job): string {
  const s = job.params.shape;
  if (s.kind === 'burst') return `bursts of ${s.size} every ${s.everyMs} ms`;
  return `${s.ratePerSec} event${s.ratePerSec === 1 ? '' : 's'}/s`;
}

/**
 * The parameter set in words: "1 event/s to 500 clients, 256-byte payload", then its path when it is
 * not the direct one (", over 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up; TLS; behind nginx").
 */
export function parameterSetText(job: Job): string {
  const conditions = jobConditionsText(job);
  return `${shapeText(job)} to ${job.params.clients.toLocaleString('en-US')} clients, ${job.params.payloadBytes}-byte payload${conditions ? `, ${conditions}` : ''}`;
}

/** A median that is NaN when the metric is missing, so callers can test once. */
export function medianOf(summary: JobSummary | undefined, key: MetricKey): number {
  return summary?.metrics[key]?.median ?? Number.NaN;
}

/** The median over completed runs of a figure derived from each run's metrics (NaN when missing). */
export function perRunMedian(summary: JobSummary, derive: (metrics: RunMetrics) => number): number {
  return median(summary.completed.map((r) => derive(r.metrics)).filter(Number.isFinite));
}

const value = (metrics: RunMetrics, key: MetricKey) => metrics[key]?.value ?? Number.NaN;

/** Bytes both ways per delivered event, everything included (summed per run, then the median). */
export function totalBytesPerEvent(summary: JobSummary): number {
  return perRunMedian(summary, (mt) => value(mt, 'bytes_up_per_event') + value(mt, 'bytes_down_per_event'));
}

/** Bytes both ways per delivered event that are not event messages: headers, framing, requests. */
export function overheadBytesPerEvent(summary: JobSummary): number {
  return perRunMedian(summary, (mt) => value(mt, 'bytes_up_per_event') + value(mt, 'overhead_bytes_down_per_event'));
}

/**
 * Orders parameter sets (each given by one of its jobs) by how close they are to the classic "one
 * message per client per second" case: steady feeds before bursts, rate nearest 1 event/s, then the
 * most clients. The headline and the scalability table both measure there.
 */
export function closestToOnePerSecond(a: Job, b: Job): number {
  const score = (job: Job) => (job.params.shape.kind === 'steady' ? 0 : 1000) + Math.abs(Math.log(eventRate(job)));
  return score(a) - score(b) || b.params.clients - a.params.clients;
}
