/**
 * The plan's broker (`--broker redis`): one redis-server for every job of the plan that reads its feed
 * through Redis, started before calibration and stopped at the plan's end (it is registered with
 * bench/child.ts, so a failure or Ctrl-C stops it too). Each such run gets a fresh stream
 * (servers/contract/broker-stream.ts streamKey) and a probe that reads, at the window's edges, what
 * the broker cost: its CPU and resident memory (from /proc, outside Redis), Redis' own used_memory
 * and the stream's length (INFO and XLEN on the harness's own connection: two commands at each edge,
 * the only work the harness asks of Redis during a run).
 */
import { Redis } from 'ioredis';
import { BrokerUnavailableError, REDIS_INSTALL_HINT, findRedisServer, startRedisServer } from './redis-server.ts';
import type { RunningRedis } from './redis-server.ts';
import { streamKey, type RedisStream } from '../../servers/contract/broker-stream.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { JobParams } from '../result-schema.ts';

/** One reading at a window edge. */
interface BrokerSample {
  atNs: bigint;
  cpuUs: number;
  rssBytes: number | null;
  usedMemoryBytes: number | null;
  streamLength: number;
}

/** What the broker cost over one run's window (bench/broker/broker-metrics.ts turns it into metrics). */
export interface BrokerWindow {
  /** redis-server's CPU time between the edges, and the wall time between them. */
  cpuMs: number;
  wallMs: number;
  /** At the window's end. */
  rssBytes: number | null;
  usedMemoryBytes: number | null;
  streamLength: number;
}

/** A run's stream and its probe. */
export interface BrokerRun {
  stream: RedisStream;
  sample(): Promise<BrokerSample>;
}

/** The result's record of the broker: what ran, how, where (the url carries no credentials). */
export interface BrokerContext {
  name: 'redis';
  version: string;
  args: string[];
  url: string;
  cpus: string | null;
}

export interface PlanBroker {
  context: BrokerContext;
  /** A fresh stream for the next feed. */
  nextRun(): BrokerRun;
  stop(): Promise<void>;
}

const needsRedis = (jobs: readonly { params: Pick<JobParams, 'broker'> }[]) =>
  jobs.some((j) => j.params.broker === 'redis');

/**
 * Before anything starts: the redis-server binary when any job needs it. Throws BrokerUnavailableError
 * (its message is REDIS_INSTALL_HINT: the CLI prints it and exits 2) when it is missing.
 */
export function requireBroker(
  jobs: readonly { params: Pick<JobParams, 'broker'> }[],
): { path: string; version: string } | null {
  if (!needsRedis(jobs)) return null;
  const found = findRedisServer();
  if (!found) throw new BrokerUnavailableError(REDIS_INSTALL_HINT);
  return found;
}

/** `used_memory:<bytes>` from INFO memory, or null when absent. */
export function usedMemory(info: string): number | null {
  const value = /^used_memory:(\d+)\r?$/m.exec(info)?.[1];
  return value === undefined ? null : Number(value);
}

/** A URL for the record: no user name or password, whatever it was given. */
function withoutSecrets(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** Starts redis-server when any job needs it (pinned to `cpus`, where the publisher runs); null otherwise. */
export async function startPlanBroker(
  jobs: readonly { params: Pick<JobParams, 'broker'> }[],
  cpus: string | null,
): Promise<PlanBroker | null> {
  const binary = requireBroker(jobs);
  if (!binary) return null;
  const redis: RunningRedis = await startRedisServer({ cpus, binary });
  const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'pollbench-probe' });
  // A dropped probe connection fails a reading (the run records the error), never the plan.
  probe.on('error', () => {});
  let feeds = 0;
  return {
    context: { name: 'redis', version: redis.version, args: redis.args, url: withoutSecrets(redis.url), cpus },
    nextRun() {
      const stream = { url: redis.url, key: streamKey(process.pid, ++feeds) };
      return {
        stream,
        async sample() {
          if (probe.status === 'wait') await probe.connect();
          const [info, length] = await Promise.all([probe.info('memory'), probe.xlen(stream.key)]);
          return {
            atNs: nowNs(),
            cpuUs: redis.cpuUs(),
            rssBytes: redis.rssBytes(),
            usedMemoryBytes: usedMemory(info),
            streamLength: length,
          };
        },
      };
    },
    async stop() {
      probe.disconnect();
      await redis.stop();
    },
  };
}

/** The window between two readings. */
export function brokerWindow(start: BrokerSample, end: BrokerSample): BrokerWindow {
  return {
    cpuMs: (end.cpuUs - start.cpuUs) / 1000,
    wallMs: Number(end.atNs - start.atNs) / 1e6,
    rssBytes: end.rssBytes,
    usedMemoryBytes: end.usedMemoryBytes,
    streamLength: end.streamLength,
  };
}
