/**
 * The event encodings (JSON, binary) and compression (off, on, on-no-takeover) on every transport,
 * against real servers on port 0 with an in-process feed: delivery exactly once and in order, both
 * ends' socket counts equal, and the physics checked against arithmetic (base64's 4/3, RFC 6455's
 * mask, incompressible bytes, the text payload's stated ratio).
 */
import { encodeMessage } from '../../servers/contract/upstream-message.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';
import { clientFactories, type ClientOptions, type TransportClient } from '../../bench/clients/index.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { TRANSPORT_NAMES, encodeEvent, type FeedEvent, type TransportName } from '../../servers/contract/protocol.ts';
import { encodeBinaryEvent } from '../../servers/contract/binary-event.ts';
import { makeRandomPayload, makeTextPayload, payloadSource } from '../../servers/contract/payload.ts';
import { openFeed } from '../../bench/publisher/feed.ts';
import { perMessageDeflateFor } from '../../servers/contract/ws-deflate.ts';
import type { ServerConfig } from '../../servers/contract/server-config.ts';
import type { Compression, EventEncoding, PayloadContent } from '../../servers/contract/wire-options.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';
import { nowNs } from '../../servers/contract/clock.ts';

const WAIT_MS = 10_000;
const ENCODINGS: readonly EventEncoding[] = ['json', 'binary'];
const COMPRESSIONS: readonly Compression[] = ['off', 'on', 'on-no-takeover'];
const SHORT_POLL: TransportName = 'short-poll';
const LONG_POLL: TransportName = 'long-poll';
const SSE: TransportName = 'sse';
const WS: TransportName = 'ws';

type FeedServerConfig = Extract<ServerConfig, { role: 'feed' }>;
/** The harness's feed config on node:http with the wire options on top. */
function feedServer(transport: TransportName, extra: Partial<FeedServerConfig> = {}): FeedServerConfig {
  return { ...(feedConfig(transport, 'node') as FeedServerConfig), ...extra };
}

interface Wire {
  encoding: EventEncoding;
  compression: Compression;
  content: PayloadContent;
  payloadBytes: number;
}

interface Case {
  server: RunningServer;
  client: TransportClient;
  received: FeedEvent[];
  published: FeedEvent[];
  publish(n: number): void;
}

function payloadFor(wire: Wire, seq: number): string {
  return wire.content === 'random'
    ? makeRandomPayload(wire.payloadBytes, seq, wire.encoding)
    : makeTextPayload(wire.payloadBytes, seq);
}

/** A server and a started client speaking `wire`; both always closed afterwards. */
async function withCase(
  transport: TransportName,
  wire: Wire,
  fn: (c: Case) => Promise<void>,
  overrides: Partial<ClientOptions> = {},
): Promise<void> {
  const server = await startServer(feedServer(transport, { encoding: wire.encoding, compression: wire.compression }));
  const received: FeedEvent[] = [];
  const published: FeedEvent[] = [];
  const client = clientFactories[transport]({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: (events) => received.push(...events),
    pollIntervalMs: 50,
    longPollWaitMs: 5000,
    reconnectDelayMs: 50,
    encoding: wire.encoding,
    compression: wire.compression,
    ...overrides,
  });
  try {
    await withTimeout(client.start(), 5000, `${transport} start`);
    await fn({
      server,
      client,
      received,
      published,
      publish(n) {
        for (let i = 0; i < n; i++) {
          const seq = server.feed!.latestSeq + 1;
          published.push(server.feed!.publish(nowNs(), payloadFor(wire, seq)).event);
        }
      },
    });
  } finally {
    try {
      await withTimeout(client.close(), 5000, `${transport} close`);
    } finally {
      await withTimeout(server.close(), 5000, 'server close');
    }
  }
}

/** Nothing in flight: a short poll between polls, a long poll parked at the server. */
async function quiesce(c: Case, transport: TransportName): Promise<void> {
  const idle = () => c.client.counters().httpResponses === c.client.counters().httpRequests;
  if (transport === SHORT_POLL) {
    const empty = c.client.counters().emptyResponses;
    await waitUntil(() => c.client.counters().emptyResponses > empty && idle(), WAIT_MS, 'short poll idle');
  } else if (transport === LONG_POLL) {
    await waitUntil(
      () =>
        c.server.stats().gauges.parkedRequests === 1 &&
        c.server.stats().counters.httpRequests === c.client.counters().httpRequests,
      WAIT_MS,
      'long poll parked',
    );
  }
}

