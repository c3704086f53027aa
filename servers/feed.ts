/**
 * The one live feed every transport serves: a bounded ring buffer of events plus a publisher that
 * emits them on a schedule driven by process.hrtime rather than setInterval (which drifts and cannot
 * go much past 1 kHz: a 1 ms timer fires after ~1.1 ms). Each event is stamped with its *scheduled*
 * time, so a publisher that falls behind shows up as delivery latency instead of hiding.
 */
import { build as buildHistogram } from 'hdr-histogram-js';
import { encodeEvent, makePayload, type FeedEvent } from './protocol.ts';
import { makeSchedule, type Schedule, type ScheduleShape } from './schedule.ts';

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

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array<FeedEntry | undefined>(capacity);
  }

  /** Lowest seq still held (latestSeq + 1 when empty). */
  get oldestSeq(): number {
    return Math.max(1, this.latestSeq - this.capacity + 1);
  }

  push(entry: FeedEntry): void {
    if (entry.event.seq !== this.latestSeq + 1) throw new Error(`feed seqs must be contiguous: got ${entry.event.seq} after ${this.latestSeq}`);
    this.slots[(entry.event.seq - 1) % this.capacity] = entry;
    this.latestSeq = entry.event.seq;
  }

  /** Every held entry with seq > `since`, oldest first. Entries already overwritten are gone: the client sees a gap. */
  since(since: number): FeedEntry[] {
    const out: FeedEntry[] = [];
    for (let seq = Math.max(since + 1, this.oldestSeq); seq <= this.latestSeq; seq++) {
      out.push(this.slots[(seq - 1) % this.capacity]!);
    }
    return out;
  }
}

export type FeedListener = (entry: FeedEntry) => void;

export interface FeedOptions {
  shape: ScheduleShape;
  payloadBytes: number;
  ringCapacity: number;
  /** Clock, injectable for tests. Must be CLOCK_MONOTONIC-based like process.hrtime.bigint. */
  now?: () => bigint;
  /** Injected regression (CI gate tests only): hand each event to subscribers this much later. */
  pushDelayMs?: number;
}

/**
 * Node timers have 1 ms granularity and fire late, and on a VM a timer that wakes an idle vCPU fires
 * later still (1-5 ms seen here), which would add fake latency to every event of a quiet feed. So the
 * publisher sleeps on a timer until `lead` before an event is due, then yields with setImmediate (I/O
 * keeps flowing) until the hrtime due moment. The lead adapts to how late the timer has been waking
 * (+0.5 ms margin): it rises at once after a late wake and decays slowly, within these bounds. The
 * spinning this costs is about the margin per publish, the same for every transport.
 */
const MIN_LEAD_NS = 1_500_000;
const MAX_LEAD_NS = 6_000_000;
const LEAD_MARGIN_NS = 500_000;
/** Longest a catch-up of overdue events may hold the server's event loop before it yields. */
const CATCH_UP_BUDGET_NS = 20_000_000n;

/** How late the publisher ran behind its schedule (a busy server's timer can run tens of ms late). */
export interface PublisherLateness {
  events: number;
  meanUs: number;
  p99Us: number;
  maxUs: number;
}

export class Feed {
  readonly ring: RingBuffer;
  readonly schedule: Schedule;
  /** Schedule start on process.hrtime; undefined until start(). */
  startNs: bigint | undefined;
  private readonly listeners = new Set<FeedListener>();
  private readonly payload: string;
  private readonly now: () => bigint;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** When the pending timer was meant to fire, to learn how late timers wake. */
  private timerTargetNs: bigint | undefined;
  private wakeLateNs = 0;
  private leadNs = MIN_LEAD_NS;
  private readonly lateness = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

  private readonly pushDelayMs: number;
  /**
   * With a push delay only: the newest seq in the ring when each listener subscribed. A stream that
   * opens while pushes are held back reads those events from the ring (its backlog), so the held-back
   * push must skip it, as an immediate push would never reach a listener subscribed after it.
   */
  private readonly subscribedAtSeq = new Map<FeedListener, number>();

