/**
 * The HTTP transports over HTTP/2 (servers/http2-host.ts, bench/clients/http-dispatcher.ts) against real
 * servers on port 0: h2 over TLS (ALPN) and h2c (prior knowledge). Every event exactly once and in order;
 * one TCP connection per client however many requests, one stream per request; client socket bytes =
 * server socket bytes = a tcpdump capture of the port. And the physics HTTP/2 exists for: HPACK sends a
 * repeated large header set as a few bytes of table indices.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import { clientFactories, type TransportClient, type TransportName } from '../../bench/clients/index.ts';
import { countedClient } from '../../bench/clients/http-dispatcher.ts';
import { directPool } from '../../bench/clients/direct-pool.ts';
import { findNginx, startNginx } from '../../bench/proxy/nginx.ts';
import { SocketLedger } from '../../bench/clients/socket-ledger.ts';
import { makeCertificate, type TlsMaterial } from '../../bench/tls/certificate.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { EVENTS_PATH, type FeedEvent } from '../../servers/contract/protocol.ts';
import type { HttpVersion } from '../../servers/contract/wire-options.ts';
import type { Framework, ServerConfig } from '../../servers/contract/server-config.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';
import { captureUnavailable, startCapture } from '../helpers/capture.ts';
import { bytesOnPort } from '../helpers/pcap.ts';
import { STREAM_PATH } from '../../servers/contract/protocol.ts';

const WAIT_MS = 10_000;
const HTTP_TRANSPORTS: readonly TransportName[] = ['short-poll', 'long-poll', 'sse'];

let material: TlsMaterial;
before(async () => {
  material = await makeCertificate();
});

/** A feed server config for HTTP/2 (feedConfig's, which is always a feed's). */
function h2Config(transport: TransportName, framework: Framework, tls?: TlsMaterial): ServerConfig {
  const config = feedConfig(transport, framework);
  if (config.role !== 'feed') throw new Error('feedConfig made a non-feed config');
  return { ...config, http: '2', ...(tls && { tls }) };
}

type Wire = 'h2' | 'h2c';
const WIRES: readonly Wire[] = ['h2', 'h2c'];

interface Run {
  server: RunningServer;
  client: TransportClient;
  seqs: number[];
  publish(n: number): void;
}

async function withH2Client(transport: TransportName, wire: Wire, fn: (run: Run) => Promise<void>): Promise<void> {
  const tls = wire === 'h2' ? material : undefined;
  const server = await startServer(h2Config(transport, 'node', tls));
  const seqs: number[] = [];
  const client = clientFactories[transport]({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: (events: FeedEvent[]) => seqs.push(...events.map((e) => e.seq)),
    pollIntervalMs: 20,
    longPollWaitMs: 1000,
    reconnectDelayMs: 50,
    connectTimeoutMs: 5000,
    http: '2',
    ...(tls && { tls: { ca: tls.cert } }),
  });
  try {
    await fn({
      server,
      client,
      seqs,
      publish: (n) => {
        for (let i = 0; i < n; i++) server.feed!.publish(nowNs(), TEST_PAYLOAD);
      },
    });
  } finally {
    try {
      await withTimeout(client.close(), 5000, `${transport} client.close()`);
    } finally {
      await withTimeout(server.close(), 5000, 'server.close()');
    }
  }
}

