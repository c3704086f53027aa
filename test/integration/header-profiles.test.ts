/**
 * The header profiles end to end over HTTP/1.1, on real servers on 127.0.0.1 port 0: every transport
 * with every request profile and every response profile delivers each event exactly once, in order; the
 * server received exactly the header lines the profile says (req.rawHeaders: names, case, order, values);
 * the client's socket bytes equal the server's, and equal the request heads rebuilt from those lines, so
 * a profile adds exactly its header lines to every request. The response profiles are read off the wire
 * by a hand-written TCP client.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { clientFactories } from '../../bench/clients/index.ts';
import {
  ARTICLE_2010,
  DEFAULT_COOKIE_BYTES,
  headerLineBytes,
  profileHeaders,
  undiciHeaders,
  type HeaderList,
  type RequestKind,
} from '../../bench/clients/request-headers.ts';
import { TRANSPORT_NAMES, type TransportName } from '../../servers/contract/protocol.ts';
import type { RequestHeaderProfile, ResponseHeaderProfile } from '../../servers/contract/wire-options.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import type { Framework, ServerConfig } from '../../servers/contract/server-config.ts';
import { Feed } from '../../servers/feed.ts';
import { createHost } from '../../servers/http-host.ts';
import { startServer } from '../../servers/start.ts';
import { attachers } from '../../servers/transports/index.ts';
import { DEFAULT_SERVER_LIMITS } from '../../servers/contract/server-limits.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

const WAIT_MS = 10_000;
const REQUEST_PROFILES: RequestHeaderProfile[] = ['minimal', 'browser', '2010'];
const RESPONSE_PROFILES: ResponseHeaderProfile[] = ['default', 'lean', '2010'];
const KIND: Record<TransportName, RequestKind> = {
  'short-poll': 'fetch',
  'long-poll': 'fetch',
  sse: 'eventsource',
  ws: 'websocket',
};

interface Seen {
  method: string;
  url: string;
  headers: HeaderList;
}

/** A feed server as startServer builds it (same host and attacher), plus a tap on what requests arrive. */
async function serve(transport: TransportName, responseHeaders: ResponseHeaderProfile) {
  const host = createHost(transport === 'ws' ? 'node' : 'express', 0, undefined, responseHeaders);
  const feed = new Feed({ ringCapacity: 1000 });
  const attached = attachers[transport](host, feed, { perMessageDeflate: false, limits: DEFAULT_SERVER_LIMITS });
  const seen: Seen[] = [];
  const tap = (req: IncomingMessage) => {
    const headers: HeaderList = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers });
  };
  host.server.prependListener('request', tap);
  host.server.prependListener('upgrade', tap);
  await new Promise<void>((resolve) => host.server.listen(0, HOST, () => resolve()));
  const port = (host.server.address() as AddressInfo).port;
  return {
    port,
    feed,
    seen,
    counters: () => host.counters.snapshot(),
    /** Drops every client connection, as a network failure would. */
    dropConnections: () => host.counters.destroyAll(),
    close: () =>
      withTimeout(
        new Promise<void>((resolve) => {
          attached.close();
          host.server.close(() => resolve());
          host.counters.destroyAll();
        }),
        5000,
        'server close',
      ),
  };
}

/** The bytes of a request head as it crossed the socket (requests here have no body). */
const headBytes = (s: Seen) => Buffer.byteLength(`${s.method} ${s.url} HTTP/1.1\r\n`) + headerLineBytes(s.headers) + 2;

const pairs = (flat: string[]): HeaderList => {
  const out: HeaderList = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};

/** Sec-WebSocket-Key is random per handshake: compared by its length only. */
const maskKey = (list: HeaderList): HeaderList =>
  list.map(([name, value]) => [name, name === 'Sec-WebSocket-Key' ? `<${value.length} bytes>` : value]);

