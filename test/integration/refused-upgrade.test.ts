/**
 * Issue 12 defect 1: a WebSocket upgrade the server refuses (no endpoint at that path, or a bad
 * `since`), followed by a TCP reset, crashed the server with an uncaught `write ECONNRESET`: the
 * refusal was written to a socket nobody listened to for errors. The server runs in its own process
 * (test/helpers/server-process.ts), so a crash fails this test instead of ending the runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { HOST, openWs, waitUntil, withTimeout } from '../helpers/harness.ts';
import { spawnFeedServer, type ServerProcess } from '../helpers/server-process.ts';

const REFUSALS = {
  'no endpoint at the path': '/nope',
  'a bad since': '/ws?since=abc',
} as const;
const STATUS: Record<keyof typeof REFUSALS, string> = { 'no endpoint at the path': '404', 'a bad since': '400' };

/** Per kind: the probe crashed the server 10 times out of 10. */
const TRIES = 20;

// The server's own Host: refused for its path or its since (404, 400), as in the probe, not
// for a foreign Host (421, servers/access-policy.ts), which the probe predates.
const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`;

/** Sends the upgrade and resets the connection at once (SO_LINGER 0): the refusal meets an RST. */
function upgradeThenReset(port: number, path: string): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: HOST, port }, () => {
        socket.write(upgrade(path));
        socket.resetAndDestroy();
      });
      socket.once('close', () => resolve());
      socket.once('error', reject);
    }),
    5000,
    `upgrade ${path}, then reset`,
  );
}

/** The refusal as a client that stays to read it: the server has handled everything sent before. */
function refusalRead(port: number, path: string): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect({ host: HOST, port }, () => socket.write(upgrade(path)));
      socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      socket.once('close', () => resolve(text));
      socket.once('error', reject);
    }),
    5000,
    `upgrade ${path}, read the refusal`,
  );
}

test('refused WebSocket upgrades reset by the client: the server survives and keeps serving', async () => {
  const server: ServerProcess = await spawnFeedServer('ws', 'node');
  try {
    try {
      for (const [kind, path] of Object.entries(REFUSALS)) {
        for (let i = 0; i < TRIES; i++) await upgradeThenReset(server.port, path);
        const answer = await refusalRead(server.port, path);
        assert.match(
          answer,
          new RegExp(`^HTTP/1\\.1 ${STATUS[kind as keyof typeof REFUSALS]} `),
          `${kind}: still refused, for that reason`,
        );
      }
    } catch (err) {
      // A connection refused or reset mid-probe is most likely the crash: say so, with its line.
      await waitUntil(() => !server.alive(), 2000, 'the server exits').catch(() => undefined);
      assert.ok(server.alive(), `the server process died: ${server.stderr()}`);
      throw err;
    }
    const client = await openWs(server.port, '/ws?since=0');
    try {
      await waitUntil(() => client.messages.length >= 3, 5000, 'a healthy client receives events');
    } finally {
      await client.close();
    }
    assert.ok(server.alive(), `the server process is alive (stderr: ${server.stderr()})`);
  } finally {
    await server.stop();
  }
});
