import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bytesRows, completedSummaries, countRows, matrixLayout } from '../../reports/chart-data.ts';
import { latencyCurve } from '../../reports/latency-curves.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { median, summarizeAll, transportLabel } from '../../reports/aggregate.ts';
import { BYTES_PARTS } from '../../reports/charts/bytes-chart.ts';
import { tinyResult } from '../helpers/tiny-result.ts';
import { parseResult, type Job, type Result } from '../../bench/result-schema.ts';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

/** The panel name the charts give a job's parameter set (the fixtures only have steady feeds). */
function panel(job: Job): string {
  const shape = job.params.shape;
  assert.equal(shape.kind, 'steady');
  return `${shape.kind === 'steady' ? shape.ratePerSec : Number.NaN}/s, ${job.params.clients} clients, ${job.params.payloadBytes} B payload`;
}

test('a compressed job downloads one part, all compressed, and still adds up to its totals', () => {
  const result = tinyResult([
    {
      transport: 'ws',
      runs: [{ bytes_down_per_event: 120, bytes_up_per_event: 0, message_bytes_down_per_event: 310 }],
      params: { compression: 'on' },
      label: ' compression=on',
    },
  ]);
  const rows = bytesRows(summarizeResult(result));
  assert.deepEqual(
    rows.map((r) => [r.part, r.bytes]),
    [
      ['down: all, compressed', 120],
      ['up: requests + framing', 0],
    ],
  );
});

test('the bytes bars of each job add up to bytes down + bytes up per event, with the payload as its own part', () => {
  for (const name of ['small-result.json', 'quick-result.json']) {
    const result = fixture(name);
    const rows = bytesRows(summarizeResult(result));
    for (const s of summarizeAll(result)) {
      const mine = rows.filter((r) => r.set === panel(s.job) && r.transport === transportLabel(s.job));
      assert.deepEqual(
        mine.map((r) => r.part),
        // An uncompressed job: every part but the compressed download.
        BYTES_PARTS.filter((part) => part !== 'down: all, compressed'),
        `${name} ${s.job.id}`,
      );
      const sum = mine.reduce((n, r) => n + r.bytes, 0);
      const expected = s.metrics['bytes_down_per_event']!.median + s.metrics['bytes_up_per_event']!.median;
      assert.ok(Math.abs(sum - expected) < 1e-9, `${name} ${s.job.id}: parts ${sum} vs total ${expected}`);
      // The payload part is the configured payload size. Window byte counts of short polling with a
      // 1000 ms interval can come out below it per delivered event (the fixtures' warm-up is shorter
      // than the interval); then the whole message is shown as payload and the envelope is 0.
      const message = s.metrics['message_bytes_down_per_event']!.median;
      const payload = mine.find((r) => r.part === 'down: payload')!.bytes;
      const envelope = mine.find((r) => r.part === 'down: message envelope')!.bytes;
      if (message >= s.job.params.payloadBytes) assert.equal(payload, s.job.params.payloadBytes, s.job.id);
      else {
        assert.equal(payload, message, s.job.id);
        assert.equal(envelope, 0, s.job.id);
      }
      assert.equal(payload + envelope, message, s.job.id);
      for (const r of mine) assert.ok(r.bytes >= 0, `${s.job.id} ${r.part}: ${r.bytes}`);
    }
  }
});

test('the per-event count bars show the median HTTP requests per event of each job', () => {
  const result = fixture('small-result.json');
  const rows = countRows(summarizeResult(result));
  const summaries = summarizeAll(result);
  assert.equal(rows.filter((r) => r.what === 'HTTP requests').length, summaries.length);
  for (const s of summaries) {
    const set = panel(s.job);
    const row = rows.find((r) => r.set === set && r.transport === transportLabel(s.job) && r.what === 'HTTP requests');
    assert.ok(row, `${set} ${transportLabel(s.job)}`);
    assert.equal(row.value, s.metrics['http_requests_per_event']!.median);
    const empty = rows.find(
      (r) => r.set === set && r.transport === transportLabel(s.job) && r.what === 'empty responses',
    )!;
    assert.equal(empty.value, s.metrics['empty_responses_per_event']!.median);
  }
});

test('jobs without a completed run get no bars', () => {
  const result = fixture('errored-result.json');
  const summary = summarizeResult(result);
  const dead = summarizeAll(result).filter((s) => s.completed.length === 0);
  assert.equal(dead.length, 1);
  const job = dead[0]!.job;
  const mine = (r: { transport: string; set: string }) => r.transport === transportLabel(job) && r.set === panel(job);
  assert.equal(bytesRows(summary).filter(mine).length, 0);
  assert.equal(countRows(summary).filter(mine).length, 0);
  // The same transport in the other parameter set still has its bars.
  assert.ok(bytesRows(summary).some((r) => r.transport === transportLabel(job) && r.set !== panel(job)));
  assert.equal(completedSummaries(summary).length, result.jobs.length - 1);
});

