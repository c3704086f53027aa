/**
 * Issue 11's axes crossed, which no single part tested: every transport x HTTP version (HTTP/1.1 in
 * cleartext and over TLS; HTTP/2 as h2 over TLS and as h2c; WebSocket on HTTP/1.1 only, its traits say)
 * x request header profile (minimal, browser with the cited 285-byte cookie, 2010 with the 2010
 * response headers, paired as bench/matrix.ts pairs them) x encoding (json, binary) x compression (off,
 * on, on-no-takeover). Each combination runs a real server (servers/start.ts, in-process feed published
 * by hand) and the bench's own client with the matching ClientOptions: every event arrives exactly once,
 * in order, decoded to what was published; the events' bytes are what the encoding makes of them; the
 * compression took effect (assertCompression); and once both ends have closed, the client's socket
 * counts equal the server's exactly, bar the one TLS record the departed client never reads
 * (closeNotifyBytes).
 *
 * Then the physics these axes are about, measured at the client's socket and checked against
 * arithmetic: HPACK sends a repeated browser or 2010 header set as one byte a field, and the 2010
 * profile's poll request and answer carry the article's 871 characters plus their line ends.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFactories, type TransportClient } from '../../bench/clients/index.ts';
import type { ClientCounters } from '../../bench/clients/types.ts';
import type { SocketLedger } from '../../bench/clients/socket-ledger.ts';
import {
  ARTICLE_2010,
  DEFAULT_COOKIE_BYTES,
  headerLineBytes,
  profileHeaders,
} from '../../bench/clients/request-headers.ts';
import { makeCertificate, type TlsMaterial } from '../../bench/tls/certificate.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { RESPONSE_2010 } from '../../servers/response-headers.ts';
import {
  EVENTS_PATH,
  TRANSPORT_NAMES,
  encodeEvent,
  type FeedEvent,
  type TransportName,
} from '../../servers/contract/protocol.ts';
import { encodeBinaryEvent } from '../../servers/contract/binary-event.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import { makeTextPayload } from '../../servers/contract/payload.ts';
import type { ServerConfig } from '../../servers/contract/server-config.ts';
import type {
  Compression,
  EventEncoding,
  HttpVersion,
  RequestHeaderProfile,
  ResponseHeaderProfile,
} from '../../servers/contract/wire-options.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { HOST, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

/** Anything that should take a few round trips, on a busy 2-core machine. */
const WAIT_MS = 8000;
const EVENTS = 3;
const POLL_INTERVAL_MS = 25;
/** Text of 1 KiB: deflate takes it to about half (payload.ts), far from what headers and framing add. */
const PAYLOAD_BYTES = 1024;
/** Combinations run at once: each is a server and one client, mostly waiting on loopback round trips. */
const CONCURRENCY = 6;

/** HTTP/1.1 in cleartext and over TLS (WebSocket as ws and wss); HTTP/2 as h2 (TLS, ALPN) and h2c. */
type Wire = 'http/1.1' | 'https/1.1' | 'h2' | 'h2c';
const tlsOn = (wire: Wire): boolean => wire === 'https/1.1' || wire === 'h2';
const httpOf = (wire: Wire): HttpVersion => (wire === 'h2' || wire === 'h2c' ? '2' : '1.1');
const PROFILES: readonly RequestHeaderProfile[] = ['minimal', 'browser', '2010'];
const ENCODINGS: readonly EventEncoding[] = ['json', 'binary'];
const COMPRESSIONS: readonly Compression[] = ['off', 'on', 'on-no-takeover'];

let material: TlsMaterial;
before(async () => {
  // One certificate for every combination: making one costs an openssl run.
  material = await makeCertificate();
});

/** The wires a transport runs on: HTTP/2 only where its traits allow (ws has no RFC 8441 WebSocket over h2). */
const wiresOf = (transport: TransportName): Wire[] =>
  TRANSPORT_TRAITS[transport].http2 ? ['http/1.1', 'https/1.1', 'h2', 'h2c'] : ['http/1.1', 'https/1.1'];

