import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  makeSchedule,
  meanRate,
  seqRangeInWindow,
  type Schedule,
  type ScheduleShape,
} from '../../servers/contract/schedule.ts';
import { shapeSchema } from '../../servers/contract/shape-schema.ts';

const RATES = [0.5, 1, 3, 7, 20, 999, 1000, 5000, 33_333];
const SECOND_NS = 1e9;

describe('steady schedule', () => {
  test('offsetNs and dueCount agree at every boundary', () => {
    for (const ratePerSec of RATES) {
      const s = makeSchedule({ kind: 'steady', ratePerSec });
      // Enough seqs to cover a few seconds at every rate, capped to keep the test quick.
      const n = Math.min(20_000, Math.ceil(ratePerSec * 5) + 2);
      for (let seq = 1; seq <= n; seq++) {
        const at = s.offsetNs(seq);
        assert.ok(Number.isInteger(at), `rate ${ratePerSec}: offset of ${seq} is whole ns`);
        assert.equal(s.dueCount(at), seq, `rate ${ratePerSec}: dueCount at offset of seq ${seq}`);
        assert.equal(s.dueCount(at - 1), seq - 1, `rate ${ratePerSec}: dueCount 1 ns before seq ${seq}`);
      }
    }
  });

  test('offsets are evenly spaced at 1e9/rate ns (within rounding)', () => {
    for (const ratePerSec of RATES) {
      const s = makeSchedule({ kind: 'steady', ratePerSec });
      assert.equal(s.offsetNs(1), 0);
      for (const seq of [2, 3, 10, 101]) {
        assert.ok(
          Math.abs(s.offsetNs(seq) - (seq - 1) * (SECOND_NS / ratePerSec)) <= 0.5,
          `rate ${ratePerSec} seq ${seq}`,
        );
      }
    }
  });

  test('configured rate = emitted rate: 10 s hold rate*10 events plus the one at t=0', () => {
    for (const ratePerSec of RATES) {
      const s = makeSchedule({ kind: 'steady', ratePerSec });
      assert.equal(s.meanRatePerSec, ratePerSec);
      assert.equal(s.dueCount(10 * SECOND_NS), ratePerSec * 10 + 1, `rate ${ratePerSec} at 10 s`);
      assert.equal(s.dueCount(10 * SECOND_NS - 1), ratePerSec * 10, `rate ${ratePerSec} just before 10 s`);
    }
  });

  test('nothing is due before the start; event 1 is due at 0', () => {
    const s = makeSchedule({ kind: 'steady', ratePerSec: 10 });
    assert.equal(s.dueCount(-1), 0);
    assert.equal(s.dueCount(-1e12), 0);
    assert.equal(s.dueCount(0), 1);
  });
});

describe('burst schedule', () => {
  const shapes = [
    { size: 1, everyMs: 100 },
    { size: 5, everyMs: 100 },
    { size: 50, everyMs: 1000 },
    { size: 3, everyMs: 0.5 },
  ];

  test('emits size events at each multiple of everyMs, none in between', () => {
    for (const { size, everyMs } of shapes) {
      const s = makeSchedule({ kind: 'burst', size, everyMs });
      const everyNs = everyMs * 1e6;
      assert.equal(s.meanRatePerSec, (size * 1000) / everyMs);
      for (let k = 0; k < 50; k++) {
        assert.equal(s.dueCount(k * everyNs), (k + 1) * size, `burst ${k} of ${size}/${everyMs}ms`);
        assert.equal(s.dueCount(k * everyNs + everyNs / 2), (k + 1) * size, 'mid-gap');
        if (k > 0) assert.equal(s.dueCount(k * everyNs - 1), k * size, 'just before the burst');
        for (let i = 1; i <= size; i++) assert.equal(s.offsetNs(k * size + i), k * everyNs);
      }
    }
  });

  test('configured rate = emitted rate over 10 s', () => {
    const s = makeSchedule({ kind: 'burst', size: 5, everyMs: 100 });
    // 100 bursts in (0, 10 s) plus the burst at t=0 and the one at exactly 10 s.
    assert.equal(s.dueCount(10 * SECOND_NS), 5 * 101);
    assert.equal(s.dueCount(10 * SECOND_NS - 1), 5 * 100);
  });

  // Known bug (see the test report): a burst interval that is not a whole number of ns gives
  // fractional offsets, and Feed turns offsets into BigInt, which throws (the publisher crashes).
  test('offsetNs is a whole number of ns for a fractional everyMs such as 1000/30', () => {
    const s = makeSchedule({ kind: 'burst', size: 1, everyMs: 1000 / 30 });
    for (let seq = 1; seq <= 10; seq++)
      assert.ok(Number.isInteger(s.offsetNs(seq)), `offset of ${seq}: ${s.offsetNs(seq)}`);
  });
});

