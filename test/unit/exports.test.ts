/**
 * Exports for CI benchmark trackers (github-action-benchmark, Bencher BMF) from the small fixture:
 * directions, names, values (median over runs, scaled for display) and ranges.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type Metric, type Result } from '../../bench/result-schema.ts';
import { transportLabel } from '../../reports/aggregate.ts';
import { bencherBmf, bencherMeasure, bencherThresholdFlags, githubActionBenchmark } from '../../reports/exports.ts';
import { EXPORTED_METRICS, metricInfo } from '../../reports/metric-catalog.ts';

const fixture = (): Result =>
  parseResult(JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')));

/** Median of a metric over a job's completed runs, computed here independently of reports/aggregate. */
function medianOf(
  result: Result,
  bench: string,
  key: string,
): { median: number; min: number; max: number; n: number; better: string } {
  const job = result.jobs.find((j) => `${transportLabel(j)} | ${j.parameterSet}` === bench);
  assert.ok(job, `job for ${bench}`);
  const ms = job.runs
    .filter((r): r is CompletedRun => r.status === 'completed')
    // The key comes from an exported name, so it is any string here.
    .flatMap((r) => (r.metrics as Record<string, Metric | undefined>)[key] ?? []);
  const values = ms.map((m) => m.value).sort((a, b) => a - b);
  const mid = values.length >> 1;
  const median = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
  return { median, min: values[0]!, max: values[values.length - 1]!, n: values.length, better: ms[0]!.better };
}

/** "bench | label" and "metric key" back out of a github-action-benchmark entry. */
function parseEntry(entry: { name: string; extra?: string }): { bench: string; key: string } {
  const key = /metric (\S+)$/.exec(entry.extra ?? '')?.[1];
  assert.ok(key, `metric key in extra "${entry.extra}"`);
  const label = metricInfo(key).label;
  assert.ok(entry.name.endsWith(` | ${label}`), `${entry.name} ends with its label ${label}`);
  return { bench: entry.name.slice(0, -` | ${label}`.length), key };
}

describe('githubActionBenchmark', () => {
  test('directions: smaller-is-better holds only lower-is-better metrics; nothing exported is higher-is-better', () => {
    const r = fixture();
    const { smallerIsBetter, biggerIsBetter } = githubActionBenchmark(r);
    assert.ok(smallerIsBetter.length > 0);
    for (const entry of smallerIsBetter) {
      const { bench, key } = parseEntry(entry);
      assert.ok((EXPORTED_METRICS as readonly string[]).includes(key), key);
      assert.equal(medianOf(r, bench, key).better, 'lower', entry.name);
    }
    // Every exported metric (latency, bytes, requests, loss, CPU, heap) is lower-is-better.
    assert.deepEqual(biggerIsBetter, []);
  });

  test('every job and exported metric present in the result gives exactly one entry, names unique', () => {
    const r = fixture();
    const { smallerIsBetter } = githubActionBenchmark(r);
    const names = smallerIsBetter.map((e) => e.name);
    assert.equal(new Set(names).size, names.length, 'unique names');
    const expected = r.jobs.reduce((sum, job) => {
      const run = job.runs.find((x): x is CompletedRun => x.status === 'completed');
      return sum + EXPORTED_METRICS.filter((k) => run && k in run.metrics).length;
    }, 0);
    assert.equal(smallerIsBetter.length, expected);
    assert.ok(
      names.some((n) => n.startsWith('short-poll 250ms | ')),
      'short polling names carry the interval',
    );
    assert.ok(names.some((n) => n.startsWith('short-poll 1000ms | ')));
  });

  test('value = median over runs x catalog scale (latency in ms, heap in KiB); range = min to max', () => {
    const r = fixture();
    const { smallerIsBetter } = githubActionBenchmark(r);
    let checkedLatency = 0;
    for (const entry of smallerIsBetter) {
      const { bench, key } = parseEntry(entry);
      const info = metricInfo(key);
      const s = medianOf(r, bench, key);
      assert.equal(entry.unit, info.unit, entry.name);
      assert.ok(
        Math.abs(entry.value - s.median * info.scale) <= 1e-9 * Math.max(1, Math.abs(entry.value)),
        `${entry.name}: ${entry.value} vs ${s.median} x ${info.scale}`,
      );
      assert.equal(entry.range, `${(s.min * info.scale).toPrecision(4)} to ${(s.max * info.scale).toPrecision(4)}`);
      assert.equal(entry.extra, `median of ${s.n} runs; metric ${key}`);
      if (key === 'latency_p50_us') {
        checkedLatency++;
        assert.equal(entry.unit, 'ms');
        assert.equal(entry.value, s.median / 1000);
      }
    }
    assert.equal(checkedLatency, r.jobs.length);
  });

  test('one run: no range, "median of 1 run"', () => {
    const r = fixture();
    for (const job of r.jobs) job.runs = job.runs.slice(0, 1);
    const { smallerIsBetter } = githubActionBenchmark(r);
    for (const entry of smallerIsBetter) {
      assert.equal(entry.range, undefined);
      assert.match(entry.extra!, /^median of 1 run; /);
    }
  });

  test('the direction comes from the result: a higher-is-better metric lands in biggerIsBetter', () => {
    const r = fixture();
    for (const job of r.jobs)
      for (const run of job.runs) if (run.status === 'completed') run.metrics['bytes_up_per_event']!.better = 'higher';
    const { smallerIsBetter, biggerIsBetter } = githubActionBenchmark(r);
    assert.equal(biggerIsBetter.length, r.jobs.length);
    assert.ok(biggerIsBetter.every((e) => e.extra!.endsWith('metric bytes_up_per_event')));
    assert.ok(smallerIsBetter.every((e) => !e.extra!.endsWith('metric bytes_up_per_event')));
  });
});

