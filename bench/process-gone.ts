/**
 * Whether a process the harness does not parent is gone: a server group's workers (the primary is
 * their parent), killed with it when the restart workload takes the whole group down (bench/restart.ts).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Gone: no such process, or a zombie nobody has reaped yet (it runs nothing and holds no socket). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat[stat.lastIndexOf(')') + 2];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** Resolves once every pid is gone; rejects after `ms` naming those still running. */
export async function waitGone(pids: readonly number[], ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!pids.every(processGone)) {
    if (performance.now() > deadline)
      throw new Error(`still running after ${ms} ms: pid ${pids.filter((pid) => !processGone(pid)).join(', ')}`);
    await sleep(10);
  }
}
