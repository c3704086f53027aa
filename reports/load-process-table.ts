/**
 * "Load processes" (`--load-processes N`, source addresses; CompletedRun.load): per run that had more
 * than one load process or bound its clients to chosen source addresses, each process's clients and
 * cost, so a saturated load generator shows as the process it is (the run's load CPU figure is the
 * busiest process's, bench/load/merge-reports.ts). One process on system-picked addresses: no row.
 */
import { corePct, each, runTable, usAsMs, type ScaleTable } from './scale-table.ts';
import type { JobSummary } from './aggregate.ts';

const CAPTION =
  "Each load process, in client order: its clients, its CPU over the window (% of one core; the busiest is marked, and it is the run's load CPU figure), its event-loop delay p99, and how long after the shared window start it read its window counters. Source addresses: client i bound to the i-th address, round robin (system: the operating system picked them).";

/** Up to four addresses in full, more as the first, the last and how many ("127.0.0.2 … 127.0.0.9 (8)"). */
function addresses(list: readonly string[] | undefined): string {
  if (!list?.length) return 'system';
  return list.length <= 4 ? list.join(', ') : `${list[0]} … ${list[list.length - 1]} (${list.length})`;
}

export function loadProcessTable(jobs: readonly JobSummary[]): ScaleTable | null {
  return runTable(
    jobs,
    {
      title: 'Load processes',
      caption: CAPTION,
      heads: [
        'processes',
        'clients each',
        'CPU each',
        'loop delay p99 each',
        'window start lag each',
        'source addresses',
      ],
    },
    (run) => {
      const load = run.load;
      if (!load || (load.processes.length <= 1 && !load.sourceAddresses?.length)) return null;
      const ps = load.processes;
      const busiest = ps.length > 1 ? ps.reduce((a, b) => (b.cpuFraction > a.cpuFraction ? b : a)) : null;
      return [
        String(ps.length),
        each(ps.map((p) => String(p.clients))),
        each(ps.map((p) => `${corePct(p.cpuFraction)}${p === busiest ? ' (busiest)' : ''}`)),
        each(ps.map((p) => usAsMs(p.loopDelayP99Us))),
        ps.some((p) => p.startLagUs !== undefined)
          ? each(ps.map((p) => (p.startLagUs === undefined ? '–' : usAsMs(p.startLagUs))))
          : '–',
        addresses(load.sourceAddresses),
      ];
    },
  );
}
