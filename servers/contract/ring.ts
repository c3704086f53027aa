/**
 * Contract (servers/contract/). Imported by the server's feed (servers/feed.ts) and the publisher's
 * upstream listener (bench/publisher/upstream-server.ts): both ends hold events in this ring, so a
 * resume from `since` means the same at either end.
 *
 * The bounded ring of the newest feed events, held by the server (what transports serve and resume
 * from) and by the upstream publisher (what a reconnecting server resumes from). Pure data structure.
 */
import type { FeedEvent } from './protocol.ts';

/** An event together with its wire encoding, made once so no transport pays for JSON twice. */
export interface FeedEntry {
  event: FeedEvent;
  json: string;
}

/** Fixed-capacity buffer of the newest events; seqs are contiguous so a seq maps to a slot. */
export class RingBuffer {
  readonly capacity: number;
  private readonly slots: (FeedEntry | undefined)[];
  /** Highest seq stored (0 = empty). */
  latestSeq = 0;
  /** Lowest seq ever pushed after the last skip (seqs below it were never held). */
  private floorSeq = 1;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<FeedEntry | undefined>(capacity);
  }

  /** Lowest seq still held (latestSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(this.floorSeq, this.latestSeq - this.capacity + 1);
  }

  push(entry: FeedEntry): void {
    if (entry.event.seq !== this.latestSeq + 1)
      throw new Error(`feed seqs must be contiguous: got ${entry.event.seq} after ${this.latestSeq}`);
    this.slots[(entry.event.seq - 1) % this.capacity] = entry;
    this.latestSeq = entry.event.seq;
  }

  /**
   * Makes `nextSeq` the next seq to push, past a gap (events that were never received: an upstream
   * that no longer held them). Seqs before it are no longer served; clients see the gap as loss.
   */
  skipTo(nextSeq: number): void {
    if (!Number.isSafeInteger(nextSeq) || nextSeq <= this.latestSeq + 1)
      throw new Error(`can only skip forward: ${nextSeq} after ${this.latestSeq}`);
    this.latestSeq = nextSeq - 1;
    this.floorSeq = nextSeq;
    this.slots.fill(undefined);
  }

  /** The entry with this seq, or undefined when the ring does not hold it (not yet pushed, or overwritten). */
  at(seq: number): FeedEntry | undefined {
    if (seq < this.oldestSeq || seq > this.latestSeq) return undefined;
    return this.slots[(seq - 1) % this.capacity];
  }

  /**
   * Held entries with seq > `since`, oldest first, at most `max` of them (a page: the newest are left
   * for the next ask). Entries already overwritten are gone: the client sees a gap.
   */
  since(since: number, max = Infinity): FeedEntry[] {
    const out: FeedEntry[] = [];
    const first = Math.max(since + 1, this.oldestSeq);
    const last = Math.min(this.latestSeq, first + max - 1);
    for (let seq = first; seq <= last; seq++) {
      out.push(this.slots[(seq - 1) % this.capacity]!);
    }
    return out;
  }
}
