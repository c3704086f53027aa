import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Feed, RingBuffer, type FeedEntry } from '../../servers/feed.ts';
import { encodeEvent, makePayload } from '../../servers/contract/protocol.ts';

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

  test('skipTo() jumps a gap: seqs before it are never served, pushing resumes after it', () => {
    const ring = new RingBuffer(10);
    for (let seq = 1; seq <= 3; seq++) ring.push(entry(seq));
    assert.throws(() => ring.skipTo(4), /forward/, 'the next seq is not a gap');
    assert.throws(() => ring.skipTo(2), /forward/);
    ring.skipTo(8);
    assert.equal(ring.latestSeq, 7);
    assert.equal(ring.oldestSeq, 8);
    assert.deepEqual(ring.since(0), [], 'nothing held across the gap');
    assert.throws(() => ring.push(entry(7)), /contiguous/);
    ring.push(entry(8));
    ring.push(entry(9));
    assert.deepEqual(seqsOf(ring.since(0)), [8, 9]);
    assert.deepEqual(seqsOf(ring.since(8)), [9]);
  });
});

describe('Feed', () => {
  const PAYLOAD = makePayload(16);

  test('subscribers get each entry with its encoding; unsubscribe stops delivery', () => {
    const feed = new Feed({ ringCapacity: 1000 });
    const a: FeedEntry[] = [];
    const b: FeedEntry[] = [];
    const offA = feed.subscribe((e) => a.push(e));
    feed.subscribe((e) => b.push(e));
    assert.equal(feed.subscriberCount, 2);

    const first = feed.publish(123n, PAYLOAD);
    assert.deepEqual(first.event, { seq: 1, emittedAtNs: 123n, payload: PAYLOAD });
    assert.equal(first.json, encodeEvent(first.event));
    assert.equal(a[0], first);

    offA();
    assert.equal(feed.subscriberCount, 1);
    feed.publish(456n, PAYLOAD);
    assert.deepEqual(seqsOf(a), [1]);
    assert.deepEqual(seqsOf(b), [1, 2]);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [1, 2]);
  });

  test('the ring capacity bounds what the feed holds', () => {
    const feed = new Feed({ ringCapacity: 4 });
    for (let i = 0; i < 10; i++) feed.publish(BigInt(i), PAYLOAD);
    assert.equal(feed.latestSeq, 10);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [7, 8, 9, 10]);
  });

  test('append() from upstream: the entry itself is stored and handed out, keeping its json', () => {
    const feed = new Feed({ ringCapacity: 100 });
    const got: FeedEntry[] = [];
    feed.subscribe((e) => got.push(e));
    const e1 = entry(1);
    assert.equal(feed.append(e1), true);
    assert.equal(got[0], e1);
    assert.equal(feed.ring.since(0)[0], e1);
  });

  test('append() ignores a seq it already holds and skips over a gap, counting both', () => {
    const feed = new Feed({ ringCapacity: 100 });
    const got: FeedEntry[] = [];
    feed.subscribe((e) => got.push(e));
    feed.append(entry(1));
    feed.append(entry(2));
    assert.equal(feed.append(entry(2)), false);
    assert.equal(feed.append(entry(1)), false);
    assert.equal(feed.duplicateEvents, 2);
    assert.equal(feed.append(entry(6)), true, 'seqs 3-5 never arrived');
    assert.equal(feed.gapEvents, 3);
    feed.append(entry(7));
    assert.deepEqual(seqsOf(got), [1, 2, 6, 7]);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [6, 7], 'nothing is served across the gap');
  });

  test('a fresh feed can start at any seq (a publisher that no longer holds seq 1)', () => {
    const feed = new Feed({ ringCapacity: 100 });
    feed.append(entry(500));
    feed.append(entry(501));
    assert.equal(feed.gapEvents, 499);
    assert.deepEqual(seqsOf(feed.ring.since(0)), [500, 501]);
  });
});
