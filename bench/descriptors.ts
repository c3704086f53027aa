/**
 * File descriptors a plan needs, checked before anything starts. Every simulated client holds one
 * socket in the load process and one in the server process (every transport: one WebSocket, one SSE
 * stream, one keep-alive connection for polling), plus a margin for reconnects that overlap and for
 * what Node itself opens (stdio, IPC, epoll, the prewarm pool). With `ulimit -n 1024`, a common
 * desktop default, 2,000 clients used to fail with EMFILE in the middle of a run.
 *
 * Only the hard limit counts: Node raises its own soft limit to the hard one when it starts (seen
 * here: `prlimit --nofile=256:4096 node` runs with 4096:4096), and `ulimit -n N` in bash sets both.
 * Raising the hard limit takes CAP_SYS_RESOURCE (root has it). A process that has it raises its own
 * limit before any child starts (util-linux `prlimit --pid`), and every child inherits it: server,
 * load generator, publisher, nginx, redis-server. A process that lacks it, or a plan above the
 * kernel's per-process ceiling (fs.nr_open) or the system's free file handles (fs.file-max), stops
 * before the run with one line saying what to do.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Sockets one simulated client holds open in each process (load and server). */
export const SOCKETS_PER_CLIENT = 1;
/** What a Node process holds besides client sockets (stdio, IPC, epoll, timers, the prewarm pool). */
export const BASE_DESCRIPTORS = 100;
/** Extra share for reconnects whose old socket is not closed yet: one in RECONNECT_SHARE. */
export const RECONNECT_SHARE = 10;

/** Descriptors one process (load or server) needs for `clients` clients. */
export function descriptorsNeeded(clients: number): number {
  const sockets = clients * SOCKETS_PER_CLIENT;
  return sockets + Math.ceil(sockets / RECONNECT_SHARE) + BASE_DESCRIPTORS;
}

/** The most clients a per-process limit allows (the inverse of descriptorsNeeded). */
export function maxClientsFor(limit: number): number {
  let n = Math.max(
    0,
    Math.floor(((limit - BASE_DESCRIPTORS) * RECONNECT_SHARE) / ((RECONNECT_SHARE + 1) * SOCKETS_PER_CLIENT)) + 1,
  );
  while (n > 0 && descriptorsNeeded(n) > limit) n--;
  return n;
}

export interface DescriptorLimits {
  soft: number;
  hard: number;
}

/**
 * The most clients one process of the plan holds: a job's clients split over its server processes
 * (each holds the sockets of the clients it accepted) and over the load processes (`loadProcesses`;
 * undefined counts as one, the most a process could hold). Plans by a job's busiest process, since
 * every process gets the same limit.
 */
export function clientsPerProcess(
  jobs: readonly { clients: number; serverProcesses: number }[],
  loadProcesses: number | undefined,
): number {
  const load = Math.max(1, loadProcesses ?? 1);
  return Math.max(0, ...jobs.map((j) => Math.ceil(j.clients / Math.min(j.serverProcesses, load))));
}

/** What this process may do about its limit: whether it may raise the hard one, and how far. */
export interface RaiseRights {
  /** CAP_SYS_RESOURCE in the effective set (root has it unless a container dropped it), and prlimit to use it. */
  canRaise: boolean;
  /** Effective uid 0: root without the capability is told where the limit is set instead of `ulimit`. */
  root?: boolean;
  /** fs.nr_open: no process's limit can go above it, root or not (null: unknown). */
  nrOpen: number | null;
  /** File handles the whole system has left (fs.file-max less those allocated; null: unknown). */
  systemFree: number | null;
}

/** Processes whose descriptors grow with the clients: the server and the load generator. */
const GROWING_PROCESSES = 2;

export type DescriptorPlan =
  | { action: 'ok'; needed: number }
  | { action: 'raise'; needed: number; limit: number }
  | { action: 'stop'; needed: number; message: string };

