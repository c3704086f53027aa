/**
 * The bounded fuzz test of issue 12: per transport and framework (ws runs on node:http only), a
 * server in its own process takes FUZZ_RUNS (default 1,000) generated hostile cases over raw TCP:
 * malformed HTTP requests, WebSocket upgrade attempts, and valid handshakes followed by malformed,
 * unmasked, oversized, fragmented or reserved-opcode frames (generators in test/helpers/fuzz-*.ts),
 * each left by waiting, half-closing, closing or resetting. Per case: the server answers or closes
 * within 5 s (of a complete request, of a frame it must refuse, of the client's FIN), sends no 5xx
 * (nor WebSocket close 1011) and nothing of a stack trace or a source path. Over the run: the process
 * is alive, a healthy client of the transport (bench/clients) connected throughout received every
 * published event exactly once and in order without a reconnect or an error, and once everyone has
 * left the server holds no socket, subscriber or parked request.
 *
 * Cases run 16 at a time (a fast-check run is a batch of 16), so a transport takes seconds.
 * Reproducible: the seed is fixed. Environment overrides:
 *   FUZZ_SEED=<integer>   another fast-check seed (a failure prints the seed that replays it)
 *   FUZZ_RUNS=<integer>   cases per transport and framework (default 1000)
 * e.g. `FUZZ_SEED=7 FUZZ_RUNS=5000 node --import tsx --test test/integration/fuzz.test.ts`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { TRANSPORT_NAMES, type FeedEvent } from '../../servers/contract/protocol.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import type { Framework } from '../../servers/contract/server-config.ts';
import type { ServerStats } from '../../servers/contract/server-ipc.ts';
import { clientFactories } from '../../bench/clients/index.ts';
import { HOST, waitUntil, withTimeout } from '../helpers/harness.ts';
import { spawnFeedServer, type ServerProcess } from '../helpers/server-process.ts';
import { fuzzCase, type FuzzCase } from '../helpers/fuzz-case.ts';
import { probe } from '../helpers/fuzz-probe.ts';

function envInteger(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`);
  return value;
}

const SEED = envInteger('FUZZ_SEED', 12, -(2 ** 31));
const RUNS = envInteger('FUZZ_RUNS', 1000, 1);
/** Sockets at once: one fast-check run. */
const BATCH = 16;