/**
 * Publishes one event at a time, each delivered before the next, and returns the server's bytes out
 * per event (not for short polling, whose empty answers would count too).
 */
async function bytesPerEvent(c: Case, transport: TransportName, events: number): Promise<number> {
  await quiesce(c, transport);
  const before = c.server.stats().counters.bytesOut;
  for (let i = 0; i < events; i++) {
    const target = c.client.lastSeq + 1;
    c.publish(1);
    await waitUntil(() => c.client.lastSeq >= target, WAIT_MS, `event ${target}`);
    await quiesce(c, transport);
  }
  return (c.server.stats().counters.bytesOut - before) / events;
}

describe('every transport x encoding x compression: exactly once, in order, both ends agree', () => {
  for (const transport of TRANSPORT_NAMES)
    for (const encoding of ENCODINGS)
      for (const compression of COMPRESSIONS)
        test(`${transport} ${encoding} ${compression}`, async () => {
          const wire: Wire = { encoding, compression, content: 'text', payloadBytes: 256 };
          await withCase(transport, wire, async (c) => {
            c.publish(1);
            await waitUntil(() => c.client.lastSeq >= 1, WAIT_MS, 'first event');
            for (const n of [5, 1, 20, 3]) c.publish(n);
            const k = c.published.length;
            await waitUntil(
              () => c.client.lastSeq >= k,
              WAIT_MS,
              () => `lastSeq ${c.client.lastSeq} < ${k}`,
            );
            await quiesce(c, transport);
            assert.deepEqual(c.received, c.published, 'every event exactly once, in order, payload intact');
            const counters = c.client.counters();
            assert.equal(counters.eventsReceived, k);
            assert.equal(counters.errors, 0);
            const expected = c.published.reduce(
              (sum, e) =>
                sum +
                (encoding === 'json'
                  ? Buffer.byteLength(encodeEvent(e))
                  : transport === SSE
                    ? Math.ceil(encodeBinaryEvent(e).length / 3) * 4
                    : encodeBinaryEvent(e).length),
              0,
            );
            assert.equal(counters.messageBytesDown, expected, 'messageBytesDown = the events as encoded');

            await c.client.close();
            await waitUntil(() => c.server.stats().counters.openSockets === 0, WAIT_MS, 'server saw the close');
            const after = c.client.counters();
            const s = c.server.stats().counters;
            assert.equal(after.bytesDown, s.bytesOut, 'client bytesDown = server bytesOut');
            assert.equal(after.bytesUp, s.bytesIn, 'client bytesUp = server bytesIn');
            if (compression !== 'off')
              assert.ok(
                after.bytesDown < expected,
                `compressed: ${after.bytesDown} bytes down < ${expected} of events`,
              );
          });
        });
});

