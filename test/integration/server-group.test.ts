/**
 * Two server processes on one address (config `processes: 2`, servers/cluster-primary.ts), driven by
 * the real clients of bench/clients for a poll, a stream and a WebSocket, fed by a real publisher:
 * every client gets every event exactly once and in order whichever process serves it; a client that
 * resumes on the other process misses nothing; a worker SIGKILLed mid-run is replaced and its clients
 * resume on the others and miss nothing; and ending the primary, however, leaves no process behind.
 *
 * Behind Redis (`--broker redis`, the deployment the CLI runs with several processes: every worker reads
 * one stream on its own connection) for every case, and once on the publisher's own TCP wire, which
 * a server config may still name: the same checks hold for both.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { clientFactories, type TransportClient, type TransportName } from '../../bench/clients/index.ts';
import type { ClusterMember } from '../../servers/contract/server-ipc.ts';
import { HOST, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';
import type { ServerConfig } from '../../servers/contract/server-config.ts';

type FeedServerConfig = Extract<ServerConfig, { role: 'feed' }>;
import {
  redisPublisher,
  spawnServerGroup,
  tcpPublisher,
  type OpenUpstream,
  type ServerGroupProcess,
} from '../helpers/server-group.ts';
import { findRedisServer } from '../../bench/broker/redis-server.ts';
import { waitGone } from '../../bench/process-gone.ts';

const installed = findRedisServer() !== null;
// CI installs redis-server (.ci/run): there a missing one is a failure, not a skip.
const skipRedis =
  !installed && !process.env['CI'] ? 'redis-server is not installed (apt-get install redis-server)' : false;
const UPSTREAMS: Record<'redis' | 'tcp', OpenUpstream> = { redis: redisPublisher, tcp: tcpPublisher };
const RATE_PER_SEC = 50;
const WAIT_MS = 10_000;
const CLIENTS = 4;

/** One poll, one stream, one WebSocket; each group is ended a different way. */
/**
 * One poll, one stream, one WebSocket. The worker is killed through the primary (`kill-worker`: it
 * is snapshotted first, so its figures stay exact) or from outside (a plain SIGKILL: the primary
 * counts an exit whose last figures are missing); each group is ended a different way.
 */
const CASES: {
  transport: TransportName;
  kill: 'ipc' | 'signal';
  end: 'SIGTERM' | 'SIGKILL' | 'disconnect';
  upstream: 'redis' | 'tcp';
}[] = [
  { transport: 'long-poll', kill: 'ipc', end: 'disconnect', upstream: 'redis' },
  { transport: 'sse', kill: 'signal', end: 'SIGKILL', upstream: 'redis' },
  { transport: 'ws', kill: 'ipc', end: 'SIGTERM', upstream: 'redis' },
  { transport: 'ws', kill: 'signal', end: 'SIGTERM', upstream: 'tcp' },
];

interface Watched {
  client: TransportClient;
  seqs: number[];
}

