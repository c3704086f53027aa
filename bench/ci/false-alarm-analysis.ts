/**
 * The analysis behind `npm run bench:false-alarms`, pure: a pool of same-code repetitions split into
 * disjoint interleaved A/B blocks (and, optionally, seeded random A/B draws from the same pool), each
 * compared by the gate, counting the comparisons that report any gated regression.
 */
import { createHash } from 'node:crypto';
import type { Result } from '../result-schema.ts';
import { compareResults } from '../gate/compare.ts';
import type { CompareConfig } from '../gate/config.ts';

/** The repetitions `pick` accepts, of every job, renumbered from 1: one side of one comparison. */
export function sliceRuns(result: Result, pick: (repetition: number) => boolean): Result {
  return {
    ...result,
    jobs: result.jobs.map((job) => ({
      ...job,
      runs: job.runs.filter((r) => pick(r.repetition)).map((r, i) => ({ ...r, repetition: i + 1 })),
    })),
  };
}

/** A reproducible pseudo-random order of 1..count for draw number `draw` (a hash, no PRNG state). */
export function shuffled(count: number, draw: number): number[] {
  const key = (rep: number) => createHash('sha256').update(`pollbench-false-alarms:${draw}:${rep}`).digest('hex');
  return Array.from({ length: count }, (_, i) => i + 1).sort((a, b) => key(a).localeCompare(key(b)));
}

/** Splits a pool of same-code repetitions into A/B comparisons and counts the gate's alarms. Pure. */
export function analyzeFalseAlarms(result: Result, perSide: number, resamples: number, config: CompareConfig) {
  const block = 2 * perSide;
  const done = Math.min(...result.jobs.map((j) => j.runs.filter((r) => r.status === 'completed').length));
  const outcomes: { comparison: number; regressions: string[] }[] = [];
  const exactMax = new Map<string, number>();
  for (let k = 0; (k + 1) * block <= done; k++) {
    const inBlock = (rep: number) => rep > k * block && rep <= (k + 1) * block;
    // Within a block, odd repetitions are A and even ones B: interleaved exactly like bench:ci.
    const a = sliceRuns(result, (rep) => inBlock(rep) && rep % 2 === 1);
    const b = sliceRuns(result, (rep) => inBlock(rep) && rep % 2 === 0);
    // A block with a failed run has fewer runs on a side: its noisy metrics would go untested.
    const full = (r: Result) => r.jobs.every((j) => j.runs.filter((x) => x.status === 'completed').length === perSide);
    if (!full(a) || !full(b)) continue;
    const cmp = compareResults(a, b, config);
    outcomes.push({
      comparison: k + 1,
      regressions: cmp.regressions.map((m) => `${m.label} ${m.metric} ${(m.change * 100).toFixed(1)}% (${m.reason})`),
    });
    for (const m of cmp.metrics.filter((x) => x.kind === 'exact' && Number.isFinite(x.change))) {
      const key = `${m.label} ${m.metric}`;
      exactMax.set(key, Math.max(exactMax.get(key) ?? 0, Math.abs(m.change)));
    }
  }
  const resampled: { comparison: number; regressions: string[] }[] = [];
  for (let d = 1; d <= resamples && done >= block; d++) {
    const picked = shuffled(done, d).slice(0, block);
    const a = new Set(picked.slice(0, perSide));
    const b = new Set(picked.slice(perSide));
    const cmp = compareResults(
      sliceRuns(result, (rep) => a.has(rep)),
      sliceRuns(result, (rep) => b.has(rep)),
      config,
    );
    resampled.push({
      comparison: d,
      regressions: cmp.regressions.map((m) => `${m.label} ${m.metric} ${(m.change * 100).toFixed(1)}% (${m.reason})`),
    });
  }
  const resampledAlarms = resampled.filter((o) => o.regressions.length > 0).length;
  const alarms = outcomes.filter((o) => o.regressions.length > 0).length;
  return {
    comparisons: outcomes.length,
    runsPerSide: perSide,
    falseAlarms: alarms,
    rate: outcomes.length ? alarms / outcomes.length : Number.NaN,
    config,
    outcomes,
    resampled: {
      comparisons: resampled.length,
      falseAlarms: resampledAlarms,
      rate: resampled.length ? resampledAlarms / resampled.length : Number.NaN,
      outcomes: resampled,
    },
    runsPerJob: done,
    largestExactChanges: [...exactMax]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 15)
      .map(([metric, change]) => ({ metric, change })),
  };
}
