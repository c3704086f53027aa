/**
 * Server-Sent Events: `GET /stream` as text/event-stream; each event is written as
 * `id: <seq>` + `data: <event JSON>` (or the binary record in base64), one write per event (as
 * WebSocket sends one frame per event); with compression, through a gzip stream flushed per event.
 * Resume: the `Last-Event-ID` header (what EventSource sends on reconnect), or `?since=` for a first
 * connection that already holds some events. The backlog is paged and a client that stops reading is
 * dropped (its stream ended) past the server's slowConsumerMaxBytes: servers/slow-consumer.ts.
 */
import type { ServerResponse } from 'node:http';
import { STREAM_PATH, parseSince } from '../contract/protocol.ts';
import { queryOf, sendError } from '../http-host.ts';
import { sseFrameCache } from '../event-body.ts';
import { openEventStream } from '../http-compression.ts';
import type { Attach } from './types.ts';
import { SlowConsumerPolicy } from '../slow-consumer.ts';
import { keepAlive, sseComment } from '../keep-alive.ts';

export const attachSse: Attach = (host, feed, options) => {
  const streams = new Set<ServerResponse>();
  const frame = sseFrameCache(options.encoding);
  const policy = new SlowConsumerPolicy(options.limits.slowConsumerMaxBytes, host.counters);
  const commentMs = options.keepAlive?.sseCommentMs;

  host.get(STREAM_PATH, (req, res) => {
    const header = req.headers['last-event-id'];
    const since = parseSince(typeof header === 'string' ? header : queryOf(req).get('since'));
    if (!since.ok) return sendError(res, 400, 'bad_request', since.message);
    const stream = openEventStream(req, res, options.compression);
    const stop = policy.stream(feed, since.value, {
      write: (entry, flushed) => stream.write(frame(entry), flushed),
      buffered: stream.buffered,
      end: stream.end,
      destroy: () => res.destroy(),
    });
    streams.add(res);
    keepAlive(res, commentMs, host.counters, () => sseComment(res, (comment) => stream.write(comment)));
    res.once('close', () => {
      stop();
      streams.delete(res);
    });
  });

  return {
    gauges: () => ({ openStreams: streams.size, ...policy.gauges() }),
    close() {
      for (const res of streams) res.destroy();
    },
  };
};
