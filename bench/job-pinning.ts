/**
 * Which cores a job's server and load get. The plan's pinning (bench/child.ts detectPinning) puts the
 * server on core 0 and the harness (load generator, publisher, broker) on the others. A job with N
 * server processes gets N cores for them when the machine has them, leaving at least one to the
 * harness: on 2 cores, 2 server processes share core 0 (recorded in the run's pinning, and a reader
 * comparing 1 and 2 processes there sees what a second process costs on the same core, not a gain).
 */
import type { Pinning } from './child.ts';
import { cpusOf } from './load-group.ts';

/** "0" or "0-3": the cores from `first` to `last`. */
const span = (first: number, last: number) => (first === last ? `${first}` : `${first}-${last}`);

export function pinningForJob(plan: Pinning, serverProcesses: number, cores: number): Pinning {
  if (!plan.available || serverProcesses <= 1 || cores < 3) return plan;
  const serverCores = Math.min(serverProcesses, cores - 1);
  return {
    ...plan,
    serverCpus: span(0, serverCores - 1),
    loadCpus: span(serverCores, cores - 1),
    note: `taskset -c: ${serverProcesses} server processes on cores ${span(0, serverCores - 1)}; load generator and publisher on the others`,
  };
}

/**
 * The cores a run's server processes had between them: its recorded taskset list (the run's
 * pinning.server), or every core when nothing was pinned. Node runs a process's JavaScript on one
 * thread, so together they use at most min(processes, these cores).
 */
export function serverCoresOf(serverCpus: string | null, machineCores: number): number {
  return cpusOf(serverCpus).length || machineCores;
}
