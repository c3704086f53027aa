/**
 * Forced drops (workload `drops`, issue 12): during the window, every `everyMs` a random `share` of the
 * clients lose their connection by a TCP reset and stay offline `offlineMs` before they reconnect and
 * resume (TransportClient.drop). Ticks fall at the middle of each interval (start + (k + 1/2) x
 * everyMs), so a window as long as one interval still has one. Each tick picks max(1, round(share x
 * clients)) of all the clients by a seeded PRNG (servers/contract/prng.ts, the seed is in the report)
 * and drops those of them that can drop (connected, online, back since their last drop: a new event
 * received since, so every drop but a client's last has its first event); a pick that cannot is not
 * dropped, and is counted (`refused`). Picking among all clients, not only those that can drop, keeps
 * the picks the same however many load processes split the clients: no process knows whether another
 * process's client can drop.
 *
 * What it measures, besides the delivery check every run has: the catch-up latency (publish to
 * receive of the window's events emitted while their client was offline, first receipt only), and per
 * drop the reconnect (its first attempt after the offline time to the server's first answer, and to the
 * first new event) and its socket bytes.
 */
import type { Histogram } from 'hdr-histogram-js';
import { mulberry32 } from '../../servers/contract/prng.ts';
import type { FeedEvent } from '../../servers/contract/protocol.ts';
import type { DropRecord, TransportClient } from '../clients/types.ts';
import type { EncodedHistogram, PercentileSummary } from '../result-schema.ts';
import type { Workload } from '../workload-params.ts';
import { encodeHistogram, newLatencyHistogram, summarize } from './histogram.ts';

type DropsWorkload = Extract<Workload, { kind: 'drops' }>;

export interface DropsReport {
  /** The PRNG's seed: the same seed picks the same clients at the same ticks. */
  seed: number;
  /** Drops made during the window (one client's connection reset each). */
  performed: number;
  /** Picks whose client could not drop (offline, or no new event since its last drop): not dropped. */
  refused: number;
  /** Of those, the ones whose client had an answer from the server again by the end of the drain (BaseClient.answered). */
  reconnected: number;
  /** Of those, the ones whose client had received a new event again by the end of the drain. */
  recovered: number;
  /** Publish to receive of the window's events emitted while their client was offline (first receipt), µs. */
  catchUp: EncodedHistogram;
  /** Per reconnected drop: the first attempt after the offline time to the server's first answer, ms. */
  reconnectMs: PercentileSummary;
  /** Per recovered drop: the first attempt after the offline time to the first new event, ms. */
  firstEventMs: PercentileSummary;
  /** The same two as histograms (µs), for an exact merge of several load processes' reports. */
  reconnectUs: EncodedHistogram;
  firstEventUs: EncodedHistogram;
  /**
   * Sum over recovered drops of the client's socket bytes (TCP payload of the feed's connections) from
   * its first attempt after the offline time until the read carrying the first new event had been
   * handled: the new connection's handshakes (TLS, WebSocket upgrade, HTTP request and response head),
   * the requests, and the events read by then with their framing (a poll's whole answer).
   */
  reconnectBytesUp: number;
  reconnectBytesDown: number;
  /** Of reconnectBytesDown, the events' own bytes (messageBytesDown over the same span). */
  reconnectEventBytes: number;
}

/** The longest a client may be offline past the window's end: the drain waits this much longer. */
export function dropsDrainExtraMs(workload: Workload): number {
  return workload.kind === 'drops' ? workload.offlineMs : 0;
}

/**
 * Whether a client is back from its latest forced drop (or never dropped): its first new event came.
 * The drain waits for it (dropsDrainExtraMs bounds the wait): a client dropped late in the window may
 * already hold the window's last event, and a drain that ended while it was still offline counted it
 * unreconnected and unrecovered.
 */
export function backFromDrops(client: TransportClient): boolean {
  const last = client.drops.at(-1);
  return last === undefined || last.firstEventNs !== undefined;
}

export class DropScheduler {
  private readonly random: () => number;
  private readonly catchUpUs: Histogram = newLatencyHistogram();
  /** Per client, the highest seq recorded as caught up: a duplicate is recorded once. */
  private readonly caughtUpTo: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private window: { startNs: bigint; endNs: bigint } | undefined;
  private stopped = false;
  private refused = 0;

