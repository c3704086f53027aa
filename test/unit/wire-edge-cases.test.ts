/**
 * Edges of the wire axes a review found giving wrong figures or labels: 2010-table rows on a result
 * with no default-wire set, compressed jobs (no headers + framing figure), the legacy ws+deflate
 * switch, upstream twins, and exclusions that name every wire. Each test failed before its fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tinyResult } from '../helpers/tiny-result.ts';
import { summarizeResult } from '../../reports/summary.ts';
import { scalabilityOf } from '../../reports/scalability.ts';
import { expandScenario } from '../../bench/matrix.ts';
import { defaultScenario } from '../../bench/scenarios/default.ts';
import { perMessageDeflateFor } from '../../servers/contract/ws-deflate.ts';

const bytes = (down: number, up: number, overhead = down - 150) => ({
  bytes_down_per_event: down,
  bytes_up_per_event: up,
  overhead_bytes_down_per_event: overhead,
  events_delivered: 100,
});

test('a result with no default-wire set: the 2010 table rows still say which wire each ran', () => {
  // `--http 2 --headers minimal,browser`: two HTTP/2 sets; ws (no HTTP/2) runs once, in the first.
  const r = tinyResult([
    { transport: 'short-poll', runs: [bytes(330, 40)], params: { http: '2', framework: 'node' }, label: ' http=2' },
    { transport: 'ws', runs: [bytes(160, 0)], label: ' http=2' },
    {
      transport: 'short-poll',
      runs: [bytes(360, 60)],
      params: { http: '2', framework: 'node', requestHeaders: 'browser', cookieBytes: 1000 },
      label: ' http=2 headers=browser(cookie=1000B)',
    },
  ]);
  const table = scalabilityOf(summarizeResult(r).sets)!;
  const labels = table.rows.map((row) => row.label);
  assert.equal(new Set(labels).size, labels.length, `two rows share a label: ${JSON.stringify(labels)}`);
});

test('a compressed twin has no negative "headers + framing" row', () => {
  // SSE with gzip, context takeover: ~101 B of gzip stream per event for a 305 B event (measured with
  // zlib Z_SYNC_FLUSH on the 256 B text payload), so bytes down - message bytes = 108 - 305 = -197.
  const r = tinyResult([
    { transport: 'short-poll', runs: [bytes(400, 300)] },
    { transport: 'sse', runs: [bytes(420, 0)] },
    // deriveMetrics gives a compressed job no overhead figure (below).
    {
      transport: 'sse',
      runs: [{ bytes_down_per_event: 108, bytes_up_per_event: 0, events_delivered: 100 }],
      params: { compression: 'on' },
      label: ' compression=on',
    },
  ]);
  const table = scalabilityOf(summarizeResult(r).sets)!;
  for (const row of table.rows) assert.ok(!(row.overheadBytes < 0), `${row.label}: overhead ${row.overheadBytes} B`);
  const sse = table.rows.find((row) => row.label.startsWith('sse ('))!;
  assert.deepEqual(sse.overhead, [], 'no projected headers + framing row for the compressed job');
  assert.equal(sse.totalBytes, 108);
});

test("a scenario's perMessageDeflate: true still negotiates deflate (its jobs' compression is 'off', never absent)", () => {
  const jobs = expandScenario({ ...defaultScenario, perMessageDeflate: true });
  const ws = jobs.find((j) => j.params.perMessageDeflate)!;
  assert.match(ws.id, /ws\+deflate/);
  assert.equal(ws.params.compression, 'off');
  assert.notEqual(perMessageDeflateFor(ws.params.compression, ws.params.perMessageDeflate), false);
});

test('a compressed job has no headers + framing figure (deflated socket bytes less inflated event bytes)', async () => {
  const { deriveMetrics } = await import('../../bench/metrics.ts');
  const { zeroCounters } = await import('../../bench/clients/counters.ts');
  const { DEFAULT_WIRE } = await import('../../bench/wire-params.ts');
  const { DIRECT_PATH } = await import('../../bench/network-path.ts');
  const { DEFAULT_WORKLOAD } = await import('../../bench/workload-params.ts');
  const summary = { count: 1, min: 1, mean: 1, p50: 1, p90: 1, p99: 1, p999: 1, max: 1 };
  const stats = (atNs: bigint) => ({
    process: {
      atNs: atNs.toString(),
      cpuUserUs: 0,
      cpuSystemUs: 0,
      rssBytes: 1,
      heapUsedBytes: 1,
      heapTotalBytes: 1,
      externalBytes: 0,
      eluActiveMs: 0,
      eluIdleMs: 1,
      loopDelay: { meanUs: 0, p50Us: 0, p99Us: 0, maxUs: 0 },
    },
    counters: {
      tcpAccepted: 1,
      openSockets: 1,
      httpRequests: 0,
      wsHandshakes: 0,
      messagesReceived: 0,
      echoesSent: 0,
      messagesRefused: 0,
      slowConsumersDropped: 0,
      bytesIn: 0,
      bytesOut: 0,
    },
    gauges: {},
  });
  const params = {
    transport: 'sse',
    framework: 'node',
    clients: 1,
    shape: { kind: 'steady', ratePerSec: 10 },
    payloadBytes: 256,
    pollIntervalMs: null,
    longPollWaitMs: null,
    perMessageDeflate: false,
    ...DEFAULT_WIRE,
    compression: 'on',
    ...DIRECT_PATH,
    ...DEFAULT_WORKLOAD,
  } as const;
  const window = { ...zeroCounters(), bytesDown: 30 * 108, messageBytesDown: 30 * 305, eventsReceived: 30 };
  const load = {
    startNs: '1000000000',
    endNs: '4000000000',
    firstSeq: 1,
    lastSeq: 30,
    drainedMs: 0,
    delivery: { expected: 30, delivered: 30, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    latency: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    connectMs: summary,
    firstEventMs: summary,
    window,
    countedUntilNs: '4000000000',
    runTotals: zeroCounters(),
    connectBytesUp: 0,
    connectBytesDown: 0,
    clientsConnected: 1,
    loadCpuFraction: 0,
    loadLoopDelayP99Us: 0,
    totalErrors: 0,
  };
  const server = {
    idle: stats(0n),
    start: stats(1_000_000_000n),
    end: stats(4_000_000_000n),
    retained: stats(4_100_000_000n),
  };
  const { metrics } = deriveMetrics(params as never, load as never, server as never);
  assert.equal(metrics['bytes_down_per_event']?.value, 108);
  assert.equal(
    metrics['overhead_bytes_down_per_event'],
    undefined,
    `overhead ${metrics['overhead_bytes_down_per_event']?.value}`,
  );
});

test('the 2010 table has no NaN row for a WebSocket upstream twin under TLS (its feed bytes down are not measurable)', () => {
  const r = tinyResult([
    { transport: 'short-poll', runs: [bytes(400, 300)] },
    { transport: 'ws', runs: [bytes(160, 0)] },
    // bench/metrics.ts deletes bytes_down_per_event for ws echoes it cannot tell from the feed's frames.
    {
      transport: 'ws',
      runs: [{ bytes_up_per_event: 0, events_delivered: 100 }],
      params: { upstream: { intervalMs: 1000, messageBytes: 64 } },
      label: ' upstream=64B/1000ms',
    },
  ]);
  const table = scalabilityOf(summarizeResult(r).sets)!;
  for (const row of table.rows) assert.ok(Number.isFinite(row.totalBytes), `${row.label}: total ${row.totalBytes}`);
});

test('an exclusion that names the only wire of every cell is refused, not a plan of no job', async () => {
  const { ScenarioError } = await import('../../bench/matrix.ts');
  assert.throws(
    () =>
      expandScenario({
        ...defaultScenario,
        matrix: { ...defaultScenario.matrix, headers: undefined, exclude: [{ http: '1.1' }] },
      }),
    (err: Error) => err instanceof ScenarioError && /excludes every cell/.test(err.message),
  );
});
