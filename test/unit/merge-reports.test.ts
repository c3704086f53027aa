import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { mulberry32 } from '../../servers/contract/prng.ts';
import { encodeHistogram, newLatencyHistogram } from '../../bench/load/histogram.ts';
import { busiestProcess, mergeHistograms, mergeLoadReports, type ReportPart } from '../../bench/load/merge-reports.ts';
import { zeroCounters } from '../../bench/clients/counters.ts';
import type { LoadReport } from '../../bench/load/ipc.ts';
import type { EncodedHistogram } from '../../bench/result-schema.ts';

/** Latency-like samples (µs): mostly ms, a long tail to seconds, from a fixed seed. */
function samples(n: number, seed: number): number[] {
  const next = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const u = next() / 2 ** 32;
    return Math.max(1, Math.round(1000 * Math.exp(8 * u * u)));
  });
}

function encoded(values: readonly number[]): EncodedHistogram {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return encodeHistogram(h);
}

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

function assertSameHistogram(a: EncodedHistogram, b: EncodedHistogram): void {
  assert.deepEqual(a.summary, b.summary);
  const [ha, hb] = [decodeFromCompressedBase64(a.data), decodeFromCompressedBase64(b.data)];
  assert.equal(ha.totalCount, hb.totalCount);
  for (const p of PERCENTILES) assert.equal(ha.getValueAtPercentile(p), hb.getValueAtPercentile(p), `p${p}`);
  assert.equal(ha.mean, hb.mean);
  assert.equal(ha.stdDeviation, hb.stdDeviation);
}

test('histograms merged from k parts equal one histogram of all the samples, at every percentile', () => {
  const all = samples(20_000, 7);
  for (const k of [2, 3, 5, 8]) {
    // Uneven contiguous parts, as slices of clients are, and one empty part.
    const cuts = [
      0,
      ...Array.from({ length: k - 1 }, (_, i) => Math.floor((all.length * (i + 1) ** 2) / k ** 2)),
      all.length,
    ];
    const parts = cuts.slice(1).map((end, i) => encoded(all.slice(cuts[i], end)));
    const merged = mergeHistograms([...parts, encoded([])]);
    assertSameHistogram(merged, encoded(all));
    assert.equal(merged.summary.count, all.length);
  }
});

function part(name: string, first: number, clients: number, values: number[], over: Partial<LoadReport>): ReportPart {
  const latency = encoded(values);
  const report: LoadReport = {
    startNs: '1000',
    endNs: '3000001000',
    firstSeq: 5,
    lastSeq: 7,
    drainedMs: 100,
    delivery: {
      expected: 3 * clients,
      delivered: values.length,
      lost: 3 * clients - values.length,
      duplicated: 0,
      outOfOrder: 0,
      clockAnomalies: 0,
    },
    latency,
    connectMs: latency.summary,
    firstEventMs: latency.summary,
    connectUs: latency,
    firstEventUs: latency,
    window: { ...zeroCounters(), bytesDown: 1000 * clients, eventsReceived: values.length, httpRequests: clients },
    countedUntilNs: '3000002000',
    runTotals: { ...zeroCounters(), bytesDown: 2000 * clients },
    connectBytesUp: 10 * clients,
    connectBytesDown: 20 * clients,
    clientsConnected: clients,
    loadCpuFraction: 0.2,
    loadLoopDelayP99Us: 1000,
    totalErrors: 0,
    connect: {
      requested: clients,
      connected: clients,
      deadlineMs: 15_000,
      elapsedMs: 50,
      unconnected: 0,
      failures: { timeout: 0, descriptors: 0, refused: 0, other: 0 },
      examples: [],
    },
    ...over,
  };
  return { name, firstClient: first, clients, report };
}

test('reports merge: counters, deliveries and connects summed, the window shared, the busiest process kept', () => {
  const a = samples(30, 1);
  const b = samples(27, 2);
  const merged = mergeLoadReports([
    part('load process 1 of 2', 0, 10, a, { loadCpuFraction: 0.3, countedUntilNs: '3000009000' }),
    part('load process 2 of 2', 10, 10, b, { loadCpuFraction: 0.95, loadLoopDelayP99Us: 40_000, drainedMs: 250 }),
  ]);
  assert.equal(merged.startNs, '1000');
  assert.equal(merged.endNs, '3000001000');
  assert.equal(merged.countedUntilNs, '3000009000');
  assert.equal(merged.drainedMs, 250);
  assert.deepEqual(merged.delivery, {
    expected: 60,
    delivered: 57,
    lost: 3,
    duplicated: 0,
    outOfOrder: 0,
    clockAnomalies: 0,
  });
  assert.deepEqual(merged.window, { ...zeroCounters(), bytesDown: 20_000, eventsReceived: 57, httpRequests: 20 });
  assert.equal(merged.runTotals.bytesDown, 40_000);
  assert.equal(merged.clientsConnected, 20);
  assert.equal(merged.connectBytesDown, 400);
  assert.equal(merged.connect!.requested, 20);
  assertSameHistogram(merged.latency, encoded([...a, ...b]));
  assertSameHistogram(merged.connectUs, encoded([...a, ...b]));
  assert.deepEqual(merged.connectMs, encodeHistogramMs([...a, ...b]));
  // Not an average: the busiest process's CPU and the worst loop delay.
  assert.equal(merged.loadCpuFraction, 0.95);
  assert.equal(merged.loadLoopDelayP99Us, 40_000);
  assert.deepEqual(
    merged.processes!.map((p) => [p.name, p.firstClient, p.clients, p.cpuFraction]),
    [
      ['load process 1 of 2', 0, 10, 0.3],
      ['load process 2 of 2', 10, 10, 0.95],
    ],
  );
  assert.equal(busiestProcess(merged.processes)!.name, 'load process 2 of 2');
});

function encodeHistogramMs(values: number[]) {
  const h = newLatencyHistogram();
  for (const v of values) h.recordValue(v);
  const s = encodeHistogram(h).summary;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : v / 1000]));
}

test('reports of different windows do not merge', () => {
  assert.throws(
    () =>
      mergeLoadReports([
        part('load process 1 of 2', 0, 5, [1], {}),
        part('load process 2 of 2', 5, 5, [1], { lastSeq: 8 }),
      ]),
    /different windows: last seq 7 in load process 1 of 2, 8 in load process 2 of 2/,
  );
});

test('one report is kept as it is, with its process figures', () => {
  const one = part('load process 1 of 1', 0, 4, [5, 6], {});
  const merged = mergeLoadReports([one]);
  assert.deepEqual({ ...merged, processes: undefined }, { ...one.report, processes: undefined });
  assert.equal(merged.processes!.length, 1);
  assert.equal(busiestProcess(merged.processes), null);
});

test('restart recoveries merge by rank over every client, not from the parts percentiles', () => {
  const restart = (recoveriesMs: number[]) => ({
    downMs: 600,
    clientsBefore: recoveriesMs.length,
    clientsBack: recoveriesMs.length,
    recoveryMs: { p50: 0, p95: 0, max: 0 },
    recoveriesMs,
    failedAttempts: 1,
  });
  const merged = mergeLoadReports([
    part('load process 1 of 2', 0, 1, [1], { restart: restart([10, 20, 30]) }),
    part('load process 2 of 2', 1, 1, [1], { restart: restart([1, 2, 3, 4, 5, 100]) }),
  ]);
  assert.deepEqual(merged.restart!.recoveryMs, { p50: 5, p95: 100, max: 100 });
  assert.equal(merged.restart!.failedAttempts, 2);
  assert.equal(merged.restart!.clientsBack, 9);
});
