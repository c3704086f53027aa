/**
 * "Server processes" (`--server-processes N`, CompletedRun.serverGroup): how evenly a group of server
 * processes carried its clients, per run. Each worker's clients and sockets at the window's end and
 * its CPU over the window, the busiest over the mean as the balance, and the primary's own CPU (with
 * round-robin scheduling it accepts every connection and hands it on). The group's arrival lag is
 * merged exactly from the workers' histograms (servers/cluster-stats.ts), and the caption says so.
 */
import type { JobSummary } from './aggregate.ts';
import { balance, corePct, each, runTable, type ScaleTable } from './scale-table.ts';

const CAPTION =
  "Each worker process's share, in worker order: clients subscribed to the feed and open sockets at the window's end, CPU over the window (% of one core). Balance is the busiest worker over the mean of the living ones (1.00x = even). With round-robin scheduling the primary accepts every connection and passes it on; its CPU is part of the group's server CPU. The group's feed arrival lag is its workers' histograms merged: exact percentiles over every event every worker read.";

export function serverGroupTable(jobs: readonly JobSummary[]): ScaleTable | null {
  return runTable(
    jobs,
    {
      title: 'Server processes',
      caption: CAPTION,
      heads: [
        'processes',
        'scheduling',
        'clients per worker',
        'sockets per worker',
        'CPU per worker',
        'balance (sockets, CPU)',
        'primary CPU',
        'worker restarts',
      ],
    },
    (run, s) => {
      const group = run.serverGroup;
      if (!group || s.job.params.serverProcesses <= 1) return null;
      const workers = group.members.filter((m) => m.role === 'worker').sort((a, b) => a.index - b.index);
      const living = workers.filter((m) => m.alive);
      // A worker that exited before the window's end keeps its place, marked, and is left out of the balance.
      const per = (f: (m: (typeof workers)[number]) => string) =>
        each(workers.map((m) => (m.alive ? f(m) : `${f(m)} (exited)`)));
      const primary = group.members.find((m) => m.role === 'primary');
      return [
        `${group.workers} workers + primary`,
        group.scheduling === 'rr' ? 'round robin' : 'by the OS',
        per((m) => String(m.subscribers)),
        per((m) => String(m.openSockets)),
        per((m) => corePct(m.cpuFraction)),
        `${balance(living.map((m) => m.openSockets))}, ${balance(living.map((m) => m.cpuFraction))}`,
        primary ? corePct(primary.cpuFraction) : '–',
        group.exitsUncounted > 0
          ? `${group.workerRestarts} (${group.exitsUncounted} without final figures)`
          : String(group.workerRestarts),
      ];
    },
  );
}
