/**
 * Catch-up paging for the polling transports: a poll far behind the feed (`since=0` on a full ring
 * was one 3.1 MB answer to a 60-byte request) gets the oldest `max` events it has not seen and the
 * header that asks it to come back at once (servers/contract/catch-up.ts).
 */
import type { ServerResponse } from 'node:http';
import { MORE_EVENTS_HEADER } from './contract/catch-up.ts';
import type { ServerCounters } from './counters.ts';
import type { FeedEntry, Feed } from './feed.ts';

/** The events a poll answers with; `more` when newer ones were left for the next page. */
export function pollPage(feed: Feed, since: number, max: number): { entries: FeedEntry[]; more: boolean } {
  const entries = feed.ring.since(since, max);
  const more = entries.length > 0 && entries[entries.length - 1]!.event.seq < feed.latestSeq;
  return { entries, more };
}

/** Marks a capped answer (before its head is written) and counts it. */
export function markCapped(res: ServerResponse, counters: ServerCounters): void {
  res.setHeader(MORE_EVENTS_HEADER, '1');
  counters.catchUpCapped++;
}
