/**
 * Smoke: the real orchestrator over an emulated network, and the latencies it reports obey the
 * arithmetic of round trips. With round trip R and events rarer than R, a pushed event takes one way
 * (R/2) plus the loopback floor; a long poll is parked at the server when the event comes, so also
 * R/2; a short poll waits for the next poll to reach the server (interval/2 on average) and then
 * R/2 back. When events come faster than R, a long poll's next request is still on its way up when
 * they are published: they wait for it (up to R) and then go down (R/2), so its median nears R.
 * A link too slow for the bytes offered is flagged as saturated. Bands are generous: these are checks
 * of meaning on a noisy machine, not speed targets.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import { liveChildPids } from '../../bench/child.ts';
import type { CompletedRun, Result } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import type { NetworkProfile } from '../../bench/network/profiles.ts';

const RTT_MS = 100;
const INTERVAL_MS = 1000;
const network: NetworkProfile = { ...DIRECT_PATH.network, name: 'custom', rttMs: RTT_MS };

const scenario = (over: Partial<Scenario['matrix']> & { transports?: Scenario['transports'] }): Scenario => {
  const { transports, ...matrix } = over;
  return {
    name: 'network-smoke',
    description: 'round-trip physics',
    transports: transports ?? ['short-poll', 'long-poll', 'sse', 'ws'],
    matrix: {
      shapes: [{ kind: 'steady', ratePerSec: 2 }],
      clients: [10],
      payloadBytes: [128],
      pollIntervalMs: [INTERVAL_MS],
      networks: [network],
      ...matrix,
    },
    framework: 'express',
    longPollWaitMs: 30_000,
    ringCapacity: 1000,
    timing: { warmupMs: 300, measureMs: 3000, drainMs: 300, prewarmRequests: 200 },
    repetitions: 1,
  };
};

async function run(s: Scenario, dir: string): Promise<Result> {
  const { result } = await runPlan({
    scenario: s,
    profile: 'quick',
    outDir: dir,
    command: ['smoke'],
    signal: new AbortController().signal,
    calibrationRoundTrips: 300,
  });
  return result;
}

function completed(result: Result, transport: string): CompletedRun {
  const job = result.jobs.find((j) => j.params.transport === transport)!;
  const r = job.runs[0]!;
  assert.equal(r.status, 'completed', `${transport}: ${JSON.stringify(r)}`);
  return r as CompletedRun;
}

const p50Ms = (r: CompletedRun) => r.metrics.latency_p50_us!.value / 1000;

describe('smoke: latency over an emulated 100 ms round trip', () => {
  let dir: string;
  let slow: Result;
  let fast: Result;
  let narrow: Result;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pollbench-network-'));
    slow = await run(scenario({}), dir);
    // 50 events/s: 5 events per round trip.
    fast = await run(scenario({ transports: ['long-poll'], shapes: [{ kind: 'steady', ratePerSec: 50 }] }), dir);
    // 20 events/s of ~2 KB to each client over a 64 kbit/s downlink: five times what the link carries.
    narrow = await run(
      scenario({
        transports: ['ws'],
        shapes: [{ kind: 'steady', ratePerSec: 20 }],
        payloadBytes: [2000],
        networks: [{ ...network, name: 'narrow', rttMs: 20, downKbps: 64 }],
      }),
      dir,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('calibration measured the emulated round trip, within 5% or 1 ms', () => {
    const [measured] = slow.calibration!.networks!;
    assert.equal(measured!.configuredRttMs, RTT_MS);
    assert.ok(measured!.accurate, JSON.stringify(measured));
    assert.deepEqual(liveChildPids(), [], 'no child process left behind');
  });

  test('every transport delivered every window event exactly once, in order, through the emulator', () => {
    for (const job of slow.jobs) {
      const r = completed(slow, job.params.transport);
      assert.equal(r.metrics.events_lost!.value, 0, job.id);
      assert.equal(r.metrics.events_duplicated!.value, 0, job.id);
      assert.equal(r.metrics.events_out_of_order!.value, 0, job.id);
      assert.equal(r.metrics.events_delivered!.value, r.metrics.events_expected!.value, job.id);
      assert.ok(r.path?.emulator, `${job.id}: the emulator's own figures are recorded`);
      assert.ok(!r.warnings.some((w) => w.code === 'network-inaccurate'), JSON.stringify(r.warnings));
    }
  });

  test('pushed events (WebSocket, SSE) and parked long polls take one way: R/2 plus the floor', () => {
    for (const t of ['ws', 'sse', 'long-poll']) {
      const ms = p50Ms(completed(slow, t));
      assert.ok(ms >= RTT_MS / 2 && ms < RTT_MS / 2 + 10, `${t}: p50 ${ms} ms, expected ~${RTT_MS / 2} ms`);
    }
  });

  test('short polling takes half an interval plus one way', () => {
    const ms = completed(slow, 'short-poll').metrics.latency_mean_us!.value / 1000;
    const expected = INTERVAL_MS / 2 + RTT_MS / 2;
    assert.ok(Math.abs(ms - expected) < 0.15 * expected, `short-poll mean ${ms} ms, expected ~${expected} ms`);
  });

  test('long polling nears a full round trip when events come while its next request is on the way', () => {
    const ms = p50Ms(completed(fast, 'long-poll'));
    assert.ok(ms > 0.8 * RTT_MS && ms < 1.3 * RTT_MS, `long-poll p50 at 50 events/s: ${ms} ms, expected ~${RTT_MS} ms`);
  });

  test('a link too slow for the offered bytes is flagged as saturated', () => {
    const r = completed(narrow, 'ws');
    const flagged = r.warnings.find((w) => w.code === 'link-saturated');
    assert.ok(flagged, JSON.stringify(r.warnings));
    assert.ok(flagged.value! > 0.9, JSON.stringify(flagged));
  });
});
