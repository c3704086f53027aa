/** The soak's sampler, growth figures and warning (bench/soak.ts), on hand-made samples. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleSoak, soakMetrics, soakWarnings, type SoakSeries } from '../../bench/soak.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';

const sample = (atMs: number, rssMiB: number, heapMiB: number, activeResources = 10) => ({
  atMs,
  rssBytes: rssMiB * 2 ** 20,
  heapUsedBytes: heapMiB * 2 ** 20,
  activeResources,
  openSockets: 5,
});

test('growth counts from the first sample after the first minute to the last', () => {
  const series: SoakSeries = {
    sampleMs: 5000,
    // The first minute grows (connects, JIT): left out. After it: 100 -> 104 MiB RSS, 40 -> 50 MiB heap.
    samples: [sample(0, 60, 20, 4), sample(30_000, 90, 35, 9), sample(60_000, 100, 40), sample(300_000, 104, 50, 12)],
  };
  const m = soakMetrics(series);
  assert.ok(Math.abs(m.soak_rss_growth.value - 0.04) < 1e-12);
  assert.ok(Math.abs(m.soak_heap_growth.value - 0.25) < 1e-12);
  assert.equal(m.soak_active_resources_growth.value, 2);
  assert.deepEqual(soakWarnings(series, m.soak_rss_growth.value), []);
});

test('RSS growth of 5% or more is warned about; a short soak measures from its middle', () => {
  const series: SoakSeries = {
    sampleMs: 5000,
    samples: [sample(0, 50, 20), sample(5_000, 100, 20), sample(10_000, 105, 20)],
  };
  const m = soakMetrics(series);
  assert.ok(Math.abs(m.soak_rss_growth.value - 0.05) < 1e-12);
  const [w, ...rest] = soakWarnings(series, m.soak_rss_growth.value);
  assert.equal(rest.length, 0);
  assert.equal(w!.code, 'soak-rss-growth');
  assert.equal(w!.limit, 0.05);
  assert.match(w!.message, /grew 5\.0% from 5 s to 10 s/);
});

test('the sampler asks one at a time, every period, and stop() takes a last sample', async () => {
  let inFlight = 0;
  let most = 0;
  let n = 0;
  const stats = async (): Promise<ServerStats> => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    n++;
    return {
      process: { atNs: String(1_000_000_000 + n * 1_000_000), rssBytes: n, heapUsedBytes: n, activeResources: 3 },
      counters: { openSockets: 2 },
    } as unknown as ServerStats;
  };
  const soak = sampleSoak(stats, 20, 1_000_000_000n);
  await new Promise((resolve) => setTimeout(resolve, 110));
  const series = await soak.stop();
  assert.equal(most, 1);
  assert.equal(series.sampleMs, 20);
  // About 110 / 25 ms periods plus the last one; bounded loosely (timers on a busy machine run late).
  assert.ok(series.samples.length >= 3 && series.samples.length <= 8, `${series.samples.length} samples`);
  assert.deepEqual(
    series.samples.map((s) => s.atMs),
    series.samples.map((_, i) => i + 1),
  );
  assert.equal(series.samples.at(-1)!.activeResources, 3);
});

test('a swing with no trend is no growth; a steady rise under the swing is its rise', () => {
  // Long polling's handles and RSS swing with the answers in flight at each sample.
  const swing = (i: number) => (i % 2 === 0 ? 0 : 50);
  const flat: SoakSeries = {
    sampleMs: 5000,
    samples: Array.from({ length: 62 }, (_, i) => sample(i * 5000, 150 + swing(i), 25, 504 + 10 * swing(i))),
  };
  // Starts on a low sample and ends on a high one: first to last would read a third more RSS, 500 more handles.
  const m = soakMetrics(flat);
  assert.ok(Math.abs(m.soak_rss_growth.value) < 0.02, `${m.soak_rss_growth.value}`);
  assert.ok(Math.abs(m.soak_active_resources_growth.value) < 30, `${m.soak_active_resources_growth.value}`);
  // 1 MiB a minute under the same swing, from 150 MiB at 60 s: 4.08 MiB over the last 245 s.
  const rising: SoakSeries = {
    sampleMs: 5000,
    samples: flat.samples.map((s) => ({ ...s, rssBytes: s.rssBytes + ((s.atMs - 60_000) / 60_000) * 2 ** 20 })),
  };
  const growth = soakMetrics(rising).soak_rss_growth.value;
  assert.ok(Math.abs(growth - m.soak_rss_growth.value - 245 / 60 / 175) < 0.005, `${growth}`);
});
