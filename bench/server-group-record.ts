/**
 * What a run records about a server group (`--server-processes N`, servers/cluster-primary.ts): each
 * process's share over the window, so a report can show how evenly the group carried its clients and
 * what the primary's round robin cost. The group's merged figures are the run's server figures as
 * usual (bench/metrics.ts); this is the breakdown beside them. Pure.
 */
import { z } from 'zod';
import type { ServerStats } from '../servers/contract/server-ipc.ts';
import type { RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

export const serverGroupRecordSchema = z.object({
  /** Worker processes (the primary is one more). */
  workers: z.number().int(),
  scheduling: z.enum(['rr', 'none']),
  /** Workers that died during the run and were replaced, and of those the ones whose last figures are missing. */
  workerRestarts: z.number().int(),
  exitsUncounted: z.number().int(),
  /**
   * Snapshots in which a living worker's stats were stale (it did not answer in time; ClusterStats
   * staleSnapshots), from the group's start to the retained snapshot (after a restart, the new
   * group's). Absent in files written before it was counted.
   */
  staleSnapshots: z.number().int().optional(),
  members: z.array(
    z.object({
      pid: z.number().int(),
      role: z.enum(['primary', 'worker']),
      /** Worker slot (a replacement takes its predecessor's); -1 for the primary. */
      index: z.number().int(),
      /** Alive at the window's end. */
      alive: z.boolean(),
      /** CPU time over the window (a worker that replaced a dead one: from its start). */
      cpuMs: z.number(),
      /** Over the window's server span: 1 = one core busy. */
      cpuFraction: z.number(),
      /** Memory with the clients connected, after a full GC (the retained snapshot). */
      rssBytes: z.number(),
      heapUsedBytes: z.number(),
      /** At the window's end. */
      subscribers: z.number().int(),
      openSockets: z.number().int(),
      /** Connections accepted and bytes written over the window. */
      tcpAccepted: z.number().int(),
      bytesOut: z.number(),
    }),
  ),
});
export type ServerGroupRecord = z.infer<typeof serverGroupRecordSchema>;

/**
 * The breakdown between the window's edges, or undefined for a single server process. `restartedAt`:
 * the new group's snapshot at its ready, when the restart workload replaced the group mid-window; its
 * processes' CPU then counts from there and their counters from their start, as the merged figures
 * count them (bench/restart.ts acrossRestart); the old group's processes, gone by the window's end,
 * are not listed (their share is in the merged figures).
 */
export function serverGroupRecord(
  start: ServerStats,
  end: ServerStats,
  retained: ServerStats,
  restartedAt?: ServerStats,
): ServerGroupRecord | undefined {
  const group = end.cluster;
  if (!group) return undefined;
  const at = (s: ServerStats, pid: number) => s.cluster?.members.find((m) => m.pid === pid);
  const wallMs = Number(BigInt(end.process.atNs) - BigInt(start.process.atNs)) / 1e6;
  return {
    workers: group.workers,
    scheduling: group.scheduling,
    workerRestarts: group.workerRestarts - ((restartedAt ?? start).cluster?.workerRestarts ?? 0),
    exitsUncounted: group.exitsUncounted - ((restartedAt ?? start).cluster?.exitsUncounted ?? 0),
    staleSnapshots: retained.cluster?.staleSnapshots ?? group.staleSnapshots,
    members: group.members.map((m) => {
      const from = at(start, m.pid);
      // CPU of a restarted group from its ready, counters from its start, as acrossRestart counts them.
      const cpuFrom = from ?? (restartedAt && at(restartedAt, m.pid));
      const kept = at(retained, m.pid);
      const cpuMs = (m.cpuUserUs + m.cpuSystemUs - (cpuFrom ? cpuFrom.cpuUserUs + cpuFrom.cpuSystemUs : 0)) / 1000;
      return {
        pid: m.pid,
        role: m.role,
        index: m.index,
        alive: m.alive,
        cpuMs,
        cpuFraction: wallMs > 0 ? cpuMs / wallMs : 0,
        rssBytes: kept?.rssBytes ?? 0,
        heapUsedBytes: kept?.heapUsedBytes ?? 0,
        subscribers: m.subscribers,
        openSockets: m.openSockets,
        tcpAccepted: m.tcpAccepted - (from?.tcpAccepted ?? 0),
        bytesOut: m.bytesOut - (from?.bytesOut ?? 0),
      };
    }),
  };
}

/** A warning when some of the group's figures merged a worker's stale snapshot (an undercount). */
export function staleSnapshotsWarning(record: ServerGroupRecord | undefined): RunWarning[] {
  const n = record?.staleSnapshots ?? 0;
  return n > 0 ? [warn.serverStatsStale(n)] : [];
}