/** The browser profile carries the cited median cookie; the others none (bench/matrix.ts scenarioWires). */
const cookieBytesOf = (profile: RequestHeaderProfile): number => (profile === 'browser' ? DEFAULT_COOKIE_BYTES : 0);

/**
 * The response profile a server runs with, as bench/matrix.ts pairs them: the 2010 request set comes
 * with the 2010 response headers (the article's 871 bytes are both halves), and a transport on ws's
 * own HTTP stack answers with ws's 101 under every profile ('default').
 */
function responseHeadersOf(transport: TransportName, profile: RequestHeaderProfile): ResponseHeaderProfile {
  if (TRANSPORT_TRAITS[transport].httpStack !== 'framework') return 'default';
  return profile === '2010' ? '2010' : 'default';
}

/**
 * Over TLS the server answers the client's leaving with a close_notify alert the client, gone, never
 * reads: one TLS 1.3 record, 5 header bytes + 2 alert bytes + 1 content type byte + a 16-byte AEAD
 * tag = 24 bytes in the server's bytesOut and not in the client's bytesDown (http2.test.ts, same rule),
 * over HTTP/1.1 (WebSocket included) as over HTTP/2. Nothing else differs, on any crossing.
 */
const closeNotifyBytes = (wire: Wire): number => (tlsOn(wire) ? 24 : 0);

interface Combo {
  transport: TransportName;
  wire: Wire;
  profile: RequestHeaderProfile;
  encoding: EventEncoding;
  compression: Compression;
}

function combos(): Combo[] {
  const out: Combo[] = [];
  for (const transport of TRANSPORT_NAMES)
    for (const wire of wiresOf(transport))
      for (const profile of PROFILES)
        for (const encoding of ENCODINGS)
          for (const compression of COMPRESSIONS) out.push({ transport, wire, profile, encoding, compression });
  return out;
}

function serverConfig(c: Combo): ServerConfig {
  const base = feedConfig(c.transport, 'node');
  if (base.role !== 'feed') throw new Error('feedConfig made a non-feed config');
  return {
    ...base,
    http: httpOf(c.wire),
    responseHeaders: responseHeadersOf(c.transport, c.profile),
    encoding: c.encoding,
    compression: c.compression,
    ...(tlsOn(c.wire) && { tls: material }),
  };
}

/** Nothing in flight, and both ends have counted the same bytes: a short poll between polls, a long poll parked. */
function quiet(c: Combo, server: RunningServer, client: TransportClient): boolean {
  const k = client.counters();
  const s = server.stats();
  if (k.bytesUp !== s.counters.bytesIn || k.bytesDown !== s.counters.bytesOut) return false;
  if (c.transport === 'short-poll') return k.httpResponses === k.httpRequests;
  if (c.transport === 'long-poll') return s.gauges.parkedRequests === 1 && s.counters.httpRequests === k.httpRequests;
  return true;
}

/**
 * The events' own bytes as the client counts them (ClientCounters.messageBytesDown): their JSON, or
 * their binary records (in SSE's text stream as base64, 4 characters per 3 bytes); decompressed, so
 * the same under every compression, header profile and HTTP version.
 */
function eventBytes(c: Combo, events: readonly FeedEvent[]): number {
  let sum = 0;
  for (const e of events) {
    if (c.encoding === 'json') sum += Buffer.byteLength(encodeEvent(e));
    else if (c.transport === 'sse') sum += Math.ceil(encodeBinaryEvent(e).length / 3) * 4;
    else sum += encodeBinaryEvent(e).length;
  }
  return sum;
}

/** Where the events' phase starts: the client's bytes down and empty answers, and an empty answer's size. */
interface PhaseStart {
  down: number;
  empty: number;
  emptyAnswerBytes: number;
}

