/**
 * How a push transport (WebSocket, SSE) feeds one client: its backlog paged under backpressure, then
 * every live event, and a client that stops reading dropped before it can grow the server (issue 12).
 *
 * The policy, per client connection:
 * - Catch-up on connect: the events the ring holds after the client's `since` are written from the
 *   ring a page at a time: writes go on until the bytes queued for the client in user space reach
 *   PAGE_BYTES (at least one event a page), and the next page is written once every write of this one
 *   has left user space. Live events that arrive meanwhile raise the page's target and are read from
 *   the ring in turn: one cursor, so no duplicate, gap or reordering. A backlog the ring overwrites
 *   before it is written is skipped, as a late reconnect would find it gone: the client sees the gap.
 * - Live: once caught up, each event is written as it arrives, and the bytes queued for the client
 *   (ws: `bufferedAmount`; SSE: the response's `writableLength` plus its gzip stream's) are checked
 *   after every write. Past `slowConsumerMaxBytes` (servers/contract/server-limits.ts, 4 MiB by
 *   default) the client is dropped: it gets nothing more, so the server holds at most the limit plus
 *   one event's frame for it. The count is per client, though clients' queues share each event's
 *   buffer (ws and the SSE frame cache send the same Buffer to all), so the memory held is at most
 *   that. With gzip the input still waiting for compression counts too: a burst of events larger
 *   than the limit, written in one turn, can drop a client before zlib has caught up.
 * - Dropped: WebSocket closes with 1013 "Try Again Later" (RFC 6455 §7.4 / IANA registry: the server
 *   ends the connection for a condition of its own and the client may retry; 1008 "Policy Violation"
 *   would tell it that what it did is refused, whereas reading late is no protocol fault and the remedy
 *   is exactly a reconnect); SSE ends the stream (the chunked body's last chunk), the signal an
 *   EventSource reconnects on. Both are queued behind what the client has not read yet, so a client
 *   that resumes reading gets every event up to its drop, then the close, and resumes from its last
 *   seq like after any disconnect (`?since=`, `Last-Event-ID`). A client that never reads again is cut
 *   off DROP_GRACE_MS later (ws's own closing timeout is the same 30 s).
 * - Counted: `slowConsumersDropped` in the server's counters (into the result's run totals), and the
 *   highest bytes ever queued for one client as the transport's `clientBufferedPeakBytes` gauge.
 */
import type { Feed, FeedEntry } from './feed.ts';
import type { ServerCounters } from './counters.ts';

/**
 * A page of catch-up: enough to keep a socket busy (loopback's send buffer takes 2.5 MiB at once, so
 * the kernel, not this, paces a reading client), little enough that a backlog of thousands of events
 * is not copied into user space at once. Below the drop limit by construction (see pageBytesFor).
 */
const PAGE_BYTES = 64 * 1024;

/** How long a dropped client that does not read its close or end may keep its connection. */
const DROP_GRACE_MS = 30_000;

/** One client's end of the feed, as its transport writes to it. */
export interface ClientSink {
  /** Queues one event; `flushed`, when given, runs once it has left user space (or the write failed). */
  write(entry: FeedEntry, flushed?: () => void): void;
  /** Bytes queued for this client in the server's user space. */
  buffered(): number;
  /** Ends the connection the transport's way, behind what is already queued (ws: close 1013; SSE: end). */
  end(): void;
  /** Cuts the connection at once. */
  destroy(): void;
  /**
   * Optional: holds this client's writes in user space until uncork, so a catch-up page leaves in one
   * system call instead of one per event (the same bytes). A sink whose writes are already gathered
   * (node:http's chunked response corks its socket until the next tick) has none.
   */
  cork?(): void;
  uncork?(): void;
}

/** One transport's policy: its limit, its counters and its peak gauge, shared by all its clients. */
export class SlowConsumerPolicy {
  private peakBytes = 0;
  private readonly pageBytes: number;

  constructor(
    private readonly maxBytes: number,
    private readonly counters: ServerCounters,
  ) {
    // Paging alone never trips the limit: a page stops at half of it even when the limit is tiny.
    this.pageBytes = Math.min(PAGE_BYTES, Math.floor(maxBytes / 2));
  }

  gauges(): { clientBufferedPeakBytes: number } {
    return { clientBufferedPeakBytes: this.peakBytes };
  }

  /**
   * Feeds `sink` every event after `since` (backlog, then live) until it closes or is dropped. The
   * caller calls the returned stop when the connection closes, whichever side closed it.
   */
  stream(feed: Feed, since: number, sink: ClientSink): () => void {
    // The next seq owed: never one at or below the resume point, even when the feed is behind it (a
    // restarted server's feed replays its publisher's ring while its clients resume from further on).
    let next = since + 1;
    // The newest seq owed from the ring: the ring's newest at connect, then each live event's.
    let target = feed.latestSeq;
    // Page writes that have not left user space yet: the next page waits for them.
    let pending = 0;
    let stopped = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const flushed = () => {
      if (--pending === 0 && next <= target) page();
    };
    const page = () => {
      if (stopped) return;
      let wrote = false;
      sink.cork?.();
      while (next <= target && (!wrote || sink.buffered() < this.pageBytes)) {
        next = Math.max(next, feed.ring.oldestSeq);
        const entry = feed.ring.at(next);
        if (!entry) break;
        next++;
        pending++;
        wrote = true;
        sink.write(entry, flushed);
      }
      // Observed once handed to the kernel, as without cork: what stays queued is what it did not take.
      sink.uncork?.();
      this.observe(sink.buffered());
    };
    const drop = () => {
      stopped = true;
      unsubscribe();
      this.counters.slowConsumersDropped++;
      sink.end();
      graceTimer = setTimeout(() => sink.destroy(), DROP_GRACE_MS).unref();
    };
    const unsubscribe = feed.subscribe((entry) => {
      const seq = entry.event.seq;
      if (stopped || seq < next) return; // already written from the ring
      target = Math.max(target, seq);
      if (seq === next) {
        // Caught up: written as it arrives; the limit is checked on every such write.
        next++;
        sink.write(entry);
        const queued = sink.buffered();
        this.observe(queued);
        if (queued > this.maxBytes) drop();
      } else if (pending === 0) page();
    });
    page();
    return () => {
      stopped = true;
      unsubscribe();
      clearTimeout(graceTimer);
    };
  }

  private observe(queued: number): void {
    if (queued > this.peakBytes) this.peakBytes = queued;
  }
}
