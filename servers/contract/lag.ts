/**
 * Contract (servers/contract/). Imported by the server's upstream (arrival lag) and the publisher's
 * schedule runner (lateness), which record with the same histogram so the two figures compare, and by
 * the IPC types and metrics that carry its LagSummary (server-ipc.ts, publisher-ipc.ts,
 * bench/publisher/, bench/metrics.ts).
 *
 * A lag histogram in µs (how late something happened against its schedule), resettable at the start
 * of a measurement window. Used for the server's feed arrival lag and the publisher's lateness.
 */
import { build as buildHistogram, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';

export interface LagSummary {
  events: number;
  meanUs: number;
  /** Optional so summaries written out by hand (tests, a stats merge) need not make one up. */
  p50Us?: number;
  p99Us: number;
  maxUs: number;
  /**
   * The histogram itself (hdr-histogram-js compressed base64), so a group of server processes merges
   * its workers' lags exactly (servers/cluster-stats.ts) instead of bounding their percentiles.
   * Absent from a merged summary and from hand-written ones.
   */
  histogram?: string;
  /** Set by a merge that had no histograms to merge: p99Us is then an upper bound and p50Us absent. */
  percentilesUpperBound?: true;
}

/** One hour: anything later is recorded as one hour. */
const HIGHEST_US = 3_600_000_000;

const newLagHistogram = () =>
  buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3 });

type LagHistogram = ReturnType<typeof newLagHistogram>;

function summarize(h: LagHistogram): LagSummary {
  return {
    events: h.totalCount,
    meanUs: h.totalCount ? h.mean : 0,
    p50Us: h.getValueAtPercentile(50),
    p99Us: h.getValueAtPercentile(99),
    maxUs: h.maxValue,
  };
}

/** The summary of the union of `encoded` histograms (LagSummary.histogram): exact, as if one recorder had seen every event. */
export function mergeLagHistograms(encoded: readonly string[]): LagSummary {
  const union = newLagHistogram();
  for (const data of encoded) union.add(decodeFromCompressedBase64(data));
  return summarize(union);
}

export class LagRecorder {
  private readonly histogram = newLagHistogram();

  /** Records `lateNs` (0 or negative = on time, recorded as 1 µs). */
  record(lateNs: number): void {
    this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, lateNs / 1000)));
  }

  reset(): void {
    this.histogram.reset();
  }

  summary(): LagSummary {
    return summarize(this.histogram);
  }

  /** The summary with the histogram, for a summary that may be merged with others' (mergeLagHistograms). */
  mergeableSummary(): LagSummary {
    return { ...summarize(this.histogram), histogram: encodeIntoCompressedBase64(this.histogram) };
  }
}
