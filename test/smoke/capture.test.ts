/**
 * Smoke: with TLS on, the bytes pollbench reports are the TCP payload a packet capture sees. One run
 * per transport over TLS, through a network emulator with a small round trip so that the clients'
 * connections have a port of their own (the emulator's; the JIT prewarm goes straight to the server),
 * captured with tcpdump on lo and summed by a hand-written pcap reader (test/helpers/pcap.ts): the
 * clients' whole-run socket totals and the server's must each equal the capture within 1%.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlan } from '../../bench/orchestrator.ts';
import { preparePaths } from '../../bench/path-tools.ts';
import type { CompletedRun, Result } from '../../bench/result-schema.ts';
import type { Scenario } from '../../bench/scenarios/schema.ts';
import { DIRECT_PATH } from '../../bench/network-path.ts';
import { TRANSPORT_NAMES } from '../../servers/contract/protocol.ts';
import { captureUnavailable, startCapture } from '../helpers/capture.ts';
import { bytesOnPort, bytesReadOnPort, type Segment } from '../helpers/pcap.ts';

const unavailable = captureUnavailable();

const scenario: Scenario = {
  name: 'capture-smoke',
  description: 'TLS bytes against a capture',
  transports: [...TRANSPORT_NAMES],
  matrix: {
    shapes: [{ kind: 'steady', ratePerSec: 10 }],
    clients: [5],
    payloadBytes: [256],
    pollIntervalMs: [250],
    networks: [{ ...DIRECT_PATH.network, name: 'custom', rttMs: 2 }],
    tls: [true],
  },
  framework: 'express',
  longPollWaitMs: 30_000,
  ringCapacity: 1000,
  timing: { warmupMs: 300, measureMs: 1500, drainMs: 200, prewarmRequests: 200 },
  repetitions: 1,
};

describe('smoke: TLS bytes equal a tcpdump capture', { skip: unavailable ?? false }, () => {
  let dir: string;
  let result: Result;
  let segments: Segment[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pollbench-capture-'));
    const capture = await startCapture();
    try {
      ({ result } = await runPlan({
        scenario,
        profile: 'quick',
        outDir: dir,
        command: ['smoke'],
        signal: new AbortController().signal,
        calibrationRoundTrips: 100,
        paths: await preparePaths(scenario),
      }));
    } finally {
      segments = await capture.stop();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const within1pct = (label: string, reported: number, captured: number) => {
    process.stderr.write(`# ${label}: pollbench ${reported} B, capture ${captured} B\n`);
    assert.ok(
      Math.abs(reported - captured) <= 0.01 * captured,
      `${label}: pollbench ${reported} bytes, capture ${captured} bytes`,
    );
  };

  test('clients: bytes up and down over the whole run equal the capture on their port', () => {
    for (const job of result.jobs) {
      const r = job.runs[0] as CompletedRun;
      assert.equal(r.status, 'completed', job.id);
      const port = r.audit!.clientPort;
      assert.ok(port !== undefined, `${job.id}: clients had a port of their own`);
      // What the clients could read: not what reached a client after it closed (an event in flight at close).
      const captured = bytesReadOnPort(segments, port);
      within1pct(`${job.id} up`, r.audit!.clientRun.bytesUp, captured.toPort);
      within1pct(`${job.id} down`, r.audit!.clientRun.bytesDown, captured.fromPort);
      // TLS records, not plaintext: the handshake alone is over a kilobyte per connection.
      assert.ok(r.audit!.clientRun.bytesDown > 1000 * r.audit!.clientRun.tcpConnects, job.id);
    }
  });

  test('server: bytes in and out over the whole run equal the capture on its port', () => {
    for (const job of result.jobs) {
      const r = job.runs[0] as CompletedRun;
      const captured = bytesOnPort(segments, r.audit!.serverPort);
      within1pct(`${job.id} in`, r.audit!.serverRun.bytesIn, captured.toPort);
      within1pct(`${job.id} out`, r.audit!.serverRun.bytesOut, captured.fromPort);
    }
  });
});
