/**
 * Latency distributions for charts: the encoded HdrHistograms of a job's completed runs merged into
 * one (every delivery of every run counts once), read back as a percentile curve. Pure: decoding a
 * histogram reads nothing but the string it is given.
 */
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { JobSummary } from './aggregate.ts';

export interface CurvePoint {
  /** Percentile, 0..100. */
  percentile: number;
  /** 1 / (1 - p): the "nines" axis on which 90%, 99%, 99.9% are evenly spaced. */
  nines: number;
  latencyMs: number;
}

export interface LatencyCurve {
  count: number;
  runs: number;
  points: CurvePoint[];
}

/** Points per decade of the nines axis: smooth enough for a line, small enough for an inline SVG. */
const STEPS_PER_DECADE = 8;

function mergedHistogram(summary: JobSummary): Histogram | null {
  let merged: Histogram | null = null;
  for (const run of summary.completed) {
    if (run.latency.summary.count === 0) continue;
    const h = decodeFromCompressedBase64(run.latency.data);
    if (merged === null) merged = h;
    else {
      merged.add(h);
      h.destroy();
    }
  }
  return merged;
}

/**
 * The curve from p0 up to the last percentile the sample size supports (1 / (1 - p) <= count), then
 * the maximum. Values are the histogram's (0.1% resolution), converted from us to ms.
 */
export function latencyCurve(summary: JobSummary): LatencyCurve | null {
  const h = mergedHistogram(summary);
  if (!h) return null;
  try {
    const count = h.totalCount;
    const points: CurvePoint[] = [];
    const topDecade = Math.log10(Math.max(1, count));
    for (let i = 0; i / STEPS_PER_DECADE < topDecade; i++) {
      const nines = 10 ** (i / STEPS_PER_DECADE);
      const percentile = 100 * (1 - 1 / nines);
      points.push({ percentile, nines, latencyMs: h.getValueAtPercentile(percentile) / 1000 });
    }
    // The milestones the charts mark (p50, p90, p99, p99.9) exactly, where the sample supports them.
    for (const percentile of [50, 90, 99, 99.9]) {
      const nines = 1 / (1 - percentile / 100);
      if (nines <= count && !points.some((p) => Math.abs(p.percentile - percentile) < 1e-9))
        points.push({ percentile, nines, latencyMs: h.getValueAtPercentile(percentile) / 1000 });
    }
    points.sort((a, b) => a.nines - b.nines);
    points.push({ percentile: 100, nines: Math.max(count, points.at(-1)?.nines ?? 1), latencyMs: h.maxValue / 1000 });
    return { count, runs: summary.completed.length, points };
  } finally {
    h.destroy();
  }
}
