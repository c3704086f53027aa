/**
 * The one live feed every transport serves: a bounded ring buffer of events and the subscribers
 * that get each new one. The events come from outside the server process (servers/upstream.ts reads
 * them from a publisher, as a real server reads a broker), so the publish schedule and its clock
 * keeping are never billed to the server. Each event carries its *scheduled* time, so a publisher
 * that falls behind shows up as delivery latency instead of hiding.
 */
import { encodeEvent, type FeedEvent } from './contract/protocol.ts';
import { RingBuffer, type FeedEntry } from './contract/ring.ts';

export { RingBuffer, type FeedEntry } from './contract/ring.ts';

export type FeedListener = (entry: FeedEntry) => void;

export interface FeedOptions {
  ringCapacity: number;
  /** Injected regression (CI gate tests only): hand each event to subscribers this much later. */
  pushDelayMs?: number;
}

export class Feed {
  readonly ring: RingBuffer;
  /** Events that arrived with a seq the feed already held (ignored), and seqs never received (a gap). */
  duplicateEvents = 0;
  gapEvents = 0;
  private readonly listeners = new Set<FeedListener>();
  private readonly pushDelayMs: number;
  /**
   * With a push delay only: the newest seq in the ring when each listener subscribed. A stream that
   * opens while pushes are held back reads those events from the ring (its backlog), so the held-back
   * push must skip it, as an immediate push would never reach a listener subscribed after it.
   */
  private readonly subscribedAtSeq = new Map<FeedListener, number>();

  constructor(options: FeedOptions) {
    this.ring = new RingBuffer(options.ringCapacity);
    this.pushDelayMs = options.pushDelayMs ?? 0;
  }

  get latestSeq(): number {
    return this.ring.latestSeq;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    if (this.pushDelayMs > 0) this.subscribedAtSeq.set(listener, this.ring.latestSeq);
    return () => {
      this.listeners.delete(listener);
      this.subscribedAtSeq.delete(listener);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /**
   * Appends an entry that arrived from upstream and hands it to every subscriber. A seq the feed
   * already holds is ignored (false); a seq past the next one skips the missing ones, which
   * clients then see as loss. `entry.json` must be encodeEvent(entry.event), as the wire guarantees.
   */
  append(entry: FeedEntry): boolean {
    const seq = entry.event.seq;
    if (seq <= this.ring.latestSeq) {
      this.duplicateEvents++;
      return false;
    }
    if (seq > this.ring.latestSeq + 1) {
      this.gapEvents += seq - this.ring.latestSeq - 1;
      this.ring.skipTo(seq);
    }
    this.ring.push(entry);
    if (this.pushDelayMs > 0) setTimeout(() => this.notifyDelayed(entry), this.pushDelayMs);
    else this.notify(entry);
    return true;
  }

  /**
   * The in-process source, for tests that drive a feed by hand (a server process always reads its
   * events from upstream): appends the next event, stamped `emittedAtNs`, and hands it out.
   */
  publish(emittedAtNs: bigint, payload: string): FeedEntry {
    const event: FeedEvent = { seq: this.ring.latestSeq + 1, emittedAtNs, payload };
    const entry = { event, json: encodeEvent(event) };
    this.append(entry);
    return entry;
  }

  /** A held-back push reaches only the listeners that subscribed before the event was published. */
  private notifyDelayed(entry: FeedEntry): void {
    for (const listener of this.listeners) {
      if ((this.subscribedAtSeq.get(listener) ?? 0) < entry.event.seq) listener(entry);
    }
  }

  private notify(entry: FeedEntry): void {
    for (const listener of this.listeners) listener(entry);
  }
}
