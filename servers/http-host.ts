/**
 * The HTTP server a transport attaches to, on express or on bare node:http with the same handlers.
 * On this machine express 5 answered about 5x fewer hello-world requests per second than node:http,
 * so the framework is an option (and recorded in every result): otherwise a report would blame
 * polling for what is framework cost.
 *
 * Parity settings, the same for every transport:
 * - express `etag` and `x-powered-by` are off (node:http sends neither), so headers are equal;
 * - Nagle is off on accepted sockets (noDelay), as on the clients;
 * - keep-alive and timeouts are explicit, so a long-poll hold is never cut by a default and idle
 *   keep-alive sockets survive the longest poll interval instead of being reopened (Node's default
 *   keepAliveTimeout is 5 s).
 *
 * With TLS the same handlers and settings run on node:https (ws attaches to it unchanged: wss). Its
 * 'connection' event hands over the raw TCP socket before TLS wraps it, so ServerCounters still counts
 * TCP payload, TLS records included (checked against a packet capture in test/integration/tls.test.ts).
 */
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Server } from 'node:net';
import express from 'express';
import { ServerCounters } from './counters.ts';
import type { Framework, TlsConfig } from './contract/server-config.ts';
import type { ResponseHeaderProfile } from './contract/wire-options.ts';
import { withResponseHeaders } from './response-headers.ts';
import { sendError, sendJson } from './json-answer.ts';
import { AccessPolicy, type AccessConfig, type Refusal } from './access-policy.ts';
import { RouteTable } from './routing.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TransportHost {
  readonly framework: Framework;
  /** node:http or node:https here; a node:http2 server on an HTTP/2 host (http2-host.ts). */
  readonly server: Server;
  readonly counters: ServerCounters;
  /** Registers a GET handler for an exact path. */
  get(path: string, handler: Handler): void;
  /** Registers a POST handler for an exact path (the handler reads the body itself: no body parser runs). */
  post(path: string, handler: Handler): void;
  /** The Host and Origin checks of a WebSocket upgrade (access-policy.ts): its refusal, if refused. */
  admit(req: IncomingMessage): Refusal | undefined;
}

/** Idle keep-alive lifetime: longer than any poll interval a scenario may use. */
export const KEEP_ALIVE_TIMEOUT_MS = 120_000;

// The JSON answers live with the refusals' (json-answer.ts); the transports import them from here.
export { sendError, sendJson } from './json-answer.ts';

/** Query parameters of a request, parsed the same way under both frameworks. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

function applyServerParity(server: http.Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = 60_000;
  // Time to receive a whole request; our requests are bodiless GETs, so this only bounds slowloris.
  server.requestTimeout = 60_000;
  // No idle-socket timeout: long-poll holds end by their own `wait`, at most MAX_WAIT_MS.
  server.timeout = 0;
  server.maxRequestsPerSocket = 0;
}

/** Header name used to pad responses when a regression is injected on purpose. */
const PADDING_HEADER = 'x-injected-padding';

/**
 * Wraps a handler so every response carries `bytes` more header bytes: "name: value\r\n" is exactly
 * `bytes` long (at least the name's own length plus 4).
 */
function padded(handler: Handler, bytes: number): Handler {
  if (bytes <= 0) return handler;
  const value = 'x'.repeat(Math.max(1, bytes - PADDING_HEADER.length - 4));
  return (req, res) => {
    res.setHeader(PADDING_HEADER, value);
    handler(req, res);
  };
}

/** node:http, or node:https with the same socket options when TLS is configured. */
function createServer(listener: RequestListener | undefined, tls: TlsConfig | undefined): http.Server {
  const options = { noDelay: true, keepAlive: true };
  if (!tls) return http.createServer(options, listener);
  return https.createServer({ ...options, cert: tls.cert, key: tls.key }, listener);
}

/**
 * The bare node routing (framework 'node', on node:http or node:http2): the shared front door
 * (routing.ts) answers all but exact GET and POST routes; every route padded (an injected regression)
 * and given the response header profile.
 */
export function nodeRoutes(
  extraResponseHeaderBytes: number,
  responseHeaders: ResponseHeaderProfile | undefined,
  table: RouteTable,
): {
  listener: Handler;
  get: (path: string, handler: Handler) => void;
  post: (path: string, handler: Handler) => void;
} {
  const wrap = (handler: Handler) => withResponseHeaders(padded(handler, extraResponseHeaderBytes), responseHeaders);
  return {
    listener: (req, res) => table.front(req, res)?.(req, res),
    get: (path, handler) => table.add('GET', path, wrap(handler)),
    post: (path, handler) => table.add('POST', path, wrap(handler)),
  };
}

/**
 * `responseHeaders`: the response header profile of every route (servers/response-headers.ts); absent =
 * default. `access`: the Origin allowlist and configured host (access-policy.ts); absent = own origin only.
 */
export function createHost(
  framework: Framework,
  extraResponseHeaderBytes = 0,
  tls?: TlsConfig,
  responseHeaders?: ResponseHeaderProfile,
  access?: AccessConfig,
): TransportHost {
  const counters = new ServerCounters();
  let server: http.Server;
  let get: (path: string, handler: Handler) => void;
  let post: (path: string, handler: Handler) => void;
  let table: RouteTable;

  if (framework === 'express') {
    const app = express();
    app.set('etag', false);
    app.disable('x-powered-by');
    server = createServer(app, tls);
    const routes = (table = new RouteTable(new AccessPolicy(server, counters, access)));
    // The shared front door first: express's router then sees only requests on an exact route, so
    // its own leniencies (case-insensitive paths, optional trailing slash, automatic OPTIONS) never
    // answer; what it still does is the framework cost being compared.
    app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      if (routes.front(req, res)) next();
    });
    const router = express.Router({ caseSensitive: true, strict: true });
    app.use(router);
    // Unreachable unless the router and the front door disagree on a route: answered, not hung.
    app.use((req: IncomingMessage, res: ServerResponse) =>
      sendError(res, 404, 'not_found', `no route for ${req.method} ${req.url}`),
    );
    // Anything a handler throws becomes a JSON 500 instead of express's HTML page.
    app.use((err: unknown, _req: IncomingMessage, res: ServerResponse, _next: unknown) => {
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ error: 'internal', message: String(err) }));
      else res.destroy();
    });
    // Each route in the front door's table too, which tells which paths and methods exist; express's
    // router runs the handler.
    get = (path, handler) => {
      const h = withResponseHeaders(padded(handler, extraResponseHeaderBytes), responseHeaders);
      routes.add('GET', path, h);
      router.get(path, (req, res) => h(req, res));
    };
    post = (path, handler) => {
      const h = withResponseHeaders(padded(handler, extraResponseHeaderBytes), responseHeaders);
      routes.add('POST', path, h);
      router.post(path, (req, res) => h(req, res));
    };
  } else {
    server = createServer(undefined, tls);
    table = new RouteTable(new AccessPolicy(server, counters, access));
    const routes = nodeRoutes(extraResponseHeaderBytes, responseHeaders, table);
    server.on('request', routes.listener);
    get = routes.get;
    post = routes.post;
  }
  applyServerParity(server);
  counters.track(server);
  return { framework, server, counters, get, post, admit: (req) => table.admitUpgrade(req) };
}