test("latency curves rise monotonically to the maximum, through the runs' median", () => {
  for (const name of ['small-result.json', 'quick-result.json']) {
    for (const s of summarizeAll(fixture(name))) {
      const curve = latencyCurve(s);
      assert.ok(curve, s.job.id);
      assert.equal(curve.runs, s.completed.length);
      assert.equal(
        curve.count,
        s.completed.reduce((n, r) => n + r.latency.summary.count, 0),
        `${s.job.id}: every delivery of every run counts once`,
      );
      assert.ok(curve.points.length >= 3, s.job.id);
      assert.equal(curve.points[0]!.percentile, 0);
      for (let i = 1; i < curve.points.length; i++) {
        const a = curve.points[i - 1]!;
        const b = curve.points[i]!;
        assert.ok(b.percentile >= a.percentile, `${s.job.id}: percentile ${a.percentile} -> ${b.percentile}`);
        assert.ok(
          b.latencyMs >= a.latencyMs,
          `${s.job.id}: latency ${a.latencyMs} -> ${b.latencyMs} at p${b.percentile}`,
        );
        assert.ok(b.nines >= a.nines, `${s.job.id}: nines ${a.nines} -> ${b.nines}`);
      }
      const last = curve.points.at(-1)!;
      assert.equal(last.percentile, 100);
      const max = Math.max(...s.completed.map((r) => r.latency.summary.max)) / 1000;
      assert.ok(
        Math.abs(last.latencyMs - max) <= max * 0.01,
        `${s.job.id}: last point ${last.latencyMs} ms vs max ${max} ms`,
      );
    }
  }
});

test("with one run, the curve passes through that run's p50 (within HdrHistogram resolution)", () => {
  const result = fixture('quick-result.json');
  for (const s of summarizeAll(result)) {
    assert.equal(s.completed.length, 1, s.job.id);
    const p50 = median(s.completed.map((r) => r.latency.summary.p50)) / 1000;
    const curve = latencyCurve(s)!;
    // The curve is sampled on the nines axis; p50 lies between the points just below and above it.
    const below = curve.points.filter((p) => p.percentile <= 50).at(-1)!;
    const above = curve.points.find((p) => p.percentile >= 50)!;
    assert.ok(
      below.latencyMs <= p50 * 1.01,
      `${s.job.id}: p${below.percentile.toFixed(1)} ${below.latencyMs} ms above p50 ${p50} ms`,
    );
    assert.ok(
      above.latencyMs >= p50 * 0.99,
      `${s.job.id}: p${above.percentile.toFixed(1)} ${above.latencyMs} ms below p50 ${p50} ms`,
    );
    assert.ok(above.percentile - below.percentile < 15, `${s.job.id}: sampled finely enough around the median`);
  }
});

test('a job whose runs recorded no delivery has no curve', () => {
  const result = structuredClone(fixture('quick-result.json'));
  const run = result.jobs[0]!.runs[0]!;
  assert.equal(run.status, 'completed');
  if (run.status === 'completed') run.latency.summary.count = 0;
  assert.equal(latencyCurve(summarizeAll(parseResult(result))[0]!), null);
});

test('the matrix puts the event rate on the x axis when only the rate varies, in one panel', () => {
  const summaries = completedSummaries(summarizeResult(fixture('small-result.json')));
  const layout = matrixLayout(summaries);
  assert.equal(layout.varies, true);
  assert.equal(layout.xTitle, 'event rate (events/s)');
  assert.equal(layout.logX, true, '1 to 20 events/s spans more than a factor of 10');
  assert.deepEqual([...new Set(summaries.map(layout.x))], [1, 20]);
  assert.deepEqual([...new Set(summaries.map(layout.panel))], ['all']);
});

test('a second varying parameter makes the panels', () => {
  const result = structuredClone(fixture('small-result.json'));
  const more = structuredClone(result.jobs).map((j) => ({
    ...j,
    id: `${j.id} x10`,
    parameterSet: j.parameterSet.replace('clients=20', 'clients=200'),
    params: { ...j.params, clients: 200 },
  }));
  result.jobs.push(...more);
  const summaries = completedSummaries(summarizeResult(parseResult(result)));
  const layout = matrixLayout(summaries);
  assert.equal(layout.xTitle, 'event rate (events/s)');
  assert.deepEqual([...new Set(summaries.map(layout.panel))], ['20 clients', '200 clients']);
});

test('with a single parameter set there is no matrix', () => {
  const layout = matrixLayout(completedSummaries(summarizeResult(fixture('quick-result.json'))));
  assert.equal(layout.varies, false);
  assert.equal(layout.logX, false);
});
