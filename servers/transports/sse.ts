/**
 * Server-Sent Events: `GET /stream` as text/event-stream; each event is written as
 * `id: <seq>` + `data: <event JSON>` (or the binary record in base64), one write per event (as
 * WebSocket sends one frame per event); with compression, through a gzip stream flushed per event.
 * Resume: the `Last-Event-ID` header (what EventSource sends on reconnect), or `?since=` for a first
 * connection that already holds some events.
 */
import type { ServerResponse } from 'node:http';
import { STREAM_PATH, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import { sseFrameCache } from '../event-body.ts';
import { openEventStream } from '../http-compression.ts';
import type { Attach } from './types.ts';
import { keepAlive, sseComment } from '../keep-alive.ts';

export const attachSse: Attach = (host, feed, options) => {
  const streams = new Set<ServerResponse>();
  const frame = sseFrameCache(options.encoding);
  const commentMs = options.keepAlive?.sseCommentMs;

  host.get(STREAM_PATH, (req, res) => {
    const header = req.headers['last-event-id'];
    const since = parseSince(typeof header === 'string' ? header : queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    const write = openEventStream(req, res, options.compression);
    for (const entry of feed.ring.since(since.value)) write(frame(entry));
    const unsubscribe = feed.subscribe((entry) => write(frame(entry)));
    streams.add(res);
    keepAlive(res, commentMs, host.counters, () => sseComment(res, write));
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
