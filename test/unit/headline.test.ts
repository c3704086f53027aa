import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { computeHeadline, fmtTimes } from '../../reports/headline.ts';
import { median, summarizeJob } from '../../reports/aggregate.ts';
import { parseResult, type Job, type Result } from '../../bench/result-schema.ts';

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

const rateOf = (job: Job) => (job.params.shape.kind === 'steady' ? job.params.shape.ratePerSec : Number.NaN);

/** The three headline figures of a job, computed here from the run summaries rather than through headline.ts. */
function figures(job: Job) {
  const s = summarizeJob(job);
  const latency = s.metrics['latency_p50_us']!.median / 1000;
  const bytes = median(
    s.completed.map((r) => r.metrics['bytes_up_per_event']!.value + r.metrics['bytes_down_per_event']!.value),
  );
  const requests = s.metrics['http_requests_per_event']!.median;
  return { latency, bytes, requests };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

test('the headline measures at the parameter set nearest 1 event/s, against the first short-poll interval', () => {
  const result = fixture('small-result.json');
  const h = computeHeadline(result);
  assert.ok(h);
  const set = result.jobs.filter((j) => j.parameterSet === h.parameterSet);
  assert.ok(set.length > 0);
  for (const job of set) assert.equal(rateOf(job), 1, job.id);
  assert.equal(h.parameterText, '1 event/s to 20 clients, 256-byte payload');

  const polls = set.filter((j) => j.params.transport === 'short-poll');
  const ref = polls[0]!;
  assert.equal(h.reference.pollIntervalMs, ref.params.pollIntervalMs);
  assert.equal(h.reference.label, `short-poll ${ref.params.pollIntervalMs}ms`);
  const rf = figures(ref);
  close(h.reference.latencyP50Ms, rf.latency, 'reference latency');
  close(h.reference.bytesPerEvent, rf.bytes, 'reference bytes');
  close(h.reference.requestsPerEvent, rf.requests, 'reference requests');
  // The other intervals are mentioned, not used as the reference.
  assert.equal(h.otherReferences.length, polls.length - 1);
  for (const [i, p] of polls.slice(1).entries())
    assert.ok(h.otherReferences[i]!.startsWith(`short-poll ${p.params.pollIntervalMs}ms:`), h.otherReferences[i]);
});

test('headline ratios are reference median / transport median, ws then sse then long polling', () => {
  const result = fixture('small-result.json');
  const h = computeHeadline(result)!;
  assert.deepEqual(
    h.rows.map((r) => r.transport),
    ['ws', 'sse', 'long-poll'],
  );
  const set = result.jobs.filter((j) => j.parameterSet === h.parameterSet);
  const rf = figures(set.find((j) => j.params.transport === 'short-poll')!);
  for (const row of h.rows) {
    const f = figures(set.find((j) => j.params.transport === row.transport)!);
    close(row.latencyP50Ms, f.latency, `${row.label} latency`);
    close(row.bytesPerEvent, f.bytes, `${row.label} bytes`);
    close(row.requestsPerEvent, f.requests, `${row.label} requests`);
    close(row.latencyTimes, rf.latency / f.latency, `${row.label} latency ratio`);
    close(row.bytesTimes, rf.bytes / f.bytes, `${row.label} bytes ratio`);
    if (row.transport === 'long-poll') close(row.requestsTimes, rf.requests / f.requests, 'long-poll requests ratio');
    else {
      assert.equal(row.requestsPerEvent, 0, `${row.label} sends no requests per event`);
      assert.equal(row.requestsTimes, Number.POSITIVE_INFINITY, `${row.label} requests ratio`);
    }
    assert.ok(row.latencyTimes > 1, `${row.label} beats short polling every second on latency`);
  }
});

test('a parameter set whose short-poll runs all failed cannot be the headline: the next nearest is used', () => {
  const result = structuredClone(fixture('small-result.json'));
  for (const job of result.jobs.filter((j) => rateOf(j) === 1 && j.params.transport === 'short-poll')) {
    job.runs = job.runs.map((r) => ({
      status: 'errored' as const,
      repetition: r.repetition,
      startedAt: result.context.startedAt,
      phase: 'measure',
      error: 'x',
    }));
  }
  const h = computeHeadline(parseResult(result))!;
  assert.ok(h);
  assert.ok(
    result.jobs.filter((j) => j.parameterSet === h.parameterSet).every((j) => rateOf(j) === 20),
    h.parameterSet,
  );
});

test('no short-poll job, or no other transport, means no headline', () => {
  const result = structuredClone(fixture('small-result.json'));
  const noPoll = { ...result, jobs: result.jobs.filter((j) => j.params.transport !== 'short-poll') };
  assert.equal(computeHeadline(parseResult(noPoll)), null);
  const onlyPoll = { ...result, jobs: result.jobs.filter((j) => j.params.transport === 'short-poll') };
  assert.equal(computeHeadline(parseResult(onlyPoll)), null);
});

test('fmtTimes words a ratio as a reader would say it', () => {
  assert.equal(fmtTimes(36, 'less'), '36x less');
  assert.equal(fmtTimes(1.8, 'fewer'), '1.8x fewer');
  assert.equal(fmtTimes(1.02, 'less'), 'about the same');
  assert.equal(fmtTimes(0.98, 'fewer'), 'about the same');
  assert.equal(fmtTimes(0.5, 'less'), '2.0x more');
  assert.equal(fmtTimes(0.05, 'fewer'), '20x more');
  assert.equal(fmtTimes(Number.POSITIVE_INFINITY, 'fewer'), 'none needed');
  assert.equal(fmtTimes(Number.NaN, 'less'), 'n/a');
  assert.equal(fmtTimes(0, 'less'), 'n/a');
  assert.equal(fmtTimes(-2, 'less'), 'n/a');
});
