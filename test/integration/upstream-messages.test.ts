/**
 * Upstream messages (servers/contract/upstream-message.ts) end to end, on every transport: a client
 * with `upstream` sends N messages and gets N echoes in order, each server stamp between send and
 * echo; its socket bytes per message match RFC arithmetic (WebSocket) or the request as written
 * (HTTP); its bytes agree with the server's; oversized and malformed messages are refused without a
 * crash while the server keeps serving others. A hand-written WebSocket client (raw socket, frames
 * by hand) measures the round trip independently of ws. (test/integration/upstream.test.ts is the
 * feed's upstream wire, a different thing.) Real servers on 127.0.0.1 port 0; every wait is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import WebSocket from 'ws';
import { clientFactories, type TransportClient, type TransportName } from '../../bench/clients/index.ts';
import type { EchoSample } from '../../bench/clients/types.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { TRANSPORT_NAMES, type FeedEvent } from '../../servers/contract/protocol.ts';
import { MAX_MESSAGE_BYTES, encodeMessage, messageBody } from '../../servers/contract/upstream-message.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { makeCertificate } from '../../bench/tls/certificate.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

const WAIT_MS = 10_000;
const N = 20;
const MESSAGE_BYTES = 100;
/** Long enough after an echo (a millisecond or so) that a poll every 10 ms finds no message in flight. */
const INTERVAL_MS = 25;

/** Every transport, the HTTP ones under both frameworks (WebSocket always runs on node:http). */
const CASES: { transport: TransportName; framework: Framework }[] = TRANSPORT_NAMES.flatMap((transport) =>
  (transport === 'ws' ? (['node'] as const) : (['express', 'node'] as const)).map((framework) => ({
    transport: transport as TransportName,
    framework,
  })),
);

