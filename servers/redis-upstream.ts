/**
 * The server's connection to its feed behind `--broker redis` (servers/contract/broker-stream.ts), in
 * the role servers/upstream.ts plays for the publisher's TCP feed: at start it reads what the stream
 * holds (XRANGE, in pages, at most the trimmed length) into the Feed, then reads each new entry with
 * a blocking XREAD from the newest seq it holds, on its own connection, in a loop. When the
 * connection drops, ioredis reconnects with a bounded back-off and the next read resumes from the
 * newest seq held, so the server misses nothing the stream still holds; events trimmed meanwhile are
 * a gap (Feed.append counts it, clients see it as loss). Each server process opens its own connection,
 * so any number of processes can read one stream.
 *
 * Arrival lag is recorded exactly as upstream.ts does: when an event is handed to the transports minus
 * its scheduled time (publisher lateness, the hop through Redis, and any wait behind a busy loop).
 */
import { Redis } from 'ioredis';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent, type FeedEvent } from './contract/protocol.ts';
import { EVENT_FIELD, seqOfEntryId } from './contract/broker-stream.ts';
import { LagRecorder } from './contract/lag.ts';
import { nowNs } from './contract/clock.ts';
import type { UpstreamStats } from './contract/server-ipc.ts';
import type { Feed } from './feed.ts';

/** Entries per read: a burst is handed over in pages, each after the loop has run other work. */
const PAGE = 500;
/** A blocking read returns empty after this long, so a closed upstream's loop notices within it. */
const BLOCK_MS = 1000;
/** How long the server hands stream entries to its transports before it yields (as upstream.ts). */
const YIELD_AFTER_NS = 20_000_000n;

export interface RedisUpstreamOptions {
  url: string;
  key: string;
  feed: Feed;
  /** Reconnect back-off: doubles from min to max after each failed attempt, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A stream entry as ioredis returns it: [id, [field, value, ...]]. */
type StreamEntry = [id: string, fields: string[]];

/** The position to read after: the newest seq the feed holds (0-0 before any). */
const afterSeq = (seq: number) => `${seq}-0`;

export class RedisUpstream {
  private readonly redis: Redis;
  private closed = false;
  private connects = 0;
  private protocolErrors = 0;
  private lastError: string | null = null;
  private readonly arrivalLag = new LagRecorder();
  private readonly url: URL;
  private readonly minBackoffMs: number;

  constructor(private readonly options: RedisUpstreamOptions) {
    this.url = new URL(options.url);
    const min = (this.minBackoffMs = options.minBackoffMs ?? 20);
    const max = options.maxBackoffMs ?? 1000;
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // Named, so CLIENT LIST tells the servers' connections from the publisher's (and a test can drop one).
      connectionName: `pollbench-server:${options.key}`,
      // A read issued while disconnected waits for the reconnection instead of failing.
      maxRetriesPerRequest: null,
      // A read in flight when the connection drops is sent again on the new connection (ioredis'
      // default; turned off, its promise would never settle). Its position is still the newest seq
      // held: only this loop appends to the feed, and it is waiting on that read.
      autoResendUnfulfilledCommands: true,
      retryStrategy: (times) => Math.min(max, min * 2 ** Math.min(16, times - 1)),
    });
    this.redis.on('ready', () => this.connects++);
    this.redis.on('error', (err: Error) => (this.lastError = err.message));
  }

  /** Connects and reads the stream's backlog into the feed; rejects after `timeoutMs` without it. */
  async start(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`no redis stream at ${this.url.host} within ${timeoutMs} ms (${this.lastError ?? 'no answer'})`),
          ),
        timeoutMs,
      );
    });
    // The first attempt's failure is retried by ioredis; the backlog read below waits for it.
    this.redis.connect().catch(() => {});
    try {
      await Promise.race([this.readBacklog(), timeout]);
    } catch (err) {
      this.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    void this.follow();
  }

  /** Everything the stream holds after the newest seq held, oldest first, a page at a time. */
  private async readBacklog(): Promise<void> {
    const { key, feed } = this.options;
    for (;;) {
      const entries = (await this.redis.xrange(
        key,
        `(${afterSeq(feed.latestSeq)}`,
        '+',
        'COUNT',
        PAGE,
      )) as StreamEntry[];
      await this.handOver(entries);
      if (entries.length < PAGE || this.closed) return;
    }
  }

  /** Blocking reads from the newest seq held, until closed. */
  private async follow(): Promise<void> {
    const { key, feed } = this.options;
    while (!this.closed) {
      try {
        const reply = await this.redis.xread(
          'COUNT',
          PAGE,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          key,
          afterSeq(feed.latestSeq),
        );
        if (reply) for (const [, entries] of reply) await this.handOver(entries as StreamEntry[]);
      } catch (err) {
        if (this.closed) return;
        this.lastError = (err as Error).message;
        // The connection is being re-established (ioredis); the next read waits for it in its queue.
        await sleep(this.minBackoffMs);
      }
    }
  }

  /** Hands entries to the feed, yielding to other work every YIELD_AFTER_NS (upstream.ts says why). */
  private async handOver(entries: readonly StreamEntry[]): Promise<void> {
    let deadline = nowNs() + YIELD_AFTER_NS;
    for (const [id, fields] of entries) {
      if (this.closed) return;
      let now = nowNs();
      if (now >= deadline) {
        await yieldToLoop();
        now = nowNs();
        deadline = now + YIELD_AFTER_NS;
      }
      const parsed = this.parse(id, fields);
      if (!parsed) continue;
      // Lag is taken as the event reaches the transports: a wait for the loop is part of it.
      if (this.options.feed.append(parsed)) this.arrivalLag.record(Number(now - parsed.event.emittedAtNs));
    }
  }

  /** The entry as a feed entry, or null (counted) when it breaks the contract: the feed then sees a gap. */
  private parse(id: string, fields: readonly string[]): { event: FeedEvent; json: string } | null {
    const seq = seqOfEntryId(id);
    const json = fields[0] === EVENT_FIELD ? fields[1] : undefined;
    let event: FeedEvent | undefined;
    try {
      if (json !== undefined) event = decodeEvent(json);
    } catch {
      event = undefined;
    }
    if (seq === null || json === undefined || event?.seq !== seq) {
      this.protocolErrors++;
      this.lastError = `stream entry ${id} is no event of this feed`;
      return null;
    }
    return { event, json };
  }

  /** A new measurement window: arrival lag counts from here. */
  resetWindow(): void {
    this.arrivalLag.reset();
  }

  stats(): UpstreamStats {
    return {
      host: this.url.hostname,
      port: Number(this.url.port || 6379),
      connected: this.redis.status === 'ready',
      connects: this.connects,
      protocolErrors: this.protocolErrors,
      lastError: this.lastError,
      // With its histogram: a server group's primary merges its workers' lags exactly (cluster-stats.ts).
      arrivalLag: this.arrivalLag.mergeableSummary(),
      stream: this.options.key,
    };
  }

  close(): void {
    this.closed = true;
    this.redis.disconnect();
  }
}