/** What the server must have received for `profile`, in order. */
function expectedHeaders(transport: TransportName, profile: RequestHeaderProfile, port: number): HeaderList {
  const authority = `${HOST}:${port}`;
  const kind = KIND[transport];
  const list = profileHeaders(profile, kind, {
    host: HOST,
    port,
    secure: false,
    http: '1.1',
    cookieBytes: DEFAULT_COOKIE_BYTES,
    lastEventId: 0,
    perMessageDeflate: false,
  });
  if (kind === 'websocket') {
    if (profile !== 'minimal') return list;
    // ws's own handshake: its four fields, then Host from node's http.
    return [
      ['Sec-WebSocket-Version', '13'],
      ['Sec-WebSocket-Key', 'AAAAAAAAAAAAAAAAAAAAAA=='],
      ['Connection', 'Upgrade'],
      ['Upgrade', 'websocket'],
      ['Host', authority],
    ];
  }
  // undici writes host and connection first, in its lower case; then the profile's lines in order.
  const own: HeaderList = [
    ['host', authority],
    ['connection', 'keep-alive'],
  ];
  if (profile !== 'minimal') return [...own, ...pairs(undiciHeaders(list))];
  return kind === 'eventsource' ? [...own, ['accept', 'text/event-stream'], ['last-event-id', '0']] : own;
}

describe('every transport x request profile x response profile over HTTP/1.1', () => {
  for (const transport of TRANSPORT_NAMES)
    for (const profile of REQUEST_PROFILES)
      for (const responseHeaders of RESPONSE_PROFILES)
        test(`${transport}, request ${profile}, response ${responseHeaders}`, async () => {
          const server = await serve(transport, responseHeaders);
          const seqs: number[] = [];
          const client = clientFactories[transport]({
            host: HOST,
            port: server.port,
            since: 0,
            onEvents: (events) => seqs.push(...events.map((e) => e.seq)),
            pollIntervalMs: 20,
            longPollWaitMs: 1000,
            reconnectDelayMs: 50,
            requestHeaders: { profile, cookieBytes: DEFAULT_COOKIE_BYTES },
          });
          try {
            await withTimeout(client.start(), 5000, 'client.start()');
            server.feed.publish(nowNs(), TEST_PAYLOAD);
            await waitUntil(() => client.lastSeq >= 1, WAIT_MS, 'first event');
            for (let i = 0; i < 3; i++) server.feed.publish(nowNs(), TEST_PAYLOAD);
            await waitUntil(
              () => client.lastSeq >= 4,
              WAIT_MS,
              () => `events 1..4, got ${seqs.join(',')}`,
            );
            assert.deepEqual(seqs, [1, 2, 3, 4], 'each event exactly once, in order');
          } finally {
            await withTimeout(client.close(), 5000, 'client.close()');
          }
          try {
            // The server saw the profile's lines, exactly, on every request.
            const expected = maskKey(expectedHeaders(transport, profile, server.port));
            assert.ok(server.seen.length > 0);
            for (const s of server.seen) assert.deepEqual(maskKey(s.headers), expected, `${s.method} ${s.url}`);

            // Client and server count the same bytes, and the bytes up are exactly the heads above.
            const counters = client.counters();
            await waitUntil(
              () => server.counters().bytesIn === counters.bytesUp && server.counters().bytesOut === counters.bytesDown,
              WAIT_MS,
              () => `client ${counters.bytesUp}/${counters.bytesDown} vs server ${JSON.stringify(server.counters())}`,
            );
            const heads = server.seen.map(headBytes);
            assert.equal(
              counters.bytesUp,
              heads.reduce((a, b) => a + b, 0),
              'bytes up = the request heads',
            );

            // A profile adds exactly its lines: each head = the minimal head + the added lines.
            const minimal = expectedHeaders(transport, 'minimal', server.port);
            const added = headerLineBytes(expectedHeaders(transport, profile, server.port)) - headerLineBytes(minimal);
            for (const s of server.seen) assert.equal(headBytes(s) - headBytes({ ...s, headers: minimal }), added);
          } finally {
            await server.close();
          }
        });
});

