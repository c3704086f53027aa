/**
 * The response header profiles (servers/contract/wire-options.ts ResponseHeaderProfile), applied by the
 * host around every route's handler, so the transports' handlers stay as they are:
 *
 * - `default`: what express and node:http send (a poll answer: content-type, content-length, Date,
 *   Connection: keep-alive, Keep-Alive: timeout=120). The handler runs untouched: the same bytes as before.
 * - `lean`: only what HTTP requires. Removed: `Connection: keep-alive` and `Keep-Alive: timeout=120`
 *   (49 bytes): HTTP/1.1 connections are persistent unless one side says `close` (RFC 9112 §9.3), and
 *   Keep-Alive is not an HTTP/1.1 field at all (an HTTP/1.0 extension, RFC 9112 Appendix C.2.2). Only on
 *   HTTP/1.1 requests the server keeps open: an HTTP/1.0 client needs the keep-alive token, and a
 *   connection about to close still says `Connection: close`. Kept: the status line; Content-Length or
 *   Transfer-Encoding: chunked, whichever framing the body needs (RFC 9112 §6); Date, which "an origin
 *   server with a clock MUST generate ... in all 2xx (Successful), 3xx (Redirection), and 4xx (Client
 *   Error) responses" (RFC 9110 §6.6.1); Content-Type, which a sender of content SHOULD generate (RFC 9110
 *   §8.3; EventSource also refuses a stream without text/event-stream); and what a transport sets for
 *   its own reasons (SSE's Cache-Control: no-cache). So `lean` measures what is framework choice.
 * - `2010`: the response headers of the 2010 article (bench/clients/request-headers.ts ARTICLE_2010 has
 *   the citation and the 871-byte arithmetic): X-Powered-By, Server and Content-Type as it shows them,
 *   then the handler's Content-Length and node's Date, in the article's order, and no Connection (the
 *   article's response had none). An SSE stream keeps text/event-stream, without which EventSource
 *   fails, and is chunked.
 *
 * Refusals (servers/json-answer.ts sendError: 400, 403, 404, 405, 413, 421) add
 * `X-Content-Type-Options: nosniff` under every profile; answers that are served do not, under any
 * profile: 33 bytes on every poll answer would move every published byte figure (issue 12).
 *
 * The WebSocket 101 answer is ws's under every profile: Upgrade, Connection: Upgrade and
 * Sec-WebSocket-Accept are all RFC 6455 §4.2.2 requires, so `lean` has nothing to remove, and the
 * article showed no handshake.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResponseHeaderProfile } from './contract/wire-options.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The 2010 article's response headers before Content-Length and Date, in its order and spelling. */
export const RESPONSE_2010: readonly [string, string][] = [
  ['X-Powered-By', 'Servlet/2.5'],
  ['Server', 'Sun Java System Application Server 9.1_02'],
  ['Content-Type', 'text/html;charset=UTF-8'],
];

/** Wraps a route's handler so its response carries `profile`'s headers (the handler itself when default). */
export function withResponseHeaders(handler: Handler, profile: ResponseHeaderProfile | undefined): Handler {
  if (profile === undefined || profile === 'default') return handler;
  return (req, res) => {
    // node writes Connection (and Keep-Alive) unless the header was removed; removed, it still keeps
    // the connection open when it would have (shouldKeepAlive), and closes it otherwise.
    if (req.httpVersion === '1.1' && res.shouldKeepAlive) res.removeHeader('connection');
    // Set before the handler's writeHead, whose own fields then follow (and replace a same-named one
    // in place: SSE's text/event-stream). sendJson keeps a Content-Type already set.
    if (profile === '2010') for (const [name, value] of RESPONSE_2010) res.setHeader(name, value);
    handler(req, res);
  };
}
