import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Feed, RingBuffer, type FeedEntry } from '../../servers/feed.ts';
import { encodeEvent, makePayload } from '../../servers/protocol.ts';
import type { ScheduleShape } from '../../servers/schedule.ts';

function entry(seq: number): FeedEntry {
  const event = { seq, emittedAtNs: BigInt(seq) * 1000n, payload: `p${seq}` };
  return { event, json: encodeEvent(event) };
}

const seqsOf = (entries: FeedEntry[]) => entries.map((e) => e.event.seq);

describe('RingBuffer', () => {
  test('rejects a non-positive or fractional capacity', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) assert.throws(() => new RingBuffer(capacity), RangeError);
  });

  test('enforces contiguous seqs starting at 1', () => {
    const ring = new RingBuffer(4);
    assert.throws(() => ring.push(entry(2)), /contiguous/);
    ring.push(entry(1));
    assert.throws(() => ring.push(entry(1)), /contiguous/);
    assert.throws(() => ring.push(entry(3)), /contiguous/);
    ring.push(entry(2));
    assert.equal(ring.latestSeq, 2);
  });

  test('since() returns every newer entry, oldest first', () => {
    const ring = new RingBuffer(10);
    assert.deepEqual(ring.since(0), []);
    for (let seq = 1; seq <= 6; seq++) ring.push(entry(seq));
    assert.deepEqual(seqsOf(ring.since(0)), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(seqsOf(ring.since(4)), [5, 6]);
    assert.deepEqual(ring.since(6), []);
    assert.deepEqual(ring.since(100), [], 'a client ahead of the feed gets nothing');
    assert.equal(ring.since(2)[0]!.json, entry(3).json);
  });

  test('evicts the oldest beyond capacity; since() then starts at oldestSeq', () => {
    const ring = new RingBuffer(3);
    assert.equal(ring.oldestSeq, 1);
    for (let seq = 1; seq <= 7; seq++) ring.push(entry(seq));
    assert.equal(ring.latestSeq, 7);
    assert.equal(ring.oldestSeq, 5);
    assert.deepEqual(seqsOf(ring.since(0)), [5, 6, 7], 'evicted seqs are a gap, not stale slots');
    assert.deepEqual(seqsOf(ring.since(3)), [5, 6, 7]);
    assert.deepEqual(seqsOf(ring.since(5)), [6, 7]);
  });
});

/** A Feed on a hand-driven clock. start() arms a real timer, so stop it at once and call emitDue(). */
function fakeClockFeed(shape: ScheduleShape, ringCapacity = 1000) {
  const clock = { now: 1_000_000_000_000n };
  const feed = new Feed({ shape, payloadBytes: 16, ringCapacity, now: () => clock.now });
  return { clock, feed };
}

