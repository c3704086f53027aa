/**
 * The clock uncertainty of latency measured on load agents (CompletedRun.latencyUncertaintyUs): one
 * table row "± X µs" beside the latency rows, the largest bound over a job's runs, shown only when
 * some run of the set used agents (on one host there is one clock and nothing to add).
 */
import type { JobSummary } from './aggregate.ts';

export function latencyUncertaintyRow(summaries: readonly JobSummary[]): string[] | null {
  const bounds = summaries.map((s) => {
    const values = s.completed.flatMap((r) => (r.latencyUncertaintyUs === undefined ? [] : [r.latencyUncertaintyUs]));
    return values.length ? Math.max(...values) : null;
  });
  if (bounds.every((b) => b === null)) return null;
  const shown = (b: number | null) => (b === null ? 'one clock' : `± ${b < 10 ? b.toFixed(1) : b.toFixed(0)} µs`);
  return ['latency clock uncertainty (agents)', ...bounds.map(shown)];
}
