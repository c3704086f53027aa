/**
 * Per-job summaries across repetitions: for each metric the median, min and max over completed runs
 * (n = runs, never samples inside one run). Pure; shared by every renderer.
 */
import type { CompletedRun, Job, Metric, Result } from '../bench/result-schema.ts';

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
  metrics: Record<string, MetricSummary>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarizeJob(job: Job): JobSummary {
  const completed = job.runs.filter((r): r is CompletedRun => r.status === 'completed');
  const metrics: Record<string, MetricSummary> = {};
  const names = new Set(completed.flatMap((r) => Object.keys(r.metrics)));
  for (const name of names) {
    const values = completed.map((r) => r.metrics[name]).filter((m): m is Metric => m !== undefined);
    const first = values[0]!;
    const numbers = values.map((m) => m.value);
    metrics[name] = { median: median(numbers), min: Math.min(...numbers), max: Math.max(...numbers), n: numbers.length, unit: first.unit, better: first.better };
  }
  const errors = job.runs.flatMap((r) => (r.status === 'errored' ? [`run ${r.repetition} failed during ${r.phase}: ${r.error}`] : r.status === 'aborted' ? [`run ${r.repetition} aborted: ${r.reason}`] : []));
  const warnings = completed.flatMap((r) => r.warnings.map((w) => `run ${r.repetition}: ${w}`));
  return { job, completed, planned: job.runs.length, errors, warnings, metrics };
}

/** Jobs grouped by parameter set, in the order they appear in the result. */
export function groupByParameterSet(result: Result): Map<string, JobSummary[]> {
  const groups = new Map<string, JobSummary[]>();
  for (const job of result.jobs) {
    const list = groups.get(job.parameterSet) ?? [];
    list.push(summarizeJob(job));
    groups.set(job.parameterSet, list);
  }
  return groups;
}

/** A short column label: the transport, plus the poll interval for short polling. */
export function transportLabel(job: Job): string {
  const p = job.params;
  return p.transport === 'short-poll' ? `short-poll ${p.pollIntervalMs}ms` : p.transport;
}
