/**
 * The feed server's limits (servers/limits.ts, servers/catch-up.ts) against real servers on port 0:
 * catch-up pages for polls (and the clients that follow them), connections refused past
 * maxConnections, and connections that never send a whole request head closed by the header
 * timeout, while a long-poll hold longer than the request timeout is not cut. Raw sockets, so what
 * is asserted is what travels.
 */
import { DEFAULT_SERVER_LIMITS } from '../../servers/contract/server-limits.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http2 from 'node:http2';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { clientFactories } from '../../bench/clients/index.ts';
import { encodeEventList, type FeedEvent } from '../../servers/contract/protocol.ts';
import type { ServerConfig, Framework } from '../../servers/contract/server-config.ts';
import type { ServerLimits } from '../../servers/contract/server-limits.ts';
import type { TransportName } from '../../servers/transports/types.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

const POLLING: readonly TransportName[] = ['short-poll', 'long-poll'];
const FRAMEWORKS: readonly Framework[] = ['express', 'node'];
/** Generous bound for anything that should take milliseconds, on a busy 2-core machine. */
const WAIT_MS = 10_000;

async function withServer(
  config: ServerConfig,
  limits: Partial<ServerLimits>,
  fn: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer({ ...config, limits } as ServerConfig);
  try {
    await fn(server);
  } finally {
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
  /** Bytes the server wrote on the socket (head and body). */
  bytes: number;
}

/** One request on a fresh socket with Connection: close; the whole answer as it came. */
function rawGet(port: number, path: string): Promise<RawAnswer> {
  return withTimeout(
    new Promise<RawAnswer>((resolve, reject) => {
      const socket = net.connect(port, HOST, () =>
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('error', reject);
      socket.on('end', () => {
        const all = Buffer.concat(chunks);
        const split = all.indexOf('\r\n\r\n');
        const [statusLine, ...lines] = all.toString('latin1', 0, split).split('\r\n');
        const headers = new Map(
          lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        resolve({
          status: Number(statusLine!.split(' ')[1]),
          headers,
          body: all.toString('utf8', split + 4),
          bytes: all.length,
        });
        socket.destroy();
      });
    }),
    WAIT_MS,
    `GET ${path}`,
  );
}

/** How a raw socket that writes `send` and nothing more ends: what it read, and whether the server closed it. */
function heldSocket(port: number, send: string): Promise<{ read: string }> {
  return withTimeout(
    new Promise((resolve) => {
      const socket = net.connect(port, HOST, () => send && socket.write(send));
      let read = '';
      socket.on('data', (d) => (read += d.toString('latin1')));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ read }));
    }),
    WAIT_MS,
    'the server to close a connection that sends no whole request',
  );
}

const publish = (server: RunningServer, n: number) => {
  for (let i = 0; i < n; i++) server.feed!.publish(nowNs(), TEST_PAYLOAD);
};

describe('catch-up pages for polls', () => {
  for (const transport of POLLING)
    for (const framework of FRAMEWORKS)
      test(`${transport} on ${framework}: since=0 gets the oldest page, marked; a page within the limit is unchanged`, async () => {
        await withServer(feedConfig(transport, framework), { catchUpMaxEvents: 100 }, async (server) => {
          publish(server, 250);
          const entries = server.feed!.ring.since(0);
          const first = await rawGet(server.port, '/events?since=0&wait=0');
          assert.equal(first.status, 200);
          assert.equal(first.headers.get('x-more-events'), '1');
          // Exactly the oldest 100 events, byte for byte what an uncapped answer of them would be.
          assert.equal(first.body, encodeEventList(entries.slice(0, 100).map((e) => e.json)));
          const seqs = (JSON.parse(first.body) as FeedEvent[]).map((e) => e.seq);
          assert.deepEqual([seqs[0], seqs.at(-1), seqs.length], [1, 100, 100]);

          const middle = await rawGet(server.port, '/events?since=100&wait=0');
          assert.equal(middle.headers.get('x-more-events'), '1');
          // The last page holds what is left (50 events) and says nothing more: ordinary answers keep their bytes.
          const last = await rawGet(server.port, '/events?since=200&wait=0');
          assert.equal(last.headers.has('x-more-events'), false);
          assert.equal(last.body, encodeEventList(entries.slice(200).map((e) => e.json)));
          assert.equal(server.stats().counters.catchUpCapped, 2);
        });
      });

  test('the default limit pages a full ring: since=0 answers 2,000 events, not 10,000', async () => {
    await withServer(feedConfig('short-poll', 'node'), {}, async (server) => {
      publish(server, 10_000);
      const answer = await rawGet(server.port, '/events?since=0');
      assert.equal((JSON.parse(answer.body) as FeedEvent[]).length, DEFAULT_SERVER_LIMITS.catchUpMaxEvents);
      assert.equal(DEFAULT_SERVER_LIMITS.catchUpMaxEvents, 2000);
      assert.equal(answer.headers.get('x-more-events'), '1');
    });
  });

  for (const transport of POLLING)
    test(`the ${transport} client follows capped pages at once and counts them`, async () => {
      await withServer(feedConfig(transport, 'node'), { catchUpMaxEvents: 100 }, async (server) => {
        publish(server, 1050);
        const seqs: number[] = [];
        // A poll interval far longer than the test: only the immediate next pages can bring the events.
        const client = clientFactories[transport]({
          host: HOST,
          port: server.port,
          since: 0,
          onEvents: (events) => seqs.push(...events.map((e) => e.seq)),
          pollIntervalMs: 600_000,
          longPollWaitMs: 1000,
          reconnectDelayMs: 50,
        });
        try {
          await withTimeout(client.start(), 5000, 'client.start()');
          await waitUntil(
            () => seqs.length >= 1050,
            WAIT_MS,
            () => `${seqs.length} of 1050 events`,
          );
          assert.deepEqual(
            seqs,
            Array.from({ length: 1050 }, (_, i) => i + 1),
          );
          // 11 pages: 10 capped ones of 100, then the last 50.
          assert.equal(client.counters().catchUpPages, 10);
          assert.equal(server.stats().counters.catchUpCapped, 10);
        } finally {
          await withTimeout(client.close(), 5000, 'client.close()');
        }
      });
    });
});