function open(transport: TransportName, port: number): Watched {
  const seqs: number[] = [];
  const client = clientFactories[transport]({
    host: HOST,
    port,
    since: 0,
    onEvents: (events) => seqs.push(...events.map((e) => e.seq)),
    longPollWaitMs: 1000,
    reconnectDelayMs: 50,
  });
  return { client, seqs };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function assertExactlyOnceInOrder(w: Watched, label: string): void {
  assert.ok(w.seqs.length > 0, `${label}: got events`);
  assert.deepEqual(w.seqs, range(1, w.client.lastSeq), `${label}: every event exactly once, in order`);
}

/** Reads `read` every 50 ms until `ok` holds (bounded), and returns what held. */
async function readUntil<T>(read: () => Promise<T>, ok: (t: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const t = await read();
    if (ok(t)) return t;
    if (Date.now() > deadline) throw new Error(`not within ${WAIT_MS} ms: ${label}: ${JSON.stringify(t)}`);
    await sleep(50);
  }
}

/** The worker serving the group's one client: the only living worker with a client socket open. */
async function servingWorker(group: ServerGroupProcess): Promise<ClusterMember> {
  const serving = await readUntil(
    async () => (await group.workers()).filter((w) => w.openSockets > 0),
    (s) => s.length === 1 && s[0]!.openSockets === 1,
    'one worker serves the one client',
  );
  return serving[0]!;
}

/** Until `target`, in the background's pace: published events have reached every client. */
async function allReach(clients: readonly Watched[], target: number, label: string): Promise<void> {
  await waitUntil(
    () => clients.every((w) => w.client.lastSeq >= target),
    WAIT_MS,
    () => `${label}: lastSeq ${clients.map((w) => w.client.lastSeq).join(', ')} < ${target}`,
  );
}

/** Processes whose command line holds `text` (the group's config is its argument). */
function processesWith(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('two server processes on one address', { concurrency: true }, () => {
  for (const { transport, kill, end, upstream: via } of CASES) {
    const skip = via === 'redis' ? skipRedis : false;
    test(
      `${transport} behind ${via}: exactly once and in order on either process, across a resume on the other and a killed worker`,
      { skip },
      async () => {
        const upstream = await UPSTREAMS[via](RATE_PER_SEC);
        const group = await spawnServerGroup(feedConfig(transport, 'node', upstream.config), 2);
        const clients: Watched[] = [];
        try {
          const initial = await group.workers();
          assert.deepEqual(
            initial.map((w) => w.index),
            [0, 1],
          );

          // One client alone: find its process, drop it, and it resumes (since=) on the other one
          // (round robin hands the next connection to the next worker).
          const first = open(transport, group.port);
          clients.push(first);
          await withTimeout(first.client.start(), WAIT_MS, `${transport} start`);
          await allReach(clients, 5, 'first events');
          let before = await servingWorker(group);
          let after = before;
          for (let attempt = 0; attempt < 4 && after.pid === before.pid; attempt++) {
            before = after;
            const dropsBefore = first.client.drops.length;
            assert.ok(first.client.drop(100), 'drop accepted');
            await waitUntil(
              () => first.client.drops[dropsBefore]?.firstEventNs !== undefined,
              WAIT_MS,
              'resumed after the drop',
            );
            after = await servingWorker(group);
          }
          assert.notEqual(after.pid, before.pid, 'the client resumed on the other process');
          await allReach(clients, upstream.lastSeq() + 5, 'after the resume');
          assertExactlyOnceInOrder(first, 'resumed on the other process');

          // More clients: round robin spreads them, and both processes serve some.
          for (let i = 1; i < CLIENTS; i++) {
            const w = open(transport, group.port);
            clients.push(w);
            await withTimeout(w.client.start(), WAIT_MS, `${transport} start ${i}`);
          }
          await allReach(clients, upstream.lastSeq() + 5, 'every client live');
          const spread = await group.workers();
          assert.ok(
            spread.every((w) => w.openSockets > 0),
            `both processes have clients: ${JSON.stringify(spread.map((w) => [w.index, w.openSockets]))}`,
          );
          assert.equal(
            spread.reduce((s, w) => s + w.openSockets, 0),
            CLIENTS,
          );

          // A worker killed mid-run: its clients resume on the others, and the primary replaces it.
          const victim = spread.find((w) => w.index === 0)!;
          if (kill === 'ipc') assert.equal(await group.killWorker(0), victim.pid);
          else process.kill(victim.pid, 'SIGKILL');
          const replaced = await readUntil(
            () => group.workers(),
            (ws) => ws.length === 2 && ws.every((w) => w.pid !== victim.pid),
            'a new worker 0',
          );
          assert.deepEqual(
            replaced.map((w) => w.index),
            [0, 1],
            'worker 0 replaced',
          );
          assert.ok(replaced.every((w) => w.pid !== victim.pid));
          await allReach(clients, upstream.lastSeq() + 10, 'after the kill');
          for (const [i, w] of clients.entries()) assertExactlyOnceInOrder(w, `client ${i}`);
          const after2 = await group.stats();
          assert.equal(after2.cluster?.workerRestarts, 1);
          assert.equal(
            after2.cluster?.exitsUncounted,
            kill === 'ipc' ? 0 : 1,
            kill === 'ipc'
              ? 'the killed worker was snapshotted first'
              : 'a worker killed from outside is counted as such',
          );
          assert.equal(after2.counters.openSockets, CLIENTS, 'every client connected again');
          assert.equal(after2.feed?.duplicateEvents, 0);
          assert.equal(after2.cluster?.staleSnapshots, 0, 'every living worker answered in time');
          // The workers' arrival lags merged from their histograms: a p50 (it was lost), within the others.
          const lag = after2.feed?.upstream?.arrivalLag;
          assert.ok(lag && lag.events > 0 && lag.p50Us !== undefined, JSON.stringify(lag));
          assert.ok(lag.p50Us <= lag.p99Us && lag.p99Us <= lag.maxUs + lag.maxUs / 1000, JSON.stringify(lag));
          assert.equal(lag.histogram, undefined, 'merged: no histogram passed on');

          // Ending the primary ends the group: no worker outlives it.
          const pids = [group.primaryPid, ...(after2.cluster?.members ?? []).map((m) => m.pid)];
          await Promise.all(clients.map((w) => withTimeout(w.client.close(), 5000, 'client close')));
          clients.length = 0;
          await group.end(end);
          await waitGone(pids, 5000);
        } finally {
          await Promise.all(clients.map((w) => withTimeout(w.client.close(), 5000, 'client close')));
          await group.end('SIGKILL');
          await upstream.close();
        }
      },
    );
  }

  test('a worker that cannot start fails the group with its reason, and leaves no process behind', async () => {
    const upstream = await tcpPublisher(RATE_PER_SEC);
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, HOST, resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        spawnServerGroup({ ...(feedConfig('ws', 'node', upstream.config) as FeedServerConfig), port }, 2),
        // The worker's own line, then the primary's.
        /EADDRINUSE.*could not start: worker \d exited \(code 1, signal null\) before it was ready/s,
      );
      await waitGone(processesWith(`"port":${port},"processes":2`), 5000);
    } finally {
      busy.close();
      await upstream.close();
    }
  });
});
