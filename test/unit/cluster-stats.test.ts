/**
 * A server group's stats merged from its processes (servers/cluster-stats.ts), checked against
 * figures worked by hand: what is summed, what is the worst process's, and what a dead worker keeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LagRecorder } from '../../servers/contract/lag.ts';
import { FRESH_ELU_WINDOW, mergeClusterStats, mergeUpstream, type WorkerPart } from '../../servers/cluster-stats.ts';
import type { ProcessStats } from '../../servers/contract/process-stats.ts';
import type { ServerStats, UpstreamStats } from '../../servers/contract/server-ipc.ts';

function proc(o: Partial<ProcessStats>): ProcessStats {
  return {
    atNs: '1000',
    cpuUserUs: 0,
    cpuSystemUs: 0,
    rssBytes: 0,
    heapUsedBytes: 0,
    heapTotalBytes: 0,
    externalBytes: 0,
    activeResources: 0,
    eluActiveMs: 0,
    eluIdleMs: 0,
    loopDelay: { meanUs: 0, p50Us: 0, p99Us: 0, maxUs: 0 },
    ...o,
  };
}

function upstream(events: number, meanUs: number, p99Us: number, maxUs: number, connects = 1): UpstreamStats {
  return {
    host: '127.0.0.1',
    port: 9,
    connected: true,
    connects,
    protocolErrors: 0,
    lastError: null,
    arrivalLag: { events, meanUs, p99Us, maxUs },
  };
}

function worker(o: {
  process: Partial<ProcessStats>;
  bytesOut: number;
  openSockets: number;
  subscribers: number;
  latestSeq: number;
  lag: UpstreamStats;
  gauges: Record<string, number>;
}): ServerStats {
  return {
    process: proc(o.process),
    counters: {
      tcpAccepted: o.openSockets + 1,
      openSockets: o.openSockets,
      httpRequests: 0,
      wsHandshakes: o.openSockets,
      messagesReceived: 0,
      echoesSent: 0,
      messagesRefused: 0,
      slowConsumersDropped: 0,
      bytesIn: 10,
      bytesOut: o.bytesOut,
    },
    feed: { latestSeq: o.latestSeq, subscribers: o.subscribers, duplicateEvents: 0, gapEvents: 1, upstream: o.lag },
    gauges: o.gauges,
  };
}

const a = worker({
  process: {
    atNs: '2000',
    cpuUserUs: 100,
    cpuSystemUs: 10,
    rssBytes: 1000,
    eluActiveMs: 30,
    eluIdleMs: 70,
    loopDelay: { meanUs: 5, p50Us: 4, p99Us: 40, maxUs: 90 },
  },
  bytesOut: 500,
  openSockets: 3,
  subscribers: 3,
  latestSeq: 12,
  lag: upstream(100, 10, 50, 80),
  gauges: { openWebSockets: 3, clientBufferedPeakBytes: 700 },
});
const b = worker({
  process: {
    atNs: '2500',
    cpuUserUs: 200,
    cpuSystemUs: 20,
    rssBytes: 2000,
    eluActiveMs: 60,
    eluIdleMs: 40,
    loopDelay: { meanUs: 9, p50Us: 2, p99Us: 30, maxUs: 120 },
  },
  bytesOut: 800,
  openSockets: 2,
  subscribers: 2,
  latestSeq: 11,
  lag: upstream(300, 30, 70, 75),
  gauges: { openWebSockets: 2, clientBufferedPeakBytes: 400 },
});
/** A worker that died: its counters and CPU count, its sockets, memory and loop do not. */
const dead = worker({
  process: {
    atNs: '1500',
    cpuUserUs: 1000,
    rssBytes: 5000,
    loopDelay: { meanUs: 0, p50Us: 0, p99Us: 999, maxUs: 999 },
  },
  bytesOut: 4000,
  openSockets: 7,
  subscribers: 7,
  latestSeq: 3,
  lag: upstream(1, 1, 1, 1),
  gauges: { openWebSockets: 7 },
});
const primary = {
  pid: 1,
  process: proc({ atNs: '2200', cpuUserUs: 40, cpuSystemUs: 5, rssBytes: 300, eluActiveMs: 1, eluIdleMs: 99 }),
};
const workers: WorkerPart[] = [
  { pid: 2, index: 0, alive: true, stats: a },
  { pid: 3, index: 1, alive: true, stats: b },
  { pid: 4, index: 0, alive: false, stats: dead },
  // A replacement still starting: it has answered nothing yet.
  { pid: 5, index: 0, alive: true, stats: undefined },
];
const input = {
  primary,
  workers,
  workersConfigured: 2,
  scheduling: 'rr' as const,
  workerRestarts: 1,
  exitsUncounted: 1,
  staleSnapshots: 2,
  eluWindow: FRESH_ELU_WINDOW,
  resetWindow: false,
};

test('counters are summed over every worker that ran, open sockets over the living', () => {
  const { stats } = mergeClusterStats(input);
  assert.equal(stats.counters.bytesOut, 500 + 800 + 4000);
  assert.equal(stats.counters.bytesIn, 30);
  assert.equal(stats.counters.tcpAccepted, 4 + 3 + 8);
  assert.equal(stats.counters.openSockets, 5);
  assert.equal(stats.counters.slowConsumersDropped, 0);
});

