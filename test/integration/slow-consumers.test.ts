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
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import WebSocket from 'ws';
import { decodeEvent, makePayload, STREAM_PATH, WS_PATH } from '../../servers/contract/protocol.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { feedConfig, HOST, waitUntil, withTimeout } from '../helpers/harness.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { jobParamsSchema } from '../../bench/result-schema.ts';
import { mulberry32 } from '../../servers/contract/prng.ts';
import { openSlowReaders } from '../../bench/load/slow-readers.ts';

/** Small, so the test piles up a few times the limit in a few MiB of events. */
const LIMIT = 256 * 1024;
/**
 * Payloads of 4,096 letters drawn at random (seeded), 64 different ones in turn: gzip shrinks each only
 * to about 3 KiB and, 256 KiB apart, none is within deflate's 32 KiB window of its twin, so the
 * compressed stream, too, piles up far past the limit (one payload repeated deflates to a back-reference).
 */
const PAYLOADS = (() => {
  const random = mulberry32(12);
  const letters = makePayload(62);
  const one = () => Array.from({ length: 4096 }, () => letters[random() % letters.length]).join('');
  return Array.from({ length: 64 }, one);
})();
/** One event's frame on the wire, generously: the event JSON with its seq and time, plus framing. */
const FRAME_BOUND = 4096 + 512;
const WAIT_MS = 20_000;

/** The push transports, SSE also through its gzip stream (whose own buffers count towards the limit). */
type PushVariant = 'ws' | 'sse' | 'sse+gzip';
const PUSH: PushVariant[] = ['ws', 'sse', 'sse+gzip'];

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

function openSseClient(port: number, since: number, paused: boolean, gzip: boolean): Promise<TestClient> {
  const seqs: number[] = [];
  let text = '';
  let endedResolve: (how: 'end') => void = () => {};
  const ended = new Promise<'end'>((resolve) => (endedResolve = resolve));
  const headers = gzip ? { 'accept-encoding': 'gzip' } : {};
  const req = http.get({ host: HOST, port, path: `${STREAM_PATH}?since=${since}`, agent: false, headers });
  return withTimeout(
    new Promise<TestClient>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res) => {
        if (gzip) assert.equal(res.headers['content-encoding'], 'gzip', 'the stream is compressed');
        // The response head arrived; a paused response stops reading its socket once its buffer is full
        // (with gzip: the response is not piped into the gunzip until it resumes).
        if (paused && !gzip) res.pause();
        const source: Readable = gzip ? createGunzip() : res;
        if (gzip && !paused) res.pipe(source as Gunzip);
        source.setEncoding('utf8');
        source.on('data', (chunk: string) => {
          text += chunk;
          let cut: number;
          while ((cut = text.indexOf('\n\n')) >= 0) {
            const frame = text.slice(0, cut);
            text = text.slice(cut + 2);
            const id = /^id: (\d+)$/m.exec(frame);
            if (id) seqs.push(Number(id[1]));
          }
        });
        source.once('end', () => endedResolve('end'));
        resolve({
          seqs,
          pause: () => res.pause(),
          resume: () => (gzip ? res.pipe(source as Gunzip) : res.resume()),
          ended,
          close: () => req.destroy(),
        });
      });
    }),
    5000,
    'SSE response head',
  );
}

const openClient = (variant: PushVariant, port: number, since: number, paused = false) =>
  variant === 'ws' ? openWsClient(port, since, paused) : openSseClient(port, since, paused, variant === 'sse+gzip');

async function withServer(
  variant: TransportName | PushVariant,
  ringCapacity: number,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const base = feedConfig(variant === 'sse+gzip' ? 'sse' : variant, 'node');
  if (base.role !== 'feed') throw new Error('unreachable');
  const server = await startServer({
    ...base,
    ...(variant === 'sse+gzip' && { compression: 'on' as const }),
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
const publish = (server: RunningServer) =>
  server.feed!.publish(nowNs(), PAYLOADS[server.feed!.latestSeq % PAYLOADS.length]!);
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
          // 3,000 events of 4 KiB: 12 MiB for each slow client (9 gzipped), past the kernel's buffers and the limit.
          const EVENTS = 3000;
          await publishPaced(server, EVENTS, 20, healthy);
          await waitUntil(
            () => dropped(server) === 2,
            WAIT_MS,
            () =>
              `slow consumers dropped: ${dropped(server)}; ${JSON.stringify(server.stats().gauges)}; out ${server.stats().counters.bytesOut}; slow read ${slow.map((c) => c.seqs.length).join(',')}`,
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
          assert.ok(got > 0 && got < EVENTS, `the dropped client read part of the feed (${got} of ${EVENTS} events)`);
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
          // Live events while the backlog streams: they must queue behind it, not jump it or repeat. Each
          // one also evicts the ring's oldest, so each batch waits until the client has read past what
          // it will evict: otherwise an event it had not been sent yet is gone, a gap by design.
          const LIVE = 300;
          for (let sent = 0; sent < LIVE; sent += 10) {
            const evictsUpTo = 500 + sent + 10;
            await waitUntil(() => (client.seqs.at(-1) ?? 0) > evictsUpTo, WAIT_MS, `client read past ${evictsUpTo}`);
            await publishPaced(server, 10, 10, [watcher]);
          }
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

  // The load generator's slow readers (bench/load/slow-readers.ts): raw connections that subscribe and
  // never read. A push transport's are dropped once past the limit; a poll's leave one answer unread.
  for (const transport of TRANSPORT_NAMES) {
    test(`${transport}: the slow-readers workload's readers subscribe and never read`, async () => {
      await withServer(transport, 10_000, async (server) => {
        const params = jobParamsSchema.parse({
          transport,
          framework: 'node',
          clients: 1,
          shape: { kind: 'steady', ratePerSec: 1 },
          payloadBytes: 4096,
          pollIntervalMs: null,
          longPollWaitMs: null,
          perMessageDeflate: false,
          workload: { kind: 'slow-readers', count: 2 },
        });
        const target = { port: server.port, serverPort: server.port, serverTls: false };
        const healthy = await openWatcher(transport, server.port);
        const readers = await openSlowReaders(params, target, 0);
        try {
          await publishPaced(server, 3000, 20, healthy ? [healthy] : []);
          const push = transport === 'ws' || transport === 'sse';
          if (push)
            await waitUntil(
              () => dropped(server) === 2,
              WAIT_MS,
              () => `readers dropped: ${dropped(server)}`,
            );
          // Both readers connected (and the watcher, for a push transport); a poll's sent its request.
          const counters = () => server.stats().counters;
          await waitUntil(
            () => counters().tcpAccepted === (push ? 3 : 2) && (push || counters().httpRequests === 2),
            WAIT_MS,
            () => JSON.stringify(counters()),
          );
          assert.equal(counters().slowConsumersDropped, push ? 2 : 0);
          if (healthy) assert.deepEqual(healthy.seqs, range(1, 3000));
        } finally {
          readers.close();
          healthy?.close();
        }
      });
    });
  }
});

/** A healthy push client beside the slow readers; polls have none here (nothing to fall behind). */
function openWatcher(transport: TransportName, port: number): Promise<TestClient | undefined> {
  if (transport === 'ws' || transport === 'sse') return openClient(transport, port, 0);
  return Promise.resolve(undefined);
}
