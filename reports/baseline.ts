/**
 * Side-by-side with an earlier result (`npm run report -- new.json --baseline old.json`): for every
 * job present in both, the medians of the key metrics and the relative change. Descriptive only; the
 * regression verdict with statistics is `npm run compare`.
 */
import type { MetricKey } from '../bench/result-schema.ts';
import { transportLabel, type JobSummary } from './aggregate.ts';
import { contextDifferences, relative } from './differences.ts';
import { BASELINE_METRICS } from './metric-catalog.ts';
import { summaryOf, type Renderable, type ReportSummary } from './summary.ts';

export interface BaselineCell {
  metric: string;
  baseline: number;
  current: number;
  /** (current - baseline) / |baseline|; NaN when the baseline is 0 and the current is not. */
  change: number;
  /** true when the change goes the metric's worse way. */
  worse: boolean;
}

export interface BaselineRow {
  label: string;
  parameterSet: string;
  cells: BaselineCell[];
}

export interface BaselineComparison {
  rows: BaselineRow[];
  onlyInCurrent: string[];
  onlyInBaseline: string[];
  /** Context differences that make the comparison shaky (other machine, other Node). */
  contextDifferences: string[];
}

function cell(metric: MetricKey, base: JobSummary, cur: JobSummary): BaselineCell | null {
  const b = base.metrics[metric];
  const c = cur.metrics[metric];
  if (!b || !c) return null;
  const change = relative(c.median - b.median, b.median);
  const worse = c.better === 'lower' ? c.median > b.median : c.median < b.median;
  return { metric, baseline: b.median, current: c.median, change, worse };
}

/** The current result's summary against a baseline result, or its summary when the caller has one. */
export function compareWithBaseline(current: ReportSummary, baseline: Renderable): BaselineComparison {
  const baseSummary = summaryOf(baseline);
  const base = new Map(baseSummary.jobs.filter((s) => s.completed.length > 0).map((s) => [s.job.id, s]));
  const cur = current.jobs.filter((s) => s.completed.length > 0);
  const rows: BaselineRow[] = [];
  for (const s of cur) {
    const b = base.get(s.job.id);
    if (!b) continue;
    rows.push({
      label: transportLabel(s.job),
      parameterSet: s.job.parameterSet,
      cells: BASELINE_METRICS.flatMap((m) => cell(m, b, s) ?? []),
    });
  }
  const curIds = new Set(cur.map((s) => s.job.id));
  return {
    rows,
    onlyInCurrent: cur.filter((s) => !base.has(s.job.id)).map((s) => s.job.id),
    onlyInBaseline: [...base.keys()].filter((id) => !curIds.has(id)),
    contextDifferences: contextDifferences(baseSummary.result, current.result),
  };
}
