/**
 * A feed server behind `--broker redis` (servers/redis-upstream.ts, servers/contract/broker-stream.ts):
 * the publisher's sink appends to a stream on a real redis-server (port 0, no persistence), servers read
 * it. What the clients get must be what the memory broker gives them, byte for byte; a server started
 * after the events were published serves them from the stream; one restarted mid-feed, or whose Redis
 * connection drops, resumes without loss. Every wait is bounded; everything opened is closed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { findRedisServer, startRedisServer, type RunningRedis } from '../../bench/broker/redis-server.ts';
import { makeEntries } from '../../bench/publisher/feed.ts';
import { RedisSink } from '../../bench/publisher/redis-sink.ts';
import { UpstreamServer } from '../../bench/publisher/upstream-server.ts';
import { decodeEvent } from '../../servers/contract/protocol.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { UpstreamConfig } from '../../servers/contract/server-config.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { HOST, TEST_PAYLOAD, feedConfig, openWs, waitUntil, withTimeout } from '../helpers/harness.ts';

const installed = findRedisServer() !== null;
// CI installs redis-server (.ci/run): there a missing one is a failure, not a skip.
const skip = !installed && !process.env['CI'] ? 'redis-server is not installed (apt-get install redis-server)' : false;

const due = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, emittedAtNs: BigInt(1000 * (from + i)) }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** One HTTP GET's raw answer: status, the body as the socket delivered it, and its length header. */
function get(port: number, path: string, headers: Record<string, string> = {}, untilBody?: (body: string) => boolean) {
  return withTimeout(
    new Promise<{ status: number; body: string; length: string | undefined }>((resolve, reject) => {
      const req = http.get({ host: HOST, port, path, headers, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        const done = () => resolve({ status: res.statusCode!, body, length: res.headers['content-length'] });
        res.on('data', (chunk: string) => {
          body += chunk;
          // A stream (SSE) never ends by itself: stop once it holds what the test waits for.
          if (untilBody?.(body)) {
            done();
            req.destroy();
          }
        });
        res.on('end', done);
      });
      req.on('error', (err) => (untilBody ? undefined : reject(err)));
    }),
    5000,
    `GET ${path}`,
  );
}

/** Polls an asynchronous check (a Redis query) every 10 ms, at most 2 s. */
async function untilAsync(check: () => Promise<boolean>, label: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`condition not met within 2 s: ${label}`);
}

const sseIds = (body: string) => [...body.matchAll(/^id: ?(\d+)$/gm)].map((m) => Number(m[1]));

