/**
 * The server restart of workload `restart` (issue 12), the orchestrator's side: when the load generator
 * asks (at the window's middle), snapshot the server, SIGKILL it, wait `downMs`, start a new process with
 * the same config on the same port, wait for its ready, and answer the load generator. The feed lives in
 * the publisher, which outlives the server: the new process resumes from the publisher's ring
 * (servers/upstream.ts), so a client that resumes misses nothing while the ring holds its events.
 *
 * A server group (--server-processes N) restarts whole: primary and workers killed, a new group started.
 *
 * The window's server figures span two processes: the old one's counters and CPU at the kill are added
 * to the new one's (acrossRestart), so the window's server CPU and bytes include both; the new process's
 * CPU and event-loop time count from its ready, so its start-up (module loading, the upstream connect)
 * is left out, as a steady job's server started before its window. The handshake storm is measured on
 * the new process alone (StormFigures).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CounterSnapshot, FromServer, ServerStats, ToServer } from '../servers/contract/server-ipc.ts';
import type { ServerConfig } from '../servers/contract/server-config.ts';
import { nowNs } from '../servers/contract/clock.ts';
import { ManagedChild } from './child.ts';
import { waitGone } from './process-gone.ts';
import { STORM_MS } from './restart-window.ts';
import type { RunWarning } from './result-schema.ts';
import { warn } from './warnings.ts';

/**
 * What the reconnecting clients cost the new server process in its first STORM_MS after it began
 * listening: its counters then (it counted nothing before listening), and its CPU from its ready to
 * then (start-up, module loading and the upstream connect, are before the ready and left out).
 */
export interface StormFigures {
  tcpAccepted: number;
  httpRequests: number;
  wsHandshakes: number;
  bytesIn: number;
  bytesOut: number;
  cpuMs: number;
}

/** Gauges: what is open now, the new process's alone; every other counter is a count since start. */
const GAUGES = new Set<string>(['openSockets']);

/**
 * Every counter of both processes summed, gauges the new one's: generic over the keys, so a counter
 * added later is carried across a restart without being listed here. An optional counter only the
 * old process reported stays.
 */
function sumCounters(o: CounterSnapshot, n: CounterSnapshot): CounterSnapshot {
  const sum: Record<string, number> = { ...o, ...n };
  for (const key of Object.keys(sum) as (keyof CounterSnapshot)[])
    if (!GAUGES.has(key)) sum[key] = (o[key] ?? 0) + (n[key] ?? 0);
  return sum as unknown as CounterSnapshot;
}

/**
 * A snapshot of the new process as if one process had served the whole window: the old process's
 * counters, CPU and event-loop time at the kill plus the new one's, its CPU and event-loop time since
 * its ready (`atReady`: its start-up is no cost of the window's clients). Counters need no such
 * subtraction: the new process counts nothing before it listens. Memory and loop delay are the new
 * process's own; so is `atNs`, so the server's span still ends at the snapshot.
 */
export function acrossRestart(old: ServerStats, atReady: ServerStats, now: ServerStats): ServerStats {
  const since = (key: 'cpuUserUs' | 'cpuSystemUs' | 'eluActiveMs' | 'eluIdleMs') =>
    old.process[key] + now.process[key] - atReady.process[key];
  return {
    ...now,
    process: {
      ...now.process,
      cpuUserUs: since('cpuUserUs'),
      cpuSystemUs: since('cpuSystemUs'),
      eluActiveMs: since('eluActiveMs'),
      eluIdleMs: since('eluIdleMs'),
    },
    counters: sumCounters(old.counters, now.counters),
  };
}

/** The storm from the new process's snapshots at its ready and STORM_MS after it began listening. */
export function stormFigures(atReady: ServerStats, after: ServerStats): StormFigures {
  const c = after.counters;
  const cpuUs = (p: ServerStats['process']) => p.cpuUserUs + p.cpuSystemUs;
  return {
    tcpAccepted: c.tcpAccepted,
    httpRequests: c.httpRequests,
    wsHandshakes: c.wsHandshakes,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    cpuMs: (cpuUs(after.process) - cpuUs(atReady.process)) / 1000,
  };
}

/**
 * A warning when the new server began listening, plus its storm, after the window's end
 * (`windowEndNs`, the load generator's): the window's client figures then miss what the server's
 * include. bench/restart-window.ts refuses windows too short for it; a slow start-up can still do it.
 */
