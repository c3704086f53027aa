/**
 * Smoke: one job's clients split over two load processes give the figures one process gives. The
 * exact figures (events, bytes and requests per event) must match to the byte: the clients behave the
 * same whichever process runs them (their phases follow their global index), both processes measure
 * one window, and their reports merge by summing counters and adding histograms.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import { liveChildPids } from '../../bench/child.ts';
import type { CompletedRun, MetricKey, Result } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

const CLIENTS = 40;

const scenario: Scenario = {
  name: 'load-processes',
  description: 'one small job, split over load processes',
  transports: ['short-poll', 'ws'],
  matrix: {
    // 10 events/s: the window's seqs are two digits in both runs (see the test), so a seq written in a
    // request or an event costs the same bytes in both.
    shapes: [{ kind: 'steady', ratePerSec: 10 }],
    clients: [CLIENTS],
    payloadBytes: [256],
    pollIntervalMs: [250],
  },
  framework: 'node',
  longPollWaitMs: 30_000,
  ringCapacity: 1000,
  // The feed starts before the clients connect, so a 1 s warm-up at 10 events/s puts the window's first
  // seq at 11 or later whatever the connect took (with 300 ms it began at seq 7 once: one-digit seqs).
  timing: { warmupMs: 1000, measureMs: 2000, drainMs: 300, prewarmRequests: 0 },
  repetitions: 1,
};

/** Exact by the delivery check (events by their scheduled time): any run of the job gives these. */
const DELIVERY: MetricKey[] = ['events_expected', 'events_delivered', 'events_lost', 'events_duplicated'];
/**
 * Exact per event for a push transport: every event costs the same bytes, so these do not move when
 * an event's arrival falls on the other side of a window edge. (A short poll's answers carry 1 to 3
 * events and one sent before the window can be answered inside it on a busy machine: its bytes and
 * answers per event vary from run to run with one load process as with two.)
 */
const PER_EVENT: MetricKey[] = [
  'bytes_down_per_event',
  'message_bytes_down_per_event',
  'overhead_bytes_down_per_event',
  'http_requests_per_event',
  'tcp_connections_in_window',
];

/** The workloads that talk back to the orchestrator, with two load processes. */
const talkBack: Scenario = {
  ...scenario,
  name: 'load-processes-talk-back',
  transports: ['ws'],
  matrix: {
    shapes: [{ kind: 'steady', ratePerSec: 20 }],
    clients: [12],
    payloadBytes: [128],
    pollIntervalMs: [250],
    workloads: [
      { kind: 'drops', everyMs: 1000, share: 0.34, offlineMs: 2000 },
      { kind: 'restart', downMs: 300 },
    ],
  },
  // A restart needs 6.6 s: the kill at the middle, then down time, start-up and the reconnect storm.
  timing: { warmupMs: 300, measureMs: 7000, drainMs: 300, prewarmRequests: 0 },
};

describe('smoke: --load-processes 2 measures what one load process measures', () => {
  let dir: string;
  const results: Result[] = [];
  const runOf = (result: Result, transport: string): CompletedRun => {
    const r = result.jobs.find((j) => j.params.transport === transport)!.runs[0]!;
    assert.equal(r.status, 'completed', `${transport}: ${JSON.stringify(r)}`);
    return r as CompletedRun;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pollbench-load-processes-'));
    for (const [plan, loadProcesses] of [
      [scenario, 1],
      [scenario, 2],
      [talkBack, 2],
    ] as const) {
      const { result } = await runPlan({
        scenario: plan,
        profile: 'quick',
        outDir: path.join(dir, `${plan.name}-${loadProcesses}`),
        command: ['smoke'],
        signal: new AbortController().signal,
        calibrationRoundTrips: 100,
        loadProcesses,
      });
      results.push(result);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('each run records its load processes and their slices of the clients', () => {
    for (const t of scenario.transports) {
      assert.deepEqual(
        runOf(results[0]!, t).load!.processes.map((p) => [p.name, p.firstClient, p.clients]),
        [['load generator', 0, CLIENTS]],
      );
      assert.deepEqual(
        runOf(results[1]!, t).load!.processes.map((p) => [p.name, p.firstClient, p.clients]),
        [
          ['load process 1 of 2', 0, CLIENTS / 2],
          ['load process 2 of 2', CLIENTS / 2, CLIENTS / 2],
        ],
      );
    }
    assert.deepEqual(liveChildPids(), [], 'no child process left behind');
  });

  test('the exact figures and the window are the same with one and two load processes', () => {
    for (const t of scenario.transports) {
      const [one, two] = [runOf(results[0]!, t), runOf(results[1]!, t)];
      for (const r of [one, two])
        assert.ok(
          r.window.firstSeq >= 10 && r.window.lastSeq < 100,
          `${t}: seqs ${r.window.firstSeq}..${r.window.lastSeq}`,
        );
      assert.equal(two.window.measureMs, one.window.measureMs, `${t}: window length`);
      assert.equal(two.window.lastSeq - two.window.firstSeq, one.window.lastSeq - one.window.firstSeq, `${t}: seqs`);
      assert.equal(two.latency.summary.count, one.latency.summary.count, `${t}: latency samples`);
      assert.equal(two.metrics.events_delivered!.value, CLIENTS * (one.window.lastSeq - one.window.firstSeq + 1));
      const keys = t === 'ws' ? [...DELIVERY, ...PER_EVENT] : DELIVERY;
      for (const key of keys)
        assert.equal(
          two.metrics[key]?.value,
          one.metrics[key]?.value,
          `${t}: ${key} with two load processes: ${JSON.stringify([one.totals, two.totals])}`,
        );
    }
  });

  test('drops and a restart work across two load processes: one restart, every client back, nothing missed', () => {
    for (const job of results[2]!.jobs) {
      const r = job.runs[0]!;
      assert.equal(r.status, 'completed', `${job.id}: ${JSON.stringify(r).slice(0, 500)}`);
      const run = r as CompletedRun;
      const m = (k: MetricKey) => run.metrics[k]?.value;
      assert.equal(run.load!.processes.length, 2, job.id);
      assert.equal(m('catch_up_delivered_fraction'), 1, `${job.id}: ${JSON.stringify(run.warnings)}`);
      assert.equal(m('events_duplicated'), 0, job.id);
      assert.equal(m('events_out_of_order'), 0, job.id);
      if (job.params.workload.kind === 'drops') {
        // Ticks at 0.5, 1.5, ... 6.5 s: round(0.34 x 12) = 4 picks a tick over both processes' clients.
        assert.ok(m('drops_performed')! >= 4 && m('drops_performed')! <= 28, `${job.id}: ${m('drops_performed')}`);
        assert.equal(m('drops_reconnected'), m('drops_performed'), job.id);
      } else {
        assert.equal(m('restart_clients_not_back'), 0, job.id);
        assert.ok(m('restart_down_ms')! >= 300, job.id);
      }
    }
  });
});
