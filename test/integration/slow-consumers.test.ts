/**
 * Slow consumers (issue 12 defect 2; servers/slow-consumer.ts): clients that stop reading are dropped
 * once the bytes queued for them pass slowConsumerMaxBytes (WebSocket: close 1013; SSE: the stream
 * ends), the server never holds more than that plus one event for any client, healthy clients get
 * every event once and in order, and a dropped client that resumes from its last seq misses nothing.
 * A backlog on connect is paged under the same bound while live events keep arriving.
 *
 * The clients are hand-written (ws with its socket paused, node:http with its response paused), so
 * what they see is independent of the bench clients. The feed is in-process, published by hand in
 * small batches that the healthy clients read before the next one: they never lag, so any drop of
 * theirs would be the policy's fault, and the slow clients pile up everything.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import WebSocket from 'ws';
import { decodeEvent, makePayload, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { feedConfig, HOST, waitUntil, withTimeout } from '../helpers/harness.ts';

/** Small, so the test piles up a few times the limit in a few MiB of events. */
const LIMIT = 256 * 1024;
const PAYLOAD = makePayload(4096);
/** One event's frame on the wire, generously: the event JSON with its seq and time, plus framing. */
const FRAME_BOUND = 4096 + 512;
const WAIT_MS = 20_000;

type PushTransport = Extract<TransportName, 'ws' | 'sse'>;
const PUSH: PushTransport[] = ['ws', 'sse'];

/** A hand-written client of one push transport: the seqs it read, pause/resume, and how it ended. */
interface TestClient {
  seqs: number[];
  pause(): void;
  resume(): void;
  /** Resolves when the server ended the connection: the WebSocket close code, or 'end' for SSE. */
  ended: Promise<number | 'end'>;
  close(): void;
}

function openWsClient(port: number, since: number, paused: boolean): Promise<TestClient> {
  const ws = new WebSocket(`ws://${HOST}:${port}${WS_PATH}?since=${since}`, { perMessageDeflate: false });
  const seqs: number[] = [];
  ws.on('message', (data: Buffer) => seqs.push(decodeEvent(data.toString('utf8')).seq));
  const ended = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
  return withTimeout(
    new Promise<TestClient>((resolve, reject) => {
      ws.once('open', () => {
        // Handshake done, then nothing more is read from the socket: the kernel buffers fill, then the server's.
        if (paused) ws.pause();
        resolve({ seqs, pause: () => ws.pause(), resume: () => ws.resume(), ended, close: () => ws.terminate() });
      });
      ws.once('error', reject);
    }),
    5000,
    'WebSocket open',
  );
}

function openSseClient(port: number, since: number, paused: boolean): Promise<TestClient> {
  const seqs: number[] = [];
  let text = '';
  let response: http.IncomingMessage | undefined;
  let endedResolve: (how: 'end') => void = () => {};
  const ended = new Promise<'end'>((resolve) => (endedResolve = resolve));
  const req = http.get({ host: HOST, port, path: `${STREAM_PATH}?since=${since}`, agent: false });
  return withTimeout(
    new Promise<TestClient>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res) => {
        response = res;
        // The response head arrived; a paused response stops reading its socket once its buffer is full.
        if (paused) res.pause();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          let cut: number;
          while ((cut = text.indexOf('\n\n')) >= 0) {
            const frame = text.slice(0, cut);
            text = text.slice(cut + 2);
            const id = /^id: (\d+)$/m.exec(frame);
            if (id) seqs.push(Number(id[1]));
          }
        });
        res.once('end', () => endedResolve('end'));
        resolve({
          seqs,
          pause: () => response?.pause(),
          resume: () => response?.resume(),
          ended,
          close: () => req.destroy(),
        });
      });
    }),
    5000,
    'SSE response head',
  );
}

const openClient = (transport: PushTransport, port: number, since: number, paused = false) =>
  transport === 'ws' ? openWsClient(port, since, paused) : openSseClient(port, since, paused);

