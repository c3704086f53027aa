import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIN_LEAD_NS, ScheduleRunner, type DueEvent } from '../../bench/publisher/schedule-runner.ts';
import { makeSchedule, type ScheduleShape } from '../../servers/contract/schedule.ts';

/** A runner on a hand-driven clock; `block` advances the clock instead of sleeping. */
function fakeRunner(shape: ScheduleShape) {
  const clock = { now: 1_000_000_000_000n };
  const batches: DueEvent[][] = [];
  const blocks: number[] = [];
  const runner = new ScheduleRunner({
    schedule: makeSchedule(shape),
    onDue: (events) => batches.push(events),
    now: () => clock.now,
    block: (ms) => {
      blocks.push(ms);
      clock.now += BigInt(Math.round(ms * 1e6));
    },
  });
  const seqs = () => batches.flat().map((e) => e.seq);
  return { clock, runner, batches, blocks, seqs };
}

describe('ScheduleRunner with a fake clock', () => {
  test('emitDue does nothing before start(); start() twice throws', () => {
    const { runner, batches } = fakeRunner({ kind: 'steady', ratePerSec: 10 });
    assert.equal(runner.emitDue(), 0);
    assert.deepEqual(batches, []);
    runner.start();
    runner.stop();
    assert.throws(() => runner.start(), /already started/);
  });

  test('seq 1 is due at the start; a late wake emits every due seq in one batch, stamped with the schedule', () => {
    const { clock, runner, batches } = fakeRunner({ kind: 'steady', ratePerSec: 10 }); // one per 100 ms
    const startNs = clock.now;
    assert.equal(runner.start(), startNs); // emits seq 1 at t=0
    runner.stop(); // no timers from here: the test drives emitDue by hand
    assert.equal(runner.startNs, startNs);

    // The publisher wakes 350 ms late: seqs 2, 3, 4 (due at 100, 200, 300 ms) are all due now.
    clock.now = startNs + 350_000_000n;
    assert.equal(runner.emitDue(), 3);
    assert.equal(runner.emitDue(), 0, 'nothing more is due at the same instant');
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.seq)),
      [[1], [2, 3, 4]],
      'one batch per wake',
    );
    assert.deepEqual(
      batches.flat().map((e) => e.emittedAtNs - startNs),
      [0n, 100_000_000n, 200_000_000n, 300_000_000n],
      'stamped with the schedule, not with the wake time',
    );
    const lateness = runner.lateness.summary();
    assert.equal(lateness.events, 4);
    // Lateness of seq 2 was 250 ms (HdrHistogram keeps 3 significant digits).
    assert.ok(Math.abs(lateness.maxUs - 250_000) <= 250, `maxUs ${lateness.maxUs}`);
    const meanUs = (1 + 250_000 + 150_000 + 50_000) / 4;
    assert.ok(Math.abs(lateness.meanUs - meanUs) <= meanUs * 0.002, `meanUs ${lateness.meanUs}`);
    runner.lateness.reset();
    assert.equal(runner.lateness.summary().events, 0, 'a window reset starts a new record');
  });

  test('burst shape: a whole burst is one batch with one timestamp', () => {
    const { clock, runner, batches } = fakeRunner({ kind: 'burst', size: 5, everyMs: 100 });
    const startNs = clock.now;
    runner.start(); // seq 1-5 at t=0
    runner.stop();
    clock.now = startNs + 100_000_000n;
    assert.equal(runner.emitDue(), 5);
    assert.deepEqual(
      batches.map((b) => b.map((e) => e.seq)),
      [
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10],
      ],
    );
    assert.deepEqual(
      batches[1]!.map((e) => e.emittedAtNs),
      Array<bigint>(5).fill(startNs + 100_000_000n),
    );
  });

  test('close to due it blocks for exactly the remaining time, then publishes on time (no spinning)', () => {
    // 1000 events/s: the next event (1 ms away) is inside the lead, so the runner blocks rather than arm a timer.
    const { runner, blocks, seqs } = fakeRunner({ kind: 'steady', ratePerSec: 1000 });
    assert.ok(1_000_000 < MIN_LEAD_NS);
    runner.start(); // emits seq 1, blocks 1 ms, emits seq 2, then yields with setImmediate
    runner.stop();
    assert.deepEqual(seqs(), [1, 2]);
    assert.deepEqual(blocks, [1], 'one block of the remaining 1 ms');
    const lateness = runner.lateness.summary();
    assert.equal(lateness.events, 2);
    assert.ok(lateness.maxUs <= 1, `published on time: maxUs ${lateness.maxUs}`);
  });
});

describe('ScheduleRunner on real timers', () => {
  /** Runs a real schedule for `ms`; returns the seqs it emitted and its lateness. */
  async function runFor(shape: ScheduleShape, ms: number) {
    const seqs: number[] = [];
    const runner = new ScheduleRunner({
      schedule: makeSchedule(shape),
      onDue: (events) => seqs.push(...events.map((e) => e.seq)),
    });
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      runner.start();
      await sleep(ms);
    } finally {
      runner.stop();
      process.off('uncaughtException', onError);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, i) => i + 1),
      'every seq once, in order',
    );
    return { count: seqs.length, lateness: runner.lateness.summary() };
  }

  test('stop() ends the schedule: no timer emits afterwards', async () => {
    let emitted = 0;
    const runner = new ScheduleRunner({
      schedule: makeSchedule({ kind: 'steady', ratePerSec: 100 }),
      onDue: (events) => (emitted += events.length),
    });
    runner.start();
    await sleep(50);
    runner.stop();
    const count = emitted;
    await sleep(150); // 100 events/s: ~15 more would have appeared if a timer survived
    assert.equal(emitted, count);
  });

  test('200 events/s for ~1 s emits about 200', async () => {
    const { count } = await runFor({ kind: 'steady', ratePerSec: 200 }, 1000);
    // Generous band: the machine is noisy; the point is the count follows the schedule.
    assert.ok(count >= 150 && count <= 260, `emitted ${count}`);
  });

  test('a rate above what a 1 ms setInterval can reach is not capped', async () => {
    // 5000/s for 0.5 s = 2500 events; a timer-per-event publisher would stall near 500.
    const { count } = await runFor({ kind: 'steady', ratePerSec: 5000 }, 500);
    assert.ok(count >= 1500 && count <= 3200, `emitted ${count}`);
  });

  // A quiet feed goes through the timer path every event, so the adaptive wake-up lead is exercised
  // (its decaying average once produced a fractional ns that BigInt rejected).
  test('10 events/s for 1.5 s: every event emitted on time-ish, no crash', async () => {
    const { count, lateness } = await runFor({ kind: 'steady', ratePerSec: 10 }, 1500);
    assert.ok(count >= 13 && count <= 17, `emitted ${count}`);
    // Generous: a noisy machine may run late, but not by a whole period routinely.
    assert.ok(lateness.p99Us < 100_000, JSON.stringify(lateness));
  });
});