describe('HTTP/2', () => {
  for (const transport of HTTP_TRANSPORTS)
    for (const wire of WIRES)
      test(`${transport} over ${wire}: every event once, in order; one connection, one stream per request; bytes agree with the server and a capture`, async (t) => {
        const why = captureUnavailable();
        await withH2Client(transport, wire, async (run) => {
          const capture = why ? undefined : await startCapture();
          try {
            await withTimeout(run.client.start(), WAIT_MS, `${transport} start()`);
            let last = 0;
            for (const n of [1, 30, 1, 50, 1, 17]) {
              run.publish(n);
              last += n;
              await sleep(5);
            }
            await waitUntil(
              () => run.client.lastSeq >= last,
              WAIT_MS,
              () => `lastSeq ${run.client.lastSeq} < ${last}`,
            );
            assert.deepEqual(
              run.seqs,
              Array.from({ length: last }, (_, i) => i + 1),
              'every event exactly once, in order',
            );
            // A short poller keeps polling every 20 ms: let it make a few requests more on the one connection.
            if (transport === 'short-poll')
              await waitUntil(() => run.client.counters().httpRequests >= 5, WAIT_MS, 'five polls');
            // Quiet: nothing in flight but a parked long poll or the open stream, whose bytes both ends have.
            await waitUntil(
              () => {
                const c = run.client.counters();
                const s = run.server.stats().counters;
                return c.bytesUp === s.bytesIn && c.bytesDown === s.bytesOut && c.httpRequests === s.httpRequests;
              },
              WAIT_MS,
              () =>
                `client ${JSON.stringify(run.client.counters())} vs server ${JSON.stringify(run.server.stats().counters)}`,
            );
            const c = run.client.counters();
            const s = run.server.stats().counters;
            assert.equal(c.errors, 0);
            assert.equal(c.tcpConnects, 1, 'one TCP connection for the client');
            assert.equal(s.tcpAccepted, 1, 'one TCP connection at the server');
            assert.equal(s.http2Streams, s.httpRequests, 'one HTTP/2 stream per request');
            assert.equal(s.httpRequests, c.httpRequests, 'the server saw every request the client made');
            // Every poll is a request; SSE's one stream carries them all.
            if (transport === 'sse') assert.equal(c.httpRequests, 1);
            // Long polls: the first event answers one, the rest at least one more, and the next is parked.
            else assert.ok(c.httpRequests >= 3, `${c.httpRequests} requests over the one connection`);
            assert.equal(wire === 'h2', c.tlsHandshakes === 1, 'a TLS handshake exactly when over TLS');

            await run.client.close();
            await waitUntil(() => run.server.stats().counters.openSockets === 0, WAIT_MS, 'server saw the close');
            const after = run.server.stats().counters;
            const closed = run.client.counters();
            assert.equal(closed.bytesUp, after.bytesIn, 'client bytesUp = server bytesIn, after close');
            // Over TLS the server answers the client's leaving with its close_notify, which the client never reads:
            // one TLS 1.3 record, 5 header bytes + 2 alert bytes + 1 content type byte + a 16-byte AEAD tag = 24.
            const closeNotify = wire === 'h2' ? 24 : 0;
            assert.equal(
              closed.bytesDown + closeNotify,
              after.bytesOut,
              'client bytesDown = server bytesOut, after close',
            );
            if (!capture) return t.skip(`capture check skipped: ${why}`);
            const captured = bytesOnPort(await capture.stop(), run.server.port);
            assert.equal(captured.toPort, after.bytesIn, 'captured payload to the server = server bytesIn');
            assert.equal(captured.fromPort, after.bytesOut, 'captured payload from the server = server bytesOut');
            t.diagnostic(
              `bytes up/down: client ${closed.bytesUp}/${closed.bytesDown}, server ${after.bytesIn}/${after.bytesOut}, tcpdump ${captured.toPort}/${captured.fromPort}; ${after.http2Streams} streams`,
            );
          } finally {
            await capture?.stop().catch(() => {});
          }
        });
      });
});

describe('a dropped HTTP/2 connection', () => {
  for (const transport of HTTP_TRANSPORTS)
    for (const wire of WIRES)
      test(`${transport} over ${wire}: the client reconnects and loses nothing`, async () => {
        await withH2Client(transport, wire, async (run) => {
          await withTimeout(run.client.start(), WAIT_MS, 'start()');
          run.publish(5);
          await waitUntil(() => run.client.lastSeq === 5, WAIT_MS, 'before the drop');
          (run.client as unknown as { ledger: SocketLedger }).ledger.destroyAll();
          await waitUntil(() => run.server.stats().counters.tcpAccepted === 2, WAIT_MS, 'reconnected');
          run.publish(5);
          await waitUntil(
            () => run.client.lastSeq === 10,
            WAIT_MS,
            () => `after: lastSeq ${run.client.lastSeq}`,
          );
          assert.deepEqual(
            run.seqs,
            Array.from({ length: 10 }, (_, i) => i + 1),
          );
          const c = run.client.counters();
          assert.equal(c.tcpConnects, 2);
          // The session tickets came before the events: the reconnect resumes, as over HTTP/1.1.
          if (wire === 'h2') assert.deepEqual([c.tlsHandshakes, c.tlsResumedHandshakes], [2, 1]);
        });
      });
});

