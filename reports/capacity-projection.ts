/**
 * What a million clients would need, per transport, from the costs the capacity search measured at
 * its largest passing step: the 2010 table's projection done with today's measured costs. Pure
 * arithmetic on the result, every input shown beside the figure:
 *
 *   server cores     = CPU per delivered event x events/s per client x 1,000,000 / target utilisation
 *   server processes = ceil(server cores)         (a node process runs its JavaScript on one core)
 *   memory           = server RSS growth per client x 1,000,000
 *   load cores       = load CPU per client x 1,000,000 / target utilisation
 *                      (summed over every load process and agent, not the busiest one's)
 *   load hosts       = ceil(load cores / cores of a host like this one)
 *   source addresses = ceil(1,000,000 / ephemeral ports per address)
 *
 * Linear in clients by construction: it assumes the per-client and per-event costs stay what they
 * were at the measured audience (fan-out cost per event does grow with the audience per process;
 * this is a floor, not a promise).
 */
import type { CapacitySearch, CapacitySection } from '../bench/capacity/schema.ts';

export const PROJECTED_CLIENTS = 1_000_000;
/** Cores are planned at this utilisation, leaving headroom for bursts and reconnect storms. */
export const TARGET_UTILISATION = 0.7;
/** Linux's default ip_local_port_range (32768-60999) when the run could not read its own. */
const DEFAULT_EPHEMERAL_PORTS = 28_232;

export interface ProjectionInputs {
  /** The audience the costs were measured at (the largest that met the level). */
  measuredClients: number;
  ratePerSec: number;
  /** Server CPU per delivered event (ms per 1,000 events). */
  cpuMsPer1000Events: number;
  rssPerClientBytes: number;
  /** The CPU of all the load processes and agents together at the measured audience (cores). */
  loadCpuTotal: number;
  coresPerHost: number;
  ephemeralPorts: number;
}

export interface Projection {
  inputs: ProjectionInputs;
  serverCores: number;
  serverProcesses: number;
  memoryBytes: number;
  loadCores: number;
  loadHosts: number;
  sourceAddresses: number;
}

export function project(i: ProjectionInputs, clients = PROJECTED_CLIENTS): Projection {
  const cpuSecondsPerEvent = i.cpuMsPer1000Events / 1000 / 1000;
  const serverCores = (cpuSecondsPerEvent * i.ratePerSec * clients) / TARGET_UTILISATION;
  const loadCores = ((i.loadCpuTotal / i.measuredClients) * clients) / TARGET_UTILISATION;
  return {
    inputs: i,
    serverCores,
    serverProcesses: Math.ceil(serverCores),
    memoryBytes: i.rssPerClientBytes * clients,
    loadCores,
    loadHosts: Math.ceil(loadCores / i.coresPerHost),
    sourceAddresses: Math.ceil(clients / i.ephemeralPorts),
  };
}

/** The projection's inputs from a search's largest passing step, or null when it has none or lacks a figure. */
export function projectionInputs(search: CapacitySearch, machine: CapacitySection['machine']): ProjectionInputs | null {
  const step = search.steps.find((s) => s.clients === search.largestPass);
  if (!step) return null;
  const f = step.figures;
  const [cpu, rss, load] = [f['cpuMsPer1000Events'], f['rssPerClientBytes'], f['loadCpuTotal']];
  if (cpu === undefined || rss === undefined || load === undefined) return null;
  return {
    measuredClients: step.clients,
    ratePerSec: search.ratePerSec,
    cpuMsPer1000Events: cpu,
    // RSS can shrink between two readings (the collector returned pages): no negative memory.
    rssPerClientBytes: Math.max(0, rss),
    loadCpuTotal: load,
    coresPerHost: machine.cores,
    ephemeralPorts: machine.ephemeralPorts ?? DEFAULT_EPHEMERAL_PORTS,
  };
}