describe('seqRangeInWindow', () => {
  /** Brute force: every seq whose scheduled time lies in [fromNs, toNs). */
  function expected(s: Schedule, startNs: bigint, fromNs: bigint, toNs: bigint, maxSeq: number): number[] {
    const out: number[] = [];
    for (let seq = 1; seq <= maxSeq; seq++) {
      const at = startNs + BigInt(s.offsetNs(seq));
      if (at >= fromNs && at < toNs) out.push(seq);
    }
    return out;
  }

  const shapes: ScheduleShape[] = [
    { kind: 'steady', ratePerSec: 7 },
    { kind: 'steady', ratePerSec: 1000 },
    { kind: 'burst', size: 4, everyMs: 250 },
  ];

  test('returns exactly the seqs scheduled in [from, to)', () => {
    const startNs = 5_000_000_000_123n; // an hrtime-like start, far from 0
    for (const shape of shapes) {
      const s = makeSchedule(shape);
      const horizonNs = 3 * SECOND_NS;
      const maxSeq = s.dueCount(horizonNs + SECOND_NS);
      // Windows with edges on, just before and just after scheduled times, plus empty and pre-start ones.
      const edges: number[] = [-SECOND_NS, -1, 0, 1];
      for (let seq = 1; seq <= maxSeq && s.offsetNs(seq) <= horizonNs; seq += Math.max(1, Math.floor(maxSeq / 25))) {
        const at = s.offsetNs(seq);
        edges.push(at - 1, at, at + 1);
      }
      for (const from of edges) {
        for (const to of edges) {
          if (to < from) continue;
          const fromNs = startNs + BigInt(from);
          const toNs = startNs + BigInt(to);
          const { first, last } = seqRangeInWindow(s, startNs, fromNs, toNs);
          const got: number[] = [];
          for (let seq = first; seq <= last; seq++) got.push(seq);
          assert.deepEqual(
            got,
            expected(s, startNs, fromNs, toNs, maxSeq),
            `${JSON.stringify(shape)} [${from}, ${to})`,
          );
        }
      }
    }
  });

  test('an empty window yields first > last', () => {
    const s = makeSchedule({ kind: 'steady', ratePerSec: 10 });
    const { first, last } = seqRangeInWindow(s, 0n, 1_000_000n, 1_000_000n);
    assert.ok(first > last);
  });
});

describe('invalid shapes', () => {
  test('throw RangeError', () => {
    const bad: ScheduleShape[] = [
      { kind: 'steady', ratePerSec: 0 },
      { kind: 'steady', ratePerSec: -1 },
      { kind: 'steady', ratePerSec: Number.NaN },
      { kind: 'steady', ratePerSec: Number.POSITIVE_INFINITY },
      { kind: 'burst', size: 0, everyMs: 100 },
      { kind: 'burst', size: -3, everyMs: 100 },
      { kind: 'burst', size: 1.5, everyMs: 100 },
      { kind: 'burst', size: 1, everyMs: 0 },
      { kind: 'burst', size: 1, everyMs: -10 },
      { kind: 'burst', size: 1, everyMs: Number.NaN },
    ];
    for (const shape of bad) assert.throws(() => makeSchedule(shape), RangeError, JSON.stringify(shape));
  });
});

describe('the one shape schema', () => {
  test('accepts every shape any of the three former copies accepted at their widest bounds', () => {
    const good: ScheduleShape[] = [
      { kind: 'steady', ratePerSec: 0.001 },
      { kind: 'steady', ratePerSec: 10_000 }, // the scenarios' former maximum
      { kind: 'steady', ratePerSec: 100_000 }, // the publisher's
      { kind: 'burst', size: 1, everyMs: 0.5 }, // the scenarios required >= 1 ms, the publisher > 0
      { kind: 'burst', size: 100_000, everyMs: 3_600_000 },
    ];
    for (const shape of good) assert.deepEqual(shapeSchema.parse(shape), shape);
  });

  test('rejects what the schedule cannot run, and what no copy accepted', () => {
    const bad: unknown[] = [
      { kind: 'steady', ratePerSec: 0 },
      { kind: 'steady', ratePerSec: 100_001 },
      { kind: 'burst', size: 1.5, everyMs: 100 },
      { kind: 'burst', size: 1, everyMs: 0 },
      { kind: 'burst', size: 1, everyMs: 3_600_001 },
      { kind: 'pulse', ratePerSec: 1 },
    ];
    for (const shape of bad) assert.equal(shapeSchema.safeParse(shape).success, false, JSON.stringify(shape));
  });

  test('mean rate: the steady rate, or burst size over burst period, and the schedule reports the same', () => {
    assert.equal(meanRate({ kind: 'steady', ratePerSec: 7 }), 7);
    assert.equal(meanRate({ kind: 'burst', size: 10, everyMs: 250 }), 40);
    assert.equal(makeSchedule({ kind: 'burst', size: 10, everyMs: 250 }).meanRatePerSec, 40);
  });
});
