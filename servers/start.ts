/**
 * Starts one configured server (a feed transport or a calibration echo) on port 0 and returns its
 * real port, a stats function and an awaited close. Used by servers/main.ts (one process per server)
 * and directly by the integration tests.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:net';
import { Feed } from './feed.ts';
import { createHost } from './http-host.ts';
import { createHttp2Host } from './http2-host.ts';
import { createTcpEcho, createWsEcho } from './echo.ts';
import { createProcessStats } from './contract/process-stats.ts';
import type { ServerStats } from './contract/server-ipc.ts';
import { attachers } from './transports/index.ts';
import { acceptMessagePosts } from './messages.ts';
import { Upstream } from './upstream.ts';
import { RedisUpstream } from './redis-upstream.ts';
import { TRANSPORT_TRAITS } from './contract/transport-traits.ts';
import type { ServerCounters } from './counters.ts';
import type { ServerConfig } from './contract/server-config.ts';
import { DEFAULT_SERVER_LIMITS } from './contract/server-limits.ts';
import { applyLimits } from './limits.ts';
import { nowNs } from './contract/clock.ts';

export interface RunningServer {
  port: number;
  /** nowNs() just before listen() was called: no client can have connected earlier. */
  listeningNs: bigint;
  /** The feed, for feed servers (tests with an in-process feed publish into it directly). */
  feed: Feed | undefined;
  stats(options?: { resetWindow?: boolean; gc?: boolean }): ServerStats;
  close(): Promise<void>;
}

/**
 * Listens on `port` (0: any free one). A server restarted mid-run (workload `restart`) binds its
 * predecessor's port again: node sets SO_REUSEADDR on listening TCP sockets (libuv), so the killed
 * process's connections left in TIME_WAIT do not block the bind.
 */
function listen(server: Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** How long a feed server waits for its upstream publisher to accept the first connection. */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const processStats = createProcessStats();
  let counters: ServerCounters;
  let feed: Feed | undefined;
  let upstream: Upstream | RedisUpstream | undefined;
  let gauges: () => Record<string, number> = () => ({});
  let closeServer: () => Promise<void>;
  let port: number;
  let listeningNs: bigint;

  if (config.role === 'echo') {
    const echo = config.kind === 'tcp' ? createTcpEcho(config.tls) : createWsEcho(config.tls);
    counters = echo.counters;
    listeningNs = nowNs();
    port = await listen(echo.server, config.host);
    closeServer = echo.close;
  } else {
    feed = new Feed({ ringCapacity: config.feed.ringCapacity, pushDelayMs: config.inject?.pushDelayMs });
    const onWs = TRANSPORT_TRAITS[config.transport].httpStack === 'ws';
    if (onWs && config.http === '2')
      throw new Error(
        `${config.transport} runs on its HTTP/1.1 upgrade only: ws has no WebSocket over HTTP/2 (RFC 8441).`,
      );
    const host = (config.http === '2' ? createHttp2Host : createHost)(
      onWs ? 'node' : config.framework,
      config.inject?.extraResponseHeaderBytes,
      config.tls,
      config.responseHeaders,
      { allowOrigins: config.allowOrigins, host: config.host },
    );
    const limits = { ...DEFAULT_SERVER_LIMITS, ...config.limits };
    applyLimits(host.server, config.http === '2', limits, host.counters);
    const attached = attachers[config.transport](host, feed, {
      perMessageDeflate: config.perMessageDeflate,
      encoding: config.encoding,
      compression: config.compression,
      limits,
      keepAlive: config.keepAlive,
    });
    // Upstream messages over HTTP, whatever the feed's transport (WebSocket's arrive on its connection).
    acceptMessagePosts(host);
    counters = host.counters;
    gauges = attached.gauges;
    listeningNs = nowNs();
    port = await listen(host.server, config.host, config.port);
    const source = config.feed.upstream;
    if (source !== 'in-process') {
      const connecting =
        'redis' in source
          ? new RedisUpstream({ ...source.redis, feed })
          : new Upstream({ host: source.host, port: source.port, feed });
      try {
        await connecting.start(UPSTREAM_CONNECT_TIMEOUT_MS);
      } catch (err) {
        attached.close();
        host.counters.destroyAll();
        await new Promise<void>((resolve) => host.server.close(() => resolve()));
        processStats.stop();
        throw err;
      }
      upstream = connecting;
    }
    const connected = upstream;
    closeServer = () =>
      new Promise((resolve) => {
        connected?.close();
        attached.close();
        host.server.close(() => resolve());
        host.counters.destroyAll();
      });
  }

  let closed: Promise<void> | undefined;
  return {
    port,
    listeningNs,
    feed,
    stats(options = {}) {
      // A new measurement window: arrival lag counts from here (the loop delay resets below).
      if (options.resetWindow) upstream?.resetWindow();
      return {
        process: processStats.snapshot({ resetWindow: options.resetWindow ?? false, gc: options.gc ?? false }),
        counters: counters.snapshot(),
        feed: feed && {
          latestSeq: feed.latestSeq,
          subscribers: feed.subscriberCount,
          duplicateEvents: feed.duplicateEvents,
          gapEvents: feed.gapEvents,
          upstream: upstream?.stats() ?? null,
        },
        gauges: gauges(),
      };
    },
    close() {
      closed ??= closeServer().finally(() => processStats.stop());
      return closed;
    },
  };
}