/** What to do for a plan whose largest job has `maxClients` clients, under `limits` (pure). */
export function planDescriptors(
  maxClients: number,
  limits: DescriptorLimits,
  rights: RaiseRights = { canRaise: false, nrOpen: null, systemFree: null },
): DescriptorPlan {
  const needed = descriptorsNeeded(maxClients);
  const fewer = (limit: number) =>
    maxClientsFor(limit) > 0 ? `, or use --clients ${maxClientsFor(limit)} at most` : ' (no run fits under this limit)';
  if (rights.systemFree !== null && needed * GROWING_PROCESSES > rights.systemFree)
    return {
      action: 'stop',
      needed,
      message: `${maxClients} clients need ${needed} open files in each of the server and the load generator, above the ${rights.systemFree} file handles the system has free (fs.file-max): raise it (as root: sysctl fs.file-max=${needed * GROWING_PROCESSES * 2}) and run again${fewer(Math.floor(rights.systemFree / GROWING_PROCESSES))}`,
    };
  if (needed <= limits.hard) return { action: 'ok', needed };
  if (rights.canRaise && (rights.nrOpen === null || needed <= rights.nrOpen))
    return { action: 'raise', needed, limit: needed };
  if (rights.canRaise)
    return {
      action: 'stop',
      needed,
      message: `${maxClients} clients need ${needed} open files per process, above the kernel's ceiling fs.nr_open of ${rights.nrOpen}: raise it (sysctl fs.nr_open=${needed}) and run again${fewer(Math.max(limits.hard, rights.nrOpen!))}`,
    };
  const how = rights.root
    ? `this root process lacks CAP_SYS_RESOURCE, so raise it where its container or service starts (docker run --ulimit nofile=${needed}:${needed}; LimitNOFILE=${needed})`
    : `as root: ulimit -Hn ${needed}; or LimitNOFILE / limits.conf`;
  return {
    action: 'stop',
    needed,
    message: `${maxClients} clients need ${needed} open files per process, above the hard limit of ${limits.hard}: raise it (${how}) and run again${fewer(limits.hard)}`,
  };
}

const CAP_SYS_RESOURCE = 24n;

/** Whether the effective capability set holds CAP_SYS_RESOURCE (/proc/self/status CapEff). */
function hasSysResource(): boolean {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('CapEff:'));
    return line !== undefined && ((BigInt(`0x${line.split(/\s+/)[1]}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
  } catch {
    return false;
  }
}

const readNumbers = (file: string): number[] | null => {
  try {
    const fields = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return fields.every(Number.isFinite) ? fields : null;
  } catch {
    return null;
  }
};

/** What this process may do about its descriptor limit (reads /proc; prlimit must be installed to raise). */
export function readRaiseRights(): RaiseRights {
  const fileNr = readNumbers('/proc/sys/fs/file-nr'); // allocated, free-but-allocated, max
  const prlimit = spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status === 0;
  return {
    canRaise: prlimit && hasSysResource(),
    root: process.geteuid?.() === 0,
    nrOpen: readNumbers('/proc/sys/fs/nr_open')?.[0] ?? null,
    systemFree: fileNr && fileNr.length === 3 ? fileNr[2]! - fileNr[0]! + fileNr[1]! : null,
  };
}

/**
 * Raises this process's soft and hard open-file limits to `limit`, so every child started from now on
 * inherits it. Returns the limits a child now starts with; the caller checks they reached `limit`.
 */
export function raiseDescriptorLimit(limit: number): DescriptorLimits | null {
  spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${limit}:${limit}`], { stdio: 'ignore' });
  return readDescriptorLimits();
}

const parseLimit = (s: string | undefined): number | null => {
  const t = (s ?? '').trim();
  if (t === 'unlimited') return Number.MAX_SAFE_INTEGER;
  return /^[0-9]+$/.test(t) ? Number(t) : null;
};

/** The open-file limits a child of this process starts with, or null where the shell cannot say. */
export function readDescriptorLimits(): DescriptorLimits | null {
  const out = spawnSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  const [soft, hard] = out.stdout.split('\n').map(parseLimit);
  return soft != null && hard != null ? { soft, hard } : null;
}

/**
 * Before a plan starts: enough descriptors for `maxClients` clients in each process, raised for the
 * children when this process may (`raised`: the new limit), or the one line that says why not (`stop`).
 */
export function prepareDescriptors(maxClients: number): { stop: string } | { raised: number } | null {
  const limits = readDescriptorLimits();
  if (!limits) return null;
  const plan = planDescriptors(maxClients, limits, readRaiseRights());
  if (plan.action === 'ok') return null;
  if (plan.action === 'stop') return { stop: plan.message };
  const raised = raiseDescriptorLimit(plan.limit);
  if (raised && raised.hard >= plan.needed) return { raised: raised.hard };
  const refused = planDescriptors(maxClients, raised ?? limits);
  return refused.action === 'stop' ? { stop: `${refused.message} (prlimit could not raise it)` } : null;
}