describe('connection limit', () => {
  for (const http of ['1.1', '2'] as const)
    test(`HTTP/${http}: the connection past maxConnections is closed unserved and counted`, async () => {
      const config = {
        ...feedConfig('short-poll', 'node'),
        ...(http === '2' && { http: '2' as const }),
      } as ServerConfig;
      await withServer(config, { maxConnections: 2 }, async (server) => {
        const open: net.Socket[] = [];
        try {
          for (let i = 0; i < 2; i++) {
            const socket = net.connect(server.port, HOST);
            socket.on('error', () => {});
            open.push(socket);
          }
          await waitUntil(() => server.stats().counters.openSockets === 2, WAIT_MS, 'two open connections');
          const refused = await heldSocket(server.port, '');
          assert.equal(refused.read, '');
          await waitUntil(() => server.stats().counters.connectionsRefused === 1, WAIT_MS, 'one refusal counted');
          assert.equal(server.stats().counters.tcpAccepted, 2);
        } finally {
          for (const socket of open) socket.destroy();
        }
        // Room again once they are gone.
        await waitUntil(() => server.stats().counters.openSockets === 0, WAIT_MS, 'connections closed');
        const answer = await rawGet(server.port, '/events?since=0').catch(() => null);
        if (http === '1.1') assert.equal(answer?.status, 200);
      });
    });
});

describe('request timeouts', () => {
  for (const framework of FRAMEWORKS)
    test(`${framework}: a silent connection and an unfinished request head are closed with 408`, async () => {
      await withServer(
        feedConfig('long-poll', framework),
        { headersTimeoutMs: 200, requestTimeoutMs: 400 },
        async (server) => {
          const [silent, partial] = await Promise.all([
            heldSocket(server.port, ''),
            heldSocket(server.port, `GET /events?since=0 HTTP/1.1\r\nHost: ${HOST}\r\n`),
          ]);
          assert.match(silent.read, /^HTTP\/1\.1 408 /);
          assert.match(partial.read, /^HTTP\/1\.1 408 /);
        },
      );
    });

  test('a long-poll hold longer than the request timeout is answered by its wait, not cut', async () => {
    await withServer(
      feedConfig('long-poll', 'node'),
      { headersTimeoutMs: 200, requestTimeoutMs: 300 },
      async (server) => {
        const answer = await rawGet(server.port, '/events?since=0&wait=1500');
        assert.equal(answer.status, 200);
        assert.equal(answer.body, '[]');
      },
    );
  });

  test('HTTP/2: a session that opens no stream within the header timeout is closed', async () => {
    await withServer(
      { ...feedConfig('short-poll', 'node'), http: '2' } as ServerConfig,
      { headersTimeoutMs: 200, requestTimeoutMs: 400 },
      async (server) => {
        await heldSocket(server.port, '');
        // A session that does ask is served as before.
        const session = http2.connect(`http://${HOST}:${server.port}`);
        try {
          const status = await withTimeout(
            new Promise<number>((resolve, reject) => {
              const req = session.request({ ':path': '/events?since=0' });
              req.on('response', (h) => resolve(Number(h[':status'])));
              req.on('error', reject);
              req.resume();
            }),
            WAIT_MS,
            'an HTTP/2 poll',
          );
          assert.equal(status, 200);
        } finally {
          session.destroy();
        }
      },
    );
  });
});
