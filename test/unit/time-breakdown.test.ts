import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type Result } from '../../bench/result-schema.ts';
import { P99_MIN_SAMPLES, renderSamplesPerCell, renderTimeBreakdown } from '../../reports/time-breakdown.ts';

const fixture = (): Result =>
  parseResult(JSON.parse(readFileSync(new URL('../fixtures/quick-result.json', import.meta.url), 'utf8')));
const completed = (r: Result): CompletedRun[] =>
  r.jobs.flatMap((j) => j.runs.filter((x): x is CompletedRun => x.status === 'completed'));

/** Every completed run: 100 ms start (40 of it during the previous teardown), 2 s window, ... */
function timed(): Result {
  const r = fixture();
  for (const run of completed(r)) {
    run.phasesMs = {
      start: 100,
      prewarm: 300,
      connect: 20,
      warmup: 500,
      window: 2000,
      drain: 100,
      snapshots: 30,
      teardown: 50,
    };
    run.startOverlapMs = 40;
  }
  const runs = completed(r).length;
  r.planTiming = {
    bundleMs: 400,
    calibrationMs: 5000,
    saveMs: 100,
    wallMs: 400 + 5000 + 100 + runs * (3100 - 40) + 1000,
  };
  return r;
}

test('results without phase timing (older files) get one line, not a made-up breakdown', () => {
  assert.match(renderTimeBreakdown(fixture()), /^Time breakdown: not recorded in this result/);
});

test('the breakdown sums phases over the plan, subtracts the overlap once, and the rest is "other"', () => {
  const r = timed();
  const runs = completed(r).length;
  const text = renderTimeBreakdown(r);
  const wall = r.planTiming!.wallMs;
  assert.match(text, new RegExp(`${runs} runs, plan wall time ${(wall / 1000).toFixed(1)} s`));
  const row = (label: string) => text.split('\n').find((l) => l.trimStart().startsWith(label))!;
  assert.match(
    row('measurement window'),
    new RegExp(`${((runs * 2000) / 1000).toFixed(1)} s\\s+${((100 * runs * 2000) / wall).toFixed(1)}%`),
  );
  assert.match(row('calibration'), /5\.0 s/);
  assert.match(row('bundling child processes'), /0\.4 s/);
  assert.match(row('minus: start while the previous run ended'), new RegExp(`-${((runs * 40) / 1000).toFixed(1)} s`));
  assert.match(row('other'), /1\.0 s/, 'wall minus everything accounted for');
});

test('samples per cell: every job with its latency samples per run, flagged under 1,000', () => {
  const r = fixture();
  const runs = completed(r);
  runs[0]!.latency.summary.count = P99_MIN_SAMPLES - 1;
  for (const run of runs.slice(1)) run.latency.summary.count = P99_MIN_SAMPLES;
  const text = renderSamplesPerCell(r);
  const lines = text.split('\n').filter((l) => l.includes('payload='));
  assert.equal(lines.length, r.jobs.length);
  assert.equal(lines.filter((l) => l.includes('! p99 from < 1,000 samples')).length, 1);
  assert.match(text, /1 cell flagged/);
  for (const run of runs) run.latency.summary.count = 5000;
  assert.doesNotMatch(renderSamplesPerCell(r), /flagged|!/);
});

test('samples per cell: an idle job delivers nothing on purpose and is neither listed nor flagged', () => {
  const r = fixture();
  for (const run of completed(r)) run.latency.summary.count = 5000;
  const idle = r.jobs[0]!;
  idle.params = { ...idle.params, workload: { kind: 'idle' } };
  for (const run of idle.runs) if (run.status === 'completed') run.latency.summary.count = 0;
  const text = renderSamplesPerCell(r);
  assert.equal(text.split('\n').filter((l) => l.includes('payload=')).length, r.jobs.length - 1);
  assert.doesNotMatch(text, /flagged|!/);
});
