/**
 * The nginx master and its worker(s) as /proc shows them: children, open-file limit, and CPU time,
 * utime + stime of each
 * live process (a worker that exited is counted in its parent's cutime/cstime only once waited for,
 * which nginx does at once: counted too).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat's times (100 on every Linux we run on; asked, not assumed). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout?.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone
  }
}

/** The pids whose parent is `pid` (every thread's children file, else a scan of /proc by ppid). */
export function childPids(pid: number): number[] {
  try {
    const found = new Set<number>();
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/)) if (child) found.add(Number(child));
    }
    return [...found];
  } catch {
    // A kernel without CONFIG_PROC_CHILDREN: field 4 of stat (after the command) is ppid.
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((child) => statFields(child)?.[1] === String(pid));
  }
}

/** The soft limit on open files of `pid` (/proc/<pid>/limits), or null if unreadable or unlimited. */
export function openFilesLimit(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s+/)[3]);
    return Number.isInteger(soft) ? soft : null;
  } catch {
    return null;
  }
}

/** openFilesLimit of a child that may not have a pid (it failed to spawn): null then. */
export const openFilesOf = (pid: number | undefined): number | null => (pid === undefined ? null : openFilesLimit(pid));

/**
 * utime + stime (µs) of `pid` and its children; 0 for a process that is gone. Whole clock ticks: each
 * process reads up to one tick (10 ms) under its scheduler time (/proc/<pid>/schedstat), which the
 * integration test checks.
 */
export function treeCpuUs(pid: number): number {
  let ticks = 0;
  for (const p of [pid, ...childPids(pid)]) {
    const f = statFields(p);
    // After the command: state(0) ppid(1) ... utime(11) stime(12), i.e. stat fields 14 and 15.
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return Math.round((ticks * 1e6) / clockTicks());
}
