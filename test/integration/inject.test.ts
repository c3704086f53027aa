/**
 * Injected regressions on real servers (127.0.0.1, port 0, publishing by hand): header padding adds
 * exactly the asked-for bytes to every HTTP response, and a push delay holds pushes back (SSE,
 * WebSocket, parked long polls) but not reads of the ring (short polling). Every server and socket
 * is closed in a finally block; every wait is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { Inject, ServerConfig } from '../../servers/contract/server-config.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import type { TransportName } from '../../servers/transports/index.ts';
import { decodeEvent, decodeEventList } from '../../servers/contract/protocol.ts';
import { HOST, TEST_PAYLOAD, feedConfig, openWs, waitUntil, withTimeout, type WsClient } from '../helpers/harness.ts';
import { nowNs } from '../../servers/contract/clock.ts';

const FRAMEWORKS: readonly Framework[] = ['express', 'node'];
const PADDING = 'x-injected-padding';

function config(transport: TransportName, framework: Framework, inject?: Partial<Inject>): ServerConfig {
  const base = feedConfig(transport, framework);
  if (base.role !== 'feed') throw new Error('feed config expected');
  return inject ? { ...base, inject: { extraResponseHeaderBytes: 0, pushDelayMs: 0, ...inject } } : base;
}

async function withServer(cfg: ServerConfig, fn: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await startServer(cfg);
  try {
    await fn(server);
  } finally {
    await withTimeout(server.close(), 5000, 'closing server');
  }
}

const publish = (server: RunningServer) => server.feed!.publish(nowNs(), TEST_PAYLOAD).event;

/**
 * A GET over a plain TCP socket: the raw bytes of the response. With `headersOnly` it stops at the
 * end of the header block (for streams that never end); otherwise it asks for Connection: close and
 * reads to the end.
 */
