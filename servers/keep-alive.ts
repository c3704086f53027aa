/**
 * Keep-alives to idle clients (issue 12), set explicitly per job (servers/contract/server-limits.ts
 * keepAliveSchema): a WebSocket ping every `wsPingMs`, an SSE comment line every `sseCommentMs`, per
 * connection. A proxy or load balancer closes a connection that carries nothing for its idle timeout
 * (nginx proxy_read_timeout: 60 s by default), so a push server that must hold idle clients sends
 * these; what they cost is what the idle workload measures. Null: none, as before issue 12.
 *
 * One timer per connection, started at its connect: clients that connect over a second or two ping
 * spread over that second or two, not all in one burst.
 */
import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { ServerCounters } from './counters.ts';

/**
 * An SSE comment (WHATWG HTML, "Server-sent events", 9.2.6: a line starting with a colon is ignored)
 * and the blank line that ends it: 3 bytes on the wire, no event at the client.
 */
const SSE_COMMENT = Buffer.from(':\n\n');

/**
 * Calls `send` every `everyMs` (never when null or absent) until `connection` closes, and counts what
 * it sent (`send` returns false when the connection is already closing).
 */
export function keepAlive(
  connection: EventEmitter,
  everyMs: number | null | undefined,
  counters: ServerCounters,
  send: () => boolean,
): void {
  if (everyMs === null || everyMs === undefined) return;
  const timer = setInterval(() => {
    if (send()) counters.keepAlivesSent++;
  }, everyMs);
  connection.once('close', () => clearInterval(timer));
}

/** A ping frame with no payload (RFC 6455 5.5.2): 2 bytes down; the client's masked pong is 6 bytes up. */
export function wsPing(ws: WebSocket): boolean {
  if (ws.readyState !== ws.OPEN) return false;
  ws.ping();
  return true;
}

/** One comment line on an open event stream (through its gzip stream when compressed). */
export function sseComment(res: ServerResponse, write: (frame: Buffer) => void): boolean {
  if (res.writableEnded || res.destroyed) return false;
  write(SSE_COMMENT);
  return true;
}
