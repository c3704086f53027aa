/**
 * The nginx configuration a careful operator would put in front of this server, generated per run.
 * Pure text from the options, so the unit tests read every directive without nginx installed; the
 * process control lives in nginx.ts. Every path is inside the run's own directory: nothing is read from
 * or written to /etc or /var.
 */
import { EVENTS_PATH, MAX_WAIT_MS, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';
import type { HttpVersion } from '../../servers/contract/wire-options.ts';

export interface NginxConfigParams {
  /** The run's directory (nginx's prefix): pid file, error log, temp paths. */
  dir: string;
  listenPort: number;
  upstream: { host: string; port: number };
  /** Paths of the PEM files nginx reads. */
  tls?: { cert: string; key: string };
  /** What clients speak to nginx: HTTP/1.1 (absent), or HTTP/2 (h2 by ALPN with TLS, h2c by prior knowledge without). */
  http?: HttpVersion;
  longPollWaitMs: number | null;
  maxClients: number;
}

/**
 * How long the servers keep an idle client socket (servers/http-host.ts KEEP_ALIVE_TIMEOUT_MS; bench/
 * may not import servers/ beyond the contract, so the unit test checks the two agree). nginx keeps its
 * idle clients as long, so a poller behind nginx keeps its connection exactly when it would direct.
 */
export const SERVER_KEEP_ALIVE_S = 120;

/**
 * Above the longest hold, for the gap nginx may wait between two reads from the upstream: a held long
 * poll answers after its wait plus the server's scheduling and the event loop's lag under load.
 */
const READ_MARGIN_S = 30;

/**
 * SSE and WebSocket are quiet between events and the servers send no heartbeat, so nginx's idle
 * timeouts on a stream must outlast any quiet stretch of a run; nginx's default (60 s) would cut a
 * stream in a slow feed and the client would count a reconnect nginx caused.
 */
const STREAM_IDLE_S = 24 * 3600;

/**
 * Requests per keep-alive connection. nginx's default (1000, client and upstream side alike) would
 * close a short-polling client's connection after its 1000th poll (20 s at a 20 ms interval) and the
 * run would count reconnects that only nginx caused. A billion is beyond any run.
 */
const KEEPALIVE_REQUESTS = 1_000_000_000;

/** Connections nginx needs beyond two per client: the listener, the readiness probe, slack. */
const SPARE_CONNECTIONS = 64;

/** worker_connections: every client is one connection from the client and one to the upstream. */
export function workerConnections(maxClients: number): number {
  return 2 * maxClients + SPARE_CONNECTIONS;
}

/** proxy_read_timeout of the poll location (seconds): above the longest hold a client can ask for. */
export function pollReadTimeoutS(longPollWaitMs: number | null): number {
  // Without a long-poll wait in the run, MAX_WAIT_MS is the longest hold the server grants anyone.
  return Math.ceil((longPollWaitMs ?? MAX_WAIT_MS) / 1000) + READ_MARGIN_S;
}

export function renderNginxConfig(p: NginxConfigParams): string {
  if (!Number.isInteger(p.maxClients) || p.maxClients < 1)
    throw new Error(`nginx: maxClients must be a whole number >= 1, got ${p.maxClients}`);
  if (p.longPollWaitMs !== null && !(p.longPollWaitMs >= 0))
    throw new Error(`nginx: longPollWaitMs must be >= 0 or null, got ${p.longPollWaitMs}`);
  const connections = workerConnections(p.maxClients);
  const pollRead = pollReadTimeoutS(p.longPollWaitMs);
  const h2 = p.http === '2';
  // nginx 1.22 (Debian 12) enables HTTP/2 with the listen parameter only ('http2 on;' came in 1.25.1,
  // which still accepts the parameter, with a deprecation warning). Without ssl the listener speaks
  // h2c by prior knowledge only, which is what an HTTP/2 job's clients send.
  const listen = `127.0.0.1:${p.listenPort}${p.tls ? ' ssl' : ''}${h2 ? ' http2' : ''}`;
  const http2 = h2
    ? `
        # HTTP/2 to clients, HTTP/1.1 keep-alive to the upstream (proxy_http_version below), as operators
        # deploy it. Since 1.19.7 keepalive_timeout and keepalive_requests above govern HTTP/2 connections
        # too (http2_idle_timeout and http2_max_requests are obsolete); the default of 128 concurrent
        # streams is far above the one a client has open.`
    : '';
  const tls = p.tls
    ? `
        # TLS ends here; the upstream leg stays cleartext HTTP/1.1 as behind any terminating proxy.${
          h2
            ? ''
            : `
        # No http2 on the listen line (1.22 has no 'http2 off' directive): clients speak HTTP/1.1 to
        # nginx as they do to the server directly, so only TLS and the proxy differ.`
        } Session tickets
        # and protocols are nginx's defaults, as an operator who did not tune them would have.
        ssl_certificate ${p.tls.cert};
        ssl_certificate_key ${p.tls.key};
        ssl_protocols TLSv1.2 TLSv1.3;`
    : '';
  // A proxied location: everything but the timeouts is shared (inherited from the server block).
  const location = (match: string, timeoutS: number, why: string) => `
        # ${why}
        location ${match} {
            proxy_pass http://feed;
            proxy_read_timeout ${timeoutS}s;
            proxy_send_timeout ${timeoutS}s;
            send_timeout ${timeoutS}s;
        }`;

  return `# Generated per run by bench/proxy/nginx-config.ts; started with -p ${p.dir} -c ${p.dir}/nginx.conf.
# No 'user' directive: run unprivileged, nginx keeps the invoking user; as root its workers drop to
# nginx's built-in default (nobody), which is what a careful operator wants anyway.
daemon off;              # the harness supervises the master process (stop, Ctrl-C, CPU time)
master_process on;       # as deployed: a master and its worker
worker_processes 1;      # one worker: the proxy's CPU is one process pinned beside the server
pid ${p.dir}/nginx.pid;
error_log ${p.dir}/error.log warn;
# Two descriptors per client (client side + upstream side), plus slack.
worker_rlimit_nofile ${connections + SPARE_CONNECTIONS};

events {
    worker_connections ${connections};
}

http {
    # Temp paths inside the run's directory (with buffering off below they stay empty).
    client_body_temp_path ${p.dir}/client_body;
    proxy_temp_path ${p.dir}/proxy;
    fastcgi_temp_path ${p.dir}/fastcgi;
    uwsgi_temp_path ${p.dir}/uwsgi;
    scgi_temp_path ${p.dir}/scgi;

    access_log off;      # a log line per poll would cost the proxy CPU the server does not spend
    tcp_nodelay on;      # events go out at once, never held back by Nagle
    server_tokens off;   # 'Server: nginx' without the version: operators hide it, and the header's
                         # byte count does not change with the installed version
    gzip off;            # the servers do not compress either: same bytes on the wire

    # Idle client connections live as long as the server's own (servers/http-host.ts
    # KEEP_ALIVE_TIMEOUT_MS), so a poller keeps its connection exactly as it would direct; nginx's
    # default (75 s) would drop slow pollers the server keeps.
    keepalive_timeout ${SERVER_KEEP_ALIVE_S}s;
    keepalive_requests ${KEEPALIVE_REQUESTS};
    keepalive_time ${STREAM_IDLE_S}s;   # default 1 h would close long-running pollers mid-run

    # WebSocket: pass the client's Upgrade on; any other request gets an empty Connection header so
    # the upstream connection stays keep-alive and returns to the pool.
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      '';
    }

    upstream feed {
        server ${p.upstream.host}:${p.upstream.port};
        # Idle upstream connections kept per worker: one per client, so polls reuse a connection
        # instead of opening one to the server per request (nginx's default is none: HTTP/1.0, close).
        keepalive ${p.maxClients};
        keepalive_requests ${KEEPALIVE_REQUESTS};
        # Below the server's idle timeout, so nginx drops an idle connection before the server does
        # and never sends a request on a socket the server is closing.
        keepalive_timeout ${SERVER_KEEP_ALIVE_S - 10}s;
        keepalive_time ${STREAM_IDLE_S}s;
    }

    server {
        listen ${listen};${tls}${http2}

        proxy_http_version 1.1;                          # keep-alive and chunked to the upstream
        proxy_set_header Connection $connection_upgrade; # "" (keep-alive) or "upgrade" (WebSocket)
        proxy_set_header Upgrade $http_upgrade;          # WebSocket handshake passes through
        proxy_set_header Host $http_host;                # the client's own Host, as the server sees direct
        # No X-Forwarded-* headers: the server reads none, and they would only add upstream bytes.
        proxy_buffering off;          # SSE and long-poll answers go to the client as they arrive
        proxy_request_buffering off;  # requests go upstream at once, never spooled to disk
        proxy_cache off;              # every poll reaches the server: a cached answer would be stale
${location(`= ${EVENTS_PATH}`, pollRead, `Polls: the read timeout is above the longest long-poll hold (${p.longPollWaitMs ?? `none in this run: MAX_WAIT_MS ${MAX_WAIT_MS}`} ms) plus ${READ_MARGIN_S} s.`)}
${location(`= ${STREAM_PATH}`, STREAM_IDLE_S, 'SSE: a stream is idle between events and the server sends no heartbeat.')}
${location(`= ${WS_PATH}`, STREAM_IDLE_S, 'WebSocket: idle between events, no ping from the server.')}
${location('/', pollRead, 'Anything else (the readiness probe, a 404): the poll timeouts.')}
    }
}
`;
}
