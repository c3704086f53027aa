/**
 * Smoke: a short soak of idle WebSocket clients with 1 s pings through the real orchestrator, server
 * and load processes (--soak 0.25 --idle --keep-alive ws-ping=1s, as the CLI resolves them). The run
 * carries its soak series and growth figures, its idle figures follow the ping arithmetic, and it has
 * no per-event figure and no warning about its empty window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import { parseCli } from '../../bench/args.ts';
import { parseResult, type CompletedRun } from '../../bench/result-schema.ts';

test('a 15 s soak of 20 idle WebSocket clients pinged every second', { timeout: 90_000 }, async () => {
  const { scenario } = parseCli([
    ...['--transports', 'ws', '--clients', '20', '--rate', '1', '--payload', '256', '--network', 'loopback'],
    ...['--warmup', '0.5', '--idle', '--keep-alive', 'ws-ping=1s', '--soak', '0.25'],
  ])!;
  scenario.timing.prewarmRequests = 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-soak-'));
  try {
    const outcome = await runPlan({
      scenario,
      profile: 'quick',
      outDir: dir,
      command: ['smoke'],
      signal: new AbortController().signal,
      calibrationRoundTrips: 300,
    });
    const result = parseResult(JSON.parse(readFileSync(outcome.file, 'utf8')));
    assert.equal(result.jobs.length, 1);
    const run = result.jobs[0]!.runs[0]!;
    assert.equal(run.status, 'completed', JSON.stringify(run));
    const { soak, metrics, totals, warnings, window } = run as CompletedRun;

    // Samples every 5 s over the 15 s window, and a last one at its end.
    assert.ok(soak, 'the run has a soak series');
    assert.equal(soak.sampleMs, 5000);
    assert.ok(soak.samples.length >= 3 && soak.samples.length <= 6, `${soak.samples.length} samples`);
    for (const s of soak.samples) assert.ok(s.rssBytes > 0 && s.heapUsedBytes > 0 && s.activeResources > 0);
    assert.ok(soak.samples.at(-1)!.openSockets >= 20);
    for (const key of ['soak_rss_growth', 'soak_heap_growth', 'soak_active_resources_growth'] as const)
      assert.ok(Number.isFinite(metrics[key]?.value), key);

    // Idle: nothing in the window, nothing per event, no warning about it.
    assert.equal(window.lastSeq - window.firstSeq + 1, 0);
    assert.equal(totals.clientEventsReceived, 0);
    assert.equal(metrics.bytes_down_per_event, undefined);
    assert.equal(metrics.latency_p50_us, undefined);
    assert.ok(!warnings.some((w) => w.code === 'no-events-in-window' || w.code === 'events-lost'));
    // A ping is 2 bytes down and its pong 6 up (one ping may straddle an edge of the window).
    const down = totals.clientBytesDown!;
    const up = totals.clientBytesUp!;
    assert.ok(down >= 2 * 20 * 10, `${down} bytes down: about 15 pings per client`);
    assert.ok(Math.abs(up - 3 * down) <= 6 * 20, `${up} up vs ${down} down`);
    const perMin = metrics.idle_keep_alives_per_client_per_min!.value;
    assert.ok(perMin > 40 && perMin < 70, `${perMin} pings per client per minute at 1 s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
