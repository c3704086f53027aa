/**
 * The calibration floor: sequential echo round trips against the real echo servers on port 0. The
 * floor is what every latency is read against, so the count must be exact, split echoes must not be
 * counted twice, and the idle variant must really idle before each recorded round trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { measureRoundTrip } from '../../bench/calibration/round-trip.ts';
import { createTcpEcho, createWsEcho, type EchoServer } from '../../servers/echo.ts';
import { HOST } from '../helpers/harness.ts';

async function listening(echo: EchoServer): Promise<number> {
  await new Promise<void>((resolve) => echo.server.listen(0, HOST, () => resolve()));
  return (echo.server.address() as AddressInfo).port;
}

for (const kind of ['tcp', 'ws'] as const) {
  test(`${kind}: records exactly the requested round trips after the warm-up ones`, async () => {
    const echo = kind === 'tcp' ? createTcpEcho() : createWsEcho();
    try {
      const port = await listening(echo);
      const summary = await measureRoundTrip(kind, port, 20, 200);
      assert.equal(summary.count, 200);
      assert.ok(summary.min > 0 && summary.min <= summary.p50 && summary.p50 <= summary.max);
    } finally {
      await echo.close();
    }
  });

  test(`${kind}: with idleMs every recorded round trip follows that much idle`, async () => {
    const echo = kind === 'tcp' ? createTcpEcho() : createWsEcho();
    try {
      const port = await listening(echo);
      const started = performance.now();
      const summary = await measureRoundTrip(kind, port, 5, 4, 25);
      assert.equal(summary.count, 4);
      // Four idles of 25 ms before the four recorded round trips, none before the warm-up ones.
      assert.ok(performance.now() - started >= 4 * 25, `took ${performance.now() - started} ms`);
    } finally {
      await echo.close();
    }
  });
}

test('tcp: an echo that arrives one byte at a time is one round trip, not eight', async () => {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('data', (chunk) => {
      for (const byte of chunk) socket.write(Buffer.from([byte]));
    });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  try {
    const summary = await measureRoundTrip('tcp', (server.address() as AddressInfo).port, 3, 30);
    assert.equal(summary.count, 30);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
