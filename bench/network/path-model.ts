/**
 * The emulated network path: pure scheduling arithmetic, no sockets and no timers (relay.ts applies
 * it). Times are milliseconds on any monotonic clock.
 *
 * ### How the emulated path works
 *
 * Every client connection goes through a relay process: client -> relay -> server, one upstream TCP
 * connection per client connection. The relay delays each direction of each connection on its own,
 * like a per-client access link followed by a long path (the design of Toxiproxy). For every chunk of
 * bytes the relay reads from one side, at time `t`:
 *
 * 1. **Segments.** The chunk is cut into TCP segments of at most 1448 bytes (the payload of a
 *    1500-byte Ethernet MTU with TCP timestamps).
 * 2. **Access link (bandwidth).** Each direction has its own link at the profile's rate (`down` from
 *    server to client, `up` from client to server). A segment starts when the link is free, at
 *    `max(t, linkFree)`, and is done `bytes * 8 / rate` later. The rate applies to TCP payload bytes,
 *    the bytes pollbench counts; TCP/IP headers (about 3.5% on full segments) are not charged. An
 *    unlimited link takes no time.
 * 3. **Propagation (delay and jitter).** One draw per chunk: `oneWay = rtt / 2 + U(-jitter / 2,
 *    +jitter / 2)`, clamped at 0, from a seeded generator. A round trip therefore varies within
 *    ±jitter around the profile's rtt.
 * 4. **Order.** `departure = max(previous departure, done + oneWay)`: bytes on a connection are never
 *    reordered, as TCP delivers them in order. A chunk sent right behind a slower-drawn one waits for
 *    it.
 * 5. **Loss.** Each segment is lost with probability `loss`. TCP delivers it anyway, one
 *    retransmission timeout later: `RTO = rtt + max(200 ms, 4 * jitter)` (Linux: smoothed RTT plus
 *    `max(4 * rttvar, tcp_rto_min = 200 ms)`), doubled for each further loss of the same segment
 *    (exponential backoff). Because departures never go backwards, everything behind the lost segment
 *    on that connection waits for it (head-of-line blocking). Nothing is ever dropped or duplicated:
 *    a lost segment is latency, not a missing event. Fast retransmit, tail-loss probes and RACK can
 *    recover sooner than an RTO when more data follows; the model takes the timeout, the case a
 *    sparse feed with small writes meets.
 * 6. **Handshake.** A client's connect() completes on loopback at once, but on a real path its first
 *    bytes can leave only one round trip after it connected (SYN, SYN-ACK). The client -> server
 *    direction of a new connection therefore starts its link at `accepted + rtt`. The client's own
 *    connect time does not include that round trip; its first response does.
 * 7. **FIN.** A half-close travels like a zero-byte chunk: it departs after every byte before it,
 *    one delay later. A reset is passed on at once.
 *
 * The relay writes each chunk when its departure time comes, and records how late the write was
 * (timer lateness), the delay it really applied (write time minus the time the link was done with
 * the bytes, compared with the configured mean), its own CPU time and the most bytes it held.
 *
 * ### What the emulated path does not do
 *
 * - **Links are per connection.** The relay cannot tell which connections belong to one client; each
 *   TCP connection gets its own access link. A client with one connection (every transport here) is
 *   the same thing.
 * - **No congestion control of the emulated path.** The relay's own sockets are loopback TCP: slow
 *   start and the congestion window of a real long path are not reproduced, so the first bytes of a
 *   large response arrive sooner than they would; the rate limit still holds.
 * - **Its own hop.** The relay adds two loopback hops and a process wake-up per direction (about
 *   0.1 ms at idle on the 2-core machine, milliseconds when its core is busy), and its whole-
 *   millisecond timers write within about ±0.5 ms of the departure (rounded to the nearest
 *   millisecond) unless the one-way delay is 20 ms or less, where it waits out the last
 *   sub-millisecond (capped at 10% of a core). The timing error is recorded per write. A chunk is stamped when the relay reads it, so time it spends waiting to be read is in the
 *   round trip the clients measure but not in the relay's "applied delay": the calibration round
 *   trip through the path at idle is the floor to read latencies against.
 */
import { mulberry32 } from '../../servers/contract/prng.ts';

/** TCP payload per segment: 1500-byte MTU - 20 (IPv4) - 20 (TCP) - 12 (timestamps option). */
export const MSS = 1448;
/** Linux's minimum retransmission timeout (TCP_RTO_MIN, include/net/tcp.h). */
const RTO_MIN_MS = 200;
/** Linux gives up on a segment after 15 retransmissions (net.ipv4.tcp_retries2); so does the model. */
const MAX_RETRANSMISSIONS = 15;

export interface DirectionParams {
  /** Mean one-way propagation delay before jitter: rtt / 2. */
  oneWayMs: number;
  /** Width of the uniform jitter draw: each draw is within ±jitterMs / 2. */
  jitterMs: number;
  /** Access-link rate in kbit/s (= bits per ms); null = unlimited. */
  kbps: number | null;
  /** Per-segment loss probability in percent. */
  lossPct: number;
  /** Retransmission timeout for a lost segment. */
  rtoMs: number;
}

