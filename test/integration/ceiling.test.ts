/**
 * Past the connect ceiling a run still ends, in bounded time, with figures and a diagnosis. A real
 * ws server on port 0 sits behind a TCP proxy that passes the first CONNECTABLE connections and
 * holds every later one open without an answer (a server that stopped accepting, as a saturated one
 * did). The run is the load generator's own runJob, in this process, with the server snapshotted at
 * the same checkpoints as the orchestrator does.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';
import { runJob } from '../../bench/load/run-job.ts';
import { deriveMetrics } from '../../bench/metrics.ts';
import { bottleneckWarning, diagnoseRun } from '../../bench/diagnosis.ts';
import { completedRunSchema, type JobParams } from '../../bench/result-schema.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { DEFAULT_WIRE } from '../../bench/wire-params.ts';
import { DEFAULT_WORKLOAD } from '../../bench/workload-params.ts';
import { DEFAULT_DEPLOYMENT } from '../../bench/deployment-params.ts';
import { clientFactories } from '../../bench/clients/index.ts';
import { openFeed } from '../../bench/publisher/feed.ts';
import { HOST, feedConfig, withTimeout } from '../helpers/harness.ts';

const CLIENTS = 12;
const CONNECTABLE = 8;

/** Forwards the first `pass` connections to `port`; later ones are accepted and never answered. */
async function gate(port: number, pass: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (++accepted > pass) return; // held: the handshake never gets an answer
    const upstream = net.connect({ host: HOST, port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('a run past the connect ceiling', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });

  test('the ws handshake times out (it waited forever when our socket factory dropped the timeout)', async () => {
    const black = await gate(1, 0);
    closers.push(black.close);
    const client = clientFactories.ws({
      host: HOST,
      port: black.port,
      since: 0,
      connectTimeoutMs: 300,
      onEvents: () => {},
    });
    try {
      await assert.rejects(withTimeout(client.start(), 5000, 'ws start()'), /handshake has timed out/);
    } finally {
      await client.close();
    }
  });

  test('ends with figures for the clients it has, "only N of M connected" and a named bottleneck', async () => {
    // A real feed on the schedule, published from outside the server as in a run.
    const feed = await openFeed(
      { shape: { kind: 'steady', ratePerSec: 20 }, payloadBytes: 32, ringCapacity: 10_000 },
      HOST,
    );
    closers.push(() => feed.close());
    const server: RunningServer = await startServer(feedConfig('ws', 'node', { host: HOST, port: feed.port }));
    closers.push(() => server.close());
    const proxy = await gate(server.port, CONNECTABLE);
    closers.push(proxy.close);

    const params: JobParams = {
      transport: 'ws',
      framework: 'node',
      clients: CLIENTS,
      shape: { kind: 'steady', ratePerSec: 20 },
      payloadBytes: 32,
      pollIntervalMs: null,
      longPollWaitMs: null,
      perMessageDeflate: false,
      ...DEFAULT_WIRE,
      ...DEFAULT_WORKLOAD,
      ...DEFAULT_DEPLOYMENT,
      ...DIRECT_PATH,
    };
    const snapshots: Partial<Record<'idle' | 'start' | 'end' | 'retained', ServerStats>> = {};
    const started = Date.now();
    const report = await withTimeout(
      runJob(
        { port: proxy.port, serverPort: server.port, serverTls: false },
        feed.startNs,
        params,
        {
          warmupMs: 200,
          measureMs: 1000,
          drainMs: 200,
          prewarmRequests: 0,
          alignToPollIntervalsMs: [],
          connectDeadlineMs: 1500,
        },
        {
          progress: () => {},
          checkpoint: async (name) => {
            if (name === 'idle') snapshots.idle = server.stats({ gc: false });
            if (name === 'window') snapshots.start = server.stats({ resetWindow: true });
            if (name === 'drained') snapshots.retained = server.stats();
          },
          windowEnded: () => {
            snapshots.end = server.stats();
          },
        },
      ),
      30_000,
      'runJob past the connect ceiling',
    );
    const elapsedMs = Date.now() - started;

    assert.equal(report.clientsConnected, CONNECTABLE);
    assert.deepEqual(
      { ...report.connect!, elapsedMs: 0, examples: [] },
      {
        requested: CLIENTS,
        connected: CONNECTABLE,
        deadlineMs: 1500,
        elapsedMs: 0,
        unconnected: CLIENTS - CONNECTABLE,
        failures: { timeout: 0, descriptors: 0, refused: 0, other: 0 },
        examples: [],
      },
    );
    // It waited for the deadline (a Node timer may fire up to ~1 ms early against hrtime).
    assert.ok(report.connect!.elapsedMs >= 1498, `the phase waited for the deadline (${report.connect!.elapsedMs} ms)`);
    // The window counts the connected clients only, and they got everything.
    const windowSeqs = report.lastSeq - report.firstSeq + 1;
    assert.ok(windowSeqs >= 15, `window seqs ${windowSeqs}`);
    assert.equal(report.delivery.expected, windowSeqs * CONNECTABLE);
    assert.equal(report.delivery.lost, 0);
    assert.equal(report.delivery.delivered, report.delivery.expected);

    const { metrics, totals, warnings } = deriveMetrics(params, report, {
      idle: snapshots.idle!,
      start: snapshots.start!,
      end: snapshots.end!,
      retained: snapshots.retained!,
    });
    const bottleneck = diagnoseRun(report, metrics);
    assert.equal(bottleneck?.resource, 'connect-backlog');
    warnings.push(bottleneckWarning(bottleneck!));
    const text = warnings.map((w) => w.message).join('\n');
    const unconnected = warnings.find((w) => w.code === 'clients-unconnected');
    assert.equal(unconnected?.message, `only ${CONNECTABLE} of ${CLIENTS} clients connected`, text);
    assert.deepEqual([unconnected?.value, unconnected?.limit], [CONNECTABLE, CLIENTS]);
    assert.equal(warnings.at(-1)!.code, 'bottleneck-connect-backlog');
    assert.match(
      warnings.at(-1)!.message,
      /^bottleneck: connect backlog: 8 of 12 clients connected within the 1.5 s connect deadline/,
    );

    // What the orchestrator records is a valid completed run.
    const run = completedRunSchema.parse({
      status: 'completed',
      repetition: 1,
      startedAt: new Date(started).toISOString(),
      wallMs: elapsedMs,
      window: {
        warmupMs: 200,
        measureMs: Number(BigInt(report.endNs) - BigInt(report.startNs)) / 1e6,
        drainMs: report.drainedMs,
        firstSeq: report.firstSeq,
        lastSeq: report.lastSeq,
      },
      metrics,
      latency: report.latency,
      connectMs: report.connectMs,
      firstEventMs: report.firstEventMs,
      totals,
      pinning: { server: null, load: null },
      warnings,
      connect: report.connect,
      bottleneck,
    });
    assert.equal(run.metrics['events_delivered']!.value, windowSeqs * CONNECTABLE);
    assert.equal(totals['clientsConnected'], CONNECTABLE);
  });
});