async function withServer(
  transport: PushTransport,
  ringCapacity: number,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const base = feedConfig(transport, 'node');
  if (base.role !== 'feed') throw new Error('unreachable');
  const server = await startServer({
    ...base,
    feed: { upstream: 'in-process', ringCapacity },
    limits: { slowConsumerMaxBytes: LIMIT },
  });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const publish = (server: RunningServer) => server.feed!.publish(nowNs(), PAYLOAD);
const dropped = (server: RunningServer) => server.stats().counters.slowConsumersDropped;
const peak = (server: RunningServer) => server.stats().gauges.clientBufferedPeakBytes ?? NaN;

/**
 * Publishes `count` events in batches of `batch`; after each, waits (bounded) until every healthy
 * client has read all of them, so only a client that does not read can fall behind.
 */
async function publishPaced(server: RunningServer, count: number, batch: number, healthy: TestClient[]) {
  for (let sent = 0; sent < count;) {
    for (let i = 0; i < batch && sent < count; i++, sent++) publish(server);
    const latest = server.feed!.latestSeq;
    const deadline = Date.now() + WAIT_MS;
    while (healthy.some((c) => (c.seqs.at(-1) ?? 0) < latest)) {
      assert.ok(Date.now() < deadline, `healthy clients did not read up to seq ${latest} within ${WAIT_MS} ms`);
      await yieldTurn();
    }
  }
}

describe('slow consumers', () => {
  for (const transport of PUSH) {
    test(`${transport}: clients that stop reading are dropped past the limit; healthy ones get every event; a dropped one resumes`, async () => {
      await withServer(transport, 10_000, async (server) => {
        const healthy = await Promise.all([0, 1, 2].map(() => openClient(transport, server.port, 0)));
        const slow = await Promise.all([0, 1].map(() => openClient(transport, server.port, 0, true)));
        try {
          // 3,000 events of 4 KiB: 12 MiB for each slow client, far past the kernel's buffers and the limit.
          const EVENTS = 3000;
          await publishPaced(server, EVENTS, 20, healthy);
          await waitUntil(
            () => dropped(server) === 2,
            WAIT_MS,
            () => `slow consumers dropped: ${dropped(server)}`,
          );
          for (const c of healthy)
            assert.deepEqual(c.seqs, range(1, EVENTS), 'a healthy client got every event once, in order');
          const peakBytes = peak(server);
          assert.ok(peakBytes > 0, 'the gauge saw bytes queued');
          assert.ok(
            peakBytes <= LIMIT + FRAME_BOUND,
            `at most the limit plus one event queued for a client: ${peakBytes} > ${LIMIT} + ${FRAME_BOUND}`,
          );
          // A slow client that reads again gets what was queued before its drop, then the drop itself.
          const [first, second] = slow as [TestClient, TestClient];
          first.resume();
          second.resume();
          const how = await withTimeout(first.ended, WAIT_MS, 'the dropped client sees its end');
          assert.equal(how, transport === 'ws' ? 1013 : 'end');
          await withTimeout(second.ended, WAIT_MS, 'the second dropped client sees its end');
          const got = first.seqs.length;
          assert.ok(got > 0 && got < EVENTS, `the dropped client read part of the feed (${got} events)`);
          assert.deepEqual(first.seqs, range(1, got), 'in order, no gap, up to its drop');
          // It resumes from its last seq like after any disconnect and misses nothing the ring holds.
          const resumed = await openClient(transport, server.port, got);
          await waitUntil(() => resumed.seqs.length === EVENTS - got, WAIT_MS, 'the resumed client catches up');
          publish(server);
          await waitUntil(() => resumed.seqs.at(-1) === EVENTS + 1, WAIT_MS, 'and gets live events after');
          assert.deepEqual([...first.seqs, ...resumed.seqs], range(1, EVENTS + 1));
          resumed.close();
          assert.equal(dropped(server), 2, 'nobody else was dropped');
        } finally {
          for (const c of [...healthy, ...slow]) c.close();
        }
      });
    });

    test(`${transport}: a resume from since=0 on a full ring is paged under the limit while live events keep arriving`, async () => {
      const RING = 2000;
      await withServer(transport, RING, async (server) => {
        // 2,500 events: the ring holds the newest 2,000 (8 MiB, 32 times the limit) and has dropped the first 500.
        for (let i = 0; i < RING + 500; i++) publish(server);
        const client = await openClient(transport, server.port, 0);
        const watcher = await openClient(transport, server.port, server.feed!.latestSeq);
        try {
          // Live events while the backlog streams: they must queue behind it, not jump it or repeat.
          const LIVE = 300;
          await publishPaced(server, LIVE, 10, [watcher]);
          const last = RING + 500 + LIVE;
          await waitUntil(
            () => client.seqs.at(-1) === last,
            WAIT_MS,
            () => `caught up: at ${client.seqs.at(-1)}`,
          );
          assert.deepEqual(client.seqs, range(501, last), 'from the oldest held event, once each, in order');
          assert.equal(dropped(server), 0, 'a client that reads its backlog is not a slow consumer');
          assert.ok(peak(server) <= LIMIT + FRAME_BOUND, `backlog paged under the limit: peak ${peak(server)}`);
        } finally {
          client.close();
          watcher.close();
        }
      });
    });
  }
});
