/**
 * The regression gate as a pure function: synthetic baseline/candidate pairs derived from the small
 * fixture, where every run is a clone of the fixture's first run and the values under test are set
 * directly, so each verdict follows from numbers written in the test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type MetricKey, type Result } from '../../bench/result-schema.ts';
import {
  compareResults,
  UnusableComparison,
  type Comparison,
  type MetricComparison,
} from '../../bench/gate/compare.ts';
import { DEFAULT_RULES, parseCompareConfig, ConfigError } from '../../bench/gate/config.ts';
import { comparisonJson, renderComparisonMarkdown } from '../../reports/comparison.ts';
import { MARKDOWN_LIMIT } from '../../reports/markdown.ts';

const FIXTURE = parseResult(
  JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
);
const config = parseCompareConfig({});
const NAMES = { baseline: 'main@abc123', candidate: 'pr@def456' };

function firstRun(result: Result, jobIndex: number): CompletedRun {
  const run = result.jobs[jobIndex]!.runs[0]!;
  assert.equal(run.status, 'completed');
  return run as CompletedRun;
}

/** The fixture with every job holding `n` completed clones of its first run (repetitions 1..n). */
function synthetic(n: number): Result {
  const r = structuredClone(FIXTURE);
  r.jobs.forEach((job, j) => {
    const template = firstRun(FIXTURE, j);
    job.runs = Array.from({ length: n }, (_, i) => ({ ...structuredClone(template), repetition: i + 1 }));
  });
  return r;
}

/** Sets one metric of one job, run by run (values.length must equal the number of runs). */
function setValues(r: Result, jobIndex: number, metric: MetricKey, values: readonly number[]): void {
  const runs = r.jobs[jobIndex]!.runs;
  assert.equal(runs.length, values.length, 'one value per run');
  runs.forEach((run, i) => {
    assert.equal(run.status, 'completed');
    const m = (run as CompletedRun).metrics[metric];
    assert.ok(m, `metric ${metric} exists`);
    m.value = values[i]!;
  });
}

const same = (n: number, v: number) => Array.from({ length: n }, () => v);

function find(cmp: Comparison, jobIndex: number, metric: string): MetricComparison {
  const id = FIXTURE.jobs[jobIndex]!.id;
  const found = cmp.metrics.filter((m) => m.jobId === id && m.metric === metric);
  assert.equal(found.length, 1, `one comparison for ${metric} of ${id}`);
  return found[0]!;
}

const others = (cmp: Comparison, jobIndex: number, metric: string) =>
  cmp.metrics.filter((m) => !(m.jobId === FIXTURE.jobs[jobIndex]!.id && m.metric === metric));

// Baseline around 5000 us with a small spread; candidates shifted from it.
const BASE_P50 = [4980, 4990, 5000, 5000, 5010, 5020];
const shifted = (by: number) => BASE_P50.map((v) => v + by);

