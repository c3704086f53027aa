import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateClockOffset, type Exchange } from '../../bench/agent/clock-offset.ts';

/** An exchange seen from both ends: the publisher's clock is the agent's plus `offset`. */
function exchange(startNs: bigint, offset: bigint, outNs: bigint, backNs: bigint): Exchange {
  const t1 = startNs + outNs + offset;
  return { t0: startNs, t1, t2: t1, t3: startNs + outNs + backNs };
}

test('symmetric delays: the offset exactly, within half the round trip', () => {
  const est = estimateClockOffset([exchange(1_000_000n, 5_000_000n, 40_000n, 40_000n)]);
  assert.equal(est.offsetNs, 5_000_000n);
  assert.equal(est.roundTripNs, 80_000n);
  assert.equal(est.uncertaintyNs, 40_000n);
  assert.equal(est.exchanges, 1);
});

test('asymmetric delays: off by half the asymmetry, and the true offset still within the bound', () => {
  const offset = -3_000_000n;
  const est = estimateClockOffset([exchange(10n, offset, 90_000n, 10_000n)]);
  // ((out + offset) + (out + offset - out - back)) / 2 = offset + (out - back) / 2.
  assert.equal(est.offsetNs, offset + 40_000n);
  assert.equal(est.uncertaintyNs, 50_000n);
  assert.ok(est.offsetNs - est.uncertaintyNs <= offset && offset <= est.offsetNs + est.uncertaintyNs);
  // The worst case: all of the round trip on one leg puts the true offset on the bound's edge.
  const edge = estimateClockOffset([exchange(0n, offset, 100_000n, 0n)]);
  assert.equal(edge.offsetNs - edge.uncertaintyNs, offset);
});

test('picks the exchange with the smallest round trip, whatever its place', () => {
  const offset = 123_456n;
  const est = estimateClockOffset([
    exchange(0n, offset, 500_000n, 100_000n),
    exchange(1_000_000n, offset, 30_000n, 20_000n),
    exchange(2_000_000n, offset, 100_000n, 900_000n),
  ]);
  assert.equal(est.roundTripNs, 50_000n);
  assert.equal(est.offsetNs, offset + 5_000n);
  assert.equal(est.uncertaintyNs, 25_000n);
  assert.equal(est.exchanges, 3);
});

test("the responder's own time between receive and send is not round trip", () => {
  const est = estimateClockOffset([{ t0: 0n, t1: 1_000n, t2: 6_000n, t3: 7_000n }]);
  assert.equal(est.roundTripNs, 2_000n);
  assert.equal(est.offsetNs, 0n);
});

test('an odd round trip rounds the bound up, never down', () => {
  const est = estimateClockOffset([{ t0: 0n, t1: 1n, t2: 1n, t3: 3n }]);
  assert.equal(est.uncertaintyNs, 2n);
});

test('no exchange, or one that ends before it starts: an error, not an estimate', () => {
  assert.throws(() => estimateClockOffset([]), /no clock exchange/);
  assert.throws(() => estimateClockOffset([{ t0: 10n, t1: 0n, t2: 0n, t3: 5n }]), /ends before it starts/);
});
