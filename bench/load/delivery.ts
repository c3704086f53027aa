/**
 * The delivery check of one measurement window. An event is in the window when its scheduled time
 * is in [startNs, endNs); every client should receive each such event exactly once and in order.
 * Latency = receive hrtime - emittedAtNs (both CLOCK_MONOTONIC, see servers/contract/clock.ts), recorded in µs for
 * the first receipt only. Short polling legitimately hands over several events in one answer: that
 * is not loss, and each event gets its own latency.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { FeedEvent } from '../../servers/contract/protocol.ts';
import { newLatencyHistogram } from './histogram.ts';

export interface DeliveryCounts {
  /** Events that every client should have received (window seqs × clients). */
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Receive time before the scheduled time: impossible on one monotonic clock, so counted loudly. */
  clockAnomalies: number;
}

class ClientWindow {
  seen: Uint8Array;
  maxSeen = 0;
  constructor(size: number) {
    this.seen = new Uint8Array(size);
  }
  ensure(index: number): void {
    if (index < this.seen.length) return;
    const grown = new Uint8Array(Math.max(index + 1, this.seen.length * 2));
    grown.set(this.seen);
    this.seen = grown;
  }
}

export class DeliveryWindow {
  readonly latencyUs: Histogram = newLatencyHistogram();
  private readonly clients: ClientWindow[];
  private endNs: bigint | undefined;
  private duplicated = 0;
  private outOfOrder = 0;
  private clockAnomalies = 0;
  private readonly excluded = new Set<number>();

  /**
   * @param firstSeq first seq scheduled at or after startNs
   * @param sizeHint expected number of window seqs (the bitmaps grow if it is too small)
   */
  constructor(
    readonly startNs: bigint,
    readonly firstSeq: number,
    clientCount: number,
    sizeHint: number,
  ) {
    this.clients = Array.from({ length: clientCount }, () => new ClientWindow(Math.max(16, sizeHint)));
  }

  /** Leaves clients out of the window (they never connected and were closed): nothing is expected of them. */
  exclude(indices: readonly number[]): void {
    for (const i of indices) this.excluded.add(i);
  }

  /** Closes the window: events scheduled from now on are outside it. */
  close(endNs: bigint): void {
    this.endNs = endNs;
  }

  /** Records one client's batch; events outside the window are ignored. */
  record(client: number, events: readonly FeedEvent[], receivedNs: bigint): void {
    const w = this.clients[client]!;
    for (const event of events) {
      if (event.emittedAtNs < this.startNs || (this.endNs !== undefined && event.emittedAtNs >= this.endNs)) continue;
      const index = event.seq - this.firstSeq;
      if (index < 0) continue;
      w.ensure(index);
      if (w.seen[index]) {
        this.duplicated++;
        continue;
      }
      w.seen[index] = 1;
      if (event.seq < w.maxSeen) this.outOfOrder++;
      else w.maxSeen = event.seq;
      const latencyNs = receivedNs - event.emittedAtNs;
      if (latencyNs < 0n) {
        this.clockAnomalies++;
        continue;
      }
      this.latencyUs.recordValue(Math.max(1, Math.round(Number(latencyNs) / 1000)));
    }
  }

  /** Counts against the window's seqs [firstSeq, lastSeq]. */
  counts(lastSeq: number): DeliveryCounts {
    const windowSeqs = Math.max(0, lastSeq - this.firstSeq + 1);
    let delivered = 0;
    for (const [i, w] of this.clients.entries()) {
      if (this.excluded.has(i)) continue;
      const upTo = Math.min(windowSeqs, w.seen.length);
      for (let i = 0; i < upTo; i++) delivered += w.seen[i]!;
    }
    const expected = windowSeqs * (this.clients.length - this.excluded.size);
    return {
      expected,
      delivered,
      lost: expected - delivered,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      clockAnomalies: this.clockAnomalies,
    };
  }
}
