/**
 * A metric's value with its unit, direction and kind: `exact` for counts and byte arithmetic that
 * repeat to the byte (gated with tight tolerances), `noisy` for timings and memory (gated as
 * distributions). One pair of constructors for every file that derives metrics.
 */
import type { Metric, Unit } from './result-schema.ts';

export const exact = (value: number, unit: Unit, better: Metric['better'] = 'lower'): Metric => ({
  value,
  unit,
  better,
  kind: 'exact',
});

export const noisy = (value: number, unit: Unit, better: Metric['better'] = 'lower'): Metric => ({
  value,
  unit,
  better,
  kind: 'noisy',
});
