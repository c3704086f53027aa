/**
 * The idle workload (issue 12): a schedule of event 1 only, a publisher that stops after it, and a
 * run whose per-event and latency figures do not exist while its idle-cost figures follow from its
 * counters by arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstEventOnly, makeSchedule, seqRangeInWindow } from '../../servers/contract/schedule.ts';
import { ScheduleRunner } from '../../bench/publisher/schedule-runner.ts';
import { deriveMetrics } from '../../bench/metrics.ts';
import { zeroCounters } from '../../bench/clients/counters.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { DEFAULT_WORKLOAD } from '../../bench/workload-params.ts';
import type { LoadReport } from '../../bench/load/ipc.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';
import type { JobParams } from '../../bench/result-schema.ts';

test('an idle schedule has event 1 at the start and nothing after it: its windows are empty', () => {
  const schedule = firstEventOnly(makeSchedule({ kind: 'steady', ratePerSec: 20 }));
  assert.equal(schedule.dueCount(-1), 0);
  assert.equal(schedule.dueCount(0), 1);
  assert.equal(schedule.dueCount(3_600e9), 1);
  assert.equal(schedule.offsetNs(1), 0);
  assert.equal(schedule.offsetNs(2), Infinity);
  assert.equal(schedule.meanRatePerSec, 0);
  const { first, last } = seqRangeInWindow(schedule, 0n, 5_000_000_000n, 65_000_000_000n);
  assert.equal(Math.max(0, last - first + 1), 0, `window seqs ${first}..${last}`);
});

test('the publisher publishes event 1 and then stops for good (no timer left behind)', async () => {
  let now = 1_000_000_000_000n;
  const batches: number[][] = [];
  const runner = new ScheduleRunner({
    schedule: firstEventOnly(makeSchedule({ kind: 'steady', ratePerSec: 1000 })),
    onDue: (events) => batches.push(events.map((e) => e.seq)),
    now: () => now,
    block: () => assert.fail('nothing to block for'),
  });
  runner.start();
  now += 10_000_000_000n;
  assert.equal(runner.emitDue(), 0);
  await new Promise((resolve) => setImmediate(resolve));
  runner.stop();
  assert.deepEqual(batches, [[1]]);
});

// One minute, 1,000 clients: every figure per client per minute is the window total / 1,000.
const CLIENTS = 1000;
const summary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
function stats(atNs: bigint, cpuUs: number, keepAlivesSent: number): ServerStats {
  return {
    process: {
      atNs: atNs.toString(),
      cpuUserUs: cpuUs,
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
      tcpAccepted: CLIENTS,
      openSockets: CLIENTS,
      httpRequests: 0,
      wsHandshakes: CLIENTS,
      messagesReceived: 0,
      echoesSent: 0,
      messagesRefused: 0,
      slowConsumersDropped: 0,
      keepAlivesSent,
      bytesIn: 0,
      bytesOut: 0,
    },
    gauges: {},
  };
}
function idleRun(workload: JobParams['workload']) {
  // WebSocket pings every 30 s: 2 per client per minute, 2 B down and 6 B up each.
  const window = { ...zeroCounters(), bytesDown: 2 * 2 * CLIENTS, bytesUp: 2 * 6 * CLIENTS };
  const load = {
    startNs: '1000000000',
    endNs: '61000000000',
    firstSeq: 2,
    lastSeq: 1,
    drainedMs: 0,
    delivery: { expected: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 },
    latency: { unit: 'us', encoding: 'hdr-compressed-base64', data: '', summary },
    connectMs: summary,
    firstEventMs: summary,
    window,
    countedUntilNs: '61000000000',
    runTotals: zeroCounters(),
    connectBytesUp: 0,
    connectBytesDown: 0,
    clientsConnected: CLIENTS,
    loadCpuFraction: 0,
    loadLoopDelayP99Us: 0,
    totalErrors: 0,
  } as unknown as LoadReport;
  const params: JobParams = {
    transport: 'ws',
    framework: 'node',
    clients: CLIENTS,
    shape: { kind: 'steady', ratePerSec: 1 },
    payloadBytes: 256,
    pollIntervalMs: null,
    longPollWaitMs: null,
    perMessageDeflate: false,
    ...DEFAULT_WIRE,
    ...DIRECT_PATH,
    ...DEFAULT_WORKLOAD,
    workload,
    keepAlive: { wsPingMs: 30_000, sseCommentMs: null },
  } as JobParams;
  // The server's span is 2 s longer than the clients' (60.5 s), its CPU 1,210 ms over it.
  return deriveMetrics(params, load, {
    idle: stats(0n, 0, 0),
    start: stats(500_000_000n, 0, 0),
    end: stats(61_000_000_000n, 1_210_000, 2 * CLIENTS),
    retained: stats(61_500_000_000n, 0, 0),
  });
}

test('an idle run: idle-cost figures by arithmetic, no per-event or latency figure, no warning', () => {
  const { metrics, warnings, totals } = idleRun({ kind: 'idle' });
  assert.equal(metrics.idle_bytes_down_per_client_per_min?.value, 4);
  assert.equal(metrics.idle_bytes_up_per_client_per_min?.value, 12);
  assert.equal(metrics.idle_requests_per_client_per_min?.value, 0);
  // Server figures over the server's own 60.5 s.
  assert.ok(Math.abs(metrics.idle_keep_alives_per_client_per_min!.value - (2 * 60) / 60.5) < 1e-9);
  assert.ok(Math.abs(metrics.idle_server_cpu_ms_per_client_per_min!.value - 1210 / CLIENTS / (60.5 / 60)) < 1e-9);
  assert.equal(totals.serverKeepAlivesSent, 2 * CLIENTS);
  for (const [key, metric] of Object.entries(metrics)) {
    assert.ok(!/^(latency_|first_event_)/.test(key), `${key} should not exist`);
    assert.ok(!metric.unit.includes('event') || metric.unit === 'events', `${key} (${metric.unit}) should not exist`);
    assert.ok(Number.isFinite(metric.value), `${key} is ${metric.value}`);
  }
  assert.equal(metrics.events_lost?.value, 0);
  assert.deepEqual(warnings, []);
});

test('a steady run with no event in its window is still warned about, and has no idle figure', () => {
  const { metrics, warnings } = idleRun({ kind: 'steady' });
  assert.ok(Object.keys(metrics).every((key) => !key.startsWith('idle_')));
  assert.deepEqual(
    warnings.map((w) => w.code),
    ['no-events-in-window'],
  );
});

test("an idle job's warm-up is half the period of its transport's idle traffic; other jobs' is unchanged", async () => {
  const { idleWarmupMs } = await import('../../bench/idle-window.ts');
  const { expandScenario } = await import('../../bench/matrix.ts');
  const { parseCli } = await import('../../bench/args.ts');
  const argv = ['--clients', '10', '--rate', '1', '--payload', '256', '--network', 'loopback', '--interval', '1000'];
  const warmups = (extra: string[]) =>
    Object.fromEntries(
      expandScenario(parseCli([...argv, ...extra])!.scenario).map((j) => [j.params.transport, idleWarmupMs(j.params)]),
    );
  assert.deepEqual(warmups(['--idle', '--keep-alive', 'ws-ping=30s,sse-comment=15s']), {
    'short-poll': 0,
    'long-poll': 15_000,
    sse: 7_500,
    ws: 15_000,
  });
  assert.deepEqual(warmups(['--idle']), { 'short-poll': 0, 'long-poll': 15_000, sse: 0, ws: 0 });
  assert.deepEqual(warmups(['--keep-alive', 'ws-ping=30s']), { 'short-poll': 0, 'long-poll': 0, sse: 0, ws: 0 });
});
