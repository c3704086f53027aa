/**
 * Real servers on 127.0.0.1 port 0, started in-process with an in-process feed (feedConfig's default)
 * so each test publishes by hand and stays deterministic. Every server, agent, socket and child process
 * opened here is closed by the test that opened it, so the run exits by itself.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import type { TransportName } from '../../servers/transports/index.ts';
import type { FromServer, ToServer } from '../../servers/contract/server-ipc.ts';
import {
  MAX_WAIT_MS,
  TRANSPORT_NAMES,
  decodeEvent,
  decodeEventList,
  type ErrorBody,
  type FeedEvent,
} from '../../servers/contract/protocol.ts';
import { openFeed } from '../../bench/publisher/feed.ts';
import { HOST, TEST_PAYLOAD, feedConfig, openWs, waitUntil, withTimeout } from '../helpers/harness.ts';
import { nowNs } from '../../servers/contract/clock.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FRAMEWORKS: readonly Framework[] = ['express', 'node'];

// ---------------------------------------------------------------------------------------------
// helpers

interface Ctx {
  server: RunningServer;
  agent: Agent;
  base: string;
  publish(): FeedEvent;
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }>;
}

/** Runs `fn` against a fresh server and always tears server and client agent down afterwards. */
async function withServer(
  transport: TransportName,
  framework: Framework,
  fn: (ctx: Ctx) => Promise<void>,
): Promise<void> {
  const server = await startServer(feedConfig(transport, framework));
  // Bounded client timeouts: no request in these tests may hang the run.
  const agent = new Agent({ headersTimeout: 10_000, bodyTimeout: 10_000 });
  const base = `http://${HOST}:${server.port}`;
  const ctx: Ctx = {
    server,
    agent,
    base,
    publish: () => server.feed!.publish(nowNs(), TEST_PAYLOAD).event,
    async get(path, headers = {}) {
      const res = await request(base + path, { dispatcher: agent, headers });
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    },
  };
  try {
    await fn(ctx);
  } finally {
    await server.close();
    await agent.close();
  }
}

function assertErrorBody(text: string, status: number, error: ErrorBody['error']): void {
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.error, error, `status ${status} body ${text}`);
  assert.equal(typeof body.message, 'string');
  assert.ok((body.message as string).length > 0);
}

/** An SSE stream over node:http, parsed into frames as they arrive. */
interface SseStream {
  status: number;
  contentType: string | undefined;
  frames: { id: string | undefined; data: string }[];
  close(): Promise<void>;
}

function openSse(port: number, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return withTimeout(
    new Promise<SseStream>((resolve, reject) => {
      const req = http.get({ host: HOST, port, path, headers, agent: false });
      req.once('error', reject);
      req.once('response', (res) => {
        let buffered = '';
        const stream: SseStream = {
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          frames: [],
          close: () =>
            withTimeout(
              new Promise<void>((done) => {
                if (res.destroyed) return done();
                res.once('close', () => done());
                req.destroy();
              }),
              5000,
              'closing SSE stream',
            ),
        };
        // After our own destroy() the request reports ECONNRESET-like errors; they are expected.
        req.on('error', () => {});
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) !== -1) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            stream.frames.push({ id, data: data.join('\n') });
          }
        });
        resolve(stream);
      });
    }),
    5000,
    `opening SSE ${path}`,
  );
}

