import type { Feed } from '../feed.ts';
import type { TransportHost } from '../http-host.ts';

import type { TransportName } from '../contract/protocol.ts';
import type { ServerLimits } from '../contract/server-limits.ts';
import type { Compression, EventEncoding, ResponseHeaderProfile } from '../contract/wire-options.ts';
import type { KeepAlive } from '../contract/server-limits.ts';

export type { TransportName };

export interface TransportOptions {
  /** ws only: permessage-deflate. Off unless a scenario turns it on (client and server defaults differ). */
  perMessageDeflate: boolean;
  /** The job's wire options (servers/contract/wire-options.ts); absent means each one's default. */
  responseHeaders?: ResponseHeaderProfile;
  encoding?: EventEncoding;
  compression?: Compression;
  /** The server's limits: the config's, over DEFAULT_SERVER_LIMITS for what it leaves out. */
  limits: ServerLimits;
  /** Keep-alives to idle clients (servers/keep-alive.ts); absent: none. */
  keepAlive?: KeepAlive;
}

/** What attach() gives back: live gauges for stats and tests, and a close that drops all clients. */
export interface AttachedTransport {
  /** Transport-specific gauges, e.g. parked long-poll requests or open streams. */
  gauges(): Record<string, number>;
  close(): void;
}

/** The one shape every transport file exports. */
export type Attach = (host: TransportHost, feed: Feed, options: TransportOptions) => AttachedTransport;
