/**
 * A server group (config `processes` N > 1: servers/main.ts as a cluster primary over N workers) in
 * its own process, as the orchestrator runs it, and the upstream that feeds it. The upstream is a
 * parameter of the tests that use this (`GroupUpstream`): the publisher's TCP wire by default; the
 * same tests run behind a broker by passing another opener.
 */
import { openFeed } from '../../bench/publisher/feed.ts';
import { startRedisServer } from '../../bench/broker/redis-server.ts';
import { streamKey } from '../../servers/contract/broker-stream.ts';
import type { ServerConfig, UpstreamConfig } from '../../servers/contract/server-config.ts';
import type { ClusterMember, FromServer, ServerStats, ToServer } from '../../servers/contract/server-ipc.ts';
import { HOST, withTimeout } from './harness.ts';
import { forkServerMain } from './server-process.ts';

/** The primary boots tsx, then its workers do (in parallel): seconds on a busy 2-core machine. */
const BOOT_MS = 30_000;

/** A feed the group reads, published from outside it. */
export interface GroupUpstream {
  config: UpstreamConfig;
  /** The newest seq published so far. */
  lastSeq(): number;
  close(): Promise<void>;
}

export type OpenUpstream = (ratePerSec: number) => Promise<GroupUpstream>;

/** The publisher's own feed over its TCP wire (bench/publisher), each server process its own connection. */
export const tcpPublisher: OpenUpstream = async (ratePerSec) => {
  const feed = await openFeed({ shape: { kind: 'steady', ratePerSec }, payloadBytes: 32, ringCapacity: 10_000 }, HOST);
  return { config: { host: HOST, port: feed.port }, lastSeq: () => feed.runner.lastSeq, close: () => feed.close() };
};

let streams = 0;
/**
 * Behind a broker (`--broker redis`): a redis-server of its own (free port, no persistence), the
 * publisher appending to a fresh stream, every server process reading it on its own connection.
 */
export const redisPublisher: OpenUpstream = async (ratePerSec) => {
  const redis = await startRedisServer({ cpus: null });
  try {
    const broker = { url: redis.url, key: streamKey(process.pid, ++streams) };
    const feed = await openFeed(
      { shape: { kind: 'steady', ratePerSec }, payloadBytes: 32, ringCapacity: 10_000, broker },
      HOST,
    );
    return {
      config: { redis: broker },
      lastSeq: () => feed.runner.lastSeq,
      close: async () => {
        await feed.close();
        await redis.stop();
      },
    };
  } catch (err) {
    await redis.stop();
    throw err;
  }
};

export interface ServerGroupProcess {
  port: number;
  primaryPid: number;
  stats(): Promise<ServerStats>;
  /** The group's living workers, by index (from a stats answer). */
  workers(): Promise<ClusterMember[]>;
  /** kill-worker over IPC; resolves with the killed pid once it is gone. */
  killWorker(index: number): Promise<number>;
  /** Ends the primary: SIGTERM, SIGKILL (no chance to stop its workers), or its parent's IPC channel closing. */
  end(how: 'SIGTERM' | 'SIGKILL' | 'disconnect'): Promise<void>;
  stderr(): string;
}

/** `config`: a feed server's (tests/helpers/harness.ts feedConfig); the group runs `processes` of it. */
export async function spawnServerGroup(config: ServerConfig, processes: number): Promise<ServerGroupProcess> {
  if (config.role !== 'feed') throw new Error('a server group serves a feed');
  const { child, stderr, exited, exitedWith } = forkServerMain({ ...config, processes });
  const answers = new Map<number, (stats: ServerStats) => void>();
  const killed = new Map<number, (pid: number) => void>();
  let ready: ((port: number) => void) | undefined;
  child.on('message', (m: FromServer) => {
    if (m.type === 'ready') ready?.(m.port);
    else if (m.type === 'stats') answers.get(m.id)?.(m.stats);
    else if (m.type === 'worker-killed') killed.get(m.index)?.(m.pid);
  });
  const end = async (how: 'SIGTERM' | 'SIGKILL' | 'disconnect') => {
    if (exitedWith() !== undefined) return;
    if (how === 'disconnect') child.disconnect();
    else child.kill(how);
    await withTimeout(exited, 5000, 'server group primary exit').catch(async (err: unknown) => {
      child.kill('SIGKILL');
      await exited;
      throw err;
    });
  };
  let port: number;
  try {
    port = await withTimeout(
      Promise.race([
        new Promise<number>((resolve) => (ready = resolve)),
        exited.then(() => Promise.reject(new Error(`server group exited before ready (${exitedWith()}): ${stderr()}`))),
      ]),
      BOOT_MS,
      'server group ready',
    );
  } catch (err) {
    await end('SIGKILL');
    throw err;
  }
  let nextId = 1;
  const stats = () => {
    const id = nextId++;
    const answer = new Promise<ServerStats>((resolve) => answers.set(id, resolve));
    child.send({ type: 'stats', id, resetWindow: false, gc: false } satisfies ToServer);
    return withTimeout(answer, 8000, 'server group stats').finally(() => answers.delete(id));
  };
  return {
    port,
    primaryPid: child.pid!,
    stats,
    async workers() {
      const { cluster } = await stats();
      return cluster!.members.filter((m) => m.role === 'worker' && m.alive);
    },
    killWorker(index) {
      const done = new Promise<number>((resolve) => killed.set(index, resolve));
      child.send({ type: 'kill-worker', index } satisfies ToServer);
      return withTimeout(done, 8000, `kill-worker ${index}`);
    },
    end,
    stderr,
  };
}
