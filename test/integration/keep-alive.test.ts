/**
 * Keep-alives (servers/keep-alive.ts) byte for byte at the socket on both ends: a hand-written client
 * reads the raw frames (RFC 6455 5.2, 5.5.2-3; the WHATWG event-stream comment line), and the bench
 * clients' socket ledgers and the server's counters agree with that arithmetic. Real servers on port
 * 0 with an in-process feed that publishes nothing; every wait is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { clientFactories, type TransportClient } from '../../bench/clients/index.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { KeepAlive } from '../../servers/contract/server-limits.ts';
import type { TransportName } from '../../servers/contract/protocol.ts';
import { HOST, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';

const WAIT_MS = 10_000;
/** Long enough that a keep-alive's answer is in long before the next one is due. */
const EVERY_MS = 200;
/** Keep-alives each test waits for. */
const COUNT = 3;

const PING = Buffer.from([0x89, 0x00]); // FIN + opcode 9, unmasked, no payload: 2 bytes
const SSE_COMMENT = Buffer.from(':\n\n');

async function serverWith(transport: TransportName, keepAlive: KeepAlive): Promise<RunningServer> {
  const config = feedConfig(transport, 'node');
  assert.equal(config.role, 'feed');
  return startServer({ ...config, keepAlive });
}

const sent = (server: RunningServer) => server.stats().counters.keepAlivesSent ?? 0;

/** A raw TCP client: sends `request`, collects everything after the response head. */
async function rawClient(port: number, request: string) {
  const socket = net.connect(port, HOST);
  let buffered = Buffer.alloc(0);
  let body: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    if (body) return void (body = Buffer.concat([body, chunk]));
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end !== -1) body = buffered.subarray(end + 4);
  });
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), WAIT_MS, 'connect');
  socket.write(request);
  await waitUntil(() => body !== undefined, WAIT_MS, 'response head');
  return {
    socket,
    head: () => buffered.subarray(0, buffered.indexOf('\r\n\r\n')).toString('latin1'),
    body: () => body!,
    close: () => socket.destroy(),
  };
}

describe('keep-alives', () => {
  test('none by default: an idle WebSocket and event stream carry no byte', async () => {
    for (const transport of ['ws', 'sse'] as const) {
      const server = await startServer(feedConfig(transport, 'node'));
      try {
        const client = await rawClient(
          server.port,
          transport === 'ws'
            ? `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
            : `GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 3 * EVERY_MS));
        assert.equal(sent(server), 0);
        // SSE with chunked encoding: no chunk has been sent after the head.
        assert.equal(client.body().length, 0, transport);
        client.close();
      } finally {
        await server.close();
      }
    }
  });

  test('WebSocket: each ping is 2 bytes down (0x89 0x00) and a masked pong 6 bytes up', async () => {
    const server = await serverWith('ws', { wsPingMs: EVERY_MS, sseCommentMs: EVERY_MS });
    try {
      const client = await rawClient(
        server.port,
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      assert.match(client.head(), /^HTTP\/1\.1 101 /);
      const inBefore = server.stats().counters.bytesIn;
      await waitUntil(() => client.body().length >= COUNT * PING.length, WAIT_MS, 'pings');
      assert.deepEqual(client.body().subarray(0, COUNT * PING.length), Buffer.concat(Array(COUNT).fill(PING)));
      // The pong a browser sends (RFC 6455 5.5.3): FIN + opcode 10, MASK bit, no payload, 4-byte key.
      const pong = Buffer.from([0x8a, 0x80, 0x12, 0x34, 0x56, 0x78]);
      client.socket.write(pong);
      await waitUntil(() => server.stats().counters.bytesIn === inBefore + pong.length, WAIT_MS, 'pong read');
      // The SSE setting does nothing on a WebSocket server: every byte down is a ping.
      await waitUntil(() => client.body().length === sent(server) * PING.length, WAIT_MS, 'pings in');
      client.close();
    } finally {
      await server.close();
    }
  });

  test('SSE: each comment is 3 bytes (":\\n\\n") in the stream, no event', async () => {
    const server = await serverWith('sse', { wsPingMs: EVERY_MS, sseCommentMs: EVERY_MS });
    try {
      // HTTP/1.0: no chunked framing, so the body is the event stream itself.
      const client = await rawClient(server.port, `GET /stream HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.match(client.head(), /^HTTP\/1\.1 200 /);
      await waitUntil(() => client.body().length >= COUNT * SSE_COMMENT.length, WAIT_MS, 'comments');
      assert.deepEqual(
        client.body().subarray(0, COUNT * SSE_COMMENT.length),
        Buffer.concat(Array(COUNT).fill(SSE_COMMENT)),
      );
      await waitUntil(() => client.body().length === sent(server) * SSE_COMMENT.length, WAIT_MS, 'comments in');
      client.close();
    } finally {
      await server.close();
    }
  });

  // The bench clients count keep-alives at their sockets like any other byte, and deliver no event.
  for (const [transport, down, up] of [
    ['ws', 2, 6],
    // HTTP/1.1 chunked: "3\r\n" + ":\n\n" + "\r\n" = 8 bytes a comment; nothing goes up.
    ['sse', 8, 0],
  ] as const) {
    test(`${transport}: the bench client's socket bytes and the server's are ${down} down and ${up} up a keep-alive`, async () => {
      const server = await serverWith(transport, { wsPingMs: EVERY_MS, sseCommentMs: EVERY_MS });
      let client: TransportClient | undefined;
      const events: number[] = [];
      try {
        client = clientFactories[transport]({
          host: HOST,
          port: server.port,
          since: 0,
          onEvents: (batch) => events.push(...batch.map((e) => e.seq)),
        });
        await withTimeout(client.start(), WAIT_MS, 'client start');
        // Read both ends between keep-alives: the first is EVERY_MS after the connect.
        const c0 = client.counters();
        const s0 = server.stats().counters;
        const k0 = sent(server);
        const settled = () => {
          const k = sent(server) - k0;
          const c = client!.counters();
          const s = server.stats().counters;
          return (
            k >= COUNT &&
            c.bytesDown - c0.bytesDown === k * down &&
            c.bytesUp - c0.bytesUp === k * up &&
            s.bytesOut - s0.bytesOut === k * down &&
            s.bytesIn - s0.bytesIn === k * up
          );
        };
        await waitUntil(settled, WAIT_MS, () => {
          const c = client!.counters();
          const s = server.stats().counters;
          return `${sent(server) - k0} keep-alives: client ${c.bytesDown - c0.bytesDown} down ${c.bytesUp - c0.bytesUp} up, server ${s.bytesOut - s0.bytesOut} out ${s.bytesIn - s0.bytesIn} in`;
        });
        assert.deepEqual(events, []);
        assert.equal(client.counters().errors, 0);
        assert.equal(client.counters().eventsReceived, 0);
      } finally {
        await client?.close();
        await server.close();
      }
    });
  }
});