describe('the SSE client over HTTP/2', () => {
  for (const wire of WIRES)
    test(`${wire}: each event is delivered when its DATA frame arrives, before the next is published`, async () => {
      await withH2Client('sse', wire, async (run) => {
        await withTimeout(run.client.start(), WAIT_MS, 'start()');
        for (let seq = 1; seq <= 10; seq++) {
          run.publish(1);
          await waitUntil(
            () => run.client.lastSeq === seq,
            WAIT_MS,
            () => `event ${seq}: lastSeq ${run.client.lastSeq}`,
          );
        }
        assert.deepEqual(
          run.seqs,
          Array.from({ length: 10 }, (_, i) => i + 1),
        );
      });
    });
});

// ---------------------------------------------------------------------------------------------
// the handlers under node:http2's compatibility API, seen by node's own HTTP/2 client

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

function get(session: http2.ClientHttp2Session, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let body = '';
    let headers: http2.IncomingHttpHeaders = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => (headers = h));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body }));
    stream.on('error', reject);
  });
}

async function withSession(
  transport: TransportName,
  fn: (session: http2.ClientHttp2Session, server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(h2Config(transport, 'node'));
  const session = http2.connect(`http://${HOST}:${server.port}`);
  try {
    await fn(session, server);
  } finally {
    session.destroy();
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

describe('the HTTP/1.1 handlers under node:http2', () => {
  test('an unknown path is a JSON 404 and a bad query a JSON 400, without connection-specific headers', async () => {
    await withSession('long-poll', async (session) => {
      const missing = await get(session, '/nope?x=1');
      assert.equal(missing.status, 404);
      assert.deepEqual(JSON.parse(missing.body), { error: 'not_found', message: 'no route for GET /nope' });
      const bad = await get(session, `${EVENTS_PATH}?since=abc`);
      assert.equal(bad.status, 400);
      assert.equal(JSON.parse(bad.body).error, 'bad_request');
      const ok = await get(session, `${EVENTS_PATH}?since=0&wait=0`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body, '[]');
      assert.equal(ok.headers['content-type'], 'application/json');
      assert.equal(ok.headers['content-length'], '2');
      // RFC 9113 8.2.2: HTTP/2 carries none of these (node:http's HTTP/1.1 answers do).
      for (const answer of [missing, bad, ok])
        for (const name of ['connection', 'keep-alive', 'transfer-encoding'])
          assert.equal(answer.headers[name], undefined, `${name} on an HTTP/2 answer`);
    });
  });

  test('a parked long poll whose stream the client resets is dropped at once; the session lives on', async () => {
    await withSession('long-poll', async (session, server) => {
      const stream = session.request({ ':path': `${EVENTS_PATH}?since=0&wait=30000` });
      stream.on('error', () => {});
      await waitUntil(() => server.stats().gauges.parkedRequests === 1, WAIT_MS, 'parked');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await waitUntil(() => server.stats().gauges.parkedRequests === 0, WAIT_MS, 'dropped on RST_STREAM');
      server.feed!.publish(nowNs(), TEST_PAYLOAD);
      const next = await get(session, `${EVENTS_PATH}?since=0&wait=30000`);
      assert.equal(JSON.parse(next.body).length, 1, 'the same session still answers');
      assert.equal(server.stats().counters.tcpAccepted, 1);
      assert.equal(server.stats().counters.http2Streams, 2);
    });
  });

  test('an SSE stream delivers each event as it is published, and ends on RST_STREAM', async () => {
    await withSession('sse', async (session, server) => {
      const stream = session.request({ ':path': STREAM_PATH, 'last-event-id': '0' });
      stream.on('error', () => {});
      const chunks: string[] = [];
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => chunks.push(chunk));
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('response', resolve));
      assert.equal(headers[':status'], 200, 'headers flushed before any event');
      assert.equal(headers['content-type'], 'text/event-stream');
      for (let seq = 1; seq <= 3; seq++) {
        server.feed!.publish(nowNs(), TEST_PAYLOAD);
        // Each event arrives alone, before the next is published: nothing buffers it.
        await waitUntil(() => chunks.join('').includes(`id: ${seq}\n`), WAIT_MS, `event ${seq}`);
      }
      assert.equal(server.stats().gauges.openStreams, 1);
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await waitUntil(() => server.stats().gauges.openStreams === 0, WAIT_MS, 'stream dropped on RST_STREAM');
    });
  });

  test('express on HTTP/2 and WebSocket on HTTP/2 are refused in one sentence', async () => {
    await assert.rejects(startServer(h2Config('sse', 'express')), /express 5 cannot serve HTTP\/2/);
    await assert.rejects(startServer(h2Config('ws', 'node')), /RFC 8441/);
  });
});

// ---------------------------------------------------------------------------------------------
// teardown

describe('close() leaves no handles behind over HTTP/2', () => {
  const WATCHED = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
  const countWatched = () => {
    const counts: Record<string, number> = Object.fromEntries(WATCHED.map((t) => [t, 0]));
    for (const type of process.getActiveResourcesInfo()) if (type in counts) counts[type]!++;
    return counts;
  };
  for (const transport of HTTP_TRANSPORTS)
    for (const wire of WIRES)
      test(`${transport} over ${wire}, with a client connected`, async () => {
        const baseline = countWatched();
        await withH2Client(transport, wire, async (run) => {
          await withTimeout(run.client.start(), WAIT_MS, 'start()');
          run.publish(1);
          await waitUntil(() => run.client.lastSeq === 1, WAIT_MS, 'first event');
          // Closed under a live session (a parked poll, an open stream, an idle session between polls).
          await withTimeout(run.server.close(), 5000, 'server.close() with a session open');
        });
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
});

// ---------------------------------------------------------------------------------------------
// physics: bytes per repeated poll

/** A browser-like request header set: a 500-byte cookie and what Chromium sends with fetch() (about 1 KB). */
const LARGE_HEADERS: Record<string, string> = {
  cookie: `session=${'c'.repeat(492)}`,
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  accept: '*/*',
  'accept-language': 'en-US,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br',
  referer: 'https://example.test/live/feed/page',
  'sec-ch-ua': '"Chromium";v="120", "Not?A_Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'sec-fetch-dest': 'empty',
  'sec-fetch-mode': 'cors',
  'sec-fetch-site': 'same-origin',
};

const POLLS = 10;

/**
 * Bytes up and down per poll once the connection is warm: the counted client polls POLLS times (an
 * empty answer, `[]`, each time) and the figure is the average over polls 3..POLLS, so the connection
 * preface, SETTINGS and the first use of every header (entering the HPACK table) are left out.
 */
async function bytesPerRepeatedPoll(
  http: HttpVersion,
  tls: boolean,
  headers: Record<string, string>,
): Promise<{ up: number; down: number }> {
  const base = feedConfig('short-poll', 'node');
  const server = await startServer(
    http === '2'
      ? h2Config('short-poll', 'node', tls ? material : undefined)
      : { ...base, ...(tls && { tls: material }) },
  );
  const ledger = new SocketLedger();
  const client: Client = countedClient(`${tls ? 'https' : 'http'}://${HOST}:${server.port}`, ledger, {
    bodyTimeoutMs: 10_000,
    headersTimeoutMs: 10_000,
    onConnect: () => {},
    http,
    ...(tls && { tls: { ca: material.cert } }),
  });
  try {
    let from = { up: 0, down: 0 };
    for (let i = 1; i <= POLLS; i++) {
      // The same path every time: only the header set's encoding differs between the runs.
      const { statusCode, body } = await client.request({ method: 'GET', path: `${EVENTS_PATH}?since=0`, headers });
      assert.equal(await body.text(), '[]');
      assert.equal(statusCode, 200);
      // Both ends quiet (the server read the request and wrote the answer the client has read).
      await waitUntil(
        () =>
          server.stats().counters.bytesIn === ledger.bytes().up &&
          server.stats().counters.bytesOut === ledger.bytes().down,
        WAIT_MS,
        'quiet',
      );
      if (i === 2) from = ledger.bytes();
    }
    const to = ledger.bytes();
    assert.equal(server.stats().counters.tcpAccepted, 1, 'one connection for every poll');
    return { up: (to.up - from.up) / (POLLS - 2), down: (to.down - from.down) / (POLLS - 2) };
  } finally {
    await client.destroy();
    ledger.destroyAll();
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

describe('HPACK: a repeated poll over HTTP/2', () => {
  test('sends its large header set as table indices: a small fraction of HTTP/1.1 bytes up', async (t) => {
    const h1 = await bytesPerRepeatedPoll('1.1', false, LARGE_HEADERS);
    const h2c = await bytesPerRepeatedPoll('2', false, LARGE_HEADERS);
    const h2 = await bytesPerRepeatedPoll('2', true, LARGE_HEADERS);
    const h1Minimal = await bytesPerRepeatedPoll('1.1', false, {});
    const h2cMinimal = await bytesPerRepeatedPoll('2', false, {});
    const h2Minimal = await bytesPerRepeatedPoll('2', true, {});
    t.diagnostic(
      `large headers, per poll up/down: h1 ${h1.up}/${h1.down} h2c ${h2c.up}/${h2c.down} h2 ${h2.up}/${h2.down}`,
    );
    // Measured on Node 20 (minimal headers): h1 79/158, h2c 25/36, h2 47/80 bytes up/down per poll. A raw
    // HTTP/2 client reading the frames saw each repeated answer as HEADERS (9 + a 7-byte block: indices and
    // a literal content-length) + DATA `[]` (9 + 2) + an empty DATA frame carrying END_STREAM (9): node:http2
    // ends a stream with a frame of its own, 9 bytes a response that nginx, which sets END_STREAM on the
    // last DATA frame, does not spend. Over TLS the request is one record (+22 up), the answer two (+44 down).
    t.diagnostic(
      `minimal headers, per poll up/down: h1 ${h1Minimal.up}/${h1Minimal.down} h2c ${h2cMinimal.up}/${h2cMinimal.down} h2 ${h2Minimal.up}/${h2Minimal.down}`,
    );
    const headerBytes = Object.entries(LARGE_HEADERS).reduce((n, [k, v]) => n + k.length + 2 + v.length + 2, 0);
    // HTTP/1.1 sends every header line again on every poll: exactly their bytes more than without them.
    assert.equal(h1.up - h1Minimal.up, headerBytes, 'HTTP/1.1 repeats the header lines verbatim');
    // HPACK (RFC 7541): once in the dynamic table, a header is one byte on the wire (an indexed field,
    // 1 bit + 7-bit index, for table indices up to 126), so 12 headers add 12 bytes to the HEADERS
    // frame: nothing of the ~1 KB. The cookie (500 + 6 + 32 = 538 bytes of table) and the rest
    // (~1 KB) fit nghttp2's 4096-byte table.
    assert.equal(
      h2c.up - h2cMinimal.up,
      Object.keys(LARGE_HEADERS).length,
      'HTTP/2 sends one byte per repeated header',
    );
    assert.ok(h2c.up * 10 < h1.up, `h2c ${h2c.up} bytes up per poll is under a tenth of HTTP/1.1's ${h1.up}`);
    // Over TLS the same HEADERS frame goes in one record (22 bytes of TLS 1.3 overhead per record).
    assert.ok(h2.up * 5 < h1.up, `h2 ${h2.up} bytes up per poll is under a fifth of HTTP/1.1's ${h1.up}`);
  });
});

// ---------------------------------------------------------------------------------------------
// the load generator's prewarm pool

describe('directPool (the JIT prewarm) over HTTP/2', () => {
  for (const wire of WIRES)
    test(`${wire}: every request is an HTTP/2 stream, one at a time per connection`, async () => {
      const tls = wire === 'h2' ? material : undefined;
      const server = await startServer(h2Config('short-poll', 'node', tls));
      const connections = 4;
      const pool = directPool(`${tls ? 'https' : 'http'}://${HOST}:${server.port}`, {
        connections,
        http: '2',
        ...(tls && { ca: tls.cert }),
      });
      try {
        const requests = 200;
        let sent = 0;
        const worker = async () => {
          while (sent < requests) {
            sent++;
            const { statusCode, body } = await pool.request({ method: 'GET', path: `${EVENTS_PATH}?since=0` });
            await body.dump();
            assert.equal(statusCode, 200);
          }
        };
        await withTimeout(Promise.all(Array.from({ length: connections }, worker)), WAIT_MS, 'prewarm requests');
        const s = server.stats().counters;
        assert.equal(s.http2Streams, requests, 'every request went over HTTP/2');
        assert.equal(s.httpRequests, requests);
        // Concurrent requests open connections rather than share one (pipelining 1), up to the pool's size.
        assert.ok(s.tcpAccepted > 1 && s.tcpAccepted <= connections, `${s.tcpAccepted} connections`);
      } finally {
        await pool.close();
        await withTimeout(server.close(), 5000, 'server.close()');
      }
    });
});

// ---------------------------------------------------------------------------------------------
// nginx in front: HTTP/2 to the clients, HTTP/1.1 keep-alive to the server

describe('HTTP/2 clients through nginx', { skip: findNginx() === null ? 'nginx not installed' : false }, () => {
  for (const transport of HTTP_TRANSPORTS)
    for (const wire of WIRES)
      test(`${transport} over ${wire} to nginx: every event once, in order, each as it is published`, async () => {
        const tls = wire === 'h2' ? material : undefined;
        // The server behind nginx speaks HTTP/1.1: nginx's upstream leg.
        const server = await startServer(feedConfig(transport, 'node'));
        const proxy = await startNginx({
          upstream: { host: HOST, port: server.port },
          http: '2',
          ...(tls && { tls }),
          longPollWaitMs: 1000,
          maxClients: 1,
          cpus: null,
        });
        const seqs: number[] = [];
        const client = clientFactories[transport]({
          host: HOST,
          port: proxy.port,
          since: 0,
          onEvents: (events: FeedEvent[]) => seqs.push(...events.map((e) => e.seq)),
          pollIntervalMs: 20,
          longPollWaitMs: 1000,
          reconnectDelayMs: 50,
          connectTimeoutMs: 5000,
          http: '2',
          ...(tls && { tls: { ca: tls.cert } }),
        });
        try {
          // The first event before the client counts as connected: nginx 1.22 over TLS holds an SSE stream's
          // HTTP/2 HEADERS frame in its TLS buffer until the first DATA frame (measured: the headers reached a
          // node:http2 client with the first event, 1.5 s after the request; h2c and HTTP/1.1 get them at once),
          // so an SSE client behind it connects with the feed's first event.
          const started = client.start();
          server.feed!.publish(nowNs(), TEST_PAYLOAD);
          await withTimeout(started, WAIT_MS, 'start()');
          await waitUntil(
            () => client.lastSeq === 1,
            WAIT_MS,
            () => `event 1: lastSeq ${client.lastSeq}`,
          );
          const events = 10;
          for (let seq = 2; seq <= events; seq++) {
            server.feed!.publish(nowNs(), TEST_PAYLOAD);
            // One at a time: nothing on the way (nginx's HTTP/2 framing included) holds an event back.
            await waitUntil(
              () => client.lastSeq === seq,
              WAIT_MS,
              () => `event ${seq}: lastSeq ${client.lastSeq}`,
            );
          }
          assert.deepEqual(
            seqs,
            Array.from({ length: events }, (_, i) => i + 1),
          );
          const c = client.counters();
          assert.equal(c.errors, 0);
          assert.equal(c.tcpConnects, 1, 'one HTTP/2 connection to nginx');
          // nginx's upstream leg is HTTP/1.1 keep-alive: the probe's connection, reused (no HTTP/2 streams at the server).
          const s = server.stats().counters;
          assert.equal(s.http2Streams, undefined);
          assert.equal(s.tcpAccepted, 1, 'one upstream connection, kept alive');
        } finally {
          await withTimeout(client.close(), 5000, 'client.close()');
          await proxy.stop();
          await withTimeout(server.close(), 5000, 'server.close()');
        }
      });
});