test('CPU is summed over the workers and the primary; memory over the living processes', () => {
  const { process: p } = mergeClusterStats(input).stats;
  assert.equal(p.cpuUserUs, 100 + 200 + 1000 + 40);
  assert.equal(p.cpuSystemUs, 10 + 20 + 5);
  assert.equal(p.rssBytes, 1000 + 2000 + 300);
  assert.equal(p.atNs, '2500', 'the latest living snapshot');
});

test('loop delay is the worst living process, field by field', () => {
  const { loopDelay } = mergeClusterStats(input).stats.process;
  assert.deepEqual(loopDelay, { meanUs: 9, p50Us: 4, p99Us: 40, maxUs: 120 });
});

test('event-loop utilisation over a window is the busiest process since the reset', () => {
  const first = mergeClusterStats({ ...input, resetWindow: true });
  // Before any reset each counts from its start: b is busiest (60 of 100 ms).
  assert.equal(first.stats.process.eluActiveMs, 60);
  assert.equal(first.stats.process.eluIdleMs, 40);
  // Then a works 90 of 100 ms, b 10 of 100: a is now the busiest.
  const later = mergeClusterStats({
    ...input,
    eluWindow: first.eluWindow,
    workers: [
      { pid: 2, index: 0, alive: true, stats: { ...a, process: { ...a.process, eluActiveMs: 120, eluIdleMs: 80 } } },
      { pid: 3, index: 1, alive: true, stats: { ...b, process: { ...b.process, eluActiveMs: 70, eluIdleMs: 130 } } },
    ],
  });
  const active = later.stats.process.eluActiveMs - first.stats.process.eluActiveMs;
  const idle = later.stats.process.eluIdleMs - first.stats.process.eluIdleMs;
  assert.equal(active, 90);
  assert.equal(idle, 10);
  assert.equal(later.eluWindow, first.eluWindow, 'no reset: the window stays');
});

test('feed: subscribers summed over the living, latestSeq the lowest living, gaps over all', () => {
  const { feed } = mergeClusterStats(input).stats;
  assert.equal(feed?.subscribers, 5);
  assert.equal(feed?.latestSeq, 11);
  assert.equal(feed?.gapEvents, 3);
});

test('upstream arrival lag without histograms: events summed, mean weighted, p99 and max the largest, flagged bounds, no p50', () => {
  const u = mergeUpstream([upstream(100, 10, 50, 80, 1), upstream(300, 30, 70, 75, 2)])!;
  assert.deepEqual(u.arrivalLag, {
    events: 400,
    meanUs: (100 * 10 + 300 * 30) / 400,
    p99Us: 70,
    maxUs: 80,
    percentilesUpperBound: true,
  });
  assert.equal(u.connects, 3);
  assert.equal(mergeUpstream([]), null);
});

test('gauges: summed, peaks the largest', () => {
  assert.deepEqual(mergeClusterStats(input).stats.gauges, { openWebSockets: 5, clientBufferedPeakBytes: 700 });
});

test('the breakdown lists the primary, then every worker with its own share', () => {
  const { cluster } = mergeClusterStats(input).stats;
  assert.equal(cluster?.workerRestarts, 1);
  assert.equal(cluster?.staleSnapshots, 2, 'stats requests unanswered in time, passed on');
  assert.deepEqual(
    cluster?.members.map((m) => [m.pid, m.role, m.index, m.alive, m.openSockets, m.cpuUserUs + m.cpuSystemUs]),
    [
      [1, 'primary', -1, true, 0, 45],
      [2, 'worker', 0, true, 3, 110],
      [3, 'worker', 1, true, 2, 220],
      [4, 'worker', 0, false, 0, 1000],
      [5, 'worker', 0, true, 0, 0],
    ],
  );
  const members = cluster!.members;
  const cpu = members.reduce((s, m) => s + m.cpuUserUs + m.cpuSystemUs, 0);
  const merged = mergeClusterStats(input).stats.process;
  assert.equal(cpu, merged.cpuUserUs + merged.cpuSystemUs, 'the shares add up to the group');
});

test("upstream arrival lag from the workers' histograms: the same p50 and p99 as one recorder of every event", () => {
  // Two workers with different lags: 90 events at 100 µs and 10 at 5000 µs; 60 at 1000 µs.
  const a = new LagRecorder();
  const b = new LagRecorder();
  const all = new LagRecorder();
  const record = (r: LagRecorder, us: number, n: number) => {
    for (let i = 0; i < n; i++) {
      r.record(us * 1000);
      all.record(us * 1000);
    }
  };
  record(a, 100, 90);
  record(a, 5000, 10);
  record(b, 1000, 60);
  const at = (r: LagRecorder) => ({ ...upstream(0, 0, 0, 0), arrivalLag: r.mergeableSummary() });
  const merged = mergeUpstream([at(a), at(b)])!.arrivalLag;
  assert.deepEqual(merged, all.summary());
  // By hand: sorted, the 160 events are 90 at 100 µs, 60 at 1000 µs, 10 at 5000 µs: the 80th is 100 µs, the 159th 5000 µs.
  assert.equal(merged.events, 160);
  assert.ok(Math.abs(merged.p50Us! - 100) <= 1, `p50 ${merged.p50Us}`);
  assert.ok(Math.abs(merged.p99Us - 5000) <= 5, `p99 ${merged.p99Us}`);
  assert.equal(merged.histogram, undefined, 'a merged summary carries no histogram');
});
