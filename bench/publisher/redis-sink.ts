/**
 * The publisher's end of `--broker redis` (servers/contract/broker-stream.ts): every published event
 * is appended to the feed's stream with its seq as the entry id and encodeEvent()'s JSON as its one
 * field, trimmed to the ring capacity. A burst (every event due at one wake) goes out as one pipeline:
 * one write, one round of replies. The publisher runs outside the server, so none of this is billed
 * to it; the server's part of the broker (reading the stream) is its own (servers/redis-upstream.ts).
 */
import { Redis } from 'ioredis';
import { EVENT_FIELD, entryId, type RedisStream } from '../../servers/contract/broker-stream.ts';
import type { FeedEntry } from '../../servers/contract/ring.ts';

export class RedisSink {
  private readonly redis: Redis;
  /** Appends Redis refused or that were lost with the connection (the servers then see a gap). */
  failedAppends = 0;
  lastError: string | null = null;
  private reported = false;

  constructor(
    private readonly stream: RedisStream,
    private readonly ringCapacity: number,
  ) {
    // Reconnects on its own (ioredis' retry strategy) and queues appends meanwhile, in order.
    this.redis = new Redis(stream.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.redis.on('error', (err: Error) => (this.lastError = err.message));
  }

  /** Connects and empties the key (a key is fresh per feed; a leftover of an earlier plan must not hold lower ids). */
  async open(): Promise<void> {
    await this.redis.connect();
    await this.redis.del(this.stream.key);
  }

  /** Appends the entries (contiguous seqs, oldest first) in one pipeline. */
  publish(entries: readonly FeedEntry[]): void {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { event, json } of entries)
      pipeline.xadd(this.stream.key, 'MAXLEN', '=', this.ringCapacity, entryId(event.seq), EVENT_FIELD, json);
    pipeline.exec().then(
      (replies) => {
        for (const [err] of replies ?? []) if (err) this.fail(err);
      },
      (err: Error) => this.fail(err, entries.length),
    );
  }

  private fail(err: Error, count = 1): void {
    this.failedAppends += count;
    // The first failure is said at once (the servers will see a gap); the count goes with the feed's end.
    if (!this.reported) process.stderr.write(`pollbench publisher: redis append failed: ${err.message}\n`);
    this.reported = true;
    this.lastError = err.message;
  }

  /** Deletes the stream (nothing reads a finished feed; its memory goes back to Redis) and disconnects. */
  async close(): Promise<void> {
    try {
      await this.redis.unlink(this.stream.key);
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
