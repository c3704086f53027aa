/**
 * File descriptors a plan needs, checked before anything starts. Every simulated client holds one
 * socket in the load process and one in the server process (every transport: one WebSocket, one SSE
 * stream, one keep-alive connection for polling), plus a margin for reconnects that overlap and for
 * what Node itself opens (stdio, IPC, epoll, the prewarm pool). With `ulimit -n 1024`, a common
 * desktop default, 2,000 clients used to fail with EMFILE in the middle of a run.
 *
 * If the soft limit is too low but the hard limit allows it, children are started through
 * `sh -c 'ulimit -Sn N; exec "$@"'` (a process may raise its own soft limit up to the hard one); if
 * even the hard limit is too low, the CLI stops before the run with one line saying what to do.
 */
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
  let n = Math.max(0, Math.floor(((limit - BASE_DESCRIPTORS) * RECONNECT_SHARE) / ((RECONNECT_SHARE + 1) * SOCKETS_PER_CLIENT)) + 1);
  while (n > 0 && descriptorsNeeded(n) > limit) n--;
  return n;
}

export interface DescriptorLimits {
  soft: number;
  hard: number;
}

export type DescriptorPlan =
  | { action: 'ok'; needed: number }
  | { action: 'raise'; needed: number; to: number; note: string }
  | { action: 'stop'; needed: number; message: string };

/** What to do for a plan whose largest job has `maxClients` clients, under `limits` (pure). */
export function planDescriptors(maxClients: number, limits: DescriptorLimits): DescriptorPlan {
  const needed = descriptorsNeeded(maxClients);
  if (needed <= limits.soft) return { action: 'ok', needed };
  if (needed <= limits.hard) {
    return { action: 'raise', needed, to: needed, note: `${maxClients} clients need ${needed} open files per process; raising the children's soft limit from ${limits.soft} to ${needed} (hard limit ${limits.hard})` };
  }
  return {
    action: 'stop',
    needed,
    message: `${maxClients} clients need ${needed} open files per process, above the hard limit of ${limits.hard}: raise it (as root: ulimit -Hn ${needed}; or LimitNOFILE / limits.conf) and run again, or use --clients ${maxClientsFor(limits.hard)} at most`,
  };
}

const parseLimit = (s: string | undefined): number | null => {
  const t = (s ?? '').trim();
  if (t === 'unlimited') return Number.MAX_SAFE_INTEGER;
  return /^[0-9]+$/.test(t) ? Number(t) : null;
};

/** This process's open-file limits (children inherit them), or null where the shell cannot say. */
export function readDescriptorLimits(): DescriptorLimits | null {
  const out = spawnSync('sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  if (out.status !== 0) return null;
  const [soft, hard] = out.stdout.split('\n').map(parseLimit);
  return soft != null && hard != null ? { soft, hard } : null;
}

let childLimit: number | null = null;

/** From now on children are started with this soft open-file limit (null: inherit). */
export function setChildDescriptorLimit(limit: number | null): void {
  childLimit = limit;
}

/** The command that starts `command argv` with the raised limit, if one was set. */
export function withDescriptorLimit(command: string, argv: string[]): [string, string[]] {
  if (childLimit === null) return [command, argv];
  return ['sh', ['-c', `ulimit -Sn ${childLimit} && exec "$@"`, 'sh', command, ...argv]];
}