export interface PathProfile {
  rttMs: number;
  jitterMs: number;
  downKbps: number | null;
  upKbps: number | null;
  lossPct: number;
}

/** RTO the model uses: rtt + max(200 ms, 4 * jitter) (Linux: srtt + max(4 * rttvar, tcp_rto_min)). */
export function rtoMs(p: PathProfile): number {
  return p.rttMs + Math.max(RTO_MIN_MS, 4 * p.jitterMs);
}

/** One direction's parameters: 'up' = client -> server, 'down' = server -> client. */
export function directionParams(p: PathProfile, direction: 'up' | 'down'): DirectionParams {
  return {
    oneWayMs: p.rttMs / 2,
    jitterMs: p.jitterMs,
    kbps: direction === 'up' ? p.upKbps : p.downKbps,
    lossPct: p.lossPct,
    rtoMs: rtoMs(p),
  };
}

/**
 * The mean one-way delay a direction really applies before ordering: E[max(0, oneWay + U(-j/2, j/2))].
 * Equal to oneWay unless the jitter reaches below zero and is clamped.
 */
export function meanOneWayMs(d: Pick<DirectionParams, 'oneWayMs' | 'jitterMs'>): number {
  const h = d.jitterMs / 2;
  if (h === 0 || d.oneWayMs >= h) return d.oneWayMs;
  return (d.oneWayMs + h) ** 2 / (4 * h);
}

/** A seeded uniform generator on [0, 1) (mulberry32): the same seed gives the same path. */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

/** Consecutive bytes of one chunk that leave at the same time. */
export interface Piece {
  bytes: number;
  /** When the piece is due to be written. */
  departAt: number;
  /** When the access link was done with the piece's last byte: departAt - readyAt is the delay applied. */
  readyAt: number;
  /** Segments of this piece that were lost (and retransmitted). */
  lost: number;
  /** True when loss delayed the piece: its own segment was lost, or it waits behind one that was. */
  lossDelayed: boolean;
}

/** One direction of one connection. */
export class DirectionPath {
  private linkFree = -Infinity;
  private lastDeparture = -Infinity;
  /** Departure of the latest lost segment: anything departing at or before it is held by the loss. */
  private lossHold = -Infinity;

  constructor(
    private readonly params: DirectionParams,
    private readonly random: () => number,
    /** The link starts here (the handshake round trip on a new connection's client -> server side). */
    notBefore = -Infinity,
  ) {
    this.linkFree = notBefore;
  }

  private drawOneWay(): number {
    const { oneWayMs, jitterMs } = this.params;
    if (jitterMs === 0) return oneWayMs;
    return Math.max(0, oneWayMs + (this.random() - 0.5) * jitterMs);
  }

  private retransmissionDelay(): number {
    const p = this.params.lossPct / 100;
    if (p === 0 || this.random() >= p) return 0;
    let delay = this.params.rtoMs;
    let backoff = this.params.rtoMs;
    for (let i = 1; i < MAX_RETRANSMISSIONS && this.random() < p; i++) {
      backoff *= 2;
      delay += backoff;
    }
    return delay;
  }

  /** Schedules `bytes` (> 0) read at `arrival`; pieces in byte order, with non-decreasing departures. */
  schedule(arrival: number, bytes: number): Piece[] {
    const oneWay = this.drawOneWay();
    const pieces: Piece[] = [];
    const rate = this.params.kbps;
    let start = Math.max(arrival, this.linkFree);
    for (let offset = 0; offset < bytes; offset += MSS) {
      const size = Math.min(MSS, bytes - offset);
      const done = rate === null ? start : start + (size * 8) / rate;
      start = done;
      const retransmit = this.retransmissionDelay();
      const own = done + oneWay + retransmit;
      const departAt = Math.max(this.lastDeparture, own);
      const lossDelayed = retransmit > 0 || (departAt > own && departAt <= this.lossHold);
      if (retransmit > 0) this.lossHold = departAt;
      this.lastDeparture = departAt;
      const last = pieces[pieces.length - 1];
      if (last && last.departAt === departAt) {
        last.bytes += size;
        last.readyAt = done;
        last.lost += retransmit > 0 ? 1 : 0;
        last.lossDelayed ||= lossDelayed;
      } else {
        pieces.push({ bytes: size, departAt, readyAt: done, lost: retransmit > 0 ? 1 : 0, lossDelayed });
      }
    }
    if (rate !== null) this.linkFree = start;
    return pieces;
  }

  /** A half-close: departs after every byte before it, one delay after `arrival`. */
  scheduleEnd(arrival: number): number {
    const departAt = Math.max(this.lastDeparture, Math.max(arrival, this.linkFree) + this.drawOneWay());
    this.lastDeparture = departAt;
    return departAt;
  }
}