/**
 * Reads the client at a quiet moment before the first event. A short poller answers empty polls all
 * along: their size is measured here, over two of them, so the events' phase can take them out.
 */
async function eventPhaseStart(c: Combo, server: RunningServer, client: TransportClient): Promise<PhaseStart> {
  const read = async (minResponses: number) => {
    await waitUntil(
      () => quiet(c, server, client) && client.counters().httpResponses >= minResponses,
      WAIT_MS,
      'quiet before the events',
    );
    return client.counters();
  };
  const first = await read(0);
  if (c.transport !== 'short-poll') return { down: first.bytesDown, empty: first.emptyResponses, emptyAnswerBytes: 0 };
  const second = await read(first.httpResponses + 2);
  const emptyAnswerBytes = (second.bytesDown - first.bytesDown) / (second.emptyResponses - first.emptyResponses);
  return { down: second.bytesDown, empty: second.emptyResponses, emptyAnswerBytes };
}

/**
 * The compression axis took effect on this crossing (a profile's Accept-Encoding, HTTP/2's host and
 * framing, the binary encoding could each have turned it off unseen, and every figure would still
 * agree at both ends). The bytes down that carried the events (the phase's, less its empty short-poll
 * answers) against the events' own bytes (messageBytesDown, as decompressed): uncompressed, headers and
 * framing only add to them; compressed, 1 KiB of text deflates to about half, far more than any
 * answer's headers add back. An empty answer's size varies by a few bytes over HTTP/2 (HPACK sends a
 * new Date second as a literal, an unchanged one as an index): SLACK per empty answer taken out.
 */
function assertCompression(c: Combo, start: PhaseStart, end: ClientCounters): void {
  const SLACK = 32;
  const empties = end.emptyResponses - start.empty;
  const eventDown = end.bytesDown - start.down - empties * start.emptyAnswerBytes;
  const events = end.messageBytesDown;
  const ratio = (eventDown / events).toFixed(3);
  if (c.compression === 'off')
    assert.ok(eventDown + empties * SLACK >= events, `uncompressed: ${eventDown} B down for ${events} B of events`);
  else
    assert.ok(
      eventDown + empties * SLACK < 0.8 * events,
      `compressed: ${eventDown} B down for ${events} B of events (${ratio})`,
    );
}

