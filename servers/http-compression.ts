/**
 * HTTP compression for the polling and SSE transports (wire-options.ts compression): gzip, when the
 * job turns compression on and the request's Accept-Encoding allows gzip.
 *
 * Why gzip and not brotli: gzip is deflate, the algorithm of WebSocket's permessage-deflate, so the
 * transports differ by framing and context, not by codec; it is what compression middleware and
 * nginx apply to dynamic answers by default; brotli's default quality (11) is far too slow to run per
 * answer, and at the lower qualities servers use on the fly it gains little on small events.
 * zlib's default level (6) and window (32 KiB), as express's compression middleware uses.
 *
 * A poll answer is one gzip member (its own 18-byte envelope), compressed once per body: waiters of
 * a long-poll flush that share a body share its compression. An SSE stream is one gzip stream for the
 * connection, flushed after each event so the event is usable when it arrives: `on` with
 * Z_SYNC_FLUSH (the dictionary carries over: later events refer back to earlier ones), `on-no-takeover`
 * with Z_FULL_FLUSH (dictionary reset: every event compressed alone, as permessage-deflate without
 * context takeover). zlib runs on libuv's thread pool; process.cpuUsage() counts those threads, so the
 * server CPU figures include it.
 *
 * Memory: an SSE gzip stream holds a zlib deflate state for the connection's life, about 256 KiB,
 * whichever flush: measured (server RSS after gc, 300 SSE clients at 20 events/s of 256 B text, minus
 * the same server before they connected, twice) 7.7-20.9 KiB a connection uncompressed, 231-259 KiB
 * with gzip, Z_SYNC_FLUSH or Z_FULL_FLUSH alike. A poll answer's gzip state lives only while it is
 * compressed.
 */
import { isCompressed } from './contract/compressed.ts';
import zlib from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Compression } from './contract/wire-options.ts';
import { sendPollBody, type PollBody } from './event-body.ts';

/** Whether an Accept-Encoding header allows gzip (a `gzip` or `*` coding without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function gzipFor(req: IncomingMessage, compression: Compression | undefined): boolean {
  return isCompressed(compression) && acceptsGzip(req.headers['accept-encoding']);
}

/** A poll answer, gzip-compressed when the job and the request allow it. */
export function sendPollAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  body: PollBody,
  compression: Compression | undefined,
): void {
  if (!gzipFor(req, compression)) return sendPollBody(res, body);
  body.gzip ??= zlib.gzipSync(body.body);
  res.writeHead(200, {
    'content-type': body.contentType,
    'content-encoding': 'gzip',
    'content-length': body.gzip.length,
  });
  res.end(body.gzip);
}

/** An open event stream, as servers/slow-consumer.ts paces and bounds it. */
export interface EventStream {
  /** Writes one event's frame; `flushed`, when given, runs once it has left user space (or failed). */
  write(frame: Buffer, flushed?: () => void): void;
  /** Bytes queued for the client in user space: the response's, and the gzip stream's in and out. */
  buffered(): number;
  /** Ends the stream behind what is queued (with gzip: its last block and trailer first). */
  end(): void;
}

/**
 * Starts an event stream's answer (status and headers sent at once) and returns how to write one
 * event's frame to it: as is, or through the connection's gzip stream, flushed per event.
 */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  compression: Compression | undefined,
): EventStream {
  const headers = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
  if (!gzipFor(req, compression)) {
    res.writeHead(200, headers);
    res.flushHeaders();
    return {
      write: (frame, flushed) => void (flushed ? res.write(frame, flushed) : res.write(frame)),
      buffered: () => res.writableLength,
      end: () => res.end(),
    };
  }
  res.writeHead(200, { ...headers, 'content-encoding': 'gzip' });
  res.flushHeaders();
  const flush = compression === 'on-no-takeover' ? zlib.constants.Z_FULL_FLUSH : zlib.constants.Z_SYNC_FLUSH;
  const gzip = zlib.createGzip();
  gzip.pipe(res);
  // A client gone: the stream's zlib state (hundreds of KiB) goes with it.
  res.once('close', () => gzip.destroy());
  gzip.on('error', () => res.destroy());
  return {
    // Paced by the flush's end: the gzip stream stops taking input while the response cannot drain.
    write(frame, flushed) {
      gzip.write(frame);
      if (flushed) gzip.flush(flush, flushed);
      else gzip.flush(flush);
    },
    buffered: () => gzip.writableLength + gzip.readableLength + res.writableLength,
    end: () => gzip.end(),
  };
}