describe('physics', () => {
  test('SSE carries the binary record in base64: ceil(n/3)*4 bytes of data per event, exactly', async () => {
    for (const payloadBytes of [254, 255, 256]) {
      const wire: Wire = { encoding: 'binary', compression: 'off', content: 'random', payloadBytes };
      await withCase(SSE, wire, async (c) => {
        c.publish(1);
        await waitUntil(() => c.client.lastSeq >= 1, WAIT_MS, 'first');
        const before = c.server.stats().counters.bytesOut;
        c.publish(1);
        await waitUntil(() => c.client.lastSeq >= 2, WAIT_MS, 'second');
        const record = 16 + payloadBytes;
        const data = Math.ceil(record / 3) * 4;
        // `id: 2\ndata: <base64>\n\n` in one HTTP/1.1 chunk: `<hex length>\r\n` ... `\r\n`.
        const frame = 'id: 2\n'.length + 'data: '.length + data + 2;
        const chunk = frame.toString(16).length + 2 + frame + 2;
        assert.equal(c.server.stats().counters.bytesOut - before, chunk, `record ${record} B`);
        assert.equal(c.client.counters().messageBytesDown, 2 * data);
      });
    }
  });

  test('a masked client frame is exactly 4 bytes longer than the same server frame (RFC 6455 5.2, 5.3)', async () => {
    const server = await startServer(feedServer(WS));
    const ws = new WebSocket(`ws://${HOST}:${server.port}/ws`, { perMessageDeflate: false });
    try {
      const messages: string[] = [];
      ws.on('message', (data) => messages.push(data.toString()));
      await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 5000, 'open');
      const out0 = server.stats().counters.bytesOut;
      const text = server.feed!.publish(nowNs(), TEST_PAYLOAD).json;
      await waitUntil(() => messages.length === 1, WAIT_MS, 'server frame');
      const serverFrame = server.stats().counters.bytesOut - out0;
      assert.ok(text.length < 126, 'a 7-bit length');
      assert.equal(serverFrame, 2 + text.length, 'server frame: 2-byte header, no mask');
      // The same length up: a valid upstream message (the server answers it with an echo, which
      // counts out, not in), so nothing but this frame reaches the server.
      const message = encodeMessage(1, nowNs(), text.length);
      assert.equal(message.length, text.length);
      const in0 = server.stats().counters.bytesIn;
      ws.send(message);
      await waitUntil(() => messages.length === 2, WAIT_MS, 'echo');
      assert.equal(server.stats().counters.bytesIn - in0 - serverFrame, 4, 'the masking key');
    } finally {
      ws.terminate();
      await withTimeout(server.close(), 5000, 'server close');
    }
  });

  test('permessage-deflate: the handshake negotiates exactly what was asked, on both ends', async () => {
    const noTakeover = { server_no_context_takeover: true, client_no_context_takeover: true };
    const cases: [Compression, string | undefined, object | undefined][] = [
      ['on', 'permessage-deflate', {}],
      ['on-no-takeover', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover', noTakeover],
      ['off', undefined, undefined],
    ];
    for (const [compression, expected, params] of cases) {
      await withCase(WS, { encoding: 'json', compression, content: 'text', payloadBytes: 64 }, async (c) => {
        // The bench client's own connection: the parameters ws accepted from the server's answer
        // (ws keeps them only in a private field; its public `extensions` lists names alone).
        type Negotiated = { _extensions: Record<string, { params: object } | undefined> };
        const ws = (c.client as unknown as { ws: Negotiated }).ws;
        const negotiated = ws._extensions['permessage-deflate']?.params;
        assert.deepEqual(negotiated && { ...negotiated }, params, compression);
      });
      // And a bare ws client with the same options reads the header itself.
      const server = await startServer(feedServer(WS, { compression }));
      const ws = new WebSocket(`ws://${HOST}:${server.port}/ws`, {
        perMessageDeflate: perMessageDeflateFor(compression, undefined),
      });
      try {
        const header = await withTimeout(
          new Promise<string | undefined>((resolve) =>
            ws.once('upgrade', (res) => resolve(res.headers['sec-websocket-extensions'] as string | undefined)),
          ),
          5000,
          'upgrade',
        );
        assert.equal(header, expected, `${compression}: Sec-WebSocket-Extensions`);
      } finally {
        ws.terminate();
        await withTimeout(server.close(), 5000, 'server close');
      }
    }
  });

  test('the legacy perMessageDeflate boolean still negotiates ws defaults when compression is absent', async () => {
    const server = await startServer(feedServer(WS, { perMessageDeflate: true }));
    const ws = new WebSocket(`ws://${HOST}:${server.port}/ws`, {
      perMessageDeflate: perMessageDeflateFor(undefined, true),
    });
    try {
      await withTimeout(new Promise((resolve) => ws.once('open', resolve)), 5000, 'open');
      assert.equal(ws.extensions, 'permessage-deflate');
    } finally {
      ws.terminate();
      await withTimeout(server.close(), 5000, 'server close');
    }
  });

  for (const transport of [LONG_POLL, SSE, WS])
    test(`${transport}: compressing a random binary payload saves nothing`, async () => {
      const perEvent: Record<string, number> = {};
      for (const compression of COMPRESSIONS) {
        const wire: Wire = { encoding: 'binary', compression, content: 'random', payloadBytes: 1024 };
        await withCase(transport, wire, async (c) => {
          c.publish(1);
          await waitUntil(() => c.client.lastSeq >= 1, WAIT_MS, 'first');
          perEvent[compression] = await bytesPerEvent(c, transport, 10);
        });
      }
      const off = perEvent.off!;
      for (const compression of ['on', 'on-no-takeover']) {
        const on = perEvent[compression]!;
        // SSE carries base64 (6 bits a character): gzip takes it back to about the record's own size.
        const floor = transport === SSE ? ((16 + 1024) / (Math.ceil(1040 / 3) * 4)) * off : off;
        assert.ok(on >= floor - 8, `${compression}: ${on.toFixed(1)} B per event, uncompressed ${off.toFixed(1)}`);
        if (transport === SSE) assert.ok(on < off, 'gzip undoes base64');
      }
    });

  test('the text payload compresses within its stated ratio (permessage-deflate, no context takeover)', async () => {
    const perEvent: Record<string, number> = {};
    for (const compression of ['off', 'on-no-takeover'] as const) {
      const wire: Wire = { encoding: 'binary', compression, content: 'text', payloadBytes: 1024 };
      await withCase(WS, wire, async (c) => {
        c.publish(1);
        await waitUntil(() => c.client.lastSeq >= 1, WAIT_MS, 'first');
        perEvent[compression] = await bytesPerEvent(c, WS, 20);
      });
    }
    // Frames of 1040-byte records: 4-byte header uncompressed. Raw deflate of 1 KiB text: 0.46 (payload.ts).
    assert.equal(perEvent.off, 4 + 16 + 1024);
    const ratio = perEvent['on-no-takeover']! / perEvent.off!;
    assert.ok(ratio > 0.42 && ratio < 0.55, `compressed / uncompressed ${ratio.toFixed(3)}`);
    // The same ratio computed by zlib alone, from the payloads themselves.
    const alone = zlib.deflateRawSync(makeTextPayload(1024, 5)).length / 1024;
    assert.ok(Math.abs(ratio - alone) < 0.08, `on the wire ${ratio.toFixed(3)}, zlib alone ${alone.toFixed(3)}`);
  });
});

