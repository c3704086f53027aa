/**
 * How long a window a restart job needs (workload `restart`, issue 12). The kill is at the window's
 * middle; the new server must listen, and its reconnect storm (STORM_MS) be over, before the window
 * ends, or the clients' figures (which stop at the window's end) and the server's (read at the storm's
 * end and after) cover different spans: a 3 s window with 2 s down showed 0 TCP connections in the
 * window though every client had reconnected.
 */
import type { Scenario } from './scenarios/schema.ts';

/** How long after the new server listens its storm is measured. */
export const STORM_MS = 2000;

/**
 * Allowance for the new server process's start-up (spawn, module loading, the upstream connect, up to
 * its listen()): measured here at 0.3-0.8 s on 2 cores; 1 s leaves room for a busy machine.
 */
const STARTUP_MARGIN_MS = 1000;

/**
 * Start-up allowance for a server of `processes` processes (--server-processes): a group's primary and
 * workers start on the server role's cores, on a pinned core one after another: measured spawn to
 * ready of the whole group, 2 processes 0.8-1.3 s, 4 processes 2.5 s (1 process: 0.3-0.4 s).
 */
function startupMarginMs(processes: number): number {
  return STARTUP_MARGIN_MS * processes;
}

/** The shortest window that holds, after its middle, the down time, the start-up and the storm. */
function minRestartWindowMs(downMs: number, processes: number): number {
  return 2 * (downMs + startupMarginMs(processes) + STORM_MS);
}

/** The most server processes any of the scenario's jobs runs. */
function mostServerProcesses(s: Scenario): number {
  return Math.max(1, ...(s.matrix.deployments ?? []).map((d) => d.serverProcesses));
}

/** The shortest window the scenario's restart jobs need (0 without one). */
export function scenarioRestartWindowMs(s: Scenario): number {
  const downs = (s.matrix.workloads ?? []).flatMap((w) => (w.kind === 'restart' ? [w.downMs] : []));
  return downs.length === 0 ? 0 : minRestartWindowMs(Math.max(...downs), mostServerProcesses(s));
}

/** One sentence when the scenario's window is too short for its restart jobs, else undefined. */
export function restartWindowProblem(s: Scenario): string | undefined {
  const needMs = scenarioRestartWindowMs(s);
  if (s.timing.measureMs >= needMs) return undefined;
  const startupMs = startupMarginMs(mostServerProcesses(s));
  const downMs = needMs / 2 - startupMs - STORM_MS;
  return `a restart with ${downMs / 1000} s down needs a window of at least ${needMs / 1000} s (the kill is at its middle, then the down time, ${startupMs / 1000} s for the new server to start and ${STORM_MS / 1000} s of reconnect storm must fit before its end), got ${s.timing.measureMs / 1000} s: give --duration ${Math.ceil(needMs / 1000)} or more`;
}
