/**
 * An undici Client for one origin whose sockets go through a SocketLedger, so HTTP bytes are counted
 * at the socket. One connection per simulated client, as a browser tab holds (no pipelining).
 */
import { Client, buildConnector } from 'undici';
import type { Socket } from 'node:net';
import type { SocketLedger } from './socket-ledger.ts';

export interface CountedClientOptions {
  bodyTimeoutMs: number;
  headersTimeoutMs: number;
  /** Called for every new TCP connection; undici's connector calls back only once connected. */
  onConnect: () => void;
}

export function countedClient(origin: string, ledger: SocketLedger, options: CountedClientOptions): Client {
  const connect = buildConnector({ timeout: 10_000 });
  return new Client(origin, {
    pipelining: 1,
    // Keep the connection between polls: the server keeps idle sockets 120 s.
    keepAliveTimeout: 110_000,
    keepAliveMaxTimeout: 110_000,
    bodyTimeout: options.bodyTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    connect(opts, callback) {
      connect(opts, (err, socket) => {
        if (socket) {
          ledger.add(socket as Socket);
          options.onConnect();
        }
        if (err) callback(err, null);
        else callback(null, socket!);
      });
    },
  });
}