describe('the real path: publisher process wire, server, client', () => {
  for (const transport of TRANSPORT_NAMES)
    test(`${transport}: random bytes 0-255 cross the upstream's JSON line and arrive intact in binary`, async () => {
      const spec = {
        shape: { kind: 'steady', ratePerSec: 200 },
        payloadBytes: 300,
        ringCapacity: 10_000,
        payloadContent: 'random',
        encoding: 'binary',
      } as const;
      const feed = await openFeed(spec, HOST);
      const server = await startServer({
        ...(feedConfig(transport, 'node', { host: HOST, port: feed.port }) as FeedServerConfig),
        encoding: 'binary',
        compression: 'on',
      });
      const received: FeedEvent[] = [];
      const client = clientFactories[transport]({
        host: HOST,
        port: server.port,
        since: 0,
        onEvents: (events) => received.push(...events),
        pollIntervalMs: 20,
        longPollWaitMs: 5000,
        encoding: 'binary',
        compression: 'on',
      });
      try {
        await withTimeout(client.start(), 5000, 'start');
        await waitUntil(
          () => received.length >= 20,
          WAIT_MS,
          () => `${received.length} of 20 events`,
        );
        assert.deepEqual(
          received.map((e) => e.seq),
          received.map((_, i) => i + 1),
        );
        const payloadOf = payloadSource(spec);
        for (const e of received) assert.equal(e.payload, payloadOf(e.seq), `payload of ${e.seq}`);
        assert.ok(new Set(received.flatMap((e) => [...e.payload])).size > 250, 'the whole byte range travelled');
        assert.equal(server.stats().feed?.upstream?.protocolErrors, 0);
      } finally {
        await withTimeout(client.close(), 5000, 'client close');
        await server.close();
        await feed.close();
      }
    });
});