test('SSE under the browser profile resumes after a drop with Last-Event-ID where Chromium puts it', async () => {
  const server = await serve('sse', 'default');
  const seqs: number[] = [];
  const client = clientFactories.sse({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: (events) => seqs.push(...events.map((e) => e.seq)),
    reconnectDelayMs: 50,
    requestHeaders: { profile: 'browser', cookieBytes: DEFAULT_COOKIE_BYTES },
  });
  try {
    await withTimeout(client.start(), 5000, 'client.start()');
    server.feed.publish(nowNs(), TEST_PAYLOAD);
    server.feed.publish(nowNs(), TEST_PAYLOAD);
    await waitUntil(() => client.lastSeq >= 2, WAIT_MS, 'events 1..2');
    server.dropConnections();
    await waitUntil(() => server.seen.length === 2, WAIT_MS, 'the reconnect');
    server.feed.publish(nowNs(), TEST_PAYLOAD);
    await waitUntil(() => client.lastSeq >= 3, WAIT_MS, 'event 3');
    assert.deepEqual(seqs, [1, 2, 3]);
    const lastEventId = (s: Seen) => s.headers.find(([name]) => name === 'Last-Event-ID');
    assert.deepEqual(server.seen.map(lastEventId), [
      ['Last-Event-ID', '0'],
      ['Last-Event-ID', '2'],
    ]);
    const names = server.seen[1]!.headers.map(([name]) => name);
    assert.equal(names.indexOf('Last-Event-ID'), names.indexOf('sec-ch-ua-mobile') + 1);
  } finally {
    await withTimeout(client.close(), 5000, 'client.close()');
    await server.close();
  }
});

/** A hand-written HTTP/1.1 client: sends `request`, returns the response head's lines and the bytes read. */
function rawExchange(socket: net.Socket, request: string, bodyBytes: (head: string[]) => number) {
  return withTimeout(
    new Promise<{ lines: string[]; bytes: number }>((resolve, reject) => {
      let data = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const end = data.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = data.subarray(0, end).toString('latin1').split('\r\n');
        const total = end + 4 + bodyBytes(lines);
        if (data.length < total) return;
        socket.off('data', onData);
        resolve({ lines, bytes: total });
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(request);
    }),
    5000,
    `answer to ${request.split('\r\n')[0]}`,
  );
}

const contentLength = (lines: string[]) =>
  Number(lines.find((l) => l.toLowerCase().startsWith('content-length:'))?.split(':')[1] ?? 0);

/** The header names of each (transport family, profile) answer, in order. */
const POLL_NAMES: Record<ResponseHeaderProfile, string[]> = {
  default: ['content-type', 'content-length', 'Date', 'Connection', 'Keep-Alive'],
  lean: ['content-type', 'content-length', 'Date'],
  '2010': ['X-Powered-By', 'Server', 'Content-Type', 'content-length', 'Date'],
};
const SSE_NAMES: Record<ResponseHeaderProfile, string[]> = {
  default: ['content-type', 'cache-control', 'Date', 'Connection', 'Keep-Alive', 'Transfer-Encoding'],
  lean: ['content-type', 'cache-control', 'Date', 'Transfer-Encoding'],
  // SSE's writeHead replaces the article's Content-Type in place, with its own spelling.
  '2010': ['X-Powered-By', 'Server', 'content-type', 'cache-control', 'Date', 'Transfer-Encoding'],
};

/** feedConfig with a response header profile: what servers/start.ts passes on to the host. */
function profiled(
  transport: TransportName,
  framework: Framework,
  responseHeaders: ResponseHeaderProfile,
): ServerConfig {
  const config = feedConfig(transport, framework);
  assert.equal(config.role, 'feed');
  return { ...config, responseHeaders } as ServerConfig;
}