async function rawGet(port: number, path: string, headersOnly = false): Promise<Buffer> {
  const socket = net.connect({ host: HOST, port });
  try {
    return await withTimeout(
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        socket.once('error', reject);
        socket.once('connect', () =>
          socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nConnection: close\r\n\r\n`),
        );
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          const all = Buffer.concat(chunks);
          const end = all.indexOf('\r\n\r\n');
          if (headersOnly && end !== -1) resolve(all.subarray(0, end + 4));
        });
        socket.once('end', () => resolve(Buffer.concat(chunks)));
      }),
      5000,
      `raw GET ${path}`,
    );
  } finally {
    socket.destroy();
  }
}

/** The header block (status line to the blank line) of a raw response. */
function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  assert.ok(end > 0, 'a complete header block');
  return text.slice(0, end + 4);
}

/** Header lines without the Date (its text is fixed-length but changes every second). */
const linesWithoutDate = (block: string) => block.split('\r\n').filter((l) => !/^date:/i.test(l));

/** An SSE stream whose frames are recorded with their arrival time (performance.now()). */
interface SseClient {
  frames: { id: string; at: number }[];
  close(): Promise<void>;
}

function openSse(port: number, path = '/stream'): Promise<SseClient> {
  const req = http.get({ host: HOST, port, path, agent: false });
  const frames: SseClient['frames'] = [];
  let response: http.IncomingMessage | undefined;
  const close = () =>
    withTimeout(
      new Promise<void>((done) => {
        if (req.destroyed && (!response || response.destroyed)) return done();
        req.once('close', () => done());
        req.destroy();
      }),
      5000,
      'closing SSE stream',
    );
  return withTimeout(
    new Promise<SseClient>((resolve, reject) => {
      req.once('error', reject);
      req.once('response', (res) => {
        response = res;
        req.off('error', reject);
        req.on('error', () => {}); // our own destroy() at the end
        if (res.statusCode !== 200) reject(new Error(`SSE status ${res.statusCode}`));
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) !== -1) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block)?.[1];
            if (id !== undefined) frames.push({ id, at });
          }
        });
        resolve({ frames, close });
      });
    }),
    5000,
    `opening SSE ${path}`,
  ).catch(async (err: unknown) => {
    await close();
    throw err;
  });
}

// Node timers count in whole milliseconds of a loop clock that can lag real time by up to ~1 ms,
// so a 50 ms setTimeout may fire a fraction of a millisecond before 50 ms of performance.now().
const DELAY_MS = 50;
const TIMER_SLACK_MS = 1;
/** A delay long enough that a local request is answered well before it ends. */
const HELD_MS = 1000;

/** Seqs the feed has pushed to its subscribers so far (a listener of its own). */
function witness(server: RunningServer): number[] {
  const seqs: number[] = [];
  server.feed!.subscribe((entry) => seqs.push(entry.event.seq));
  return seqs;
}

// ---------------------------------------------------------------------------------------------

describe('injected header padding', () => {
  for (const framework of FRAMEWORKS) {
    describe(framework, () => {
      test('a short-poll response is exactly 200 bytes longer, in one 200-byte header line', async () => {
        await withServer(config('short-poll', framework), async (plain) => {
          await withServer(config('short-poll', framework, { extraResponseHeaderBytes: 200 }), async (padded) => {
            // No event published: both bodies are "[]", so only the headers can differ.
            const a = await rawGet(plain.port, '/events?since=0');
            const b = await rawGet(padded.port, '/events?since=0');
            assert.equal(b.length - a.length, 200, `${a.length} -> ${b.length} bytes`);
            assert.ok(a.toString('latin1').endsWith('\r\n\r\n[]'));
            assert.ok(b.toString('latin1').endsWith('\r\n\r\n[]'));

            const lines = linesWithoutDate(headerBlock(b));
            const pad = lines.filter((l) => l.toLowerCase().startsWith(`${PADDING}:`));
            assert.equal(pad.length, 1, 'one padding header');
            assert.equal(Buffer.byteLength(`${pad[0]}\r\n`), 200, 'the padding line with its CRLF is 200 bytes');
            assert.match(pad[0]!, new RegExp(`^${PADDING}: x+$`, 'i'));
            // Everything else is the same response.
            assert.deepEqual(
              lines.filter((l) => !l.toLowerCase().startsWith(`${PADDING}:`)),
              linesWithoutDate(headerBlock(a)),
            );
            assert.equal(
              linesWithoutDate(headerBlock(a)).some((l) => l.toLowerCase().startsWith(PADDING)),
              false,
            );

            // The server's own byte counters see the same 200 bytes.
            await waitUntil(
              () => plain.stats().counters.openSockets === 0 && padded.stats().counters.openSockets === 0,
              2000,
              'client sockets closed',
            );
            assert.equal(padded.stats().counters.bytesOut - plain.stats().counters.bytesOut, 200);
          });
        });
      });

      test('with events in the response the padding is still exactly the difference', async () => {
        await withServer(config('short-poll', framework), async (plain) => {
          await withServer(config('short-poll', framework, { extraResponseHeaderBytes: 200 }), async (padded) => {
            const a = plain.feed!.publish(nowNs(), TEST_PAYLOAD);
            const b = padded.feed!.publish(nowNs(), TEST_PAYLOAD);
            const bodyDiff = Buffer.byteLength(b.json) - Buffer.byteLength(a.json); // emittedAtNs may differ in digits
            const ra = await rawGet(plain.port, '/events?since=0');
            const rb = await rawGet(padded.port, '/events?since=0');
            assert.deepEqual(
              decodeEventList(ra.toString('utf8').split('\r\n\r\n')[1]!).map((e) => e.seq),
              [1],
            );
            assert.deepEqual(
              decodeEventList(rb.toString('utf8').split('\r\n\r\n')[1]!).map((e) => e.seq),
              [1],
            );
            assert.equal(rb.length - ra.length, 200 + bodyDiff);
          });
        });
      });

      test('long-poll and SSE responses carry the same padding', async () => {
        for (const [transport, path] of [
          ['long-poll', '/events?since=0&wait=0'],
          ['sse', '/stream'],
        ] as const) {
          await withServer(config(transport, framework), async (plain) => {
            await withServer(config(transport, framework, { extraResponseHeaderBytes: 200 }), async (padded) => {
              const a = headerBlock(await rawGet(plain.port, path, true));
              const b = headerBlock(await rawGet(padded.port, path, true));
              assert.equal(Buffer.byteLength(b) - Buffer.byteLength(a), 200, `${transport}: ${a}\n---\n${b}`);
              assert.match(b, new RegExp(`\\r\\n${PADDING}: x{${200 - PADDING.length - 4}}\\r\\n`, 'i'));
            });
          });
        }
      });

      test('the smallest padding the CLI allows (24 bytes) is exact too', async () => {
        await withServer(config('short-poll', framework), async (plain) => {
          await withServer(config('short-poll', framework, { extraResponseHeaderBytes: 24 }), async (padded) => {
            const a = await rawGet(plain.port, '/events?since=0');
            const b = await rawGet(padded.port, '/events?since=0');
            assert.equal(b.length - a.length, 24);
          });
        });
      });
    });
  }
});

describe('injected push delay', () => {
  for (const framework of FRAMEWORKS) {
    test(`SSE on ${framework}: a pushed event arrives no sooner than ${DELAY_MS} ms after publish`, async () => {
      await withServer(config('sse', framework, { pushDelayMs: DELAY_MS }), async (server) => {
        const client = await openSse(server.port);
        try {
          await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'stream subscribed');
          const before = server.stats().counters.bytesOut;
          const t0 = performance.now();
          publish(server);
          // Nothing is written at publish time: the push waits for the delay.
          assert.equal(server.stats().counters.bytesOut, before, 'nothing written synchronously');
          await nextTurn();
          assert.equal(client.frames.length, 0);
          await waitUntil(() => client.frames.length === 1, 5000, 'delayed frame');
          const elapsed = client.frames[0]!.at - t0;
          assert.equal(client.frames[0]!.id, '1');
          assert.ok(elapsed >= DELAY_MS - TIMER_SLACK_MS, `arrived ${elapsed.toFixed(2)} ms after publish`);
        } finally {
          await client.close();
        }
      });
    });

    test(`SSE on ${framework} without the delay: written during publish itself`, async () => {
      await withServer(config('sse', framework), async (server) => {
        const client = await openSse(server.port);
        try {
          await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'stream subscribed');
          const before = server.stats().counters.bytesOut;
          publish(server);
          assert.ok(server.stats().counters.bytesOut > before, 'the frame is handed to the socket synchronously');
          await waitUntil(() => client.frames.length === 1, 5000, 'frame');
        } finally {
          await client.close();
        }
      });
    });
  }

  test(`WebSocket: a pushed event arrives no sooner than ${DELAY_MS} ms after publish; without the delay at once`, async () => {
    await withServer(config('ws', 'node', { pushDelayMs: DELAY_MS }), async (server) => {
      const client = await openWs(server.port);
      try {
        await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'socket subscribed');
        const before = server.stats().counters.bytesOut;
        const t0 = performance.now();
        publish(server);
        assert.equal(server.stats().counters.bytesOut, before, 'nothing written synchronously');
        await waitUntil(() => client.messages.length === 1, 5000, 'delayed message');
        assert.equal(decodeEvent(client.messages[0]!).seq, 1);
        const elapsed = client.arrivals[0]! - t0;
        assert.ok(elapsed >= DELAY_MS - TIMER_SLACK_MS, `arrived ${elapsed.toFixed(2)} ms after publish`);
      } finally {
        await client.close();
      }
    });
    await withServer(config('ws', 'node'), async (server) => {
      const client = await openWs(server.port);
      try {
        await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'socket subscribed');
        const before = server.stats().counters.bytesOut;
        publish(server);
        assert.ok(server.stats().counters.bytesOut > before, 'the frame is handed to the socket synchronously');
        await waitUntil(() => client.messages.length === 1, 5000, 'message');
      } finally {
        await client.close();
      }
    });
  });

  for (const framework of FRAMEWORKS) {
    test(`short polling on ${framework} reads the ring at once, delay or not`, async () => {
      await withServer(config('short-poll', framework, { pushDelayMs: HELD_MS }), async (server) => {
        const pushed = witness(server);
        publish(server);
        publish(server);
        const raw = await rawGet(server.port, '/events?since=0');
        const body = raw.toString('utf8').split('\r\n\r\n')[1]!;
        assert.deepEqual(
          decodeEventList(body).map((e) => e.seq),
          [1, 2],
        );
        assert.deepEqual(pushed, [], 'answered while the pushes were still held back');
      });
    });

    test(`long polling on ${framework}: a held event is answered at once, a parked poll waits for the delay`, async () => {
      await withServer(config('long-poll', framework, { pushDelayMs: HELD_MS }), async (server) => {
        const pushed = witness(server);
        publish(server);
        // since=0 with seq 1 in the ring: answered from the ring at once, not after the delay.
        const held = await rawGet(server.port, '/events?since=0&wait=30000');
        assert.deepEqual(
          decodeEventList(held.toString('utf8').split('\r\n\r\n')[1]!).map((e) => e.seq),
          [1],
        );
        assert.deepEqual(pushed, [], 'answered while the push was still held back');
      });
      // A fresh feed, so that no earlier held-back push can wake the parked poll (a push for any seq
      // answers a parked poll with everything newer in the ring).
      await withServer(config('long-poll', framework, { pushDelayMs: DELAY_MS }), async (server) => {
        const parked = rawGet(server.port, '/events?since=0&wait=30000');
        parked.catch(() => {}); // awaited below; no unhandled rejection if an assertion fails first
        await waitUntil(() => server.stats().gauges.parkedRequests === 1, 2000, 'poll parked');
        const t0 = performance.now();
        publish(server);
        await nextTurn();
        assert.equal(server.stats().gauges.parkedRequests, 1, 'still parked right after publish');
        const raw = await parked;
        const elapsed = performance.now() - t0;
        assert.deepEqual(
          decodeEventList(raw.toString('utf8').split('\r\n\r\n')[1]!).map((e) => e.seq),
          [1],
        );
        assert.ok(elapsed >= DELAY_MS - TIMER_SLACK_MS, `answered ${elapsed.toFixed(2)} ms after publish`);
      });
    });
  }

  // A stream that opens while a push is held back reads the event from the ring (its backlog); the
  // held-back push must not hand it the same event a second time.
  const HOLD_MS = 200;
  for (const framework of FRAMEWORKS) {
    test(`SSE on ${framework}: a stream opened during the delay gets each event once`, async () => {
      await withServer(config('sse', framework, { pushDelayMs: HOLD_MS }), async (server) => {
        const early = await openSse(server.port);
        let late: SseClient | undefined;
        try {
          await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'early stream subscribed');
          publish(server); // seq 1, pushed HOLD_MS later
          late = await openSse(server.port, '/stream?since=0');
          await waitUntil(() => late!.frames.length >= 1, 2000, 'backlog frame');
          assert.ok(early.frames.length === 0, 'the open stream has not had the held-back push yet');
          // Once the early stream has seq 1, the held-back push has run for every subscriber.
          await waitUntil(() => early.frames.length === 1, 5000, 'held-back push');
          publish(server); // seq 2: anything sent before it on the late stream has arrived once it has
          await waitUntil(
            () => late!.frames.some((f) => f.id === '2') && early.frames.length === 2,
            5000,
            'seq 2 on both streams',
          );
          assert.deepEqual(
            late.frames.map((f) => f.id),
            ['1', '2'],
            'no duplicate of seq 1',
          );
          assert.deepEqual(
            early.frames.map((f) => f.id),
            ['1', '2'],
          );
        } finally {
          await early.close();
          await late?.close();
        }
      });
    });
  }

  test('WebSocket: a socket opened during the delay gets each event once', async () => {
    await withServer(config('ws', 'node', { pushDelayMs: HOLD_MS }), async (server) => {
      const early = await openWs(server.port);
      let late: WsClient | undefined;
      try {
        await waitUntil(() => server.feed!.subscriberCount === 1, 2000, 'early socket subscribed');
        publish(server);
        late = await openWs(server.port, '/ws?since=0');
        await waitUntil(() => late!.messages.length >= 1, 2000, 'backlog message');
        await waitUntil(() => early.messages.length === 1, 5000, 'held-back push');
        publish(server);
        await waitUntil(
          () => late!.messages.some((m) => decodeEvent(m).seq === 2) && early.messages.length === 2,
          5000,
          'seq 2 on both sockets',
        );
        assert.deepEqual(
          late.messages.map((m) => decodeEvent(m).seq),
          [1, 2],
          'no duplicate of seq 1',
        );
        assert.deepEqual(
          early.messages.map((m) => decodeEvent(m).seq),
          [1, 2],
        );
      } finally {
        await early.close();
        await late?.close();
      }
    });
  });
});
