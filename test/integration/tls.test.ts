/**
 * Every transport over TLS (https, wss) against a real server on port 0 with a fresh self-signed
 * certificate: delivery exactly once and in order; bytes counted at the TCP socket, so client and
 * server agree and a tcpdump capture of the same port sees the same TCP payload; handshake counters
 * plausible; a reconnect resumes the session; a client that trusts another certificate fails,
 * counted, without crashing. And the handshake calibration against the TLS echo server.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientFactories, type TransportClient, type TransportName } from '../../bench/clients/index.ts';
import type { SocketLedger } from '../../bench/clients/socket-ledger.ts';
import type { ClientCounters } from '../../bench/clients/types.ts';
import { measureTlsHandshakes } from '../../bench/calibration/tls-handshake.ts';
import { makeCertificate, type TlsMaterial } from '../../bench/tls/certificate.ts';
import { startServer, type RunningServer } from '../../servers/start.ts';
import { TRANSPORT_NAMES, type FeedEvent } from '../../servers/contract/protocol.ts';
import { nowNs } from '../../servers/contract/clock.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import { frameworkSchema, type Framework } from '../../servers/contract/server-config.ts';
import { HOST, TEST_PAYLOAD, feedConfig, waitUntil, withTimeout } from '../helpers/harness.ts';
import { captureUnavailable, startCapture } from '../helpers/capture.ts';
import { bytesOnPort } from '../helpers/pcap.ts';

const WAIT_MS = 10_000;
/**
 * A TLS 1.3 handshake with a P-256 certificate: the server's flight is ~0.8 KB with X25519 (Node 20),
 * ~1.9 KB with the post-quantum hybrid X25519MLKEM768 Node 22 and 24 negotiate (its key share adds ~1.1 KB).
 */
const HANDSHAKE_DOWN = { min: 500, max: 3000 };
/**
 * The ClientHello and the client's Finished: ~0.45 KB with X25519, ~1.65 KB with X25519MLKEM768 (its key
 * share adds ~1.2 KB); a resumed ClientHello carries the ticket too (~0.3 KB more).
 */
const HANDSHAKE_UP = { min: 200, max: 2500 };

let material: TlsMaterial;
let otherMaterial: TlsMaterial;
before(async () => {
  [material, otherMaterial] = await Promise.all([makeCertificate(), makeCertificate()]);
});

const ledgerOf = (client: TransportClient) => (client as unknown as { ledger: SocketLedger }).ledger;

interface Run {
  server: RunningServer;
  client: TransportClient;
  seqs: number[];
  publish(n: number): void;
}

