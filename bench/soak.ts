/**
 * A soak (`--soak <minutes>`, issue 12): one parameter set run long, the server's memory and handles
 * sampled through the window, and their growth after the first minute reported. A server that leaks
 * per event, per poll or per keep-alive grows linearly here; one that does not levels off once its
 * clients are connected and its JIT is warm, which is what the first minute is left out for.
 *
 * Each sample is taken after a full GC (the orchestrator starts servers with --expose-gc), so heap
 * and RSS are what the server retains, not garbage waiting for a collection. That GC runs inside the
 * window every sample period: a soak run's CPU and latency figures include it, and are not comparable
 * with those of an ordinary run.
 */
import type { ServerStats } from '../servers/contract/server-ipc.ts';
import type { Metric, RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

/** A soak's samples, as stored on the completed run (bench/result-schema.ts `soak`). */
export interface SoakSeries {
  sampleMs: number;
  samples: {
    /** ms since the server's snapshot at the window's start. */
    atMs: number;
    rssBytes: number;
    heapUsedBytes: number;
    activeResources: number;
    openSockets: number;
  }[];
}

/** Left out of the growth: connects, JIT and first buffers settle in it (the issue: "after the first minute"). */
export const SOAK_SETTLE_MS = 60_000;
/** RSS growth after the first minute that is warned about (the bound for a 30-minute soak). */
export const SOAK_RSS_GROWTH_LIMIT = 0.05;

/**
 * Samples `stats` every `everyMs` from now until stop(), one request at a time (the server's stats
 * answers carry no request id the caller could match, so none may overlap the caller's own); stop()
 * waits for a sample in flight, takes a last one, and returns the series.
 */
export function sampleSoak(stats: () => Promise<ServerStats>, everyMs: number, originNs: bigint) {
  const samples: SoakSeries['samples'] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  const take = async () => {
    const s = await stats();
    samples.push({
      atMs: Number(BigInt(s.process.atNs) - originNs) / 1e6,
      rssBytes: s.process.rssBytes,
      heapUsedBytes: s.process.heapUsedBytes,
      activeResources: s.process.activeResources ?? 0,
      openSockets: s.counters.openSockets,
    });
  };
  const loop = (async () => {
    while (!stopped) {
      await take();
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, everyMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  // A failed sample fails the run through stop(); until then it must not be an unhandled rejection.
  loop.catch(() => {});
  return {
    async stop(): Promise<SoakSeries> {
      stopped = true;
      wake?.();
      await loop;
      await take();
      return { sampleMs: everyMs, samples };
    },
  };
}

/** The sample growth is measured from: the first one after the settling minute (half the soak when shorter). */
function baselineOf(samples: SoakSeries['samples']): SoakSeries['samples'][number] | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  const settle = Math.min(SOAK_SETTLE_MS, last.atMs / 2);
  return samples.find((s) => s.atMs >= settle);
}

/** Growth after the first minute: from the baseline sample to the last, as fractions and counts. */
export function soakMetrics(series: SoakSeries | undefined) {
  const first = series && baselineOf(series.samples);
  const last = series?.samples.at(-1);
  const growth = (a: number, b: number) => (a > 0 ? (b - a) / a : 0);
  const metric = (value: number, unit: Metric['unit']): Metric => ({ value, unit, better: 'lower', kind: 'noisy' });
  return {
    soak_rss_growth: metric(first && last ? growth(first.rssBytes, last.rssBytes) : 0, 'fraction'),
    soak_heap_growth: metric(first && last ? growth(first.heapUsedBytes, last.heapUsedBytes) : 0, 'fraction'),
    soak_active_resources_growth: metric(first && last ? last.activeResources - first.activeResources : 0, 'count'),
  } satisfies Record<string, Metric>;
}

export function soakWarnings(series: SoakSeries | undefined, rssGrowth: number | undefined): RunWarning[] {
  if (!series || rssGrowth === undefined || rssGrowth < SOAK_RSS_GROWTH_LIMIT) return [];
  const first = baselineOf(series.samples)!;
  const last = series.samples.at(-1)!;
  return [warn.soakRssGrowth(rssGrowth, SOAK_RSS_GROWTH_LIMIT, first.atMs, last.atMs)];
}
