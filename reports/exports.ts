/**
 * A result in the formats CI benchmark tools read, one entry per job and metric (median over runs):
 *
 * - github-action-benchmark: `customSmallerIsBetter` and `customBiggerIsBetter` are separate tools
 *   (the direction is per file), so a result gives two arrays of {name, unit, value, range, extra}.
 * - Bencher Metric Format (BMF): {benchmark: {measure: {value, lower_value, upper_value}}}. Bencher
 *   keeps the direction on its side (a threshold's upper or lower boundary), so each measure's slug
 *   ends in its direction and `bencherThresholdFlags` lists the boundary to set for each.
 */
import { transportLabel } from './aggregate.ts';
import { summaryOf, type Renderable } from './summary.ts';
import { EXPORTED_METRICS, metricInfo } from './metric-catalog.ts';

export interface GabEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** One entry per job and exported metric (catalog `exported`: worth tracking over time). */
function entries(input: Renderable) {
  return summaryOf(input).jobs.flatMap((s) =>
    EXPORTED_METRICS.flatMap((key) => {
      const m = s.metrics[key];
      if (!m) return [];
      const info = metricInfo(key);
      return [{ bench: `${transportLabel(s.job)} | ${s.job.parameterSet}`, key, info, m }];
    }),
  );
}

export function githubActionBenchmark(input: Renderable): { smallerIsBetter: GabEntry[]; biggerIsBetter: GabEntry[] } {
  const all = entries(input).map(({ bench, key, info, m }) => ({
    better: m.better,
    entry: {
      name: `${bench} | ${info.label}`,
      unit: info.unit,
      value: m.median * info.scale,
      ...(m.n > 1 ? { range: `${(m.min * info.scale).toPrecision(4)} to ${(m.max * info.scale).toPrecision(4)}` } : {}),
      extra: `median of ${m.n} run${m.n === 1 ? '' : 's'}; metric ${key}`,
    },
  }));
  return {
    smallerIsBetter: all.filter((x) => x.better === 'lower').map((x) => x.entry),
    biggerIsBetter: all.filter((x) => x.better === 'higher').map((x) => x.entry),
  };
}

export type Bmf = Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;

/** Measure slug: the metric key with its direction, e.g. latency-p50-us-lower-is-better. */
export const bencherMeasure = (key: string, better: 'lower' | 'higher') =>
  `${key.replace(/_/g, '-')}-${better}-is-better`;

export function bencherBmf(input: Renderable): Bmf {
  const bmf: Bmf = {};
  for (const { bench, key, m } of entries(input)) {
    (bmf[bench] ??= {})[bencherMeasure(key, m.better)] = {
      value: m.median,
      ...(m.n > 1 ? { lower_value: m.min, upper_value: m.max } : {}),
    };
  }
  return bmf;
}

/** The `bencher run` threshold flags matching each exported measure's direction. */
export function bencherThresholdFlags(input: Renderable): string[] {
  const measures = new Map<string, 'lower' | 'higher'>();
  for (const { key, m } of entries(input)) measures.set(bencherMeasure(key, m.better), m.better);
  return [...measures].flatMap(([measure, better]) => [
    '--threshold-measure',
    measure,
    '--threshold-test',
    't_test',
    better === 'lower' ? '--threshold-upper-boundary' : '--threshold-lower-boundary',
    '0.99',
  ]);
}