describe('server behind redis (servers/redis-upstream.ts)', { skip }, () => {
  let redis: RunningRedis;
  let control: Redis;
  let feeds = 0;
  const opened: { close(): unknown }[] = [];
  /** A fresh stream and its sink, as the publisher makes one per feed. */
  const freshStream = async () => {
    const stream = { url: redis.url, key: `pollbench:test:${process.pid}:${++feeds}` };
    const sink = new RedisSink(stream, 10_000);
    await sink.open();
    opened.push(sink);
    return { stream, sink, upstream: { redis: stream } satisfies UpstreamConfig };
  };
  const serve = async (transport: TransportName, upstream: UpstreamConfig): Promise<RunningServer> => {
    const server = await startServer(feedConfig(transport, 'node', upstream));
    opened.push(server);
    return server;
  };

  before(async () => {
    redis = await startRedisServer({ cpus: null });
    control = new Redis(redis.url);
  });
  after(async () => {
    for (const item of opened.reverse()) await item.close();
    control.disconnect();
    await redis.stop();
  });

  test('each transport serves the same bytes as from the memory broker', async () => {
    const { sink, upstream } = await freshStream();
    const memory = new UpstreamServer(10_000);
    const memoryPort = await memory.listen(HOST);
    opened.push(memory);
    const entries = makeEntries(due(1, 30), TEST_PAYLOAD);
    sink.publish(entries);
    memory.publish(entries);
    for (const transport of ['short-poll', 'long-poll', 'sse', 'ws'] as const) {
      const viaRedis = await serve(transport, upstream);
      const viaMemory = await serve(transport, { host: HOST, port: memoryPort });
      await waitUntil(
        () => viaRedis.feed!.latestSeq === 30 && viaMemory.feed!.latestSeq === 30,
        5000,
        `${transport}: both servers hold the 30 events`,
      );
      if (transport === 'ws') {
        const [a, b] = [await openWs(viaRedis.port, '/ws?since=0'), await openWs(viaMemory.port, '/ws?since=0')];
        await waitUntil(() => a.messages.length >= 30 && b.messages.length >= 30, 5000, 'ws replay');
        assert.deepEqual(a.messages, b.messages, 'ws: the same frames');
        assert.deepEqual(
          a.messages,
          entries.map((e) => e.json),
          'each frame is the published JSON',
        );
        await a.close();
        await b.close();
      } else if (transport === 'sse') {
        const all = (body: string) => sseIds(body).length >= 30;
        const [a, b] = [
          await get(viaRedis.port, '/stream?since=0', {}, all),
          await get(viaMemory.port, '/stream?since=0', {}, all),
        ];
        assert.deepEqual(sseIds(a.body), range(1, 30));
        assert.equal(a.body, b.body, 'sse: the same stream text');
      } else {
        const path = transport === 'long-poll' ? '/events?since=0&wait=1000' : '/events?since=0';
        const [a, b] = [await get(viaRedis.port, path), await get(viaMemory.port, path)];
        assert.equal(a.status, 200);
        assert.equal(a.body, b.body, `${transport}: the same body`);
        assert.equal(a.length, b.length, `${transport}: the same length`);
        assert.deepEqual(
          (JSON.parse(a.body) as unknown[]).map((e) => (e as { seq: number }).seq),
          range(1, 30),
        );
      }
      const stats = viaRedis.stats().feed!;
      assert.equal(stats.upstream?.stream !== undefined, true, 'the stats name the stream');
      assert.equal(stats.upstream?.protocolErrors, 0);
      assert.equal(stats.duplicateEvents + stats.gapEvents, 0);
    }
  });

  test('a server started after the events were published serves since=0 and Last-Event-ID from the stream', async () => {
    const { sink, upstream } = await freshStream();
    sink.publish(makeEntries(due(1, 50), TEST_PAYLOAD));
    // The appends land before any server exists.
    await untilAsync(async () => (await control.xlen(upstream.redis.key)) === 50, 'the stream holds 50');
    const server = await serve('sse', upstream);
    // start() resolves once the backlog is read: no wait needed before the first request.
    assert.equal(server.feed!.latestSeq, 50, 'the backlog is in the feed when the server is up');
    const fromZero = await get(server.port, '/stream?since=0', {}, (b) => sseIds(b).length >= 50);
    assert.deepEqual(sseIds(fromZero.body), range(1, 50));
    const resumed = await get(server.port, '/stream', { 'Last-Event-ID': '40' }, (b) => sseIds(b).length >= 10);
    assert.deepEqual(sseIds(resumed.body), range(41, 50));
    const poll = await serve('short-poll', upstream);
    const answer = await get(poll.port, '/events?since=45');
    assert.deepEqual(
      (JSON.parse(answer.body) as unknown[]).map((e) => decodeEvent(JSON.stringify(e)).seq),
      range(46, 50),
    );
  });

  test('a server restarted mid-feed resumes without loss', async () => {
    const { sink, upstream } = await freshStream();
    const first = await serve('ws', upstream);
    const client = await openWs(first.port, '/ws?since=0');
    sink.publish(makeEntries(due(1, 20), TEST_PAYLOAD));
    await waitUntil(() => client.messages.length >= 20, 5000, 'first 20 events');
    const lastSeen = decodeEvent(client.messages.at(-1)!).seq;
    await client.close();
    await first.close();
    // Published while no server runs: only the stream holds them.
    sink.publish(makeEntries(due(21, 40), TEST_PAYLOAD));
    const second = await serve('ws', upstream);
    const resumed = await openWs(second.port, `/ws?since=${lastSeen}`);
    sink.publish(makeEntries(due(41, 45), TEST_PAYLOAD));
    await waitUntil(
      () => resumed.messages.length >= 25,
      5000,
      () => `resumed client has ${resumed.messages.length} of 25`,
    );
    const seqs = [...client.messages, ...resumed.messages].map((m) => decodeEvent(m).seq);
    assert.deepEqual(seqs, range(1, 45), 'every event once, in order, across the restart');
    await resumed.close();
  });

  test('a dropped Redis connection is re-established and reading resumes from the newest seq held', async () => {
    const { sink, upstream } = await freshStream();
    const server = await serve('ws', upstream);
    const client = await openWs(server.port, '/ws?since=0');
    sink.publish(makeEntries(due(1, 10), TEST_PAYLOAD));
    await waitUntil(() => client.messages.length >= 10, 5000, 'first 10 events');
    // Kill this server's connection only (named by its stream), as a network fault would.
    const list = String(await control.client('LIST'));
    const id = list
      .split('\n')
      .find((line) => line.includes(`name=pollbench-server:${upstream.redis.key} `))
      ?.match(/^id=(\d+)/)?.[1];
    assert.ok(id, `the server's connection is in CLIENT LIST:\n${list}`);
    await control.client('KILL', 'ID', id);
    sink.publish(makeEntries(due(11, 30), TEST_PAYLOAD));
    await waitUntil(() => (server.stats().feed?.upstream?.connects ?? 0) >= 2, 5000, 'reconnected');
    await waitUntil(
      () => client.messages.length >= 30,
      5000,
      () => `client has ${client.messages.length} of 30`,
    );
    assert.deepEqual(
      client.messages.map((m) => decodeEvent(m).seq),
      range(1, 30),
      'none missed, none twice',
    );
    const stats = server.stats().feed!;
    assert.equal(stats.duplicateEvents, 0);
    assert.equal(stats.gapEvents, 0);
    await client.close();
  });

  test('the stream is trimmed to the ring capacity, and ids are the seqs', async () => {
    const stream = { url: redis.url, key: `pollbench:test:${process.pid}:trim` };
    const sink = new RedisSink(stream, 5);
    await sink.open();
    opened.push(sink);
    sink.publish(makeEntries(due(1, 12), TEST_PAYLOAD));
    await untilAsync(
      async () => (await control.xrange(stream.key, '12-0', '+')).length === 1,
      'the last append landed',
    );
    assert.equal(await control.xlen(stream.key), 5);
    const held = (await control.xrange(stream.key, '-', '+')) as [string, string[]][];
    assert.deepEqual(
      held.map(([id]) => id),
      ['8-0', '9-0', '10-0', '11-0', '12-0'],
    );
    assert.deepEqual(held[0]![1], ['e', makeEntries(due(8, 8), TEST_PAYLOAD)[0]!.json]);
  });
});
