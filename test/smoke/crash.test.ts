/** A child that dies mid-run fails that run with a clear reason; the plan goes on and the file stays valid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import { liveChildPids, liveChildren } from '../../bench/child.ts';
import { parseResult, type Run } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';

const scenario: Scenario = {
  name: 'crash',
  description: 'the server of the first run is killed while it is measured',
  transports: ['ws'],
  matrix: { shapes: [{ kind: 'steady', ratePerSec: 10 }], clients: [5], payloadBytes: [64], pollIntervalMs: [1000] },
  framework: 'express',
  longPollWaitMs: 30_000,
  ringCapacity: 1000,
  timing: { warmupMs: 0, measureMs: 1500, drainMs: 100, prewarmRequests: 0 },
  repetitions: 2,
};

/** Runs the two-run plan and SIGKILLs the first child named `name` while run 1 is measuring. */
async function killedMidWindow(name: string): Promise<{ first: Run; second: Run }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pollbench-crash-'));
  let killed = false;
  try {
    const { file } = await runPlan({
      scenario: { ...scenario, description: `the ${name} is killed while the first run is measured` },
      profile: 'quick',
      outDir: dir,
      command: ['crash-test'],
      signal: new AbortController().signal,
      calibrationRoundTrips: 100,
      onProgress(p) {
        if (!killed && p.run === 1 && p.phase === 'measure') {
          const child = liveChildren().find((c) => c.name === name);
          if (child) {
            process.kill(child.pid, 'SIGKILL');
            killed = true;
          }
        }
      },
    });
    assert.ok(killed, `the ${name} was killed during the first run`);
    const result = parseResult(JSON.parse(readFileSync(file, 'utf8')));
    assert.equal(result.status, 'complete');
    assert.deepEqual(liveChildPids(), [], 'no child process left behind');
    const [first, second] = result.jobs[0]!.runs;
    return { first: first!, second: second! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('killing the server mid-window: run 1 errored with the reason, run 2 completed, result valid', async () => {
  const { first, second } = await killedMidWindow('server');
  assert.equal(first.status, 'errored');
  if (first.status === 'errored') {
    assert.match(first.error, /server exited \(code null, signal SIGKILL\)/);
    assert.equal(first.phase, 'measure');
  }
  assert.equal(second.status, 'completed');
});

test('killing the publisher mid-window: run 1 errored with the reason, a new publisher serves run 2', async () => {
  const { first, second } = await killedMidWindow('publisher');
  assert.equal(first.status, 'errored');
  if (first.status === 'errored') assert.match(first.error, /publisher exited \(code null, signal SIGKILL\)/);
  assert.equal(second.status, 'completed');
});
