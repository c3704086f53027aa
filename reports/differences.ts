/**
 * How two results differ, in numbers and in words: shared by the report's descriptive baseline
 * section (baseline.ts) and the regression gate (bench/gate/compare.ts), which imports it from here
 * so that reports/ needs nothing from bench/ but the result schema.
 */
import type { Result } from '../bench/result-schema.ts';

/** Relative change; NaN when the baseline is 0 and the value moved. */
export const relative = (diff: number, base: number) =>
  base === 0 ? (diff === 0 ? 0 : Number.NaN) : diff / Math.abs(base);

/** What differs between the environments of two results, in words: changes that may explain a difference. */
export function contextDifferences(baseline: Result, candidate: Result): string[] {
  const out: string[] = [];
  const a = baseline.context;
  const c = candidate.context;
  if (a.node !== c.node) out.push(`Node ${a.node} vs ${c.node}`);
  if (a.cpu.model !== c.cpu.model || a.cpu.count !== c.cpu.count)
    out.push(`CPU ${a.cpu.count} x ${a.cpu.model} vs ${c.cpu.count} x ${c.cpu.model}`);
  if (JSON.stringify(a.scenario.timing) !== JSON.stringify(c.scenario.timing))
    out.push('different timing (warm-up, window or drain)');
  if (a.scenario.framework !== c.scenario.framework)
    out.push(`framework ${a.scenario.framework} vs ${c.scenario.framework}`);
  if (JSON.stringify(a.inject) !== JSON.stringify(c.inject))
    out.push('a regression injected on purpose in one of them');
  return out;
}
