/**
 * mergeResults: single-repetition result files (one per bench invocation) into one result. The parts
 * are derived from the small fixture, keeping run 1 of each job and marking each part by a metric.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResult, type CompletedRun, type Result } from '../../bench/result-schema.ts';
import { MergeError, mergeResults } from '../../bench/ci/merge-results.ts';

const FIXTURE = parseResult(
  JSON.parse(readFileSync(new URL('../fixtures/small-result.json', import.meta.url), 'utf8')),
);

/** One repetition per job (run 1), latency p50 of every run set to `mark`, finished at `finishedAt`. */
function part(mark: number, finishedAt: string): Result {
  const r = structuredClone(FIXTURE);
  r.context.scenario.repetitions = 1;
  r.context.finishedAt = finishedAt;
  for (const job of r.jobs) {
    job.runs = job.runs.slice(0, 1);
    const run = job.runs[0]!;
    assert.equal(run.status, 'completed');
    (run as CompletedRun).metrics['latency_p50_us']!.value = mark;
  }
  return r;
}

const p50 = (run: Result['jobs'][number]['runs'][number]) => {
  assert.equal(run.status, 'completed');
  return (run as CompletedRun).metrics['latency_p50_us']!.value;
};

describe('mergeResults', () => {
  test('three single-repetition parts -> one result with 3 runs per job, in the order given', () => {
    const parts = [
      part(1111, '2030-01-01T00:00:01.000Z'),
      part(2222, '2030-01-01T00:00:02.000Z'),
      part(3333, '2030-01-01T00:00:03.000Z'),
    ];
    const snapshot = JSON.stringify(parts);
    const merged = mergeResults(parts);
    assert.equal(JSON.stringify(parts), snapshot, 'the parts are not modified');

    assert.equal(merged.jobs.length, FIXTURE.jobs.length);
    assert.deepEqual(
      merged.jobs.map((j) => j.id),
      FIXTURE.jobs.map((j) => j.id),
      'job order kept',
    );
    for (const job of merged.jobs) {
      assert.equal(job.runs.length, 3, job.id);
      assert.deepEqual(
        job.runs.map((r) => r.repetition),
        [1, 2, 3],
        job.id,
      );
      assert.deepEqual(job.runs.map(p50), [1111, 2222, 3333], job.id);
      const original = FIXTURE.jobs.find((j) => j.id === job.id)!;
      assert.deepEqual(job.params, original.params);
      assert.equal(job.parameterSet, original.parameterSet);
    }
    assert.equal(merged.context.scenario.repetitions, 3);
    assert.equal(merged.context.finishedAt, '2030-01-01T00:00:03.000Z', 'the last part finished last');
    assert.equal(merged.context.startedAt, parts[0]!.context.startedAt);
    assert.deepEqual(merged.calibration, parts[0]!.calibration);
    assert.equal(merged.status, 'complete');

    // The merged document is a valid result (as written to disk and read back).
    const reparsed = parseResult(JSON.parse(JSON.stringify(merged)));
    assert.equal(reparsed.jobs[0]!.runs.length, 3);
  });

  test('the order of the parts decides the repetition numbers', () => {
    const merged = mergeResults([part(3, 'c'), part(1, 'a'), part(2, 'b')]);
    for (const job of merged.jobs) assert.deepEqual(job.runs.map(p50), [3, 1, 2]);
    assert.equal(merged.context.finishedAt, 'b');
  });

  test('status: interrupted if any part was, else running if any was, else complete', () => {
    const a = part(1, 'a');
    const b = part(2, 'b');
    const c = part(3, 'c');
    b.status = 'interrupted';
    c.status = 'running';
    assert.equal(mergeResults([a, b, c]).status, 'interrupted');
    assert.equal(mergeResults([a, c]).status, 'running');
    assert.equal(mergeResults([a, part(4, 'd')]).status, 'complete');
  });

  test('jobs present in only some parts are kept, numbered by their own runs', () => {
    const a = part(1, 'a');
    const b = part(2, 'b');
    const c = part(3, 'c');
    const onlyInB = b.jobs[0]!;
    a.jobs = a.jobs.slice(1);
    c.jobs = c.jobs.slice(1);
    const lastId = FIXTURE.jobs[FIXTURE.jobs.length - 1]!.id;
    b.jobs = b.jobs.filter((j) => j.id !== lastId);
    const merged = mergeResults([a, b, c]);
    assert.equal(merged.jobs.length, FIXTURE.jobs.length, 'no job lost');
    const first = merged.jobs.find((j) => j.id === onlyInB.id)!;
    assert.deepEqual(
      first.runs.map((r) => r.repetition),
      [1],
    );
    assert.deepEqual(first.runs.map(p50), [2]);
    const last = merged.jobs.find((j) => j.id === lastId)!;
    assert.deepEqual(
      last.runs.map((r) => r.repetition),
      [1, 2],
      'missing from b: its runs from a and c',
    );
    assert.deepEqual(last.runs.map(p50), [1, 3]);
    assert.equal(merged.context.scenario.repetitions, 3, 'the most runs any job has');
    parseResult(JSON.parse(JSON.stringify(merged)));
  });

  test('errored runs are carried over and numbered like the others', () => {
    const a = part(1, 'a');
    const b = part(2, 'b');
    b.jobs[0]!.runs[0] = {
      status: 'errored',
      repetition: 1,
      startedAt: 'x',
      phase: 'measure',
      error: 'server exited (code 1)',
    };
    const merged = mergeResults([a, b]);
    assert.deepEqual(
      merged.jobs[0]!.runs.map((r) => [r.status, r.repetition]),
      [
        ['completed', 1],
        ['errored', 2],
      ],
    );
    parseResult(JSON.parse(JSON.stringify(merged)));
  });

  test('empty input and a foreign schema version throw MergeError', () => {
    assert.throws(() => mergeResults([]), MergeError);
    const old = part(1, 'a') as unknown as { schemaVersion: number };
    old.schemaVersion = 0;
    assert.throws(
      () => mergeResults([part(1, 'a'), old as unknown as Result]),
      (err: unknown) => err instanceof MergeError && /schema v0/.test(err.message),
    );
  });
});
