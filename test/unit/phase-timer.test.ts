import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseTimer, startOverlapMs } from '../../bench/phase-timer.ts';

const ms = (n: number) => BigInt(n) * 1_000_000n;

test('each phase gets the time from its entry to the next entry; re-entered phases add up', () => {
  const timer = new PhaseTimer(() => 0n);
  timer.enter('prewarm', ms(0));
  timer.enter('snapshots', ms(10));
  timer.enter('connect', ms(12));
  timer.advance('connect', 'warmup', ms(20));
  timer.enter('snapshots', ms(520));
  timer.enter('window', ms(521));
  timer.enter('teardown', ms(3521));
  timer.stop(ms(3600));
  timer.addSpan('start', ms(-200), ms(0));
  assert.deepEqual(timer.phasesMs(), {
    start: 200,
    prewarm: 10,
    connect: 8,
    warmup: 500,
    window: 3000,
    drain: 0,
    snapshots: 3,
    teardown: 79,
  });
  assert.equal(timer.phase, null);
});

test('advance only moves on from the phase it names (a late progress message changes nothing)', () => {
  const timer = new PhaseTimer(() => 0n);
  timer.enter('window', ms(0));
  timer.advance('connect', 'warmup', ms(5));
  assert.equal(timer.phase, 'window');
  timer.stop(ms(100));
  assert.equal(timer.phasesMs().window, 100);
  assert.equal(timer.phasesMs().warmup, 0);
});

test("start overlap: the part of a start before the run's own timeline began, never negative", () => {
  assert.equal(startOverlapMs(ms(0), ms(300), ms(120)), 120, 'the run began before its processes were ready');
  assert.equal(startOverlapMs(ms(0), ms(300), ms(500)), 300, 'ready before the run began: all of the start overlapped');
  assert.equal(startOverlapMs(ms(600), ms(900), ms(500)), 0, 'started by the run itself');
});
