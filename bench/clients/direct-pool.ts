/**
 * A plain undici Pool straight at a server, for traffic that is not measured (the load generator's JIT
 * prewarm): its sockets are in no ledger. It speaks the run's HTTP version, so the prewarm exercises
 * the server code the run will (node:http2's compatibility layer and HPACK under HTTP/2, not
 * node:http's parser). Under HTTP/2 each connection carries one request at a time (pipelining 1), as
 * the simulated clients do; otherwise undici would multiplex every request onto one connection.
 */
import { Pool } from 'undici';
import type { HttpVersion } from '../../servers/contract/wire-options.ts';
import { h2ConnectorOptions } from './http-dispatcher.ts';

export interface DirectPoolOptions {
  connections: number;
  http?: HttpVersion;
  /** TLS (an https origin): the only certificate to trust. */
  ca?: string;
}

export function directPool(origin: string, options: DirectPoolOptions): Pool {
  return new Pool(origin, {
    connections: options.connections,
    ...(options.http === '2' && { pipelining: 1, pingInterval: 0 }),
    // Connector options: the Pool builds its connector from these and leaves its own `useH2c` out.
    connect: {
      ...h2ConnectorOptions(options.http, origin.startsWith('https:')),
      ...(options.ca !== undefined && { ca: options.ca }),
    },
  });
}