async function runCombo(c: Combo): Promise<void> {
  const server = await startServer(serverConfig(c));
  const received: FeedEvent[] = [];
  const published: FeedEvent[] = [];
  const client = clientFactories[c.transport]({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: (events) => received.push(...events),
    pollIntervalMs: POLL_INTERVAL_MS,
    longPollWaitMs: 5000,
    reconnectDelayMs: 50,
    connectTimeoutMs: WAIT_MS,
    http: httpOf(c.wire),
    requestHeaders: { profile: c.profile, cookieBytes: cookieBytesOf(c.profile) },
    encoding: c.encoding,
    compression: c.compression,
    ...(tlsOn(c.wire) && { tls: { ca: material.cert } }),
  });
  const publish = (n: number) => {
    for (let i = 0; i < n; i++) {
      // Realistic text (compressible as a feed is), a different payload per event.
      const seq = server.feed!.latestSeq + 1;
      published.push(server.feed!.publish(nowNs(), makeTextPayload(PAYLOAD_BYTES, seq)).event);
    }
  };
  let clientClosed = false;
  try {
    await withTimeout(client.start(), WAIT_MS, 'client.start()');
    const before = await eventPhaseStart(c, server, client);
    // One event alone, then the rest at once: a batch in one answer, and (with context takeover) later
    // messages compressed against earlier ones.
    publish(1);
    await waitUntil(() => client.lastSeq >= 1, WAIT_MS, 'event 1');
    publish(EVENTS - 1);
    await waitUntil(
      () => client.lastSeq >= EVENTS,
      WAIT_MS,
      () => `lastSeq ${client.lastSeq} < ${EVENTS}`,
    );
    assert.deepEqual(received, published, 'every event exactly once, in order, decoded to what was published');
    const k = client.counters();
    assert.equal(k.eventsReceived, EVENTS);
    assert.equal(k.messageBytesDown, eventBytes(c, published), 'messageBytesDown = the events as encoded');
    assert.equal(k.errors, 0, 'no errors');
    assert.equal(k.tcpConnects, 1, 'one connection');
    assert.equal(k.tlsHandshakes, tlsOn(c.wire) ? 1 : 0, 'a TLS handshake exactly when over TLS');
    if (httpOf(c.wire) === '2')
      assert.equal(server.stats().counters.http2Streams, server.stats().counters.httpRequests, 'every request on h2');

    await waitUntil(
      () => quiet(c, server, client),
      WAIT_MS,
      () => `not quiet: client ${JSON.stringify(client.counters())} server ${JSON.stringify(server.stats())}`,
    );
    assertCompression(c, before, client.counters());
    // Closed in the same turn of the event loop as the quiet check: no poll timer can fire in between.
    clientClosed = true;
    await withTimeout(client.close(), 5000, 'client.close()');
    await waitUntil(() => server.stats().counters.openSockets === 0, WAIT_MS, 'server saw the close');
    await withTimeout(server.close(), 5000, 'server.close()');
    const after = client.counters();
    const s = server.stats().counters;
    assert.equal(after.bytesUp, s.bytesIn, 'client bytesUp = server bytesIn');
    assert.equal(after.bytesDown + closeNotifyBytes(c.wire), s.bytesOut, 'client bytesDown = server bytesOut');
  } finally {
    if (!clientClosed) await withTimeout(client.close(), 5000, 'client.close()').catch(() => {});
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

const label = (c: Combo) => `${c.transport} ${c.wire} headers=${c.profile} ${c.encoding} compression=${c.compression}`;

describe(
  'every transport x HTTP version x header profile x encoding x compression',
  { concurrency: CONCURRENCY },
  () => {
    for (const c of combos()) test(label(c), () => runCombo(c));
  },
);

// ---------------------------------------------------------------------------------------------
// a dropped connection, on every wire, with the state compression keeps

/**
 * What a reconnect must rebuild, crossed: a new TLS session (resumed), a new HPACK table, a new gzip
 * stream or deflate context (with takeover, the old one is gone with its connection), the browser
 * profile's headers again, and the binary decoder picking up mid-feed. Each transport on each wire with
 * each compression: the client's sockets are dropped under it, it reconnects, and the events before
 * and after arrive exactly once, in order, intact.
 */
async function runDrop(c: Combo): Promise<void> {
  const server = await startServer(serverConfig(c));
  const received: FeedEvent[] = [];
  const published: FeedEvent[] = [];
  const client = clientFactories[c.transport]({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: (events) => received.push(...events),
    pollIntervalMs: POLL_INTERVAL_MS,
    longPollWaitMs: 5000,
    reconnectDelayMs: 20,
    connectTimeoutMs: WAIT_MS,
    http: httpOf(c.wire),
    requestHeaders: { profile: c.profile, cookieBytes: cookieBytesOf(c.profile) },
    encoding: c.encoding,
    compression: c.compression,
    ...(tlsOn(c.wire) && { tls: { ca: material.cert } }),
  });
  const publishAndReceive = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const seq = server.feed!.latestSeq + 1;
      published.push(server.feed!.publish(nowNs(), makeTextPayload(PAYLOAD_BYTES, seq)).event);
    }
    const last = published.length;
    await waitUntil(
      () => client.lastSeq >= last,
      WAIT_MS,
      () => `lastSeq ${client.lastSeq} < ${last}`,
    );
  };
  try {
    await withTimeout(client.start(), WAIT_MS, 'client.start()');
    await publishAndReceive(2);
    (client as unknown as { ledger: SocketLedger }).ledger.destroyAll();
    await waitUntil(() => server.stats().counters.tcpAccepted === 2, WAIT_MS, 'reconnected');
    await publishAndReceive(2);
    assert.deepEqual(received, published, 'every event exactly once, in order, across the drop');
    assert.equal(client.counters().tcpConnects, 2, 'one reconnect');
    if (tlsOn(c.wire)) assert.equal(client.counters().tlsResumedHandshakes, 1, 'the reconnect resumed the TLS session');
  } finally {
    await withTimeout(client.close(), 5000, 'client.close()');
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

describe('a dropped connection on every wire, compressed or not', { concurrency: CONCURRENCY }, () => {
  for (const transport of TRANSPORT_NAMES)
    for (const wire of wiresOf(transport))
      for (const compression of COMPRESSIONS) {
        const c: Combo = { transport, wire, profile: 'browser', encoding: 'binary', compression };
        test(label(c), () => runDrop(c));
      }
});

// ---------------------------------------------------------------------------------------------
// physics: what the header profiles cost on the wire

/** The bytes a short-poll client wrote and read, and its polls, read at a quiet moment (both ends agree). */
interface Reading {
  up: number;
  down: number;
  polls: number;
}

/**
 * A short-poll client with `profile`'s headers against a server paired as the matrix pairs them,
 * polling an empty feed every few ms on one connection: `measure` gets a reading whenever the client
 * is between polls and the server has counted the same bytes.
 */
async function withPoller(
  wire: 'http/1.1' | 'h2c',
  profile: RequestHeaderProfile,
  pollIntervalMs: number,
  measure: (read: (minPolls: number) => Promise<Reading>, port: number) => Promise<void>,
): Promise<void> {
  const transport: TransportName = 'short-poll';
  const c: Combo = { transport, wire, profile, encoding: 'json', compression: 'off' };
  const server = await startServer(serverConfig(c));
  const client = clientFactories[transport]({
    host: HOST,
    port: server.port,
    since: 0,
    onEvents: () => {},
    pollIntervalMs,
    http: wire === 'h2c' ? '2' : '1.1',
    requestHeaders: { profile, cookieBytes: cookieBytesOf(profile) },
  });
  try {
    await withTimeout(client.start(), WAIT_MS, 'client.start()');
    await measure(async (minPolls) => {
      await waitUntil(
        () => quiet(c, server, client) && client.counters().httpResponses >= minPolls,
        WAIT_MS,
        () => `${minPolls} polls: ${JSON.stringify(client.counters())}`,
      );
      const k = client.counters();
      return { up: k.bytesUp, down: k.bytesDown, polls: k.httpResponses };
    }, server.port);
    assert.equal(client.counters().tcpConnects, 1, 'every poll on one connection');
    assert.equal(client.counters().errors, 0);
  } finally {
    await withTimeout(client.close(), 5000, 'client.close()');
    await withTimeout(server.close(), 5000, 'server.close()');
  }
}

/** The first polls (h2's preface and SETTINGS, every header's first use entering the HPACK table) are left out. */
const WARM_POLLS = 3;
const MEASURED_POLLS = 20;

/** Bytes up per poll over polls WARM_POLLS+1.., averaged over at least MEASURED_POLLS of them; and the port. */
async function bytesUpPerPoll(wire: 'http/1.1' | 'h2c', profile: RequestHeaderProfile) {
  let perPoll = 0;
  let port = 0;
  await withPoller(wire, profile, 5, async (read, p) => {
    port = p;
    const from = await read(WARM_POLLS);
    const to = await read(from.polls + MEASURED_POLLS);
    perPoll = (to.up - from.up) / (to.polls - from.polls);
  });
  return { perPoll, port };
}

/** A poll's request line: the feed is empty, so the client asks since 0 every time. */
const POLL_REQUEST_LINE = `GET ${EVENTS_PATH}?since=0 HTTP/1.1`;

/**
 * An HTTP/1.1 poll's request head under `profile`, as undici writes it: the request line, undici's own
 * `host` and `connection: keep-alive` (the same bytes as a profile's Host and Connection, which it
 * writes in their place), the profile's other lines in order, and the blank line.
 */
function h1PollHead(profile: RequestHeaderProfile, port: number): number {
  const list = profileHeaders(profile, 'fetch', {
    host: HOST,
    port,
    secure: false,
    http: '1.1',
    cookieBytes: cookieBytesOf(profile),
  });
  const rest = list.filter(([name]) => !['host', 'connection'].includes(name.toLowerCase()));
  const own: [string, string][] = [
    ['host', `${HOST}:${port}`],
    ['connection', 'keep-alive'],
  ];
  return Buffer.byteLength(`${POLL_REQUEST_LINE}\r\n`) + headerLineBytes([...own, ...rest]) + 2;
}

/**
 * HPACK's Huffman code lengths in bits (RFC 7541 Appendix B) of the characters a poll's path uses; a
 * character missing here is an error, not a guess.
 */
const HUFFMAN_BITS: Record<string, number> = {
  '/': 6,
  '?': 10,
  '=': 6,
  '0': 5,
  c: 5,
  e: 5,
  i: 5,
  n: 6,
  s: 5,
  t: 5,
  v: 7,
};

function huffmanBytes(text: string): number {
  let bits = 0;
  for (const ch of text) {
    const n = HUFFMAN_BITS[ch];
    if (n === undefined) throw new Error(`no Huffman code length for ${JSON.stringify(ch)} in HUFFMAN_BITS`);
    bits += n;
  }
  // Padded to a whole byte with the EOS code's high bits (RFC 7541 5.2).
  return Math.ceil(bits / 8);
}

/**
 * A repeated minimal poll's HEADERS frame on h2c, from the RFCs: the 9-byte frame header (RFC 9113
 * 4.1), then :method GET and :scheme http as static-table indices (RFC 7541 Appendix A, 2 and 6: one
 * byte each), :authority as a dynamic-table index (one byte, it entered the table on the first poll),
 * and :path as a literal with the static :path name (index 4, one byte with its 4-bit prefix), a
 * one-byte length and the Huffman-coded value: nghttp2 never indexes :path, so it is spelled out every
 * time. The feed is empty, so it is the same path every poll.
 */
function minimalPollFrame(): number {
  const path = `${EVENTS_PATH}?since=0`;
  return 9 + 1 + 1 + 1 + (1 + 1 + huffmanBytes(path));
}

describe('HPACK: a repeated poll under a real header profile over h2c', () => {
  for (const profile of ['browser', '2010'] as const)
    test(`${profile}: bytes up per poll are a small fraction of HTTP/1.1's`, async (t) => {
      const h1 = await bytesUpPerPoll('http/1.1', profile);
      const h2c = await bytesUpPerPoll('h2c', profile);
      const h2cMinimal = await bytesUpPerPoll('h2c', 'minimal');
      const h2Fields = profileHeaders(profile, 'fetch', {
        host: HOST,
        port: h2c.port,
        secure: false,
        http: '2',
        cookieBytes: cookieBytesOf(profile),
      });
      t.diagnostic(
        `${profile} bytes up per poll: HTTP/1.1 ${h1.perPoll}, h2c ${h2c.perPoll} (${((100 * h2c.perPoll) / h1.perPoll).toFixed(1)}%); h2c minimal ${h2cMinimal.perPoll}; ${h2Fields.length} profile fields on h2`,
      );
      // HTTP/1.1 sends every line again on every poll: the whole head, exactly.
      assert.equal(h1.perPoll, h1PollHead(profile, h1.port), 'HTTP/1.1 repeats the head verbatim');
      // HPACK (RFC 7541 6.1): once a field is in the dynamic table, repeating it is an indexed field, one
      // byte for indices up to 126 (1 bit + a 7-bit prefix; 61 static entries + this profile's ~20). So
      // the profile adds one byte per field to the minimal poll's HEADERS frame (the 9-byte frame header,
      // the pseudo-header fields, the :path literal nghttp2 never indexes). Its entries (name + value +
      // 32 each, RFC 7541 4.1) fit the default 4096-byte table.
      assert.equal(h2c.perPoll - h2cMinimal.perPoll, h2Fields.length, 'one byte per repeated field');
      assert.equal(h2cMinimal.perPoll, minimalPollFrame(), 'the minimal poll, field by field');
      assert.ok(
        h2c.perPoll < 0.1 * h1.perPoll,
        `h2c ${h2c.perPoll} B up per poll is under 10% of HTTP/1.1's ${h1.perPoll} B`,
      );
    });
});

describe("the 2010 profile on the wire: the article's 871 characters, with their line ends", () => {
  test('one poll request and its answer over HTTP/1.1: the heads are 871 + 2 per line + the blank lines, re-addressed', async (t) => {
    await withPoller('http/1.1', '2010', 60_000, async (read, port) => {
      const one = await read(1);
      assert.equal(one.polls, 1);
      // The answer to an empty feed: `[]`, the only body bytes on the socket (a GET has none).
      const body = 2;
      const heads = one.up + one.down - body;

      // The article counted the characters of its lines, no CRLFs (request-headers.ts ARTICLE_2010): its
      // request rendered from the profile for its own host, and its response's lines (Content-Length: 21
      // and a Date as shown; Firefox's Live HTTP Headers wrote the status line as HTTP/1.x).
      const chars = (lines: string[]) => lines.reduce((sum, line) => sum + line.length, 0);
      const fields = (list: readonly (readonly [string, string])[]) => list.map(([n, v]) => `${n}: ${v}`);
      const articleRequest = [
        ARTICLE_2010.requestLine,
        ...fields(
          profileHeaders('2010', 'fetch', {
            host: 'localhost',
            port: 8080,
            secure: false,
            http: '1.1',
            cookieBytes: 0,
          }),
        ),
      ];
      const date = 'Date: Sat, 07 Nov 2009 00:32:46 GMT';
      const articleResponse = ['HTTP/1.x 200 OK', ...fields(RESPONSE_2010), 'Content-Length: 21', date];
      assert.equal(chars(articleRequest) + chars(articleResponse), 871, "the profile holds the article's 871");

      // On the wire the same lines end in CRLF, and each head ends with a blank line; the request is
      // re-addressed (our request line and Host for the article's) and the answer's Content-Length is `2`.
      const lineEnds = (articleRequest.length + articleResponse.length) * 2 + 2 * 2;
      const readdressed =
        POLL_REQUEST_LINE.length -
        ARTICLE_2010.requestLine.length +
        `${HOST}:${port}`.length -
        ARTICLE_2010.host.length +
        String(body).length -
        '21'.length;
      t.diagnostic(
        `2010 heads on the wire: ${heads} B = 871 + ${lineEnds} line ends + ${readdressed} re-addressing (up ${one.up}, down ${one.down} incl. ${body} body)`,
      );
      assert.equal(heads, 871 + lineEnds + readdressed);
      // The same from the profile alone: our request head, and the answer's head built from its lines
      // (Date's value has a fixed 29 characters, RFC 9110 5.6.7).
      const responseHead =
        'HTTP/1.1 200 OK\r\n'.length +
        headerLineBytes([...RESPONSE_2010]) +
        `content-length: ${body}\r\n`.length +
        `${date}\r\n`.length +
        2;
      assert.equal(one.up, h1PollHead('2010', port), 'bytes up = the request head');
      assert.equal(one.down, responseHead + body, 'bytes down = the response head + `[]`');
    });
  });
});
