import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedWindowMs, steadyStateWarmupMs } from '../../bench/load/window.ts';
import { makeSchedule, seqRangeInWindow } from '../../servers/contract/schedule.ts';

const steady = (ratePerSec: number) => makeSchedule({ kind: 'steady', ratePerSec });

test('the window is rounded up to whole event periods and poll intervals', () => {
  assert.equal(alignedWindowMs(2500, steady(1), []), 3000);
  assert.equal(alignedWindowMs(2500, steady(1), [250]), 3000);
  assert.equal(alignedWindowMs(2500, steady(1), [1000]), 3000);
  assert.equal(alignedWindowMs(2500, steady(20), [250]), 2500);
  assert.equal(alignedWindowMs(2500, steady(20), [1000]), 3000);
  // Every interval of the scenario at once, so all transports of a table share one window.
  assert.equal(alignedWindowMs(2500, steady(20), [1000, 250]), 3000);
  assert.equal(alignedWindowMs(2000, steady(3), []), 2000);
  assert.equal(alignedWindowMs(2500, makeSchedule({ kind: 'burst', size: 10, everyMs: 1000 }), [250]), 3000);
});

test('when aligning to the poll interval too would more than double the window, only events are aligned', () => {
  // 0.7 events/s and 1000 ms polls: lcm is 10 s; the event period alone gives 2857 ms.
  assert.equal(alignedWindowMs(2000, steady(0.7), [1000]), 2857.142857);
});

test('an aligned window holds the same number of events wherever it starts', () => {
  const s = steady(1);
  const window = alignedWindowMs(2500, s, [1000]);
  const counts = new Set<number>();
  for (let offsetMs = 0; offsetMs < 1000; offsetMs += 37) {
    const from = BigInt(offsetMs) * 1_000_000n + 123n;
    const { first, last } = seqRangeInWindow(s, 0n, from, from + BigInt(window * 1e6));
    counts.add(last - first + 1);
  }
  assert.deepEqual([...counts], [3]);
});

test('short polling warms up for at least one poll interval, so every client has polled before the window', () => {
  assert.equal(steadyStateWarmupMs(500, 1000), 1000);
  assert.equal(steadyStateWarmupMs(500, 250), 500);
  // Upstream messages: every client's first message (and its HTTP connection) before the window.
  assert.equal(steadyStateWarmupMs(500, null, 1000), 1100);
  assert.equal(steadyStateWarmupMs(500, 1000, null), 1000);
  assert.equal(steadyStateWarmupMs(300, null), 300, 'push transports keep the configured warm-up');
});
