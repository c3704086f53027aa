/**
 * The connection limits of a feed server (servers/contract/server-limits.ts), applied to its HTTP
 * server: at most `maxConnections` open connections (node's server.maxConnections closes the next
 * one unserved and emits 'drop', counted as refused), and a connection that has not sent its whole
 * request head within `headersTimeoutMs`, or a whole request within `requestTimeoutMs`, is answered
 * 408 and closed (node's headersTimeout / requestTimeout). Neither timeout touches a long-poll hold,
 * an SSE stream or a WebSocket: node stops timing a request once it has arrived in full, and an
 * upgraded socket leaves the HTTP parser.
 *
 * node checks those two timeouts every `connectionsCheckingInterval` (30 s by default), so a
 * connection that never completed its headers was held up to headersTimeout + 30 s (60 + 30 = 90 s
 * before the limits). Checking every quarter of the shorter timeout holds it at most 25% longer than
 * its limit; node walks only the connections with a request in progress, so the check costs little.
 *
 * HTTP/2 has no request-head timeout in node (its headersTimeout and requestTimeout are node:http's):
 * a session that has opened no stream within headersTimeoutMs of its start is destroyed instead,
 * which bounds a connection that never sends its preface or first request the same way.
 */
import type http from 'node:http';
import type { Http2Server, Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { Server } from 'node:net';
import type { ServerLimits } from './contract/server-limits.ts';
import type { ServerCounters } from './counters.ts';

/** The check period for node's request timeouts: a quarter of the shorter one, from 100 ms to node's 30 s. */
export function checkingIntervalMs(limits: Pick<ServerLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  return Math.max(100, Math.min(30_000, Math.round(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** Applies `limits` to a host's server before it listens (node reads the checking interval at 'listening'). */
export function applyLimits(server: Server, http2: boolean, limits: ServerLimits, counters: ServerCounters): void {
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => counters.connectionsRefused++);
  if (http2) return boundSessionStart(server as Http2Server | Http2SecureServer, limits.headersTimeoutMs);
  const h1 = server as http.Server;
  h1.headersTimeout = limits.headersTimeoutMs;
  h1.requestTimeout = limits.requestTimeoutMs;
  // A property node reads when the server starts listening (its option types list it for createServer only).
  (h1 as http.Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    checkingIntervalMs(limits);
}

function boundSessionStart(server: Http2Server | Http2SecureServer, timeoutMs: number): void {
  server.on('session', (session: ServerHttp2Session) => {
    const timer = setTimeout(() => session.destroy(), timeoutMs);
    const clear = () => clearTimeout(timer);
    session.once('stream', clear);
    session.once('close', clear);
  });
}
