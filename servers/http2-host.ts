/**
 * The HTTP transports over HTTP/2: the same handlers as http-host.ts, served by node:http2's
 * compatibility API (a request and response with the subset of node:http's interface the handlers
 * use: url, method, headers, writeHead, setHeader, write, flushHeaders, end, destroy, 'close').
 * With TLS it is h2 negotiated by ALPN, what browsers use; without, h2c with prior knowledge.
 *
 * Only the bare node routing runs here: express 5 reaches into node:http's request and response
 * prototypes and cannot serve HTTP/2.
 *
 * HTTP/1.1 is not offered next to h2 (no allowHTTP1): a job that says HTTP/2 must measure HTTP/2 or
 * fail, never fall back quietly. A client that does not negotiate h2 is disconnected at once (no
 * 'unknownProtocol' listener), and an HTTP/1.1 request on the cleartext port is a bad connection
 * preface that ends the session.
 *
 * Parity settings (http-host.ts has the HTTP/1.1 ones):
 * - no timeouts: node:http2's server timeout is 0 by default (set explicitly here), and HTTP/2 has
 *   no keep-alive or header timeouts to cut a 30 s long-poll hold or an idle session between polls;
 * - no stream limit: node advertises no SETTINGS_MAX_CONCURRENT_STREAMS unless told (unlimited,
 *   RFC 9113 6.5.2), and each client has one stream open at a time anyway;
 * - Nagle off on accepted sockets (noDelay), as on HTTP/1.1.
 * node:http2 never sends connection-specific headers (connection, keep-alive: RFC 9113 8.2.2) and
 * refuses them if a handler sets one.
 *
 * The injected header padding (inject.extraResponseHeaderBytes) is HTTP/1.1 arithmetic: under HPACK the
 * padding header enters the table with the first answer and costs one byte on every later one (values
 * over 3/4 of the 4096-byte table, which nghttp2 never indexes, go Huffman-coded each time instead).
 *
 * Bytes: the 'connection' event hands over the raw TCP socket for h2c and, for the secure server,
 * before TLS wraps it (as with https), so ServerCounters counts TCP payload, TLS records and HTTP/2
 * frames included.
 */
import http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerOpts } from 'node:net';
import { ServerCounters } from './counters.ts';
import { nodeRoutes, type TransportHost } from './http-host.ts';
import { AccessPolicy, type AccessConfig } from './access-policy.ts';
import { RouteTable } from './routing.ts';
import type { Framework, TlsConfig } from './contract/server-config.ts';
import type { ResponseHeaderProfile } from './contract/wire-options.ts';

export function createHttp2Host(
  framework: Framework,
  extraResponseHeaderBytes = 0,
  tls?: TlsConfig,
  responseHeaders?: ResponseHeaderProfile,
  access?: AccessConfig,
): TransportHost {
  if (framework !== 'node')
    throw new Error(`HTTP/2 runs on the bare node routing only (framework 'node'): express 5 cannot serve HTTP/2.`);
  const counters = new ServerCounters();
  // node:http2's servers are net.Servers and pass these on, though its option types omit them.
  const options: http2.ServerOptions & ServerOpts = { noDelay: true, keepAlive: true };
  const server = tls
    ? http2.createSecureServer({ ...options, cert: tls.cert, key: tls.key })
    : http2.createServer(options);
  server.setTimeout(0);
  // The policy reads the bound address from the server (on 'listening'), so the routes come after it.
  const table = new RouteTable(new AccessPolicy(server, counters, access));
  const routes = nodeRoutes(extraResponseHeaderBytes, responseHeaders, table);
  // The compatibility request and response stand in for node:http's: the handlers use only what both have.
  server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) =>
    routes.listener(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  counters.track(server);
  counters.trackStreams(server);
  return { framework, server, counters, get: routes.get, post: routes.post, admit: (req) => table.admitUpgrade(req) };
}
