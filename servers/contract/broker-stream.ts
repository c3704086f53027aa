/**
 * Contract (servers/contract/). Imported by the publisher's Redis sink (bench/publisher/redis-sink.ts),
 * the server's Redis reader (servers/redis-upstream.ts), the configs that name a stream
 * (server-config.ts, publisher-ipc.ts) and the orchestrator, which picks each feed's key.
 *
 * The feed as a Redis Stream (`--broker redis`), the broker's counterpart of feed-wire.ts:
 *
 *   key       one per feed: a fresh feed restarts seq at 1, and Redis refuses an entry id at or below
 *             a stream's last, so a feed never reuses an older feed's stream (streamKey).
 *   entry id  `<seq>-0`: the stream's ids are the feed's seqs, so a resume from seq n reads the entries
 *             after id `n-0` and a reader's position is the newest seq it holds.
 *   fields    one, EVENT_FIELD, holding exactly encodeEvent()'s JSON: the server keeps it as the
 *             entry's `json`, so no event is encoded twice and clients get the same bytes as from the
 *             memory broker.
 *   length    trimmed on every append to the feed's ring capacity (XADD MAXLEN =, exact): the stream
 *             holds what the publisher's own ring would, so a resume means the same on both brokers.
 */
import { z } from 'zod';

export const EVENT_FIELD = 'e';

/** What a publisher appends to and a server reads from. */
export const redisStreamSchema = z.object({
  /** redis://host:port (no credentials: the harness's own loopback redis-server has none). */
  url: z.string().min(1),
  key: z.string().min(1),
});
export type RedisStream = z.infer<typeof redisStreamSchema>;

/** The stream of one feed: the orchestrator's pid and its feed number keep every feed's key fresh. */
export function streamKey(orchestratorPid: number, feedId: number): string {
  return `pollbench:feed:${orchestratorPid}:${feedId}`;
}

/** The entry id of event `seq`. */
export function entryId(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`an event seq is a positive integer, got ${seq}`);
  return `${seq}-0`;
}

/** The seq an entry id stands for, or null for an id this contract never writes. */
export function seqOfEntryId(id: string): number | null {
  const match = /^([1-9][0-9]{0,15})-0$/.exec(id);
  if (!match) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) ? seq : null;
}
