/**
 * The server limits' defaults (servers/contract/server-limits.ts) never shape a run of a shipped
 * scenario: a limit reached in an ordinary run would measure the limit instead of the transport. Every
 * job of every scenario in bench/scenarios (expanded as the orchestrator expands them, the quick
 * profile too) is checked against a generous upper bound of what it asks of the server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scenarios } from '../../bench/scenarios/index.ts';
import { expandScenario, quickProfile, type PlannedJob } from '../../bench/matrix.ts';
import { TRANSPORT_TRAITS } from '../../servers/contract/transport-traits.ts';
import { DEFAULT_SERVER_LIMITS } from '../../servers/contract/server-limits.ts';
import { checkingIntervalMs } from '../../servers/limits.ts';

/** The load generator's JIT prewarm pool (bench/load/run-job.ts PREWARM_CONNECTIONS), open while clients connect. */
const PREWARM_CONNECTIONS = 32;

/** Events published in `ms`, at most: a steady rate rounded up plus one for the phase, or every burst that may fall in it. */
function eventsIn(job: PlannedJob, ms: number): number {
  const shape = job.params.shape;
  if (shape.kind === 'steady') return Math.ceil((shape.ratePerSec * ms) / 1000) + 1;
  return shape.size * (Math.ceil(ms / shape.everyMs) + 1);
}

/**
 * The most events one poll answer of the job may have to carry: a short poll's interval of events
 * (a tick skipped under load doubles it), a long poll's events between two answers (those that
 * arrive while the next request travels: bounded here by a whole second plus the path's round trip,
 * far more than any loopback or emulated round trip), and after a forced drop or a restart what
 * was published while the client was away.
 */
function largestPoll(job: PlannedJob): number {
  const { params } = job;
  const traits = TRANSPORT_TRAITS[params.transport];
  if (!traits.pollIntervalAxis && !traits.longPollWait) return 0;
  const rttMs = params.network.rttMs + params.network.jitterMs;
  const between = traits.pollIntervalAxis ? 2 * params.pollIntervalMs! + rttMs : 1000 + rttMs;
  const w = params.workload;
  const away = w.kind === 'drops' ? w.offlineMs : w.kind === 'restart' ? w.downMs + 5000 : 0;
  return eventsIn(job, between + away);
}

/** Connections one server holds at most: every client (twice when it sends messages over HTTP), silent readers, the prewarm pool. */
function largestAudience(job: PlannedJob): number {
  const { params } = job;
  const perClient = params.upstream && TRANSPORT_TRAITS[params.transport].httpStack !== 'ws' ? 2 : 1;
  const slow = params.workload.kind === 'slow-readers' ? params.workload.count : 0;
  return params.clients * perClient + slow + PREWARM_CONNECTIONS;
}

const plans = Object.entries(scenarios).flatMap(([name, s]) => [
  { name, jobs: expandScenario(s) },
  { name: `${name} --quick`, jobs: expandScenario(quickProfile(s)) },
]);

describe('the default server limits are never reached by a shipped scenario', () => {
  for (const { name, jobs } of plans)
    test(name, () => {
      assert.ok(jobs.length > 0);
      for (const job of jobs) {
        const poll = largestPoll(job);
        assert.ok(
          poll < DEFAULT_SERVER_LIMITS.catchUpMaxEvents,
          `${job.id}: a poll may carry ${poll} events, over the default catch-up page of ${DEFAULT_SERVER_LIMITS.catchUpMaxEvents}`,
        );
        const audience = largestAudience(job);
        assert.ok(
          audience < DEFAULT_SERVER_LIMITS.maxConnections,
          `${job.id}: ${audience} connections, over the default maxConnections of ${DEFAULT_SERVER_LIMITS.maxConnections}`,
        );
      }
    });

  test('the largest figures, for the record (the margins are wide)', () => {
    const all = plans.flatMap((p) => p.jobs);
    const poll = Math.max(...all.map(largestPoll));
    const audience = Math.max(...all.map(largestAudience));
    // resilience --quick: a restart at 200 events/s (its slow-readers cell's rate), 1 s down plus a
    // 5 s margin and two poll intervals away: 1,601 events, the reason the default page is 2,000.
    assert.equal(poll, 1601);
    // capacity: 10,000 clients.
    assert.equal(audience, 10_000 + PREWARM_CONNECTIONS);
  });

  test('timeouts: a request head is due well before the request, and checked at least every quarter of it', () => {
    assert.ok(DEFAULT_SERVER_LIMITS.headersTimeoutMs <= DEFAULT_SERVER_LIMITS.requestTimeoutMs);
    assert.equal(checkingIntervalMs(DEFAULT_SERVER_LIMITS), 2500);
    assert.equal(checkingIntervalMs({ headersTimeoutMs: 100, requestTimeoutMs: 100 }), 100);
    assert.equal(checkingIntervalMs({ headersTimeoutMs: 600_000, requestTimeoutMs: 600_000 }), 30_000);
  });
});