const ECHO_STAMP = (serverReceivedNs: bigint) => `,"serverReceivedNs":"${serverReceivedNs}"`.length;
/** RFC 6455 5.2: header 2 bytes, 2 more for a 126..65535 length; a client frame adds a 4-byte mask. */
const frameBytes = (payload: number, masked: boolean) =>
  payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10) + (masked ? 4 : 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function withServer(
  transport: TransportName,
  framework: Framework,
  body: (server: RunningServer) => Promise<void>,
  tls?: { cert: string; key: string },
): Promise<void> {
  const server = await startServer({ ...feedConfig(transport, framework), ...(tls && { tls }) });
  try {
    await body(server);
  } finally {
    await withTimeout(server.close(), WAIT_MS, 'closing the server');
  }
}

/** A client of `transport` sending upstream messages; resolves once N echoes came back. */
async function echoes(
  transport: TransportName,
  port: number,
  tls?: { ca: string },
  onEvents: (events: FeedEvent[]) => void = () => {},
) {
  const samples: EchoSample[] = [];
  const client: TransportClient = clientFactories[transport]({
    host: HOST,
    port,
    since: 0,
    onEvents,
    pollIntervalMs: 1000,
    longPollWaitMs: 5000,
    ...(tls && { tls }),
    upstream: { intervalMs: INTERVAL_MS, messageBytes: MESSAGE_BYTES, onEcho: (s) => samples.push(s) },
  });
  try {
    await withTimeout(client.start(), WAIT_MS, `starting ${transport}`);
    // Closed with no message in flight (close() stops the schedule at once), so every echo the server
    // wrote was read: client and server bytes then agree.
    const quiet = () => client.counters().messagesSent === client.counters().echoesReceived;
    await waitUntil(
      () => samples.length >= N && quiet(),
      WAIT_MS,
      () => `${samples.length} of ${N} echoes`,
    );
  } finally {
    await withTimeout(client.close(), WAIT_MS, 'closing the client');
  }
  return { samples, counters: client.counters() };
}

/** The request undici writes for a message: request line, its four headers, the body. */
const postBytes = (port: number, bodyBytes: number) =>
  Buffer.byteLength(
    `POST /messages HTTP/1.1\r\nhost: ${HOST}:${port}\r\nconnection: keep-alive\r\n` +
      `content-type: application/json\r\ncontent-length: ${bodyBytes}\r\n\r\n`,
  ) + bodyBytes;

/** One POST written by hand on a raw socket: the server's raw answer, and where its body starts. */
async function rawPost(port: number, body: string): Promise<{ head: number; text: string }> {
  const socket = net.connect({ host: HOST, port });
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.write(
    `POST /messages HTTP/1.1\r\nhost: ${HOST}:${port}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  await withTimeout(new Promise((resolve) => socket.once('close', resolve)), WAIT_MS, 'raw POST');
  const text = Buffer.concat(chunks).toString('latin1');
  return { head: text.indexOf('\r\n\r\n') + 4, text };
}

describe('upstream messages: N sent, N echoes, bytes per message exact', () => {
  for (const { transport, framework } of CASES) {
    test(`${transport} (${framework})`, async (t) => {
      await withServer(transport, framework, async (server) => {
        const { samples, counters: c } = await echoes(transport, server.port);
        // In order, each server stamp between its send and its echo.
        for (let i = 0; i < samples.length; i++) {
          const s = samples[i]!;
          assert.ok(s.sentNs <= s.serverReceivedNs && s.serverReceivedNs <= s.echoReceivedNs, `echo ${i} stamps`);
          if (i > 0) assert.ok(samples[i - 1]!.echoReceivedNs <= s.sentNs, `echo ${i} after the one before`);
        }
        assert.equal(c.echoesReceived, samples.length);
        assert.equal(c.messagesSent, c.echoesReceived);
        assert.equal(c.errors, 0);
        const echoBodies = samples.map((s) => MESSAGE_BYTES + ECHO_STAMP(s.serverReceivedNs));
        // Client and server agree on every byte, once every connection closed.
        await waitUntil(() => server.stats().counters.openSockets === 0, WAIT_MS, 'server sockets closed');
        const s = server.stats().counters;
        assert.equal(s.bytesIn, c.bytesUp, 'bytes up: server read = client wrote');
        assert.equal(s.bytesOut, c.bytesDown, 'bytes down: server wrote = client read');
        assert.equal(s.messagesReceived, c.echoesReceived);
        assert.equal(s.echoesSent, s.messagesReceived);
        assert.equal(s.messagesRefused, 0);
        if (transport === 'ws') {
          // Masked client frames, unmasked echoes (RFC 6455 5.2, 5.3): 2 + 4 + 100 up, 4 + k' down.
          assert.equal(c.messageSocketBytesUp, c.echoesReceived * frameBytes(MESSAGE_BYTES, true));
          assert.equal(
            c.messageSocketBytesDown,
            echoBodies.reduce((a, k) => a + frameBytes(k, false), 0),
          );
        } else {
          assert.equal(c.messageSocketBytesUp, c.echoesReceived * postBytes(server.port, MESSAGE_BYTES));
          // The answer's head, measured on a raw socket (its "Connection: close" is 5 bytes shorter
          // than keep-alive's, and keep-alive adds "Keep-Alive: timeout=120\r\n").
          const raw = await rawPost(server.port, encodeMessage(1, nowNs(), MESSAGE_BYTES));
          assert.match(raw.text, /^HTTP\/1\.1 200 OK\r\n/);
          const keepAliveHead = raw.head - 'close'.length + 'keep-alive'.length + 'Keep-Alive: timeout=120\r\n'.length;
          assert.equal(
            c.messageSocketBytesDown,
            echoBodies.reduce((a, k) => a + keepAliveHead + k, 0),
          );
          assert.equal(c.tcpConnects, 2, 'the feed connection and the messages connection');
        }
        t.diagnostic(
          `${transport}: up ${c.messageSocketBytesUp / c.echoesReceived} B/message, down ` +
            `${(c.messageSocketBytesDown / c.echoesReceived).toFixed(1)} B/echo, round trip p50 ` +
            `${(median(samples.map((x) => Number(x.echoReceivedNs - x.sentNs))) / 1000).toFixed(0)} µs, ` +
            `client to server p50 ${(median(samples.map((x) => Number(x.serverReceivedNs - x.sentNs))) / 1000).toFixed(0)} µs`,
        );
      });
    });
  }
});

describe('messages while the feed flows: every event once and in order, every echo, the same bytes', () => {
  for (const transport of TRANSPORT_NAMES) {
    test(transport, async () => {
      await withServer(transport, 'node', async (server) => {
        const seqs: number[] = [];
        let published = 0;
        const publisher = setInterval(() => {
          if (published === 40) return;
          server.feed!.publish(nowNs(), TEST_PAYLOAD);
          published++;
        }, 5);
        try {
          const { samples, counters: c } = await echoes(transport, server.port, undefined, (events) =>
            seqs.push(...events.map((e) => e.seq)),
          );
          await waitUntil(() => published === 40, WAIT_MS, 'publishing');
          assert.equal(c.echoesReceived, samples.length);
          if (transport === 'ws') {
            // Echo frames were told from event frames: the arithmetic holds with events on the connection.
            assert.equal(c.messageSocketBytesUp, c.echoesReceived * frameBytes(MESSAGE_BYTES, true));
            const echoBodies = samples.map((s) => MESSAGE_BYTES + ECHO_STAMP(s.serverReceivedNs));
            assert.equal(
              c.messageSocketBytesDown,
              echoBodies.reduce((a, k) => a + frameBytes(k, false), 0),
            );
          } else {
            assert.equal(c.messageSocketBytesUp, c.echoesReceived * postBytes(server.port, MESSAGE_BYTES));
          }
          // Events received so far are 1..k, each once (short polling's next poll may not have come yet).
          assert.deepEqual(
            seqs,
            seqs.map((_, i) => i + 1),
          );
          if (transport !== 'short-poll') assert.ok(seqs.length > 0, 'events arrived alongside the messages');
        } finally {
          clearInterval(publisher);
        }
      });
    });
  }
});

describe('upstream messages over TLS (https, wss): the records are counted, the handshake is not', () => {
  for (const transport of ['ws', 'sse'] as const) {
    test(transport, async (t) => {
      const material = await makeCertificate();
      await withServer(
        transport,
        'node',
        async (server) => {
          const { samples, counters: c } = await echoes(transport, server.port, { ca: material.cert });
          assert.equal(c.echoesReceived, samples.length);
          assert.equal(c.messagesSent, c.echoesReceived);
          await waitUntil(() => server.stats().counters.openSockets === 0, WAIT_MS, 'server sockets closed');
          const s = server.stats().counters;
          assert.equal(s.bytesIn, c.bytesUp, 'bytes up: server read = client wrote');
          // The server's close_notify after the client left, one per connection, is read by nobody: a
          // TLS 1.3 alert record of 24 bytes (5 header + 2 alert + 1 content type + 16 tag).
          assert.equal(s.bytesOut - c.bytesDown, 24 * c.tcpConnects, 'bytes down: server wrote = client read + alerts');
          const plain = transport === 'ws' ? frameBytes(MESSAGE_BYTES, true) : postBytes(server.port, MESSAGE_BYTES);
          // TLS 1.3 adds 22 bytes a record (5 of header, 1 of content type, 16 of AEAD tag, RFC 8446 5.2),
          // and each message is written as one record (ws: the frame; undici: the request's head and body).
          const perMessage = c.messageSocketBytesUp / c.echoesReceived;
          assert.equal(perMessage, plain + 22, `${perMessage} B up per message, ${plain} in cleartext`);
          // WebSocket echoes are not counted under TLS (their records mix with the events'); HTTP's include the session tickets once.
          if (transport === 'ws') assert.equal(c.messageSocketBytesDown, 0);
          else assert.ok(c.messageSocketBytesDown > 0);
          t.diagnostic(
            `${transport} over TLS: up ${perMessage} B/message (${plain} in cleartext), down ` +
              `${(c.messageSocketBytesDown / c.echoesReceived).toFixed(1)} B/echo with the tickets, ` +
              `tls handshakes ${c.tlsHandshakes}, round trip p50 ` +
              `${(median(samples.map((x) => Number(x.echoReceivedNs - x.sentNs))) / 1000).toFixed(0)} µs`,
          );
        },
        material,
      );
    });
  }
});

/** A JSON message of exactly `bytes` bytes, or over the limit when bytes > MAX_MESSAGE_BYTES. */
const messageOf = (bytes: number) => encodeMessage(1, nowNs(), bytes);

describe('refused messages: the server answers, closes that one connection, and serves the others', () => {
  for (const framework of ['express', 'node'] as const) {
    test(`HTTP (${framework}): 413 over MAX_MESSAGE_BYTES, declared or chunked; 400 on malformed`, async () => {
      await withServer('long-poll', framework, async (server) => {
        const url = `http://${HOST}:${server.port}/messages`;
        const post = async (body: string | Readable) => {
          const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
          return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
        };
        const tooLarge = await post(messageOf(MAX_MESSAGE_BYTES + 1));
        assert.equal(tooLarge.status, 413);
        assert.equal(tooLarge.json['error'], 'payload_too_large');
        // No content-length: the body is counted as it comes.
        const chunked = await post(Readable.from([Buffer.alloc(MAX_MESSAGE_BYTES, 0x20), Buffer.from('{}')]));
        assert.equal(chunked.status, 413);
        for (const bad of ['hello', '[]', '{"id":1,"sentNs":"12","body":3}', '{"id":-1,"sentNs":"1","body":""}']) {
          const res = await post(bad);
          assert.equal(res.status, 400, bad);
          assert.equal(res.json['error'], 'bad_request');
        }
        const largest = await post(messageOf(MAX_MESSAGE_BYTES));
        assert.equal(largest.status, 200, 'a message of exactly MAX_MESSAGE_BYTES is an ordinary one');
        assert.equal(typeof largest.json['serverReceivedNs'], 'string');
        const s = server.stats().counters;
        assert.deepEqual([s.messagesRefused, s.messagesReceived, s.echoesSent], [6, 1, 1]);
      });
    });
  }

  test('WebSocket: close 1009 over MAX_MESSAGE_BYTES, 1008 on malformed text, 1003 on binary', async () => {
    await withServer('ws', 'node', async (server) => {
      const closeCodeAfter = async (data: string | Buffer) => {
        const ws = new WebSocket(`ws://${HOST}:${server.port}/ws`, { perMessageDeflate: false });
        await withTimeout(new Promise((resolve) => ws.once('open', resolve)), WAIT_MS, 'ws open');
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        ws.on('error', () => undefined);
        ws.send(data);
        return withTimeout(closed, WAIT_MS, 'the server closing');
      };
      assert.equal(await closeCodeAfter(messageOf(MAX_MESSAGE_BYTES + 1)), 1009);
      assert.equal(await closeCodeAfter('hello'), 1008);
      assert.equal(await closeCodeAfter(Buffer.from(messageOf(100))), 1003);
      // Still serving: the largest message gets its echo.
      const ws = new WebSocket(`ws://${HOST}:${server.port}/ws`, { perMessageDeflate: false });
      try {
        await withTimeout(new Promise((resolve) => ws.once('open', resolve)), WAIT_MS, 'ws open');
        const echo = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
        ws.send(messageOf(MAX_MESSAGE_BYTES));
        assert.match(await withTimeout(echo, WAIT_MS, 'echo'), /"serverReceivedNs":"\d+"/);
      } finally {
        ws.terminate();
      }
      const s = server.stats().counters;
      assert.deepEqual([s.messagesRefused, s.messagesReceived, s.echoesSent], [3, 1, 1]);
    });
  });
});

