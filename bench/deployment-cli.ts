/**
 * The command-line options of the deployment axis (bench/deployment-params.ts) and of the load
 * generator's processes: `--broker` and `--server-processes` set the scenario's deployments (their
 * product, less the combinations that cannot run); `--load-processes` how many load processes share
 * each job's clients (a property of the harness, not of the system under test: not in the job id).
 */
import type { Scenario } from './scenarios/schema.ts';
import {
  BROKER_KINDS,
  MAX_SERVER_PROCESSES,
  deploymentProblem,
  type BrokerKind,
  type Deployment,
} from './deployment-params.ts';

export class DeploymentOptionError extends Error {}

/** parseArgs option specs of the deployment, merged into the CLI's. */
export const DEPLOYMENT_OPTIONS = {
  broker: { type: 'string' },
  'server-processes': { type: 'string' },
  'load-processes': { type: 'string' },
} as const;

export type DeploymentOptionValues = Partial<Record<keyof typeof DEPLOYMENT_OPTIONS, string>>;

/** The most load processes one job may be split over on this host. */
export const MAX_LOAD_PROCESSES = 64;

export const DEPLOYMENT_USAGE = `  --broker <list>        where the servers read the feed: memory (the publisher's own, default) or
                         redis (a Redis Stream; needs redis-server: apt-get install redis-server)
  --server-processes <list>  server processes sharing one listening address (default 1; more than
                         one needs --broker redis)
  --load-processes <n|auto>  load-generator processes per job (default auto: from the clients and
                         the cores, printed before the run)`;

function brokers(raw: string): BrokerKind[] {
  const names = raw.split(',').map((b) => b.trim());
  const known: readonly string[] = BROKER_KINDS;
  const bad = names.find((b) => !known.includes(b));
  if (bad !== undefined)
    throw new DeploymentOptionError(`--broker: unknown broker "${bad}"; choose from ${BROKER_KINDS.join(', ')}`);
  return [...new Set(names as BrokerKind[])];
}

function processCounts(name: string, raw: string, max: number): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  const bad = parts.find((p) => !/^[0-9]+$/.test(p) || Number(p) < 1 || Number(p) > max);
  if (bad !== undefined)
    throw new DeploymentOptionError(`--${name} must be whole numbers from 1 to ${max}, got "${bad}"`);
  return [...new Set(parts.map(Number))];
}

/** Sets the scenario's deployments in place from the options, when any is given. */
export function applyDeploymentOptions(s: Scenario, values: DeploymentOptionValues): void {
  if (values.broker === undefined && values['server-processes'] === undefined) return;
  const current = s.matrix.deployments ?? [{ broker: 'memory', serverProcesses: 1 }];
  const wantedBrokers =
    values.broker !== undefined ? brokers(values.broker) : [...new Set(current.map((d) => d.broker))];
  const wantedCounts =
    values['server-processes'] !== undefined
      ? processCounts('server-processes', values['server-processes'], MAX_SERVER_PROCESSES)
      : [...new Set(current.map((d) => d.serverProcesses))];
  const product: Deployment[] = wantedBrokers.flatMap((broker) =>
    wantedCounts.map((serverProcesses) => ({ broker, serverProcesses })),
  );
  const runnable = product.filter((d) => deploymentProblem(d) === null);
  // Only when nothing can run is it an error: `--broker memory,redis --server-processes 1,2` runs the three that can.
  if (runnable.length === 0) throw new DeploymentOptionError(deploymentProblem(product[0]!)!);
  s.matrix.deployments = runnable as [Deployment, ...Deployment[]];
}

/** `--load-processes`: a count, or undefined for auto (absent or `auto`). */
export function loadProcessesOption(values: DeploymentOptionValues): number | undefined {
  const raw = values['load-processes'];
  if (raw === undefined || raw.trim() === 'auto') return undefined;
  return processCounts('load-processes', raw, MAX_LOAD_PROCESSES)[0]!;
}