  /**
   * `clients` may still be filling when this is built: it is read at each tick. They are the job's
   * clients [slice.first, slice.first + clients.length) of slice.total (one process of several,
   * bench/load-group.ts): every process draws the same picks over all the job's clients and drops
   * those that are its own (see tick).
   */
  constructor(
    private readonly clients: readonly TransportClient[],
    private readonly workload: DropsWorkload,
    readonly seed: number,
    private readonly slice?: { first: number; total: number },
  ) {
    const next = mulberry32(seed);
    this.random = () => next() / 2 ** 32;
  }

  /** Drops at start + (k + 1/2) x everyMs for every such tick before endNs. */
  start(startNs: bigint, endNs: bigint, now: () => bigint): void {
    this.window = { startNs, endNs };
    const everyNs = BigInt(this.workload.everyMs) * 1_000_000n;
    let tickNs = startNs + everyNs / 2n;
    const arm = () => {
      if (this.stopped || tickNs >= endNs) return;
      this.timer = setTimeout(
        () => {
          this.tick();
          tickNs += everyNs;
          arm();
        },
        Math.max(0, Number(tickNs - now()) / 1e6),
      );
    };
    arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private tick(): void {
    const first = this.slice?.first ?? 0;
    const total = this.slice?.total ?? this.clients.length;
    const want = Math.min(total, Math.max(1, Math.round(this.workload.share * total)));
    // The first `want` of a Fisher-Yates shuffle of the job's indices, whether or not they can drop:
    // every process draws exactly these (the same PRNG, the same number of draws) and acts on its own
    // only, so whether a pick drops depends on that client alone, never on the process split.
    const order = Array.from({ length: total }, (_, i) => i);
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(this.random() * (order.length - i));
      [order[i], order[j]] = [order[j]!, order[i]!];
      const own = this.clients[order[i]! - first];
      if (own !== undefined && !own.drop(this.workload.offlineMs)) this.refused++;
    }
  }

  /** Every batch a client delivers: the window's events emitted while it was offline feed the catch-up histogram. */
  record(index: number, events: readonly FeedEvent[], receivedNs: bigint): void {
    const drops = this.clients[index]!.drops;
    const window = this.window;
    if (drops.length === 0 || !window) return;
    for (const event of events) {
      const at = event.emittedAtNs;
      if (at < window.startNs || at >= window.endNs || event.seq <= (this.caughtUpTo[index] ?? 0)) continue;
      if (!offlineAt(drops, at)) continue;
      this.caughtUpTo[index] = event.seq;
      this.catchUpUs.recordValue(Math.max(1, Number(receivedNs - at) / 1000));
    }
  }

  report(): DropsReport {
    const reconnectUs = newLatencyHistogram();
    const firstEventUs = newLatencyHistogram();
    let performed = 0;
    let reconnected = 0;
    let recovered = 0;
    let up = 0;
    let down = 0;
    let events = 0;
    for (const client of this.clients)
      for (const d of client.drops) {
        performed++;
        if (d.reconnectStartNs === undefined) continue;
        if (d.answeredNs !== undefined) {
          reconnected++;
          reconnectUs.recordValue(Math.max(1, Number(d.answeredNs - d.reconnectStartNs) / 1000));
        }
        if (d.firstEventNs !== undefined && d.bytesAtFirstEvent && d.bytesAtReconnect) {
          recovered++;
          firstEventUs.recordValue(Math.max(1, Number(d.firstEventNs - d.reconnectStartNs) / 1000));
          up += d.bytesAtFirstEvent.up - d.bytesAtReconnect.up;
          down += d.bytesAtFirstEvent.down - d.bytesAtReconnect.down;
          events += d.bytesAtFirstEvent.events - d.bytesAtReconnect.events;
        }
      }
    return {
      seed: this.seed,
      performed,
      refused: this.refused,
      reconnected,
      recovered,
      catchUp: encodeHistogram(this.catchUpUs),
      reconnectMs: summarize(reconnectUs, 1000),
      firstEventMs: summarize(firstEventUs, 1000),
      reconnectUs: encodeHistogram(reconnectUs),
      firstEventUs: encodeHistogram(firstEventUs),
      reconnectBytesUp: up,
      reconnectBytesDown: down,
      reconnectEventBytes: events,
    };
  }
}

/** Whether `atNs` falls in one of the drops' offline times [droppedNs, onlineNs). */
function offlineAt(drops: readonly DropRecord[], atNs: bigint): boolean {
  for (let i = drops.length - 1; i >= 0; i--) {
    const d = drops[i]!;
    if (atNs >= d.droppedNs) return atNs < d.onlineNs;
  }
  return false;
}
