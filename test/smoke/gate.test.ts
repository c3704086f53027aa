/**
 * Proof that the gate works: real runs of the same tiny scenario without and with a regression
 * injected on purpose into the servers. 200 extra header bytes on every HTTP response must come out
 * as "regressed" for exactly the per-event byte metrics of the transports that send a response per
 * event (short and long polling), and nothing else exact; a 30 ms delay before every push must come
 * out as a latency regression for long polling, SSE and WebSocket and not for short polling (which
 * reads the ring and is not delayed).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import type { Result } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';
import { compareResults, type Comparison } from '../../bench/gate/compare.ts';
import { parseCompareConfig } from '../../bench/gate/config.ts';

const scenario: Scenario = {
  name: 'gate',
  description: 'gate smoke test',
  transports: ['short-poll', 'long-poll', 'sse', 'ws'],
  matrix: { shapes: [{ kind: 'steady', ratePerSec: 5 }], clients: [20], payloadBytes: [256], pollIntervalMs: [500] },
  framework: 'express',
  longPollWaitMs: 30_000,
  ringCapacity: 1000,
  timing: { warmupMs: 300, measureMs: 2000, drainMs: 100, prewarmRequests: 300 },
  repetitions: 3,
};

describe('the gate catches regressions injected on purpose, and only those', () => {
  let dir: string;
  let plain: Result;
  let header: Result;
  let delay: Result;
  const run = async (name: string, inject?: { extraResponseHeaderBytes: number; pushDelayMs: number }) =>
    (
      await runPlan({
        scenario,
        profile: 'quick',
        outDir: path.join(dir, name),
        command: ['gate-test', name],
        signal: new AbortController().signal,
        calibrationRoundTrips: 100,
        ...(inject ? { inject } : {}),
      })
    ).result;
  const regressed = (cmp: Comparison, kind: 'exact' | 'noisy') =>
    cmp.regressions
      .filter((m) => m.kind === kind)
      .map((m) => `${m.label} ${m.metric}`)
      .sort();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pollbench-gate-'));
    plain = await run('plain');
    header = await run('header', { extraResponseHeaderBytes: 200, pushDelayMs: 0 });
    delay = await run('delay', { extraResponseHeaderBytes: 0, pushDelayMs: 30 });
    for (const r of [plain, header, delay]) assert.equal(r.status, 'complete');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('200 extra header bytes per response: exactly the per-event byte metrics of short and long polling regress', () => {
    const cmp = compareResults(plain, header, parseCompareConfig({}));
    assert.equal(cmp.verdict, 'regressed');
    const expected = ['short-poll 500ms', 'long-poll']
      .flatMap((t) =>
        ['bytes_down_per_event', 'overhead_bytes_down_per_event', 'bytes_down_per_client_per_s'].map(
          (m) => `${t} ${m}`,
        ),
      )
      .sort();
    assert.deepEqual(regressed(cmp, 'exact'), expected);
    // Each long-poll response carries one event here, so its bytes per event grow by about 200.
    const lp = cmp.metrics.find((m) => m.label === 'long-poll' && m.metric === 'bytes_down_per_event')!;
    assert.ok(Math.abs(lp.difference - 200) < 10, `long-poll bytes per event grew by ${lp.difference}`);
    assert.equal(header.context.inject?.extraResponseHeaderBytes, 200, 'the injection is recorded in the result');
  });

  test('30 ms before every push: latency regresses for long polling, SSE and WebSocket, not for short polling; no byte changes', () => {
    const cmp = compareResults(plain, delay, parseCompareConfig({}));
    assert.equal(cmp.verdict, 'regressed');
    assert.deepEqual(regressed(cmp, 'exact'), [], 'no exact metric changed');
    const p50 = (label: string) => cmp.metrics.find((m) => m.label === label && m.metric === 'latency_p50_us')!;
    for (const label of ['long-poll', 'sse', 'ws']) {
      assert.equal(p50(label).verdict, 'regressed', `${label}: ${p50(label).reason}`);
      assert.ok(p50(label).difference > 25_000, `${label} median latency grew by ${p50(label).difference} us`);
    }
    assert.notEqual(p50('short-poll 500ms').verdict, 'regressed', p50('short-poll 500ms').reason);
  });

  test('the same code compared with itself finds no regression in the exact metrics', () => {
    const cmp = compareResults(header, header, parseCompareConfig({}));
    assert.equal(cmp.verdict, 'no regression');
    assert.ok(cmp.metrics.every((m) => m.verdict === 'unchanged' || m.verdict === 'not comparable'));
  });
});
