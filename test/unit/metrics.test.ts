import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveMetrics, type ServerWindow } from '../../bench/metrics.ts';
import type { LoadReport } from '../../bench/load/ipc.ts';
import { zeroCounters } from '../../bench/clients/counters.ts';
import type { JobParams } from '../../bench/result-schema.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';
import { DEFAULT_WORKLOAD } from '../../bench/workload-params.ts';
import { DEFAULT_DEPLOYMENT } from '../../bench/deployment-params.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';

const params: JobParams = {
  transport: 'short-poll',
  framework: 'express',
  clients: 10,
  shape: { kind: 'steady', ratePerSec: 1 },
  payloadBytes: 256,
  pollIntervalMs: 250,
  longPollWaitMs: null,
  perMessageDeflate: false,
  ...DEFAULT_WIRE,
  ...DEFAULT_WORKLOAD,
  ...DEFAULT_DEPLOYMENT,
  ...DIRECT_PATH,
};
const summary = {
  count: 30,
  min: 1,
  mean: 125_000,
  p50: 125_000,
  p90: 225_000,
  p99: 248_000,
  p999: 249_000,
  max: 250_000,
};

function load(overrides: Partial<LoadReport> = {}): LoadReport {
  return {
    startNs: '1000000000',
    endNs: '4000000000',
    firstSeq: 5,
    lastSeq: 7,
    drainedMs: 300,
    delivery: { expected: 30, delivered: 30, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    latency: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    connectMs: { ...summary, p50: 5 },
    firstEventMs: { ...summary, p50: 500 },
    connectUs: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    firstEventUs: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    // 10 clients x 3 s x 4 polls/s = 120 requests for 30 delivered events.
    window: {
      ...zeroCounters(),
      bytesUp: 120 * 80,
      bytesDown: 120 * 200 + 30 * 300,
      httpRequests: 120,
      httpResponses: 120,
      emptyResponses: 90,
      messageBytesDown: 30 * 300,
      eventsReceived: 30,
    },
    countedUntilNs: '4000000000',
    runTotals: { ...zeroCounters(), tcpConnects: 10 },
    connectBytesUp: 1000,
    connectBytesDown: 2000,
    clientsConnected: 10,
    loadCpuFraction: 0.1,
    loadLoopDelayP99Us: 100,
    totalErrors: 0,
    ...overrides,
  };
}

function stats(atNs: bigint, cpuUs: number, elu: { active: number; idle: number }, rss = 50e6): ServerStats {
  return {
    process: {
      atNs: atNs.toString(),
      cpuUserUs: cpuUs,
      cpuSystemUs: 0,
      rssBytes: rss,
      heapUsedBytes: rss / 2,
      heapTotalBytes: rss,
      externalBytes: 0,
      eluActiveMs: elu.active,
      eluIdleMs: elu.idle,
      loopDelay: { meanUs: 0, p50Us: 0, p99Us: 500, maxUs: 900 },
    },
    counters: {
      tcpAccepted: 10,
      openSockets: 10,
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
  };
}

const server = (activeMs: number): ServerWindow => ({
  idle: stats(0n, 0, { active: 0, idle: 0 }, 40e6),
  start: stats(1_000_000_000n, 1_000_000, { active: 100, idle: 900 }),
  end: stats(4_000_000_000n, 1_000_000 + activeMs * 1000, { active: 100 + activeMs, idle: 900 + (3000 - activeMs) }),
  retained: stats(4_100_000_000n, 0, { active: 0, idle: 0 }, 41e6),
});

test('per-event and per-client figures divide window totals by the events received in the window and client-seconds', () => {
  const { metrics, warnings } = deriveMetrics(params, load(), server(300));
  assert.equal(metrics['http_requests_per_event']!.value, 4);
  assert.equal(metrics['empty_responses_per_event']!.value, 3);
  assert.equal(metrics['http_requests_per_client_per_s']!.value, 4);
  assert.equal(metrics['bytes_up_per_event']!.value, 320);
  assert.equal(metrics['server_cpu_ms_per_1000_events']!.value, 10_000);
  assert.ok(Math.abs(metrics['server_cpu_fraction']!.value - 0.1) < 1e-9);
  assert.equal(metrics['server_rss_per_client_bytes']!.value, 100_000);
  assert.equal(metrics['latency_p50_us']!.unit, 'us');
  assert.equal(metrics['bytes_down_per_event']!.kind, 'exact');
  assert.equal(metrics['latency_p99_us']!.kind, 'noisy');
  assert.deepEqual(warnings, []);
});

test('loss, a saturated load generator and a saturated server each raise a warning', () => {
  const lossy = load({
    delivery: { expected: 30, delivered: 27, lost: 3, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    loadCpuFraction: 0.95,
  });
  const { warnings } = deriveMetrics(params, lossy, server(2900));
  const text = warnings.map((w) => w.message).join('\n');
  const lost = warnings.find((w) => w.code === 'events-lost');
  assert.match(lost?.message ?? '', /^lost 3 of 30 events \(10\.00%\): not delivered within 0\.3 s/, text);
  assert.deepEqual([lost?.severity, lost?.value, lost?.limit], ['warning', 3, null]);
  const load95 = warnings.find((w) => w.code === 'load-saturated');
  assert.match(load95?.message ?? '', /^load generator saturated: 95%/, text);
  assert.deepEqual([load95?.severity, load95?.value, load95?.limit], ['warning', 0.95, 0.8]);
  const server97 = warnings.find((w) => w.code === 'server-saturated');
  assert.match(server97?.message ?? '', /^server saturated: event loop busy 97%/, text);
  assert.equal(server97?.limit, 0.9);
  assert.ok(Math.abs(server97!.value! - 0.9667) < 1e-3, String(server97?.value));
});

test('at saturation the per-event figures divide by the events that arrived in the counting window, not the scheduled ones', () => {
  // Long polling that lags: 30 events were scheduled in the window (all arrive, most during the
  // drain), but only 20 arrived inside it, in 5 answers of 4 events. The window's bytes, answers and
  // server CPU belong to those 20.
  const lagging = load({
    delivery: { expected: 30, delivered: 30, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    window: {
      ...zeroCounters(),
      bytesUp: 5 * 90,
      bytesDown: 5 * (150 + 2 + 3) + 20 * 300,
      httpRequests: 5,
      httpResponses: 5,
      messageBytesDown: 20 * 300,
      eventsReceived: 20,
    },
    // The counters were read 1 s after the scheduled end (a busy load loop): per second is per 4 s.
    countedUntilNs: '5000000000',
  });
  const { metrics, totals } = deriveMetrics(
    { ...params, transport: 'long-poll', pollIntervalMs: null, longPollWaitMs: 30_000 },
    lagging,
    server(300),
  );
  assert.equal(metrics['message_bytes_down_per_event']!.value, 300, 'message bytes per event = the encoded event');
  assert.equal(metrics['bytes_down_per_event']!.value, 300 + (5 * 155) / 20);
  assert.equal(metrics['overhead_bytes_down_per_event']!.value, (5 * 155) / 20);
  assert.equal(metrics['http_requests_per_event']!.value, 5 / 20);
  // The server's 300 ms of CPU are over its own 3 s span: 400 ms over the load generator's 4 s.
  assert.equal(metrics['server_cpu_ms_per_1000_events']!.value, (400 / 20) * 1000);
  assert.equal(metrics['http_requests_per_client_per_s']!.value, 5 / 10 / 4);
  assert.equal(metrics['events_delivered']!.value, 30, 'the delivery check still follows the scheduled events');
  assert.equal(totals['clientEventsReceived'], 20);
});

test('requests per event count answers received, not requests sent: a poll parked at the edge is not a request of this window', () => {
  // 6 requests were sent in the window, but the sixth is still parked at its end: 5 answers carried the 20 events.
  const parked = load({
    window: {
      ...zeroCounters(),
      bytesUp: 6 * 90,
      bytesDown: 20 * 300 + 5 * 155,
      httpRequests: 6,
      httpResponses: 5,
      messageBytesDown: 20 * 300,
      eventsReceived: 20,
    },
  });
  const { metrics } = deriveMetrics(params, parked, server(300));
  assert.equal(metrics['http_requests_per_event']!.value, 0.25);
});

test('a window in which no event arrived has no per-event figures, and says so', () => {
  const none = load({
    delivery: { expected: 30, delivered: 0, lost: 30, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    window: { ...zeroCounters(), bytesUp: 500, bytesDown: 900, httpRequests: 5, httpResponses: 5 },
  });
  const { metrics, warnings } = deriveMetrics(params, none, server(300));
  for (const key of [
    'bytes_down_per_event',
    'message_bytes_down_per_event',
    'http_requests_per_event',
    'server_cpu_ms_per_1000_events',
    'server_bytes_out_per_event',
  ] as const)
    assert.equal(metrics[key], undefined, key);
  assert.equal(metrics['events_lost']!.value, 30);
  assert.ok(metrics['bytes_down_per_client_per_s']!.value > 0, 'per-client figures remain');
  assert.ok(
    warnings.some(
      (w) =>
        w.code === 'no-events-in-window' &&
        w.message === 'no event arrived in the measurement window: per-event figures are left out',
    ),
  );
});

test('publisher lateness comes from the publisher process over the window; arrival lag from the server', () => {
  const window = server(300);
  window.end = {
    ...window.end,
    feed: {
      latestSeq: 10,
      subscribers: 10,
      duplicateEvents: 0,
      gapEvents: 0,
      upstream: {
        host: '127.0.0.1',
        port: 1,
        connected: true,
        connects: 1,
        protocolErrors: 0,
        lastError: null,
        arrivalLag: { events: 3, meanUs: 500, p99Us: 12_500, maxUs: 12_600 },
      },
    },
  };
  const quiet = deriveMetrics(params, load(), window);
  assert.equal(quiet.metrics['publisher_lateness_max_us']!.value, 0, 'no publisher figures: zero');
  assert.equal(quiet.metrics['feed_arrival_lag_p99_us']!.value, 12_500);
  assert.equal(quiet.metrics['feed_arrival_lag_p50_us'], undefined, 'no p50 in the stats: absent, not 0');
  assert.deepEqual(quiet.warnings, []);

  const { metrics, warnings } = deriveMetrics(params, load(), {
    ...window,
    publisher: { events: 3, meanUs: 4000, p99Us: 11_000, maxUs: 11_500 },
  });
  assert.equal(metrics['publisher_lateness_p99_us']!.value, 11_000);
  assert.equal(metrics['publisher_lateness_max_us']!.value, 11_500);
  assert.deepEqual(warnings, [
    {
      code: 'publisher-late',
      severity: 'note',
      value: 11_500,
      limit: 10_000,
      message: 'publisher ran up to 11.5 ms behind schedule',
    },
  ]);
});

test('server figures per event are the server rate over its own (longer) span times the load generator span', () => {
  // The server was snapshotted 150 ms before and after the load generator's 3 s window (a late
  // answer over IPC): 3.3 s of CPU at 10% and 3.3 s of bytes out. The window received 30 events.
  const late = server(0);
  late.start = stats(850_000_000n, 1_000_000, { active: 0, idle: 0 });
  late.end = {
    ...stats(4_150_000_000n, 1_000_000 + 330_000, { active: 330, idle: 2970 }),
    counters: { ...late.start.counters, bytesOut: 3300 * 10 },
  };
  const { metrics } = deriveMetrics(params, load(), late);
  assert.ok(
    Math.abs(metrics['server_cpu_ms_per_1000_events']!.value - (300 / 30) * 1000) < 1e-6,
    `${metrics['server_cpu_ms_per_1000_events']!.value}`,
  );
  assert.ok(
    Math.abs(metrics['server_bytes_out_per_event']!.value - 30_000 / 30) < 1e-6,
    `${metrics['server_bytes_out_per_event']!.value}`,
  );
  assert.ok(
    Math.abs(metrics['server_cpu_fraction']!.value - 0.1) < 1e-9,
    'the share of a core is the server own figure',
  );
});

test('upstream messages travel beside the feed: their socket bytes come off the per-event figures and make their own', () => {
  const base = load();
  // 10 clients x 3 messages in the window: 30 POSTs of 227 B up, answered with 294 B.
  const window = {
    ...base.window,
    bytesUp: base.window.bytesUp + 30 * 227,
    bytesDown: base.window.bytesDown + 30 * 294,
    messagesSent: 30,
    echoesReceived: 30,
    messageSocketBytesUp: 30 * 227,
    messageSocketBytesDown: 30 * 294,
    messageChannelBytesUp: 30 * 227,
    messageChannelBytesDown: 30 * 294,
  };
  const upstream = { oneWay: { ...base.latency, summary: { ...summary, p50: 250 } }, roundTrip: base.latency };
  const withMessages = { ...params, upstream: { intervalMs: 1000, messageBytes: 64 } };
  const { metrics } = deriveMetrics(withMessages, { ...base, window, upstream }, server(300));
  const plain = deriveMetrics(params, base, server(300)).metrics;
  assert.equal(metrics['bytes_up_per_event']!.value, plain['bytes_up_per_event']!.value);
  assert.equal(metrics['bytes_down_per_event']!.value, plain['bytes_down_per_event']!.value);
  assert.equal(metrics['upstream_bytes_up_per_message']!.value, 227);
  assert.equal(metrics['upstream_bytes_down_per_echo']!.value, 294);
  assert.equal(metrics['upstream_one_way_p50_us']!.value, 250);
  // The server's bytes out include the echoes, which it does not count apart: no cross-check then.
  assert.equal(metrics['server_bytes_out_per_event'], undefined);
  assert.equal(plain['upstream_bytes_up_per_message'], undefined);

  // Echoes the socket cannot tell from feed frames (WebSocket under TLS or deflate): no download figure.
  const shared = deriveMetrics(
    withMessages,
    { ...base, window: { ...window, messageSocketBytesDown: 0, messageChannelBytesDown: 0 }, upstream },
    server(300),
  ).metrics;
  assert.equal(shared['bytes_down_per_event'], undefined);
  assert.equal(shared['upstream_bytes_down_per_echo'], undefined);
  assert.equal(shared['bytes_up_per_event']!.value, plain['bytes_up_per_event']!.value);

  // Messages not sent because the previous one was still out: the figures rest on fewer, and it says so.
  const skipped = deriveMetrics(
    withMessages,
    { ...base, window: { ...window, skippedSends: 4 }, upstream },
    server(300),
  );
  assert.deepEqual(
    skipped.warnings.map((w) => [w.code, w.value]),
    [['upstream-sends-skipped', 4]],
  );
});

test('a message in flight at the window start (echoed inside it) takes off no more than its bytes that the window read', () => {
  // WebSocket: the client writes nothing but messages, so its feed bytes up are exactly 0. One message
  // (70 B frame) went out before the window and was echoed inside it; 29 more went out and came back inside.
  const base = load();
  const ws = {
    ...params,
    transport: 'ws' as const,
    pollIntervalMs: null,
    upstream: { intervalMs: 1000, messageBytes: 64 },
  };
  const window = {
    ...base.window,
    bytesUp: 29 * 70,
    messagesSent: 29,
    echoesReceived: 30,
    messageSocketBytesUp: 30 * 70,
    messageChannelBytesUp: 29 * 70,
  };
  const upstream = { oneWay: base.latency, roundTrip: base.latency };
  const { metrics } = deriveMetrics(ws, { ...base, window, upstream }, server(300));
  assert.equal(metrics['bytes_up_per_event']!.value, 0);
  assert.equal(metrics['upstream_bytes_up_per_message']!.value, 70);
});

test('requests the access policy refused are a warning that says how many and why', () => {
  const refused = server(300);
  refused.end.counters = { ...refused.end.counters, hostRefused: 2, originRefused: 3 };
  const warning = deriveMetrics(params, load(), refused).warnings.find((w) => w.code === 'requests-refused');
  assert.equal(warning?.value, 5);
  assert.match(warning.message, /refused 5 requests: 2 for a Host .*, 3 for an Origin/);
  assert.ok(!deriveMetrics(params, load(), server(300)).warnings.some((w) => w.code === 'requests-refused'));
});

test('clients the server dropped as slow consumers are in the totals, and a warning counts the measured ones as they saw it', () => {
  const dropping = (n: number, gauges: Record<string, number> = { clientBufferedPeakBytes: 1000 }): ServerWindow => {
    const s = server(300);
    return { ...s, end: { ...s.end, gauges, counters: { ...s.end.counters, slowConsumersDropped: n } } };
  };
  const seen = (droppedAsSlow: number) => load({ runTotals: { ...zeroCounters(), tcpConnects: 10, droppedAsSlow } });
  const measured = (p: JobParams, l: LoadReport, s: ServerWindow) =>
    deriveMetrics(p, l, s)
      .warnings.filter((w) => w.code === 'slow-consumers-dropped')
      .map((w) => w.value);
  const steady = deriveMetrics(params, seen(2), dropping(2));
  assert.equal(steady.totals['serverSlowConsumersDropped'], 2);
  assert.deepEqual(measured(params, seen(2), dropping(2)), [2]);
  assert.deepEqual(measured(params, seen(0), dropping(0)), []);
  // SSE streams that ended because a server process exited are no slow drop: the server's count caps it.
  assert.deepEqual(measured(params, seen(40), dropping(0)), []);
  // With 5 slow readers, their 5 drops are the workload (no measured client saw one); a measured client
  // that saw its close is one, however many readers were dropped by then.
  const slow: JobParams = { ...params, workload: { kind: 'slow-readers', count: 5 } };
  assert.deepEqual(measured(slow, seen(0), dropping(5)), []);
  assert.deepEqual(measured(slow, seen(1), dropping(6)), [1]);
  assert.deepEqual(measured(slow, seen(1), dropping(3)), [1], 'not hidden by readers not yet dropped');
  const notDropped = (s: ServerWindow) =>
    deriveMetrics(slow, seen(0), s)
      .warnings.filter((w) => w.code === 'slow-readers-not-dropped')
      .map((w) => w.value);
  assert.deepEqual(notDropped(dropping(5)), []);
  assert.deepEqual(notDropped(dropping(3)), [2]);
  // A polling transport has no per-client buffer (no gauge): its readers are never dropped, by design.
  assert.deepEqual(notDropped(dropping(0, {})), []);
  // The slow readers' costs are in the server's counts: no per-client or per-event server figure.
  const m = deriveMetrics(slow, seen(0), dropping(5)).metrics;
  for (const key of ['server_bytes_out_per_event', 'server_connections_per_client', 'server_rss_per_client_bytes'])
    assert.equal(key in m, false, key);
  assert.equal(m.slow_readers_dropped?.value, 5);
  assert.equal(m.server_buffered_peak_bytes?.value, 1000);
});

test('load CPU: the busiest process for saturation, all processes summed for what the clients cost', () => {
  const processes = [0.3, 0.95, 0.25].map((cpuFraction, i) => ({
    name: `load process ${i + 1} of 3`,
    firstClient: i * 10,
    clients: 10,
    cpuFraction,
    loopDelayP99Us: 100,
  }));
  const { metrics } = deriveMetrics(params, load({ loadCpuFraction: 0.95, processes }), server(300));
  assert.equal(metrics['load_cpu_fraction']!.value, 0.95);
  // 0.3 + 0.95 + 0.25 = 1.5 cores.
  assert.ok(Math.abs(metrics['load_cpu_total_fraction']!.value - 1.5) < 1e-9);
  assert.equal(metrics['load_cpu_total_fraction']!.kind, 'noisy');
  // One load process (no per-process figures): the same figure.
  assert.equal(deriveMetrics(params, load(), server(300)).metrics['load_cpu_total_fraction']!.value, 0.1);
});
