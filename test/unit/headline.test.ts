import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fmtTimes, headlineSentence } from '../../reports/headline.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { parseResult, type CompletedRun, type Job, type Result } from '../../bench/result-schema.ts';
import { tinyResult } from '../helpers/tiny-result.ts';
import { pathResult } from '../helpers/path-result.ts';

/** The headline as every renderer gets it: from the summary model. */
const computeHeadline = (result: Result) => summarizeResult(result).headline;

const fixture = (name: string): Result =>
  parseResult(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')));

const rateOf = (job: Job) => (job.params.shape.kind === 'steady' ? job.params.shape.ratePerSec : Number.NaN);

/** The median of a list, written out here so no expectation comes from reports/aggregate.ts. */
function middle(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** The three headline figures of a job, from its completed runs' raw values (not through reports/). */
function figures(job: Job) {
  const runs = job.runs.filter((r): r is CompletedRun => r.status === 'completed');
  const latency = middle(runs.map((r) => r.metrics.latency_p50_us!.value)) / 1000;
  const bytes = middle(runs.map((r) => r.metrics.bytes_up_per_event!.value + r.metrics.bytes_down_per_event!.value));
  const requests = middle(runs.map((r) => r.metrics.http_requests_per_event!.value));
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

/**
 * Hand-worked from the values below. Bytes are summed per run before the median: short polling's
 * runs give 400+120, 410+118, 405+122 = 520, 528, 527, so 527 B (the medians of each part would
 * give 405+120 = 525).
 */
test('a tiny result, worked out by hand: reference, figures, ratios and sentences', () => {
  const h = computeHeadline(
    tinyResult([
      {
        transport: 'short-poll',
        pollIntervalMs: 1000,
        runs: [
          { latency_p50_us: 480_000, bytes_down_per_event: 400, bytes_up_per_event: 120, http_requests_per_event: 1 },
          {
            latency_p50_us: 520_000,
            bytes_down_per_event: 410,
            bytes_up_per_event: 118,
            http_requests_per_event: 1.02,
          },
          {
            latency_p50_us: 500_000,
            bytes_down_per_event: 405,
            bytes_up_per_event: 122,
            http_requests_per_event: 0.98,
          },
        ].map((r, i) => ({ ...r, server_cpu_ms_per_1000_events: [40, 50, 45][i]! })),
      },
      {
        transport: 'long-poll',
        runs: [
          { latency_p50_us: 4_000, bytes_down_per_event: 300, bytes_up_per_event: 200, http_requests_per_event: 1 },
          { latency_p50_us: 6_000, bytes_down_per_event: 310, bytes_up_per_event: 210, http_requests_per_event: 1.2 },
        ].map((r, i) => ({ ...r, server_cpu_ms_per_1000_events: [30, 36][i]! })),
      },
      {
        transport: 'ws',
        runs: [
          { latency_p50_us: 2_000, bytes_down_per_event: 150, bytes_up_per_event: 0.5, http_requests_per_event: 0 },
          { latency_p50_us: 3_000, bytes_down_per_event: 152, bytes_up_per_event: 1.5, http_requests_per_event: 0 },
        ].map((r, i) => ({ ...r, server_cpu_ms_per_1000_events: [10, 14][i]! })),
      },
    ]),
  );
  assert.ok(h);
  assert.equal(h.parameterText, '1 event/s to 10 clients, 100-byte payload');
  assert.deepEqual(h.reference, {
    label: 'short-poll 1000ms',
    pollIntervalMs: 1000,
    latencyP50Ms: 500,
    bytesPerEvent: 527,
    requestsPerEvent: 1,
    cpuPer1000: 45,
  });
  assert.deepEqual(h.otherReferences, []);
  // WebSocket first, then long polling, whatever the order in the result.
  const [ws, lp] = h.rows;
  assert.deepEqual(
    h.rows.map((r) => r.label),
    ['ws', 'long-poll'],
  );
  // WebSocket: 2.00 and 3.00 ms -> 2.5 ms; bytes 150.5 and 153.5 -> 152; CPU 10 and 14 -> 12.
  assert.equal(ws!.latencyP50Ms, 2.5);
  assert.equal(ws!.bytesPerEvent, 152);
  assert.equal(ws!.requestsPerEvent, 0);
  assert.equal(ws!.cpuPer1000, 12);
  assert.equal(ws!.latencyTimes, 200);
  assert.equal(ws!.bytesTimes, 527 / 152);
  assert.equal(ws!.requestsTimes, Number.POSITIVE_INFINITY);
  assert.equal(ws!.cpuTimes, 3.75);
  // Long polling: 5 ms; bytes 500 and 520 -> 510; requests 1.0 and 1.2 -> 1.1; CPU 30 and 36 -> 33.
  assert.equal(lp!.latencyP50Ms, 5);
  assert.equal(lp!.bytesPerEvent, 510);
  assert.equal(lp!.requestsPerEvent, 1.1);
  assert.equal(lp!.latencyTimes, 100);
  assert.equal(lp!.cpuTimes, 45 / 33);
  assert.equal(
    headlineSentence(h, ws!),
    'WebSocket: 200x lower latency (p50 2.50 ms vs 500 ms), 3.5x fewer bytes (152 B vs 527 B per event), no HTTP requests per event (short polling: 1.00), 3.8x less server CPU per event',
  );
  assert.equal(
    headlineSentence(h, lp!),
    'Long polling: 100x lower latency (p50 5.00 ms vs 500 ms), about the same bytes (510 B vs 527 B per event), 1.1x more HTTP requests (1.10 vs 1.00 per event), 1.4x less server CPU per event',
  );
});

test('the headline prefers an emulated network, the first in result order, over a rate nearer 1 event/s', () => {
  // Loopback and the second network run at 1 event/s; the first emulated network (4g) at 10 events/s.
  const result = structuredClone(pathResult());
  for (const job of result.jobs) {
    if (job.params.network.name === '4g' && !job.params.tls) job.params.shape = { kind: 'steady', ratePerSec: 10 };
    if (job.params.tls) job.params.network = { ...job.params.network, name: 'slow', rttMs: 400 };
  }
  const h = computeHeadline(result)!;
  const chosen = result.jobs.filter((j) => j.parameterSet === h.parameterSet);
  assert.ok(chosen.length > 0);
  for (const job of chosen) {
    assert.equal(job.params.network.name, '4g', job.id);
    assert.equal(rateOf(job), 10, job.id);
  }
  assert.equal(h.path, 'over 4g: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up');
  assert.ok(
    h.parameterText.startsWith('10 events/s to 10 clients, 100-byte payload, over 4g: 150 ms RTT'),
    h.parameterText,
  );

  // Without emulated networks the rule is as before: the rate nearest 1 event/s, whatever the path.
  const flat = structuredClone(result);
  for (const job of flat.jobs)
    job.params.network = { ...job.params.network, name: 'loopback', rttMs: 0, downKbps: null, upKbps: null };
  const g = computeHeadline(flat)!;
  for (const job of flat.jobs.filter((j) => j.parameterSet === g.parameterSet)) assert.equal(rateOf(job), 1, job.id);
});