describe('compareResults', () => {
  test('identical results: no regression, every metric unchanged or not comparable', () => {
    const cmp = compareResults(synthetic(6), synthetic(6), config);
    assert.equal(cmp.verdict, 'no regression');
    assert.deepEqual(cmp.regressions, []);
    assert.deepEqual(cmp.improvements, []);
    assert.equal(cmp.commonJobs, FIXTURE.jobs.length);
    assert.ok(cmp.metrics.length > FIXTURE.jobs.length * 30, `${cmp.metrics.length} metrics compared`);
    for (const m of cmp.metrics)
      assert.ok(m.verdict === 'unchanged' || m.verdict === 'not comparable', `${m.jobId} ${m.metric}: ${m.verdict}`);
    // Identical constants: every noisy test has p = 1; every exact change is 0.
    for (const m of cmp.metrics.filter((x) => x.kind === 'noisy')) assert.equal(m.pValue, 1, m.metric);
    for (const m of cmp.metrics.filter((x) => x.kind === 'exact')) assert.equal(m.difference, 0, m.metric);
    assert.deepEqual(cmp.contextDifferences, []);
    assert.deepEqual(cmp.jobsOnlyInBaseline, []);
    assert.deepEqual(cmp.jobsOnlyInCandidate, []);
  });

  test('the fixture itself (2 real runs per side) compared with itself: no regression', () => {
    const cmp = compareResults(FIXTURE, structuredClone(FIXTURE), config);
    assert.equal(cmp.verdict, 'no regression');
    assert.equal(cmp.noisyTests, 0, 'too few runs for any Welch test');
  });

  describe('exact metrics', () => {
    test('+200 B down per event on one job: exactly that metric regressed, gated', () => {
      const base = synthetic(3);
      const cand = synthetic(3);
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      setValues(cand, 0, 'bytes_down_per_event', same(3, before + 200));
      const cmp = compareResults(base, cand, config);
      const m = find(cmp, 0, 'bytes_down_per_event');
      assert.equal(m.verdict, 'regressed');
      assert.equal(m.gated, true);
      assert.equal(m.difference, 200);
      assert.ok(Math.abs(m.change - 200 / before) < 1e-12);
      assert.equal(m.ci, null, 'exact metrics have no CI');
      assert.equal(m.pValue, null);
      assert.match(m.reason, /exact metric changed by 200/);
      assert.deepEqual(cmp.regressions, [m]);
      assert.equal(cmp.verdict, 'regressed');
      for (const o of others(cmp, 0, 'bytes_down_per_event'))
        assert.notEqual(o.verdict, 'regressed', `${o.jobId} ${o.metric}`);
      // The same metric of the other jobs did not move.
      assert.equal(find(cmp, 1, 'bytes_down_per_event').verdict, 'unchanged');
    });

    test('-50% is an improvement; +0.5% is within the default 1% tolerance', () => {
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      const down = synthetic(3);
      setValues(down, 0, 'bytes_down_per_event', same(3, before / 2));
      const improved = compareResults(synthetic(3), down, config);
      const m = find(improved, 0, 'bytes_down_per_event');
      assert.equal(m.verdict, 'improved');
      assert.equal(m.change, -0.5);
      assert.deepEqual(improved.improvements, [m]);
      assert.equal(improved.verdict, 'no regression');

      const slightly = synthetic(3);
      setValues(slightly, 0, 'bytes_down_per_event', same(3, before * 1.005));
      const within = find(compareResults(synthetic(3), slightly, config), 0, 'bytes_down_per_event');
      assert.equal(within.verdict, 'unchanged');
      assert.match(within.reason, /within tolerance/);

      // WebSocket (job 4) makes no HTTP requests: just beyond 1% (and the 1-byte floor) is a regression.
      const WS = 4;
      assert.equal(FIXTURE.jobs[WS]!.params.transport, 'ws');
      const wsBefore = firstRun(FIXTURE, WS).metrics['bytes_down_per_event']!.value;
      const beyond = synthetic(3);
      setValues(beyond, WS, 'bytes_down_per_event', same(3, wsBefore * 1.02));
      assert.equal(find(compareResults(synthetic(3), beyond, config), WS, 'bytes_down_per_event').verdict, 'regressed');
    });

    test('polling tolerates one response per window edge: 2 / requests in the window, capped at 3x the 1% tolerance', () => {
      // Job 0 polls 20 times in its window: 2 / 20 = 10%, capped at 3 x 1%.
      const requests = Math.min(
        ...FIXTURE.jobs[0]!.runs.map((r) =>
          r.status === 'completed' ? r.totals['clientHttpRequests']! : Number.POSITIVE_INFINITY,
        ),
      );
      assert.equal(requests, 20);
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      const edge = synthetic(3);
      setValues(edge, 0, 'bytes_down_per_event', same(3, before * 1.025));
      const within = find(compareResults(synthetic(3), edge, config), 0, 'bytes_down_per_event');
      assert.equal(within.verdict, 'unchanged', within.reason);
      const beyond = synthetic(3);
      setValues(beyond, 0, 'bytes_down_per_event', same(3, before * 1.04));
      assert.equal(find(compareResults(synthetic(3), beyond, config), 0, 'bytes_down_per_event').verdict, 'regressed');
      // Loss keeps tolerance zero whatever the request count.
      const lost = synthetic(3);
      setValues(lost, 0, 'events_lost', same(3, 1));
      assert.equal(find(compareResults(synthetic(3), lost, config), 0, 'events_lost').verdict, 'regressed');
    });

    test('exact metrics compare medians: one outlier run does not move the verdict', () => {
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      const cand = synthetic(3);
      setValues(cand, 0, 'bytes_down_per_event', [before, before + 5000, before]);
      assert.equal(find(compareResults(synthetic(3), cand, config), 0, 'bytes_down_per_event').verdict, 'unchanged');
    });

    test('one lost event (0 -> 1) is a regression: tolerance 0', () => {
      const cand = synthetic(3);
      assert.equal(firstRun(FIXTURE, 3).metrics['events_lost']!.value, 0);
      setValues(cand, 3, 'events_lost', same(3, 1));
      const cmp = compareResults(synthetic(3), cand, config);
      const m = find(cmp, 3, 'events_lost');
      assert.equal(m.verdict, 'regressed');
      assert.equal(m.gated, true);
      assert.ok(Number.isNaN(m.change), 'relative change from 0 is undefined');
      assert.equal(m.difference, 1);
      assert.deepEqual(cmp.regressions, [m]);
    });
  });

  describe('noisy metrics (Welch + Holm + minimum effect)', () => {
    test('latency p50 5000 -> 8000 us over 6 runs: regressed, significant, CI well above +50%', () => {
      const cand = synthetic(6);
      setValues(cand, 2, 'latency_p50_us', shifted(3000));
      const base = synthetic(6);
      setValues(base, 2, 'latency_p50_us', BASE_P50);
      const cmp = compareResults(base, cand, config);
      const m = find(cmp, 2, 'latency_p50_us');
      assert.equal(m.verdict, 'regressed');
      assert.equal(m.gated, true);
      assert.ok(m.pValue !== null && m.pValue < 0.05, `p ${m.pValue}`);
      assert.ok(m.adjustedP !== null && m.adjustedP < 0.05, `adjusted ${m.adjustedP}`);
      assert.ok(m.ci, 'CI present');
      assert.ok(m.ci[0] > 0.5 && m.ci[1] > 0.5, `CI ${m.ci}`);
      assert.ok(m.ci[0] < 0.6 && m.ci[1] > 0.6, 'the CI contains the observed +60%');
      assert.ok(Math.abs(m.change - 0.6) < 1e-12, `change ${m.change}`);
      assert.equal(m.difference, 3000);
      assert.equal(m.baseline.n, 6);
      assert.equal(m.candidate.n, 6);
      assert.equal(m.baseline.median, 5000);
      assert.equal(m.candidate.mean, 8000);
      assert.deepEqual(cmp.regressions, [m]);
      assert.equal(cmp.verdict, 'regressed');
    });

    test('5000 -> 5200 us (4%): significant but below the 10% minimum effect -> unchanged', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      setValues(base, 2, 'latency_p50_us', BASE_P50);
      setValues(cand, 2, 'latency_p50_us', shifted(200));
      const m = find(compareResults(base, cand, config), 2, 'latency_p50_us');
      assert.equal(m.verdict, 'unchanged');
      assert.ok(m.adjustedP! < 0.05, 'significant even after Holm');
      assert.match(m.reason, /minimum effect/);
      assert.match(m.reason, /\(500\)/, 'floor = 10% of 5000 us');
    });

    test('5000 -> 3000 us: improved', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      setValues(base, 2, 'latency_p50_us', BASE_P50);
      setValues(cand, 2, 'latency_p50_us', shifted(-2000));
      const cmp = compareResults(base, cand, config);
      const m = find(cmp, 2, 'latency_p50_us');
      assert.equal(m.verdict, 'improved');
      assert.ok(m.ci![1] < 0);
      assert.deepEqual(cmp.improvements, [m]);
      assert.equal(cmp.verdict, 'no regression');
    });

    test('fewer runs than minRuns: noisy metrics not comparable, exact ones still judged', () => {
      const base = synthetic(2);
      const cand = synthetic(2);
      setValues(base, 2, 'latency_p50_us', [5000, 5010]);
      setValues(cand, 2, 'latency_p50_us', [9000, 9010]);
      const bytes = firstRun(FIXTURE, 2).metrics['bytes_down_per_event']!.value;
      setValues(cand, 2, 'bytes_down_per_event', same(2, bytes + 200));
      const cmp = compareResults(base, cand, config);
      const p50 = find(cmp, 2, 'latency_p50_us');
      assert.equal(p50.verdict, 'not comparable');
      assert.equal(p50.pValue, null);
      assert.equal(p50.adjustedP, null);
      assert.match(p50.reason, /at least 3 completed runs per side \(has 2 and 2\)/);
      for (const m of cmp.metrics.filter((x) => x.kind === 'noisy'))
        assert.equal(m.verdict, 'not comparable', m.metric);
      for (const m of cmp.metrics.filter((x) => x.kind === 'exact'))
        assert.notEqual(m.verdict, 'not comparable', m.metric);
      assert.equal(find(cmp, 2, 'bytes_down_per_event').verdict, 'regressed');
      assert.equal(cmp.noisyTests, 0);
      assert.equal(cmp.verdict, 'regressed');
    });

    test('errored runs do not count towards minRuns', () => {
      const base = synthetic(3);
      const cand = synthetic(3);
      cand.jobs[2]!.runs[1] = {
        status: 'errored',
        repetition: 2,
        startedAt: new Date(0).toISOString(),
        phase: 'measure',
        error: 'boom',
      };
      const m = find(compareResults(base, cand, config), 2, 'latency_p50_us');
      assert.equal(m.verdict, 'not comparable');
      assert.equal(m.candidate.n, 2);
    });

    test('a non-gated metric (load generator CPU doubled) is reported as regressed but does not fail the gate', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      const cpu = [0.0258, 0.026, 0.0261, 0.0262, 0.0263, 0.0265];
      setValues(base, 4, 'load_cpu_fraction', cpu);
      setValues(
        cand,
        4,
        'load_cpu_fraction',
        cpu.map((v) => v * 2),
      );
      const cmp = compareResults(base, cand, config);
      const m = find(cmp, 4, 'load_cpu_fraction');
      assert.equal(m.verdict, 'regressed');
      assert.equal(m.gated, false);
      assert.equal(m.adjustedP, m.pValue, 'not in the Holm family: raw p');
      assert.ok(!cmp.regressions.includes(m));
      assert.deepEqual(cmp.regressions, []);
      assert.equal(cmp.verdict, 'no regression');
    });

    test('Holm: the family is every gated noisy metric with enough runs; adjusted p >= raw p', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      // Moderate evidence: raw p about 0.01, far from significant after Holm over the whole family.
      const wide = [3000, 4000, 5000, 6000, 7000, 5000];
      setValues(base, 1, 'latency_p90_us', wide);
      setValues(
        cand,
        1,
        'latency_p90_us',
        wide.map((v) => v + 2500),
      );
      // The same evidence on a non-gated metric is judged on its raw p.
      setValues(base, 1, 'latency_p999_us', wide);
      setValues(
        cand,
        1,
        'latency_p999_us',
        wide.map((v) => v + 2500),
      );
      const cmp = compareResults(base, cand, config);

      const gatedNoisy = FIXTURE.jobs.reduce((sum, _, j) => {
        const metrics = firstRun(FIXTURE, j).metrics;
        return (
          sum +
          Object.entries(metrics).filter(([key, m]) => m.kind === 'noisy' && DEFAULT_RULES[key]?.gate !== false).length
        );
      }, 0);
      assert.ok(gatedNoisy >= FIXTURE.jobs.length * 4, `${gatedNoisy} gated noisy metrics`);
      assert.equal(cmp.noisyTests, gatedNoisy);
      assert.equal(
        cmp.noisyTests,
        cmp.metrics.filter((m) => m.kind === 'noisy' && m.gated && m.pValue !== null).length,
      );
      assert.ok(Math.abs(cmp.uncorrectedExpectedFalseAlarms - gatedNoisy * 0.05) < 1e-9);
      for (const m of cmp.metrics) {
        if (m.kind === 'exact') assert.equal(m.adjustedP, null);
        else assert.ok(m.adjustedP! >= m.pValue!, `${m.metric}: ${m.adjustedP} >= ${m.pValue}`);
      }

      const p90 = find(cmp, 1, 'latency_p90_us');
      assert.ok(p90.pValue! < 0.05, `raw p ${p90.pValue} would be significant alone`);
      assert.ok(
        Math.abs(p90.adjustedP! - Math.min(1, p90.pValue! * gatedNoisy)) < 1e-12,
        'smallest p: multiplied by the family size',
      );
      assert.equal(p90.verdict, 'unchanged');
      assert.match(p90.reason, /not significant \(p, Holm-adjusted, = /);

      const p999 = find(cmp, 1, 'latency_p999_us');
      assert.equal(p999.gated, false);
      assert.equal(p999.adjustedP, p999.pValue);
      assert.equal(p999.verdict, 'regressed');
      assert.equal(cmp.verdict, 'no regression');
    });
  });

  describe('config overrides', () => {
    test('minEffect 0.01 (and no absolute floor) turns the 4% latency change into a regression', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      setValues(base, 2, 'latency_p50_us', BASE_P50);
      setValues(cand, 2, 'latency_p50_us', shifted(200));
      // minEffect alone: the built-in 300 us floor of latency_p50_us still holds a 200 us change back.
      const floorOnly = find(
        compareResults(base, cand, parseCompareConfig({ metrics: { latency_p50_us: { minEffect: 0.01 } } })),
        2,
        'latency_p50_us',
      );
      assert.equal(floorOnly.verdict, 'unchanged');
      assert.match(floorOnly.reason, /minimum effect \(300\)/);

      const cmp = compareResults(
        base,
        cand,
        parseCompareConfig({ metrics: { latency_p50_us: { minEffect: 0.01, minAbsolute: 0 } } }),
      );
      const m = find(cmp, 2, 'latency_p50_us');
      assert.equal(m.verdict, 'regressed');
      assert.deepEqual(cmp.regressions, [m]);
    });

    test('minEffect 0.01 alone is enough when 4% is beyond the absolute floor (10000 -> 10400 us)', () => {
      const base = synthetic(6);
      const cand = synthetic(6);
      const b = BASE_P50.map((v) => v * 2);
      setValues(base, 2, 'latency_p50_us', b);
      setValues(
        cand,
        2,
        'latency_p50_us',
        b.map((v) => v + 400),
      );
      assert.equal(find(compareResults(base, cand, config), 2, 'latency_p50_us').verdict, 'unchanged');
      const overridden = compareResults(
        base,
        cand,
        parseCompareConfig({ metrics: { latency_p50_us: { minEffect: 0.01 } } }),
      );
      assert.equal(find(overridden, 2, 'latency_p50_us').verdict, 'regressed');
    });

    test('gate: false keeps a +200 B change regressed but not gated', () => {
      const cand = synthetic(3);
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      setValues(cand, 0, 'bytes_down_per_event', same(3, before + 200));
      const cmp = compareResults(
        synthetic(3),
        cand,
        parseCompareConfig({ metrics: { bytes_down_per_event: { gate: false } } }),
      );
      const m = find(cmp, 0, 'bytes_down_per_event');
      assert.equal(m.verdict, 'regressed');
      assert.equal(m.gated, false);
      assert.deepEqual(cmp.regressions, []);
      assert.equal(cmp.verdict, 'no regression');
    });

    test('a per-metric tolerance widens an exact metric', () => {
      const cand = synthetic(3);
      const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
      setValues(cand, 0, 'bytes_down_per_event', same(3, before + 200));
      const cmp = compareResults(
        synthetic(3),
        cand,
        parseCompareConfig({ metrics: { bytes_down_per_event: { absoluteTolerance: 250 } } }),
      );
      assert.equal(find(cmp, 0, 'bytes_down_per_event').verdict, 'unchanged');
    });

    test('bad config documents are refused with the path of the problem', () => {
      assert.throws(
        () => parseCompareConfig({ alpha: 2 }),
        (err: unknown) => err instanceof ConfigError && /alpha/.test(err.message),
      );
      assert.throws(
        () => parseCompareConfig({ metrics: { latency_p50_us: { minEffect: -1 } } }),
        /metrics\.latency_p50_us\.minEffect/,
      );
      assert.equal(parseCompareConfig(undefined).alpha, 0.05);
      assert.equal(config.minRuns, 3);
    });
  });

  describe('jobs and context', () => {
    test('disjoint jobs cannot be compared', () => {
      const cand = synthetic(3);
      for (const job of cand.jobs) job.id = `${job.id} (renamed)`;
      assert.throws(() => compareResults(synthetic(3), cand, config), UnusableComparison);
    });

    test('jobs on one side only are listed, the rest compared', () => {
      const base = synthetic(3);
      const cand = synthetic(3);
      const dropped = cand.jobs.shift()!;
      cand.jobs[0]!.id = 'only in candidate';
      const cmp = compareResults(base, cand, config);
      assert.equal(cmp.commonJobs, FIXTURE.jobs.length - 2);
      assert.deepEqual(cmp.jobsOnlyInBaseline, [dropped.id, FIXTURE.jobs[1]!.id]);
      assert.deepEqual(cmp.jobsOnlyInCandidate, ['only in candidate']);
      assert.ok(cmp.metrics.every((m) => m.jobId !== dropped.id && m.jobId !== 'only in candidate'));
    });

    test('context differences are listed', () => {
      const base = synthetic(3);
      const cand = synthetic(3);
      cand.context.node = 'v22.1.0';
      cand.context.cpu.count = base.context.cpu.count + 2;
      cand.context.scenario.timing.measureMs += 1000;
      cand.context.scenario.framework = 'node';
      const cmp = compareResults(base, cand, config);
      assert.equal(cmp.contextDifferences.length, 4, cmp.contextDifferences.join('; '));
      assert.ok(
        cmp.contextDifferences.includes(`Node ${base.context.node} vs v22.1.0`),
        cmp.contextDifferences.join('; '),
      );
      assert.ok(cmp.contextDifferences.some((d) => d.startsWith('CPU ')));
      assert.ok(cmp.contextDifferences.includes('different timing (warm-up, window or drain)'));
      assert.ok(cmp.contextDifferences.includes('framework express vs node'));
    });
  });
});

