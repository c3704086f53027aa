/** HdrHistogram helpers: one configuration for every latency we record, and its summary. */
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { EncodedHistogram, PercentileSummary } from '../result-schema.ts';

/** µs from 1 µs to 1 hour at 3 significant digits (0.1% resolution). */
export function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function summarize(h: Histogram, scale = 1): PercentileSummary {
  const n = h.totalCount;
  const at = (p: number) => (n ? h.getValueAtPercentile(p) / scale : 0);
  return {
    count: n,
    min: n ? h.minNonZeroValue / scale : 0,
    mean: n ? h.mean / scale : 0,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: n ? h.maxValue / scale : 0,
  };
}

export function encodeHistogram(h: Histogram): EncodedHistogram {
  return { unit: 'us', encoding: 'hdr-compressed-base64', data: encodeIntoCompressedBase64(h), summary: summarize(h) };
}