/** A case as a failure message shows it: long writes cut, control bytes escaped by JSON. */
function describeCase(c: FuzzCase): string {
  const chunks = c.chunks.map((s) => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length} bytes)` : s));
  return JSON.stringify({ ...c, chunks });
}

/** What the run did, for the test's diagnostic line (and issue 12's closing table). */
interface Tally {
  cases: number;
  request: number;
  upgrade: number;
  frames: number;
  answered: number;
  /** Answered by the server's own code (a route, a refusal, a 101), not by node's parser. */
  routed: number;
  closedByServer: number;
}

/** Node's parser answers bad requests with a bare 400 (no content type); handlers answer JSON or a stream. */
const ROUTED = /^HTTP\/1\.1 101 |\r\ncontent-type:/i;

/** Runs the cases, BATCH at a time; fails with the first bad case and the seed that replays it. */
async function fuzz(server: ServerProcess, upgrades: boolean, tally: Tally): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(fc.array(fuzzCase(upgrades), { minLength: BATCH, maxLength: BATCH }), async (cases) => {
      const results = await Promise.all(cases.map((c) => probe(server.port, c)));
      if (!server.alive()) throw new Error(`the server process died: ${server.stderr()}`);
      for (const [i, r] of results.entries()) {
        if (r.failure)
          throw new Error(
            `${r.failure}: case ${describeCase(cases[i]!)}; answer ${JSON.stringify(r.answer.slice(0, 600))}`,
          );
        tally.cases++;
        tally[cases[i]!.kind]++;
        if (r.answered) tally.answered++;
        if (ROUTED.test(r.answer)) tally.routed++;
        if (r.closedByServer) tally.closedByServer++;
      }
    }),
    // No shrinking: the server has seen the whole run, so a smaller batch alone may not fail the same way.
    { seed: SEED, numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true },
  );
  if (details.failed) {
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(`${error}\n(replay: FUZZ_SEED=${details.seed}, after ${tally.cases} passing cases)`);
  }
}

/** Polls the server's stats until it holds nothing more than with nobody connected (5 s at most). */
async function settledStats(server: ServerProcess, idle: ServerStats): Promise<{ stats: ServerStats; held: number }> {
  const held = (s: ServerStats) =>
    s.counters.openSockets +
    (s.feed?.subscribers ?? 0) -
    (idle.feed?.subscribers ?? 0) +
    // Gauges of what is open now; a high-water mark (clientBufferedPeakBytes) never returns to 0.
    Object.entries(s.gauges)
      .filter(([name]) => !name.includes('Peak'))
      .reduce((a, [, b]) => a + b, 0);
  const deadline = Date.now() + 5000;
  let stats = await server.stats();
  while (held(stats) > 0 && Date.now() < deadline) {
    await sleep(50);
    stats = await server.stats();
  }
  return { stats, held: held(stats) };
}

for (const transport of TRANSPORT_NAMES) {
  const upgrades = TRANSPORT_TRAITS[transport].httpStack === 'ws';
  const frameworks: readonly Framework[] = upgrades ? ['node'] : ['express', 'node'];
  for (const framework of frameworks) {
    test(`fuzz: ${transport} on ${framework}, ${RUNS} hostile requests, upgrades and frames`, async (t) => {
      const started = Date.now();
      const server = await spawnFeedServer(transport, framework);
      try {
        // What the server holds with nobody connected (a transport may subscribe to the feed itself).
        const idle = await server.stats();
        const seqs: number[] = [];
        const client = clientFactories[transport]({
          host: HOST,
          port: server.port,
          since: 0,
          onEvents: (events: FeedEvent[]) => seqs.push(...events.map((e) => e.seq)),
          pollIntervalMs: 50,
          longPollWaitMs: 1000,
          reconnectDelayMs: 50,
        });
        const tally: Tally = { cases: 0, request: 0, upgrade: 0, frames: 0, answered: 0, routed: 0, closedByServer: 0 };
        try {
          await withTimeout(client.start(), 10_000, `${transport} healthy client start`);
          await fuzz(server, upgrades, tally);
          assert.ok(server.alive(), `the server process is alive (stderr: ${server.stderr()})`);

          // The healthy client has everything published so far, each event once, in order.
          const published = server.publisher.runner.lastSeq;
          await waitUntil(
            () => client.lastSeq >= published,
            10_000,
            () => `the healthy client catches up to ${published} (has ${client.lastSeq})`,
          );
          const wrong = seqs.findIndex((seq, i) => seq !== i + 1);
          assert.equal(wrong, -1, `events 1, 2, 3... once each: at index ${wrong} came ${seqs[wrong]}`);
          const counters = client.counters();
          assert.deepEqual([counters.reconnects, counters.errors], [0, 0], 'the healthy client never dropped');
        } finally {
          await withTimeout(client.close(), 5000, 'healthy client close');
        }

        // Everyone has left: nothing may stay open on the server.
        const { stats, held } = await settledStats(server, idle);
        const left = { open: stats.counters.openSockets, subscribers: stats.feed?.subscribers, gauges: stats.gauges };
        assert.equal(held, 0, `no socket, subscriber or parked request left: ${JSON.stringify(left)}`);
        assert.ok(server.alive(), `the server process is alive (stderr: ${server.stderr()})`);
        t.diagnostic(
          `${tally.cases} cases (${tally.request} requests, ${tally.upgrade} upgrades, ${tally.frames} handshakes with frames), ` +
            `${tally.answered} answered (${tally.routed} by the server's handlers), ${tally.closedByServer} closed by the server, ${seqs.length} events to the healthy client, ` +
            `server RSS ${Math.round(stats.process.rssBytes / 2 ** 20)} MiB, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      } finally {
        await server.stop();
      }
    });
  }
}