  constructor(options: FeedOptions) {
    this.ring = new RingBuffer(options.ringCapacity);
    this.schedule = makeSchedule(options.shape);
    this.payload = makePayload(options.payloadBytes);
    this.now = options.now ?? process.hrtime.bigint;
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

  /** Appends the next event, stamped with `emittedAtNs`, and hands it to every subscriber. */
  publish(emittedAtNs: bigint): FeedEntry {
    const event: FeedEvent = { seq: this.ring.latestSeq + 1, emittedAtNs, payload: this.payload };
    const entry = { event, json: encodeEvent(event) };
    this.ring.push(entry);
    if (this.pushDelayMs > 0) setTimeout(() => this.notifyDelayed(entry), this.pushDelayMs);
    else this.notify(entry);
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

  /** Starts publishing on the schedule. Every event that is due when the timer wakes is emitted. */
  start(): void {
    if (this.startNs !== undefined) throw new Error('feed already started');
    this.startNs = this.now();
    this.tick();
  }

  /** Emits all due events; returns how many. Exposed so tests can drive it with a fake clock. */
  emitDue(): number {
    const startNs = this.startNs;
    if (startNs === undefined) return 0;
    const now = this.now();
    const due = this.schedule.dueCount(Number(now - startNs));
    let emitted = 0;
    // A server past its ceiling (one fan-out costs more than the event period) must still turn its
    // event loop: publishing the whole backlog in one go made each catch-up longer than the last, and
    // the server stopped accepting connections and answering stats (the connect stall of issue 8).
    // So a catch-up yields after CATCH_UP_BUDGET_NS; the rest goes out on the next tick, still
    // stamped with its scheduled time and counted as lateness.
    const budgetEndNs = now + CATCH_UP_BUDGET_NS;
    while (this.ring.latestSeq < due && (emitted === 0 || this.now() < budgetEndNs)) {
      const scheduledNs = startNs + BigInt(this.schedule.offsetNs(this.ring.latestSeq + 1));
      this.lateness.recordValue(Math.max(1, Number(now - scheduledNs) / 1000));
      this.publish(scheduledNs);
      emitted++;
    }
    return emitted;
  }

  private tick = (): void => {
    if (this.timerTargetNs !== undefined) {
      // Woken by the timer: learn how late it was (fast rise, slow decay).
      const late = Math.max(0, Number(this.now() - this.timerTargetNs));
      this.wakeLateNs = late > this.wakeLateNs ? late : this.wakeLateNs * 0.9 + late * 0.1;
      // Whole ns: it becomes a BigInt below.
      this.leadNs = Math.round(Math.min(MAX_LEAD_NS, Math.max(MIN_LEAD_NS, this.wakeLateNs + LEAD_MARGIN_NS)));
      this.timerTargetNs = undefined;
    }
    this.timer = undefined;
    this.immediate = undefined;
    this.emitDue();
    const nextNs = this.startNs! + BigInt(this.schedule.offsetNs(this.ring.latestSeq + 1));
    const remainingNs = Number(nextNs - this.now());
    if (remainingNs > this.leadNs) {
      this.timerTargetNs = nextNs - BigInt(this.leadNs);
      this.timer = setTimeout(this.tick, (remainingNs - this.leadNs) / 1e6);
    } else {
      this.immediate = setImmediate(this.tick);
    }
  };

  stop(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  /** Starts a new lateness record (at the start of a measurement window). */
  resetLateness(): void {
    this.lateness.reset();
  }

  publisherLateness(): PublisherLateness {
    const h = this.lateness;
    return { events: h.totalCount, meanUs: h.totalCount ? h.mean : 0, p99Us: h.getValueAtPercentile(99), maxUs: h.maxValue };
  }
}
