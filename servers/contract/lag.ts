/**
 * Contract (servers/contract/). Imported by the server's upstream (arrival lag) and the publisher's
 * schedule runner (lateness), which record with the same histogram so the two figures compare, and by
 * the IPC types and metrics that carry its LagSummary (server-ipc.ts, publisher-ipc.ts,
 * bench/publisher/, bench/metrics.ts).
 *
 * A lag histogram in µs (how late something happened against its schedule), resettable at the start
 * of a measurement window. Used for the server's feed arrival lag and the publisher's lateness.
 */
import { build as buildHistogram } from 'hdr-histogram-js';

export interface LagSummary {
  events: number;
  meanUs: number;
  /** Optional so summaries written out by hand (tests, a stats merge) need not make one up. */
  p50Us?: number;
  p99Us: number;
  maxUs: number;
}

/** One hour: anything later is recorded as one hour. */
const HIGHEST_US = 3_600_000_000;

export class LagRecorder {
  private readonly histogram = buildHistogram({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });

  /** Records `lateNs` (0 or negative = on time, recorded as 1 µs). */
  record(lateNs: number): void {
    this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, lateNs / 1000)));
  }

  reset(): void {
    this.histogram.reset();
  }

  summary(): LagSummary {
    const h = this.histogram;
    return {
      events: h.totalCount,
      meanUs: h.totalCount ? h.mean : 0,
      p50Us: h.getValueAtPercentile(50),
      p99Us: h.getValueAtPercentile(99),
      maxUs: h.maxValue,
    };
  }
}