describe('Feed with a fake clock', () => {
  test('emitDue does nothing before start(); start() twice throws', () => {
    const { feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 10 });
    assert.equal(feed.emitDue(), 0);
    assert.equal(feed.latestSeq, 0);
    feed.start();
    feed.stop();
    assert.throws(() => feed.start(), /already started/);
  });

  test('a late wake emits every due event, stamped with its scheduled time', () => {
    const { clock, feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 10 }); // one per 100 ms
    const got: FeedEntry[] = [];
    feed.subscribe((e) => got.push(e));
    const startNs = clock.now;
    feed.start(); // emits seq 1 at t=0
    feed.stop();
    assert.equal(feed.startNs, startNs);
    assert.deepEqual(seqsOf(got), [1]);

    // The publisher wakes 350 ms late: seqs 2, 3, 4 (due at 100, 200, 300 ms) are all due now.
    clock.now = startNs + 350_000_000n;
    assert.equal(feed.emitDue(), 3);
    assert.equal(feed.emitDue(), 0, 'nothing more is due at the same instant');
    assert.deepEqual(seqsOf(got), [1, 2, 3, 4]);
    assert.deepEqual(
      got.map((e) => e.event.emittedAtNs - startNs),
      [0n, 100_000_000n, 200_000_000n, 300_000_000n],
      'stamped with the schedule, not with the wake time',
    );

    const lateness = feed.publisherLateness();
    assert.equal(lateness.events, 4);
    // Lateness of seq 2 was 250 ms (HdrHistogram keeps 3 significant digits).
    assert.ok(Math.abs(lateness.maxUs - 250_000) <= 250, `maxUs ${lateness.maxUs}`);
    const meanUs = (1 + 250_000 + 150_000 + 50_000) / 4;
    assert.ok(Math.abs(lateness.meanUs - meanUs) <= meanUs * 0.002, `meanUs ${lateness.meanUs}`);
  });

  test('a catch-up yields once fan-out has held the loop 20 ms: the rest goes out on the next tick', () => {
    const { clock, feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 100 }); // one per 10 ms
    const startNs = clock.now;
    feed.start();
    feed.stop();
    // A server past its ceiling: every fan-out costs 15 ms, longer than the 10 ms event period.
    feed.subscribe(() => {
      clock.now += 15_000_000n;
    });
    clock.now = startNs + 95_000_000n; // seqs 2..10 are due
    assert.equal(feed.emitDue(), 2, 'two fan-outs (30 ms) pass the 20 ms budget');
    assert.equal(feed.latestSeq, 3);
    const emitted = [feed.emitDue(), feed.emitDue()];
    assert.deepEqual(emitted, [2, 2]);
    assert.deepEqual(
      feed.ring.since(0).map((e) => e.event.emittedAtNs - startNs),
      Array.from({ length: 7 }, (_, i) => BigInt(i * 10_000_000)),
      'still stamped with the schedule',
    );
  });

  test('an on-time publisher records ~zero lateness', () => {
    const { clock, feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 100 });
    const startNs = clock.now;
    feed.start();
    feed.stop();
    for (let seq = 2; seq <= 20; seq++) {
      clock.now = startNs + BigInt(feed.schedule.offsetNs(seq));
      assert.equal(feed.emitDue(), 1);
    }
    const lateness = feed.publisherLateness();
    assert.equal(lateness.events, 20);
    assert.ok(lateness.maxUs <= 1, `maxUs ${lateness.maxUs}`);
  });

  test('burst shape: a whole burst is emitted at once with one timestamp', () => {
    const { clock, feed } = fakeClockFeed({ kind: 'burst', size: 5, everyMs: 100 });
    const startNs = clock.now;
    feed.start();
    feed.stop();
    assert.equal(feed.latestSeq, 5);
    clock.now = startNs + 100_000_000n;
    assert.equal(feed.emitDue(), 5);
    assert.deepEqual(
      feed.ring.since(5).map((e) => e.event.emittedAtNs),
      Array<bigint>(5).fill(startNs + 100_000_000n),
    );
  });

  test('subscribers get each entry with its encoding; unsubscribe stops delivery', () => {
    const { feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 10 });
    const a: FeedEntry[] = [];
    const b: FeedEntry[] = [];
    const offA = feed.subscribe((e) => a.push(e));
    feed.subscribe((e) => b.push(e));
    assert.equal(feed.subscriberCount, 2);

    const first = feed.publish(123n);
    assert.deepEqual(first.event, { seq: 1, emittedAtNs: 123n, payload: makePayload(16) });
    assert.equal(first.json, encodeEvent(first.event));
    assert.equal(a[0], first);

    offA();
    assert.equal(feed.subscriberCount, 1);
    feed.publish(456n);
    assert.deepEqual(seqsOf(a), [1]);
    assert.deepEqual(seqsOf(b), [1, 2]);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [1, 2]);
  });

  test('the ring capacity bounds what the feed holds', () => {
    const { feed } = fakeClockFeed({ kind: 'steady', ratePerSec: 10 }, 4);
    for (let i = 0; i < 10; i++) feed.publish(BigInt(i));
    assert.equal(feed.latestSeq, 10);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [7, 8, 9, 10]);
  });
});

describe('Feed on real timers', () => {
  /** Runs a real feed for `ms` and returns how many events it published. */
  async function runFor(ratePerSec: number, ms: number): Promise<number> {
    const feed = new Feed({ shape: { kind: 'steady', ratePerSec }, payloadBytes: 8, ringCapacity: 100_000 });
    feed.start();
    try {
      await sleep(ms);
      return feed.latestSeq;
    } finally {
      feed.stop();
    }
  }

  test('200 events/s for ~1 s publishes about 200', async () => {
    const count = await runFor(200, 1000);
    // Generous band: the machine is noisy; the point is the count follows the schedule.
    assert.ok(count >= 150 && count <= 260, `published ${count}`);
  });

  test('a rate above what a 1 ms setInterval can reach is not capped', async () => {
    // 5000/s for 0.5 s = 2500 events; a timer-per-event publisher would stall near 500.
    const count = await runFor(5000, 500);
    assert.ok(count >= 1500 && count <= 3200, `published ${count}`);
  });
});

describe('Feed publisher on real timers at a quiet rate', () => {
  // A quiet feed goes through the timer path every event, so the adaptive wake-up lead is exercised
  // (its decaying average once produced a fractional ns that BigInt rejected).
  test('10 events/s for 1.5 s: every event emitted on time-ish, no crash', async () => {
    const feed = new Feed({ shape: { kind: 'steady', ratePerSec: 10 }, payloadBytes: 8, ringCapacity: 100 });
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      feed.start();
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      feed.stop();
      process.off('uncaughtException', onError);
    }
    assert.deepEqual(errors, []);
    assert.ok(feed.latestSeq >= 13 && feed.latestSeq <= 17, `emitted ${feed.latestSeq}`);
    // Generous: a noisy machine may run late, but not by a whole period routinely.
    assert.ok(feed.publisherLateness().p99Us < 100_000, JSON.stringify(feed.publisherLateness()));
  });
});