async function withTlsClient(
  transport: TransportName,
  ca: string,
  fn: (run: Run) => Promise<void>,
  framework: Framework = 'node',
): Promise<void> {
  const server = await startServer({ ...feedConfig(transport, framework), tls: material });
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
    tls: { ca },
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

async function publishAndReceive(run: Run, from: number, batches: readonly number[], label: string): Promise<number> {
  let last = from;
  for (const n of batches) {
    run.publish(n);
    last += n;
    await sleep(5);
  }
  await waitUntil(
    () => run.client.lastSeq >= last,
    WAIT_MS,
    () => `${label}: lastSeq ${run.client.lastSeq} < ${last}`,
  );
  const expected = Array.from({ length: last }, (_, i) => i + 1);
  assert.deepEqual(run.seqs, expected, `${label}: every event exactly once, in order`);
  return last;
}

function assertHandshakesPlausible(c: ClientCounters, label: string): void {
  assert.ok(c.tlsHandshakes >= 1, `${label}: a handshake was counted`);
  assert.equal(c.tlsHandshakes, c.tcpConnects, `${label}: one handshake per TCP connection`);
  const up = c.tlsHandshakeBytesUp / c.tlsHandshakes;
  const down = c.tlsHandshakeBytesDown / c.tlsHandshakes;
  assert.ok(up >= HANDSHAKE_UP.min && up <= HANDSHAKE_UP.max, `${label}: ${up} handshake bytes up`);
  assert.ok(down >= HANDSHAKE_DOWN.min && down <= HANDSHAKE_DOWN.max, `${label}: ${down} handshake bytes down`);
  assert.ok(c.tlsHandshakeUs > 0, `${label}: handshake time`);
  assert.ok(c.bytesUp > c.tlsHandshakeBytesUp && c.bytesDown > c.tlsHandshakeBytesDown, `${label}: bytes beyond it`);
}

describe('TLS', () => {
  for (const transport of TRANSPORT_NAMES) {
    // Both frameworks serve https; the WebSocket server always runs on node:http(s).
    const frameworks = TRANSPORT_TRAITS[transport].httpStack === 'ws' ? (['node'] as const) : frameworkSchema.options;
    for (const framework of frameworks)
      test(`${transport} on ${framework}: every event once and in order; client bytes = server bytes = captured TCP payload`, async (t) => {
        const why = captureUnavailable();
        await withTlsClient(
          transport,
          material.cert,
          async (run) => {
            const capture = why ? undefined : await startCapture();
            try {
              await withTimeout(run.client.start(), WAIT_MS, `${transport} start()`);
              await publishAndReceive(run, 0, [1, 30, 1, 50, 1, 17], transport);
              // Quiet (nothing in flight): both ends counted the same socket bytes. TLSSocket counters (plaintext)
              // would never match the server's raw-socket ones.
              await waitUntil(
                () => {
                  const c = run.client.counters();
                  const s = run.server.stats().counters;
                  return c.bytesUp === s.bytesIn && c.bytesDown === s.bytesOut;
                },
                WAIT_MS,
                () =>
                  `${transport}: client ${JSON.stringify(run.client.counters())} vs server ${JSON.stringify(run.server.stats().counters)}`,
              );
              const c = run.client.counters();
              assert.equal(c.errors, 0);
              assert.equal(c.tlsResumedHandshakes, 0, 'the first handshake is a full one');
              assertHandshakesPlausible(c, transport);
              await run.client.close();
              await waitUntil(() => run.server.stats().counters.openSockets === 0, WAIT_MS, 'server saw the close');
              const s = run.server.stats().counters;
              // What the client wrote, the server read (its own close_notify after the client left is counted by it alone).
              assert.equal(run.client.counters().bytesUp, s.bytesIn, 'client bytesUp = server bytesIn');
              if (!capture) return t.skip(`capture check skipped: ${why}`);
              const segments = await capture.stop();
              assert.ok(
                segments.some((segment) => segment.dstPort === run.server.port),
                'the capture saw the connection',
              );
              const captured = bytesOnPort(segments, run.server.port);
              assert.equal(captured.toPort, s.bytesIn, 'captured payload to the server = server bytesIn');
              assert.equal(captured.fromPort, s.bytesOut, 'captured payload from the server = server bytesOut');
            } finally {
              // A failure before the capture's own stop must not leave tcpdump running (the process would never exit).
              await capture?.stop().catch(() => {});
            }
          },
          framework,
        );
      });

    test(`${transport}: a reconnect resumes the TLS session and loses nothing`, async () => {
      await withTlsClient(transport, material.cert, async (run) => {
        await withTimeout(run.client.start(), WAIT_MS, `${transport} start()`);
        const last = await publishAndReceive(run, 0, [5, 5], `${transport} before`);
        // Session tickets arrive after the handshake; give them a moment before the drop.
        await waitUntil(
          () => run.client.counters().bytesDown > run.client.counters().tlsHandshakeBytesDown + 500,
          WAIT_MS,
          'tickets',
        );
        ledgerOf(run.client).destroyAll();
        await waitUntil(() => run.client.counters().tlsHandshakes >= 2, WAIT_MS, `${transport}: reconnected`);
        await publishAndReceive(run, last, [3, 7], `${transport} after`);
        const c = run.client.counters();
        assert.ok(c.tlsResumedHandshakes >= 1, `${transport}: ${c.tlsResumedHandshakes} of ${c.tlsHandshakes} resumed`);
        assert.ok(c.tlsResumedHandshakes < c.tlsHandshakes, 'the first one was full');
      });
    });

    test(`${transport}: a client that trusts another certificate fails, counted, no crash`, async () => {
      await withTlsClient(transport, otherMaterial.cert, async (run) => {
        await assert.rejects(withTimeout(run.client.start(), WAIT_MS, `${transport} start()`), (err: Error) => {
          assert.match(err.message, /certificate|self.signed/i);
          return true;
        });
        const c = run.client.counters();
        assert.ok(c.errors >= 1, 'the failure is counted');
        assert.equal(c.tlsHandshakes, 0, 'no handshake completed');
        assert.equal(run.client.connectedNs, undefined);
      });
    });
  }

  test('calibration: full and resumed handshakes, tickets and record overhead, against the echo server counters', async () => {
    const echo = await startServer({ role: 'echo', kind: 'tcp', host: HOST, tls: material });
    try {
      const count = 20;
      const r = await measureTlsHandshakes(echo.port, material.cert, count);
      assert.equal(r.full.ms.count, count);
      assert.equal(r.resumed.ms.count, count);
      assert.equal(r.resumed.resumedFraction, 1, 'every resumed connection resumed');
      assert.ok(r.full.bytesDown >= HANDSHAKE_DOWN.min && r.full.bytesDown <= HANDSHAKE_DOWN.max);
      // No certificate or its signature in a resumed handshake (~0.5 KB with this P-256 certificate).
      assert.ok(r.full.bytesDown - r.resumed.bytesDown > 400, 'no certificate in a resumed handshake');
      assert.ok(r.negotiated.protocol === 'TLSv1.3' && r.negotiated.cipher.length > 0, JSON.stringify(r.negotiated));
      assert.ok(r.full.ticketBytesDown > 0, 'tickets follow a full handshake');
      // TLS 1.3, AES-GCM: 5 header + 1 content type + 16 tag.
      assert.equal(r.recordOverheadBytes, 22);
      // The server read exactly what the client says it wrote: handshakes plus one 100-byte echo record each.
      await waitUntil(() => echo.stats().counters.openSockets === 0, WAIT_MS, 'echo saw every close');
      const s = echo.stats().counters;
      assert.equal(s.tcpAccepted, 2 * count);
      const expectedIn = count * (r.full.bytesUp + r.resumed.bytesUp) + 2 * count * (100 + r.recordOverheadBytes);
      assert.equal(s.bytesIn, Math.round(expectedIn));
    } finally {
      await echo.close();
    }
  });
});
