/**
 * Names the resource that gave out at a capacity step, from the step's figures, its run's bottleneck
 * (bench/diagnosis.ts decides server CPU, load CPU, descriptors, connect backlog and the publisher for
 * any saturated run; its verdict is taken as it stands) and what diagnosis cannot see: the machine's
 * memory, the broker's CPU, ports, and the kernel's listen-queue drops counted around the step. Pure.
 *
 * At the first failing step something must be named (`unidentified` when nothing was near a limit:
 * then the reasons are the level itself, e.g. latency). At the largest passing step only a resource
 * already near its limit is named.
 */
import { LOAD_SATURATION_FRACTION, SERVER_SATURATION_ELU } from '../metrics.ts';
import { SHARED_CORE_CPU_FRACTION } from '../diagnosis.ts';
import { connectionsNeeded } from '../source-addresses.ts';
import type { CompletedRun } from '../result-schema.ts';
import type { CapacityLimit, CapacitySection, CapacityStep } from './schema.ts';

/** A resource used to this fraction of what it has is near its limit. */
export const NEAR_LIMIT_FRACTION = 0.85;

/**
 * With several server processes the step's server figures are the deployment's (the processes' stats
 * merged: CPU and RSS summed), so CPU is held against the cores they could use together and RSS
 * against the machine.
 */
export interface LimitContext {
  machine: CapacitySection['machine'];
  /** Node runs a process's JavaScript on one thread: each server process has at most one core. */
  serverProcesses: number;
  /**
   * The cores the server's processes were pinned to (the run's pinning.server; every core when
   * unpinned): they share them, so 2 processes on 1 core have one core between them, not two.
   */
  serverCores: number;
  broker: string;
  /** The clients also send upstream messages (a second connection each over HTTP). */
  upstream: boolean;
  /** The source addresses the step's clients bound to (the run's load.sourceAddresses; 0: the system picked one). */
  sourceAddresses: number;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

export function nameLimit(
  step: CapacityStep,
  run: Pick<CompletedRun, 'bottleneck'> | null,
  ctx: LimitContext,
  mode: 'failed' | 'near',
): CapacityLimit | null {
  const f = step.figures;
  const at = (resource: CapacityLimit['resource'], detail: string): CapacityLimit => ({
    resource,
    clients: step.clients,
    detail,
  });
  const failed = mode === 'failed';

  if (failed && (f['connectDescriptors'] ?? 0) > 0)
    return at('descriptors', `${f['connectDescriptors']} connects failed for lack of file descriptors (EMFILE)`);
  const ports = ctx.machine.ephemeralPorts;
  // Past one address's ports the plan spread the clients over several (bench/source-addresses.ts):
  // the connections are held against the ports of all of them.
  const addresses = Math.max(1, ctx.sourceAddresses);
  const connections = connectionsNeeded(step.clients, ctx.upstream);
  if (
    failed &&
    ports !== null &&
    (f['connectOther'] ?? 0) > 0 &&
    connections >= NEAR_LIMIT_FRACTION * ports * addresses
  )
    return at(
      'ports',
      `${f['connectOther']} connects failed otherwise with ${step.clients} clients (up to ${connections} connections) against ${ports} ephemeral ports on each of ${addresses} source address${addresses === 1 ? '' : 'es'}`,
    );
  const rss = f['serverRssBytes'] ?? 0;
  if (rss >= NEAR_LIMIT_FRACTION * ctx.machine.memoryBytes)
    return at(
      'memory',
      `server RSS ${gib(rss)} of the machine's ${gib(ctx.machine.memoryBytes)} (${ctx.serverProcesses} process${ctx.serverProcesses === 1 ? '' : 'es'})`,
    );
  const broker = f['brokerCpuFraction'];
  // Redis serves commands on one thread: one core is its limit.
  if (broker !== undefined && broker >= NEAR_LIMIT_FRACTION)
    return at('broker-cpu', `${ctx.broker} at ${pct(broker)} of its one core`);

  const serverCpu = f['serverCpuFraction'] ?? 0;
  const serverElu = f['serverElu'] ?? 0;
  const loadCpu = f['loadCpuFraction'] ?? 0;
  // One core per process, but no more cores than the server was pinned to.
  const usableCores = Math.min(ctx.serverProcesses, ctx.serverCores);
  const serverText = `server CPU ${pct(serverCpu)} of a core${ctx.serverProcesses > 1 ? ` over ${ctx.serverProcesses} processes on ${ctx.serverCores} core${ctx.serverCores === 1 ? '' : 's'} (at most ${pct(usableCores)})` : ''}, event loop ${pct(serverElu)} busy`;
  const loadText = `load generator at ${pct(loadCpu)} of a core`;
  const b = run?.bottleneck;
  // Diagnosis weighed server against load and the connect outcome for this very run: its verdict stands.
  if (b) return at(b.resource, b.detail);
  if (serverElu > SERVER_SATURATION_ELU || serverCpu >= NEAR_LIMIT_FRACTION * usableCores)
    return at('server-cpu', serverText);
  if (loadCpu > LOAD_SATURATION_FRACTION) return at('load-cpu', loadText);
  const drops = (f['listenOverflows'] ?? 0) + (f['listenDrops'] ?? 0);
  // A dropped SYN is retried (1 s, then 3 s...): it delays a connect, not the window's events. At a
  // failing step it is the limit only when connects were what failed (the host-wide counters also
  // count others' listens); at a passing one it says the queue already overflowed.
  const connectTrouble =
    (f['unconnected'] ?? 0) + (f['connectTimeouts'] ?? 0) + (f['connectRefused'] ?? 0) + (f['connectOther'] ?? 0) > 0;
  if (drops > 0 && (connectTrouble || !failed))
    return at(
      'connect-backlog',
      `the kernel counted ${f['listenOverflows'] ?? 0} listen-queue overflows and ${f['listenDrops'] ?? 0} dropped SYNs during the step (/proc/net/netstat), with ${serverText} and ${loadText}`,
    );
  if (failed && (f['connectTimeouts'] ?? 0) + (f['connectRefused'] ?? 0) > 0)
    return at(
      'connect-backlog',
      `${f['connectTimeouts'] ?? 0} connects timed out and ${f['connectRefused'] ?? 0} were refused with neither process saturated (${serverText}; ${loadText})`,
    );
  if (!failed) return null;
  // A loop busy much longer than it ran on a CPU was waiting for one: other processes had the cores.
  const starved =
    serverElu > 0.5 && serverCpu < SHARED_CORE_CPU_FRACTION * serverElu * usableCores
      ? `; the server's loop was busy ${pct(serverElu)} of the time on ${pct(serverCpu)} of a core: it waited for a CPU other processes had`
      : '';
  return at(
    'unidentified',
    `no resource near its limit (${serverText}; ${loadText})${starved}: the level broke on ${step.reasons.join('; ') || 'nothing recorded'}`,
  );
}