/** A WebSocket upgrade the server must refuse: the status and body of its HTTP answer. */
function wsRefusal(port: number, path: string): Promise<{ status: number; body: string }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${HOST}:${port}${path}`, { perMessageDeflate: false });
      // Once we tear the refused handshake down, ws may report it as an error: expected here.
      ws.on('error', () => {});
      ws.once('open', () => {
        ws.terminate();
        reject(new Error(`upgrade to ${path} unexpectedly succeeded`));
      });
      ws.once('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.once('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
    }),
    5000,
    `refused upgrade ${path}`,
  );
}

const seqs = (events: FeedEvent[]) => events.map((e) => e.seq);

// ---------------------------------------------------------------------------------------------
// bad input

describe('bad input gets a JSON 4xx and the server keeps serving', () => {
  for (const framework of FRAMEWORKS) {
    test(`short-poll on ${framework}`, async () => {
      await withServer('short-poll', framework, async ({ get, publish }) => {
        const bad: [string, number, ErrorBody['error']][] = [
          ['/events?since=abc', 400, 'bad_request'],
          ['/events?since=-1', 400, 'bad_request'],
          ['/nope', 404, 'not_found'],
          ['/stream', 404, 'not_found'],
        ];
        publish();
        for (const [path, status, error] of bad) {
          const res = await get(path);
          assert.equal(res.status, status, path);
          assert.match(String(res.headers['content-type']), /^application\/json/);
          assertErrorBody(res.text, status, error);
          const ok = await get('/events?since=0');
          assert.equal(ok.status, 200, `valid request after ${path}`);
          assert.deepEqual(seqs(decodeEventList(ok.text)), [1]);
        }
      });
    });

    test(`long-poll on ${framework}`, async () => {
      await withServer('long-poll', framework, async ({ get }) => {
        for (const path of [
          '/events?since=0&wait=-1',
          '/events?since=0&wait=abc',
          '/events?since=0&wait=1.5',
          `/events?since=0&wait=${MAX_WAIT_MS + 1}`,
          '/events?since=0',
          '/events?since=0&wait=',
          '/events?since=abc&wait=10',
        ]) {
          const res = await get(path);
          assert.equal(res.status, 400, path);
          assertErrorBody(res.text, 400, 'bad_request');
          const ok = await get('/events?since=0&wait=0');
          assert.equal(ok.status, 200, `valid request after ${path}`);
          assert.equal(ok.text, '[]');
        }
        const res = await get('/nope?wait=10');
        assert.equal(res.status, 404);
        assertErrorBody(res.text, 404, 'not_found');
      });
    });

    test(`sse on ${framework}`, async () => {
      await withServer('sse', framework, async ({ get, server, publish }) => {
        for (const [path, headers] of [
          ['/stream', { 'last-event-id': 'abc' }],
          ['/stream', { 'last-event-id': '-1' }],
          ['/stream?since=abc', {}],
        ] as const) {
          const res = await get(path, headers);
          assert.equal(res.status, 400, `${path} ${JSON.stringify(headers)}`);
          assertErrorBody(res.text, 400, 'bad_request');
        }
        const res = await get('/nope');
        assert.equal(res.status, 404);
        assertErrorBody(res.text, 404, 'not_found');

        publish();
        const stream = await openSse(server.port, '/stream');
        try {
          assert.equal(stream.status, 200);
          await waitUntil(() => stream.frames.length === 1, 5000, 'SSE backlog after bad requests');
        } finally {
          await stream.close();
        }
      });
    });
  }

  test('ws: refused upgrades get a JSON 400/404 before the handshake', async () => {
    await withServer('ws', 'node', async ({ server, get, publish }) => {
      publish();
      for (const [path, status, error] of [
        ['/ws?since=abc', 400, 'bad_request'],
        ['/ws?since=-5', 400, 'bad_request'],
        ['/nope', 404, 'not_found'],
        ['/ws/extra', 404, 'not_found'],
      ] as const) {
        const refused = await wsRefusal(server.port, path);
        assert.equal(refused.status, status, path);
        assertErrorBody(refused.body, status, error);
        const client = await openWs(server.port, '/ws');
        try {
          await waitUntil(() => client.messages.length === 1, 5000, `valid ws after ${path}`);
          assert.equal(decodeEvent(client.messages[0]!).seq, 1);
        } finally {
          await client.close();
        }
      }
      // A plain HTTP request to the ws server has no route.
      const res = await get('/events?since=0');
      assert.equal(res.status, 404);
      assertErrorBody(res.text, 404, 'not_found');
      assert.equal(server.stats().counters.wsHandshakes, 4, 'only the valid upgrades completed');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// header parity

describe('header parity between express and node:http', () => {
  async function headerNames(framework: Framework, path: string): Promise<string[]> {
    let names: string[] = [];
    await withServer('short-poll', framework, async ({ get, publish }) => {
      publish();
      const res = await get(path);
      assert.equal(res.headers.etag, undefined, `${framework}: etag`);
      assert.equal(res.headers['x-powered-by'], undefined, `${framework}: x-powered-by`);
      names = Object.keys(res.headers).sort();
    });
    return names;
  }

  for (const path of ['/events?since=0', '/events?since=abc', '/nope']) {
    test(`${path}: no etag, no x-powered-by, same header names`, async () => {
      const express = await headerNames('express', path);
      const node = await headerNames('node', path);
      assert.deepEqual(express, node);
      assert.ok(express.includes('content-length') && express.includes('content-type'));
    });
  }

  test('SSE responses carry the same header names on both frameworks', async () => {
    const names: Record<string, string[]> = {};
    for (const framework of FRAMEWORKS) {
      await withServer('sse', framework, async ({ server }) => {
        const headers = await withTimeout(
          new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
            const req = http.get({ host: HOST, port: server.port, path: '/stream', agent: false }, (res) => {
              resolve(res.headers);
              req.destroy();
            });
            req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
          }),
          5000,
          'SSE headers',
        );
        assert.equal(headers['x-powered-by'], undefined);
        assert.equal(headers.etag, undefined);
        names[framework] = Object.keys(headers).sort();
      });
    }
    assert.deepEqual(names.express, names.node);
  });
});

// ---------------------------------------------------------------------------------------------
// long-poll

describe('long-poll', () => {
  for (const framework of FRAMEWORKS) {
    describe(framework, () => {
      test('a parked request is answered when an event is published', async () => {
        await withServer('long-poll', framework, async ({ server, get, publish }) => {
          const parked = get('/events?since=0&wait=10000');
          await waitUntil(() => server.stats().gauges.parkedRequests === 1, 5000, 'request parked');
          const event = publish();
          const res = await withTimeout(parked, 5000, 'parked request answered');
          assert.equal(res.status, 200);
          const events = decodeEventList(res.text);
          assert.deepEqual(events, [event]);
          assert.equal(server.stats().gauges.parkedRequests, 0);
        });
      });

      test('held events are answered at once, all of them after since', async () => {
        await withServer('long-poll', framework, async ({ get, publish }) => {
          for (let i = 0; i < 4; i++) publish();
          const res = await withTimeout(get('/events?since=1&wait=10000'), 5000, 'immediate answer');
          assert.deepEqual(seqs(decodeEventList(res.text)), [2, 3, 4]);
        });
      });

      test('with nothing new it answers [] after wait', async () => {
        await withServer('long-poll', framework, async ({ server, get }) => {
          const started = nowNs();
          const res = await withTimeout(get('/events?since=0&wait=200'), 5000, 'timed-out poll');
          const heldMs = Number(nowNs() - started) / 1e6;
          assert.equal(res.status, 200);
          assert.equal(res.text, '[]');
          // A lower bound only: the hold must not end early (timers may round by ~1 ms).
          assert.ok(heldMs >= 190, `held ${heldMs} ms`);
          assert.equal(server.stats().gauges.parkedRequests, 0);
        });
      });

      test('a client ahead of the feed is not answered early by an unrelated publish', async () => {
        await withServer('long-poll', framework, async ({ server, get, publish }) => {
          let settled = false;
          const parked = get('/events?since=2&wait=10000').finally(() => (settled = true));
          await waitUntil(() => server.stats().gauges.parkedRequests === 1, 5000, 'request parked');
          publish(); // seq 1
          publish(); // seq 2: still not newer than since=2
          await sleep(50); // a negative check needs some time for a wrong answer to show up
          assert.equal(settled, false, 'answered although nothing newer than since exists');
          assert.equal(server.stats().gauges.parkedRequests, 1);
          const event = publish(); // seq 3
          const res = await withTimeout(parked, 5000, 'answered by seq 3');
          assert.deepEqual(decodeEventList(res.text), [event]);
        });
      });

      test('a client that disconnects while parked is removed at once', async () => {
        await withServer('long-poll', framework, async ({ server }) => {
          const req = http.get({ host: HOST, port: server.port, path: '/events?since=0&wait=30000', agent: false });
          req.on('error', () => {}); // our own destroy() below
          await waitUntil(() => server.stats().gauges.parkedRequests === 1, 5000, 'request parked');
          req.destroy();
          await waitUntil(
            () => server.stats().gauges.parkedRequests === 0,
            2000,
            'parked request dropped on disconnect',
          );
          await waitUntil(() => server.stats().counters.openSockets === 0, 2000, 'server socket closed');
        });
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// SSE

describe('sse', () => {
  for (const framework of FRAMEWORKS) {
    test(`${framework}: text/event-stream with id: <seq> frames, live and resumed via Last-Event-ID`, async () => {
      await withServer('sse', framework, async ({ server, publish }) => {
        const published = [publish(), publish(), publish()];

        const first = await openSse(server.port, '/stream');
        try {
          assert.equal(first.status, 200);
          assert.match(first.contentType ?? '', /^text\/event-stream/);
          await waitUntil(() => first.frames.length === 3, 5000, 'backlog frames');
          published.push(publish());
          await waitUntil(() => first.frames.length === 4, 5000, 'live frame');
          assert.equal(server.stats().gauges.openStreams, 1);
          for (const [i, frame] of first.frames.entries()) {
            const event = decodeEvent(frame.data);
            assert.equal(frame.id, String(event.seq), 'id: carries the seq');
            assert.deepEqual(event, published[i]);
          }
        } finally {
          await first.close();
        }
        await waitUntil(() => server.stats().gauges.openStreams === 0, 2000, 'stream dropped on disconnect');

        // Reconnect as EventSource would: Last-Event-ID: 2 resumes at 3.
        published.push(publish());
        const resumed = await openSse(server.port, '/stream', { 'last-event-id': '2' });
        try {
          await waitUntil(() => resumed.frames.length === 3, 5000, 'resumed frames');
          assert.deepEqual(
            resumed.frames.map((f) => f.id),
            ['3', '4', '5'],
          );
          assert.deepEqual(
            resumed.frames.map((f) => decodeEvent(f.data)),
            published.slice(2),
          );
        } finally {
          await resumed.close();
        }

        // ?since= works for a first connection too.
        const viaQuery = await openSse(server.port, '/stream?since=4');
        try {
          await waitUntil(() => viaQuery.frames.length === 1, 5000, '?since frames');
          assert.equal(viaQuery.frames[0]!.id, '5');
        } finally {
          await viaQuery.close();
        }
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// ws

describe('ws', () => {
  test('resume with ?since=n delivers n+1.. first, then live events', async () => {
    await withServer('ws', 'node', async ({ server, publish }) => {
      const published = [publish(), publish(), publish(), publish(), publish()];
      const client = await openWs(server.port, '/ws?since=2');
      try {
        await waitUntil(() => client.messages.length === 3, 5000, 'backlog');
        published.push(publish());
        await waitUntil(() => client.messages.length === 4, 5000, 'live event');
        assert.deepEqual(client.messages.map(decodeEvent), published.slice(2));
        assert.equal(server.stats().gauges.openWebSockets, 1);
      } finally {
        await client.close();
      }
      await waitUntil(() => server.stats().gauges.openWebSockets === 0, 2000, 'socket dropped');
      assert.equal(server.stats().feed?.subscribers, 0, 'the closed socket unsubscribed');
    });
  });

  test('without since a client gets every held event', async () => {
    await withServer('ws', 'node', async ({ server, publish }) => {
      publish();
      publish();
      const client = await openWs(server.port, '/ws');
      try {
        await waitUntil(() => client.messages.length === 2, 5000, 'backlog');
        assert.deepEqual(
          client.messages.map((m) => decodeEvent(m).seq),
          [1, 2],
        );
      } finally {
        await client.close();
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// counters

describe('server counters', () => {
  for (const framework of FRAMEWORKS) {
    test(`${framework}: one keep-alive connection serving 3 requests = 1 TCP accept, 3 requests`, async () => {
      await withServer('short-poll', framework, async ({ server, base, publish }) => {
        const agent = new Agent({ connections: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
        try {
          const before = server.stats().counters;
          assert.deepEqual(
            { ...before },
            {
              tcpAccepted: 0,
              openSockets: 0,
              httpRequests: 0,
              wsHandshakes: 0,
              messagesReceived: 0,
              echoesSent: 0,
              messagesRefused: 0,
              hostRefused: 0,
              originRefused: 0,
              slowConsumersDropped: 0,
              keepAlivesSent: 0,
              bytesIn: 0,
              bytesOut: 0,
            },
          );
          publish();
          let bodyBytes = 0;
          let lastOut = 0;
          for (let i = 1; i <= 3; i++) {
            const res = await request(`${base}/events?since=0`, { dispatcher: agent });
            const text = await res.body.text();
            bodyBytes += Buffer.byteLength(text);
            const c = server.stats().counters;
            assert.equal(c.httpRequests, i);
            assert.ok(c.bytesOut > lastOut, `bytesOut grows with response ${i}`);
            lastOut = c.bytesOut;
          }
          const after = server.stats().counters;
          assert.equal(after.tcpAccepted, 1, 'keep-alive: one connection');
          assert.equal(after.openSockets, 1);
          assert.equal(after.httpRequests, 3);
          assert.equal(after.wsHandshakes, 0);
          assert.ok(
            after.bytesOut > bodyBytes,
            `bytesOut ${after.bytesOut} includes headers and ${bodyBytes} body bytes`,
          );
          // Each request line alone is longer than 20 bytes.
          assert.ok(after.bytesIn > 3 * 20, `bytesIn ${after.bytesIn}`);
        } finally {
          await agent.close();
        }
        // Closed sockets keep their bytes in the totals.
        await waitUntil(() => server.stats().counters.openSockets === 0, 2000, 'client socket closed');
        const closed = server.stats().counters;
        assert.equal(closed.tcpAccepted, 1);
        assert.ok(closed.bytesOut > 0 && closed.bytesIn > 0);
      });
    });
  }

  test('ws: a handshake counts 1 accept and 1 handshake; pushed frames count as bytesOut', async () => {
    await withServer('ws', 'node', async ({ server, publish }) => {
      const client = await openWs(server.port, '/ws');
      try {
        const afterHandshake = server.stats().counters;
        assert.equal(afterHandshake.tcpAccepted, 1);
        assert.equal(afterHandshake.wsHandshakes, 1);
        assert.ok(afterHandshake.bytesIn > 0, 'the upgrade request was read');
        assert.ok(afterHandshake.bytesOut > 0, 'the 101 response was written');
        const event = publish();
        await waitUntil(() => client.messages.length === 1, 5000, 'frame delivered');
        const afterFrame = server.stats().counters;
        // One text frame: the event JSON plus at least a 2-byte frame header.
        assert.ok(afterFrame.bytesOut - afterHandshake.bytesOut >= Buffer.byteLength(client.messages[0]!) + 2);
        assert.deepEqual(decodeEvent(client.messages[0]!), event);
      } finally {
        await client.close();
      }
    });
  });

  // An upgrade is a WebSocket handshake, not an HTTP request: that is what lets a report say
  // "WebSocket makes 0 HTTP requests per event after connecting" without special cases.
  test('ws: the upgrade counts as a handshake, not as an HTTP request', async () => {
    await withServer('ws', 'node', async ({ server }) => {
      const client = await openWs(server.port, '/ws');
      try {
        assert.equal(server.stats().counters.httpRequests, 0);
        assert.equal(server.stats().counters.wsHandshakes, 1);
      } finally {
        await client.close();
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// teardown leaves nothing behind

describe('close() leaves no handles behind', () => {
  const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
  const countWatched = () => {
    const counts: Record<string, number> = Object.fromEntries(WATCHED.map((t) => [t, 0]));
    for (const type of process.getActiveResourcesInfo()) if (type in counts) counts[type]!++;
    return counts;
  };

  /** Opens a live client of each kind so close() has to tear down real connections. */
  const clients: Record<
    TransportName,
    (ctx: { server: RunningServer; agent: Agent; base: string }) => Promise<() => Promise<void>>
  > = {
    'short-poll': async ({ base, agent }) => {
      const res = await request(`${base}/events?since=0`, { dispatcher: agent });
      await res.body.text(); // leaves an idle keep-alive socket
      return async () => {};
    },
    'long-poll': async ({ base, agent, server }) => {
      // Left parked on purpose: close() must answer or drop it and clear its timer.
      const parked = request(`${base}/events?since=0&wait=30000`, { dispatcher: agent }).then(
        (res) => res.body.text(),
        () => undefined,
      );
      await waitUntil(() => server.stats().gauges.parkedRequests === 1, 5000, 'parked');
      return async () => void (await withTimeout(parked, 5000, 'parked request ends on close'));
    },
    sse: async ({ server }) => {
      const stream = await openSse(server.port, '/stream');
      return () => stream.close();
    },
    ws: async ({ server }) => {
      const client = await openWs(server.port, '/ws');
      return () => client.close();
    },
  };

  for (const transport of TRANSPORT_NAMES) {
    test(`${transport}: with a client connected`, async () => {
      const baseline = countWatched();
      const server = await startServer(feedConfig(transport, 'node'));
      const agent = new Agent({ headersTimeout: 10_000, bodyTimeout: 10_000 });
      const base = `http://${HOST}:${server.port}`;
      const closeClient = await clients[transport]({ server, agent, base });
      server.feed!.publish(nowNs(), TEST_PAYLOAD);
      await withTimeout(server.close(), 5000, 'server.close()');
      await closeClient();
      await agent.close();
      // Handle teardown finishes on the next turns of the loop; give it a short, bounded settle.
      const leaked = () => {
        const now = countWatched();
        return WATCHED.filter((t) => now[t]! > baseline[t]!).map((t) => `${t}: ${baseline[t]} -> ${now[t]}`);
      };
      try {
        await waitUntil(() => leaked().length === 0, 2000, 'handles released');
      } catch {
        assert.deepEqual(leaked(), [], 'handles left open after close()');
      }
    });
  }

  test('a server reading an upstream publisher disconnects on close() and reads nothing more', async () => {
    const baseline = countWatched();
    const publisher = await openFeed(
      { shape: { kind: 'steady', ratePerSec: 20 }, payloadBytes: 32, ringCapacity: 1000 },
      HOST,
    );
    try {
      const server = await startServer(feedConfig('short-poll', 'node', { host: HOST, port: publisher.port }));
      await waitUntil(() => server.feed!.latestSeq >= 2, 5000, 'events arriving from upstream');
      await server.close();
      const seq = server.feed!.latestSeq;
      await waitUntil(() => publisher.upstream.subscriberCount === 0, 2000, 'the publisher saw the server go');
      await sleep(150); // 20 events/s: about three more would have arrived had the connection survived
      assert.equal(server.feed!.latestSeq, seq);
      assert.equal(server.stats().feed?.upstream?.connects, 1, 'and it did not reconnect');
    } finally {
      await publisher.close();
    }
    await waitUntil(
      () => WATCHED.every((t) => countWatched()[t]! <= baseline[t]!),
      2000,
      () => `handles released: ${JSON.stringify(countWatched())} vs ${JSON.stringify(baseline)}`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// servers/main.ts as a child process

describe('servers/main.ts process', () => {
  function spawnServer(arg: string | undefined) {
    const child = fork('servers/main.ts', arg === undefined ? [] : [arg], {
      cwd: REPO_ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return {
      child,
      exited,
      stderr: () => stderr,
      stdout: () => stdout,
      /** Bounded wait for the exit; kills the child (by its own handle) if it hangs. */
      async waitExit(ms: number) {
        try {
          return await withTimeout(exited, ms, 'server process exit');
        } catch (err) {
          child.kill('SIGKILL');
          await exited;
          throw err;
        }
      },
    };
  }

  // The child boots tsx, which takes a moment on a busy machine: generous bounds.
  const BOOT_MS = 20_000;

  for (const [label, arg] of [
    ['invalid config', JSON.stringify({ role: 'feed', transport: 'carrier-pigeon' })],
    ['an in-process feed (nothing would publish)', JSON.stringify(feedConfig('ws', 'node'))],
    ['not JSON', '{not json'],
    ['no argument', undefined],
  ] as const) {
    test(`${label}: one clear line on stderr, no stack, exit code 2`, async () => {
      const proc = spawnServer(arg);
      const { code } = await proc.waitExit(BOOT_MS);
      assert.equal(code, 2, `stderr: ${proc.stderr()}`);
      const lines = proc.stderr().trimEnd().split('\n');
      assert.equal(lines.length, 1, `stderr: ${proc.stderr()}`);
      assert.match(lines[0]!, /^pollbench server: /);
      assert.doesNotMatch(proc.stderr(), /^\s+at /m, 'no stack trace');
    });
  }

  test('good config: connects to its publisher, ready over IPC, answers stats, serves, exits 0 on SIGTERM', async () => {
    const publisher = await openFeed(
      { shape: { kind: 'steady', ratePerSec: 50 }, payloadBytes: 32, ringCapacity: 1000 },
      HOST,
    );
    const proc = spawnServer(JSON.stringify(feedConfig('short-poll', 'node', { host: HOST, port: publisher.port })));
    const messages: FromServer[] = [];
    const nextMessage = (type: FromServer['type']) =>
      waitUntil(() => messages.some((m) => m.type === type), BOOT_MS, `'${type}' message`).then(() =>
        messages.find((m) => m.type === type)!,
      );
    proc.child.on('message', (m) => messages.push(m as FromServer));
    try {
      const ready = await nextMessage('ready');
      assert.ok(ready.type === 'ready');
      assert.ok(Number.isInteger(ready.port) && ready.port > 0, `port ${ready.port}`);
      assert.equal(ready.pid, proc.child.pid);

      // It is a real server on that port, serving the publisher's events.
      await waitUntil(() => publisher.runner.lastSeq >= 3, BOOT_MS, 'publisher running');
      const res = await request(`http://${HOST}:${ready.port}/events?since=0`, {
        reset: true,
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      assert.equal(res.statusCode, 200);
      const events = decodeEventList(await res.body.text());
      assert.ok(events.length >= 1, 'events from upstream');
      assert.deepEqual(
        events.map((e) => e.seq),
        Array.from({ length: events.length }, (_, i) => i + 1),
      );

      proc.child.send({ type: 'stats', id: 1, resetWindow: false, gc: true } satisfies ToServer);
      const stats = await nextMessage('stats');
      assert.ok(stats.type === 'stats');
      assert.equal(stats.id, 1);
      assert.equal(stats.stats.counters.httpRequests, 1);
      assert.equal(stats.stats.counters.tcpAccepted, 1);
      assert.ok(stats.stats.process.rssBytes > 0);
      assert.equal(stats.stats.feed?.upstream?.connected, true);
      assert.equal(stats.stats.feed?.upstream?.port, publisher.port);
      assert.ok((stats.stats.feed?.latestSeq ?? 0) >= events.length);

      proc.child.kill('SIGTERM');
      const { code, signal } = await proc.waitExit(10_000);
      assert.equal(signal, null, 'exited by itself, not killed by the signal');
      assert.equal(code, 0);
      assert.equal(proc.stderr(), '');
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      await publisher.close();
    }
  });
});
