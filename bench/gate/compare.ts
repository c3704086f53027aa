/**
 * Baseline vs candidate, job by job and metric by metric, as a pure function of two result files.
 *
 * - Exact metrics (bytes, requests, connections per event; loss) are deterministic for a scenario:
 *   the medians are compared and a change beyond the metric's tolerance is a verdict by itself.
 * - Noisy metrics (latency, CPU, memory): Welch's t-test on the run-level values (n = completed runs
 *   per side), Holm-Bonferroni over every gated test so one gate has at most `alpha` chance of any
 *   false alarm, and a minimum effect (relative and absolute) below which a change is "unchanged"
 *   however significant.
 */
import type { CompletedRun, Job, Metric, Result } from '../result-schema.ts';
import { anyMetric, median, transportLabel } from '../../reports/aggregate.ts';
import { contextDifferences, relative } from '../../reports/differences.ts';
import { ruleFor, type CompareConfig, type ResolvedRule } from './config.ts';
import { holm, welch } from './stats.ts';

export type Verdict = 'improved' | 'regressed' | 'unchanged' | 'not comparable';

export interface SideSummary {
  n: number;
  median: number;
  mean: number;
  values: number[];
}

export interface MetricComparison {
  jobId: string;
  parameterSet: string;
  label: string;
  metric: string;
  kind: Metric['kind'];
  unit: Metric['unit'];
  better: Metric['better'];
  /** Whether a regression here fails the gate. */
  gated: boolean;
  baseline: SideSummary;
  candidate: SideSummary;
  /** Relative change: of the medians (exact) or of the means (noisy); NaN when the baseline is 0. */
  change: number;
  /** Absolute change in the stored unit (candidate - baseline). */
  difference: number;
  /** Noisy only: confidence interval of the relative change at 1 - alpha. */
  ci: [number, number] | null;
  pValue: number | null;
  /** Holm-adjusted p (gated noisy metrics), else the raw p. */
  adjustedP: number | null;
  verdict: Verdict;
  reason: string;
}

export interface Comparison {
  config: CompareConfig;
  metrics: MetricComparison[];
  commonJobs: number;
  jobsOnlyInBaseline: string[];
  jobsOnlyInCandidate: string[];
  /** Jobs with completed baseline runs and none in the candidate: unverifiable, so they fail the gate. */
  jobsFailedInCandidate: string[];
  contextDifferences: string[];
  /** The edge allowance's cap (a multiple of the tolerance) this comparison used: the renderer states it. */
  edgeToleranceCap: number;
  /** Welch tests in the gated family: what Holm corrects for. */
  noisyTests: number;
  /** Without correction, alpha x tests false alarms would be expected between identical code. */
  uncorrectedExpectedFalseAlarms: number;
  regressions: MetricComparison[];
  improvements: MetricComparison[];
  verdict: 'regressed' | 'no regression';
}

/** Two results that cannot be compared at all (exit code 2 in the CLI). */
export class UnusableComparison extends Error {}

const completed = (job: Job) => job.runs.filter((r): r is CompletedRun => r.status === 'completed');

function side(values: number[]): SideSummary {
  return {
    n: values.length,
    median: median(values),
    mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
    values,
  };
}

/** Direction of a change for a metric: worse when it moves against `better`. */
const worse = (diff: number, better: Metric['better']) => (better === 'lower' ? diff > 0 : diff < 0);

/**
 * Per-event bytes and requests of polling move by one whole response when a poll's round trip
 * straddles an edge of the measurement window (sent before the edge, read after it): measured, one
 * run in eight at 80 responses per window, +1.5%. So these metrics tolerate one response per edge,
 * 2 / (responses in the window), when that is more than the configured tolerance.
 */
const EDGE_UNITS = new Set(['bytes/event', 'bytes/client/s', 'requests/event', 'requests/client/s']);

function edgeTolerance(m: MetricComparison, rule: ResolvedRule, fewestRequests: number): number {
  if (!EDGE_UNITS.has(m.unit) || rule.tolerance === 0 || !(fewestRequests > 0)) return 0;
  // Capped: with very few polls in a window the edge effect would excuse real changes.
  return Math.min(2 / fewestRequests, EDGE_TOLERANCE_CAP * rule.tolerance);
}

/** The edge allowance never exceeds this multiple of the configured tolerance (3% by default). */
const EDGE_TOLERANCE_CAP = 3;

