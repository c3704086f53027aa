/**
 * The statistics of the gate, on run-level values (n = completed runs per side, never the samples
 * inside a run): Welch's two-sample t-test (unequal variances, Satterthwaite degrees of freedom)
 * from @stdlib/stats-ttest2, and the Holm-Bonferroni step-down adjustment so that the chance of any
 * false alarm across all comparisons of one gate stays at alpha.
 */
import ttest2 from '@stdlib/stats-ttest2';

export interface WelchResult {
  /** candidate mean - baseline mean */
  difference: number;
  /** Confidence interval of the difference at 1 - alpha. */
  ci: [number, number];
  pValue: number;
  df: number;
  statistic: number;
}

/**
 * Welch's t-test of candidate against baseline. Two samples that are each constant: a difference
 * is certain (p = 0) unless the constants are equal (p = 1); the t statistic is undefined there.
 */
export function welch(baseline: readonly number[], candidate: readonly number[], alpha: number): WelchResult {
  if (baseline.length < 2 || candidate.length < 2) throw new RangeError('Welch test needs at least 2 values per side');
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const difference = mean(candidate) - mean(baseline);
  const constant = (xs: readonly number[]) => xs.every((x) => x === xs[0]);
  if (constant(baseline) && constant(candidate)) {
    return {
      difference,
      ci: [difference, difference],
      pValue: difference === 0 ? 1 : 0,
      df: Number.NaN,
      statistic: Number.NaN,
    };
  }
  const r = ttest2([...candidate], [...baseline], { alpha, variance: 'unequal' });
  return {
    difference,
    ci: [r.ci[0]!, r.ci[1]!],
    pValue: r.pValue,
    df: (r as unknown as { df: number }).df,
    statistic: r.statistic,
  };
}

/**
 * Holm-Bonferroni adjusted p-values (monotone, capped at 1), in the input order. Rejecting where
 * adjusted p < alpha controls the family-wise error rate at alpha without assuming independence.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