export function restartPastWindow(listeningNs: bigint, windowEndNs: bigint): RunWarning | undefined {
  const lateMs = Number(listeningNs - windowEndNs) / 1e6 + STORM_MS;
  return lateMs > 0 ? warn.restartPastWindow(lateMs) : undefined;
}

/** Milliseconds until STORM_MS after `listeningNs` (0 when already past). */
export function untilStormEndMs(listeningNs: bigint): number {
  return Math.max(0, STORM_MS - Number(nowNs() - listeningNs) / 1e6);
}

/** A server process as the orchestrator drives it (bench/child.ts). */
type ServerChild = ManagedChild<ToServer, FromServer>;

export interface RestartOptions {
  server: ServerChild;
  /** The config the killed server ran with; the new one gets the same with `port` set to its port. */
  config: ServerConfig;
  port: number;
  downMs: number;
  cpus: string | null;
  startTimeoutMs: number;
  snapshot(server: ServerChild): Promise<ServerStats>;
  signal: AbortSignal;
}

export interface Restarted {
  server: ServerChild;
  /** The old process's last snapshot, just before the kill. */
  oldAtKill: ServerStats;
  /** The new process's snapshot at its ready (the storm's CPU counts from it). */
  atReady: ServerStats;
  killedNs: bigint;
  listeningNs: bigint;
}

/** How long a killed group's workers may take to be gone (SIGKILL: milliseconds). */
const WORKERS_GONE_MS = 5000;

function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone: its IPC channel closed with the primary and node's cluster module exited it.
  }
}

/** Kill, stay down `downMs` (counted from the kill), start again on the same port, wait for ready. */
export async function restartServer(o: RestartOptions): Promise<Restarted> {
  const oldAtKill = await o.snapshot(o.server);
  // A server group (--server-processes N) goes down whole: the primary first (so it replaces no one),
  // then its workers, which must be gone before the new group binds the port.
  const workers = (oldAtKill.cluster?.members ?? []).filter((m) => m.role === 'worker' && m.alive).map((m) => m.pid);
  const killedNs = nowNs();
  o.server.process.kill('SIGKILL');
  for (const pid of workers) killIfRunning(pid);
  await o.server.exited;
  await waitGone(workers, WORKERS_GONE_MS);
  const restMs = o.downMs - Number(nowNs() - killedNs) / 1e6;
  if (restMs > 0) await sleep(restMs, undefined, { signal: o.signal });
  if (o.config.role !== 'feed') throw new Error('only a feed server is restarted');
  const config: ServerConfig = { ...o.config, port: o.port };
  // As startPair starts a server (bench/orchestrator.ts): --expose-gc for the memory snapshots.
  const server: ServerChild = new ManagedChild('server', '../servers/main.ts', [JSON.stringify(config)], o.cpus, [
    '--expose-gc',
  ]);
  try {
    const ready = await server.waitFor('ready', o.startTimeoutMs, o.signal);
    const atReady = await o.snapshot(server);
    return { server, oldAtKill, atReady, killedNs, listeningNs: BigInt(ready.listeningNs) };
  } catch (err) {
    // The run fails with this error; its teardown knows only the killed server, so stop this one here.
    await server.stop();
    throw err;
  }
}

/**
 * The restart of one run, which the run's end cancels and waits out (bench/orchestrator.ts): the plan's
 * signal is not aborted when a run fails (the load generator died or timed out during the restart), so
 * without this the restart carried on after the teardown and started a server nobody stopped. The
 * restart runs with `signal`; `end()` aborts it and resolves once it has settled, so the teardown then
 * stops whichever server is current (restartServer stops a new one it could not hand over).
 */
export class RunRestart {
  private readonly ended = new AbortController();
  private pending: Promise<unknown> = Promise.resolve();
  readonly signal: AbortSignal;

  constructor(runSignal: AbortSignal) {
    this.signal = AbortSignal.any([runSignal, this.ended.signal]);
  }

  /** Tracks the restart's promise (returned as is) so `end()` waits for it. */
  track<T>(restart: Promise<T>): Promise<T> {
    this.pending = restart.catch(() => {});
    return restart;
  }

  /** Cancels a restart still under way and waits until it has settled. */
  async end(): Promise<void> {
    this.ended.abort();
    await this.pending;
  }
}
