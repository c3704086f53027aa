/**
 * How many load processes a job gets (--load-processes, bench/load-group.ts). Asked for: that many,
 * but never more than the job has clients. Auto: one per CLIENTS_PER_LOAD_PROCESS clients (rounded
 * up), never more than the cores the load may use (a second process on one core only splits its
 * time), so small jobs keep the one process they always had.
 */
import os from 'node:os';
import type { Pinning } from './child.ts';
import { cpusOf } from './load-group.ts';

/**
 * Clients one load process drives at 1 event/s while its own loop delay stays small against the
 * latency it measures. Every event reaches all its clients at once, so the process reads one frame
 * per client in one burst, and its loop delay p99 grows with the clients (ws, 1 event/s, 256 B, one
 * load process on its own core, a shared 2-core machine): 12 ms at 1,000 clients, 28 ms at 3,000,
 * 61 ms at 6,000, 150 ms at 10,000, at 2-12% of a core. At 3,000 it is still under 30 ms; past it the
 * last client of a burst reads its event tens of milliseconds late because of the load process itself.
 */
export const CLIENTS_PER_LOAD_PROCESS = 3000;

/** The cores load processes may use: the load's taskset list, or every core when nothing is pinned. */
export function loadCores(pinning: Pinning): number {
  return cpusOf(pinning.loadCpus).length || os.availableParallelism();
}

export function resolveLoadProcesses(asked: number | undefined, clients: number, cores: number): number {
  if (asked !== undefined) return Math.max(1, Math.min(asked, clients));
  return Math.max(1, Math.min(cores, Math.ceil(clients / CLIENTS_PER_LOAD_PROCESS)));
}

/** The line printed before a plan: how many load processes each client count gets, and why. */
export function loadProcessesLine(asked: number | undefined, clientCounts: readonly number[], cores: number): string {
  const counts = [...new Set(clientCounts)].sort((a, b) => a - b);
  const each = counts.map((c) => `${resolveLoadProcesses(asked, c, cores)} for ${c} clients`).join(', ');
  const why =
    asked === undefined
      ? `auto: one per ${CLIENTS_PER_LOAD_PROCESS} clients, at most the ${cores} core${cores === 1 ? '' : 's'} the load may use`
      : `--load-processes ${asked}`;
  return `load processes: ${each} (${why})`;
}