describe('bencherBmf', () => {
  test('benchmarks -> measures with direction slugs, values with lower/upper bounds over 2 runs', () => {
    const r = fixture();
    const bmf = bencherBmf(r);
    const benches = Object.keys(bmf);
    assert.equal(benches.length, r.jobs.length, 'one benchmark per job');
    for (const job of r.jobs) assert.ok(`${transportLabel(job)} | ${job.parameterSet}` in bmf, job.id);
    let measures = 0;
    for (const [bench, byMeasure] of Object.entries(bmf)) {
      for (const [slug, v] of Object.entries(byMeasure)) {
        measures++;
        const m = /^([a-z0-9-]+)-(lower|higher)-is-better$/.exec(slug);
        assert.ok(m, `slug ${slug}`);
        assert.ok(slug.length <= 64, `${slug} is ${slug.length} chars`);
        const key = m[1]!.replace(/-/g, '_');
        assert.ok((EXPORTED_METRICS as readonly string[]).includes(key), key);
        const s = medianOf(r, bench, key);
        assert.equal(m[2], s.better, `${slug} matches the metric's direction`);
        assert.equal(slug, bencherMeasure(key, s.better as 'lower' | 'higher'));
        // Stored units, unscaled (the slug names the unit, e.g. -us-).
        assert.equal(v.value, s.median);
        assert.equal(typeof v.lower_value, 'number');
        assert.equal(typeof v.upper_value, 'number');
        assert.ok(
          v.lower_value! <= v.value && v.value <= v.upper_value!,
          `${bench} ${slug}: ${v.lower_value} <= ${v.value} <= ${v.upper_value}`,
        );
        assert.equal(v.lower_value, s.min);
        assert.equal(v.upper_value, s.max);
      }
    }
    assert.equal(measures, githubActionBenchmark(r).smallerIsBetter.length, 'the same entries as the other export');
  });

  test('one run: value only', () => {
    const r = fixture();
    for (const job of r.jobs) job.runs = job.runs.slice(0, 1);
    for (const byMeasure of Object.values(bencherBmf(r))) {
      for (const v of Object.values(byMeasure)) assert.deepEqual(Object.keys(v), ['value']);
    }
  });

  test('bencherMeasure', () => {
    assert.equal(bencherMeasure('latency_p50_us', 'lower'), 'latency-p50-us-lower-is-better');
    assert.equal(bencherMeasure('events_delivered', 'higher'), 'events-delivered-higher-is-better');
  });
});

describe('bencherThresholdFlags', () => {
  /** The flags in groups of six: --threshold-measure m --threshold-test t_test <boundary> 0.99. */
  function groups(flags: string[]): { measure: string; boundary: string }[] {
    assert.equal(flags.length % 6, 0);
    const out: { measure: string; boundary: string }[] = [];
    for (let i = 0; i < flags.length; i += 6) {
      assert.equal(flags[i], '--threshold-measure');
      assert.equal(flags[i + 2], '--threshold-test');
      assert.equal(flags[i + 3], 't_test');
      assert.equal(flags[i + 5], '0.99');
      out.push({ measure: flags[i + 1]!, boundary: flags[i + 4]! });
    }
    return out;
  }

  test('one threshold per measure; lower-is-better measures get an upper boundary', () => {
    const r = fixture();
    const g = groups(bencherThresholdFlags(r));
    const slugs = new Set(Object.values(bencherBmf(r)).flatMap((m) => Object.keys(m)));
    assert.deepEqual(new Set(g.map((x) => x.measure)), slugs);
    assert.equal(g.length, slugs.size, 'each measure once');
    for (const { measure, boundary } of g) {
      assert.ok(measure.endsWith('-lower-is-better'));
      assert.equal(boundary, '--threshold-upper-boundary', measure);
    }
  });

  test('a higher-is-better measure gets a lower boundary', () => {
    const r = fixture();
    for (const job of r.jobs)
      for (const run of job.runs) if (run.status === 'completed') run.metrics['bytes_up_per_event']!.better = 'higher';
    const g = groups(bencherThresholdFlags(r));
    const higher = g.filter((x) => x.measure.endsWith('-higher-is-better'));
    assert.deepEqual(higher, [
      { measure: 'bytes-up-per-event-higher-is-better', boundary: '--threshold-lower-boundary' },
    ]);
    for (const x of g.filter((y) => y.measure.endsWith('-lower-is-better')))
      assert.equal(x.boundary, '--threshold-upper-boundary');
  });
});