describe('a malformed binary answer is an error, as a malformed JSON one is', () => {
  /** A server answering every request with `body` as application/octet-stream (or text/event-stream for SSE). */
  async function badServer(body: Buffer, contentType: string): Promise<{ port: number; close(): Promise<void> }> {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': contentType });
      if (contentType === 'text/event-stream') res.write(body);
      else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  const cases: [TransportName, Buffer, string][] = [
    [LONG_POLL, Buffer.from([0, 0, 0, 9, 1, 2]), 'application/octet-stream'],
    [SSE, Buffer.from('id: 1\ndata: not base64!\n\n'), 'text/event-stream'],
  ];
  for (const [transport, body, contentType] of cases)
    test(transport, async () => {
      const server = await badServer(body, contentType);
      const received: FeedEvent[] = [];
      const client = clientFactories[transport]({
        host: HOST,
        port: server.port,
        since: 0,
        onEvents: (events) => received.push(...events),
        longPollWaitMs: 1000,
        reconnectDelayMs: 1000,
        encoding: 'binary',
      });
      try {
        await withTimeout(client.start(), 5000, 'start');
        await waitUntil(() => client.counters().errors > 0, WAIT_MS, 'an error counted');
        assert.deepEqual(received, []);
      } finally {
        await withTimeout(client.close(), 5000, 'client close');
        await server.close();
      }
    });

  test('ws', async () => {
    const wss = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => socket.send(Buffer.from([1, 2, 3, 4, 5]), { binary: true }));
    const received: FeedEvent[] = [];
    const client = clientFactories[WS]({
      host: HOST,
      port: (wss.address() as AddressInfo).port,
      since: 0,
      onEvents: (events) => received.push(...events),
      reconnectDelayMs: 1000,
      encoding: 'binary',
    });
    try {
      await withTimeout(client.start(), 5000, 'start');
      await waitUntil(() => client.counters().errors > 0, WAIT_MS, 'an error counted');
      assert.deepEqual(received, []);
    } finally {
      await withTimeout(client.close(), 5000, 'client close');
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

describe('permessage-deflate frames on the socket are exactly what zlib alone makes (RFC 7692 7.2.1)', () => {
  /** A frame's header for a payload of `n` bytes from the server (unmasked): RFC 6455 5.2. */
  const header = (n: number) => (n < 126 ? 2 : n < 65_536 ? 4 : 10);

  /** The deflated messages: one raw deflate stream, sync-flushed per message (reset in between without takeover), less the 00 00 ff ff tail. */
  async function deflated(messages: readonly Buffer[], takeover: boolean): Promise<number[]> {
    const sizes: number[] = [];
    let deflate = zlib.createDeflateRaw();
    for (const message of messages) {
      if (!takeover) deflate = zlib.createDeflateRaw();
      const chunks: Buffer[] = [];
      const onData = (b: Buffer) => chunks.push(b);
      deflate.on('data', onData);
      deflate.write(message);
      await new Promise<void>((resolve) => deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
      deflate.off('data', onData);
      const out = Buffer.concat(chunks);
      assert.deepEqual([...out.subarray(-4)], [0, 0, 0xff, 0xff]);
      sizes.push(out.length - 4);
    }
    deflate.close();
    return sizes;
  }

  for (const compression of ['on', 'on-no-takeover'] as const)
    test(compression, async () => {
      const wire: Wire = { encoding: 'binary', compression, content: 'text', payloadBytes: 256 };
      await withCase(WS, wire, async (c) => {
        const frames: number[] = [];
        for (let i = 0; i < 12; i++) {
          const before = c.server.stats().counters.bytesOut;
          c.publish(1);
          await waitUntil(() => c.client.lastSeq >= i + 1, WAIT_MS, `event ${i + 1}`);
          frames.push(c.server.stats().counters.bytesOut - before);
        }
        const sizes = await deflated(c.published.map(encodeBinaryEvent), compression === 'on');
        assert.deepEqual(
          frames,
          sizes.map((n) => header(n) + n),
        );
        if (compression === 'on') assert.ok(sizes.at(-1)! < sizes[0]!, 'later events refer back to earlier ones');
      });
    });
});

describe('the SSE gzip stream on the socket is exactly zlib alone in HTTP/1.1 chunks (RFC 9112 7.1)', () => {
  /** Per event, the sizes of the pieces a gzip stream emits when each frame is written and flushed. */
  async function gzipped(frames: readonly Buffer[], flush: number): Promise<number[][]> {
    const gzip = zlib.createGzip();
    const pieces: number[][] = [];
    let current: number[] = [];
    gzip.on('data', (b: Buffer) => current.push(b.length));
    for (const frame of frames) {
      gzip.write(frame);
      await new Promise<void>((resolve) => gzip.flush(flush, () => resolve()));
      pieces.push(current);
      current = [];
    }
    gzip.close();
    return pieces;
  }
  const chunk = (n: number) => n.toString(16).length + 2 + n + 2;

  for (const compression of ['on', 'on-no-takeover'] as const)
    test(compression, async () => {
      const wire: Wire = { encoding: 'json', compression, content: 'text', payloadBytes: 256 };
      await withCase(SSE, wire, async (c) => {
        const sent: number[] = [];
        for (let i = 0; i < 12; i++) {
          const before = c.server.stats().counters.bytesOut;
          c.publish(1);
          await waitUntil(() => c.client.lastSeq >= i + 1, WAIT_MS, `event ${i + 1}`);
          sent.push(c.server.stats().counters.bytesOut - before);
        }
        const frames = c.published.map((e) => Buffer.from(`id: ${e.seq}\ndata: ${encodeEvent(e)}\n\n`));
        const flush = compression === 'on' ? zlib.constants.Z_SYNC_FLUSH : zlib.constants.Z_FULL_FLUSH;
        const pieces = await gzipped(frames, flush);
        assert.deepEqual(
          sent,
          pieces.map((p) => p.reduce((sum, n) => sum + chunk(n), 0)),
        );
      });
    });
});