/**
 * The seed's `ws.send("Hello")` then `onmessage`, by hand on a raw socket (RFC 6455 4.1 and 5.2):
 * a round trip measured without ws on the client side, to read the library client's against.
 */
async function handWrittenRoundTrips(port: number, count: number, bytes: number): Promise<number[]> {
  const socket = net.connect({ host: HOST, port, noDelay: true });
  const key = randomBytes(16).toString('base64');
  socket.write(`GET /ws HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
  socket.write(`Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buffered = Buffer.alloc(0);
  let wake: () => void = () => {};
  socket.on('data', (chunk: Buffer) => ((buffered = Buffer.concat([buffered, chunk])), wake()));
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  while (!buffered.includes('\r\n\r\n')) await withTimeout(next(), WAIT_MS, 'handshake');
  assert.match(buffered.toString('latin1'), /^HTTP\/1\.1 101 /);
  buffered = buffered.subarray(buffered.indexOf('\r\n\r\n') + 4);
  const rtts: number[] = [];
  for (let id = 1; id <= count; id++) {
    // Paced like the bench client: back to back, every round trip would find the loop and CPU hot.
    await sleep(INTERVAL_MS);
    const body = messageBody(id, bytes); // made before the stamp, as the bench client does
    const sentNs = nowNs();
    const payload = Buffer.from(encodeMessage(id, sentNs, bytes, body)); // bytes < 126: one length byte
    const mask = randomBytes(4);
    const frame = Buffer.concat([
      Buffer.from([0x81, 0x80 | payload.length]),
      mask,
      payload.map((b, i) => b ^ mask[i % 4]!),
    ]);
    socket.write(frame);
    const length = () => (buffered[1]! === 126 ? 4 + buffered.readUInt16BE(2) : 2 + buffered[1]!);
    while (buffered.length < 2 || buffered.length < length()) await withTimeout(next(), WAIT_MS, 'echo');
    rtts.push(Number(nowNs() - sentNs));
    assert.match(buffered.subarray(0, length()).toString(), new RegExp(`^.{2,4}\\{"id":${id},`, 's'));
    buffered = buffered.subarray(length());
  }
  socket.destroy();
  return rtts;
}

test('round trip: a hand-written WebSocket client next to the library client (reported, not asserted)', async (t) => {
  await withServer('ws', 'node', async (server) => {
    const hand = await handWrittenRoundTrips(server.port, N, MESSAGE_BYTES);
    assert.equal(hand.length, N);
    const { samples } = await echoes('ws', server.port);
    const lib = samples.map((s) => Number(s.echoReceivedNs - s.sentNs));
    t.diagnostic(
      `WebSocket round trip p50: hand-written ${(median(hand) / 1000).toFixed(0)} µs, ` +
        `bench client ${(median(lib) / 1000).toFixed(0)} µs (${N} messages of ${MESSAGE_BYTES} bytes, one per ${INTERVAL_MS} ms, loopback)`,
    );
  });
});