function exactVerdict(m: MetricComparison, rule: ResolvedRule, fewestRequests: number): void {
  const diff = m.candidate.median - m.baseline.median;
  m.difference = diff;
  m.change = relative(diff, m.baseline.median);
  const allowed = Math.max(
    Math.max(rule.tolerance, edgeTolerance(m, rule, fewestRequests)) * Math.abs(m.baseline.median),
    rule.absoluteTolerance,
  );
  if (Math.abs(diff) <= allowed) {
    m.verdict = 'unchanged';
    m.reason = `within tolerance (±${fmt(allowed)})`;
  } else {
    m.verdict = worse(diff, m.better) ? 'regressed' : 'improved';
    m.reason = `exact metric changed by ${fmt(diff)} (tolerance ±${fmt(allowed)})`;
  }
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function compareResults(baseline: Result, candidate: Result, config: CompareConfig): Comparison {
  const baseJobs = new Map(baseline.jobs.map((j) => [j.id, j]));
  const candJobs = new Map(candidate.jobs.map((j) => [j.id, j]));
  const common = [...candJobs.keys()].filter((id) => baseJobs.has(id));
  if (common.length === 0) {
    throw new UnusableComparison(
      `the two results share no job (baseline: ${baseline.jobs.length} jobs of scenario "${baseline.context.scenario.name}", candidate: ${candidate.jobs.length} jobs of scenario "${candidate.context.scenario.name}"): run both with the same scenario and options`,
    );
  }

  const metrics: MetricComparison[] = [];
  /** Per job: the fewest HTTP requests any run of either side made in its window. */
  const fewestRequests = new Map<string, number>();
  for (const id of common) {
    const b = baseJobs.get(id)!;
    const c = candJobs.get(id)!;
    const bRuns = completed(b);
    const cRuns = completed(c);
    // Answers in the window (what the per-event figures count); results from before they were counted give requests sent.
    fewestRequests.set(
      id,
      Math.min(
        ...[...bRuns, ...cRuns].map((r) => r.totals['clientHttpResponses'] ?? r.totals['clientHttpRequests'] ?? 0),
      ),
    );
    // Every metric of either side: one side without it (or without completed runs) is "not comparable".
    const names = new Set([...bRuns, ...cRuns].flatMap((r) => Object.keys(r.metrics)));
    for (const metric of names) {
      const bValues = bRuns.flatMap((r) => anyMetric(r.metrics, metric)?.value ?? []);
      const cValues = cRuns.flatMap((r) => anyMetric(r.metrics, metric)?.value ?? []);
      const sample = [...bRuns, ...cRuns].flatMap((r) => anyMetric(r.metrics, metric) ?? [])[0]!;
      const rule = ruleFor(config, metric, sample.unit);
      metrics.push({
        jobId: id,
        parameterSet: c.parameterSet,
        label: transportLabel(c),
        metric,
        kind: sample.kind,
        unit: sample.unit,
        better: sample.better,
        gated: rule.gate,
        baseline: side(bValues),
        candidate: side(cValues),
        change: Number.NaN,
        difference: Number.NaN,
        ci: null,
        pValue: null,
        adjustedP: null,
        verdict: 'not comparable',
        reason: '',
      });
    }
  }

  // Exact metrics: deterministic, one run per side suffices.
  for (const m of metrics.filter((x) => x.kind === 'exact')) {
    if (m.baseline.n === 0 || m.candidate.n === 0) m.reason = 'no completed run on one side';
    else exactVerdict(m, ruleFor(config, m.metric, m.unit), fewestRequests.get(m.jobId) ?? 0);
  }

  // Noisy metrics: Welch per metric, Holm over the gated family.
  const noisy = metrics.filter((x) => x.kind === 'noisy');
  for (const m of noisy) {
    if (m.baseline.n < config.minRuns || m.candidate.n < config.minRuns) {
      m.reason = `needs at least ${config.minRuns} completed runs per side (has ${m.baseline.n} and ${m.candidate.n})`;
      continue;
    }
    const w = welch(m.baseline.values, m.candidate.values, config.alpha);
    m.difference = w.difference;
    m.change = relative(w.difference, m.baseline.mean);
    const scale = Math.abs(m.baseline.mean);
    m.ci = scale > 0 ? [w.ci[0] / scale, w.ci[1] / scale] : null;
    m.pValue = w.pValue;
  }
  const family = noisy.filter((m) => m.gated && m.pValue !== null);
  const adjusted = holm(family.map((m) => m.pValue!));
  family.forEach((m, i) => (m.adjustedP = adjusted[i]!));
  for (const m of noisy) {
    if (m.pValue === null) continue;
    m.adjustedP ??= m.pValue;
    const rule = ruleFor(config, m.metric, m.unit);
    const floor = Math.max(rule.minEffect * Math.abs(m.baseline.mean), rule.minAbsolute);
    const significant = m.adjustedP < config.alpha;
    const large = Math.abs(m.difference) >= floor;
    if (significant && large) {
      m.verdict = worse(m.difference, m.better) ? 'regressed' : 'improved';
      m.reason = `Welch p = ${m.pValue.toPrecision(2)}${m.gated ? ` (Holm-adjusted ${m.adjustedP.toPrecision(2)})` : ''} < ${config.alpha}, change beyond ${fmt(floor)}`;
    } else {
      m.verdict = 'unchanged';
      m.reason = !significant
        ? `not significant (p${m.gated ? ', Holm-adjusted,' : ''} = ${m.adjustedP.toPrecision(2)})`
        : `significant but smaller than the minimum effect (${fmt(floor)})`;
    }
  }

  const contextDiffs = contextDifferences(baseline, candidate);

  const regressions = metrics.filter((m) => m.gated && m.verdict === 'regressed');
  const jobsFailedInCandidate = common.filter(
    (id) => completed(baseJobs.get(id)!).length > 0 && completed(candJobs.get(id)!).length === 0,
  );
  return {
    config,
    metrics,
    commonJobs: common.length,
    jobsOnlyInBaseline: [...baseJobs.keys()].filter((id) => !candJobs.has(id)),
    jobsOnlyInCandidate: [...candJobs.keys()].filter((id) => !baseJobs.has(id)),
    jobsFailedInCandidate,
    contextDifferences: contextDiffs,
    edgeToleranceCap: EDGE_TOLERANCE_CAP,
    noisyTests: family.length,
    uncorrectedExpectedFalseAlarms: family.length * config.alpha,
    regressions,
    improvements: metrics.filter((m) => m.gated && m.verdict === 'improved'),
    verdict: regressions.length || jobsFailedInCandidate.length ? 'regressed' : 'no regression',
  };
}