describe('renderComparisonMarkdown and comparisonJson', () => {
  const regressedPair = () => {
    const base = synthetic(6);
    const cand = synthetic(6);
    const before = firstRun(FIXTURE, 0).metrics['bytes_down_per_event']!.value;
    setValues(cand, 0, 'bytes_down_per_event', same(6, before + 200));
    setValues(base, 2, 'latency_p50_us', BASE_P50);
    setValues(cand, 2, 'latency_p50_us', shifted(3000));
    return compareResults(base, cand, config);
  };

  test('no regression: the heading says so and there is no Regressions table', () => {
    const cmp = compareResults(synthetic(6), synthetic(6), config);
    const md = renderComparisonMarkdown(cmp, NAMES);
    assert.match(md, /^## pollbench: no regression\n/);
    assert.ok(!md.includes('### Regressions'));
    assert.ok(md.includes('`main@abc123`') && md.includes('`pr@def456`'));
    assert.ok(
      md.includes(`Holm-Bonferroni over the ${cmp.noisyTests} gated tests`),
      'Holm sentence with the number of tests',
    );
    assert.ok(cmp.noisyTests > 0);
    assert.ok(md.includes('<details><summary>All other comparisons</summary>'));
  });

  test('regressions: counted in the heading and listed first with the metric label', () => {
    const cmp = regressedPair();
    assert.equal(cmp.regressions.length, 2);
    const md = renderComparisonMarkdown(cmp, NAMES);
    assert.match(md, /^## pollbench: 2 regressions\n/);
    const section = md.slice(md.indexOf('### Regressions'), md.indexOf('<details>'));
    assert.ok(md.indexOf('### Regressions') > 0);
    const rows = section
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| job') && !l.startsWith('| ---'));
    assert.equal(rows.length, 2, section);
    assert.ok(section.includes('bytes down / event (B)'), section);
    assert.ok(section.includes('latency p50 (ms)'), section);
    assert.ok(section.includes('**regressed**'));
    assert.ok(section.includes('+60.0%'), 'relative change of the latency');

    const one = compareResults(
      synthetic(3),
      (() => {
        const c = synthetic(3);
        setValues(c, 3, 'events_lost', same(3, 1));
        return c;
      })(),
      config,
    );
    assert.match(renderComparisonMarkdown(one, NAMES), /^## pollbench: 1 regression\n/);
  });

  test('context differences and one-sided jobs are shown', () => {
    const base = synthetic(3);
    const cand = synthetic(3);
    cand.context.node = 'v22.1.0';
    cand.jobs.pop();
    const md = renderComparisonMarkdown(compareResults(base, cand, config), NAMES);
    assert.ok(md.includes('**Context differs**'));
    assert.ok(md.includes('v22.1.0'));
    assert.ok(md.includes('Only in the baseline:'));
    assert.ok(!md.includes('more (see the JSON)'), 'a short list is shown whole');
  });

  test('3,000 jobs with a regression each stay under the Markdown size limit', () => {
    const big = (bump: number): Result => {
      const r = synthetic(2);
      const template = r.jobs;
      r.jobs = Array.from({ length: 3000 }, (_, i) => {
        const job = structuredClone(template[i % template.length]!);
        job.id = `${job.id} #${i}`;
        for (const run of job.runs) (run as CompletedRun).metrics['bytes_down_per_event']!.value += bump;
        return job;
      });
      return r;
    };
    const cmp = compareResults(big(0), big(200), config);
    assert.equal(cmp.commonJobs, 3000);
    assert.equal(cmp.regressions.length, 3000);
    const md = renderComparisonMarkdown(cmp, NAMES);
    assert.ok(md.length < MARKDOWN_LIMIT, `${md.length} chars`);
    assert.match(md, /^## pollbench: 3000 regressions\n/);
    assert.match(md, /more rows not shown to stay within the size limit/);
    assert.ok(md.trimEnd().endsWith('</details>'), 'the folded section is closed');

    const json = JSON.parse(comparisonJson(cmp, NAMES)) as {
      schema: string;
      metrics: unknown[];
      regressions: unknown[];
    };
    assert.equal(json.metrics.length, cmp.metrics.length, 'the JSON keeps everything');
    assert.equal(json.regressions.length, 3000);
  });

  test('thousands of one-sided jobs also stay under the Markdown size limit', () => {
    const base = synthetic(2);
    const template = base.jobs;
    base.jobs = Array.from({ length: 3000 }, (_, i) => {
      const job = structuredClone(template[i % template.length]!);
      if (i >= template.length) job.id = `${job.id} #${i}`;
      return job;
    });
    const cmp = compareResults(base, synthetic(2), config);
    assert.equal(cmp.jobsOnlyInBaseline.length, 3000 - FIXTURE.jobs.length);
    const md = renderComparisonMarkdown(cmp, NAMES);
    assert.ok(md.length < MARKDOWN_LIMIT, `${md.length} chars`);
    assert.ok(md.includes('Only in the baseline:'));
    assert.ok(
      md.includes(`and ${cmp.jobsOnlyInBaseline.length - 20} more (see the JSON)`),
      'the list is cut, and says how much is left out',
    );
  });

  test('comparisonJson: parseable, schema pollbench-comparison/1, names, verdict and config', () => {
    const cmp = regressedPair();
    const text = comparisonJson(cmp, NAMES);
    assert.ok(text.endsWith('\n'));
    const json = JSON.parse(text) as Record<string, unknown>;
    assert.equal(json.schema, 'pollbench-comparison/1');
    assert.equal(json.baseline, NAMES.baseline);
    assert.equal(json.candidate, NAMES.candidate);
    assert.equal(json.verdict, 'regressed');
    assert.equal((json.regressions as unknown[]).length, 2);
    assert.deepEqual(json.config, JSON.parse(JSON.stringify(config)));
    assert.equal(json.noisyTests, cmp.noisyTests);
  });
});

test('a job whose candidate runs all failed is a regression of its own, with "not comparable" rows', () => {
  const load = (name: string) =>
    parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));
  const cmp = compareResults(load('small-result.json'), load('errored-result.json'), parseCompareConfig({}));
  const failed = load('errored-result.json').jobs.find((j) => j.runs.every((r) => r.status !== 'completed'))!;
  assert.deepEqual(cmp.jobsFailedInCandidate, [failed.id]);
  assert.equal(cmp.verdict, 'regressed');
  const rows = cmp.metrics.filter((m) => m.jobId === failed.id);
  assert.ok(rows.length > 30, 'every metric of the failed job is listed');
  assert.ok(rows.every((m) => m.verdict === 'not comparable'));
});
