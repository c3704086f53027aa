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
import { noisy } from './metric-value.ts';
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

/** The samples growth is measured over: after the settling minute (after half the soak when it is shorter). */
function settled(samples: SoakSeries['samples']): SoakSeries['samples'] {
  const last = samples.at(-1);
  if (!last) return [];
  const settle = Math.min(SOAK_SETTLE_MS, last.atMs / 2);
  return samples.filter((s) => s.atMs >= settle);
}

/**
 * Growth of one figure over the settled samples, from a least-squares line rather than the first and
 * last samples: a long-poll server's RSS and handles swing with the answers in flight at a sample (in
 * a 5-minute soak of 500 clients: RSS 124 to 194 MiB after GC, handles 504 to 1,004), so two single
 * samples measured that swing; the line's rise over the span measures a trend. `from` is the line's
 * value at the first settled sample, `rise` its rise to the last.
 */
function trend(samples: SoakSeries['samples'], y: (s: SoakSeries['samples'][number]) => number) {
  const n = samples.length;
  if (n < 2) return { from: n ? y(samples[0]!) : 0, rise: 0 };
  const mt = samples.reduce((a, s) => a + s.atMs, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    sxy += (s.atMs - mt) * (y(s) - my);
    sxx += (s.atMs - mt) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const t0 = samples[0]!.atMs;
  return { from: my + slope * (t0 - mt), rise: slope * (samples[n - 1]!.atMs - t0) };
}

/** Growth after the first minute (fitted, see trend): RSS and heap as fractions, handles as a count. */
export function soakMetrics(series: SoakSeries | undefined) {
  const samples = settled(series?.samples ?? []);
  const fraction = (t: { from: number; rise: number }) => (t.from > 0 ? t.rise / t.from : 0);
  return {
    soak_rss_growth: noisy(fraction(trend(samples, (s) => s.rssBytes)), 'fraction'),
    soak_heap_growth: noisy(fraction(trend(samples, (s) => s.heapUsedBytes)), 'fraction'),
    soak_active_resources_growth: noisy(trend(samples, (s) => s.activeResources).rise, 'count'),
  } satisfies Record<string, Metric>;
}

export function soakWarnings(series: SoakSeries | undefined, rssGrowth: number | undefined): RunWarning[] {
  if (!series || rssGrowth === undefined || rssGrowth < SOAK_RSS_GROWTH_LIMIT) return [];
  const samples = settled(series.samples);
  return [warn.soakRssGrowth(rssGrowth, SOAK_RSS_GROWTH_LIMIT, samples[0]!.atMs, samples.at(-1)!.atMs)];
}
