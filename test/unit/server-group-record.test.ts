/** A run's per-process breakdown of a server group (bench/server-group-record.ts), worked by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverGroupRecord, staleSnapshotsWarning } from '../../bench/server-group-record.ts';
import type { ClusterMember, ServerStats } from '../../servers/contract/server-ipc.ts';

function member(pid: number, index: number, cpuUs: number, o: Partial<ClusterMember> = {}): ClusterMember {
  return {
    pid,
    role: index < 0 ? 'primary' : 'worker',
    index,
    alive: true,
    cpuUserUs: cpuUs,
    cpuSystemUs: 0,
    rssBytes: 0,
    heapUsedBytes: 0,
    eluActiveMs: 0,
    eluIdleMs: 0,
    loopDelayP99Us: 0,
    subscribers: 0,
    openSockets: 0,
    tcpAccepted: 0,
    bytesOut: 0,
    ...o,
  };
}

function stats(atMs: number, members: ClusterMember[], workerRestarts = 0, staleSnapshots = 0): ServerStats {
  return {
    process: { atNs: String(atMs * 1e6) } as ServerStats['process'],
    counters: {} as ServerStats['counters'],
    gauges: {},
    cluster: { workers: 2, scheduling: 'rr', workerRestarts, exitsUncounted: 0, staleSnapshots, members },
  };
}

test('one process: no breakdown', () => {
  const one = { ...stats(0, []), cluster: undefined };
  assert.equal(serverGroupRecord(one, one, one), undefined);
});

test('each process over the window; a replacement counts from its start; memory from the retained snapshot', () => {
  const start = stats(1000, [member(1, -1, 500), member(2, 0, 1000, { bytesOut: 10 }), member(3, 1, 2000)]);
  const end = stats(
    3000,
    [
      member(1, -1, 600),
      member(2, 0, 5000, { alive: false, bytesOut: 90 }),
      member(3, 1, 4000, { subscribers: 7, openSockets: 7, tcpAccepted: 9 }),
      member(4, 0, 800, { subscribers: 3, openSockets: 3, tcpAccepted: 3 }),
    ],
    1,
  );
  const retained = stats(3500, [
    member(1, -1, 0, { rssBytes: 50 }),
    member(3, 1, 0, { rssBytes: 70 }),
    member(4, 0, 0, { rssBytes: 60 }),
  ]);
  const record = serverGroupRecord(start, end, retained)!;
  assert.equal(record.workerRestarts, 1);
  assert.deepEqual(
    record.members.map((m) => [m.pid, m.cpuMs, m.cpuFraction, m.rssBytes, m.openSockets, m.tcpAccepted, m.bytesOut]),
    [
      [1, 0.1, 0.1 / 2000, 50, 0, 0, 0],
      [2, 4, 4 / 2000, 0, 0, 0, 80],
      [3, 2, 2 / 2000, 70, 7, 9, 0],
      [4, 0.8, 0.8 / 2000, 60, 3, 3, 0],
    ],
  );
});

test("after a group restart, the new group's CPU counts from its ready, its counters from its start", () => {
  const start = stats(1000, [member(1, -1, 500), member(2, 0, 1000)]);
  const atReady = stats(2000, [member(5, -1, 300), member(6, 0, 400, { tcpAccepted: 2 })]);
  const end = stats(3000, [member(5, -1, 350), member(6, 0, 900, { tcpAccepted: 5 })]);
  const record = serverGroupRecord(start, end, end, atReady)!;
  assert.deepEqual(
    record.members.map((m) => [m.pid, m.cpuMs, m.tcpAccepted]),
    [
      [5, 0.05, 0],
      [6, 0.5, 5],
    ],
  );
});

test('stale worker snapshots up to the retained one are counted and warned about; none, no warning', () => {
  const start = stats(1000, [member(1, -1, 0)]);
  const end = stats(2000, [member(1, -1, 0)], 0, 1);
  const retained = stats(2500, [member(1, -1, 0)], 0, 2);
  const record = serverGroupRecord(start, end, retained)!;
  assert.equal(record.staleSnapshots, 2);
  assert.deepEqual(
    staleSnapshotsWarning(record).map((w) => [w.code, w.severity, w.value, w.limit]),
    [['server-stats-stale', 'warning', 2, 0]],
  );
  assert.deepEqual(staleSnapshotsWarning(serverGroupRecord(start, start, start)), []);
});
