/**
 * Starts one configured server (a feed transport or a calibration echo) on port 0 and returns its
 * real port, a stats function and an awaited close. Used by servers/main.ts (one process per server)
 * and directly by the integration tests.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:net';
import { Feed } from './feed.ts';
import { createHost } from './http-host.ts';
import { createTcpEcho, createWsEcho } from './echo.ts';
import { createProcessStats, type ProcessStats } from './process-stats.ts';
import { attachers } from './transports/index.ts';
import type { CounterSnapshot, ServerCounters } from './counters.ts';
import type { PublisherLateness } from './feed.ts';
import type { ServerConfig } from './config.ts';

export interface ServerStats {
  process: ProcessStats;
  counters: CounterSnapshot;
  /** Present for feed servers. */
  feed?: { startNs: string; latestSeq: number; subscribers: number; publisherLateness: PublisherLateness };
  gauges: Record<string, number>;
}

export interface RunningServer {
  port: number;
  /** The feed, for feed servers (tests publish into it directly). */
  feed: Feed | undefined;
  stats(options?: { resetWindow?: boolean; gc?: boolean }): ServerStats;
  close(): Promise<void>;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export interface StartOptions {
  /** Start publishing on the schedule right away (default true). Tests publish by hand instead. */
  autoPublish?: boolean;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const processStats = createProcessStats();
  let counters: ServerCounters;
  let feed: Feed | undefined;
  let gauges: () => Record<string, number> = () => ({});
  let closeServer: () => Promise<void>;
  let port: number;

  if (config.role === 'echo') {
    const echo = config.kind === 'tcp' ? createTcpEcho() : createWsEcho();
    counters = echo.counters;
    port = await listen(echo.server, config.host);
    closeServer = echo.close;
  } else {
    feed = new Feed({ ...config.feed, pushDelayMs: config.inject?.pushDelayMs });
    const host = createHost(config.transport === 'ws' ? 'node' : config.framework, config.inject?.extraResponseHeaderBytes);
    const attached = attachers[config.transport](host, feed, { perMessageDeflate: config.perMessageDeflate });
    counters = host.counters;
    gauges = attached.gauges;
    port = await listen(host.server, config.host);
    const started = feed;
    if (options.autoPublish !== false) started.start();
    closeServer = () =>
      new Promise((resolve) => {
        started.stop();
        attached.close();
        host.server.close(() => resolve());
        host.counters.destroyAll();
      });
  }

  let closed: Promise<void> | undefined;
  return {
    port,
    feed,
    stats(options = {}) {
      // A new measurement window: publisher lateness counts from here (the loop delay resets below).
      if (options.resetWindow) feed?.resetLateness();
      return {
        process: processStats.snapshot({ resetWindow: options.resetWindow ?? false, gc: options.gc ?? false }),
        counters: counters.snapshot(),
        feed: feed && {
          startNs: (feed.startNs ?? 0n).toString(),
          latestSeq: feed.latestSeq,
          subscribers: feed.subscriberCount,
          publisherLateness: feed.publisherLateness(),
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
