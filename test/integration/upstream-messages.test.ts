/**
 * Upstream messages (servers/contract/upstream-message.ts) at the server: oversized and malformed
 * messages are refused (HTTP 413 / 400, WebSocket close 1009 / 1008 / 1003) without a crash, and the
 * server keeps serving others. (test/integration/upstream.test.ts is the feed's upstream wire, a
 * different thing.) Real servers on 127.0.0.1 port 0; every wait is bounded.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { request } from 'undici';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../servers/start.ts';
import type { TransportName } from '../../servers/contract/protocol.ts';
import { MAX_MESSAGE_BYTES, encodeMessage } from '../../servers/contract/upstream-message.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { HOST, feedConfig, withTimeout } from '../helpers/harness.ts';

const WAIT_MS = 10_000;

async function withServer(
  transport: TransportName,
  framework: Framework,
  body: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = await startServer(feedConfig(transport, framework));
  try {
    await body(server);
  } finally {
    await withTimeout(server.close(), WAIT_MS, 'closing the server');
  }
}

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
