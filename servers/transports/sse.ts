/**
 * Server-Sent Events: `GET /stream` as text/event-stream; each event is written as
 * `id: <seq>` + `data: <event JSON>`, one write per event (as WebSocket sends one frame per event).
 * Resume: the `Last-Event-ID` header (what EventSource sends on reconnect), or `?since=` for a first
 * connection that already holds some events.
 */
import type { ServerResponse } from 'node:http';
import { STREAM_PATH, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import type { FeedEntry } from '../feed.ts';
import type { Attach } from './types.ts';

/**
 * The frame of an entry, as bytes. Every subscriber gets the same entry in a row, so a one-slot cache
 * builds (and UTF-8-encodes) each frame once per event rather than once per client.
 */
function frameCache(): (entry: FeedEntry) => Buffer {
  let last: FeedEntry | undefined;
  let bytes = Buffer.alloc(0);
  return (entry) => {
    if (entry !== last) {
      last = entry;
      bytes = Buffer.from(`id: ${entry.event.seq}\ndata: ${entry.json}\n\n`);
    }
    return bytes;
  };
}

export const attachSse: Attach = (host, feed) => {
  const streams = new Set<ServerResponse>();
  const frame = frameCache();

  host.get(STREAM_PATH, (req, res) => {
    const header = req.headers['last-event-id'];
    const since = parseSince(typeof header === 'string' ? header : queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    for (const entry of feed.ring.since(since.value)) res.write(frame(entry));
    const unsubscribe = feed.subscribe((entry) => res.write(frame(entry)));
    streams.add(res);
    res.once('close', () => {
      unsubscribe();
      streams.delete(res);
    });
  });

  return {
    gauges: () => ({ openStreams: streams.size }),
    close() {
      for (const res of streams) res.destroy();
    },
  };
};
