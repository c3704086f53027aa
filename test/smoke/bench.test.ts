/**
 * Smoke: the real orchestrator runs a tiny scenario through real server and load processes, and the
 * figures obey relations that follow from the physics. Bands are generous: the machine is noisy, and
 * these are checks of meaning, not speed targets.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan, type PlanOutcome } from '../../bench/orchestrator.ts';
import { liveChildPids } from '../../bench/child.ts';
import { parseResult, type CompletedRun, type MetricKey, type Result } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

const INTERVAL_MS = 100;
const RATE = 2; // 500 ms between events: longer than the poll interval
const CLIENTS = 20;

const tiny: Scenario = {
  name: 'smoke',
  description: 'tiny smoke scenario',
  transports: ['short-poll', 'long-poll', 'sse', 'ws'],
  matrix: {
    shapes: [{ kind: 'steady', ratePerSec: RATE }],
    clients: [CLIENTS],
    payloadBytes: [256],
    pollIntervalMs: [INTERVAL_MS],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  ringCapacity: 1000,
  timing: { warmupMs: 300, measureMs: 2500, drainMs: 300, prewarmRequests: 200 },
  repetitions: 1,
};

describe('smoke: the real orchestrator on a tiny scenario', () => {
  let dir: string;
  let outcome: PlanOutcome;
  let onDisk: Result;
  const run = (transport: string): CompletedRun => {
    const job = onDisk.jobs.find((j) => j.params.transport === transport)!;
    const r = job.runs[0]!;
    assert.equal(r.status, 'completed', `${transport}: ${JSON.stringify(r)}`);
    return r as CompletedRun;
  };
  const metric = (transport: string, name: MetricKey) => run(transport).metrics[name]!.value;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pollbench-smoke-'));
    outcome = await runPlan({
      scenario: tiny,
      profile: 'quick',
      outDir: dir,
      command: ['smoke'],
      signal: new AbortController().signal,
      calibrationRoundTrips: 300,
    });
    onDisk = parseResult(JSON.parse(readFileSync(outcome.file, 'utf8')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the result on disk validates, is complete, and records its environment and calibration', () => {
    assert.equal(onDisk.status, 'complete');
    assert.deepEqual(
      JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')),
      JSON.parse(readFileSync(outcome.file, 'utf8')),
    );
    assert.equal(onDisk.context.node, process.version);
    assert.ok(onDisk.context.packages['express'] && onDisk.context.packages['ws']);
    assert.ok(
      onDisk.calibration && onDisk.calibration.tcpRoundTripUs.p50 > 0 && onDisk.calibration.wsRoundTripUs.p50 > 0,
    );
    assert.equal(onDisk.jobs.length, 4);
    assert.deepEqual(liveChildPids(), [], 'no child process left behind');
  });

  test('every transport delivered every window event exactly once, in order', () => {
    for (const t of ['short-poll', 'long-poll', 'sse', 'ws']) {
      assert.ok(metric(t, 'events_expected') >= CLIENTS * 4, `${t}: a window holds several events per client`);
      assert.equal(metric(t, 'events_lost'), 0, t);
      assert.equal(metric(t, 'events_duplicated'), 0, t);
      assert.equal(metric(t, 'events_out_of_order'), 0, t);
      assert.equal(metric(t, 'events_delivered'), metric(t, 'events_expected'), t);
    }
  });

  test('WebSocket and SSE make 0 HTTP requests per event after connecting; long polling about 1', () => {
    assert.equal(metric('ws', 'http_requests_per_event'), 0);
    assert.equal(metric('sse', 'http_requests_per_event'), 0);
    assert.equal(metric('ws', 'tcp_connections_in_window'), 0);
    assert.equal(metric('sse', 'tcp_connections_in_window'), 0);
    const lp = metric('long-poll', 'http_requests_per_event');
    assert.ok(lp >= 0.9 && lp <= 1.3, `long-poll requests/event ${lp}`);
  });

  test('short-poll requests per second = clients / interval', () => {
    const perClientPerS = metric('short-poll', 'http_requests_per_client_per_s');
    const expected = 1000 / INTERVAL_MS;
    assert.ok(
      Math.abs(perClientPerS - expected) / expected < 0.15,
      `${perClientPerS} req/client/s, expected ~${expected}`,
    );
  });

  test('short-poll mean latency at a low event rate is near interval / 2', () => {
    const meanMs = metric('short-poll', 'latency_mean_us') / 1000;
    assert.ok(
      meanMs > 0.25 * INTERVAL_MS && meanMs < 1.0 * INTERVAL_MS,
      `mean ${meanMs} ms, interval ${INTERVAL_MS} ms`,
    );
    // Push transports are far below the polling wait.
    for (const t of ['sse', 'ws', 'long-poll']) assert.ok(metric(t, 'latency_p50_us') / 1000 < INTERVAL_MS / 4, t);
  });

  test('polling faster than events arrive: bytes per event smallest for WebSocket, largest for short polling', () => {
    const down = (t: string) => metric(t, 'bytes_down_per_event') + metric(t, 'bytes_up_per_event');
    const all = ['short-poll', 'long-poll', 'sse', 'ws'].map((t) => [t, down(t)] as const);
    const sorted = [...all].sort((a, b) => a[1] - b[1]);
    assert.equal(sorted[0]![0], 'ws', JSON.stringify(all));
    assert.equal(sorted.at(-1)![0], 'short-poll', JSON.stringify(all));
    // WebSocket framing for a 256-byte payload in ~300 bytes of JSON: a 4-byte header (2 + 16-bit length).
    assert.equal(Math.round(metric('ws', 'overhead_bytes_down_per_event')), 4);
  });

  test('the server and client count the same bytes at their sockets', () => {
    for (const t of ['short-poll', 'long-poll', 'sse', 'ws']) {
      const r = run(t);
      const client = r.totals['clientBytesDown']!;
      const server = r.totals['serverBytesOut']!;
      // Window edges are read a few ms apart in the two processes: allow 5%.
      assert.ok(Math.abs(client - server) <= 0.05 * server + 1024, `${t}: client ${client} vs server ${server}`);
    }
  });
});
