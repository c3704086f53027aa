/**
 * What the server process reports about itself on request: CPU time, memory, event-loop utilisation
 * and delay. Cumulative counters are returned raw so the caller can take differences over exactly
 * its measurement window; the loop-delay histogram can be reset at the start of a window.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface ProcessStats {
  /** process.hrtime.bigint() at the snapshot, as a decimal string (ns). */
  atNs: string;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Cumulative event-loop time, for utilisation = d(active) / (d(active) + d(idle)). */
  eluActiveMs: number;
  eluIdleMs: number;
  /** Event-loop delay since the last reset, µs. */
  loopDelay: { meanUs: number; p50Us: number; p99Us: number; maxUs: number };
}

export function createProcessStats(): { snapshot(resetLoopDelay: boolean): ProcessStats; stop(): void } {
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  return {
    snapshot(resetLoopDelay) {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      const elu = performance.eventLoopUtilization();
      const hasSamples = loopDelay.count > 0;
      const stats: ProcessStats = {
        atNs: process.hrtime.bigint().toString(),
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        heapTotalBytes: mem.heapTotal,
        externalBytes: mem.external,
        eluActiveMs: elu.active,
        eluIdleMs: elu.idle,
        loopDelay: {
          meanUs: hasSamples ? loopDelay.mean / 1000 : 0,
          p50Us: hasSamples ? loopDelay.percentile(50) / 1000 : 0,
          p99Us: hasSamples ? loopDelay.percentile(99) / 1000 : 0,
          maxUs: hasSamples ? loopDelay.max / 1000 : 0,
        },
      };
      if (resetLoopDelay) loopDelay.reset();
      return stats;
    },
    stop: () => loopDelay.disable(),
  };
}
