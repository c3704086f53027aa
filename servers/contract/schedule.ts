/**
 * Contract (servers/contract/). Imported by the publisher (bench/publisher/: it publishes on this
 * schedule), the load generator (bench/load/: it computes which seqs fall in its window from the same
 * schedule), the scenarios and the matrix (bench/scenarios/, bench/matrix.ts), the result schema and
 * the reports (mean rate).
 *
 * The publish schedule of a feed shape (its schema: shape-schema.ts) as pure
 * arithmetic: when event `seq` is due, how many are due after a given time, and the mean rate. Pure so
 * that the rate can be tested without timers, and so that anyone who knows the schedule and its start
 * time (the load generator) can tell exactly which seqs fall in a window.
 */
import type { ScheduleShape } from './shape-schema.ts';

export type { ScheduleShape };

/** Mean events per second of a shape: the steady rate, or burst size over burst period. */
export function meanRate(shape: ScheduleShape): number {
  return shape.kind === 'steady' ? shape.ratePerSec : (shape.size * 1000) / shape.everyMs;
}

/** Event period in ms: the steady period, or the burst interval (the time after which the shape repeats). */
export function periodMs(shape: ScheduleShape): number {
  return shape.kind === 'steady' ? 1000 / shape.ratePerSec : shape.everyMs;
}

export interface Schedule {
  readonly shape: ScheduleShape;
  /** Offset from the schedule start, in ns, at which event `seq` (1-based) is due. */
  offsetNs(seq: number): number;
  /** How many events are due at `elapsedNs` after the start (event 1 is due at 0). */
  dueCount(elapsedNs: number): number;
  /** Mean events per second, for both shapes. */
  readonly meanRatePerSec: number;
}

export function makeSchedule(shape: ScheduleShape): Schedule {
  if (shape.kind === 'steady') {
    const { ratePerSec } = shape;
    if (!(ratePerSec > 0) || !Number.isFinite(ratePerSec)) throw new RangeError(`rate must be > 0, got ${ratePerSec}`);
    const periodNs = 1e9 / ratePerSec;
    const offsetNs = (seq: number) => Math.round((seq - 1) * periodNs);
    return {
      shape,
      meanRatePerSec: meanRate(shape),
      offsetNs,
      dueCount(elapsedNs) {
        if (elapsedNs < 0) return 0;
        // Estimate with floating point, then settle on the exact answer of offsetNs so the two
        // functions can never disagree at a boundary.
        let k = Math.floor(elapsedNs / periodNs) + 1;
        while (offsetNs(k + 1) <= elapsedNs) k++;
        while (k > 0 && offsetNs(k) > elapsedNs) k--;
        return k;
      },
    };
  }
  const { size, everyMs } = shape;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`burst size must be a positive integer, got ${size}`);
  if (!(everyMs > 0)) throw new RangeError(`burst interval must be > 0 ms, got ${everyMs}`);
  const everyNs = everyMs * 1e6;
  return {
    shape,
    meanRatePerSec: meanRate(shape),
    // Whole ns (the feed turns offsets into BigInt), with dueCount settled on offsetNs exactly.
    offsetNs: (seq) => Math.round(Math.floor((seq - 1) / size) * everyNs),
    dueCount(elapsedNs) {
      if (elapsedNs < 0) return 0;
      let groups = Math.floor(elapsedNs / everyNs) + 1;
      while (Math.round(groups * everyNs) <= elapsedNs) groups++;
      while (groups > 0 && Math.round((groups - 1) * everyNs) > elapsedNs) groups--;
      return groups * size;
    },
  };
}

/** The seqs whose scheduled time lies in [fromNs, toNs) for a schedule that started at `startNs`. */
export function seqRangeInWindow(
  schedule: Schedule,
  startNs: bigint,
  fromNs: bigint,
  toNs: bigint,
): { first: number; last: number } {
  const before = schedule.dueCount(Number(fromNs - startNs) - 1);
  const upTo = schedule.dueCount(Number(toNs - startNs) - 1);
  return { first: before + 1, last: upTo };
}

/**
 * The idle workload's schedule (issue 12): event 1 only, at the start, then nothing. That one event
 * is published long before any client connects (the prewarm and the connect come first), so the
 * server's upstream link is known to work, clients start live from seq 1 as in every run, and the
 * window holds no event at all. Its mean rate is 0; its shape stays the job's, for the window's length.
 */
export function firstEventOnly(schedule: Schedule): Schedule {
  return {
    shape: schedule.shape,
    meanRatePerSec: 0,
    offsetNs: (seq) => (seq <= 1 ? schedule.offsetNs(seq) : Number.POSITIVE_INFINITY),
    dueCount: (elapsedNs) => Math.min(1, schedule.dueCount(elapsedNs)),
  };
}
