/**
 * The offset of a load agent's clock to the publisher's, NTP-style (RFC 5905's on-wire exchange, one
 * server, no filtering beyond the best round trip). Pure: the exchanges in, the estimate out.
 *
 * One exchange: the agent reads its clock (t0) and asks; the responder on the publisher's host reads
 * its clock once, t1 = t2 (receive and send are the same reading); the agent reads its clock when the
 * answer arrives (t3). Whatever the delays on the way out and back, t1 was read between t0 and t3 in
 * real time, so the true offset (publisher minus agent) lies within ((t1 - t0) + (t2 - t3)) / 2 plus or
 * minus half the round trip: that half is a bound, not a standard deviation. The exchange with the
 * smallest round trip gives the tightest bound, so it is the one kept.
 */

/** One round trip: t0, t3 on the agent's clock; t1, t2 on the publisher's host's clock; all ns. */
export interface Exchange {
  t0: bigint;
  t1: bigint;
  t2: bigint;
  t3: bigint;
}

export interface ClockOffset {
  /** Publisher's clock minus the agent's: add it to an agent stamp to put it on the publisher's clock. */
  offsetNs: bigint;
  /** The true offset is within offsetNs ± uncertaintyNs (half the kept exchange's round trip). */
  uncertaintyNs: bigint;
  /** The kept exchange's round trip, less the responder's own time between t1 and t2. */
  roundTripNs: bigint;
  /** How many exchanges the estimate chose from. */
  exchanges: number;
}

export function estimateClockOffset(exchanges: readonly Exchange[]): ClockOffset {
  let best: { e: Exchange; roundTripNs: bigint } | undefined;
  for (const e of exchanges) {
    if (e.t3 < e.t0 || e.t2 < e.t1) throw new Error('a clock exchange ends before it starts');
    const roundTripNs = e.t3 - e.t0 - (e.t2 - e.t1);
    if (!best || roundTripNs < best.roundTripNs) best = { e, roundTripNs };
  }
  if (!best) throw new Error('no clock exchange to estimate an offset from');
  const { e, roundTripNs } = best;
  return {
    offsetNs: (e.t1 - e.t0 + (e.t2 - e.t3)) / 2n,
    // Rounded up: the bound must hold after bigint division truncates the odd nanosecond.
    uncertaintyNs: (roundTripNs + 1n) / 2n,
    roundTripNs,
    exchanges: exchanges.length,
  };
}
