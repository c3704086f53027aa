import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryWindow } from '../../bench/load/delivery.ts';
import type { FeedEvent } from '../../servers/contract/protocol.ts';

// Events 1..10 scheduled every 1 ms from t = 1,000,000 ns; the window opens at event 3's time.
const T0 = 1_000_000n;
const ev = (seq: number): FeedEvent => ({ seq, emittedAtNs: T0 + BigInt(seq) * 1_000_000n, payload: '' });
const at = (seq: number) => ev(seq).emittedAtNs;

describe('DeliveryWindow', () => {
  test('counts every window event once per client; events outside the window are ignored', () => {
    const w = new DeliveryWindow(at(3), 3, 2, 4);
    for (let client = 0; client < 2; client++) {
      w.record(client, [ev(1), ev(2)], at(2) + 10n); // before the window
      for (let s = 3; s <= 6; s++) w.record(client, [ev(s)], at(s) + 5_000n);
    }
    w.close(at(7)); // window = events 3..6 (7 is at the end edge: outside)
    w.record(0, [ev(7)], at(7) + 1n);
    const c = w.counts(6);
    assert.deepEqual(c, { expected: 8, delivered: 8, lost: 0, duplicated: 0, outOfOrder: 0, clockAnomalies: 0 });
    // Latency only for in-window first receipts: 4 events x 2 clients, each 5 µs.
    assert.equal(w.latencyUs.totalCount, 8);
    assert.equal(w.latencyUs.getValueAtPercentile(50), 5);
  });

  test('a coalesced batch (short polling) is not loss: each event gets its own latency', () => {
    const w = new DeliveryWindow(at(1), 1, 1, 16);
    w.record(0, [ev(1), ev(2), ev(3)], at(3) + 1_000n);
    w.close(at(4));
    assert.equal(w.counts(3).lost, 0);
    assert.equal(w.latencyUs.totalCount, 3);
    assert.equal(w.latencyUs.maxValue >= 2_000, true, 'event 1 waited 2 ms + 1 µs');
    assert.equal(w.latencyUs.minNonZeroValue, 1);
  });

  test('counts loss, duplicates and out-of-order deliveries per client', () => {
    const w = new DeliveryWindow(at(1), 1, 2, 2);
    w.record(0, [ev(1), ev(3)], at(3)); // 2 missing for now
    w.record(0, [ev(2)], at(3) + 1n); // late: out of order
    w.record(0, [ev(3)], at(3) + 2n); // again: duplicate
    w.record(1, [ev(1)], at(1)); // client 1 loses 2 and 3
    w.close(at(4));
    const c = w.counts(3);
    assert.equal(c.expected, 6);
    assert.equal(c.delivered, 4);
    assert.equal(c.lost, 2);
    assert.equal(c.duplicated, 1);
    assert.equal(c.outOfOrder, 1);
  });

  test('bitmaps grow past the size hint', () => {
    const w = new DeliveryWindow(at(1), 1, 1, 16);
    const events = Array.from({ length: 500 }, (_, i) => ev(i + 1));
    w.record(0, events, at(500));
    w.close(at(501));
    assert.equal(w.counts(500).delivered, 500);
  });

  test('a receive time before the scheduled time is a clock anomaly, not a latency', () => {
    const w = new DeliveryWindow(at(1), 1, 1, 16);
    w.record(0, [ev(2)], at(2) - 1n);
    assert.equal(w.counts(2).clockAnomalies, 1);
    assert.equal(w.latencyUs.totalCount, 0);
  });
});
