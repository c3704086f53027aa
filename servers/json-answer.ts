/**
 * JSON answers, written the same way by every stack: a poll's (sendJson, its bytes are published
 * figures) and a refusal's (sendError).
 */
import type { ServerResponse } from 'node:http';
import type { ErrorBody } from './contract/protocol.ts';

export function sendJson(res: ServerResponse, status: number, body: string): void {
  // A response header profile may have set the type already (2010: the article's text/html).
  const type = res.hasHeader('content-type') ? {} : { 'content-type': 'application/json' };
  res.writeHead(status, { ...type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * A refusal's JSON body, with `X-Content-Type-Options: nosniff` (OWASP ASVS 14.4.4) so that a browser
 * never reads a refusal that echoes part of the request as anything but JSON. Only refusals carry it:
 * on a poll answer its 33 bytes a response (`X-Content-Type-Options: nosniff\r\n`) would change every
 * published byte figure, for answers whose body is the feed's own events, never the request's.
 */
export function sendError(
  res: ServerResponse,
  status: 400 | 403 | 404 | 405 | 413 | 421,
  error: ErrorBody['error'],
  message: string,
): void {
  res.setHeader('x-content-type-options', 'nosniff');
  sendJson(res, status, JSON.stringify({ error, message } satisfies ErrorBody));
}
