/**
 * An undici Client for one origin whose sockets go through a SocketLedger, so HTTP bytes are counted
 * at the socket. One connection per simulated client, as a browser tab holds (no pipelining).
 *
 * With TLS (an https origin) the client opens the TCP socket itself and hands it to undici's
 * connector as `httpSocket`, so the ledger holds the raw socket (TCP payload, TLS records included;
 * see tls-connect.ts). The connector trusts exactly the given CA and keeps the client's session to
 * resume on reconnect, as a browser does: one connector per simulated client, maxCachedSessions 1
 * (one origin). Its cache holds sessions through WeakRefs only, so the client keeps the latest one
 * alive itself, or garbage collection would decide whether a reconnect resumes.
 *
 * With `http: '2'` the same client speaks HTTP/2, one connection per client and one stream per request
 * (undici's h2 support runs node:http2's client session over the socket undici was handed): over TLS
 * the connector offers ALPN ['http/1.1', 'h2'] and undici switches to h2 when the server picks it;
 * in cleartext it is h2c with prior knowledge (undici's `useH2c` marks the fresh TCP socket as h2).
 * Either way the ledger holds the same raw TCP socket, so HPACK-compressed headers and HTTP/2 framing
 * are counted as sent. undici's periodic h2 PING (every 60 s by default) is off: browsers do not ping
 * a busy connection on a timer, and those frames would be bytes only this client sends.
 */
import { Client, buildConnector, errors } from 'undici';
import type { Socket } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { SocketLedger } from './socket-ledger.ts';
import type { HttpVersion } from '../../servers/contract/wire-options.ts';
import { openTcp, secureOver } from './tls-connect.ts';

export interface CountedClientOptions {
  bodyTimeoutMs: number;
  headersTimeoutMs: number;
  /** Called for every new connection once usable: TCP connected, or its TLS handshake done. */
  onConnect: () => void;
  /** TLS: the only certificate to trust. */
  tls?: { ca: string };
  /** '2': HTTP/2 (h2 over TLS, h2c without); absent or '1.1': HTTP/1.1, as always. */
  http?: HttpVersion;
  /** The source address to bind to (ClientOptions.localAddress). */
  localAddress?: string | undefined;
  /**
   * True during a forced drop's offline time (BaseClient.drop): no connection is opened then. Resetting
   * the socket does not fail a request undici has queued but not yet written (undici 7 holds a request
   * for a reused keep-alive socket until the next check phase, its idle-socket validation, and puts an
   * aborted running one back in the queue): undici sends it on a new connection, while the client is
   * offline. Refused here, such a request fails instead, as a browser's fetch does without a network.
   */
  offline?: () => boolean;
}

/** The connector's refusal while offline: undici fails the queued requests with it. */
class OfflineError extends Error {
  constructor() {
    super('offline (forced drop): no connection is opened');
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * undici's connector options for an HTTP version: over TLS, offer h2 by ALPN (undici takes it when the
 * server picks it); in cleartext, h2c by prior knowledge. Nothing for HTTP/1.1 (the original connector).
 */
export function h2ConnectorOptions(http: HttpVersion | undefined, tls: boolean): { allowH2?: true; useH2c?: true } {
  if (http !== '2') return {};
  return tls ? { allowH2: true } : { useH2c: true };
}

/**
 * undici 7.30's HTTP/2 session 'close' handler builds its error from the client's socket, which its
 * socket 'close' handler has already cleared, and throws (uncaught: the process ends) when the socket
 * closed without an error, as when the connection is destroyed under the client (the ledger's
 * destroyAll, a test's dropped connection). Registered before undici's and node:http2's handlers,
 * this one turns such a close into a SocketError first, which undici records on the socket and uses.
 */
function guardH2Close(socket: Socket): void {
  socket.once('close', (hadError: boolean) => {
    if (!hadError) socket.emit('error', new errors.SocketError('closed'));
  });
}

export function countedClient(origin: string, ledger: SocketLedger, options: CountedClientOptions): Client {
  const h2 = options.http === '2';
  const connect = buildConnector({
    timeout: CONNECT_TIMEOUT_MS,
    ...h2ConnectorOptions(options.http, options.tls !== undefined),
    // One trust store per simulated client, as a browser has: passing `ca` instead built a new secure
    // context per connection (0.23 ms of the load process's CPU each, measured).
    ...(options.tls && { secureContext: createSecureContext({ ca: options.tls.ca }), maxCachedSessions: 1 }),
  });
  const held: { session?: Buffer } = {};
  const connectTls = async (opts: Parameters<typeof connect>[0]): Promise<TLSSocket> => {
    const raw = await openTcp(opts.hostname, Number(opts.port), CONNECT_TIMEOUT_MS, ledger, options.localAddress);
    return secureOver(raw, ledger, CONNECT_TIMEOUT_MS, (done) =>
      connect({ ...opts, httpSocket: raw }, (err, socket) => {
        // Holds the session the connector caches weakly (see above).
        (socket as TLSSocket | null)?.on('session', (session: Buffer) => (held.session = session));
        done(err, (socket ?? undefined) as TLSSocket | undefined);
      }),
    );
  };
  return new Client(origin, {
    pipelining: 1,
    // Keep the connection between polls: the server keeps idle sockets 120 s.
    keepAliveTimeout: 110_000,
    keepAliveMaxTimeout: 110_000,
    bodyTimeout: options.bodyTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    ...(h2 && { pingInterval: 0 }),
    // undici hands it to the connector, which binds the socket to it.
    ...(options.localAddress !== undefined && { localAddress: options.localAddress }),
    connect(opts, callback) {
      if (options.offline?.()) {
        callback(new OfflineError(), null);
        return;
      }
      if (options.tls) {
        connectTls(opts).then(
          (socket) => {
            if (h2) guardH2Close(socket);
            options.onConnect();
            callback(null, socket);
          },
          (err: Error) => callback(err, null),
        );
        return;
      }
      connect(opts, (err, socket) => {
        if (socket) {
          ledger.add(socket as Socket);
          if (h2) guardH2Close(socket as Socket);
          options.onConnect();
        }
        if (err) callback(err, null);
        else callback(null, socket!);
      });
    },
  });
}