describe('response profiles on the wire', () => {
  for (const transport of ['short-poll', 'long-poll'] as const)
    for (const framework of ['express', 'node'] as const)
      for (const responseHeaders of RESPONSE_PROFILES)
        test(`${transport} on ${framework}, response ${responseHeaders}: these fields, and the connection stays open`, async () => {
          const server = await startServer(profiled(transport, framework, responseHeaders));
          const socket = net.connect(server.port, HOST);
          try {
            await new Promise((resolve) => socket.once('connect', resolve));
            let read = 0;
            // Two requests on one connection: lean and 2010 send no Connection field, and persistence holds.
            for (const round of [1, 2]) {
              const request = `GET /events?since=0&wait=0 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;
              const { lines, bytes } = await rawExchange(socket, request, contentLength);
              read += bytes;
              assert.equal(lines[0], 'HTTP/1.1 200 OK', `round ${round}`);
              const fields = lines.slice(1).map((l) => l.slice(0, l.indexOf(':')));
              assert.deepEqual(fields, POLL_NAMES[responseHeaders], `round ${round}`);
              if (responseHeaders === '2010') {
                assert.deepEqual(lines.slice(1, 4), [
                  'X-Powered-By: Servlet/2.5',
                  'Server: Sun Java System Application Server 9.1_02',
                  'Content-Type: text/html;charset=UTF-8',
                ]);
                // Counted as the article counts (line characters, no CRLFs): its 179 less its two-digit
                // Content-Length, plus ours.
                const cl = String(contentLength(lines));
                assert.equal(
                  lines.reduce((a, l) => a + l.length, 0),
                  179 - 2 + cl.length,
                );
              }
            }
            await waitUntil(() => server.stats().counters.bytesOut === read, WAIT_MS, 'server bytes out = bytes read');
          } finally {
            socket.destroy();
            await server.close();
          }
        });

  for (const responseHeaders of RESPONSE_PROFILES)
    test(`sse, response ${responseHeaders}: these fields`, async () => {
      const server = await startServer(profiled('sse', 'express', responseHeaders));
      const socket = net.connect(server.port, HOST);
      try {
        await new Promise((resolve) => socket.once('connect', resolve));
        const { lines } = await rawExchange(socket, `GET /stream HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`, () => 0);
        assert.deepEqual(
          lines.slice(1).map((l) => l.slice(0, l.indexOf(':'))),
          SSE_NAMES[responseHeaders],
        );
        assert.ok(
          lines.includes('content-type: text/event-stream') || lines.includes('Content-Type: text/event-stream'),
        );
      } finally {
        socket.destroy();
        await server.close();
      }
    });
});

test('2010 on the wire: a poll request head is the article request, re-addressed, with CRLFs', async () => {
  const server = await serve('short-poll', '2010');
  const client = clientFactories['short-poll']({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: () => {},
    pollIntervalMs: 60_000,
    requestHeaders: { profile: '2010', cookieBytes: DEFAULT_COOKIE_BYTES },
  });
  try {
    await withTimeout(client.start(), 5000, 'client.start()');
    await waitUntil(() => client.counters().httpResponses === 1, WAIT_MS, 'first poll');
    const [first] = server.seen;
    const requestLine = `GET ${first!.url} HTTP/1.1`;
    // The article's 692 characters, with our request line and Host for its own, then CRLF after each of
    // the 11 lines (undici writes the article's Connection: keep-alive itself, in second place) + 2.
    const articleHost = ARTICLE_2010.host.length;
    const expected =
      692 -
      ARTICLE_2010.requestLine.length +
      requestLine.length -
      articleHost +
      `${HOST}:${server.port}`.length +
      11 * 2 +
      2;
    assert.equal(client.counters().bytesUp, expected);
  } finally {
    await withTimeout(client.close(), 5000, 'client.close()');
    await server.close();
  }
});
