/**
 * The measurement window's length. Per-event ratios are only exact when the window holds a whole
 * number of event periods and of poll intervals: a 2.5 s window at 1 event/s holds 2 or 3 events
 * depending on where it falls, which would turn short polling's 1 request per event into 0.83.
 * So the window is the configured length rounded up to a whole number of event periods that is also
 * a whole number of every poll interval of the scenario (so every transport in one table measures the
 * same window), unless that would more than double it; then to whole event periods alone.
 */
import { periodMs, type Schedule } from '../../servers/contract/schedule.ts';

const isWhole = (x: number) => Math.abs(x - Math.round(x)) < 1e-6;

export function alignedWindowMs(measureMs: number, schedule: Schedule, pollIntervalsMs: readonly number[]): number {
  const period = periodMs(schedule.shape);
  const first = Math.max(1, Math.ceil(measureMs / period - 1e-9));
  // Smallest whole number of periods that is also a whole number of every poll interval, up to 2x.
  for (let k = first; k * period <= 2 * measureMs; k++) {
    if (pollIntervalsMs.every((interval) => isWhole((k * period) / interval)))
      return Math.round(k * period * 1e6) / 1e6;
  }
  return Math.round(first * period * 1e6) / 1e6;
}

/** Time for a first upstream message's connect and echo on loopback (an emulated path adds its own allowance). */
const FIRST_MESSAGE_MARGIN_MS = 100;

/**
 * The warm-up a job needs before its window can start in steady state: at least one full poll
 * interval for short polling. Otherwise some clients make their first poll inside the window, that
 * poll returns only the events since they connected (not a whole interval's worth), while the
 * window's last events are delivered by polls after the window: bytes per delivered event would be
 * understated (measured: 229 message bytes per event for a 256-byte payload with a 300 ms warm-up
 * and a 1000 ms interval).
 */
export function steadyStateWarmupMs(
  warmupMs: number,
  pollIntervalMs: number | null,
  upstreamIntervalMs: number | null = null,
): number {
  // Upstream messages: every client's first message is due within one interval of its connect, and
  // over HTTP it opens the messages' own connection (TCP, TLS): that and its echo must be before the
  // window, or the window counts those connects (49 of 100 long-poll clients in a protocols run with a
  // 500 ms warm-up and 1000 ms interval), their TLS handshakes as feed bytes, and connect times in
  // the echo round trip's p99.
  const upstream = upstreamIntervalMs === null ? 0 : upstreamIntervalMs + FIRST_MESSAGE_MARGIN_MS;
  return Math.max(warmupMs, pollIntervalMs ?? 0, upstream);
}
