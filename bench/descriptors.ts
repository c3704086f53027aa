/**
 * File descriptors a plan needs, checked before anything starts. Every simulated client holds one
 * socket in the load process and one in the server process (every transport: one WebSocket, one SSE
 * stream, one keep-alive connection for polling), plus a margin for reconnects that overlap and for
 * what Node itself opens (stdio, IPC, epoll, the prewarm pool). With `ulimit -n 1024`, a common
 * desktop default, 2,000 clients used to fail with EMFILE in the middle of a run.
 *
 * Only the hard limit counts: Node raises its own soft limit to the hard one when it starts (seen
 * here: `prlimit --nofile=256:4096 node` runs with 4096:4096), and `ulimit -n N` in bash sets both.
 * So nothing can be raised for the children without root; if the hard limit is too low, the CLI stops
 * before the run with one line saying what to do.
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

export type DescriptorPlan = { action: 'ok'; needed: number } | { action: 'stop'; needed: number; message: string };

/** What to do for a plan whose largest job has `maxClients` clients, under `limits` (pure). */
export function planDescriptors(maxClients: number, limits: DescriptorLimits): DescriptorPlan {
  const needed = descriptorsNeeded(maxClients);
  if (needed <= limits.hard) return { action: 'ok', needed };
  return {
    action: 'stop',
    needed,
    message: `${maxClients} clients need ${needed} open files per process, above the hard limit of ${limits.hard}: raise it (as root: ulimit -Hn ${needed}; or LimitNOFILE / limits.conf) and run again${maxClientsFor(limits.hard) > 0 ? `, or use --clients ${maxClientsFor(limits.hard)} at most` : ' (no run fits under this limit)'}`,
  };
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
