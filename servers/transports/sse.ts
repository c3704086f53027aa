/**
 * Server-Sent Events: `GET /stream` as text/event-stream; each event is written as
 * `id: <seq>` + `data: <event JSON>`, one write per event (as WebSocket sends one frame per event).
 * Resume: the `Last-Event-ID` header (what EventSource sends on reconnect), or `?since=` for a first
 * connection that already holds some events.
 */
import type { ServerResponse } from 'node:http';
import { STREAM_PATH, parseSince } from '../protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import type { FeedEntry } from '../feed.ts';
import type { Attach } from './types.ts';

const frame = (entry: FeedEntry) => `id: ${entry.event.seq}\ndata: ${entry.json}\n\n`;

export const attachSse: Attach = (host, feed) => {
  const streams = new Set<ServerResponse>();

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
