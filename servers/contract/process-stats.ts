/**
 * Contract (servers/contract/). Imported by the server (servers/start.ts snapshots itself with it, the
 * snapshot type crosses to the orchestrator in server-ipc.ts) and the load generator
 * (bench/load/run-job.ts measures its own loop delay with the same resolution and arithmetic, so the
 * two processes' loop delays mean the same).
 *
 * What the server process reports about itself on request: CPU time, memory, event-loop utilisation
 * and delay. Cumulative counters are returned raw so the caller can take differences over exactly
 * its measurement window; the loop-delay histogram can be reset at the start of a window.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { nowNs } from './clock.ts';

export interface ProcessStats {
  /** nowNs() (the shared clock, contract/clock.ts) at the snapshot, as a decimal string (ns). */
  atNs: string;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /**
   * process.getActiveResourcesInfo().length: sockets, timers and requests keeping the loop alive (a
   * soak's handle count). Every server reports it; optional for snapshots written by hand in tests.
   */
  activeResources?: number;
  /** Cumulative event-loop time, for utilisation = d(active) / (d(active) + d(idle)). */
  eluActiveMs: number;
  eluIdleMs: number;
  /** Event-loop delay since the last reset, µs. */
  loopDelay: { meanUs: number; p50Us: number; p99Us: number; maxUs: number };
}

/** Sampling period of the loop-delay monitor. Node's histogram records whole timer periods, so the
 * resolution is subtracted to get the delay itself (an idle loop reads ~10.2 ms at resolution 10). */
export const LOOP_DELAY_RESOLUTION_MS = 10;

/** Delay in µs from a monitorEventLoopDelay value in ns. */
export function loopDelayUs(ns: number): number {
  return Math.max(0, ns / 1000 - LOOP_DELAY_RESOLUTION_MS * 1000);
}

export function createProcessStats(): {
  snapshot(options: { resetWindow: boolean; gc: boolean }): ProcessStats;
  stop(): void;
} {
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  return {
    snapshot({ resetWindow, gc }) {
      // With --expose-gc, collect first so heap and RSS describe live data, not garbage.
      if (gc) (globalThis as { gc?: () => void }).gc?.();
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      const elu = performance.eventLoopUtilization();
      const hasSamples = loopDelay.count > 0;
      const stats: ProcessStats = {
        atNs: nowNs().toString(),
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        heapTotalBytes: mem.heapTotal,
        externalBytes: mem.external,
        activeResources: process.getActiveResourcesInfo().length,
        eluActiveMs: elu.active,
        eluIdleMs: elu.idle,
        loopDelay: {
          meanUs: hasSamples ? loopDelayUs(loopDelay.mean) : 0,
          p50Us: hasSamples ? loopDelayUs(loopDelay.percentile(50)) : 0,
          p99Us: hasSamples ? loopDelayUs(loopDelay.percentile(99)) : 0,
          maxUs: hasSamples ? loopDelayUs(loopDelay.max) : 0,
        },
      };
      if (resetWindow) loopDelay.reset();
      return stats;
    },
    stop: () => loopDelay.disable(),
  };
}
